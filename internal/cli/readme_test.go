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
	graphBegin = "<!-- graph:begin -->\n"
	graphEnd   = "<!-- graph:end -->"
)

// checkREADMESection keeps the README text between begin and end equal to want.
func checkREADMESection(t *testing.T, begin, end, want string) {
	t.Helper()
	path := filepath.Join(moduleRoot(t), "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := strings.Cut(string(readme), begin)
	_, after, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("README.md lacks the %q … %q markers", strings.TrimSpace(begin), end)
	}
	updated := before + begin + want + end + after
	if golden.Updating() {
		if err := os.WriteFile(path, []byte(updated), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if updated != string(readme) {
		t.Errorf("README.md section %s is out of date; run `make golden` and review the diff", strings.TrimSpace(begin))
	}
}

// TestREADMESeedGraph keeps the README's picture equal to `rolecall graph --format mermaid`.
func TestREADMESeedGraph(t *testing.T) {
	out, stderr, code := run(t, "graph", "--format", "mermaid", "fixtures/seed-s3admin")
	if code != ExitOK {
		t.Fatalf("graph: exit %d: %s", code, stderr)
	}
	checkREADMESection(t, graphBegin, graphEnd, "```mermaid\n"+out+"```\n")
}

// TestREADMERuleTable keeps the README's rule table equal to `rolecall rules --format markdown`.
func TestREADMERuleTable(t *testing.T) {
	table, stderr, code := run(t, "rules", "--format", "markdown")
	if code != ExitOK {
		t.Fatalf("rules --format markdown: exit %d: %s", code, stderr)
	}
	checkREADMESection(t, rulesBegin, rulesEnd, table)
}
