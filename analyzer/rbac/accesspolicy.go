package rbac

import (
	"slices"
	"strings"

	"github.com/rolecall/rolecall/analyzer/inventory"
)

// EKS access policy names (E3.3).
const (
	PolicyClusterAdmin = "AmazonEKSClusterAdminPolicy"
	PolicyAdmin        = "AmazonEKSAdminPolicy"
	PolicyEdit         = "AmazonEKSEditPolicy"
	PolicyView         = "AmazonEKSViewPolicy"
	PolicyAdminView    = "AmazonEKSAdminViewPolicy"
	PolicySecretReader = "AmazonEKSSecretReaderPolicy"
)

// Access-scope types (E4.3).
const (
	ScopeCluster   = "cluster"
	ScopeNamespace = "namespace"
)

var (
	writeVerbs = []string{"create", "delete", "deletecollection", "patch", "update"}
	readVerbs  = []string{"get", "list", "watch"}
)

func rule(groups, resources, verbs []string) inventory.RBACRule {
	return inventory.RBACRule{APIGroups: groups, Resources: resources, Verbs: verbs}
}

// editRules are the rows of AmazonEKSEditPolicy that touch the resources this package asks about
// (workloads, pods and their subresources, serviceaccounts, secrets, namespaces), copied from
// the table in [EKS-APREF] (awsdocs/amazon-eks-user-guide
// latest/ug/manage-access/k8s-access/access-policy-reference.adoc). Rows about ingresses,
// network policies, HPAs, PDBs, events, endpoints and status subresources are left out: no
// question asked here depends on them, and a resource not listed is never granted.
var editRules = []inventory.RBACRule{
	rule([]string{"apps", "extensions"}, []string{"daemonsets", "deployments", "replicasets", "statefulsets"}, writeVerbs),
	rule([]string{"apps", "extensions"}, []string{"daemonsets", "deployments", "replicasets", "statefulsets"}, readVerbs),
	rule([]string{"batch"}, []string{"cronjobs", "jobs"}, writeVerbs),
	rule([]string{"batch"}, []string{"cronjobs", "jobs"}, readVerbs),
	rule([]string{""}, []string{"namespaces"}, readVerbs),
	rule([]string{""}, []string{"pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"}, readVerbs),
	rule([]string{""}, []string{"serviceaccounts"}, []string{"impersonate"}),
	rule([]string{""}, []string{"pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"}, writeVerbs),
	rule([]string{""}, []string{"configmaps", "replicationcontrollers", "secrets", "serviceaccounts", "services"}, writeVerbs),
	rule([]string{""}, []string{"configmaps", "pods", "replicationcontrollers", "serviceaccounts", "services"}, readVerbs),
	// APPROXIMATION: the [EKS-APREF] table does not list serviceaccounts/token, but the
	// Kubernetes "edit" ClusterRole the policy is documented as "similar to" grants
	// `create serviceaccounts/token` (kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy
	// policy.go). Assumed present so a token path (G2.3) is not missed; Edit already allows
	// `create pods` (G2.1) in the same scope, so this adds a way, not a subject.
	rule([]string{""}, []string{"serviceaccounts/token"}, []string{"create"}),
}

// adminRules = editRules plus the rows AmazonEKSAdminPolicy adds: RBAC roles and rolebindings
// (namespaced) and localsubjectaccessreviews [EKS-APREF].
var adminRules = append(slices.Clip(editRules),
	rule([]string{"rbac.authorization.k8s.io"}, []string{"rolebindings", "roles"}, append(slices.Clone(writeVerbs), readVerbs...)),
	rule([]string{"authorization.k8s.io"}, []string{"localsubjectaccessreviews"}, []string{"create"}),
)

// accessPolicyRules maps a policy name to its rules. Only these policies are modelled; any other
// access policy (the service policies such as AmazonEKSAutoNodePolicy, E3.3) grants nothing
// here, which under-reports for them.
var accessPolicyRules = map[string][]inventory.RBACRule{
	// [EKS-APREF]: `*` on every API group and resource (and nonResourceURLs).
	PolicyClusterAdmin: {rule([]string{"*"}, []string{"*"}, []string{"*"})},
	PolicyAdmin:        adminRules,
	PolicyEdit:         editRules,
	// [EKS-APREF]: read-only; no secrets, no pods/exec. Abbreviated like editRules.
	PolicyView: {
		rule([]string{"apps", "extensions"}, []string{"daemonsets", "deployments", "replicasets", "statefulsets"}, readVerbs),
		rule([]string{"batch"}, []string{"cronjobs", "jobs"}, readVerbs),
		rule([]string{""}, []string{"configmaps", "namespaces", "pods", "pods/log", "replicationcontrollers", "serviceaccounts", "services"}, readVerbs),
	},
	// [EKS-APREF]: get/list/watch on `*`/`*`, secrets included.
	PolicyAdminView:    {rule([]string{"*"}, []string{"*"}, readVerbs)},
	PolicySecretReader: {rule([]string{""}, []string{"secrets"}, readVerbs)},
}

// PolicyName returns the access policy name of an ARN
// (arn:P:eks::aws:cluster-access-policy/NAME, E3.3) or of a bare name.
func PolicyName(policy string) string {
	if i := strings.LastIndex(policy, "cluster-access-policy/"); i >= 0 {
		return policy[i+len("cluster-access-policy/"):]
	}
	return policy
}

// AccessPolicyAllows reports whether the EKS access policy (name or ARN), associated with the
// given access scope, allows request r (E3.1–E3.4).
//
// Scope (E3.1, [EKS-AP]): "cluster" applies everywhere, cluster-scoped resources included; a
// "namespace" scope applies only to requests in one of its namespaces, so never to
// cluster-scoped resources (namespaces, nodes) or to all-namespace requests (r.Namespace "").
// Namespace entries may use `*` wildcards such as `dev-*`; `*` is matched anywhere in the
// pattern, which may be broader than EKS if it accepts only some positions (conservative: more
// access is reported, not less). An unknown scope type grants nothing.
func AccessPolicyAllows(policy, scopeType string, namespaces []string, r Request) bool {
	rules := accessPolicyRules[PolicyName(policy)]
	if len(rules) == 0 {
		return false
	}
	switch scopeType {
	case ScopeCluster:
	case ScopeNamespace:
		if r.Namespace == "" || !slices.ContainsFunc(namespaces, func(p string) bool { return globMatch(p, r.Namespace) }) {
			return false
		}
	default:
		return false
	}
	for i := range rules {
		if ruleMatches(&rules[i], r) {
			return true
		}
	}
	return false
}

// globMatch matches s against pattern p in which `*` stands for any run of characters
// (including none) and every other character is literal.
func globMatch(p, s string) bool {
	parts := strings.Split(p, "*")
	if len(parts) == 1 {
		return p == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}
