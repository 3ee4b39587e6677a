// Package kube reads Kubernetes manifests — ServiceAccounts, RBAC roles and bindings, and the
// aws-auth ConfigMap (decoded by package awsauth) — from positioned YAML documents, including
// `kind: List` and `kubectl get -o yaml` output.
package kube

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/awsauth"
	"github.com/rolecall/rolecall/analyzer/load/node"
	"github.com/rolecall/rolecall/analyzer/result"
)

const rbacGroup = "rbac.authorization.k8s.io/"

// Load adds the Kubernetes objects of doc to inv. recognized is false (and no diagnostics are
// returned) for kinds this package does not read: workloads, other ConfigMaps, eksctl
// ClusterConfig files, non-Kubernetes YAML. A recognised object that is malformed yields
// positioned error diagnostics; one bad object or field never stops the others.
func Load(doc *docnode.Document, cluster string, inv *inventory.Inventory) (recognized bool, diags []result.Diagnostic) {
	if doc == nil || doc.Root == nil {
		return false, nil
	}
	l := loader{Reader: node.Reader{File: doc.File}, doc: doc, cluster: cluster, inv: inv}
	ok := l.object(docnode.Resolve(doc.Root), 0)
	return ok, l.Diags
}

type loader struct {
	node.Reader
	doc     *docnode.Document
	cluster string
	inv     *inventory.Inventory
}

// maxDepth bounds List nesting (a List of Lists is legal but never deep).
const maxDepth = 8

// object reads one Kubernetes object; it reports whether the object was recognised.
func (l *loader) object(obj *yaml.Node, depth int) bool {
	if obj == nil || obj.Kind != yaml.MappingNode {
		return false
	}
	kind, _ := docnode.Str(docnode.Get(obj, "kind"))
	apiVersion, _ := docnode.Str(docnode.Get(obj, "apiVersion"))
	switch {
	case kind == "List" || (strings.HasSuffix(kind, "List") && isKubeAPIVersion(apiVersion)):
		return l.list(obj, depth)
	case kind == "ServiceAccount" && isCoreV1(apiVersion):
		l.serviceAccount(obj)
		return true
	case kind == "ConfigMap" && isCoreV1(apiVersion):
		return l.configMap(obj)
	case strings.HasPrefix(apiVersion, rbacGroup):
		switch kind {
		case "Role", "ClusterRole":
			l.rbacRole(obj, kind)
			return true
		case "RoleBinding", "ClusterRoleBinding":
			l.rbacBinding(obj, kind)
			return true
		}
	}
	return false
}

// isCoreV1 accepts "v1" and, leniently, a missing apiVersion (kubectl would refuse it, but
// the intent is unambiguous for these kinds).
func isCoreV1(v string) bool { return v == "v1" || v == "" }

// isKubeAPIVersion reports whether v looks like a Kubernetes apiVersion ("v1", "group/version"),
// so a typed list such as ServiceAccountList is read while eksctl.io and other tools are not.
func isKubeAPIVersion(v string) bool {
	if v == "v1" {
		return true
	}
	group, _, ok := strings.Cut(v, "/")
	return ok && (group == "rbac.authorization.k8s.io" || !strings.Contains(group, "eksctl"))
}

// list reads the items of a `kind: List` (or a typed *List from kubectl get).
func (l *loader) list(obj *yaml.Node, depth int) bool {
	_, items := docnode.Lookup(obj, "items")
	if items == nil || docnode.IsNull(items) {
		return true
	}
	if items.Kind != yaml.SequenceNode {
		l.Errorf(items, "List items must be a list of objects")
		return true
	}
	if depth >= maxDepth {
		l.Errorf(items, "List nested more than %d levels deep", maxDepth)
		return true
	}
	found := false
	for _, it := range docnode.Items(items) {
		if l.object(it, depth+1) {
			found = true
		}
	}
	// A list of only unrelated kinds is not ours, like a single unrelated object.
	return found || len(items.Content) == 0
}

// meta returns metadata's name and namespace nodes; it reports a positioned error (and returns
// ok=false) when metadata or its name is missing or not a string.
func (l *loader) meta(obj *yaml.Node, kind string) (meta *yaml.Node, name, namespace string, ok bool) {
	_, meta = docnode.Lookup(obj, "metadata")
	if meta == nil || meta.Kind != yaml.MappingNode {
		at := obj
		if meta != nil {
			at = meta
		}
		l.Errorf(at, "%s needs a metadata mapping with a name", kind)
		return nil, "", "", false
	}
	nameKey, nameNode := docnode.Lookup(meta, "name")
	name, isStr := docnode.Str(nameNode)
	if nameKey == nil || !isStr || name == "" || !docnode.IsString(nameNode) {
		at := meta
		if nameNode != nil {
			at = nameNode
		}
		l.Errorf(at, "%s needs metadata.name (a non-empty string)", kind)
		return nil, "", "", false
	}
	if nsKey, nsNode := docnode.Lookup(meta, "namespace"); nsKey != nil {
		ns, isStr := docnode.Str(nsNode)
		if isStr && !docnode.IsString(nsNode) {
			isStr = false
		}
		if !isStr && !docnode.IsNull(nsNode) {
			l.Errorf(nsNode, "%s metadata.namespace must be a string", kind)
		}
		namespace = ns
	}
	return meta, name, namespace, true
}

// serviceAccount reads a ServiceAccount; namespace defaults to "default" (the namespace kubectl
// applies a manifest without one to, unless told otherwise).
func (l *loader) serviceAccount(obj *yaml.Node) {
	meta, name, ns, ok := l.meta(obj, "ServiceAccount")
	if !ok {
		return
	}
	sa := NewServiceAccount(l.cluster, ns, name, l.Src(obj))
	ns = sa.Namespace
	_, ann := docnode.Lookup(meta, "annotations")
	switch {
	case ann == nil || docnode.IsNull(ann):
	case ann.Kind != yaml.MappingNode:
		l.Errorf(ann, "ServiceAccount %s/%s: metadata.annotations must be a mapping of strings", ns, name)
	default:
		for _, p := range docnode.Pairs(ann) {
			k, v := p[0], p[1]
			val := ""
			switch {
			case v.Kind == yaml.ScalarNode && v.Tag == "!!str":
				val = v.Value
			case docnode.IsNull(v):
			case v.Kind == yaml.ScalarNode:
				// Annotations are map[string]string: Kubernetes rejects an unquoted number or
				// bool. The text is kept so the intent is still analysed.
				val = v.Value
				l.Errorf(v, "annotation %q must be a string; quote the value (%q)", k.Value, v.Value)
			default:
				l.Errorf(v, "annotation %q must be a string, not a %s", k.Value, node.KindName(v))
				continue
			}
			Annotate(sa, k.Value, val, l.Src(k))
		}
	}
	l.inv.ServiceAccounts = append(l.inv.ServiceAccounts, sa)
}

// NewServiceAccount is ServiceAccount namespace/name of cluster, declared at at. An empty
// namespace is "default": where kubectl applies a manifest without one (unless told otherwise),
// and the Terraform kubernetes provider's default.
func NewServiceAccount(cluster, namespace, name string, at inventory.Source) *inventory.ServiceAccount {
	if namespace == "" {
		namespace = "default"
	}
	return &inventory.ServiceAccount{
		ID:        inventory.ServiceAccountID(cluster, namespace, name),
		Cluster:   cluster,
		Namespace: namespace,
		Name:      name,
		Source:    at,
	}
}

// Annotate appends annotation key: value, written at at, to sa.
func Annotate(sa *inventory.ServiceAccount, key, value string, at inventory.Source) {
	sa.Annotations = append(sa.Annotations, inventory.Annotation{
		ID: inventory.AnnotationID(sa.ID, key), Key: key, Value: value, Source: at,
	})
}

// configMap reads aws-auth; other ConfigMaps are not ours. aws-iam-authenticator watches only
// kube-system/aws-auth (configmap.go New: ConfigMaps("kube-system"), field selector
// metadata.name=aws-auth; D1.1).
func (l *loader) configMap(obj *yaml.Node) bool {
	meta := docnode.Get(obj, "metadata")
	name, _ := docnode.Str(docnode.Get(meta, "name"))
	if name != "aws-auth" {
		return false
	}
	_, nsNode := docnode.Lookup(meta, "namespace")
	ns, _ := docnode.Str(nsNode)
	if ns != "" && ns != "kube-system" {
		l.Warnf(nsNode, "ConfigMap aws-auth in namespace %q is ignored: aws-iam-authenticator reads only kube-system/aws-auth", ns)
		return true
	}
	a, diags := awsauth.FromConfigMap(l.doc, obj, l.cluster)
	l.Diags = append(l.Diags, diags...)
	if a != nil {
		l.Diags = append(l.Diags, awsauth.Add(l.inv, a)...)
	}
	return true
}

// strictList decodes a list of strings (RBAC rule fields, binding lists); a wrong type is a
// positioned error and the bad elements are skipped. Unlike node.Reader.StrList it follows
// the API server's typing: an unquoted number or bool element is an error (its text is kept).
func (l *loader) strictList(m *yaml.Node, key, what string) []string {
	_, v := docnode.Lookup(m, key)
	if v == nil || docnode.IsNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		l.Errorf(v, "%s.%s must be a list of strings", what, key)
		return nil
	}
	out := []string{}
	for _, it := range docnode.Items(v) {
		s, ok := docnode.Str(it)
		if !ok || it.Tag != "!!str" {
			if it.Kind == yaml.ScalarNode && it.Tag != "!!null" {
				// kubectl would reject the number/bool; keep its text.
				l.Errorf(it, "%s.%s must contain strings; quote %q", what, key, it.Value)
				out = append(out, it.Value)
				continue
			}
			l.Errorf(it, "%s.%s must contain strings", what, key)
			continue
		}
		out = append(out, s)
	}
	return out
}

// rbacRole reads a Role or ClusterRole. A Role without a namespace lands in "default".
// ClusterRole aggregationRule is not expanded (the aggregated rules are filled in by the
// controller and appear in `kubectl get -o yaml` output, which is read as is).
func (l *loader) rbacRole(obj *yaml.Node, kind string) {
	_, name, ns, ok := l.meta(obj, kind)
	if !ok {
		return
	}
	ns = scopeNamespace(kind, ns)
	r := &inventory.RBACRole{
		ID: inventory.RBACID(l.cluster, kind, ns, name), Cluster: l.cluster, Kind: kind,
		Namespace: ns, Name: name, Source: l.Src(obj),
	}
	_, rules := docnode.Lookup(obj, "rules")
	switch {
	case rules == nil || docnode.IsNull(rules):
	case rules.Kind != yaml.SequenceNode:
		l.Errorf(rules, "%s %s: rules must be a list", kind, name)
	default:
		for i, rn := range docnode.Items(rules) {
			if rn.Kind != yaml.MappingNode {
				l.Errorf(rn, "%s %s: rules[%d] must be a mapping", kind, name, i)
				continue
			}
			what := fmt.Sprintf("rules[%d]", i)
			r.Rules = append(r.Rules, inventory.RBACRule{
				APIGroups:       l.strictList(rn, "apiGroups", what),
				Resources:       l.strictList(rn, "resources", what),
				Verbs:           l.strictList(rn, "verbs", what),
				ResourceNames:   l.strictList(rn, "resourceNames", what),
				NonResourceURLs: l.strictList(rn, "nonResourceURLs", what),
			})
		}
	}
	l.inv.RBACRoles = append(l.inv.RBACRoles, r)
}

func scopeNamespace(kind, ns string) string {
	if strings.HasPrefix(kind, "Cluster") {
		return "" // cluster-scoped: a namespace in the manifest is ignored by the API server
	}
	if ns == "" {
		return "default"
	}
	return ns
}

// rbacBinding reads a RoleBinding or ClusterRoleBinding.
func (l *loader) rbacBinding(obj *yaml.Node, kind string) {
	_, name, ns, ok := l.meta(obj, kind)
	if !ok {
		return
	}
	ns = scopeNamespace(kind, ns)
	b := &inventory.RBACBinding{
		ID: inventory.RBACID(l.cluster, kind, ns, name), Cluster: l.cluster, Kind: kind,
		Namespace: ns, Name: name, Source: l.Src(obj),
	}
	_, ref := docnode.Lookup(obj, "roleRef")
	if ref == nil || ref.Kind != yaml.MappingNode {
		l.Errorf(node.First(ref, obj), "%s %s needs a roleRef mapping with kind and name", kind, name)
	} else {
		b.RoleKind = l.strictStr(ref, "kind", kind+" roleRef")
		b.RoleName = l.strictStr(ref, "name", kind+" roleRef")
		if b.RoleKind == "" || b.RoleName == "" {
			l.Errorf(ref, "%s %s: roleRef needs kind and name", kind, name)
		}
	}
	_, subs := docnode.Lookup(obj, "subjects")
	switch {
	case subs == nil || docnode.IsNull(subs):
	case subs.Kind != yaml.SequenceNode:
		l.Errorf(subs, "%s %s: subjects must be a list", kind, name)
	default:
		for i, sn := range docnode.Items(subs) {
			if sn.Kind != yaml.MappingNode {
				l.Errorf(sn, "%s %s: subjects[%d] must be a mapping", kind, name, i)
				continue
			}
			what := fmt.Sprintf("%s subjects[%d]", kind, i)
			s := inventory.RBACSubject{
				Kind:      l.strictStr(sn, "kind", what),
				Name:      l.strictStr(sn, "name", what),
				Namespace: l.strictStr(sn, "namespace", what),
			}
			if s.Kind == "ServiceAccount" && s.Namespace == "" {
				if kind == "RoleBinding" {
					// The RBAC authorizer uses the binding's namespace for a ServiceAccount
					// subject without one (plugin/pkg/auth/authorizer/rbac appliesToUser).
					s.Namespace = ns
				} else {
					l.Errorf(sn, "%s %s: ServiceAccount subject %q needs a namespace", kind, name, s.Name)
				}
			}
			b.Subjects = append(b.Subjects, s)
		}
	}
	l.inv.RBACBindings = append(l.inv.RBACBindings, b)
}

// strictStr returns a string field of m ("" when absent); a non-string is a positioned error.
// Unlike node.Reader.Str, an unquoted number or bool is an error too (its text is returned).
func (l *loader) strictStr(m *yaml.Node, key, what string) string {
	_, v := docnode.Lookup(m, key)
	if v == nil || docnode.IsNull(v) {
		return ""
	}
	if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
		l.Errorf(v, "%s.%s must be a string", what, key)
		if v.Kind == yaml.ScalarNode {
			return v.Value
		}
		return ""
	}
	return v.Value
}
