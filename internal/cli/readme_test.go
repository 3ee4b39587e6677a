package cli

import (
	"path/filepath"
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
	golden.CheckSection(t, filepath.Join(moduleRoot(t), "README.md"), begin, end, want)
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
