package rules_test

import (
	"context"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/rolecall/rolecall/analyzer/policy"
	"github.com/rolecall/rolecall/rules"
)

// loadAll parses every .rego of rules.FS, tests included, with annotations processed.
func loadAll(t *testing.T) map[string]*ast.Module {
	t.Helper()
	res, err := loader.NewFileLoader().
		WithFS(rules.FS).
		WithProcessAnnotation(true).
		WithRegoVersion(ast.RegoV1).
		Filtered([]string{"."}, func(_ string, info fs.FileInfo, _ int) bool {
			return !info.IsDir() && !strings.HasSuffix(info.Name(), ".rego")
		})
	if err != nil {
		t.Fatalf("loading rules: %v", err)
	}
	return res.ParsedModules()
}

// TestRego runs every Rego test (what `go tool opa test rules/` runs), under the engine's
// capabilities, one subtest per Rego test.
func TestRego(t *testing.T) {
	ctx := context.Background()
	compiler := ast.NewCompiler().
		WithCapabilities(policy.Capabilities()).
		WithEnablePrintStatements(true)
	ch, err := tester.NewRunner().
		SetCompiler(compiler).
		SetModules(loadAll(t)).
		RunTests(ctx, nil)
	if err != nil {
		t.Fatalf("running Rego tests: %v", err)
	}
	var results []*tester.Result
	for r := range ch {
		results = append(results, r)
	}
	slices.SortFunc(results, func(a, b *tester.Result) int {
		return strings.Compare(a.Package+"."+a.Name, b.Package+"."+b.Name)
	})
	if len(results) == 0 {
		t.Fatal("no Rego test ran")
	}
	for _, r := range results {
		name := strings.TrimPrefix(r.Package, "data.") + "." + r.Name
		t.Run(name, func(t *testing.T) {
			switch {
			case r.Error != nil:
				t.Errorf("%s: error: %v", r.Location, r.Error)
			case r.Fail:
				t.Errorf("%s: FAIL", r.Location)
			case r.Skip:
				t.Errorf("%s: skipped (no todo_ tests: a known gap is an issue)", r.Location)
			}
			if t.Failed() && len(r.Output) > 0 {
				t.Logf("output:\n%s", r.Output)
			}
		})
	}
}

// TestCatalog checks the rule files against the metadata contract (style.md §4.2, §4.5).
func TestCatalog(t *testing.T) {
	ctx := context.Background()
	e, err := policy.New(ctx, rules.FS)
	if err != nil {
		t.Fatalf("policy.New: %v", err)
	}
	catalog := e.Rules()
	if len(catalog) == 0 {
		t.Fatal("empty catalog")
	}

	mods := loadAll(t)
	rulePkgs := map[string]string{}  // slug → file
	testFiles := map[string]string{} // slug (without _test) → file
	tests := map[string][]string{}   // slug → test names
	for file, m := range mods {
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		slug, ok := strings.CutPrefix(pkg, policy.RulesPackage+".")
		if !ok {
			continue
		}
		if base, isTest := strings.CutSuffix(slug, "_test"); isTest && strings.HasSuffix(file, "_test.rego") {
			testFiles[base] = file
			for _, r := range m.Rules {
				if name := r.Head.Ref()[0].Value.String(); strings.HasPrefix(name, "test_") {
					tests[base] = append(tests[base], name)
				}
			}
			continue
		}
		if prev, dup := rulePkgs[slug]; dup {
			t.Errorf("package %s defined by %s and %s", pkg, prev, file)
		}
		rulePkgs[slug] = file
	}

	if len(catalog) != len(rulePkgs) {
		t.Errorf("catalog has %d rules, rules/ has %d rule packages", len(catalog), len(rulePkgs))
	}
	ids, names := map[string]bool{}, map[string]bool{}
	for _, r := range catalog {
		t.Run(r.ID+"_"+r.Slug, func(t *testing.T) {
			if ids[r.ID] || names[r.Name] {
				t.Errorf("duplicate id %s or name %s", r.ID, r.Name)
			}
			ids[r.ID], names[r.Name] = true, true
			file, ok := rulePkgs[r.Slug]
			if !ok {
				t.Fatalf("no rule package for slug %s", r.Slug)
			}
			if want := r.Slug + ".rego"; file != want {
				t.Errorf("package %s.%s lives in %s, want %s", policy.RulesPackage, r.Slug, file, want)
			}
			if tf, ok := testFiles[r.Slug]; !ok || tf != r.Slug+"_test.rego" {
				t.Fatalf("no %s_test.rego with package %s.%s_test (found %q)", r.Slug, policy.RulesPackage, r.Slug, tf)
			}
			names := tests[r.Slug]
			if len(names) == 0 {
				t.Fatalf("%s_test.rego has no test", r.Slug)
			}
			if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "test_fires") }) {
				t.Errorf("%s_test.rego has no test_fires_… test", r.Slug)
			}
			if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "test_quiet") }) {
				t.Errorf("%s_test.rego has no test_quiet_… test", r.Slug)
			}
			if r.Title == "" || r.Description == "" || r.Remediation == "" || r.HelpURI == "" {
				t.Errorf("incomplete catalog entry: %+v", r)
			}
		})
	}
	for slug, file := range testFiles {
		if _, ok := rulePkgs[slug]; !ok {
			t.Errorf("%s tests package %s.%s, which does not exist", file, policy.RulesPackage, slug)
		}
	}
}

// TestEvalEmptyInput: every rule copes with a document where nothing is loaded.
func TestEvalEmptyInput(t *testing.T) {
	ctx := context.Background()
	e, err := policy.New(ctx, rules.FS)
	if err != nil {
		t.Fatalf("policy.New: %v", err)
	}
	for _, in := range []any{policy.Input{}, map[string]any{}} {
		fs, err := e.Eval(ctx, in)
		if err != nil {
			t.Fatalf("Eval(%T): %v", in, err)
		}
		if len(fs) != 0 {
			t.Errorf("Eval(%T) = %v, want no findings", in, fs)
		}
	}
}
