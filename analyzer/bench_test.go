package analyzer

import (
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
