package terraform

import (
	"fmt"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/node"
	"github.com/rolecall/rolecall/analyzer/result"
)

// The plan and state shapes are those of Terraform's JSON output format
// (https://developer.hashicorp.com/terraform/internals/json-format, "Plan Representation",
// "Values Representation", "Configuration Representation", "Change Representation"):
//
//   - a plan has format_version, terraform_version, planned_values (a values representation
//     that omits, or sets to null, every value unknown until apply), resource_changes (whose
//     change.after_unknown has true at each unknown leaf, and after_sensitive at each
//     sensitive one) and configuration (the expressions, unevaluated);
//   - a state has format_version, terraform_version and values.
//
// A values representation is root_module {resources: [{address, mode, type, name, index,
// values, sensitive_values}], child_modules: [{address, resources, child_modules}]}.
//
// The configuration section carries no file positions (only constant values and the
// references of each expression), so findings point at the resource in the plan file; the
// .tf line would need the configuration itself (scan the .tf files for that). prior_state,
// resource_drift, output_changes and checks are not read.

// LoadPlan recognises `terraform show -json` output of a plan (or state) and adds its
// resources to inv. Values unknown until apply become iampolicy.Unknown(ADDRESS.PATH) — except
// computed attributes the configuration does not set, which are absent (the provider fills
// them in) — and a reference to a role, policy, OIDC provider, user, group or cluster created
// by the same apply resolves to what that element is known by, so links hold (see resolve).
// Sensitive values are never read: they become unknowns too.
func LoadPlan(doc *docnode.Document, inv *inventory.Inventory) (bool, []result.Diagnostic) {
	if doc == nil || inv == nil {
		return false, nil
	}
	root := docnode.Resolve(doc.Root)
	if !docnode.IsMap(root) {
		return false, nil
	}
	fv, fvOK := docnode.Str(attrNode(root, "format_version"))
	_, tvOK := docnode.Str(attrNode(root, "terraform_version"))
	planned, changes, values := attrNode(root, "planned_values"), attrNode(root, "resource_changes"), attrNode(root, "values")
	if !fvOK || !tvOK || (planned == nil && changes == nil && values == nil) {
		return false, nil
	}
	p := &planReader{Reader: node.Reader{File: doc.File}, byAddr: map[string]*planResource{},
		changes: map[string]*yaml.Node{}, scopes: map[*yaml.Node][]unknownLeaf{}}
	// "Reject any input which reports an unsupported major version" (json-format, Format
	// Summary); before 1.0, 0.x versions describe the same shapes.
	if major, _, _ := strings.Cut(fv, "."); major != "0" && major != "1" {
		p.Errorf(attrNode(root, "format_version"), "Terraform JSON format_version %q is not supported (expected 1.x, as Terraform 1.x prints)", fv)
		return true, p.Diags
	}
	isPlan := planned != nil || changes != nil
	if isPlan {
		p.readConfig(attrNode(root, "configuration"))
		p.readChanges(changes)
	}
	switch {
	case planned != nil:
		p.module(planned, "planned_values", "", 0)
	case changes != nil:
		p.changedResources(changes)
	default:
		p.module(values, "values", "", 0)
	}
	for _, pr := range p.resources {
		p.markUnknown(pr)
		p.markSensitive(pr)
	}
	p.resolve()
	out := make([]Resource, len(p.resources))
	cluster := p.onlyCluster()
	for i, pr := range p.resources {
		out[i] = pr.Resource
		if strings.HasPrefix(pr.Type, "kubernetes_") {
			out[i].Cluster = cluster
		}
	}
	return true, append(p.Diags, mapResources(out, inv)...)
}

// planReader reads one plan or state document.
type planReader struct {
	node.Reader
	resources []*planResource
	byAddr    map[string]*planResource
	// changes are resource_changes[].change by address (deposed objects left out).
	changes map[string]*yaml.Node
	// config maps a resource's address without instance keys to its configuration
	// expressions (a block-expressions mapping); nil when the document has no configuration.
	config map[string]*yaml.Node
	// calls maps a module call's address without instance keys ("module.eks.module.irsa") to
	// the called module's configuration (its resources and outputs).
	calls map[string]*yaml.Node
	// scopes lists, for each configuration expression, the unknown leaves it produced.
	scopes map[*yaml.Node][]unknownLeaf
}

// planResource is a Resource with what its plan says about it.
type planResource struct {
	Resource
	module    string     // the module instance address ("" for the root module)
	sensitive *yaml.Node // sensitive_values
}

// unknownLeaf is an unknown value in a resource's values: its marker node and the
// attribute path it stands at.
type unknownLeaf struct {
	res  *planResource
	n    *yaml.Node
	keys []string // attribute path: keys and list indexes
}

const maxModuleDepth = 100

// module reads a values representation module (root_module, or a child module).
func (p *planReader) module(v *yaml.Node, what, addr string, depth int) {
	m := v
	if depth == 0 {
		m = attrNode(v, "root_module")
		what += ".root_module"
		if m == nil {
			return
		}
	}
	if !docnode.IsMap(m) {
		p.Errorf(m, "%s must be an object with resources and child_modules", what)
		return
	}
	if depth > maxModuleDepth {
		p.Errorf(m, "%s: modules nested more than %d deep", what, maxModuleDepth)
		return
	}
	for i, it := range p.list(m, "resources", what) {
		p.resource(it, fmt.Sprintf("%s.resources[%d]", what, i), addr, attrNode(it, "values"))
	}
	for i, c := range p.list(m, "child_modules", what) {
		cw := fmt.Sprintf("%s.child_modules[%d]", what, i)
		ca, _ := p.Str(c, "address", cw)
		p.module(c, cw, ca, depth+1)
	}
}

// list returns the objects of list key of m, reporting anything else.
func (p *planReader) list(m *yaml.Node, key, what string) []*yaml.Node {
	v := attrNode(m, key)
	if v == nil {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.Errorf(v, "%s.%s must be a list of objects", what, key)
		return nil
	}
	var out []*yaml.Node
	for i, it := range docnode.Items(v) {
		if !docnode.IsMap(it) {
			p.Errorf(it, "%s.%s[%d] must be an object", what, key, i)
			continue
		}
		out = append(out, it)
	}
	return out
}

// resource reads one resource object (values representation, or a resource change whose
// values are change.after).
func (p *planReader) resource(it *yaml.Node, what, module string, values *yaml.Node) {
	const expected = "an object with address, mode, type, name and values"
	addr, _ := p.Str(it, "address", what)
	mode, _ := p.Str(it, "mode", what)
	typ, _ := p.Str(it, "type", what)
	name, _ := p.Str(it, "name", what)
	if addr == "" || typ == "" || (mode != "managed" && mode != "data") {
		p.Errorf(it, "%s must be %s", what, expected)
		return
	}
	if values == nil {
		values = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: it.Line, Column: it.Column}
	}
	if !docnode.IsMap(values) {
		p.Errorf(values, "%s.values must be an object", what)
		return
	}
	if p.byAddr[addr] != nil {
		p.Errorf(it, "%s: resource %s is listed twice", what, addr)
		return
	}
	pr := &planResource{Resource: Resource{Mode: mode, Type: typ, Name: name, Address: addr,
		Attrs: docnode.Resolve(values), Source: p.Src(it)}, module: module, sensitive: attrNode(it, "sensitive_values")}
	p.resources = append(p.resources, pr)
	p.byAddr[addr] = pr
}

// readChanges indexes resource_changes by address.
func (p *planReader) readChanges(changes *yaml.Node) {
	if changes == nil {
		return
	}
	if changes.Kind != yaml.SequenceNode {
		p.Errorf(changes, "resource_changes must be a list of objects")
		return
	}
	for _, c := range docnode.Items(changes) {
		addr, _ := docnode.Str(attrNode(c, "address"))
		if addr == "" || attrNode(c, "deposed") != nil {
			continue
		}
		if ch := attrNode(c, "change"); docnode.IsMap(ch) {
			p.changes[addr] = ch
		}
	}
}

// changedResources reads the resources of a plan without planned_values from
// resource_changes: change.after of every object that is not being deleted.
func (p *planReader) changedResources(changes *yaml.Node) {
	for i, c := range docnode.Items(changes) {
		if !docnode.IsMap(c) || attrNode(c, "deposed") != nil {
			continue
		}
		after := attrNode(attrNode(c, "change"), "after")
		if after == nil {
			continue // deleted
		}
		mod, _ := docnode.Str(attrNode(c, "module_address"))
		p.resource(c, fmt.Sprintf("resource_changes[%d]", i), mod, after)
	}
}

// readConfig indexes the configuration's resources by address without instance keys
// ("module.eks.aws_iam_role.node"); module_calls nest modules.
func (p *planReader) readConfig(c *yaml.Node) {
	root := attrNode(c, "root_module")
	if root == nil {
		return
	}
	p.config, p.calls = map[string]*yaml.Node{}, map[string]*yaml.Node{}
	var walk func(m *yaml.Node, prefix string, depth int)
	walk = func(m *yaml.Node, prefix string, depth int) {
		if depth > maxModuleDepth {
			return
		}
		for _, r := range docnode.Items(attrNode(m, "resources")) {
			addr, _ := docnode.Str(attrNode(r, "address"))
			exprs := attrNode(r, "expressions")
			if !docnode.IsMap(exprs) {
				exprs = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			}
			p.config[prefix+addr] = exprs
		}
		for _, kv := range docnode.Pairs(attrNode(m, "module_calls")) {
			p.calls[prefix+"module."+kv[0].Value] = attrNode(kv[1], "module")
			walk(attrNode(kv[1], "module"), prefix+"module."+kv[0].Value+".", depth+1)
		}
	}
	walk(root, "", 0)
}

// stripInstanceKeys drops instance keys from an address: module.a["x"].aws_iam_role.b[0] →
// module.a.aws_iam_role.b.
func stripInstanceKeys(addr string) string {
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case quoted && c == '\\':
			i++
		case quoted:
			quoted = c != '"'
		case c == '"' && depth > 0:
			quoted = true
		case c == '[':
			depth++
		case c == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isConfigExpr reports whether a configuration node is an expression representation
// ({constant_value, references}, or {} for one that is neither constant nor a reference)
// rather than the expressions of a nested block.
func isConfigExpr(n *yaml.Node) bool {
	if !docnode.IsMap(n) {
		return false
	}
	for _, kv := range docnode.Pairs(n) {
		if kv[0].Value != "constant_value" && kv[0].Value != "references" {
			return false
		}
	}
	return true
}

// markUnknown replaces each value after_unknown marks with iampolicy.Unknown(ADDRESS.PATH),
// positioned in the resource's values (where the plan leaves it null, else at the object
// that would hold it). A top-level or nested-block attribute the
// configuration does not set is computed by the provider (an ARN, a generated name, an
// optional block left to its default): it is removed instead, so it reads as unset. Without a
// configuration for the resource every unknown is kept.
func (p *planReader) markUnknown(pr *planResource) {
	u := attrNode(p.changes[pr.Address], "after_unknown")
	if !docnode.IsMap(u) {
		return
	}
	var cfg *yaml.Node
	if p.config != nil {
		cfg = p.config[stripInstanceKeys(pr.Address)]
	}
	p.walkUnknown(pr, pr.Attrs, u, cfg, nil, nil)
}

// walkUnknown marks below container v (a mapping or list of values) the leaves u marks.
// cfg is the configuration at the same place: a block-expressions mapping (or a list of
// them), or nil when unknown; expr is the expression that produced v, once inside one.
func (p *planReader) walkUnknown(pr *planResource, v, u, cfg *yaml.Node, keys []string, expr *yaml.Node) {
	if len(keys) > maxModuleDepth {
		return
	}
	type step struct {
		key  string
		sub  *yaml.Node        // after_unknown here
		slot func() *yaml.Node // the value here (null included), nil when absent
		set  func(*yaml.Node)
		del  func()
	}
	var steps []step
	switch {
	case u.Kind == yaml.MappingNode && v.Kind == yaml.MappingNode:
		for _, kv := range docnode.Pairs(u) {
			k := kv[0].Value
			steps = append(steps, step{key: k, sub: kv[1],
				slot: func() *yaml.Node { return docnode.Get(v, k) },
				set:  func(n *yaml.Node) { setMapKey(v, k, n) },
				del:  func() { deleteMapKey(v, k) }})
		}
	case u.Kind == yaml.SequenceNode && v.Kind == yaml.SequenceNode:
		for i, ui := range u.Content {
			if i >= len(v.Content) {
				break
			}
			steps = append(steps, step{key: strconv.Itoa(i), sub: docnode.Resolve(ui),
				slot: func() *yaml.Node { return docnode.Resolve(v.Content[i]) },
				set:  func(n *yaml.Node) { v.Content[i] = n },
				del:  func() {}})
		}
	default:
		return
	}
	for _, s := range steps {
		// The configuration below this step: inside an expression, everything is set.
		subExpr, subCfg, inConfig := expr, (*yaml.Node)(nil), true
		if expr == nil && cfg != nil {
			switch c := docnode.Resolve(cfg); {
			case c.Kind == yaml.SequenceNode:
				if i, err := strconv.Atoi(s.key); err == nil && i < len(c.Content) {
					subCfg = docnode.Resolve(c.Content[i])
				} else {
					inConfig = false
				}
			case isConfigExpr(c):
				subExpr = c
			default:
				subCfg = attrNode(c, s.key)
				inConfig = subCfg != nil
				if isConfigExpr(subCfg) {
					subExpr, subCfg = subCfg, nil
				}
			}
		}
		path := append(append([]string{}, keys...), s.key)
		if b, ok := docnode.Str(s.sub); ok && b == "true" {
			if !inConfig {
				s.del()
				continue
			}
			// Positioned where the plan leaves the value null, else at what holds it.
			at := node.First(s.slot(), v)
			n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: iampolicy.Unknown(pr.Address + renderPath(path)),
				Line: at.Line, Column: at.Column}
			s.set(n)
			if subExpr != nil {
				p.scopes[subExpr] = append(p.scopes[subExpr], unknownLeaf{res: pr, n: n, keys: path})
			}
			continue
		}
		if child := docnode.Resolve(s.slot()); child != nil && !docnode.IsNull(child) && (s.sub.Kind == yaml.MappingNode || s.sub.Kind == yaml.SequenceNode) {
			if inConfig {
				p.walkUnknown(pr, child, s.sub, subCfg, path, subExpr)
			}
		}
	}
}

// sensitiveSuffix ends the unknown expression that stands for a sensitive value.
const sensitiveSuffix = " (sensitive)"

// markSensitive replaces each value sensitive_values (or change.after_sensitive) marks with
// iampolicy.Unknown(ADDRESS.PATH (sensitive)): it is never read, printed or judged.
func (p *planReader) markSensitive(pr *planResource) {
	for _, s := range []*yaml.Node{pr.sensitive, attrNode(p.changes[pr.Address], "after_sensitive")} {
		if docnode.IsMap(s) {
			walkSensitive(pr, pr.Attrs, s, nil)
		}
	}
}

func walkSensitive(pr *planResource, v, s *yaml.Node, keys []string) {
	if len(keys) > maxModuleDepth {
		return
	}
	mark := func(old *yaml.Node, path []string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: iampolicy.Unknown(pr.Address + renderPath(path) + sensitiveSuffix),
			Line: old.Line, Column: old.Column}
	}
	switch {
	case s.Kind == yaml.MappingNode && v.Kind == yaml.MappingNode:
		for _, kv := range docnode.Pairs(s) {
			child := attrNode(v, kv[0].Value)
			if child == nil {
				continue
			}
			path := append(append([]string{}, keys...), kv[0].Value)
			if b, _ := docnode.Str(kv[1]); b == "true" {
				setMapKey(v, kv[0].Value, mark(child, path))
			} else {
				walkSensitive(pr, child, kv[1], path)
			}
		}
	case s.Kind == yaml.SequenceNode && v.Kind == yaml.SequenceNode:
		for i, si := range docnode.Items(s) {
			if i >= len(v.Content) {
				break
			}
			path := append(append([]string{}, keys...), strconv.Itoa(i))
			if b, _ := docnode.Str(si); b == "true" {
				v.Content[i] = mark(docnode.Resolve(v.Content[i]), path)
			} else {
				walkSensitive(pr, docnode.Resolve(v.Content[i]), si, path)
			}
		}
	}
}

// setMapKey sets key of mapping m to n, appending the key when absent.
func setMapKey(m *yaml.Node, key string, n *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = n
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: n.Line, Column: n.Column}, n)
}

// deleteMapKey removes key from mapping m.
func deleteMapKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

// renderPath renders an attribute path as Terraform writes it after the resource address:
// .name for the attribute, then keyPath of each key or list index.
func renderPath(keys []string) string {
	var b strings.Builder
	for i, k := range keys {
		if i == 0 {
			b.WriteString("." + k)
			continue
		}
		b.WriteString(keyPath(k))
	}
	return b.String()
}

// keyPath renders one step of an attribute path: [0] for a list index, .key for an
// identifier-like key, ["key"] otherwise.
func keyPath(k string) string {
	switch {
	case isListIndex(k):
		return "[" + k + "]"
	case isIdentKey(k):
		return "." + k
	}
	return "[" + strconv.Quote(k) + "]"
}

func isListIndex(k string) bool {
	_, err := strconv.Atoi(k)
	return err == nil && k != "" && k[0] != '-' && k[0] != '+'
}

func isIdentKey(k string) bool {
	if k == "" || (k[0] >= '0' && k[0] <= '9') || k[0] == '-' {
		return false
	}
	for _, c := range k {
		if !(c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// linkAttrs are, per resource type, the attributes whose value names an IAM entity, OIDC
// provider or cluster (path patterns, "*" for any key or index). Only these take a resolved
// reference: for anything else (a yamlencode'd aws-auth list, a jsonencode'd policy) a
// reference is one input of the value, not the value.
var linkAttrs = map[string][]string{
	"aws_iam_role":                      {"managed_policy_arns.*", "permissions_boundary"},
	"aws_iam_user":                      {"permissions_boundary"},
	"aws_iam_role_policy":               {"role"},
	"aws_iam_role_policy_attachment":    {"role", "policy_arn"},
	"aws_iam_user_policy":               {"user"},
	"aws_iam_user_policy_attachment":    {"user", "policy_arn"},
	"aws_iam_group_policy":              {"group"},
	"aws_iam_group_policy_attachment":   {"group", "policy_arn"},
	"aws_iam_user_group_membership":     {"user", "groups.*"},
	"aws_iam_group_membership":          {"group", "users.*"},
	"aws_eks_access_entry":              {"cluster_name", "principal_arn"},
	"aws_eks_access_policy_association": {"cluster_name", "principal_arn"},
	"aws_eks_pod_identity_association":  {"cluster_name", "role_arn", "target_role_arn"},
	"kubernetes_service_account":        {"metadata.*.annotations.*"},
	"kubernetes_service_account_v1":     {"metadata.*.annotations.*"},
}

func isLinkAttr(typ string, keys []string) bool {
	for _, pat := range linkAttrs[typ] {
		ps := strings.Split(pat, ".")
		if len(ps) != len(keys) {
			continue
		}
		ok := true
		for i := range ps {
			ok = ok && (ps[i] == "*" || ps[i] == keys[i])
		}
		if ok {
			return true
		}
	}
	return false
}

// resolve gives an unknown value that is a plain reference to a resource of the plan (role_arn =
// aws_iam_role.app.arn) the value that resource is known by (referenceValue) or, for an
// attribute resolved in turn (principal_arn = aws_eks_access_entry.x.principal_arn), its
// value. The configuration only lists an expression's references, not its form: the value
// is resolved only for attributes that name an element (linkAttrs), when the expression's
// references are one traversal (and the prefixes Terraform lists with it) and the expression
// produced this unknown value alone.
func (p *planReader) resolve() {
	type pending struct {
		l            unknownLeaf
		target, attr string
	}
	var todo []pending
	for expr, leaves := range p.scopes {
		if len(leaves) != 1 || !isLinkAttr(leaves[0].res.Type, leaves[0].keys) {
			continue
		}
		inst := leaves[0].res.module
		if target, attr, ok := p.follow(inst, cfgPrefix(inst), attrNode(expr, "references"), 0); ok {
			todo = append(todo, pending{leaves[0], target, attr})
		}
	}
	// Chains resolve in as many rounds as they are long.
	for progress := true; progress; {
		progress = false
		rest := todo[:0]
		for _, t := range todo {
			if v, ok := p.valueOf(t.target, t.attr); ok {
				t.l.n.Value, progress = v, true
				continue
			}
			rest = append(rest, t)
		}
		todo = rest
	}
}

// valueOf is what attribute attr of managed resource addr is, or is known by, when it holds
// no unknown.
func (p *planReader) valueOf(addr, attr string) (string, bool) {
	t := p.byAddr[addr]
	if t == nil || t.Mode != "managed" {
		return "", false
	}
	if v, ok := referenceValue(&t.Resource, attr); ok {
		return v, v != "" // an unknown in it is what the element is known by (iamEntity)
	}
	v, ok := docnode.Str(attrNode(t.Attrs, attr))
	return v, ok && v != "" && !iampolicy.HasUnknown(v)
}

// cfgPrefix is the configuration prefix of a module instance: module.a["x"] → "module.a.".
func cfgPrefix(inst string) string {
	if inst == "" {
		return ""
	}
	return stripInstanceKeys(inst) + "."
}

// follow reads references that are one traversal (with the shorter forms Terraform lists
// beside it) inside module instance inst (cfg is its configuration prefix), returning the
// absolute address of the resource it reaches and the attribute: TYPE.NAME[KEY].ATTR, or
// module.NAME[KEY].OUTPUT whose output expression is followed in turn (the registry modules'
// iam_role_arn = try(aws_iam_role.this[0].arn, null) pattern).
func (p *planReader) follow(inst, cfg string, refs *yaml.Node, depth int) (addr, attr string, ok bool) {
	ref, ok := referenceChain(refs)
	if !ok || depth > maxModuleDepth {
		return "", "", false
	}
	join := func(a string) string {
		if inst == "" {
			return a
		}
		return inst + "." + a
	}
	if rest, isModule := strings.CutPrefix(ref, "module."); isModule {
		call, output, ok := splitTraversal(rest)
		if !ok {
			return "", "", false
		}
		name := stripInstanceKeys(call)
		outputs := attrNode(p.calls[cfg+"module."+name], "outputs")
		expr := attrNode(attrNode(outputs, output), "expression")
		return p.follow(join("module."+call), cfg+"module."+name+".", attrNode(expr, "references"), depth+1)
	}
	typ, rest, _ := strings.Cut(ref, ".")
	switch typ {
	case "var", "local", "data", "each", "count", "path", "terraform", "self", "":
		return "", "", false
	}
	res, attr, ok := splitTraversal(rest)
	if !ok {
		return "", "", false
	}
	return join(typ + "." + res), attr, true
}

// referenceChain returns the longest of an expression's references when every other one is
// a prefix of it (the shorter forms Terraform lists beside a traversal): the expression then
// refers to one thing only.
func referenceChain(refs *yaml.Node) (string, bool) {
	var all []string
	longest := ""
	for _, r := range docnode.Items(refs) {
		s, _ := docnode.Str(r)
		all = append(all, s)
		if len(s) > len(longest) {
			longest = s
		}
	}
	for _, s := range all {
		if !strings.HasPrefix(longest, s) {
			return "", false
		}
	}
	return longest, longest != ""
}

// splitTraversal splits NAME[KEY].ATTR (the key optional) into NAME[KEY] and ATTR, which must
// be the last step.
func splitTraversal(s string) (head, attr string, ok bool) {
	i := strings.LastIndexByte(s, '.')
	if i <= 0 {
		return "", "", false
	}
	head, attr = s[:i], s[i+1:]
	if !isIdentKey(attr) || strings.Contains(stripInstanceKeys(head), ".") || strings.HasPrefix(head, "[") {
		return "", "", false
	}
	return head, attr, true
}

// onlyCluster is the cluster the plan's Kubernetes resources belong to: the only EKS cluster
// it declares, or failing any, the only cluster its access entries and Pod Identity
// associations name; "" (the unnamed cluster) otherwise.
func (p *planReader) onlyCluster() string {
	names := map[string]bool{}
	for _, pr := range p.resources {
		if pr.Mode == "managed" && pr.Type == "aws_eks_cluster" {
			if s, ok := docnode.Str(attrNode(pr.Attrs, "name")); ok && !iampolicy.HasUnknown(s) {
				names[s] = true
			}
		}
	}
	if len(names) == 0 {
		for _, pr := range p.resources {
			switch pr.Type {
			case "aws_eks_access_entry", "aws_eks_access_policy_association", "aws_eks_pod_identity_association":
				if s, ok := docnode.Str(attrNode(pr.Attrs, "cluster_name")); ok && s != "" && !iampolicy.HasUnknown(s) {
					names[s] = true
				}
			}
		}
	}
	if len(names) != 1 {
		return ""
	}
	for n := range names {
		return n
	}
	return ""
}
