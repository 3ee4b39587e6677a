package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/tester"
	ucli "github.com/urfave/cli/v2"

	"github.com/rolecall/rolecall/analyzer"
	"github.com/rolecall/rolecall/analyzer/policy"
	"github.com/rolecall/rolecall/rules"
)

// libModulePrefix names rolecall's library modules in messages, apart from the user's files.
const libModulePrefix = "(rolecall)/"

func testCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "test",
		Usage: "run the Rego tests of user rule directories (no opa binary needed)",
		Description: "Loads every .rego file under each DIR (tests included) together with rolecall's library\n" +
			"(data.rolecall.lib: the finding constructors and data.rolecall.lib.testing), compiles them\n" +
			"with the builtins a scan allows, and runs every test_ rule, as `opa test` would. The rules\n" +
			"are first checked against the metadata contract, as scan --policy DIR checks them.\n" +
			"Exit 0 when every test passes, 1 when one fails (or none ran), 2 when the rules cannot be loaded.",
		ArgsUsage: "DIR...",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "run", Usage: "run only tests whose package.name matches `REGEX`"},
		},
		Action: runTest,
	}
}

func runTest(c *ucli.Context) error {
	dirs := analyzer.UniqueDirs(c.Args().Slice())
	if len(dirs) == 0 {
		return usageError(errors.New("test needs at least one DIR of Rego rules and tests"))
	}
	if _, err := regexp.Compile(c.String("run")); err != nil {
		return usageError(fmt.Errorf("--run: %w", err))
	}
	// The same checks as scan --policy: a rule that passes its tests but would be refused by a
	// scan is not a working rule.
	if _, err := analyzer.NewEngineDirs(c.Context, dirs); err != nil {
		return &exitError{code: ExitError, err: err}
	}
	modules, err := loadTestModules(dirs)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	compiler := ast.NewCompiler().
		WithCapabilities(policy.Capabilities()).
		WithEnablePrintStatements(true)
	runner := tester.NewRunner().SetCompiler(compiler).SetModules(modules)
	if re := c.String("run"); re != "" {
		runner = runner.Filter(re)
	}
	ch, err := runner.RunTests(c.Context, nil)
	if err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("compiling tests:\n  %s", strings.Join(compileErrors(err), "\n  "))}
	}
	var results []*tester.Result
	for r := range ch {
		results = append(results, r)
	}
	slices.SortFunc(results, func(a, b *tester.Result) int {
		return strings.Compare(a.Package+"."+a.Name, b.Package+"."+b.Name)
	})
	return reportTests(c, results)
}

func reportTests(c *ucli.Context, results []*tester.Result) error {
	w := &textWriter{w: c.App.Writer}
	var passed, failed, errored, skipped int
	for _, r := range results {
		name := strings.TrimPrefix(r.Package, "data.") + "." + r.Name
		where := ""
		if r.Location != nil {
			where = fmt.Sprintf("  (%s:%d)", r.Location.File, r.Location.Row)
		}
		switch {
		case r.Error != nil:
			errored++
			w.printf("ERROR %s%s\n%s\n", name, where, indentText(r.Error.Error(), "      "))
		case r.Fail:
			failed++
			w.printf("FAIL  %s%s\n", name, where)
		case r.Skip:
			skipped++
			w.printf("SKIP  %s%s\n", name, where)
		default:
			passed++
			w.printf("PASS  %s\n", name)
		}
		if !r.Pass() && len(r.Output) > 0 {
			w.printf("%s\n", indentText(string(r.Output), "      "))
		}
	}
	total := len(results)
	summary := fmt.Sprintf("%s: %d passed", countNoun(total, "test"), passed)
	if failed > 0 {
		summary += fmt.Sprintf(", %d failed", failed)
	}
	if errored > 0 {
		summary += fmt.Sprintf(", %d errors", errored)
	}
	if skipped > 0 {
		summary += fmt.Sprintf(", %d skipped", skipped)
	}
	w.printf("%s\n", summary)
	if w.err != nil {
		return &exitError{code: ExitError, err: w.err}
	}
	switch {
	case total == 0:
		return &exitError{code: ExitFindings, err: errors.New("no test ran: name tests test_… in *_test.rego files")}
	case failed > 0 || errored > 0:
		return &exitError{code: ExitFindings}
	}
	return nil
}

// loadTestModules parses every .rego file of dirs (tests included) with annotations, plus
// rolecall's library from the embedded rules, so that data.rolecall.lib resolves.
func loadTestModules(dirs []string) (map[string]*ast.Module, error) {
	modules := map[string]*ast.Module{}
	lib, err := loader.NewFileLoader().
		WithFS(rules.FS).
		WithProcessAnnotation(true).
		WithRegoVersion(ast.RegoV1).
		Filtered([]string{"lib"}, regoFiles)
	if err != nil {
		return nil, fmt.Errorf("loading rolecall's library: %w", err)
	}
	for _, m := range lib.Modules {
		modules[libModulePrefix+m.Name] = m.Parsed
	}
	var errs []string
	for _, dir := range dirs {
		res, err := loader.NewFileLoader().
			WithProcessAnnotation(true).
			WithRegoVersion(ast.RegoV1).
			Filtered([]string{dir}, regoFiles)
		if err != nil {
			errs = append(errs, compileErrors(err)...)
			continue
		}
		for _, m := range res.Modules {
			modules[m.Name] = m.Parsed
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("loading tests:\n  %s", strings.Join(errs, "\n  "))
	}
	return modules, nil
}

// regoFiles keeps .rego files (tests included) outside hidden directories.
func regoFiles(_ string, info fs.FileInfo, depth int) bool {
	if info.IsDir() {
		return depth > 0 && strings.HasPrefix(info.Name(), ".")
	}
	return !strings.HasSuffix(info.Name(), ".rego")
}

// compileErrors renders loader and compiler errors as "file:row: message".
func compileErrors(err error) []string {
	var astErrs ast.Errors
	var loadErrs loader.Errors
	switch {
	case errors.As(err, &loadErrs):
		var out []string
		for _, e := range loadErrs {
			out = append(out, compileErrors(e)...)
		}
		return out
	case errors.As(err, &astErrs):
		out := make([]string, 0, len(astErrs))
		for _, e := range astErrs {
			if e.Location != nil {
				out = append(out, fmt.Sprintf("%s:%d: %s", e.Location.File, e.Location.Row, e.Message))
			} else {
				out = append(out, e.Message)
			}
		}
		return out
	}
	return []string{err.Error()}
}
