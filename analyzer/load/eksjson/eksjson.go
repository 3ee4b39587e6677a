// Package eksjson reads EKS data from offline files: the AWS CLI's (or API's) JSON for
// describe-cluster, access entries, access-policy associations and Pod Identity associations.
// It recognises each document by content and fills the inventory; it never judges.
package eksjson

import (
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/node"
	"github.com/rolecall/rolecall/analyzer/result"
	yaml "go.yaml.in/yaml/v3"
)

// Load recognises doc by content and, when it is an EKS shape, adds what it holds to inv.
// recognized is false for documents that are not EKS API data.
//
// Shapes (semantics.md §E.4, §C.4):
//   - {"cluster": {...}}: describe-cluster, create-cluster;
//   - {"clusters": ["name", ...]}: list-clusters (names only);
//   - {"accessEntry": {...}}: describe-, create-, update-access-entry;
//   - {"clusterName", "principalArn", "associatedAccessPolicies": [...]}: list-associated-access-policies;
//   - {"clusterName", "principalArn", "associatedAccessPolicy": {...}}: associate-access-policy;
//   - {"association": {...}}: describe-, create-, update-pod-identity-association;
//   - {"associations": [...]}: list-pod-identity-associations (summaries, without roleArn);
//   - {"accessEntries": ["arn", ...]}: list-access-entries (recognised; it names no cluster, so nothing is recorded).
//
// Access policies are recorded on an AccessEntry of their own (Type "" and no username); the
// loader's final merge joins it with the described entry of the same cluster and principal.
func Load(doc *docnode.Document, inv *inventory.Inventory) (recognized bool, diags []result.Diagnostic) {
	if doc == nil || doc.Root == nil || inv == nil {
		return false, nil
	}
	root := docnode.Resolve(doc.Root)
	if root.Kind != yaml.MappingNode {
		return false, nil
	}
	r := &reader{Reader: node.Reader{File: doc.File}, inv: inv}
	switch {
	case sole(root, "cluster"):
		r.cluster(docnode.Get(root, "cluster"))
	case sole(root, "clusters"):
		r.clusterList(docnode.Get(root, "clusters"))
	case sole(root, "accessEntry"):
		r.accessEntry(docnode.Get(root, "accessEntry"))
	case docnode.HasKeys(root, "associatedAccessPolicies") && node.OnlyKeys(root, "clusterName", "principalArn", "associatedAccessPolicies", "nextToken", "ResponseMetadata"):
		r.associatedPolicies(root, "associatedAccessPolicies")
	case docnode.HasKeys(root, "associatedAccessPolicy") && node.OnlyKeys(root, "clusterName", "principalArn", "associatedAccessPolicy", "ResponseMetadata"):
		r.associatedPolicies(root, "associatedAccessPolicy")
	case sole(root, "association"):
		r.association(docnode.Get(root, "association"), "association", true)
	case sole(root, "associations"):
		r.associationList(docnode.Get(root, "associations"))
	case sole(root, "accessEntries"):
		// list-access-entries: principal ARNs without the cluster name — nothing to record.
	default:
		return false, nil
	}
	return true, r.Diags
}

// sole reports whether key is m's only key, apart from pagination and SDK response metadata.
// Every recognised EKS output has exactly one top-level key, which keeps a Helm values file
// with a "cluster:" block from being taken for describe-cluster output.
func sole(m *yaml.Node, key string) bool {
	return docnode.HasKeys(m, key) && node.OnlyKeys(m, key, "nextToken", "ResponseMetadata")
}

// reader reads one document: inventory elements go straight into inv, problems into the
// embedded Reader's diagnostics.
type reader struct {
	node.Reader
	inv *inventory.Inventory
}

// need is Str for a required, non-empty field; parent positions the error when it is missing.
func (r *reader) need(m *yaml.Node, key, what, expected string) (string, bool) {
	s, v := r.Str(m, key, what)
	if v == nil || s == "" {
		r.Errorf(m, "%s has no %s (expected %s)", what, key, expected)
		return "", false
	}
	return s, true
}

func (r *reader) mapping(n *yaml.Node, what, expected string) bool {
	if n.Kind != yaml.MappingNode {
		r.Errorf(n, "%s must be an object (expected %s)", what, expected)
		return false
	}
	return true
}

const clusterExpected = `{"name", "arn", "identity": {"oidc": {"issuer"}}, "accessConfig": {"authenticationMode"}} as aws eks describe-cluster prints`

func (r *reader) cluster(c *yaml.Node) {
	const what = "describe-cluster output: cluster"
	if !r.mapping(c, what, clusterExpected) {
		return
	}
	name, ok := r.need(c, "name", what, clusterExpected)
	if !ok {
		return
	}
	cl := &inventory.Cluster{ID: inventory.ClusterID(name), Name: name, Source: r.Src(c)}
	if arn, av := r.Str(c, "arn", what); av != nil {
		a, ok := iampolicy.ParseARN(arn)
		if !ok || a.Service != "eks" || !strings.HasPrefix(a.Resource, "cluster/") {
			r.Errorf(av, "%s: arn %q is not an EKS cluster ARN (expected arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME)", what, arn)
		} else {
			cl.ARN, cl.Account, cl.Region = arn, a.Account, a.Region
		}
	}
	if oidc := docnode.Get(docnode.Get(c, "identity"), "oidc"); oidc != nil {
		cl.Issuer, _ = r.Str(oidc, "issuer", what+".identity.oidc")
	}
	if ac := docnode.Get(c, "accessConfig"); ac != nil {
		cl.AuthenticationMode, _ = r.Str(ac, "authenticationMode", what+".accessConfig")
	}
	r.inv.Clusters = append(r.inv.Clusters, cl)
}

func (r *reader) clusterList(v *yaml.Node) {
	const what = "list-clusters output: clusters"
	if v.Kind != yaml.SequenceNode {
		r.Errorf(v, "%s must be a list of cluster names", what)
		return
	}
	for _, it := range docnode.Items(v) {
		name, ok := docnode.Str(it)
		if !ok || name == "" {
			r.Errorf(it, "%s must be a list of cluster names", what)
			continue
		}
		r.inv.Clusters = append(r.inv.Clusters, &inventory.Cluster{ID: inventory.ClusterID(name), Name: name, Source: r.Src(it)})
	}
}

const entryExpected = `{"clusterName", "principalArn", "type", "username", "kubernetesGroups"} as aws eks describe-access-entry prints`

func (r *reader) accessEntry(e *yaml.Node) {
	const what = "access entry"
	if !r.mapping(e, what, entryExpected) {
		return
	}
	cluster, ok1 := r.need(e, "clusterName", what, entryExpected)
	principal, ok2 := r.need(e, "principalArn", what, entryExpected)
	if !ok1 || !ok2 {
		return
	}
	typ, _ := r.Str(e, "type", what)
	user, _ := r.Str(e, "username", what)
	r.inv.AccessEntries = append(r.inv.AccessEntries, &inventory.AccessEntry{
		ID:               inventory.AccessEntryID(cluster, principal),
		Cluster:          cluster,
		PrincipalARN:     principal,
		Type:             typ,
		Username:         user,
		KubernetesGroups: r.StrList(e, "kubernetesGroups", what),
		Source:           r.Src(e),
	})
}

const policiesExpected = `{"clusterName", "principalArn", "associatedAccessPolicies": [{"policyArn", "accessScope": {"type", "namespaces"}}]}`

func (r *reader) associatedPolicies(root *yaml.Node, key string) {
	const what = "access policy associations"
	cluster, ok1 := r.need(root, "clusterName", what, policiesExpected)
	principal, ok2 := r.need(root, "principalArn", what, policiesExpected)
	if !ok1 || !ok2 {
		return
	}
	_, pv := docnode.Lookup(root, "principalArn")
	entry := &inventory.AccessEntry{
		ID:           inventory.AccessEntryID(cluster, principal),
		Cluster:      cluster,
		PrincipalARN: principal,
		Source:       r.Src(pv),
	}
	v := docnode.Get(root, key)
	var items []*yaml.Node
	switch {
	case docnode.IsNull(v):
	case v.Kind == yaml.MappingNode: // associate-access-policy: one association
		items = []*yaml.Node{v}
	case v.Kind == yaml.SequenceNode:
		items = docnode.Items(v)
	default:
		r.Errorf(v, "%s: %s must be a list of objects (expected %s)", what, key, policiesExpected)
		return
	}
	for i, p := range items {
		pw := key + "[" + strconv.Itoa(i) + "]"
		if !r.mapping(p, pw, `{"policyArn", "accessScope": {"type", "namespaces"}}`) {
			continue
		}
		arn, ok := r.need(p, "policyArn", pw, `{"policyArn", "accessScope": {"type", "namespaces"}}`)
		if !ok {
			continue
		}
		ap := inventory.AccessPolicy{ID: inventory.AccessPolicyID(entry.ID, arn), PolicyARN: arn, Source: r.Src(p)}
		if scope := docnode.Get(p, "accessScope"); scope != nil {
			ap.ScopeType, _ = r.Str(scope, "type", pw+".accessScope")
			ap.Namespaces = r.StrList(scope, "namespaces", pw+".accessScope")
		}
		entry.Policies = append(entry.Policies, ap)
	}
	if entry.Policies == nil {
		entry.Policies = []inventory.AccessPolicy{}
	}
	r.inv.AccessEntries = append(r.inv.AccessEntries, entry)
}

const associationExpected = `{"clusterName", "namespace", "serviceAccount", "roleArn", "associationArn"} as aws eks describe-pod-identity-association prints`

// association reads one Pod Identity association; withRole is false for list summaries,
// which never carry roleArn (C4.1): they are recorded with RoleARN "".
func (r *reader) association(a *yaml.Node, what string, withRole bool) {
	if !r.mapping(a, what, associationExpected) {
		return
	}
	cluster, ok1 := r.need(a, "clusterName", what, associationExpected)
	ns, ok2 := r.need(a, "namespace", what, associationExpected)
	sa, ok3 := r.need(a, "serviceAccount", what, associationExpected)
	if !ok1 || !ok2 || !ok3 {
		return
	}
	pia := &inventory.PodIdentityAssociation{
		ID:             inventory.PodIdentityID(cluster, ns, sa),
		Cluster:        cluster,
		Namespace:      ns,
		ServiceAccount: sa,
		Source:         r.Src(a),
	}
	if withRole {
		role, ok := r.need(a, "roleArn", what, associationExpected)
		if !ok {
			return
		}
		pia.RoleARN = role
	} else {
		pia.RoleARN, _ = r.Str(a, "roleArn", what)
	}
	pia.TargetRoleARN, _ = r.Str(a, "targetRoleArn", what)
	pia.ExternalID, _ = r.Str(a, "externalId", what)
	pia.AssociationARN, _ = r.Str(a, "associationArn", what)
	if _, v := docnode.Lookup(a, "disableSessionTags"); v != nil && !docnode.IsNull(v) {
		if s, _ := docnode.Str(v); v.Tag == "!!bool" {
			pia.DisableSessionTags = s == "true"
		} else {
			r.Errorf(v, "%s: disableSessionTags must be true or false", what)
		}
	}
	r.inv.PodIdentity = append(r.inv.PodIdentity, pia)
}

func (r *reader) associationList(v *yaml.Node) {
	if v.Kind != yaml.SequenceNode {
		r.Errorf(v, "list-pod-identity-associations output: associations must be a list of objects (expected %s)", associationExpected)
		return
	}
	for i, it := range docnode.Items(v) {
		r.association(it, "associations["+strconv.Itoa(i)+"]", false)
	}
}
