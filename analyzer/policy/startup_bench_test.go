package policy

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/rolecall/rolecall/analyzer/load"
	"github.com/rolecall/rolecall/internal/corpus"
	"github.com/rolecall/rolecall/internal/gen"
	"github.com/rolecall/rolecall/rules"
)

// BenchmarkStartup is the rules' share of a one-file run (the pre-commit case): parse the
// rules, compile those the input needs, evaluate. "whole" compiles every rule, as New did
// before compiling on demand; run with -cpu 1,2 to see what the parallel parse and compile
// groups bring.
func BenchmarkStartup(b *testing.B) {
	root := corpus.ModuleRoot(b)
	for _, tc := range []struct{ name, path string }{
		{"service-account", "fixtures/seed-s3admin/k8s/prod/data/serviceaccount-kevintse.yaml"},
		{"trust-policy", "fixtures/irsa-pitfalls/trust/github-pull-request.json"},
		{"all-fixtures", "fixtures"},
	} {
		inv, _ := load.Load(b.Context(), []string{filepath.Join(root, tc.path)}, load.Options{})
		in, _ := Build(inv, BuildOptions{})
		for _, mode := range []struct {
			name string
			opts []Option
		}{{"on-demand", []Option{CompileOnDemand()}}, {"whole", nil}} {
			b.Run(tc.name+"/"+mode.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					e, err := New(b.Context(), rules.FS, mode.opts...)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := e.Eval(b.Context(), in); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkInputValue is the hand-off of a generated account's input document to OPA:
// converted directly, and through JSON as before (json.Marshal, then OPA's decoding).
func BenchmarkInputValue(b *testing.B) {
	for _, roles := range []int{1000, 5000} {
		dir := b.TempDir()
		if _, err := gen.Write(dir, gen.Spec{Roles: roles, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		inv, _ := load.Load(b.Context(), []string{dir}, load.Options{})
		in, _ := Build(inv, BuildOptions{})
		for _, conv := range []struct {
			name string
			f    func() error
		}{
			{"direct", func() error { _, err := toValue(in); return err }},
			{"json", func() error { _, err := viaJSON(reflect.ValueOf(in)); return err }},
		} {
			b.Run(fmt.Sprintf("roles=%d/%s", roles, conv.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := conv.f(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
