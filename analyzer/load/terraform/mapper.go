package terraform

import (
	"fmt"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/awsauth"
	"github.com/rolecall/rolecall/analyzer/load/iamjson"
	"github.com/rolecall/rolecall/analyzer/load/kube"
	"github.com/rolecall/rolecall/analyzer/load/node"
	"github.com/rolecall/rolecall/analyzer/result"
)

// The mapper reads attributes by the names and shapes of the providers' schemas, as
// `terraform show -json` prints them: hashicorp/aws (aws_iam_*, aws_eks_*) and
// hashicorp/kubernetes (kubernetes_service_account, kubernetes_config_map and their _v1
// forms, kubernetes_config_map_v1_data). Nested blocks are lists of mappings.
//
// A value known only after apply (iampolicy.Unknown) is never guessed: a policy document that
// is unknown as a whole is not evaluated (one that is partly unknown goes to iampolicy, which
// sets aside the statements that depend on it); any other element that depends on an unknown
// value — an identifying attribute, an ARN it links to, its groups or username — is skipped
// with a warning naming the value. Only what a role, user, group or policy is known by
// (iamEntity) carries an unknown in its name, so that the element is still analysed and
// references to it still link (see referenceValue).

// iamKinds are the IAM resource types of the entities the mapper declares.
var iamKinds = map[string]string{
	"aws_iam_role": "role", "aws_iam_user": "user", "aws_iam_group": "group", "aws_iam_policy": "policy",
}

// iamEntity is the ARN, name, path and account an aws_iam_role, aws_iam_user, aws_iam_group or
// aws_iam_policy resource is known by: its arn attribute when known (state, or an existing
// object in a plan); otherwise arn:aws:iam:::KIND/PATH/NAME, the convention for an IAM
// entity whose account is unknown (iamjson.UnknownAccountARN). A name left to Terraform
// (name_prefix, or none: the provider generates one) is iampolicy.Unknown(ADDRESS.name): the
// entity is still analysed, and its ARN is stable, so references to it link.
func iamEntity(r *Resource) (arn, name, path, account string) {
	kind := iamKinds[r.Type]
	if s, ok := docnode.Str(attrNode(r.Attrs, "arn")); ok && !iampolicy.HasUnknown(s) {
		if a, ok := iampolicy.ParseARN(s); ok && a.Service == "iam" && strings.HasPrefix(a.Resource, kind+"/") {
			path, name = iamjson.PathAndName(a.Resource)
			return s, name, path, a.Account
		}
	}
	name, _ = docnode.Str(attrNode(r.Attrs, "name"))
	if name == "" {
		name = iampolicy.Unknown(r.Address + ".name")
	}
	path, _ = docnode.Str(attrNode(r.Attrs, "path"))
	if path == "" {
		path = "/"
	}
	return iamjson.UnknownAccountARN(kind, strings.TrimPrefix(path, "/")+name), name, path, ""
}

// providerURL is the host/path of an aws_iam_openid_connect_provider's url ("" when absent).
func providerURL(r *Resource) string {
	s, _ := docnode.Str(attrNode(r.Attrs, "url"))
	return strings.TrimPrefix(s, "https://")
}

// providerARN is the ARN an aws_iam_openid_connect_provider is known by: its arn when known,
// else arn:aws:iam:::oidc-provider/HOST/PATH (iamjson.UnknownAccountProviderARN).
func providerARN(r *Resource) (arn, account string) {
	if s, ok := docnode.Str(attrNode(r.Attrs, "arn")); ok && !iampolicy.HasUnknown(s) {
		if _, ok := iampolicy.OIDCProviderHost(s); ok {
			acct, _ := iampolicy.AccountOfARN(s)
			return s, acct
		}
	}
	return iamjson.UnknownAccountProviderARN(providerURL(r)), ""
}

// referenceValue is what a reference to attribute attr of r evaluates to when Terraform
// computes that attribute (the ARN of a resource it creates): the ARN, name or id an IAM
// entity, OIDC provider or EKS cluster is known by in the inventory, so that a reference
// names the same node as the resource itself. ok is false for other attributes and types.
func referenceValue(r *Resource, attr string) (string, bool) {
	switch r.Type {
	case "aws_iam_role", "aws_iam_user", "aws_iam_group":
		arn, name, _, _ := iamEntity(r)
		switch attr {
		case "arn":
			return arn, true
		case "name", "id":
			return name, true
		}
	case "aws_iam_policy":
		arn, name, _, _ := iamEntity(r)
		switch attr {
		case "arn", "id":
			return arn, true
		case "name":
			return name, true
		}
	case "aws_iam_openid_connect_provider":
		if attr == "arn" || attr == "id" {
			arn, _ := providerARN(r)
			return arn, true
		}
	case "aws_eks_cluster":
		if attr == "name" || attr == "id" {
			return docnode.Str(attrNode(r.Attrs, "name"))
		}
	}
	return "", false
}

// mapResources adds the inventory elements of the resources rolecall understands; other
// resources and data sources are ignored. What others link to is mapped first — IAM entities,
// OIDC providers and clusters, then access entries — so links do not depend on order.
func mapResources(resources []Resource, inv *inventory.Inventory) []result.Diagnostic {
	m := &mapper{inv: inv, declared: map[string]bool{},
		roles: map[string]*inventory.Role{}, users: map[string]*inventory.User{},
		groups: map[string]*inventory.Group{}, entries: map[string]*inventory.AccessEntry{}}
	var todo []*Resource
	for i := range resources {
		if r := &resources[i]; r.Mode != "data" && docnode.IsMap(r.Attrs) {
			todo = append(todo, r)
		}
	}
	sort.SliceStable(todo, func(i, j int) bool { return mapOrder(todo[i].Type) < mapOrder(todo[j].Type) })
	for _, r := range todo {
		switch r.Type {
		case "aws_iam_role":
			m.role(r)
		case "aws_iam_user":
			m.user(r)
		case "aws_iam_group":
			m.group(r)
		case "aws_iam_policy":
			m.managedPolicy(r)
		case "aws_iam_openid_connect_provider":
			m.provider(r)
		case "aws_eks_cluster":
			m.cluster(r)
		case "aws_eks_access_entry":
			m.accessEntry(r)
		case "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy":
			m.inlinePolicy(r)
		case "aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment":
			m.attachment(r)
		case "aws_iam_user_group_membership":
			m.userGroups(r)
		case "aws_iam_group_membership":
			m.groupMembers(r)
		case "aws_eks_access_policy_association":
			m.accessPolicy(r)
		case "aws_eks_pod_identity_association":
			m.podIdentity(r)
		case "kubernetes_service_account", "kubernetes_service_account_v1":
			m.serviceAccount(r)
		case "kubernetes_config_map", "kubernetes_config_map_v1", "kubernetes_config_map_v1_data":
			m.configMap(r)
		}
	}
	return m.diags
}

// mapOrder orders resource types: declarations first, then access entries, then what joins them.
func mapOrder(typ string) int {
	switch typ {
	case "aws_iam_role", "aws_iam_user", "aws_iam_group", "aws_iam_policy", "aws_iam_openid_connect_provider", "aws_eks_cluster":
		return 0
	case "aws_eks_access_entry":
		return 1
	}
	return 2
}

type mapper struct {
	inv   *inventory.Inventory
	diags []result.Diagnostic
	// declared are the ARNs and names of the IAM entities and OIDC providers declared: a value
	// that holds an unknown but equals one of them exactly is a link to it, not a guess.
	declared map[string]bool
	// Join targets by name (IAM names are what attachments and memberships give).
	roles  map[string]*inventory.Role
	users  map[string]*inventory.User
	groups map[string]*inventory.Group
	// entries by entryKey(cluster, principal ARN).
	entries map[string]*inventory.AccessEntry
}

func entryKey(cluster, principal string) string { return cluster + "\x00" + principal }

// ---- reading attribute values ----

// attrNode returns the value of key in mapping n; nil when absent or null.
func attrNode(n *yaml.Node, key string) *yaml.Node {
	v := docnode.Get(n, key)
	if v == nil || docnode.IsNull(v) {
		return nil
	}
	return v
}

// fileOf is the file node n of r was written in.
func (r *Resource) fileOf(n *yaml.Node) string {
	if f, ok := r.Files[n]; ok {
		return f
	}
	return r.Source.File
}

// srcOf is the source of node n of r; r's own source when n is nil or has no position.
func (r *Resource) srcOf(n *yaml.Node) inventory.Source {
	if n == nil || n.Line == 0 {
		return r.Source
	}
	return node.At(r.fileOf(n), n)
}

func (m *mapper) warnf(at inventory.Source, format string, a ...any) {
	m.diags = append(m.diags, node.Diag(result.DiagWarning, at, fmt.Sprintf(format, a...)))
}

func (m *mapper) errorf(at inventory.Source, format string, a ...any) {
	m.diags = append(m.diags, node.Diag(result.DiagError, at, fmt.Sprintf(format, a...)))
}

// unknown reports whether n holds a value known only after apply (anywhere below it) and, if
// so, warns at n that attribute path of r is therefore not analysed (consequence says what).
func (m *mapper) unknown(r *Resource, n *yaml.Node, path, consequence string) bool {
	u := iampolicy.UnknownsBelow(n)
	if len(u) == 0 {
		return false
	}
	m.warnUnknown(r, n, path, u, consequence)
	return true
}

// wholeUnknown is unknown for a policy document: only a document unknown as a whole is set
// aside here; unknowns inside it are iampolicy's to handle, statement by statement.
func (m *mapper) wholeUnknown(r *Resource, n *yaml.Node, path, consequence string) bool {
	s, ok := docnode.Str(n)
	if !ok {
		return false
	}
	t := strings.TrimSpace(s)
	u := iampolicy.UnknownsIn(t)
	if len(u) != 1 || t != iampolicy.Unknown(u[0]) {
		return false
	}
	m.warnUnknown(r, n, path, u, consequence)
	return true
}

func (m *mapper) warnUnknown(r *Resource, n *yaml.Node, path string, unknowns []string, consequence string) {
	if len(unknowns) == 1 && strings.HasSuffix(unknowns[0], sensitiveSuffix) {
		m.warnf(r.srcOf(n), "%s: %s is sensitive in the plan, so rolecall does not read it; %s", r.Address, path, consequence)
		return
	}
	if len(unknowns) == 1 && unknowns[0] == r.Address+"."+path {
		m.warnf(r.srcOf(n), "%s: %s is known only after apply; %s", r.Address, path, consequence)
		return
	}
	m.warnf(r.srcOf(n), "%s: %s depends on %s, known only after apply; %s", r.Address, path, strings.Join(unknowns, ", "), consequence)
}

// lastKey is the attribute key at the end of a path ("metadata[0].name" → "name").
func lastKey(path string) string { return path[strings.LastIndexByte(path, '.')+1:] }

// str reads the optional string attribute at the end of path in mapping parent. n is nil when
// it is absent; ok is false when it is not a scalar (an error) or holds an unknown (a warning
// saying consequence).
func (m *mapper) str(r *Resource, parent *yaml.Node, path, consequence string) (s string, n *yaml.Node, ok bool) {
	return m.value(r, parent, path, consequence, false)
}

// link is str for a value that names another element (an ARN, an IAM name): one that holds
// an unknown is accepted when it is exactly what a declared entity is known by.
func (m *mapper) link(r *Resource, parent *yaml.Node, path, consequence string) (s string, n *yaml.Node, ok bool) {
	return m.value(r, parent, path, consequence, true)
}

func (m *mapper) value(r *Resource, parent *yaml.Node, path, consequence string, link bool) (string, *yaml.Node, bool) {
	n := attrNode(parent, lastKey(path))
	if n == nil {
		return "", nil, true
	}
	s, isScalar := docnode.Str(n)
	if !isScalar {
		m.errorf(r.srcOf(n), "%s: %s must be a string, not a %s", r.Address, path, node.KindName(n))
		return "", nil, false
	}
	if !(link && m.declared[s]) && m.unknown(r, n, path, consequence) {
		return "", nil, false
	}
	return s, n, true
}

// need is str (or link) for an attribute the element cannot do without; ok is false, with a
// warning, when it is absent or empty.
func (m *mapper) need(r *Resource, parent *yaml.Node, path, consequence string, link bool) (string, bool) {
	s, n, ok := m.value(r, parent, path, consequence, link)
	switch {
	case !ok:
		return "", false
	case n == nil:
		m.warnf(r.srcOf(parent), "%s has no %s; %s", r.Address, path, consequence)
		return "", false
	case s == "":
		m.warnf(r.srcOf(n), "%s: %s is empty; %s", r.Address, path, consequence)
		return "", false
	}
	return s, true
}

// strList reads a list (or set) of strings; nil when absent. ok is false when it is not a
// list (an error) or an element holds an unknown (a warning); with link, elements that name a
// declared entity are accepted (see link) and other unknown elements are left out.
func (m *mapper) strList(r *Resource, parent *yaml.Node, path, consequence string, link bool) (out []string, ok bool) {
	n := attrNode(parent, lastKey(path))
	if n == nil {
		return nil, true
	}
	if n.Kind == yaml.ScalarNode && m.unknown(r, n, path, consequence) {
		return nil, false
	}
	if n.Kind != yaml.SequenceNode {
		m.errorf(r.srcOf(n), "%s: %s must be a list of strings, not a %s", r.Address, path, node.KindName(n))
		return nil, false
	}
	out, ok = []string{}, true
	for i, it := range docnode.Items(n) {
		ip := fmt.Sprintf("%s[%d]", path, i)
		s, isScalar := docnode.Str(it)
		switch {
		case !isScalar:
			m.errorf(r.srcOf(it), "%s: %s must be a string, not a %s", r.Address, ip, node.KindName(it))
		case link && m.declared[s]:
			out = append(out, s)
		case m.unknown(r, it, ip, consequence):
			ok = ok && link
		default:
			out = append(out, s)
		}
	}
	if !ok {
		return nil, false
	}
	return out, true
}

// boolean reads a bool attribute (false when absent); ok as for str.
func (m *mapper) boolean(r *Resource, parent *yaml.Node, path, consequence string) (bool, bool) {
	s, n, ok := m.str(r, parent, path, consequence)
	if n == nil {
		return false, ok
	}
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	m.errorf(r.srcOf(n), "%s: %s must be true or false, not %q", r.Address, path, s)
	return false, false
}

// blocks returns the mappings of nested block key of parent (a list of mappings, or a single
// mapping); nil when absent. ok is false when the block is unknown (a warning) or not blocks
// (an error).
func (m *mapper) blocks(r *Resource, parent *yaml.Node, path, consequence string) (out []*yaml.Node, ok bool) {
	n := attrNode(parent, lastKey(path))
	switch {
	case n == nil:
		return nil, true
	case n.Kind == yaml.MappingNode:
		return []*yaml.Node{n}, true
	case n.Kind == yaml.ScalarNode && m.unknown(r, n, path, consequence):
		return nil, false
	case n.Kind != yaml.SequenceNode:
		m.errorf(r.srcOf(n), "%s: %s must be a block (a list of mappings), not a %s", r.Address, path, node.KindName(n))
		return nil, false
	}
	for i, it := range docnode.Items(n) {
		if it.Kind == yaml.ScalarNode && m.unknown(r, it, fmt.Sprintf("%s[%d]", path, i), consequence) {
			return nil, false
		}
		if it.Kind != yaml.MappingNode {
			m.errorf(r.srcOf(it), "%s: %s[%d] must be a block (a mapping), not a %s", r.Address, path, i, node.KindName(it))
			continue
		}
		out = append(out, it)
	}
	return out, true
}

// block is the first of blocks (nil when absent).
func (m *mapper) block(r *Resource, parent *yaml.Node, path, consequence string) (*yaml.Node, bool) {
	bs, ok := m.blocks(r, parent, path, consequence)
	if len(bs) == 0 {
		return nil, ok
	}
	return bs[0], ok
}

// document parses the policy document at key of r (nil when absent or unknown as a whole);
// identity selects identity-policy validation rather than trust-policy validation.
func (m *mapper) document(r *Resource, parent *yaml.Node, path, consequence string, identity bool) *iampolicy.Policy {
	n := attrNode(parent, lastKey(path))
	if n == nil || m.wholeUnknown(r, n, path, consequence) {
		return nil
	}
	if identity {
		return iampolicy.ParseIdentityNode(n, r.fileOf(n))
	}
	return iampolicy.ParseNode(n, r.fileOf(n))
}

// tags reads a tags map; values known only after apply are left out (with a warning).
func (m *mapper) tags(r *Resource) map[string]string {
	n := attrNode(r.Attrs, "tags")
	if n == nil || m.unknown(r, n, "tags", "tags are not analysed") || n.Kind != yaml.MappingNode {
		return nil
	}
	out := map[string]string{}
	for _, p := range docnode.Pairs(n) {
		if s, ok := docnode.Str(p[1]); ok {
			out[p[0].Value] = s
		}
	}
	return out
}

// ---- IAM ----

// declare records what an IAM entity or OIDC provider is known by, for links (see link).
func (m *mapper) declare(arn, name string) {
	m.declared[arn] = true
	if name != "" {
		m.declared[name] = true
	}
}

func (m *mapper) role(r *Resource) {
	arn, name, path, account := iamEntity(r)
	role := &inventory.Role{ID: inventory.RoleID(arn), ARN: arn, Name: name, Path: path, Account: account, Source: r.Source}
	m.declare(arn, name)
	role.Trust = m.document(r, r.Attrs, "assume_role_policy", "the trust policy is not evaluated", false)
	role.InlinePolicies = m.inlineBlocks(r)
	role.AttachedPolicies, _ = m.strList(r, r.Attrs, "managed_policy_arns", "that attached policy is not analysed", true)
	role.PermissionsBoundary = m.boundary(r)
	role.Tags = m.tags(r)
	m.inv.Roles = append(m.inv.Roles, role)
	m.roles[name] = role
}

func (m *mapper) user(r *Resource) {
	arn, name, path, account := iamEntity(r)
	m.declare(arn, name)
	u := &inventory.User{ID: inventory.PrincipalID(arn), ARN: arn, Name: name, Path: path, Account: account, Source: r.Source}
	u.PermissionsBoundary = m.boundary(r)
	u.Tags = m.tags(r)
	m.inv.Users = append(m.inv.Users, u)
	m.users[name] = u
}

func (m *mapper) group(r *Resource) {
	arn, name, _, account := iamEntity(r)
	m.declare(arn, name)
	g := &inventory.Group{ID: inventory.PrincipalID(arn), ARN: arn, Name: name, Account: account, Source: r.Source}
	m.inv.Groups = append(m.inv.Groups, g)
	m.groups[name] = g
}

func (m *mapper) managedPolicy(r *Resource) {
	arn, name, _, _ := iamEntity(r)
	m.declare(arn, "")
	m.inv.ManagedPolicies = append(m.inv.ManagedPolicies, &inventory.ManagedPolicy{
		ID: inventory.PrincipalID(arn), ARN: arn, Name: name, Source: r.Source,
		Default: m.document(r, r.Attrs, "policy", "the policy document is not evaluated", true),
	})
}

// inlineBlocks reads an aws_iam_role's inline_policy blocks. The provider keeps an empty block
// (no name, no policy) to mean "no inline policies"; it is skipped.
func (m *mapper) inlineBlocks(r *Resource) []inventory.NamedPolicy {
	bs, _ := m.blocks(r, r.Attrs, "inline_policy", "the inline policies are not analysed")
	var out []inventory.NamedPolicy
	for i, b := range bs {
		if attrNode(b, "policy") == nil {
			continue
		}
		doc := m.document(r, b, fmt.Sprintf("inline_policy[%d].policy", i), "that inline policy is not evaluated", true)
		if doc == nil {
			continue
		}
		name, _ := docnode.Str(attrNode(b, "name"))
		out = append(out, inventory.NamedPolicy{Name: name, Document: doc, Source: r.srcOf(b)})
	}
	return out
}

func (m *mapper) boundary(r *Resource) string {
	s, _, _ := m.link(r, r.Attrs, "permissions_boundary", "the permissions boundary is not analysed")
	return s
}

// principalPolicies are the identity policies of a role, user or group, to attach to.
type principalPolicies struct {
	inline   *[]inventory.NamedPolicy
	attached *[]string
}

// principal finds the role, user or group named by attribute attr ("role", "user", "group")
// of r: a name, or an ARN as some configurations pass. ok is false, with a warning, when it
// is unknown or not declared in the configuration.
func (m *mapper) principal(r *Resource, attr, consequence string) (principalPolicies, bool) {
	name, ok := m.need(r, r.Attrs, attr, consequence, true)
	if !ok {
		return principalPolicies{}, false
	}
	if a, isARN := iampolicy.ParseARN(name); isARN {
		_, name = iamjson.PathAndName(a.Resource)
	}
	switch attr {
	case "role":
		if p := m.roles[name]; p != nil {
			return principalPolicies{&p.InlinePolicies, &p.AttachedPolicies}, true
		}
	case "user":
		if p := m.users[name]; p != nil {
			return principalPolicies{&p.InlinePolicies, &p.AttachedPolicies}, true
		}
	case "group":
		if p := m.groups[name]; p != nil {
			return principalPolicies{&p.InlinePolicies, &p.AttachedPolicies}, true
		}
	}
	m.warnf(r.Source, "%s: %s %q is not declared in the configuration read; %s", r.Address, attr, name, consequence)
	return principalPolicies{}, false
}

// ownerAttr is the attribute naming the principal of an inline policy or attachment type.
func ownerAttr(typ string) string {
	switch {
	case strings.HasPrefix(typ, "aws_iam_role_"):
		return "role"
	case strings.HasPrefix(typ, "aws_iam_user_"):
		return "user"
	}
	return "group"
}

// inlinePolicy reads aws_iam_role_policy, aws_iam_user_policy and aws_iam_group_policy.
func (m *mapper) inlinePolicy(r *Resource) {
	const consequence = "the inline policy is not analysed"
	p, ok := m.principal(r, ownerAttr(r.Type), consequence)
	if !ok {
		return
	}
	doc := m.document(r, r.Attrs, "policy", consequence, true)
	if doc == nil {
		return
	}
	name, _ := docnode.Str(attrNode(r.Attrs, "name"))
	*p.inline = append(*p.inline, inventory.NamedPolicy{Name: name, Document: doc, Source: r.Source})
}

// attachment reads aws_iam_{role,user,group}_policy_attachment.
func (m *mapper) attachment(r *Resource) {
	const consequence = "the attachment is not analysed"
	p, ok := m.principal(r, ownerAttr(r.Type), consequence)
	if !ok {
		return
	}
	arn, ok := m.need(r, r.Attrs, "policy_arn", consequence, true)
	if !ok || hasString(*p.attached, arn) {
		return
	}
	*p.attached = append(*p.attached, arn)
}

// userGroups reads aws_iam_user_group_membership (one user, several groups).
func (m *mapper) userGroups(r *Resource) {
	const consequence = "the group membership is not analysed"
	user, ok := m.need(r, r.Attrs, "user", consequence, true)
	if !ok {
		return
	}
	groups, ok := m.strList(r, r.Attrs, "groups", consequence, true)
	if !ok {
		return
	}
	m.join(r, user, groups)
}

// groupMembers reads aws_iam_group_membership (one group, several users).
func (m *mapper) groupMembers(r *Resource) {
	const consequence = "the group membership is not analysed"
	group, ok := m.need(r, r.Attrs, "group", consequence, true)
	if !ok {
		return
	}
	users, ok := m.strList(r, r.Attrs, "users", consequence, true)
	if !ok {
		return
	}
	for _, u := range users {
		m.join(r, u, []string{group})
	}
}

func (m *mapper) join(r *Resource, user string, groups []string) {
	u := m.users[user]
	if u == nil {
		m.warnf(r.Source, "%s: user %q is not declared in the configuration read; the group membership is not analysed", r.Address, user)
		return
	}
	for _, g := range groups {
		if !hasString(u.Groups, g) {
			u.Groups = append(u.Groups, g)
		}
	}
	sort.Strings(u.Groups)
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (m *mapper) provider(r *Resource) {
	const consequence = "the OIDC provider is not analysed"
	if _, ok := m.need(r, r.Attrs, "url", consequence, false); !ok {
		return
	}
	arn, account := providerARN(r)
	m.declare(arn, "")
	p := &inventory.OIDCProvider{ID: inventory.OIDCProviderID(arn), ARN: arn, Account: account, URL: providerURL(r), Source: r.Source}
	p.ClientIDs, _ = m.strList(r, r.Attrs, "client_id_list", "the audiences it accepts are not checked", false)
	p.Thumbprints, _ = m.strList(r, r.Attrs, "thumbprint_list", "its thumbprints are not analysed", false)
	m.inv.OIDCProviders = append(m.inv.OIDCProviders, p)
}

// ---- EKS ----

// cluster reads aws_eks_cluster. Its OIDC issuer is computed (known in state, or for a
// cluster that exists); without an access_config block the cluster is created in CONFIG_MAP
// mode (AuthenticationMode "", semantics E1.1).
func (m *mapper) cluster(r *Resource) {
	const consequence = "the cluster is not analysed"
	name, ok := m.need(r, r.Attrs, "name", consequence, false)
	if !ok {
		return
	}
	c := &inventory.Cluster{ID: inventory.ClusterID(name), Name: name, Source: r.Source}
	if s, ok := docnode.Str(attrNode(r.Attrs, "arn")); ok && !iampolicy.HasUnknown(s) {
		if a, ok := iampolicy.ParseARN(s); ok && a.Service == "eks" && strings.HasPrefix(a.Resource, "cluster/") {
			c.ARN, c.Account, c.Region = s, a.Account, a.Region
		}
	}
	if s, ok := docnode.Str(attrNode(firstOf(firstOf(r.Attrs, "identity"), "oidc"), "issuer")); ok && !iampolicy.HasUnknown(s) {
		c.Issuer = s
	}
	ac, ok := m.block(r, r.Attrs, "access_config", consequence)
	if !ok {
		return
	}
	if c.AuthenticationMode, _, ok = m.str(r, ac, "access_config[0].authentication_mode", consequence); !ok {
		return
	}
	m.inv.Clusters = append(m.inv.Clusters, c)
}

// firstOf is the first mapping of a computed nested block, nil when absent or unknown.
func firstOf(n *yaml.Node, key string) *yaml.Node {
	v := attrNode(n, key)
	if v != nil && v.Kind == yaml.SequenceNode && len(v.Content) > 0 {
		v = docnode.Resolve(v.Content[0])
	}
	if !docnode.IsMap(v) {
		return nil
	}
	return v
}

func (m *mapper) accessEntry(r *Resource) {
	const consequence = "the access entry is not analysed"
	cluster, ok1 := m.need(r, r.Attrs, "cluster_name", consequence, false)
	principal, ok2 := m.need(r, r.Attrs, "principal_arn", consequence, true)
	if !ok1 || !ok2 {
		return
	}
	typ, _, ok3 := m.str(r, r.Attrs, "type", consequence)
	user, _, ok4 := m.str(r, r.Attrs, "user_name", consequence)
	groups, ok5 := m.strList(r, r.Attrs, "kubernetes_groups", consequence, false)
	if !ok3 || !ok4 || !ok5 {
		return
	}
	if old := m.entries[entryKey(cluster, principal)]; old != nil {
		m.warnf(r.Source, "%s: cluster %s already has an access entry for %s at %s; only that one is analysed", r.Address, cluster, principal, old.Source)
		return
	}
	e := &inventory.AccessEntry{
		ID: inventory.AccessEntryID(cluster, principal), Cluster: cluster, PrincipalARN: principal,
		Type: typ, Username: user, KubernetesGroups: groups, Source: r.Source,
	}
	m.entries[entryKey(cluster, principal)] = e
	m.inv.AccessEntries = append(m.inv.AccessEntries, e)
}

// accessPolicy reads aws_eks_access_policy_association and joins it to the access entry of
// the same cluster and principal; without one in the configuration it is recorded on an
// entry of its own, which the loader's merge joins with one read from another input.
func (m *mapper) accessPolicy(r *Resource) {
	const consequence = "the access policy association is not analysed"
	cluster, ok1 := m.need(r, r.Attrs, "cluster_name", consequence, false)
	principal, ok2 := m.need(r, r.Attrs, "principal_arn", consequence, true)
	policy, ok3 := m.need(r, r.Attrs, "policy_arn", consequence, false)
	if !ok1 || !ok2 || !ok3 {
		return
	}
	scope, ok := m.block(r, r.Attrs, "access_scope", consequence)
	if !ok {
		return
	}
	typ, _, ok4 := m.str(r, scope, "access_scope[0].type", consequence)
	namespaces, ok5 := m.strList(r, scope, "access_scope[0].namespaces", consequence, false)
	if !ok4 || !ok5 {
		return
	}
	e := m.entries[entryKey(cluster, principal)]
	if e == nil {
		e = &inventory.AccessEntry{ID: inventory.AccessEntryID(cluster, principal), Cluster: cluster,
			PrincipalARN: principal, Policies: []inventory.AccessPolicy{}, Source: r.Source}
		m.entries[entryKey(cluster, principal)] = e
		m.inv.AccessEntries = append(m.inv.AccessEntries, e)
	}
	e.Policies = append(e.Policies, inventory.AccessPolicy{
		ID: inventory.AccessPolicyID(e.ID, policy), PolicyARN: policy, ScopeType: typ, Namespaces: namespaces, Source: r.Source,
	})
}

func (m *mapper) podIdentity(r *Resource) {
	const consequence = "the Pod Identity association is not analysed"
	cluster, ok1 := m.need(r, r.Attrs, "cluster_name", consequence, false)
	ns, ok2 := m.need(r, r.Attrs, "namespace", consequence, false)
	sa, ok3 := m.need(r, r.Attrs, "service_account", consequence, false)
	role, ok4 := m.need(r, r.Attrs, "role_arn", consequence, true)
	target, _, ok5 := m.link(r, r.Attrs, "target_role_arn", consequence)
	noTags, ok6 := m.boolean(r, r.Attrs, "disable_session_tags", consequence)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return
	}
	p := &inventory.PodIdentityAssociation{
		ID: inventory.PodIdentityID(cluster, ns, sa), Cluster: cluster, Namespace: ns, ServiceAccount: sa,
		RoleARN: role, TargetRoleARN: target, DisableSessionTags: noTags, Source: r.Source,
	}
	// Outputs of the association: unknown until it is created, and only informative.
	for _, f := range []struct {
		dst *string
		key string
	}{{&p.ExternalID, "external_id"}, {&p.AssociationARN, "association_arn"}} {
		if s, ok := docnode.Str(attrNode(r.Attrs, f.key)); ok && !iampolicy.HasUnknown(s) {
			*f.dst = s
		}
	}
	m.inv.PodIdentity = append(m.inv.PodIdentity, p)
}

// ---- Kubernetes ----

// metadata reads the name and namespace of a kubernetes_* resource's metadata block.
func (m *mapper) metadata(r *Resource, consequence string) (meta *yaml.Node, name, namespace string, ok bool) {
	meta, ok = m.block(r, r.Attrs, "metadata", consequence)
	if !ok {
		return nil, "", "", false
	}
	if meta == nil {
		m.warnf(r.Source, "%s has no metadata block; %s", r.Address, consequence)
		return nil, "", "", false
	}
	if name, ok = m.need(r, meta, "metadata[0].name", consequence, false); !ok {
		return nil, "", "", false
	}
	if namespace, _, ok = m.str(r, meta, "metadata[0].namespace", consequence); !ok {
		return nil, "", "", false
	}
	return meta, name, namespace, true
}

// serviceAccount reads kubernetes_service_account(_v1) into a ServiceAccount of r's cluster;
// an annotation whose value is known only after apply is left out, with a warning, unless it
// is exactly what a declared role is known by (see link).
func (m *mapper) serviceAccount(r *Resource) {
	meta, name, ns, ok := m.metadata(r, "the ServiceAccount is not analysed")
	if !ok {
		return
	}
	sa := kube.NewServiceAccount(r.Cluster, ns, name, r.Source)
	ann := attrNode(meta, "annotations")
	switch {
	case ann == nil:
	case ann.Kind == yaml.ScalarNode && m.unknown(r, ann, "metadata[0].annotations", "its annotations are not analysed"):
	case ann.Kind != yaml.MappingNode:
		m.errorf(r.srcOf(ann), "%s: metadata[0].annotations must be a map of strings, not a %s", r.Address, node.KindName(ann))
	default:
		for _, p := range docnode.Pairs(ann) {
			k, v := p[0], p[1]
			path := "metadata[0].annotations" + keyPath(k.Value)
			val, isScalar := docnode.Str(v)
			switch {
			case m.unknown(r, k, path, "the annotation is not analysed"):
			case !isScalar && !docnode.IsNull(v):
				m.errorf(r.srcOf(v), "%s: %s must be a string, not a %s", r.Address, path, node.KindName(v))
			case m.declared[val] || !m.unknown(r, v, path, "the annotation is not analysed"):
				kube.Annotate(sa, k.Value, val, r.srcOf(k))
			}
		}
	}
	m.inv.ServiceAccounts = append(m.inv.ServiceAccounts, sa)
}

// configMap reads the aws-auth ConfigMap (kubernetes_config_map, _v1) or the data a
// kubernetes_config_map_v1_data writes into it; other ConfigMaps are not rolecall's. The
// authenticator reads only kube-system/aws-auth (semantics D1.1); the provider's default
// namespace is "default". A data value known only after apply as a whole (in a plan, the
// yamlencode of a list naming a role created by the same apply) is left out, with a warning:
// its section is not analysed.
func (m *mapper) configMap(r *Resource) {
	if name, _ := docnode.Str(attrNode(firstOf(r.Attrs, "metadata"), "name")); name != "aws-auth" {
		return
	}
	const consequence = "the aws-auth ConfigMap is not analysed"
	_, _, ns, ok := m.metadata(r, consequence)
	if !ok {
		return
	}
	if ns == "" {
		ns = "default"
	}
	if ns != "kube-system" {
		m.warnf(r.Source, "%s: ConfigMap aws-auth in namespace %q is ignored: aws-iam-authenticator reads only kube-system/aws-auth", r.Address, ns)
		return
	}
	data := attrNode(r.Attrs, "data")
	if data != nil && data.Kind == yaml.ScalarNode && m.unknown(r, data, "data", consequence) {
		return
	}
	if data != nil && data.Kind == yaml.MappingNode {
		known := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: data.Line, Column: data.Column}
		for _, p := range docnode.Pairs(data) {
			if !m.wholeUnknown(r, p[1], "data"+keyPath(p[0].Value), "that section is not analysed") {
				known.Content = append(known.Content, p[0], p[1])
			}
		}
		if f, ok := r.Files[data]; ok {
			r.Files[known] = f
		}
		data = known
	}
	a, diags := awsauth.FromData(r.fileOf(data), data, r.Source, r.Cluster)
	m.diags = append(m.diags, diags...)
	if a != nil {
		m.diags = append(m.diags, awsauth.Add(m.inv, a)...)
	}
}
