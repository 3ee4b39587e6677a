package cli

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/rolecall/rolecall/analyzer"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/result"
)

// configFileName is looked up from the first scanned path upward when --config is not given.
const configFileName = ".rolecall.yaml"

// config is .rolecall.yaml.
type config struct {
	// Accounts are the reviewer's own AWS accounts (for cross-account rules).
	Accounts []string `json:"accounts"`
	// Disable lists rule ids or names not to report.
	Disable []string `json:"disable"`
	// Severity overrides a rule's default severity: {RC104: info}.
	Severity map[string]string `json:"severity"`
	// Suppressions mark matching findings as suppressed; every one needs a reason.
	Suppressions []suppression `json:"suppressions"`

	file string // where the config was read from, for messages
}

// suppression matches findings by rule and, optionally, resource, file and fingerprint.
type suppression struct {
	Rule        string `json:"rule"`        // id or name; required
	Resource    string `json:"resource"`    // exact ARN / object, or a path.Match glob
	Path        string `json:"path"`        // file of the primary location, path.Match glob
	Fingerprint string `json:"fingerprint"` // exact fingerprint
	Reason      string `json:"reason"`      // required
}

func loadConfig(file string, paths []string) (*config, error) {
	if file == "" {
		file = findConfig(paths)
		if file == "" {
			return &config{}, nil
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	var cfg config
	if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var errs []error
	for _, a := range cfg.Accounts {
		if !iampolicy.IsAccountID(a) {
			errs = append(errs, fmt.Errorf("%s: accounts: %q is not a 12-digit AWS account id (quote it to keep leading zeros)", file, a))
		}
	}
	for i, s := range cfg.Suppressions {
		if s.Rule == "" {
			errs = append(errs, fmt.Errorf("%s: suppressions[%d]: rule is required (an id like RC104 or a name)", file, i))
		}
		if s.Reason == "" {
			errs = append(errs, fmt.Errorf("%s: suppressions[%d]: reason is required: say why this finding is accepted", file, i))
		}
	}
	for id, sev := range cfg.Severity {
		switch s, err := result.ParseSeverity(sev); {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: severity.%s: %w", file, id, err))
		case s == result.SeverityNone:
			// "none" is a --fail-on threshold, not a severity; it would rank above critical.
			errs = append(errs, fmt.Errorf("%s: severity.%s: none is not a severity; list the rule under disable to turn it off", file, id))
		}
	}
	cfg.file = file
	return &cfg, errors.Join(errs...)
}

// refersTo reports whether a config rule reference (an id, any case, or a name) names the rule.
func refersTo(ref, id, name string) bool { return strings.EqualFold(ref, id) || ref == name }

// validate checks that every rule the config names exists in the catalogue, so a typo does not
// silently leave a finding unsuppressed or a severity unchanged, and that no rule has two
// severity overrides (which one won would depend on map order).
func (c *config) validate(rules []result.Rule) error {
	find := func(ref string) (result.Rule, bool) {
		for _, r := range rules {
			if refersTo(ref, r.ID, r.Name) {
				return r, true
			}
		}
		return result.Rule{}, false
	}
	var errs []error
	overridden := map[string]string{}
	refs := make([]string, 0, len(c.Severity))
	for ref := range c.Severity {
		refs = append(refs, ref)
	}
	sort.Strings(refs)
	for _, ref := range refs {
		r, ok := find(ref)
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%s: severity.%s: no such rule id or name", c.file, ref))
		case overridden[r.ID] != "":
			errs = append(errs, fmt.Errorf("%s: severity: %s and %s both override rule %s", c.file, overridden[r.ID], ref, r.ID))
		default:
			overridden[r.ID] = ref
		}
	}
	for i, ref := range c.Disable {
		if _, ok := find(ref); !ok && !anySlug(rules, ref) {
			errs = append(errs, fmt.Errorf("%s: disable[%d]: %s: no such rule id or name", c.file, i, ref))
		}
	}
	for i, s := range c.Suppressions {
		if _, ok := find(s.Rule); s.Rule != "" && !ok {
			errs = append(errs, fmt.Errorf("%s: suppressions[%d]: rule %s: no such rule id or name", c.file, i, s.Rule))
		}
	}
	return errors.Join(errs...)
}

// findConfig looks for .rolecall.yaml in the first path's directory and its parents.
func findConfig(paths []string) string {
	if len(paths) == 0 || paths[0] == "-" {
		return ""
	}
	dir, err := filepath.Abs(paths[0])
	if err != nil {
		return ""
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		dir = filepath.Dir(dir)
	}
	for {
		p := filepath.Join(dir, configFileName)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// anySlug: --disable (and so config disable) also accepts a rule's package slug.
func anySlug(rules []result.Rule, ref string) bool {
	for _, r := range rules {
		if r.Slug == ref {
			return true
		}
	}
	return false
}

// apply overrides severities and marks suppressed findings, then sorts the findings again
// (the order starts with severity).
func (c *config) apply(scan *result.Scan) error {
	defer analyzer.SortFindings(scan.Findings)
	for i := range scan.Findings {
		f := &scan.Findings[i]
		for id, sev := range c.Severity {
			if refersTo(id, f.RuleID, f.Rule) {
				f.Severity, _ = result.ParseSeverity(sev)
			}
		}
		for _, s := range c.Suppressions {
			if s.matches(f) {
				f.Suppression = &result.Suppression{Reason: s.Reason, By: "config"}
				break
			}
		}
	}
	return nil
}

func (s suppression) matches(f *result.Finding) bool {
	if !refersTo(s.Rule, f.RuleID, f.Rule) {
		return false
	}
	if s.Fingerprint != "" && s.Fingerprint != f.Fingerprint {
		return false
	}
	if s.Resource != "" && !glob(s.Resource, f.Target) {
		return false
	}
	if s.Path != "" && !glob(s.Path, f.Primary().File) {
		return false
	}
	return true
}

func glob(pattern, s string) bool {
	if pattern == s {
		return true
	}
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}
