package report

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/rolecall/rolecall/analyzer/result"
)

// JSONVersion is the "version" of the scan JSON document; bump it on any incompatible change.
const JSONVersion = 1

// jsonFormatter writes the document specified in docs/cli.md ("JSON output of scan").
// Fields beyond the contract (subject, locations, path, summary.suppressed) are additive.
type jsonFormatter struct{ opts Options }

type jsonScan struct {
	Version     int              `json:"version"`
	Tool        result.Tool      `json:"tool"`
	Findings    []jsonFinding    `json:"findings"`
	Diagnostics []jsonDiagnostic `json:"diagnostics"`
	Summary     jsonSummary      `json:"summary"`
}

type jsonFinding struct {
	RuleID      string              `json:"rule_id"`
	Rule        string              `json:"rule"`
	Severity    result.Severity     `json:"severity"`
	Title       string              `json:"title"`
	Message     string              `json:"message"`
	Resource    string              `json:"resource"`
	Subject     string              `json:"subject,omitempty"`
	Location    result.Location     `json:"location"`
	Locations   []result.Location   `json:"locations"`
	Path        []result.Location   `json:"path,omitempty"`
	Remediation string              `json:"remediation"`
	Fingerprint string              `json:"fingerprint"`
	Suppressed  *result.Suppression `json:"suppressed,omitempty"`
}

type jsonDiagnostic struct {
	Severity string `json:"severity"`
	Path     string `json:"path,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Message  string `json:"message"`
}

type jsonSummary struct {
	Critical        int `json:"critical"`
	High            int `json:"high"`
	Medium          int `json:"medium"`
	Low             int `json:"low"`
	Info            int `json:"info"`
	Suppressed      int `json:"suppressed"`
	Files           int `json:"files"`
	Roles           int `json:"roles"`
	ServiceAccounts int `json:"service_accounts"`
	// Baselined is present only when a --baseline report left findings out.
	Baselined int `json:"baselined,omitempty"`
}

func (j *jsonFormatter) Format(w io.Writer, s *result.Scan) error {
	doc := jsonScan{
		Version:     JSONVersion,
		Tool:        toolInfo(s),
		Findings:    []jsonFinding{},
		Diagnostics: []jsonDiagnostic{},
	}
	for _, f := range visibleFindings(s, j.opts.IncludeSuppressed) {
		locs := f.Locations
		if locs == nil {
			locs = []result.Location{}
		}
		doc.Findings = append(doc.Findings, jsonFinding{
			RuleID:      f.RuleID,
			Rule:        f.Rule,
			Severity:    f.Severity,
			Title:       f.Title,
			Message:     f.Message,
			Resource:    f.Target,
			Subject:     f.Subject,
			Location:    f.Primary(),
			Locations:   locs,
			Path:        f.Path,
			Remediation: f.Remediation,
			Fingerprint: f.Fingerprint,
			Suppressed:  f.Suppression,
		})
	}
	for _, d := range s.Diagnostics {
		doc.Diagnostics = append(doc.Diagnostics, jsonDiagnostic{
			Severity: d.Severity, Path: d.File, Line: d.Line, Column: d.Column, Message: d.Message,
		})
	}
	counts := s.CountBySeverity()
	doc.Summary = jsonSummary{
		Critical:        counts[result.Critical],
		High:            counts[result.High],
		Medium:          counts[result.Medium],
		Low:             counts[result.Low],
		Info:            counts[result.Info],
		Suppressed:      suppressedCount(s),
		Files:           s.Summary.Files,
		Roles:           s.Summary.Roles,
		ServiceAccounts: s.Summary.ServiceAccounts,
		Baselined:       s.Summary.Baselined,
	}
	return writeJSON(w, doc)
}

// writeJSON encodes v indented by two spaces, without HTML escaping, with a trailing newline.
// It encodes into a buffer first so that an encoding error writes nothing.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
