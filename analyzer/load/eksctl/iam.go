package eksctl

import (
	"encoding/json"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/iamjson"
	"github.com/rolecall/rolecall/analyzer/load/node"
)

// Fields of iam.serviceAccounts entries and their metadata (pkg/apis/eksctl.io/v1alpha5/iam.go
// ClusterIAMServiceAccount, ClusterIAMMeta).
var (
	serviceAccountFields = []string{"metadata", "attachPolicyARNs", "wellKnownPolicies", "attachPolicy",
		"attachRoleARN", "permissionsBoundary", "status", "roleName", "roleOnly", "tags"}
	metadataFields = []string{"name", "namespace", "labels", "annotations"}
	// podIdentityFields: iam.podIdentityAssociations entries (iam.go PodIdentityAssociation, and
	// the cross-account fields of eksctl's examples/39-pod-identity-association.yaml).
	podIdentityFields = []string{"namespace", "serviceAccountName", "roleARN", "roleName", "permissionsBoundaryARN",
		"permissionPolicyARNs", "permissionPolicy", "wellKnownPolicies", "tags", "createServiceAccount",
		"targetRoleARN", "disableSessionTags"}
)

// wellKnown is one wellKnownPolicies switch (well_known_iam_policy.go WellKnownPolicies) and
// what eksctl attaches for it (pkg/cfn/builder/iam_helper.go createWellKnownPolicies): an AWS
// managed policy, or inline policies of its own whose statements rolecall does not carry
// (none of them allows "*" on "*").
type wellKnown struct {
	key     string
	managed string   // AWS managed policy name
	inline  []string // eksctl's names for the inline policies
}

var wellKnownPolicies = []wellKnown{
	{key: "imageBuilder", managed: "AmazonEC2ContainerRegistryPowerUser"},
	{key: "autoScaler", inline: []string{"PolicyAutoScaling"}},
	{key: "awsLoadBalancerController", inline: []string{"PolicyAWSLoadBalancerController"}},
	{key: "externalDNS", inline: []string{"PolicyExternalDNSChangeSet", "PolicyExternalDNSHostedZones"}},
	{key: "certManager", inline: []string{"PolicyCertManagerChangeSet", "PolicyCertManagerGetChange", "PolicyCertManagerHostedZones"}},
	{key: "ebsCSIController", inline: []string{"PolicyEBSCSIController"}},
	{key: "efsCSIController", inline: []string{"PolicyEFSCSIController"}},
}

// grants are the permissions of a role eksctl creates.
type grants struct {
	managed  []string
	inline   []inventory.NamedPolicy
	boundary string
	tags     map[string]string
}

// serviceAccounts reads iam.serviceAccounts. For each entry eksctl creates (unless
// attachRoleARN names an existing role) an IAM role whose trust admits exactly that
// ServiceAccount's token from the cluster's OIDC provider, and (unless roleOnly) the
// ServiceAccount annotated with the role's ARN (pkg/cfn/builder/iam.go
// IAMServiceAccountResourceSet; iam.go SetAnnotations). iam is the iam mapping.
func (r *reader) serviceAccounts(iam *yaml.Node) {
	_, entries := r.list(iam, "serviceAccounts", "iam")
	for i, e := range entries {
		what := fmt.Sprintf("iam.serviceAccounts[%d]", i)
		r.known(e, what, serviceAccountFields...)
		metaKey, meta := r.mapping(e, "metadata", what)
		r.known(meta, what+".metadata", metadataFields...)
		name, nameNode := r.str(meta, "name", what+".metadata")
		if name == "" {
			r.Errorf(node.First(nameNode, metaKey, e), "%s needs metadata.name, the ServiceAccount's name", what)
			continue
		}
		// SetClusterConfigDefaults: a ServiceAccount without a namespace goes to "default".
		ns, _ := r.str(meta, "namespace", what+".metadata")
		if ns == "" {
			ns = "default"
		}
		roleOnly, _, _ := r.flag(e, "roleOnly", what)
		roleARN, roleNode := r.str(e, "attachRoleARN", what)
		if roleARN == "" {
			g := r.grants(e, what, "attachPolicyARNs", "attachPolicy", "permissionsBoundary")
			trust := r.irsaTrust(ns, name, e, nameNode)
			role := r.role(e, what, fmt.Sprintf("eksctl role of cluster %s for ServiceAccount %s:%s", plain(r.name), plain(ns), plain(name)), trust, g)
			roleARN, roleNode = role.ARN, e
		}
		if roleOnly {
			continue // the ServiceAccount is created (and annotated) by something else
		}
		r.serviceAccount(ns, name, e, meta, roleARN, roleNode)
	}
}

// serviceAccount adds a ServiceAccount eksctl creates: the annotations of its metadata, and
// eks.amazonaws.com/role-arn set to roleARN (positioned at at) when roleARN is not "".
func (r *reader) serviceAccount(ns, name string, entry, meta *yaml.Node, roleARN string, at *yaml.Node) {
	sa := &inventory.ServiceAccount{
		ID: inventory.ServiceAccountID(r.name, ns, name), Cluster: r.name, Namespace: ns, Name: name, Source: r.Src(entry),
	}
	_, ann := r.mapping(meta, "annotations", "metadata")
	for _, kv := range docnode.Pairs(ann) {
		if roleARN != "" && kv[0].Value == annotationRoleARN {
			continue // eksctl sets it to the role's ARN (iam.go SetAnnotations)
		}
		v, ok := docnode.Str(kv[1])
		if !ok {
			r.Errorf(kv[1], "annotation %q must be a string, not a %s", kv[0].Value, node.KindName(kv[1]))
			continue
		}
		sa.Annotations = append(sa.Annotations, inventory.Annotation{
			ID: inventory.AnnotationID(sa.ID, kv[0].Value), Key: kv[0].Value, Value: r.value(v, kv[1]), Source: r.Src(kv[0]),
		})
	}
	if roleARN != "" {
		sa.Annotations = append(sa.Annotations, inventory.Annotation{
			ID: inventory.AnnotationID(sa.ID, annotationRoleARN), Key: annotationRoleARN, Value: roleARN, Source: r.Src(at),
		})
	}
	r.inv.ServiceAccounts = append(r.inv.ServiceAccounts, sa)
}

const annotationRoleARN = "eks.amazonaws.com/role-arn"

// podIdentityAssociations reads iam.podIdentityAssociations: the association, the role eksctl
// creates when roleARN is not given (trusting pods.eks.amazonaws.com for sts:AssumeRole and
// sts:TagSession, iam.go EKSServicePrincipalTrustStatement), and the ServiceAccount when
// createServiceAccount is set (https://eksctl.io/usage/pod-identity-associations/). iam is
// the iam mapping.
func (r *reader) podIdentityAssociations(iam *yaml.Node) {
	_, entries := r.list(iam, "podIdentityAssociations", "iam")
	for i, e := range entries {
		what := fmt.Sprintf("iam.podIdentityAssociations[%d]", i)
		r.known(e, what, podIdentityFields...)
		ns, nsNode := r.str(e, "namespace", what)
		sa, saNode := r.str(e, "serviceAccountName", what)
		if ns == "" || sa == "" {
			bad := nsNode
			if ns != "" {
				bad = saNode
			}
			r.Errorf(node.First(bad, e), "%s needs namespace and serviceAccountName", what)
			continue
		}
		roleARN, _ := r.str(e, "roleARN", what)
		if roleARN == "" {
			g := r.grants(e, what, "permissionPolicyARNs", "permissionPolicy", "permissionsBoundaryARN")
			trust := r.synth(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Effect":    "Allow",
				"Principal": map[string]any{"Service": []string{"pods.eks.amazonaws.com"}},
				"Action":    []string{"sts:AssumeRole", "sts:TagSession"},
			}}}, e, nil)
			role := r.role(e, what, fmt.Sprintf("eksctl role of cluster %s for Pod Identity %s:%s", plain(r.name), plain(ns), plain(sa)), trust, g)
			roleARN = role.ARN
		}
		target, _ := r.str(e, "targetRoleARN", what)
		noTags, _, _ := r.flag(e, "disableSessionTags", what)
		r.inv.PodIdentity = append(r.inv.PodIdentity, &inventory.PodIdentityAssociation{
			ID: inventory.PodIdentityID(r.name, ns, sa), Cluster: r.name, Namespace: ns, ServiceAccount: sa,
			RoleARN: roleARN, TargetRoleARN: target, DisableSessionTags: noTags, Source: r.Src(e),
		})
		if create, _, _ := r.flag(e, "createServiceAccount", what); create {
			r.serviceAccount(ns, sa, e, nil, "", nil)
		}
	}
}

// grants reads the permissions of a role eksctl creates: managed policy ARNs (field arns), an
// inline policy document (field doc), wellKnownPolicies, a permissions boundary and tags.
func (r *reader) grants(e *yaml.Node, what, arns, doc, boundary string) grants {
	var g grants
	g.managed = r.strs(e, arns, what)
	if k, v := r.mapping(e, doc, what); v != nil {
		if m, ok := r.marked(v); !ok {
			r.Errorf(v, "%s: %s expands its YAML aliases to more than %d nodes; eksctl's YAML parser refuses such a document", what, doc, maxPolicyNodes)
		} else {
			// eksctl attaches the document as the role's inline policy "Policy1"
			// (IAMServiceAccountResourceSet.AddAllResources).
			g.inline = append(g.inline, inventory.NamedPolicy{Name: "Policy1",
				Document: iampolicy.ParseIdentityNode(m, r.File), Source: r.Src(k)})
		}
	}
	if _, wk := r.mapping(e, "wellKnownPolicies", what); wk != nil {
		keys := make([]string, len(wellKnownPolicies))
		for i, w := range wellKnownPolicies {
			keys[i] = w.key
		}
		r.known(wk, what+".wellKnownPolicies", keys...)
		for _, w := range wellKnownPolicies {
			on, _, _ := r.flag(wk, w.key, what+".wellKnownPolicies")
			if !on {
				continue
			}
			k, _ := field(wk, w.key)
			if w.managed != "" {
				g.managed = append(g.managed, "arn:"+r.partition+":iam::aws:policy/"+w.managed)
			}
			for _, name := range w.inline {
				g.inline = append(g.inline, inventory.NamedPolicy{Name: name, Source: r.Src(k)})
			}
		}
	}
	g.boundary, _ = r.str(e, boundary, what)
	if _, tags := r.mapping(e, "tags", what); tags != nil {
		g.tags = map[string]string{}
		for _, kv := range docnode.Pairs(tags) {
			v, _ := docnode.Str(kv[1])
			g.tags[kv[0].Value] = r.value(v, kv[1])
		}
	}
	return g
}

// role adds the role eksctl creates for entry e: named by roleName, else by eksctl at
// creation (gen describes the unknown generated name). Its account is the cluster's, unknown
// here: arn:aws:iam:::role/NAME, the convention for roles declared in code.
func (r *reader) role(e *yaml.Node, what, gen string, trust *iampolicy.Policy, g grants) *inventory.Role {
	name, _ := r.str(e, "roleName", what)
	if name == "" {
		name = iampolicy.Unknown(gen)
	}
	arn := iamjson.UnknownAccountRoleARN(name)
	role := &inventory.Role{
		ID: inventory.RoleID(arn), ARN: arn, Name: name, Path: "/", Trust: trust,
		AttachedPolicies: g.managed, InlinePolicies: g.inline, PermissionsBoundary: g.boundary, Tags: g.tags,
		Source: r.Src(e),
	}
	r.inv.Roles = append(r.inv.Roles, role)
	return role
}

// irsaTrust is the trust policy eksctl writes for a ServiceAccount's role: web identity from
// the cluster's OIDC provider, StringEquals on the provider's sub (exactly
// system:serviceaccount:NS:NAME) and aud (sts.amazonaws.com) (pkg/iam/oidc/api.go
// MakeAssumeRolePolicyDocument[WithServiceAccountConditions]). The provider is eksctl's, in the
// cluster's account, for the cluster's issuer: both unknown here, so the provider ARN has no
// account and the stand-in host (providerHost). Everything is positioned at the entry, the sub
// condition at the ServiceAccount's name.
func (r *reader) irsaTrust(ns, name string, at, nameNode *yaml.Node) *iampolicy.Policy {
	sub := "system:serviceaccount:" + ns + ":" + name
	return r.synth(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]any{"Federated": iamjson.UnknownAccountProviderARN(r.host)},
		"Action":    []string{"sts:AssumeRoleWithWebIdentity"},
		"Condition": map[string]any{"StringEquals": map[string]any{
			r.host + ":sub": sub,
			r.host + ":aud": "sts.amazonaws.com",
		}},
	}}}, at, map[string]*yaml.Node{r.host + ":sub": nameNode, sub: nameNode})
}

// synth parses a policy document eksctl generates. Its nodes are positioned at at, except
// scalars whose text is a key of moved, positioned at that node.
func (r *reader) synth(doc any, at *yaml.Node, moved map[string]*yaml.Node) *iampolicy.Policy {
	b, err := json.Marshal(doc)
	if err != nil {
		panic(fmt.Sprintf("eksctl: marshal generated policy: %v", err)) // a map of strings always marshals
	}
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil || len(n.Content) == 0 {
		panic(fmt.Sprintf("eksctl: generated policy does not parse: %v", err))
	}
	var walk func(*yaml.Node)
	walk = func(x *yaml.Node) {
		pos := at
		if m := moved[x.Value]; m != nil && x.Kind == yaml.ScalarNode {
			pos = m
		}
		if pos != nil {
			x.Line, x.Column = pos.Line, pos.Column
		}
		for _, c := range x.Content {
			walk(c)
		}
	}
	walk(n.Content[0])
	return iampolicy.ParseNode(n.Content[0], r.File)
}

// maxPolicyNodes bounds a policy document with its YAML aliases expanded. go-yaml v2, the
// parser behind eksctl's, refuses a document whose aliases expand excessively ("billion
// laughs"); so does this, before the document reaches the policy parser, which follows aliases.
const maxPolicyNodes = 10000

// marked copies the tree under n with its aliases expanded and the template placeholders of
// its scalars marked unknown, positions kept, so a statement that uses one is set aside, not
// guessed. ok is false when the expansion exceeds maxPolicyNodes.
func (r *reader) marked(n *yaml.Node) (out *yaml.Node, ok bool) {
	budget := maxPolicyNodes
	var cp func(*yaml.Node, int) *yaml.Node
	cp = func(x *yaml.Node, depth int) *yaml.Node {
		x = docnode.Resolve(x)
		if x == nil || budget <= 0 || depth > 100 {
			budget = 0
			return nil
		}
		budget--
		c := *x
		c.Anchor = ""
		if c.Kind == yaml.ScalarNode {
			c.Value = r.value(c.Value, x)
		}
		c.Content = make([]*yaml.Node, len(x.Content))
		for i, y := range x.Content {
			c.Content[i] = cp(y, depth+1)
		}
		return &c
	}
	out = cp(n, 0)
	return out, budget > 0
}

// plain drops the unknown-value markers from s, for use inside another unknown value.
func plain(s string) string { return strings.NewReplacer("⟨", "", "⟩", "").Replace(s) }
