// Package report renders a result.Scan as text, JSON, SARIF, Markdown or GitHub Actions
// annotations, and the rule catalogue as
// text, JSON or Markdown. Every formatter is deterministic and returns write errors.
package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/version"
)

// Formatter writes one scan in one format.
type Formatter interface {
	Format(w io.Writer, s *result.Scan) error
}

// Options tune the formatters.
type Options struct {
	// Color enables ANSI colour in the text format (the CLI sets it only for a terminal
	// without --no-color / NO_COLOR). Other formats ignore it.
	Color bool
	// IncludeSuppressed shows suppressed findings in text, JSON, Markdown and GitHub
	// annotations. SARIF always carries them, marked with suppressions.
	IncludeSuppressed bool
}

// Scan formats.
const (
	FormatText     = "text"
	FormatJSON     = "json"
	FormatSARIF    = "sarif"
	FormatMarkdown = "markdown" // a pull-request comment or step summary
	FormatGitHub   = "github"   // GitHub Actions workflow command annotations
)

// Formats lists the accepted values of scan's --format, default first.
func Formats() []string {
	return []string{FormatText, FormatJSON, FormatSARIF, FormatMarkdown, FormatGitHub}
}

// New returns the formatter for format, one of Formats().
func New(format string, opts Options) (Formatter, error) {
	switch format {
	case FormatText:
		return &textFormatter{opts: opts}, nil
	case FormatJSON:
		return &jsonFormatter{opts: opts}, nil
	case FormatSARIF:
		return &sarifFormatter{}, nil
	case FormatMarkdown:
		return &markdownFormatter{opts: opts}, nil
	case FormatGitHub:
		return &githubFormatter{opts: opts}, nil
	}
	return nil, fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats(), ", "))
}

// visibleFindings returns the findings a text or JSON report shows.
func visibleFindings(s *result.Scan, includeSuppressed bool) []result.Finding {
	if includeSuppressed {
		return s.Findings
	}
	out := make([]result.Finding, 0, len(s.Findings))
	for _, f := range s.Findings {
		if f.Suppression == nil {
			out = append(out, f)
		}
	}
	return out
}

// suppressedCount counts suppressed findings.
func suppressedCount(s *result.Scan) int {
	n := 0
	for _, f := range s.Findings {
		if f.Suppression != nil {
			n++
		}
	}
	return n
}

// toolInfo is the scan's tool, defaulting to rolecall at this build's version.
func toolInfo(s *result.Scan) result.Tool {
	t := s.Tool
	if t.Name == "" {
		t.Name = "rolecall"
	}
	if t.Version == "" {
		t.Version = version.Version
	}
	return t
}

// sortedRules returns a copy of rules sorted by ID.
func sortedRules(rules []result.Rule) []result.Rule {
	out := slices.Clone(rules)
	slices.SortStableFunc(out, func(a, b result.Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// errWriter remembers the first write error so that formatters can write line by line
// and check once; writes after an error are skipped.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func (e *errWriter) write(s string) {
	if e.err == nil {
		_, e.err = io.WriteString(e.w, s)
	}
}
