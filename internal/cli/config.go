package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer"
	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load"
	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/analyzer/suppress"
)

// configFileName is looked up from the first scanned path upward when --config is not given.
// Folder walks skip it: the configuration is never an input.
const configFileName = load.ConfigFileName

// configKeys are the top-level keys of .rolecall.yaml, sorted.
var configKeys = []string{"accounts", "clusters", "disable", "policy", "severity", "suppressions"}

// config is .rolecall.yaml, decoded strictly from its node tree so that every problem is
// reported as file:line:col.
type config struct {
	// Accounts are the reviewer's own AWS accounts (for cross-account rules).
	Accounts []string
	// Disable lists rule ids or names not to report; disablePos says where each is written.
	Disable    []string
	disablePos []ref
	// Severity overrides rules' default severities, in the order written.
	Severity []override
	// Clusters declare EKS clusters: issuer, authentication mode, manifest globs.
	Clusters []clusterConfig
	// Policy are extra rule folders, relative to the config file's folder.
	Policy []string
	// Suppressions, each with a reason; matched by the analyzer.
	Suppressions []suppress.Rule

	file string // as shown in messages
	dir  string // the config file's folder: relative paths and globs are resolved from it
}

// ref is a rule reference with its position.
type ref struct {
	name      string
	line, col int
}

type override struct {
	ref
	severity result.Severity
}

type clusterConfig struct {
	name, issuer, mode string
	manifests          []string
	line, col          int
}

// nowKey carries the date suppressions' expiry is checked against (tests fix it).
type nowKey struct{}

// withNow makes scans run under ctx check suppressions' expiry against now instead of the clock.
func withNow(ctx context.Context, now time.Time) context.Context {
	return context.WithValue(ctx, nowKey{}, now)
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
	return decodeConfig(file, data)
}

// decodeConfig reads a configuration; every problem found is reported, each positioned.
func decodeConfig(file string, data []byte) (*config, error) {
	cfg := &config{file: file, dir: filepath.Dir(file)}
	d := &decoder{file: file}
	docs, err := docnode.Parse(file, data)
	if err != nil {
		return nil, err // a *docnode.PosError: file:line:col: invalid YAML: …
	}
	switch {
	case len(docs) == 0:
		return cfg, nil
	case len(docs) > 1:
		d.errf(docs[1].Root, "expected one YAML document, found a second one")
		return nil, d.err()
	}
	root := docs[0].Root
	if root.Kind != yaml.MappingNode {
		d.errf(root, "expected a mapping of settings (%s), got %s", strings.Join(configKeys, ", "), kindOf(root))
		return nil, d.err()
	}
	for _, kv := range d.pairs(root, "") {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "accounts":
			for _, n := range d.list(v, "accounts", `a list of 12-digit AWS account ids, e.g. ["111122223333"]`) {
				if s, ok := d.scalar(n, "accounts", "a 12-digit AWS account id"); ok {
					if !iampolicy.IsAccountID(s) {
						d.errf(n, "accounts: %q is not a 12-digit AWS account id", s)
					}
					cfg.Accounts = append(cfg.Accounts, s)
				}
			}
		case "disable":
			for i, n := range d.list(v, "disable", "a list of rule ids or names, e.g. [RC104]") {
				if s, ok := d.scalar(n, fmt.Sprintf("disable[%d]", i), "a rule id or name"); ok {
					cfg.Disable = append(cfg.Disable, s)
					cfg.disablePos = append(cfg.disablePos, ref{name: s, line: n.Line, col: n.Column})
				}
			}
		case "severity":
			for _, kv := range d.pairs(d.mapping(v, "severity", "a mapping of rule id or name to severity, e.g. {RC104: low}"), "severity") {
				s, ok := d.scalar(kv[1], "severity."+kv[0].Value, "a severity")
				if !ok {
					continue
				}
				sev, err := result.ParseSeverity(s)
				switch {
				case err != nil:
					d.errf(kv[1], "severity.%s: %v", kv[0].Value, err)
				case sev == result.SeverityNone:
					// "none" is a --fail-on threshold, not a severity; it would rank above critical.
					d.errf(kv[1], "severity.%s: none is not a severity; list the rule under disable to turn it off", kv[0].Value)
				default:
					cfg.Severity = append(cfg.Severity, override{ref{kv[0].Value, kv[0].Line, kv[0].Column}, sev})
				}
			}
		case "clusters":
			cfg.Clusters = d.clusters(v)
		case "policy":
			for i, n := range d.list(v, "policy", "a list of folders of Rego rules, e.g. [policy]") {
				s, ok := d.scalar(n, fmt.Sprintf("policy[%d]", i), "a folder")
				if !ok {
					continue
				}
				dir := s
				if !filepath.IsAbs(dir) {
					dir = filepath.Join(cfg.dir, dir)
				}
				if st, err := os.Stat(dir); err != nil || !st.IsDir() {
					d.errf(n, "policy[%d]: %s is not a folder (relative folders are taken from the configuration file's folder)", i, dir)
					continue
				}
				cfg.Policy = append(cfg.Policy, dir)
			}
		case "suppressions":
			cfg.Suppressions = d.suppressions(v, cfg.dir)
		default:
			d.errf(k, "unknown key %q (expected one of %s)", k.Value, strings.Join(configKeys, ", "))
		}
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

var authModes = []string{inventory.ModeAPI, inventory.ModeAPIAndConfigMap, inventory.ModeConfigMap}

func (d *decoder) clusters(v *yaml.Node) []clusterConfig {
	var out []clusterConfig
	for _, kv := range d.pairs(d.mapping(v, "clusters", "a mapping of cluster name to its settings, e.g. {prod: {issuer: https://oidc.eks…}}"), "clusters") {
		name := kv[0].Value
		where := "clusters." + name
		c := clusterConfig{name: name, line: kv[0].Line, col: kv[0].Column}
		if name == "" {
			d.errf(kv[0], "clusters: a cluster name must not be empty")
		}
		for _, f := range d.pairs(d.mapping(kv[1], where, "a mapping with issuer, authentication_mode and manifests"), where) {
			switch f[0].Value {
			case "issuer":
				if s, ok := d.scalar(f[1], where+".issuer", "the cluster's OIDC issuer URL"); ok {
					c.issuer = normalizeIssuer(s)
					if c.issuer == "" {
						d.errf(f[1], "%s.issuer: %q is not an OIDC issuer URL; expected the cluster's identity.oidc.issuer, e.g. https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE", where, s)
					}
				}
			case "authentication_mode":
				if s, ok := d.scalar(f[1], where+".authentication_mode", "an authentication mode"); ok {
					i := slices.IndexFunc(authModes, func(m string) bool { return strings.EqualFold(m, s) })
					if i < 0 {
						d.errf(f[1], "%s.authentication_mode: %q is not an authentication mode (expected one of %s)", where, s, strings.Join(authModes, ", "))
					} else {
						c.mode = authModes[i]
					}
				}
			case "manifests":
				for i, n := range d.list(f[1], where+".manifests", `a list of path globs, e.g. ["k8s/prod/**"]`) {
					if s, ok := d.scalar(n, fmt.Sprintf("%s.manifests[%d]", where, i), "a path glob"); ok {
						if err := checkGlob(s); err != nil {
							d.errf(n, "%s.manifests[%d]: %v", where, i, err)
						}
						c.manifests = append(c.manifests, s)
					}
				}
			default:
				d.errf(f[0], "%s: unknown key %q (expected one of authentication_mode, issuer, manifests)", where, f[0].Value)
			}
		}
		out = append(out, c)
	}
	return out
}

// pairValue is a key node and its value node.
type pairValue [2]*yaml.Node

var fingerprintRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (d *decoder) suppressions(v *yaml.Node, dir string) []suppress.Rule {
	var out []suppress.Rule
	for i, item := range d.list(v, "suppressions", "a list of suppressions, each with rule (or fingerprint) and reason") {
		where := fmt.Sprintf("suppressions[%d]", i)
		m := d.mapping(item, where, "a mapping with rule, resource, path, fingerprint, reason, expires, owner")
		if m == nil {
			continue
		}
		s := suppress.Rule{Base: dir, File: d.file, Line: item.Line, Column: item.Column}
		for _, f := range d.pairs(m, where) {
			key := f[0].Value
			val, ok := d.scalar(f[1], where+"."+key, "a string")
			if !ok {
				continue
			}
			switch key {
			case "rule":
				s.Rule = val
			case "resource":
				s.Resource = val
			case "path":
				if err := checkGlob(val); err != nil {
					d.errf(f[1], "%s.path: %v", where, err)
				}
				s.Path = val
			case "fingerprint":
				if !fingerprintRE.MatchString(val) {
					d.errf(f[1], "%s.fingerprint: %q is not a finding fingerprint (64 lower-case hex digits, as in the JSON report)", where, val)
				}
				s.Fingerprint = val
			case "reason":
				s.Reason = strings.TrimSpace(val)
			case "owner":
				s.Owner = val
			case "expires":
				t, err := time.Parse(time.DateOnly, val)
				if err != nil {
					d.errf(f[1], "%s.expires: %q is not a date; expected YYYY-MM-DD, e.g. 2026-06-30 (the last day the suppression applies)", where, val)
				}
				s.Expires = t
			default:
				d.errf(f[0], "%s: unknown key %q (expected one of expires, fingerprint, owner, path, reason, resource, rule)", where, key)
			}
		}
		if s.Rule == "" && s.Fingerprint == "" {
			d.errf(item, "%s: rule is required (an id like RC104 or a name), unless fingerprint names the finding", where)
		}
		if s.Reason == "" {
			d.errf(item, "%s: reason is required: say why this finding is accepted", where)
		}
		out = append(out, s)
	}
	return out
}

// normalizeIssuer returns the issuer as https://host/path, or "" when s is not one.
func normalizeIssuer(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), "/")
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		if strings.Contains(s, "://") {
			return ""
		}
		rest = s
	}
	if rest == "" || strings.ContainsAny(rest, " \t") || strings.HasPrefix(rest, "/") {
		return ""
	}
	return "https://" + rest
}

// checkGlob reports a malformed path glob (a bad [class] in a segment).
func checkGlob(g string) error {
	for _, seg := range strings.Split(g, "/") {
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Errorf("%q is not a valid glob: %v", g, err)
		}
	}
	return nil
}

// decoder collects positioned errors while walking the configuration's node tree.
type decoder struct {
	file string
	errs []error
}

func (d *decoder) errf(n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, fmt.Errorf("%s:%d:%d: %s", d.file, n.Line, n.Column, fmt.Sprintf(format, args...)))
}

func (d *decoder) err() error { return errors.Join(d.errs...) }

// pairs returns m's key/value pairs, reporting keys that are not strings or are repeated.
func (d *decoder) pairs(m *yaml.Node, where string) []pairValue {
	if m == nil {
		return nil
	}
	var out []pairValue
	seen := map[string]*yaml.Node{}
	prefix := ""
	if where != "" {
		prefix = where + ": "
	}
	for _, p := range docnode.Pairs(m) {
		k := p[0]
		if k.Kind != yaml.ScalarNode {
			d.errf(k, "%sexpected a key, got %s", prefix, kindOf(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errf(k, "%skey %q is repeated (first at line %d)", prefix, k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, pairValue{k, p[1]})
	}
	return out
}

// mapping returns n when it is a mapping; null is an empty mapping; anything else is reported.
func (d *decoder) mapping(n *yaml.Node, where, want string) *yaml.Node {
	switch {
	case n == nil || docnode.IsNull(n):
		return nil
	case n.Kind == yaml.MappingNode:
		return n
	}
	d.errf(n, "%s: expected %s, got %s", where, want, kindOf(n))
	return nil
}

// list returns n's items when it is a sequence; null is an empty list; anything else is reported.
func (d *decoder) list(n *yaml.Node, where, want string) []*yaml.Node {
	switch {
	case n == nil || docnode.IsNull(n):
		return nil
	case n.Kind == yaml.SequenceNode:
		return docnode.Items(n)
	}
	d.errf(n, "%s: expected %s, got %s", where, want, kindOf(n))
	return nil
}

// scalar returns n's text when it is a non-null scalar (numbers keep their digits as written).
func (d *decoder) scalar(n *yaml.Node, where, want string) (string, bool) {
	if s, ok := docnode.Str(n); ok {
		return s, true
	}
	d.errf(n, "%s: expected %s, got %s", where, want, kindOf(n))
	return "", false
}

func kindOf(n *yaml.Node) string {
	n = docnode.Resolve(n)
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case docnode.IsNull(n):
		return "an empty value"
	case n.Tag == "!!int" || n.Tag == "!!float":
		return "a number"
	case n.Tag == "!!bool":
		return "true/false"
	}
	return "a string"
}

// refersTo reports whether a config rule reference (an id, any case, or a name) names the rule.
func refersTo(ref, id, name string) bool { return suppress.RefersTo(ref, id, name) }

// validate checks that every rule the config names exists in the catalogue, so a typo does not
// silently leave a finding unsuppressed or a severity unchanged, and that no rule has two
// severity overrides.
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
	at := func(line, col int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d:%d: %s", c.file, line, col, fmt.Sprintf(format, args...)))
	}
	overridden := map[string]string{}
	for _, o := range c.Severity {
		r, ok := find(o.name)
		switch {
		case !ok:
			at(o.line, o.col, "severity.%s: no such rule id or name", o.name)
		case overridden[r.ID] != "":
			at(o.line, o.col, "severity: %s and %s both override rule %s", overridden[r.ID], o.name, r.ID)
		default:
			overridden[r.ID] = o.name
		}
	}
	for i, d := range c.disablePos {
		if _, ok := find(d.name); !ok && !anySlug(rules, d.name) {
			at(d.line, d.col, "disable[%d]: %s: no such rule id or name", i, d.name)
		}
	}
	for i, s := range c.Suppressions {
		if _, ok := find(s.Rule); s.Rule != "" && !ok {
			at(s.Line, s.Column, "suppressions[%d]: rule %s: no such rule id or name", i, s.Rule)
		}
	}
	return errors.Join(errs...)
}

// configure passes the configuration's clusters and suppressions (and the date their expiry
// is checked against: the clock's, unless ctx fixes it) to a scan.
func (c *config) configure(ctx context.Context, opts *analyzer.Options) {
	for _, cl := range c.Clusters {
		cc := load.ClusterConfig{Name: cl.name, Issuer: cl.issuer, AuthenticationMode: cl.mode,
			Source: inventory.At(c.file, cl.line, cl.col)}
		if globs := cl.manifests; len(globs) > 0 {
			dir := c.dir
			cc.Claims = func(file string) bool {
				rel := suppress.RelativeTo(dir, file)
				return slices.ContainsFunc(globs, func(g string) bool { return suppress.MatchPath(g, rel) })
			}
		}
		opts.Clusters = append(opts.Clusters, cc)
	}
	opts.Suppressions = c.Suppressions
	if now, ok := ctx.Value(nowKey{}).(time.Time); ok {
		opts.Now = now
	}
}

// findConfig looks for .rolecall.yaml in the first path's directory and its parents and
// returns it relative to the working directory when it lies below it (so messages and
// reports show the same relative paths as for inputs).
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
			return shortPath(p)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// shortPath is abs relative to the working directory when below it, else abs.
func shortPath(abs string) string {
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return abs
	}
	return rel
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

// apply overrides severities, then sorts the findings again (the order starts with severity).
// Suppressions are applied by the analyzer (configure passes them).
func (c *config) apply(scan *result.Scan) error {
	if len(c.Severity) == 0 {
		return nil
	}
	for i := range scan.Findings {
		f := &scan.Findings[i]
		for _, o := range c.Severity {
			if refersTo(o.name, f.RuleID, f.Rule) {
				f.Severity = o.severity
			}
		}
	}
	analyzer.SortFindings(scan.Findings)
	return nil
}
