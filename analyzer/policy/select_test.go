package policy

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/rolecall/rolecall/analyzer/load"
	"github.com/rolecall/rolecall/internal/corpus"
	"github.com/rolecall/rolecall/rules"
)

// TestOnDemandMatchesWhole: compiling only the rules an input needs gives the findings of the
// whole rule set, on every fixture and on each fixture file scanned alone (the pre-commit
// case, where most rules are left out).
func TestOnDemandMatchesWhole(t *testing.T) {
	ctx := t.Context()
	whole, err := New(ctx, rules.FS)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(corpus.ModuleRoot(t), "fixtures")
	var paths []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == "want":
			return filepath.SkipDir
		case p != root:
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	onDemand, err := New(ctx, rules.FS, CompileOnDemand())
	if err != nil {
		t.Fatal(err)
	}
	left := 0 // scans that left rules out: the test must exercise selection
	for _, p := range paths {
		rel, _ := filepath.Rel(root, p)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			inv, _ := load.Load(ctx, []string{p}, load.Options{})
			in, _ := Build(inv, BuildOptions{})
			// Once the whole rule set is compiled it serves every input: forget it, so that
			// this input gets the rules it selects.
			onDemand.every = nil
			got, err := onDemand.Eval(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			want, err := whole.Eval(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings (-whole +on demand):\n%s", diff)
			}
			v, err := toValue(in)
			if err != nil {
				t.Fatal(err)
			}
			if len(onDemand.sel.needed(v)) < len(onDemand.sel.rules) {
				left++
			}
		})
	}
	if left == 0 {
		t.Error("every scan needed every rule")
	}
}

// TestNeeded: which rules a one-file input compiles.
func TestNeeded(t *testing.T) {
	e, err := New(t.Context(), rules.FS, CompileOnDemand())
	if err != nil {
		t.Fatal(err)
	}
	readers := func(key string) []string {
		var out []string
		for _, m := range e.sel.rules {
			if m.reads.input[key] || m.reads.anyInput {
				out = append(out, m.key)
			}
		}
		return out
	}
	tests := []struct {
		name  string
		input Input
		want  []string
	}{
		{name: "nothing loaded needs only rules reading the whole input", input: Input{SchemaVersion: SchemaVersion}, want: readers("")},
		{name: "a ServiceAccount needs the rules reading service_accounts",
			input: Input{ServiceAccounts: []ServiceAccount{{ID: "k8s:/serviceaccount/ns/sa"}}, Graph: Graph{Nodes: []GraphNode{}}},
			want:  readers("service_accounts")},
		{name: "a role needs the rules reading roles",
			input: Input{Roles: []Role{{ID: "arn:aws:iam::111122223333:role/r"}}, Loaded: Loaded{RoleListAccounts: []string{}}},
			want:  readers("roles")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := toValue(tt.input)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range e.sel.needed(v) {
				got = append(got, m.key)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("needed (-want +got):\n%s", diff)
			}
		})
	}
	if n := len(readers("service_accounts")); n == 0 || n >= len(e.sel.rules)/2 {
		t.Errorf("%d of %d rules read service_accounts: want some, and few", n, len(e.sel.rules))
	}
}

func TestAnalyzeReads(t *testing.T) {
	tests := []struct {
		name, body string
		input      []string
		anyInput   bool
		otherRules bool
	}{
		{name: "iteration", body: `deny contains r.id if some r in input.roles`, input: []string{"roles"}},
		{name: "nested key", body: `deny contains x if x := input.graph.paths[_].from`, input: []string{"graph"}},
		{name: "bracket key", body: `deny contains x if x := input["aws_auth"][_].id`, input: []string{"aws_auth"}},
		{name: "import alias", body: "import input.clusters as cs\n\ndeny contains c.id if some c in cs", input: []string{"clusters"}},
		{name: "helper rule and else", body: "_x := input.node_groups if true else := input.pod_identity\n\ndeny contains 1 if _x", input: []string{"node_groups", "pod_identity"}},
		{name: "function", body: "_f(x) := y if y := input.access_entries[x]\n\ndeny contains _f(0)", input: []string{"access_entries"}},
		{name: "comprehension and every", body: "deny contains n if {\n\tn := count([r | some r in input.roles])\n\tevery s in input.service_accounts { s.id != \"\" }\n}", input: []string{"roles", "service_accounts"}},
		{name: "rule head key", body: `deny contains input.known_accounts[0]`, input: []string{"known_accounts"}},
		{name: "template string", body: `deny contains $"{input.oidc_providers[0].id}"`, input: []string{"oidc_providers"}},
		{name: "whole input", body: `deny contains x if x := input`, anyInput: true},
		{name: "computed key", body: "deny contains x if {\n\tsome k in [\"roles\"]\n\tx := input[k]\n}", anyInput: true},
		{name: "with input", body: "_g := 1 if input.roles\n\ndeny contains 1 if _g with input as {\"roles\": [1]}", input: []string{"roles"}, anyInput: true},
		{name: "library", body: "import data.rolecall.lib\n\ndeny contains lib.finding(r.id, r.id, \"m\") if some r in input.roles", input: []string{"roles"}},
		{name: "own package", body: "_x := 1\n\ndeny contains data.rolecall.rules.me._x"},
		{name: "another rule", body: `deny contains f if some f in data.rolecall.rules.other.deny`, otherRules: true},
		{name: "every rule", body: `deny contains f if some f in data.rolecall.rules[_].deny`, otherRules: true},
		{name: "rolecall root", body: `deny contains x if x := data.rolecall`, otherRules: true},
		{name: "data root", body: `deny contains x if x := data`, otherRules: true},
		{name: "other data", body: `deny contains x if x := data.acme.allowed[_]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ast.ParseModuleWithOpts("me.rego", "package rolecall.rules.me\n\n"+tt.body+"\n", ast.ParserOptions{RegoVersion: ast.RegoV1})
			if err != nil {
				t.Fatal(err)
			}
			r := analyzeReads(m, "me")
			got := slices.Sorted(func(yield func(string) bool) {
				for k := range r.input {
					if !yield(k) {
						return
					}
				}
			})
			if diff := cmp.Diff(tt.input, got); diff != "" {
				t.Errorf("input keys (-want +got):\n%s", diff)
			}
			if r.anyInput != tt.anyInput || r.otherRules != tt.otherRules {
				t.Errorf("anyInput, otherRules = %v, %v; want %v, %v", r.anyInput, r.otherRules, tt.anyInput, tt.otherRules)
			}
		})
	}
}

func TestEmptyValue(t *testing.T) {
	for src, want := range map[string]bool{
		`null`: true, `false`: true, `0`: true, `""`: true, `[]`: true, `{}`: true,
		`{"nodes": [], "edges": null, "ok": false}`: true, `[[], {}, ""]`: true,
		`true`: false, `1`: false, `0.5`: false, `"x"`: false, `[{"id": "x"}]`: false,
		`{"clusters": true}`: false, `{"a": [], "b": ["x"]}`: false,
	} {
		v := ast.MustParseTerm(src).Value
		if got := emptyValue(v); got != want {
			t.Errorf("emptyValue(%s) = %v, want %v", src, got, want)
		}
	}
}

func TestGroupsBalance(t *testing.T) {
	var mods []*loadedModule
	for i, size := range []int{50, 40, 30, 20, 10, 10} {
		mods = append(mods, &loadedModule{key: strings.Repeat("m", i+1), size: size})
	}
	s := &selection{}
	got := s.groups(mods, 2)
	if len(got) != 2 {
		t.Fatalf("%d groups, want 2", len(got))
	}
	var sizes []int
	n := 0
	for _, g := range got {
		sum := 0
		for _, m := range g {
			sum += m.size
		}
		sizes = append(sizes, sum)
		n += len(g)
	}
	if n != len(mods) || sizes[0] != 80 || sizes[1] != 80 {
		t.Errorf("groups of %v bytes over %d modules, want [80 80] over %d", sizes, n, len(mods))
	}
	if one := s.groups(mods[:1], 2); len(one) != 1 {
		t.Errorf("one rule in %d groups", len(one))
	}
}
