package report

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/sariftest"
)

// liveScan is a scan read entirely from live data: no finding has a file.
func liveScan() *result.Scan {
	s := fullScan()
	s.Diagnostics = nil
	for i := range s.Findings {
		f := &s.Findings[i]
		for j := range f.Locations {
			f.Locations[j].File, f.Locations[j].Line, f.Locations[j].Column = "", 0, 0
		}
		for j := range f.Path {
			f.Path[j].File, f.Path[j].Line, f.Path[j].Column = "", 0, 0
		}
	}
	s.Findings = append(s.Findings, result.Finding{ // no location and no resource at all
		RuleID: "RC302", Rule: "sa-role-unknown", Severity: result.Low, Message: "an unknown role",
		Fingerprint: "4444444444444444444444444444444444444444444444444444444444444444",
	})
	return s
}

// TestSARIFMultitool validates every SARIF rolecall ships as a golden — each fixture's
// want/findings.sarif and this package's testdata — plus a live-only scan, with Microsoft's SARIF
// multitool and its GitHub ingestion rules (docs/cli.md: "It must pass the SARIF multitool's
// validation including its GitHub ingestion rules"). Errors fail; warnings are logged. A broken
// copy of the golden is validated alongside to prove the errors are seen.
func TestSARIFMultitool(t *testing.T) {
	tool := sariftest.Find(t)

	fixtures, err := filepath.Glob(filepath.Join("..", "..", "fixtures", "*", "want", "findings.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	goldens, err := filepath.Glob(filepath.Join("testdata", "*.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	if len(fixtures) < 5 || len(goldens) < 2 {
		t.Fatalf("found %d fixture and %d package SARIF goldens; the globs are wrong", len(fixtures), len(goldens))
	}

	dir := t.TempDir()
	live := filepath.Join(dir, "live.sarif")
	if err := os.WriteFile(live, render(t, "sarif", Options{}, liveScan()), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.sarif")
	writeBroken(t, filepath.Join("testdata", "scan.golden.sarif"), broken)

	files := slices.Concat(fixtures, goldens, []string{live})
	got := sariftest.Validate(t.Context(), t, tool, append(files, broken)...)

	for _, f := range files {
		name := filepath.ToSlash(f)
		if f == live {
			name = "live scan"
		}
		t.Run(name, func(t *testing.T) {
			for _, r := range got[f] {
				if r.Level == "error" {
					t.Errorf("%s", r)
				} else {
					t.Logf("%s", r)
				}
			}
		})
	}
	t.Run("a file GitHub would reject fails", func(t *testing.T) {
		var ids []string
		for _, r := range sariftest.Errors(got[broken]) {
			ids = append(ids, r.RuleID)
		}
		for _, want := range []string{"GH1013", "GH2012"} { // $schema missing; a rule without help
			if !slices.Contains(ids, want) {
				t.Errorf("errors %v lack %s: the validation is not applying GitHub's rules", ids, want)
			}
		}
	})
}

// writeBroken copies a SARIF golden without $schema and without the first rule's help, two
// things GitHub code scanning's ingestion requires.
func writeBroken(t *testing.T, from, to string) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(readFile(t, from), &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "$schema")
	rules := doc["runs"].([]any)[0].(map[string]any)["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)
	delete(rules[0].(map[string]any), "help")
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSARIFResultsHaveArtifactLocation checks, without the multitool, the GitHub rule it does not
// check: code scanning rejects a whole upload when one result's location has no artifact URI
// ("locationFromSarifResult: expected artifact location") or names a URI scheme it does not
// know; results from live data use a pseudo-path.
func TestSARIFResultsHaveArtifactLocation(t *testing.T) {
	fixtures, _ := filepath.Glob(filepath.Join("..", "..", "fixtures", "*", "want", "findings.sarif"))
	goldens, _ := filepath.Glob(filepath.Join("testdata", "*.sarif"))
	docs := map[string][]byte{"live scan": render(t, "sarif", Options{}, liveScan())}
	for _, f := range slices.Concat(fixtures, goldens) {
		docs[filepath.ToSlash(f)] = readFile(t, f)
	}
	if len(docs) < 8 {
		t.Fatalf("only %d SARIF documents found", len(docs))
	}
	for name, data := range docs {
		t.Run(name, func(t *testing.T) {
			var doc sarifDoc
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			for _, run := range doc.Runs {
				for i, r := range run.Results {
					if len(r.Locations) == 0 {
						t.Errorf("result %d (%s) has no location", i, r.RuleID)
						continue
					}
					pl := r.Locations[0].PhysicalLocation
					if pl == nil || pl.ArtifactLocation.URI == "" {
						t.Errorf("result %d (%s) has no physicalLocation.artifactLocation.uri", i, r.RuleID)
						continue
					}
					if u, err := url.Parse(pl.ArtifactLocation.URI); err != nil || (u.Scheme != "" && u.Scheme != "file") {
						t.Errorf("result %d (%s): artifact URI %q is not a relative path or file URI", i, r.RuleID, pl.ArtifactLocation.URI)
					}
				}
			}
		})
	}
}
