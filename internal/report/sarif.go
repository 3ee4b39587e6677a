package report

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/version"
)

// InformationURI is the tool's home page, SARIF's tool.driver.informationUri.
const InformationURI = "https://github.com/rolecall/rolecall"

// FingerprintKey names rolecall's fingerprint in SARIF partialFingerprints; bump the suffix
// whenever the fingerprint recipe changes, so that code scanning does not match old alerts.
const FingerprintKey = "rolecall/v1"

// sarifFormatter writes SARIF 2.1.0 as docs/style.md §5 describes. Suppressed findings are
// always included, carrying suppressions; Options do not apply.
type sarifFormatter struct{}

func (sarifFormatter) Format(w io.Writer, s *result.Scan) error {
	rep, err := SARIF(s)
	if err != nil {
		return err
	}
	// Not rep.PrettyWrite: it HTML-escapes <, > and & (valid, but unreadable in messages) and
	// ends without a newline. The report holds no artifacts, so its dedupe step has nothing to do.
	return writeJSON(w, rep)
}

// sarifLevel maps a severity to a SARIF level (rule default and result).
func sarifLevel(sev result.Severity) string {
	switch {
	case sev >= result.High:
		return sarif.LevelError
	case sev == result.Medium:
		return sarif.LevelWarning
	}
	return sarif.LevelNote
}

// securitySeverity is GitHub code scanning's properties.security-severity, "" for info.
func securitySeverity(sev result.Severity) string {
	switch sev {
	case result.Critical:
		return "9.5"
	case result.High:
		return "8.0"
	case result.Medium:
		return "5.5"
	case result.Low:
		return "2.0"
	}
	return ""
}

// SARIF builds the SARIF report of a scan: one run whose driver lists every catalogue rule
// (plus any rule a finding names that the catalogue lacks), sorted by ID, then one result per
// finding in scan order, and the diagnostics as tool execution notifications.
func SARIF(s *result.Scan) (*sarif.Report, error) {
	tool := toolInfo(s)
	run := sarif.NewRunWithInformationURI(tool.Name, InformationURI)
	run.Tool.Driver.WithVersion(version.Trim(tool.Version))

	rules := sarifRules(s)
	index := make(map[string]int, len(rules))
	for i, r := range rules {
		index[r.ID] = i
		run.Tool.Driver.AddRule(sarifRule(r))
	}

	for _, f := range s.Findings {
		i, ok := index[f.RuleID]
		if !ok { // sarifRules added every finding's rule
			return nil, fmt.Errorf("sarif: finding of unknown rule %q", f.RuleID)
		}
		run.AddResult(sarifResult(f, i))
	}

	inv := sarif.NewInvocation().WithExecutionSuccessful(!s.HasInputErrors())
	for _, d := range s.Diagnostics {
		inv.AddToolExecutionNotification(sarifNotification(d))
	}
	run.AddInvocation(inv)

	return sarif.NewReport().AddRun(run), nil
}

// sarifRules returns the catalogue sorted by ID, with a minimal entry (from the finding) for
// any rule a finding names that the catalogue does not hold, so that every result has a ruleIndex.
func sarifRules(s *result.Scan) []result.Rule {
	rules := sortedRules(s.Rules)
	known := make(map[string]bool, len(rules))
	for _, r := range rules {
		known[r.ID] = true
	}
	added := false
	for _, f := range s.Findings {
		if known[f.RuleID] {
			continue
		}
		known[f.RuleID] = true
		added = true
		rules = append(rules, result.Rule{
			ID: f.RuleID, Name: f.Rule, Title: f.Title, Remediation: f.Remediation, Severity: f.Severity,
		})
	}
	if added {
		rules = sortedRules(rules)
	}
	return rules
}

func sarifRule(r result.Rule) *sarif.ReportingDescriptor {
	d := sarif.NewRule(r.ID)
	if n := cmpOr(r.Name, r.Slug); n != "" {
		d.WithName(n)
	}
	if r.Title != "" {
		d.WithShortDescription(sarif.NewMultiformatMessageString().WithText(r.Title))
	}
	if r.Description != "" {
		d.WithFullDescription(sarif.NewMultiformatMessageString().WithText(r.Description))
	}
	if text, md := ruleHelp(r); text != "" {
		d.WithHelp(sarif.NewMultiformatMessageString().WithText(text).WithMarkdown(md))
	}
	if r.HelpURI != "" {
		d.WithHelpURI(r.HelpURI)
	}
	d.WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(r.Severity)))

	tags := []string{"security"}
	for _, t := range r.Tags {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	props := sarif.NewPropertyBag().WithTags(tags)
	if ss := securitySeverity(r.Severity); ss != "" {
		props.Add("security-severity", ss)
	}
	d.WithProperties(props)
	return d
}

// ruleHelp is the rule's help as plain text and Markdown: description, remediation, references.
func ruleHelp(r result.Rule) (text, markdown string) {
	var t, m []string
	if r.Description != "" {
		t = append(t, r.Description)
		m = append(m, r.Description)
	}
	if r.Remediation != "" {
		t = append(t, "Remediation: "+r.Remediation)
		m = append(m, "**Remediation:** "+r.Remediation)
	}
	if len(r.References) > 0 {
		t = append(t, "References:\n"+strings.Join(r.References, "\n"))
		refs := make([]string, len(r.References))
		for i, ref := range r.References {
			refs[i] = "- " + ref
		}
		m = append(m, "**References:**\n\n"+strings.Join(refs, "\n"))
	}
	return strings.Join(t, "\n\n"), strings.Join(m, "\n\n")
}

func sarifResult(f result.Finding, ruleIndex int) *sarif.Result {
	res := sarif.NewRuleResult(f.RuleID).
		WithRuleIndex(ruleIndex).
		WithLevel(sarifLevel(f.Severity)). // a fresh result says "warning"
		WithMessage(sarif.NewTextMessage(f.Message)).
		WithPartialFingerprints(map[string]string{FingerprintKey: f.Fingerprint})

	primary := f.Primary()
	fqn := cmpOr(primary.Resource, f.Target, primary.Ref)
	pl := physicalLocation(primary)
	if pl == nil {
		pl = livePhysicalLocation(fqn, f.RuleID)
	}
	loc := sarif.NewLocation().
		WithPhysicalLocation(pl).
		AddLogicalLocation(sarif.NewLogicalLocation().WithFullyQualifiedName(fqn).WithKind("resource"))
	if primary.Origin != "" {
		loc.WithMessage(sarif.NewTextMessage("read from " + primary.Origin))
	}
	res.AddLocation(loc)

	id := 0
	related := func(l result.Location, msg string) {
		id++
		rl := sarif.NewLocation().WithID(id).WithMessage(sarif.NewTextMessage(msg))
		if pl := physicalLocation(l); pl != nil {
			rl.WithPhysicalLocation(pl)
		}
		if fqn := cmpOr(l.Resource, l.Ref); fqn != "" {
			rl.AddLogicalLocation(sarif.NewLogicalLocation().WithFullyQualifiedName(fqn).WithKind("resource"))
		}
		res.AddRelatedLocation(rl)
	}
	for _, l := range f.Locations[min(1, len(f.Locations)):] {
		related(l, "evidence: "+cmpOr(l.Ref, l.String()))
	}
	for i, hop := range f.Path {
		related(hop, fmt.Sprintf("path step %d of %d: %s", i+1, len(f.Path), cmpOr(hop.Ref, hop.String())))
	}

	if sp := f.Suppression; sp != nil {
		kind := "external" // config file
		if sp.By == "inline" {
			kind = "inSource" // a comment in the scanned input itself
		}
		res.AddSuppression(sarif.NewSuppression().WithKind(kind).WithJustification(sp.Reason))
	}
	return res
}

func sarifNotification(d result.Diagnostic) *sarif.Notification {
	level := sarif.LevelWarning
	if d.Severity == result.DiagError {
		level = sarif.LevelError
	}
	n := sarif.NewNotification().WithLevel(level).WithMessage(sarif.NewTextMessage(d.Message))
	if pl := physicalLocation(result.Location{File: d.File, Line: d.Line, Column: d.Column}); pl != nil {
		n.AddLocation(sarif.NewLocation().WithPhysicalLocation(pl))
	}
	return n
}

// physicalLocation is the file position of l, nil when l has no file (live data).
func physicalLocation(l result.Location) *sarif.PhysicalLocation {
	if l.File == "" {
		return nil
	}
	pl := sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(artifactURI(l.File)))
	if l.Line > 0 {
		reg := sarif.NewRegion().WithStartLine(l.Line)
		if l.Column > 0 {
			reg.WithStartColumn(l.Column)
		}
		pl.WithRegion(reg)
	}
	return pl
}

// livePhysicalLocation stands in for the file of evidence read live (no file): GitHub code
// scanning rejects a whole upload when one result's location lacks
// physicalLocation.artifactLocation.uri ("locationFromSarifResult: expected artifact location"),
// although the SARIF multitool accepts a logical location alone. The stand-in is a stable
// repository-relative pseudo-path named after the resource, e.g. arn:aws:iam::1:role/app becomes
// live/aws/iam/1/role/app, at line 1 (as trivy does for image findings); the logical location
// beside it keeps the real name.
func livePhysicalLocation(resource, ruleID string) *sarif.PhysicalLocation {
	return sarif.NewPhysicalLocation().
		WithArtifactLocation(sarif.NewSimpleArtifactLocation(liveURI(resource, ruleID))).
		WithRegion(sarif.NewRegion().WithStartLine(1))
}

// liveURI is the pseudo-path of a live resource: "live/" and the name split at ':' and '/',
// without an "arn" prefix, empty, "." or ".." segments (so no URI scheme and no path escape),
// percent-encoded. A finding with no resource name at all falls back to its rule ID.
func liveURI(resource, ruleID string) string {
	segs := []string{"live"}
	for _, s := range strings.FieldsFunc(strings.TrimPrefix(resource, "arn:"), func(r rune) bool { return r == ':' || r == '/' }) {
		if s != "." && s != ".." {
			segs = append(segs, s)
		}
	}
	if len(segs) == 1 {
		segs = append(segs, cmpOr(ruleID, "unknown"))
	}
	return (&url.URL{Path: strings.Join(segs, "/")}).EscapedPath()
}

// artifactURI turns a file path into a SARIF artifact URI: relative paths stay relative with
// forward slashes (code scanning resolves them against the checkout), absolute ones become
// file URIs; characters outside URI syntax are percent-encoded.
func artifactURI(path string) string {
	p := filepath.ToSlash(filepath.Clean(path))
	if filepath.IsAbs(path) {
		if !strings.HasPrefix(p, "/") { // Windows drive letter
			p = "/" + p
		}
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	p = strings.TrimPrefix(p, "./")
	u := (&url.URL{Path: p}).EscapedPath()
	if first, _, _ := strings.Cut(u, "/"); strings.Contains(first, ":") {
		u = "./" + u // "a:b.json" would otherwise read as a URI with scheme "a"
	}
	return u
}

// cmpOr returns the first non-empty string.
func cmpOr(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
