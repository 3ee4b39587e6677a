package cli

import (
	"fmt"

	opaversion "github.com/open-policy-agent/opa/v1/version"
	ucli "github.com/urfave/cli/v2"

	"github.com/rolecall/rolecall/internal/report"
	"github.com/rolecall/rolecall/internal/version"
)

func rulesCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "rules",
		Usage: "print the rule catalogue",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "text, json or markdown"},
			&ucli.StringSliceFlag{Name: "policy", Usage: "also list the user rules of `DIR` (repeatable)"},
		},
		Action: func(c *ucli.Context) error {
			engine, err := newEngine(c, c.StringSlice("policy"))
			if err != nil {
				return err
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
			commit := version.Commit
			if commit == "" {
				commit = "unknown"
			}
			_, err := fmt.Fprintf(c.App.Writer, "rolecall %s\ncommit %s\nopa %s\n", version.Version, commit, opaversion.Version)
			return err
		},
	}
}
