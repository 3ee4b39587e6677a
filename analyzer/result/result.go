// Package result holds what a scan produces — rules, findings, diagnostics — in the form formatters consume.
package result

import (
	"fmt"
	"strings"
)

// Severity is ordered: Info < Low < Medium < High < Critical.
type Severity int

// Severities, lowest first. SeverityNone sits above Critical so `--fail-on none` never fails.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
	SeverityNone
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical", "none"}

// Severities lists the finding severities from highest to lowest.
func Severities() []Severity { return []Severity{Critical, High, Medium, Low, Info} }

// FailOnValues lists the accepted values of --fail-on.
func FailOnValues() []string {
	return []string{"critical", "high", "medium", "low", "info", "none"}
}

func (s Severity) String() string {
	if s < Info || s > SeverityNone {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity accepts a severity name in any case.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(severityNames[:], ", "))
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Rule is one entry of the rule catalogue, read from a rule's # METADATA.
type Rule struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Slug        string   `json:"slug"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Remediation string   `json:"remediation"`
	Severity    Severity `json:"severity"`
	HelpURI     string   `json:"help_uri,omitempty"`
	References  []string `json:"references,omitempty"`
	Tags        []string `json:"tags,omitempty"`
}

// Location points at the evidence of a finding: a file position, or a live reference.
type Location struct {
	File   string `json:"path,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	// Ref is the element ID, or the ARN / Kubernetes object for live data.
	Ref string `json:"ref,omitempty"`
	// Resource names the AWS or Kubernetes resource (ARN or kind/ns/name) the location belongs to.
	Resource string `json:"resource,omitempty"`
	// Origin is, for data read live (scan --live, or a snapshot from collect), the API and the
	// resource it was read from: "iam:GetAccountAuthorizationDetails arn:aws:iam::1:role/app".
	Origin string `json:"origin,omitempty"`
}

// String renders file:line:col, or where live data came from, or the reference, when there
// is no file.
func (l Location) String() string {
	if l.File == "" {
		if l.Origin != "" {
			return l.Origin
		}
		return l.Ref
	}
	if l.Line == 0 {
		return l.File
	}
	return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Column)
}

// Suppression records why a finding was suppressed.
type Suppression struct {
	Reason string `json:"reason"`
	By     string `json:"by"` // "config" or "inline"
}

// Finding is one rule violation, resolved to locations.
type Finding struct {
	RuleID      string       `json:"rule_id"`
	Rule        string       `json:"rule"`
	Severity    Severity     `json:"severity"`
	Title       string       `json:"title"`
	Message     string       `json:"message"`
	Target      string       `json:"resource"`
	Subject     string       `json:"subject,omitempty"`
	Path        []Location   `json:"path,omitempty"`
	Locations   []Location   `json:"locations"`
	Remediation string       `json:"remediation"`
	Suppression *Suppression `json:"suppressed,omitempty"`
	Fingerprint string       `json:"fingerprint"`
	// Causes are the evidence IDs the rule cited; the fingerprint hashes them.
	Causes []string `json:"-"`
}

// Primary is the location the finding is reported at.
func (f Finding) Primary() Location {
	if len(f.Locations) == 0 {
		return Location{Ref: f.Target}
	}
	return f.Locations[0]
}

// Diagnostic is a problem with an input (or a warning about it), positioned where possible.
type Diagnostic struct {
	Severity string `json:"severity"` // "error" or "warning"
	File     string `json:"path,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Message  string `json:"message"`
}

// Diagnostic severities.
const (
	DiagError   = "error"
	DiagWarning = "warning"
)

// Error prints file:line:col: message, clickable in terminals and editors.
func (d Diagnostic) Error() string {
	switch {
	case d.File == "":
		return d.Message
	case d.Line == 0:
		return fmt.Sprintf("%s: %s", d.File, d.Message)
	case d.Column == 0:
		return fmt.Sprintf("%s:%d: %s", d.File, d.Line, d.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Column, d.Message)
}

// Tool identifies the program that produced a scan.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Summary counts what was scanned.
type Summary struct {
	Files           int `json:"files"`
	Roles           int `json:"roles"`
	ServiceAccounts int `json:"service_accounts"`
	// Baselined counts findings left out because their fingerprint is in the --baseline report.
	Baselined int `json:"baselined,omitempty"`
}

// Scan is the complete result of one run.
type Scan struct {
	Tool        Tool
	Rules       []Rule
	Findings    []Finding
	Diagnostics []Diagnostic
	Summary     Summary
}

// MaxUnsuppressedSeverity is the highest severity among unsuppressed findings; ok is false when there are none.
func (s *Scan) MaxUnsuppressedSeverity() (sev Severity, ok bool) {
	for _, f := range s.Findings {
		if f.Suppression != nil {
			continue
		}
		if !ok || f.Severity > sev {
			sev, ok = f.Severity, true
		}
	}
	return sev, ok
}

// HasInputErrors reports whether any input could not be read or parsed.
func (s *Scan) HasInputErrors() bool {
	for _, d := range s.Diagnostics {
		if d.Severity == DiagError {
			return true
		}
	}
	return false
}

// FailsAt reports whether an unsuppressed finding is at or above threshold.
func (s *Scan) FailsAt(threshold Severity) bool {
	sev, ok := s.MaxUnsuppressedSeverity()
	return ok && threshold != SeverityNone && sev >= threshold
}

// CountBySeverity counts unsuppressed findings per severity.
func (s *Scan) CountBySeverity() map[Severity]int {
	m := map[Severity]int{}
	for _, f := range s.Findings {
		if f.Suppression == nil {
			m[f.Severity]++
		}
	}
	return m
}
