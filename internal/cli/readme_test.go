package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/golden"
)

const (
	rulesBegin = "<!-- rules:begin -->\n"
	rulesEnd   = "<!-- rules:end -->"
)

// TestREADMERuleTable keeps the README's rule table equal to `rolecall rules --format markdown`.
func TestREADMERuleTable(t *testing.T) {
	table, stderr, code := run(t, "rules", "--format", "markdown")
	if code != ExitOK {
		t.Fatalf("rules --format markdown: exit %d: %s", code, stderr)
	}
	path := filepath.Join(moduleRoot(t), "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := strings.Cut(string(readme), rulesBegin)
	_, after, ok2 := strings.Cut(rest, rulesEnd)
	if !ok || !ok2 {
		t.Fatalf("README.md lacks the %q … %q markers", strings.TrimSpace(rulesBegin), rulesEnd)
	}
	want := before + rulesBegin + table + rulesEnd + after
	if golden.Updating() {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != string(readme) {
		t.Errorf("README.md rule table is out of date; run `make golden` and review the diff")
	}
}
