package analyzer

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/corpus"
)

// TestCorpusFilesScanAlone scans every real-world corpus file on its own: no panic, no
// internal error, and every error diagnostic is positioned (file, line, column).
func TestCorpusFilesScanAlone(t *testing.T) {
	root := corpus.Dir(t)
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("only %d corpus files found", len(files))
	}
	engine, err := NewEngine(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		t.Run(rel, func(t *testing.T) {
			scan, err := Run(t.Context(), Options{Paths: []string{f}, Version: "dev", Engine: engine})
			if err != nil {
				t.Fatalf("internal error: %v", err)
			}
			for _, d := range scan.Diagnostics {
				if d.Severity == result.DiagError && (d.File == "" || d.Line == 0 || d.Column == 0) {
					t.Errorf("unpositioned error diagnostic: %+v", d)
				}
			}
			for _, fd := range scan.Findings {
				if p := fd.Primary(); p.File == "" || p.Line == 0 {
					t.Errorf("%s finding without a file position: %+v", fd.RuleID, p)
				}
			}
		})
	}
}
