package cli

import (
	"fmt"
	"runtime/debug"

	ucli "github.com/urfave/cli/v2"

	"github.com/rolecall/rolecall/analyzer"
	"github.com/rolecall/rolecall/internal/report"
	"github.com/rolecall/rolecall/internal/version"
)

func rulesCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "rules",
		Usage: "print the rule catalogue",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "text, json or markdown"},
		},
		Action: func(c *ucli.Context) error {
			engine, err := analyzer.NewEngine(c.Context, nil)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if err := report.FormatRules(c.App.Writer, c.String("format"), engine.Rules()); err != nil {
				return usageError(err)
			}
			return nil
		},
	}
}

func versionCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "version",
		Usage: "print the version, commit and OPA version",
		Action: func(c *ucli.Context) error {
			_, err := fmt.Fprintf(c.App.Writer, "rolecall %s\ncommit %s\nopa %s\n", version.Version, version.Commit, opaVersion())
			return err
		},
	}
}

// opaVersion reads the OPA module version from the build info.
func opaVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/open-policy-agent/opa" {
				return d.Version
			}
		}
	}
	return "unknown"
}
