package analyzer

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/rolecall/rolecall/internal/corpus"
)

// BenchmarkScanFixtures scans every shipped fixture with a compiled engine: the cost of one
// scan after start-up (load, build the input, evaluate the rules, resolve findings).
func BenchmarkScanFixtures(b *testing.B) {
	dir := filepath.Join(corpus.ModuleRoot(b), "fixtures")
	engine, err := NewEngine(b.Context(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(b.Context(), Options{Paths: []string{dir}, Engine: engine}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileRules is the start-up cost every CLI run pays before it reads a file.
func BenchmarkCompileRules(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewEngine(b.Context(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanLarge scans generated environments written in the native input formats (see
// writeSynthetic): the 5,000 roles and 20,000 ServiceAccounts, and a quarter of it to
// show how the cost grows. Run with -benchtime 1x; the rules are compiled once, outside.
func BenchmarkScanLarge(b *testing.B) {
	engine, err := NewEngine(b.Context(), nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, spec := range []synthSpec{{Roles: 1000, ServiceAccounts: 4000}, {Roles: 5000, ServiceAccounts: 20000}} {
		b.Run(fmt.Sprintf("roles=%d/sas=%d", spec.Roles, spec.ServiceAccounts), func(b *testing.B) {
			dir := b.TempDir()
			writeSynthetic(b, dir, spec)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				scan, err := Run(b.Context(), Options{Paths: []string{dir}, Engine: engine})
				if err != nil {
					b.Fatal(err)
				}
				if scan.Summary.Roles != spec.Roles+2 || scan.Summary.ServiceAccounts != spec.ServiceAccounts {
					b.Fatalf("scanned %d roles and %d ServiceAccounts", scan.Summary.Roles, scan.Summary.ServiceAccounts)
				}
			}
		})
	}
}
