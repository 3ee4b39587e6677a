package gen_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rolecall/rolecall/analyzer"
	"github.com/rolecall/rolecall/internal/gen"
)

// TestPlantedFindings scans a generated environment of 1,000 roles: the files load without a
// diagnostic, the scan sees every role and ServiceAccount, and every planted rule fires
// exactly as often as planted (other rules may fire too).
func TestPlantedFindings(t *testing.T) {
	dir := t.TempDir()
	spec := gen.Spec{Roles: 1000, Seed: 7}
	planted, err := gen.Write(dir, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(planted) < 8 {
		t.Fatalf("planted %v: want at least 8 rules", planted)
	}
	scan, err := analyzer.Run(t.Context(), analyzer.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range scan.Diagnostics {
		t.Errorf("diagnostic: %s", d.Error())
	}
	s := spec.WithDefaults()
	if scan.Summary.Roles != s.Roles || scan.Summary.ServiceAccounts != s.ServiceAccounts {
		t.Errorf("scanned %d roles and %d ServiceAccounts, want %d and %d", scan.Summary.Roles, scan.Summary.ServiceAccounts, s.Roles, s.ServiceAccounts)
	}
	got := map[string]int{}
	for _, f := range scan.Findings {
		if _, ok := planted[f.RuleID]; ok {
			got[f.RuleID]++
		}
	}
	if diff := cmp.Diff(map[string]int(planted), got); diff != "" {
		t.Errorf("findings of the planted rules (-planted +scan):\n%s", diff)
	}
}

// TestDeterministic: the same spec writes the same bytes; another seed writes other bytes.
func TestDeterministic(t *testing.T) {
	spec := gen.Spec{Roles: 100, Clusters: 2, Seed: 3}
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for dir, seed := range map[string]uint64{a: 3, b: 3, c: 4} {
		s := spec
		s.Seed = seed
		if _, err := gen.Write(dir, s); err != nil {
			t.Fatal(err)
		}
	}
	fa, fb, fc := files(t, a), files(t, b), files(t, c)
	if diff := cmp.Diff(fa, fb); diff != "" {
		t.Errorf("same seed, different files (-first +second):\n%s", diff)
	}
	same := 0
	for name, data := range fa {
		if bytes.Equal(data, fc[name]) {
			same++
		}
	}
	if same == len(fa) {
		t.Errorf("seeds 3 and 4 wrote the same %d files", same)
	}
	var planted gen.Planted
	if err := json.Unmarshal(fa[gen.PlantedFile], &planted); err != nil {
		t.Fatalf("%s: %v", gen.PlantedFile, err)
	}
	if planted["RC101"] != 3 {
		t.Errorf("%s: RC101 = %d, want the default 3", gen.PlantedFile, planted["RC101"])
	}
}

// TestTooSmall: sizes that cannot hold the fixed and planted roles are refused.
func TestTooSmall(t *testing.T) {
	for _, spec := range []gen.Spec{{Roles: 10}, {Roles: 100, ServiceAccounts: 5}, {Roles: 100, Clusters: -1}} {
		if _, err := gen.Write(t.TempDir(), spec); err == nil {
			t.Errorf("%+v: no error", spec)
		}
	}
}

func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
