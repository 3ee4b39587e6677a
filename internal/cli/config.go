package cli

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"sigs.k8s.io/yaml"

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
	for i, s := range cfg.Suppressions {
		if s.Rule == "" {
			errs = append(errs, fmt.Errorf("%s: suppressions[%d]: rule is required (an id like RC104 or a name)", file, i))
		}
		if s.Reason == "" {
			errs = append(errs, fmt.Errorf("%s: suppressions[%d]: reason is required: say why this finding is accepted", file, i))
		}
	}
	for id, sev := range cfg.Severity {
		if _, err := result.ParseSeverity(sev); err != nil {
			errs = append(errs, fmt.Errorf("%s: severity.%s: %w", file, id, err))
		}
	}
	return &cfg, errors.Join(errs...)
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

// apply overrides severities and marks suppressed findings.
func (c *config) apply(scan *result.Scan) error {
	for i := range scan.Findings {
		f := &scan.Findings[i]
		for id, sev := range c.Severity {
			if id == f.RuleID || id == f.Rule {
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
	if s.Rule != f.RuleID && s.Rule != f.Rule {
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
