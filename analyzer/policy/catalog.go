package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/rolecall/rolecall/analyzer/result"
)

// RulesPackage is the package prefix of rule modules: rolecall.rules.<slug>.
const RulesPackage = "rolecall.rules"

var (
	builtinIDPattern = regexp.MustCompile(`^RC\d{3}$`)
	userIDPattern    = regexp.MustCompile(`^[A-Z][A-Z0-9_-]+$`)
	namePattern      = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	slugPattern      = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	tagPattern       = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// customMeta is the exact shape of a rule's `custom:` metadata; any other key is an error.
type customMeta struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Severity    string   `json:"severity"`
	Remediation string   `json:"remediation"`
	Tags        []string `json:"tags"`
}

var severities = []string{"critical", "high", "medium", "low", "info"}

// packagePath returns a module's package as dotted segments without "data".
func packagePath(m *ast.Module) []string {
	var out []string
	for i, t := range m.Package.Path {
		if i == 0 {
			continue // data
		}
		s, ok := t.Value.(ast.String)
		if !ok {
			out = append(out, t.Value.String())
			continue
		}
		out = append(out, string(s))
	}
	return out
}

// ruleSlug returns <slug> when the module's package is rolecall.rules.<slug>.
func ruleSlug(m *ast.Module) (string, bool) {
	p := packagePath(m)
	if len(p) == 3 && p[0] == "rolecall" && p[1] == "rules" {
		return p[2], true
	}
	return "", false
}

func at(m loadedModule, node *ast.Location) string {
	if node == nil || node.Row == 0 {
		return m.file
	}
	return fmt.Sprintf("%s:%d", m.file, node.Row)
}

// checkPackages enforces where modules may live: user modules define rules
// (rolecall.rules.<slug>) or helpers outside the rolecall namespace; nothing may sit deeper
// than rolecall.rules.<slug> (the entrypoint only looks one level down); a slug belongs to
// exactly one file.
func checkPackages(mods []loadedModule) []string {
	var errs []string
	owner := map[string]loadedModule{}
	for _, m := range mods {
		p := packagePath(m.module)
		pkg := strings.Join(p, ".")
		loc := at(m, m.module.Package.Location)
		inRolecall := len(p) > 0 && p[0] == "rolecall"
		underRules := len(p) >= 2 && inRolecall && p[1] == "rules"
		switch {
		case underRules && len(p) != 3:
			errs = append(errs, fmt.Sprintf("%s: package %s: rule packages must be exactly %s.<slug>", loc, pkg, RulesPackage))
			continue
		case m.user && inRolecall && !underRules:
			errs = append(errs, fmt.Sprintf("%s: package %s: user policies may define %s.<slug> rules or helper packages outside rolecall, not %s", loc, pkg, RulesPackage, pkg))
			continue
		case !underRules:
			continue
		}
		slug := p[2]
		if prev, ok := owner[slug]; ok {
			errs = append(errs, fmt.Sprintf("%s: rule slug %q already defined by %s", loc, slug, prev.file))
			continue
		}
		owner[slug] = m
	}
	return errs
}

// buildCatalog reads every rule module's package-scope # METADATA into a validated,
// ID-sorted catalog.
func buildCatalog(mods []loadedModule) ([]result.Rule, []string) {
	var (
		rules []result.Rule
		errs  []string
		ids   = map[string]string{} // id → file
		names = map[string]string{} // name → file
	)
	for _, m := range mods {
		slug, ok := ruleSlug(m.module)
		if !ok {
			continue
		}
		r, rerrs := catalogEntry(m, slug)
		if len(rerrs) > 0 {
			errs = append(errs, rerrs...)
			continue
		}
		loc := at(m, m.module.Package.Location)
		if prev, ok := ids[r.ID]; ok {
			errs = append(errs, fmt.Sprintf("%s: rule id %s already used by %s", loc, r.ID, prev))
			continue
		}
		if prev, ok := names[r.Name]; ok {
			errs = append(errs, fmt.Sprintf("%s: rule name %s already used by %s", loc, r.Name, prev))
			continue
		}
		ids[r.ID], names[r.Name] = m.file, m.file
		rules = append(rules, r)
	}
	slices.SortFunc(rules, func(a, b result.Rule) int { return strings.Compare(a.ID, b.ID) })
	return rules, errs
}

func catalogEntry(m loadedModule, slug string) (result.Rule, []string) {
	loc := at(m, m.module.Package.Location)
	var errs []string
	fail := func(format string, args ...any) {
		errs = append(errs, loc+": "+fmt.Sprintf(format, args...))
	}

	if !slugPattern.MatchString(slug) {
		fail("package slug %q is not snake_case", slug)
	}
	errs = append(errs, checkRuleHeads(m)...)

	var pkgAnns []*ast.Annotations
	for _, a := range m.module.Annotations {
		if a.Scope == "package" {
			pkgAnns = append(pkgAnns, a)
		}
	}
	if len(pkgAnns) != 1 {
		fail("rule package %s.%s needs exactly one package-scope # METADATA block, found %d", RulesPackage, slug, len(pkgAnns))
		return result.Rule{}, errs
	}
	a := pkgAnns[0]
	if a.Location != nil && a.Location.Row > 0 {
		loc = fmt.Sprintf("%s:%d", m.file, a.Location.Row)
	}

	var c customMeta
	if len(a.Custom) == 0 {
		fail("metadata has no custom: block (id, name, severity, remediation, tags)")
		return result.Rule{}, errs
	}
	bs, err := json.Marshal(a.Custom)
	if err != nil {
		fail("metadata custom: %v", err)
		return result.Rule{}, errs
	}
	dec := json.NewDecoder(bytes.NewReader(bs))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		fail("metadata custom: %v (allowed keys: id, name, severity, remediation, tags)", err)
		return result.Rule{}, errs
	}

	title := strings.TrimSpace(a.Title)
	switch {
	case title == "":
		fail("metadata: missing title")
	case strings.Contains(title, "\n"):
		fail("metadata: title must be one line")
	}
	if strings.TrimSpace(a.Description) == "" {
		fail("metadata: missing description")
	}
	if a.Entrypoint {
		fail("metadata: rule packages must not be entrypoints")
	}
	var refs []string
	help := ""
	for _, rr := range a.RelatedResources {
		if rr == nil {
			continue
		}
		ref := rr.Ref.String()
		if ref == "" {
			fail("metadata: related_resources entry without ref")
			continue
		}
		refs = append(refs, ref)
		if help == "" && strings.EqualFold(strings.TrimSpace(rr.Description), "documentation") {
			help = ref
		}
	}
	if len(refs) == 0 {
		fail("metadata: related_resources needs at least one entry")
	} else if help == "" {
		help = refs[0]
	}

	switch {
	case c.ID == "":
		fail("metadata custom.id: missing")
	case m.user && strings.HasPrefix(c.ID, "RC"):
		fail("metadata custom.id %q: the RC prefix is reserved for built-in rules", c.ID)
	case m.user && !userIDPattern.MatchString(c.ID):
		fail("metadata custom.id %q: want upper-case letters, digits, _ or - (e.g. ACME001)", c.ID)
	case !m.user && !builtinIDPattern.MatchString(c.ID):
		fail("metadata custom.id %q: want RC followed by three digits (e.g. RC007)", c.ID)
	}
	switch {
	case c.Name == "":
		fail("metadata custom.name: missing")
	case !namePattern.MatchString(c.Name):
		fail("metadata custom.name %q: want kebab-case (e.g. trust-public-principal)", c.Name)
	case strings.ReplaceAll(c.Name, "-", "_") != slug:
		fail("metadata custom.name %q does not match package slug %q (want %s)", c.Name, slug, strings.ReplaceAll(slug, "_", "-"))
	}
	var sev result.Severity
	if !slices.Contains(severities, c.Severity) {
		fail("metadata custom.severity %q: want one of %s", c.Severity, strings.Join(severities, ", "))
	} else {
		sev, _ = result.ParseSeverity(c.Severity)
	}
	if strings.TrimSpace(c.Remediation) == "" {
		fail("metadata custom.remediation: missing")
	}
	for _, t := range c.Tags {
		if !tagPattern.MatchString(t) {
			fail("metadata custom.tags: %q is not a lower-case word", t)
		}
	}
	if len(errs) > 0 {
		return result.Rule{}, errs
	}
	return result.Rule{
		ID:          c.ID,
		Name:        c.Name,
		Slug:        slug,
		Title:       title,
		Description: strings.TrimSpace(a.Description),
		Remediation: strings.TrimSpace(c.Remediation),
		Severity:    sev,
		HelpURI:     help,
		References:  refs,
		Tags:        slices.Clone(c.Tags),
	}, nil
}

// checkRuleHeads enforces one public rule, a multi-value `deny`; helpers start with "_".
func checkRuleHeads(m loadedModule) []string {
	var errs []string
	fail := func(r *ast.Rule, format string, args ...any) {
		errs = append(errs, at(m, r.Location)+": "+fmt.Sprintf(format, args...))
	}
	hasDeny := false
	for _, r := range m.module.Rules {
		ref := r.Head.Ref()
		if len(ref) == 0 {
			continue
		}
		name := ref[0].Value.String()
		if v, ok := ref[0].Value.(ast.Var); ok {
			name = string(v)
		}
		switch {
		case strings.HasPrefix(name, "_"):
		case name == "deny" && len(ref) == 1 && r.Head.RuleKind() == ast.MultiValue:
			hasDeny = true
		case name == "deny":
			fail(r, "deny must be a set (`deny contains finding if { … }`)")
		default:
			fail(r, "public rule %q: a rule package defines only deny; prefix helpers with _", name)
		}
	}
	if !hasDeny {
		errs = append(errs, at(m, m.module.Package.Location)+": rule package defines no deny set")
	}
	return errs
}
