// Package cfn reads CloudFormation templates (YAML with short-form intrinsics, or JSON): IAM
// roles, OIDC providers, EKS clusters, access entries and Pod Identity associations. Intrinsic
// functions are evaluated with the parameters' defaults; what stays unknown until deployment
// is kept as an unknown value (iampolicy.Unknown), never guessed.
package cfn

import (
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/iamjson"
	"github.com/rolecall/rolecall/analyzer/load/node"
	"github.com/rolecall/rolecall/analyzer/result"
)

// Resource types read (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/).
const (
	typeRole          = "AWS::IAM::Role"
	typeOIDCProvider  = "AWS::IAM::OIDCProvider"
	typeManagedPolicy = "AWS::IAM::ManagedPolicy"
	typePolicy        = "AWS::IAM::Policy"
	typeRolePolicy    = "AWS::IAM::RolePolicy"
	typeCluster       = "AWS::EKS::Cluster"
	typeAccessEntry   = "AWS::EKS::AccessEntry"
	typePodIdentity   = "AWS::EKS::PodIdentityAssociation"
)

// Load recognises a CloudFormation template and adds what it declares to inv. A template is a
// mapping with AWSTemplateFormatVersion, or whose Resources are all typed resources, one at
// least an AWS:: or Custom:: type (Kubernetes objects and eksctl files, which have kind, are
// never taken). Elements are located at their logical IDs, policy statements and conditions
// at the lines they are written on.
func Load(doc *docnode.Document, inv *inventory.Inventory) (recognized bool, diags []result.Diagnostic) {
	if doc == nil || doc.Root == nil || inv == nil {
		return false, nil
	}
	root := docnode.Resolve(doc.Root)
	if !isTemplate(root) {
		return false, nil
	}
	t := newTemplate(doc, root)
	t.load(inv)
	return true, t.Diags
}

func isTemplate(m *yaml.Node) bool {
	if !docnode.IsMap(m) || docnode.HasKeys(m, "kind") || docnode.HasKeys(m, "apiVersion") {
		return false
	}
	if docnode.HasKeys(m, "AWSTemplateFormatVersion") {
		return true
	}
	aws := false
	for _, kv := range docnode.Pairs(docnode.Get(m, "Resources")) {
		if strings.HasPrefix(kv[0].Value, "Fn::ForEach::") {
			continue
		}
		typ, ok := docnode.Str(docnode.Get(kv[1], "Type"))
		if !ok || !strings.Contains(typ, "::") {
			return false
		}
		aws = aws || strings.HasPrefix(typ, "AWS::") || strings.HasPrefix(typ, "Custom::")
	}
	return aws
}

type param struct {
	typ string
	def *yaml.Node
}

type resource struct {
	id, typ string
	key     *yaml.Node // the logical ID
	body    *yaml.Node
	props   *yaml.Node // nil when the resource has no Properties
}

func (r *resource) what() string { return r.typ + " " + r.id }

// template is one template being read: its sections, the evaluation state and diagnostics.
type template struct {
	node.Reader
	lines      []string // the file, for positions inside strings
	params     map[string]*param
	mappings   *yaml.Node
	conditions map[string]*yaml.Node
	resources  map[string]*resource
	order      []*resource
	memo       map[string]*yaml.Node // evaluated resource properties
	condMemo   map[string]tri
	busy       map[string]bool // properties and conditions being evaluated (cycles)
	texts      map[*yaml.Node][]pos
	fromSource map[*yaml.Node]bool
	said       map[string]bool // diagnostics already reported
	depth      int
	steps      int
}

func newTemplate(doc *docnode.Document, root *yaml.Node) *template {
	t := &template{
		Reader:     node.Reader{File: doc.File},
		lines:      strings.Split(string(doc.Data), "\n"),
		params:     map[string]*param{},
		conditions: map[string]*yaml.Node{},
		resources:  map[string]*resource{},
		memo:       map[string]*yaml.Node{},
		condMemo:   map[string]tri{},
		busy:       map[string]bool{},
		texts:      map[*yaml.Node][]pos{},
		fromSource: map[*yaml.Node]bool{},
		said:       map[string]bool{},
	}
	for _, kv := range docnode.Pairs(docnode.Get(root, "Parameters")) {
		typ, _ := docnode.Str(docnode.Get(kv[1], "Type"))
		t.params[kv[0].Value] = &param{typ: typ, def: docnode.Get(kv[1], "Default")}
	}
	t.mappings = docnode.Get(root, "Mappings")
	for _, kv := range docnode.Pairs(docnode.Get(root, "Conditions")) {
		t.conditions[kv[0].Value] = kv[1]
	}
	if _, tv := docnode.Lookup(root, "Transform"); tv != nil {
		names := []*yaml.Node{tv}
		if tv.Kind == yaml.SequenceNode {
			names = docnode.Items(tv)
		}
		for _, n := range names {
			if s, _ := scalar(n); s != "AWS::LanguageExtensions" {
				t.warn(n, "the template's transform %s is not applied: resources it adds or changes are not analysed", render(n))
			}
		}
	}
	rk, rv := docnode.Lookup(root, "Resources")
	if rk != nil && !docnode.IsNull(rv) && !docnode.IsMap(rv) {
		t.Errorf(rv, "Resources must be a mapping of logical IDs to resources")
	}
	for _, kv := range docnode.Pairs(rv) {
		id, body := kv[0].Value, kv[1]
		if strings.HasPrefix(id, "Fn::ForEach::") {
			t.warn(kv[0], "%s is not expanded: the resources it generates are not analysed", id)
			continue
		}
		if !docnode.IsMap(body) {
			t.Errorf(body, "resource %s must be a mapping with Type and Properties", id)
			continue
		}
		typ, tv := t.Str(body, "Type", "resource "+id)
		if tv == nil || typ == "" {
			t.Errorf(kv[0], "resource %s has no Type (expected e.g. Type: AWS::IAM::Role)", id)
			continue
		}
		res := &resource{id: id, typ: typ, key: kv[0], body: body}
		if _, pv := docnode.Lookup(body, "Properties"); pv != nil && !docnode.IsNull(pv) {
			if docnode.IsMap(pv) {
				res.props = pv
			} else {
				t.Errorf(pv, "%s: Properties must be a mapping", res.what())
			}
		}
		t.resources[id] = res
		t.order = append(t.order, res)
	}
	return t
}

// fail records an error at n once.
func (t *template) fail(n *yaml.Node, format string, a ...any) { t.say(true, n, format, a...) }

// warn records a warning at n once.
func (t *template) warn(n *yaml.Node, format string, a ...any) { t.say(false, n, format, a...) }

func (t *template) say(isErr bool, n *yaml.Node, format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	key := fmt.Sprint(isErr, msg)
	if n != nil {
		key = fmt.Sprint(isErr, n.Line, n.Column, msg)
	}
	if t.said[key] {
		return
	}
	t.said[key] = true
	if isErr {
		t.Errorf(n, "%s", msg)
	} else {
		t.Warnf(n, "%s", msg)
	}
}

// load adds the resources rolecall reads to inv: first roles and the other principals'
// resources, then the policies attached to the roles.
func (t *template) load(inv *inventory.Inventory) {
	roles := map[string]*inventory.Role{}
	var attached []*resource
	for _, res := range t.order {
		switch res.typ {
		case typeRole, typeOIDCProvider, typeCluster, typeAccessEntry, typePodIdentity,
			typeManagedPolicy, typePolicy, typeRolePolicy:
		default:
			continue
		}
		if !t.created(res) {
			continue
		}
		switch res.typ {
		case typeRole:
			r := t.role(res)
			inv.Roles = append(inv.Roles, r)
			roles[r.Name] = r
		case typeOIDCProvider:
			t.provider(res, inv)
		case typeCluster:
			t.cluster(res, inv)
		case typeAccessEntry:
			t.accessEntry(res, inv)
		case typePodIdentity:
			t.podIdentity(res, inv)
		default:
			attached = append(attached, res)
		}
	}
	for _, res := range attached {
		t.attachedPolicy(res, roles, inv)
	}
}

// created reports whether res exists with the parameters' defaults: a resource whose Condition
// is false is not created; one whose Condition is not decidable is analysed, with a warning.
func (t *template) created(res *resource) bool {
	_, c := docnode.Lookup(res.body, "Condition")
	if c == nil {
		return true
	}
	name, ok := scalar(c)
	if !ok {
		t.fail(c, "%s: Condition must be the name of a condition", res.what())
		return true
	}
	switch t.condition(name, c) {
	case triFalse:
		return false
	case triUnknown:
		t.warn(c, "%s is created only when condition %s holds, which depends on values known only after deployment; it is analysed as if created", res.what(), name)
	}
	return true
}

// props is the evaluated Properties mapping of res (properties set to AWS::NoValue dropped).
func (t *template) props(res *resource) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: res.key.Line, Column: res.key.Column}
	if res.props != nil {
		m.Line, m.Column = res.props.Line, res.props.Column
	}
	for _, kv := range docnode.Pairs(res.props) {
		if v := t.prop(res, kv[0].Value); v != nil {
			m.Content = append(m.Content, kv[0], v)
		}
	}
	return m
}

// value returns the value at key of evaluated mapping m for a caller that needs a list or a
// mapping there: a value unknown until deployment is reported (a warning naming what it
// depends on) and nil is returned.
func (t *template) value(m *yaml.Node, key, what string) *yaml.Node {
	_, v := docnode.Lookup(m, key)
	if isUnknownScalar(v) {
		t.warn(v, "%s: %s is %s, known only after deployment: it is not analysed", what, key, unknowns(v.Value))
		return nil
	}
	return v
}

// unknowns lists the unknown expressions of s for messages.
func unknowns(s string) string { return strings.Join(iampolicy.UnknownsIn(s), ", ") }

// strList is node.Reader.StrList that reports a list unknown until deployment as a warning.
func (t *template) strList(m *yaml.Node, key, what string) []string {
	if t.value(m, key, what) == nil {
		return nil
	}
	return t.StrList(m, key, what)
}

// objects is node.Reader.Objects that reports a list unknown until deployment as a warning.
func (t *template) objects(m *yaml.Node, key, what string) []*yaml.Node {
	if t.value(m, key, what) == nil {
		return nil
	}
	return t.Objects(m, key, what)
}

// need reads a required string property; a missing one is an error at the resource.
func (t *template) need(res *resource, m *yaml.Node, key string) (string, *yaml.Node, bool) {
	s, v := t.Str(m, key, res.what())
	if v == nil || s == "" {
		t.fail(res.key, "%s has no %s (required)", res.what(), key)
		return "", nil, false
	}
	return s, v, true
}

// known warns when a value an element is identified or linked by is unknown until deployment.
func (t *template) known(v *yaml.Node, what, key, consequence string) {
	if v != nil && iampolicy.HasUnknown(v.Value) {
		t.warn(v, "%s: %s is %s, known only after deployment: %s", what, key, unknowns(v.Value), consequence)
	}
}

// policy evaluates the policy document at key of m: a mapping, or a JSON string (positioned
// line by line when the string's characters can be located). A document unknown until
// deployment, as a whole or at its top level, is reported and nil is returned.
func (t *template) policy(m *yaml.Node, key, what, kind string, identity bool) *iampolicy.Policy {
	_, v := docnode.Lookup(m, key)
	if v == nil {
		return nil
	}
	doc := v
	if v.Kind == yaml.ScalarNode {
		if d, ok := t.jsonDocument(v); ok {
			doc = d
		} else if iampolicy.HasUnknown(v.Value) {
			t.warn(v, "%s: %s is %s, known only after deployment: the %s is not evaluated", what, key, unknowns(v.Value), kind)
			return nil
		}
	}
	for _, kv := range docnode.Pairs(doc) {
		if isUnknownScalar(kv[1]) {
			t.warn(kv[1], "%s: %s of %s is %s, known only after deployment: the %s is not evaluated", what, kv[0].Value, key, unknowns(kv[1].Value), kind)
			return nil
		}
	}
	if identity {
		return iampolicy.ParseIdentityNode(doc, t.File)
	}
	return iampolicy.ParseNode(doc, t.File)
}

// role reads an AWS::IAM::Role. Its ARN is arn:aws:iam:::role/PATH/NAME (the account is
// unknown); without RoleName the generated name is the unknown !Ref of the role.
func (t *template) role(res *resource) *inventory.Role {
	what := res.what()
	p := t.props(res)
	arn := t.roleARN(res)
	r := &inventory.Role{
		ID:     inventory.RoleID(arn),
		ARN:    arn,
		Name:   t.roleName(res),
		Path:   t.path(res),
		Source: t.Src(res.key),
	}
	if _, v := docnode.Lookup(p, "AssumeRolePolicyDocument"); v == nil {
		t.fail(res.key, "%s has no AssumeRolePolicyDocument (required)", what)
	}
	r.Trust = t.policy(p, "AssumeRolePolicyDocument", what, "trust policy", false)
	for _, it := range t.objects(p, "Policies", what) {
		name, _ := t.Str(it, "PolicyName", what+" policy")
		pw := what + " policy " + name
		if _, v := docnode.Lookup(it, "PolicyDocument"); v == nil {
			t.fail(it, "%s has no PolicyDocument (expected {PolicyName, PolicyDocument})", pw)
			continue
		}
		if doc := t.policy(it, "PolicyDocument", pw, "policy", true); doc != nil {
			r.InlinePolicies = append(r.InlinePolicies, inventory.NamedPolicy{Name: name, Document: doc, Source: t.Src(it)})
		}
	}
	r.AttachedPolicies = t.strList(p, "ManagedPolicyArns", what)
	for _, it := range docnode.Items(docnode.Get(p, "ManagedPolicyArns")) {
		t.known(it, what, "a ManagedPolicyArns item", "the permissions it grants are not analysed")
	}
	r.PermissionsBoundary, _ = t.Str(p, "PermissionsBoundary", what)
	if items := t.objects(p, "Tags", what); items != nil {
		r.Tags = make(map[string]string, len(items))
		for _, it := range items {
			k, _ := t.Str(it, "Key", what+" tag")
			v, _ := t.Str(it, "Value", what+" tag")
			r.Tags[k] = v
		}
	}
	return r
}

// provider reads an AWS::IAM::OIDCProvider: arn:aws:iam:::oidc-provider/HOST/PATH.
func (t *template) provider(res *resource, inv *inventory.Inventory) {
	what := res.what()
	p := t.props(res)
	url, uv, ok := t.need(res, p, "Url")
	if !ok {
		return
	}
	if iampolicy.HasUnknown(url) {
		t.known(uv, what, "Url", "the provider is not recorded")
		return
	}
	if !strings.HasPrefix(url, "https://") {
		t.fail(uv, "%s: Url %q must start with https://", what, url)
		return
	}
	host := strings.TrimPrefix(url, "https://")
	arn := iamjson.UnknownAccountProviderARN(host)
	clientIDs := t.strList(p, "ClientIdList", what)
	if clientIDs == nil {
		clientIDs = []string{} // declared whole: no audience
	}
	inv.OIDCProviders = append(inv.OIDCProviders, &inventory.OIDCProvider{
		ID:          inventory.OIDCProviderID(arn),
		ARN:         arn,
		URL:         host,
		ClientIDs:   clientIDs,
		Thumbprints: t.strList(p, "ThumbprintList", what),
		Source:      t.Src(res.key),
	})
}

// cluster reads an AWS::EKS::Cluster. Its OIDC issuer, ARN, account and region are known only
// after deployment; without AccessConfig the mode is the API default, CONFIG_MAP (semantics E1.1).
func (t *template) cluster(res *resource, inv *inventory.Inventory) {
	what := res.what()
	p := t.props(res)
	name := t.clusterName(res)
	if iampolicy.HasUnknown(name) {
		at := res.key
		if _, v := docnode.Lookup(p, "Name"); v != nil {
			at = v
		}
		t.warn(at, "%s: the cluster's name is %s, known only after deployment: what names the cluster otherwise is not matched to it", what, unknowns(name))
	}
	c := &inventory.Cluster{ID: inventory.ClusterID(name), Name: name, Source: t.Src(res.key)}
	if ac := t.value(p, "AccessConfig", what); ac != nil {
		var mv *yaml.Node
		c.AuthenticationMode, mv = t.Str(ac, "AuthenticationMode", what+" AccessConfig")
		t.known(mv, what, "AccessConfig.AuthenticationMode", "the authentication mode is not known")
	}
	inv.Clusters = append(inv.Clusters, c)
}

// accessEntry reads an AWS::EKS::AccessEntry with its access policies.
func (t *template) accessEntry(res *resource, inv *inventory.Inventory) {
	what := res.what()
	p := t.props(res)
	cluster, cv, ok1 := t.need(res, p, "ClusterName")
	principal, pv, ok2 := t.need(res, p, "PrincipalArn")
	if !ok1 || !ok2 {
		return
	}
	t.known(cv, what, "ClusterName", "the entry is not matched to a loaded cluster")
	t.known(pv, what, "PrincipalArn", "the entry is not matched to a loaded principal")
	e := &inventory.AccessEntry{
		ID:               inventory.AccessEntryID(cluster, principal),
		Cluster:          cluster,
		PrincipalARN:     principal,
		KubernetesGroups: t.strList(p, "KubernetesGroups", what),
		Policies:         []inventory.AccessPolicy{}, // the template declares them all
		Source:           t.Src(res.key),
	}
	e.Type, _ = t.Str(p, "Type", what)
	e.Username, _ = t.Str(p, "Username", what)
	for _, it := range t.objects(p, "AccessPolicies", what) {
		arn, av := t.Str(it, "PolicyArn", what+" access policy")
		if av == nil || arn == "" {
			t.fail(it, "%s: access policy has no PolicyArn (expected {PolicyArn, AccessScope: {Type, Namespaces}})", what)
			continue
		}
		ap := inventory.AccessPolicy{ID: inventory.AccessPolicyID(e.ID, arn), PolicyARN: arn, Source: t.Src(it)}
		if scope := t.value(it, "AccessScope", what+" access policy"); scope != nil {
			ap.ScopeType, _ = t.Str(scope, "Type", what+" AccessScope")
			ap.Namespaces = t.strList(scope, "Namespaces", what+" AccessScope")
		}
		e.Policies = append(e.Policies, ap)
	}
	inv.AccessEntries = append(inv.AccessEntries, e)
}

// podIdentity reads an AWS::EKS::PodIdentityAssociation.
func (t *template) podIdentity(res *resource, inv *inventory.Inventory) {
	what := res.what()
	p := t.props(res)
	cluster, cv, ok1 := t.need(res, p, "ClusterName")
	ns, nv, ok2 := t.need(res, p, "Namespace")
	sa, sv, ok3 := t.need(res, p, "ServiceAccount")
	role, rv, ok4 := t.need(res, p, "RoleArn")
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return
	}
	for _, f := range []struct {
		v   *yaml.Node
		key string
	}{{cv, "ClusterName"}, {nv, "Namespace"}, {sv, "ServiceAccount"}} {
		t.known(f.v, what, f.key, "the association is not matched to a ServiceAccount")
	}
	t.known(rv, what, "RoleArn", "the association is not matched to a loaded role")
	pia := &inventory.PodIdentityAssociation{
		ID:             inventory.PodIdentityID(cluster, ns, sa),
		Cluster:        cluster,
		Namespace:      ns,
		ServiceAccount: sa,
		RoleARN:        role,
		Source:         t.Src(res.key),
	}
	var tv *yaml.Node
	pia.TargetRoleARN, tv = t.Str(p, "TargetRoleArn", what)
	t.known(tv, what, "TargetRoleArn", "the association is not matched to a loaded target role")
	if _, v := docnode.Lookup(p, "DisableSessionTags"); v != nil {
		switch s, _ := scalar(v); {
		case s == "true" || s == "false":
			pia.DisableSessionTags = s == "true"
		case iampolicy.HasUnknown(s):
			t.warn(v, "%s: DisableSessionTags is %s, known only after deployment: the association is analysed with session tags, the default", what, unknowns(s))
		default:
			t.fail(v, "%s: DisableSessionTags must be true or false", what)
		}
	}
	inv.PodIdentity = append(inv.PodIdentity, pia)
}

// attachedPolicy reads an AWS::IAM::ManagedPolicy (recorded, and attached to its Roles), an
// AWS::IAM::Policy or an AWS::IAM::RolePolicy (inline policies of their roles). Roles are
// matched by name among the template's roles.
func (t *template) attachedPolicy(res *resource, roles map[string]*inventory.Role, inv *inventory.Inventory) {
	what := res.what()
	p := t.props(res)
	if _, v := docnode.Lookup(p, "PolicyDocument"); v == nil {
		t.fail(res.key, "%s has no PolicyDocument (required)", what)
		return
	}
	doc := t.policy(p, "PolicyDocument", what, "policy", true)
	var names []string
	switch res.typ {
	case typeRolePolicy:
		if name, _, ok := t.need(res, p, "RoleName"); ok {
			names = []string{name}
		}
	default:
		names = t.strList(p, "Roles", what)
	}
	var attach func(r *inventory.Role)
	if res.typ == typeManagedPolicy {
		arn := t.policyARN(res)
		name, ok := t.propString(res, "ManagedPolicyName")
		if !ok {
			name = iampolicy.Unknown("!Ref " + res.id)
		}
		inv.ManagedPolicies = append(inv.ManagedPolicies, &inventory.ManagedPolicy{
			ID: inventory.PrincipalID(arn), ARN: arn, Name: name, Default: doc, Source: t.Src(res.key),
		})
		attach = func(r *inventory.Role) {
			if !slices.Contains(r.AttachedPolicies, arn) {
				r.AttachedPolicies = append(r.AttachedPolicies, arn)
			}
		}
	} else {
		if doc == nil {
			return
		}
		name, _ := t.Str(p, "PolicyName", what)
		attach = func(r *inventory.Role) {
			r.InlinePolicies = append(r.InlinePolicies, inventory.NamedPolicy{Name: name, Document: doc, Source: t.Src(res.key)})
		}
	}
	for _, n := range names {
		if r := roles[n]; r != nil {
			attach(r)
			continue
		}
		at := res.key
		if _, v := docnode.Lookup(p, "Roles"); v != nil {
			at = v
		}
		t.warn(at, "%s: role %s is not declared in this template: the policy is not recorded on it", what, n)
	}
}
