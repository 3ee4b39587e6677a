// Package suppress applies suppressions to findings: those declared in configuration (by rule
// and resource, path or fingerprint, each with a mandatory reason and an optional expiry date)
// and inline `# rolecall:ignore RULE reason` comments in the YAML inputs themselves.
package suppress

import (
	"fmt"
	"strings"
	"time"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/result"
)

// Rule is one suppression from configuration. A finding matches when every field that is set
// matches; Reason is mandatory (the configuration loader refuses a rule without one).
type Rule struct {
	// Rule is a rule id (any case) or name; "" matches any rule (then Fingerprint is set).
	Rule string
	// Resource is matched against the finding's resource (an ARN or Kubernetes object
	// reference) like IAM's StringLike: * is any run of characters, / and : included; ? is one.
	Resource string
	// Path is matched with MatchPath against the file of the finding's primary location,
	// taken relative to Base (the configuration's folder; "" leaves the name as reported).
	Path string
	Base string
	// Fingerprint is a finding's exact fingerprint.
	Fingerprint string
	Reason      string
	Owner       string
	// Expires is the last day (UTC) the suppression applies; zero never expires.
	Expires time.Time
	// File, Line and Column say where the suppression is written, for diagnostics.
	File         string
	Line, Column int
}

// Options configure Apply.
type Options struct {
	// Rules is the rule catalogue, against which inline comments' rule references are checked.
	Rules []result.Rule
	// Config are the suppressions from configuration, in the order written (the first match wins).
	Config []Rule
	// Files holds the bytes of input files by reported name; YAML and Terraform files among
	// them are searched for inline rolecall:ignore comments. Files without (see HasMarkers)
	// may be left out.
	Files map[string][]byte
	// Now decides which suppressions have expired.
	Now time.Time
}

// Apply marks suppressed findings (Suppression set; already suppressed findings are left
// alone) and returns warnings: expired suppressions, and inline comments that suppress nothing
// because they lack a rule or a reason or name an unknown rule. Configuration suppressions are
// tried first, then inline comments.
func Apply(findings []result.Finding, opts Options) []result.Diagnostic {
	var diags []result.Diagnostic
	today := opts.Now.UTC().Format(time.DateOnly)
	expired := make([]int, len(opts.Config)) // findings each expired rule would have suppressed
	for i := range findings {
		f := &findings[i]
		if f.Suppression != nil {
			continue
		}
		for j, r := range opts.Config {
			if !r.matches(f) {
				continue
			}
			if r.expired(today) {
				expired[j]++
				continue
			}
			f.Suppression = &result.Suppression{Reason: r.Reason, By: "config"}
			break
		}
	}
	for j, r := range opts.Config {
		if r.expired(today) {
			diags = append(diags, r.expiredDiagnostic(expired[j]))
		}
	}

	inl := newInline(opts.Rules, opts.Files)
	for i := range findings {
		f := &findings[i]
		if f.Suppression != nil {
			continue
		}
		loc := f.Primary()
		if loc.File == "" || loc.Line == 0 {
			continue
		}
		if m := inl.find(f, loc); m != nil {
			f.Suppression = &result.Suppression{Reason: m.reason, By: "inline"}
		}
	}
	return append(diags, inl.diags...)
}

func (r Rule) expired(today string) bool {
	return !r.Expires.IsZero() && r.Expires.Format(time.DateOnly) < today
}

func (r Rule) expiredDiagnostic(matched int) result.Diagnostic {
	what := "suppression"
	if r.Rule != "" {
		what += " of " + r.Rule
	}
	if r.Owner != "" {
		what += " (owner " + r.Owner + ")"
	}
	msg := fmt.Sprintf("%s expired on %s and no longer suppresses anything", what, r.Expires.Format(time.DateOnly))
	switch matched {
	case 0:
		msg += "; it matches no finding now: remove it"
	case 1:
		msg += "; the 1 finding it matches is reported again: fix it, or renew the suppression with a new expires date and reason"
	default:
		msg += fmt.Sprintf("; the %d findings it matches are reported again: fix them, or renew the suppression with a new expires date and reason", matched)
	}
	return result.Diagnostic{Severity: result.DiagWarning, File: r.File, Line: r.Line, Column: r.Column, Message: msg}
}

// matches reports whether every criterion of r that is set holds for f.
func (r Rule) matches(f *result.Finding) bool {
	if r.Rule != "" && !RefersTo(r.Rule, f.RuleID, f.Rule) {
		return false
	}
	if r.Fingerprint != "" && r.Fingerprint != f.Fingerprint {
		return false
	}
	if r.Resource != "" && !MatchResource(r.Resource, f.Target) {
		return false
	}
	if r.Path != "" && !MatchPath(r.Path, RelativeTo(r.Base, f.Primary().File)) {
		return false
	}
	return true
}

// RefersTo reports whether a rule reference (an id, in any case, or a name) names the rule.
func RefersTo(ref, id, name string) bool { return strings.EqualFold(ref, id) || ref == name }

// MatchResource matches a resource (ARN or Kubernetes object reference) against a pattern in
// which * is any run of characters (/ and : included) and ? is one character, as IAM's
// StringLike does.
func MatchResource(pattern, resource string) bool {
	return pattern == resource || iampolicy.MatchLike(pattern, resource)
}
