package cli

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
	ucli "github.com/urfave/cli/v2"

	"github.com/rolecall/rolecall/analyzer"
	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/report"
	"github.com/rolecall/rolecall/internal/version"
)

func scanCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "scan",
		Usage:     "load every recognised input under the paths, run the rules, report findings",
		ArgsUsage: "[PATH...]  (files, folders recursively, - for stdin; default .)",
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: report.FormatText,
				Usage: "output format: " + strings.Join(report.Formats(), ", ")},
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` instead of stdout"},
			&ucli.StringFlag{Name: "fail-on", Value: "medium",
				Usage: "exit 1 when a finding is at or above this severity: " + strings.Join(result.FailOnValues(), ", ")},
			&ucli.StringFlag{Name: "config", Usage: "configuration `FILE` (default: .rolecall.yaml found upward from the first path)"},
			&ucli.StringSliceFlag{Name: "policy", Usage: "extra Rego rules from `DIR` (repeatable)"},
			&ucli.StringSliceFlag{Name: "disable", Usage: "do not report `RULE` (id or name; repeatable)"},
			&ucli.StringSliceFlag{Name: "cluster", Usage: "the EKS cluster `NAME` the manifests belong to; with --live, read only this cluster (repeatable)"},
			&ucli.BoolFlag{Name: "include-suppressed", Usage: "show suppressed findings in text and JSON output"},
			&ucli.BoolFlag{Name: "no-color", Usage: "no colour in text output (also NO_COLOR)"},
			&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing but the report and errors"},
			&ucli.StringFlag{Name: "dump-input", Usage: "write the Rego input document to `FILE` (for opa eval)"},
			&ucli.StringFlag{Name: "baseline", Usage: "report only findings whose fingerprint is not in `FILE`, a previous scan --format json report"},
		}, append(inputFlags(), liveFlags()...)...),
		Action: runScan,
	}
}

func runScan(c *ucli.Context) error {
	format := c.String("format")
	failOn, err := result.ParseSeverity(c.String("fail-on"))
	if err != nil {
		return usageError(fmt.Errorf("--fail-on: %w", err))
	}
	paths := c.Args().Slice()
	if len(paths) == 0 && !c.Bool("live") {
		paths = []string{"."}
	}
	if err := checkLiveFlags(c); err != nil {
		return err
	}
	clusters := c.StringSlice("cluster")
	if len(clusters) > 1 && !c.Bool("live") {
		return usageError(fmt.Errorf("--cluster: the manifests belong to one cluster (got %s); several are for --live", strings.Join(clusters, ", ")))
	}
	cfg, err := loadConfig(c.String("config"), configPaths(paths))
	if err != nil {
		return usageError(err)
	}
	var policies []fs.FS
	for _, dir := range append(cfg.Policy, c.StringSlice("policy")...) {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return usageError(fmt.Errorf("--policy %s: not a directory", dir))
		}
		policies = append(policies, os.DirFS(dir))
	}
	// --baseline: read before scanning, so a wrong file fails fast.
	var base *baseline
	if f := c.String("baseline"); f != "" {
		if base, err = loadBaseline(f); err != nil {
			return usageError(err)
		}
	}
	formatter, err := report.New(format, report.Options{
		Color:             useColor(c),
		IncludeSuppressed: c.Bool("include-suppressed"),
	})
	if err != nil {
		return usageError(fmt.Errorf("--format: %w", err))
	}
	// Compile the rules here so the config's rule references can be checked against them.
	// NewEngineDirs names each directory in rule errors (NewEngine would say policy1/…).
	engine, err := analyzer.NewEngineDirs(c.Context, append(cfg.Policy, c.StringSlice("policy")...))
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	if err := cfg.validate(engine.Rules()); err != nil {
		return usageError(err)
	}
	// Live data is read after the rules compiled and the configuration checked: a typo
	// should not cost a whole collection.
	liveIn, err := liveInputs(c, clusters)
	if err != nil {
		return err
	}
	manifestCluster := ""
	if !c.Bool("live") && len(clusters) == 1 {
		manifestCluster = clusters[0]
	}
	opts := analyzer.Options{
		Engine:            engine,
		Paths:             paths,
		Live:              liveIn,
		Stdin:             c.App.Reader,
		StdinName:         c.String("stdin-name"),
		TerraformVars:     c.StringSlice("var"),
		TerraformVarFiles: c.StringSlice("var-file"),
		Cluster:           manifestCluster,
		Policies:          policies,
		Disabled:          append(cfg.Disable, c.StringSlice("disable")...),
		Accounts:          cfg.Accounts,
		Version:           version.Version,
	}
	cfg.configure(c.Context, &opts)
	var dump *os.File
	if p := c.String("dump-input"); p != "" {
		if dump, err = os.Create(p); err != nil {
			return usageError(fmt.Errorf("--dump-input: %w", err))
		}
		defer dump.Close()
		opts.DumpInput = dump
	}
	scan, err := analyzer.Run(c.Context, opts)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	if dump != nil {
		// A write error can surface only on close; a truncated dump must not pass silently.
		if err := dump.Close(); err != nil {
			return &exitError{code: ExitError, err: fmt.Errorf("--dump-input: %w", err)}
		}
	}
	if err := cfg.apply(scan); err != nil {
		return usageError(err)
	}
	if base != nil {
		base.apply(scan)
	}
	for _, d := range scan.Diagnostics {
		if d.Severity == result.DiagError || !c.Bool("quiet") {
			fmt.Fprintf(c.App.ErrWriter, "%s: %s\n", d.Severity, d.Error())
		}
	}
	if err := writeReport(c.String("output"), c.App.Writer, formatter, scan); err != nil {
		return &exitError{code: ExitError, err: err}
	}
	switch {
	case scan.HasInputErrors():
		return &exitError{code: ExitError}
	case scan.FailsAt(failOn):
		return &exitError{code: ExitFindings}
	}
	return nil
}

func useColor(c *ucli.Context) bool {
	if c.Bool("no-color") || os.Getenv("NO_COLOR") != "" || c.String("output") != "" {
		return false
	}
	f, ok := c.App.Writer.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// writeReport writes to stdout, or to path (see writeFileAtomic).
func writeReport(path string, stdout io.Writer, f report.Formatter, scan *result.Scan) error {
	if path == "" {
		return f.Format(stdout, scan)
	}
	if err := writeFileAtomic(path, 0o644, func(w io.Writer) error { return f.Format(w, scan) }); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	return nil
}
