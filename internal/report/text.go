package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/rolecall/rolecall/analyzer/result"
)

// textFormatter writes one block per finding and a summary line:
//
//	HIGH      RC101  IRSA trust policy does not restrict the service account
//	  any service account in cluster prod can assume role/app: …
//	  at aws/roles.json:12:9
//	  fix: add StringEquals on …:sub
//
//	1 finding (1 high) in 12 roles
type textFormatter struct{ opts Options }

// ANSI SGR sequences; used only when Options.Color is set.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiBlue   = "\x1b[34m"
)

var severityColor = map[result.Severity]string{
	result.Critical: ansiBold + ansiRed,
	result.High:     ansiRed,
	result.Medium:   ansiYellow,
	result.Low:      ansiCyan,
	result.Info:     ansiBlue,
}

// severityWidth is the width of the longest severity label, CRITICAL.
const severityWidth = len("CRITICAL")

func (t *textFormatter) paint(code, s string) string {
	if !t.opts.Color || code == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *textFormatter) Format(w io.Writer, s *result.Scan) error {
	ew := &errWriter{w: w}
	for _, f := range visibleFindings(s, t.opts.IncludeSuppressed) {
		t.finding(ew, f)
		ew.write("\n")
	}
	ew.write(t.paint(ansiBold, summaryLine(s)) + "\n")
	return ew.err
}

func (t *textFormatter) finding(ew *errWriter, f result.Finding) {
	sev := fmt.Sprintf("%-*s", severityWidth, strings.ToUpper(f.Severity.String()))
	head := t.paint(severityColor[f.Severity], sev) + "  " + t.paint(ansiBold, f.RuleID) + "  " + f.Title
	if f.Suppression != nil {
		head += "  " + t.paint(ansiDim, "[suppressed]")
	}
	ew.write(head + "\n")
	ew.write(indent(f.Message, "  ") + "\n")
	at := f.Primary()
	ew.write("  at " + at.String())
	if at.File != "" && at.Origin != "" {
		ew.write(" (read from " + at.Origin + ")")
	}
	ew.write("\n")
	for _, l := range f.Locations[min(1, len(f.Locations)):] {
		ew.write("  also at " + l.String() + "\n")
	}
	if len(f.Path) > 0 {
		ew.write("  path:\n")
		for i, hop := range f.Path {
			ew.printf("    %d. %s\n", i+1, hopString(hop))
		}
	}
	if f.Remediation != "" {
		ew.write(indent("fix: "+f.Remediation, "  ") + "\n")
	}
	if sp := f.Suppression; sp != nil {
		ew.write(t.paint(ansiDim, indent(fmt.Sprintf("suppressed (%s): %s", sp.By, sp.Reason), "  ")) + "\n")
	}
}

// hopString renders one step of a finding's path: the element reference, then its position.
func hopString(l result.Location) string {
	switch {
	case l.Ref != "" && l.File != "":
		return l.Ref + " (" + l.String() + ")"
	case l.Ref != "":
		return l.Ref
	}
	return l.String()
}

// indent prefixes every line of s with prefix.
func indent(s, prefix string) string {
	s = strings.TrimRight(s, "\n")
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// summaryLine is e.g. "3 findings (1 critical, 2 high) in 14 roles; 1 suppressed".
// Counts are of unsuppressed findings; input problems are appended when there are any.
func summaryLine(s *result.Scan) string {
	counts := s.CountBySeverity()
	total := 0
	var parts []string
	for _, sev := range result.Severities() {
		if n := counts[sev]; n > 0 {
			total += n
			parts = append(parts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	var b strings.Builder
	if total == 0 {
		b.WriteString("no findings")
	} else {
		fmt.Fprintf(&b, "%s (%s)", plural(total, "finding"), strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, " in %s", plural(s.Summary.Roles, "role"))
	if n := suppressedCount(s); n > 0 {
		fmt.Fprintf(&b, "; %d suppressed", n)
	}
	if n := s.Summary.Baselined; n > 0 {
		fmt.Fprintf(&b, "; %d baselined", n)
	}
	var errs, warns int
	for _, d := range s.Diagnostics {
		if d.Severity == result.DiagError {
			errs++
		} else {
			warns++
		}
	}
	if errs > 0 {
		fmt.Fprintf(&b, "; %s", plural(errs, "input error"))
	}
	if warns > 0 {
		fmt.Fprintf(&b, "; %s", plural(warns, "input warning"))
	}
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
