// Package analyzer runs the pipeline: load inputs into one inventory, build the rules' input
// document, evaluate the rules, and resolve their findings into a result.Scan.
package analyzer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load"
	"github.com/rolecall/rolecall/analyzer/policy"
	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/analyzer/suppress"
	"github.com/rolecall/rolecall/rules"
)

// Options configures one scan.
type Options struct {
	Paths []string
	Stdin io.Reader
	// StdinName names standard input in locations (--stdin-name); "" means "<stdin>".
	StdinName string
	// TerraformVars ("NAME=VALUE") and TerraformVarFiles are --var and --var-file.
	TerraformVars     []string
	TerraformVarFiles []string
	// Live are snapshots collected in memory (scan --live), scanned with the paths; their
	// findings carry live references instead of file positions.
	Live []load.LiveInput
	// Cluster assigns every manifest to this cluster (--cluster).
	Cluster string
	// Policies are extra rule directories (--policy).
	Policies []fs.FS
	// Disabled are rule ids or names not to report (--disable).
	Disabled []string
	// Accounts are the reviewer's own accounts (config), for cross-account rules.
	Accounts []string
	// Clusters are the clusters declared in configuration (issuer, authentication mode, and
	// which manifest files belong to each); see load.ClusterConfig.
	Clusters []load.ClusterConfig
	// Suppressions are the configuration's suppressions. Inline `# rolecall:ignore` comments
	// in YAML inputs are always honoured.
	Suppressions []suppress.Rule
	// Now decides which suppressions have expired; the zero value means the current time.
	// Tests set it so that results do not depend on the day they run.
	Now time.Time
	// DumpInput, when set, receives the Rego input document as JSON.
	DumpInput io.Writer
	Version   string
	// Engine, when set, is used instead of compiling the rules again (Policies is then ignored).
	Engine *policy.Engine
}

// NewEngine compiles the built-in rules (when a scan needs them) and any extra rule directories.
func NewEngine(ctx context.Context, extra []fs.FS) (*policy.Engine, error) {
	return policy.New(ctx, rules.FS, policy.CompileOnDemand(), policy.WithUserRules(extra...))
}

// Run scans opts.Paths. The error is for internal failures (a rule bug, an engine error);
// input problems are Diagnostics in the returned scan.
func Run(ctx context.Context, opts Options) (*result.Scan, error) {
	engine := opts.Engine
	if engine == nil {
		var err error
		if engine, err = NewEngine(ctx, opts.Policies); err != nil {
			return nil, err
		}
	}
	disabled, err := disabledSet(engine.Rules(), opts.Disabled)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{} // input bytes of the files with inline suppression comments
	inv, diags := load.Load(ctx, opts.Paths, load.Options{Stdin: opts.Stdin, StdinName: opts.StdinName,
		TerraformVars: opts.TerraformVars, TerraformVarFiles: opts.TerraformVarFiles, Cluster: opts.Cluster, Clusters: opts.Clusters,
		OnRead: func(name string, data []byte) {
			if suppress.HasMarkers(data) { // the rest need not stay in memory
				files[name] = data
			}
		}, Live: opts.Live})
	diags = append(diags, policyWarnings(inv)...)
	input, index := policy.Build(inv, policy.BuildOptions{Accounts: opts.Accounts})
	if opts.DumpInput != nil {
		enc := json.NewEncoder(opts.DumpInput)
		enc.SetIndent("", "  ")
		if err := enc.Encode(input); err != nil {
			return nil, fmt.Errorf("write input document: %w", err)
		}
	}
	raw, err := engine.Eval(ctx, input)
	if err != nil {
		return nil, err
	}
	scan := &result.Scan{
		Tool:        result.Tool{Name: "rolecall", Version: opts.Version},
		Diagnostics: diags,
		Summary:     result.Summary{Files: len(inv.Files), Roles: len(inv.Roles), ServiceAccounts: len(inv.ServiceAccounts)},
	}
	bySlug := map[string]result.Rule{}
	for _, r := range engine.Rules() {
		if !disabled[r.ID] {
			scan.Rules = append(scan.Rules, r)
			bySlug[r.Slug] = r
		}
	}
	for _, rf := range raw {
		rule, ok := bySlug[rf.Rule]
		if !ok {
			if _, known := findSlug(engine.Rules(), rf.Rule); known {
				continue // disabled
			}
			return nil, fmt.Errorf("rule %s: finding from a rule missing from the catalogue", rf.Rule)
		}
		f, err := resolve(rule, rf, index)
		if err != nil {
			return nil, err
		}
		scan.Findings = append(scan.Findings, f)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	scan.Diagnostics = append(scan.Diagnostics, suppress.Apply(scan.Findings, suppress.Options{
		Rules: engine.Rules(), Config: opts.Suppressions, Files: files, Now: now})...)
	SortFindings(scan.Findings)
	sortDiagnostics(scan.Diagnostics)
	return scan, nil
}

// policyWarnings reports trust-policy problems IAM may accept (a Resource element, a Sid with
// spaces, duplicate keys: semantics A1.2, A1.6) as input warnings; RC003 reports the rest.
func policyWarnings(inv *inventory.Inventory) []result.Diagnostic {
	var out []result.Diagnostic
	for _, r := range inv.Roles {
		if r.Trust == nil {
			continue
		}
		// warn positions a warning at pos in the trust policy, or at the role when the policy
		// has no file of its own.
		warn := func(pos iampolicy.Pos, msg string) {
			file, line, col := r.Trust.File, pos.Line, pos.Column
			if file == "" {
				file, line, col = r.Source.File, r.Source.Line, r.Source.Column
			}
			out = append(out, result.Diagnostic{Severity: result.DiagWarning, File: file, Line: line, Column: col,
				Message: "trust policy of " + r.ARN + ": " + msg})
		}
		for _, st := range r.Trust.Indeterminate {
			warn(st.Pos, fmt.Sprintf("statement %d depends on %s, known only after deployment; it is not evaluated and no finding rests on it",
				st.Index, strings.Join(st.Unknowns, ", ")))
		}
		for _, is := range r.Trust.Issues {
			if !iampolicy.IsWarningCode(is.Code) || is.Code == iampolicy.CodeDanglingUniqueID {
				continue // a deleted principal is RC011's finding
			}
			warn(is.Pos, is.Message)
		}
	}
	return out
}

func findSlug(rules []result.Rule, slug string) (result.Rule, bool) {
	for _, r := range rules {
		if r.Slug == slug {
			return r, true
		}
	}
	return result.Rule{}, false
}

func disabledSet(rules []result.Rule, names []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, n := range names {
		found := false
		for _, r := range rules {
			if strings.EqualFold(n, r.ID) || n == r.Name || n == r.Slug {
				out[r.ID] = true
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("--disable %s: no such rule id or name", n)
		}
	}
	return out, nil
}

// resolve joins a raw finding with its rule and turns cause ids into locations.
func resolve(rule result.Rule, rf policy.RawFinding, index policy.Index) (result.Finding, error) {
	f := result.Finding{
		RuleID: rule.ID, Rule: rule.Name, Severity: rule.Severity, Title: rule.Title,
		Message: rf.Msg, Target: rf.Target, Subject: rf.Subject, Remediation: rule.Remediation,
		Causes: slices.Clone(rf.Cause),
	}
	if ev, ok := index.Lookup(rf.Target); ok && ev.Resource != "" {
		f.Target = ev.Resource
	} else if !ok {
		return f, fmt.Errorf("rule %s: unknown target id %q", rule.Slug, rf.Target)
	}
	for _, id := range rf.Cause {
		loc, err := locate(rule, id, index)
		if err != nil {
			return f, err
		}
		f.Locations = append(f.Locations, loc)
	}
	for _, id := range rf.Path {
		loc, err := locate(rule, id, index)
		if err != nil {
			return f, err
		}
		f.Path = append(f.Path, loc)
	}
	f.Fingerprint = Fingerprint(rule.ID, rf.Target, rf.Subject, rf.Cause)
	return f, nil
}

func locate(rule result.Rule, id string, index policy.Index) (result.Location, error) {
	ev, ok := index.Lookup(id)
	if !ok {
		return result.Location{}, fmt.Errorf("rule %s: unknown cause id %q", rule.Slug, id)
	}
	return locationOf(id, ev), nil
}

// locationOf is where element id is, as findings and diffs show it.
func locationOf(id string, ev policy.Evidence) result.Location {
	return result.Location{File: ev.Source.File, Line: ev.Source.Line, Column: ev.Source.Column,
		Ref: id, Resource: ev.Resource, Origin: ev.Source.Ref}
}

// Fingerprint is a stable hash of rule, target, subject and the sorted cause ids: it survives
// line shifts and unrelated edits, and is what suppressions and SARIF partialFingerprints use.
func Fingerprint(ruleID, target, subject string, causes []string) string {
	c := slices.Clone(causes)
	sort.Strings(c)
	h := sha256.New()
	for _, s := range append([]string{ruleID, target, subject}, c...) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SortFindings orders by severity (highest first), rule id, target, subject, first location.
func SortFindings(fs []result.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
		}
		la, lb := a.Primary(), b.Primary()
		if la.File != lb.File {
			return la.File < lb.File
		}
		if la.Line != lb.Line {
			return la.Line < lb.Line
		}
		if la.Column != lb.Column {
			return la.Column < lb.Column
		}
		return a.Fingerprint < b.Fingerprint
	})
}

func sortDiagnostics(ds []result.Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}
