package rbac

import (
	"cmp"
	"slices"
)

// Way is one reason a subject can obtain the AWS identity bound to a ServiceAccount (G2).
type Way struct {
	// Rule is the semantics.md rule: "G2.1" … "G2.8".
	Rule string
	// Verb, APIGroup and Resource ("pods", "serviceaccounts/token", "pods/exec") name the
	// permission that grants it; empty for a grant by group membership (Detail says which).
	Verb     string
	APIGroup string
	Resource string
	// Namespace is where the permission applies; "" for cluster-scoped permissions (create
	// namespaces, nodes/proxy) and for group memberships.
	Namespace string
	// ResourceNames is set when the permission holds only for these objects (a rule with
	// resourceNames). For G2.2 update/patch any existing workload of the namespace will do; for
	// G2.4 the named pods must be running as the ServiceAccount, which this package cannot see.
	ResourceNames []string
	// TokenOnly marks G2.3: the subject gets a ServiceAccount token but no pod. That is enough
	// for IRSA (AssumeRoleWithWebIdentity with a token of audience sts.amazonaws.com) but not for
	// Pod Identity, whose AssumeRoleForPodIdentity call is made with node credentials (C1.3, X47).
	TokenOnly bool
	// Detail explains grants that are not a single permission (G2.7, G2.8).
	Detail string
}

// workloadResources are the pod-creating controllers of G2.2 ([K8S-RBAC-GP §Workload creation]).
var workloadResources = []struct{ group, resource string }{
	{"", "replicationcontrollers"},
	{"apps", "daemonsets"},
	{"apps", "deployments"},
	{"apps", "replicasets"},
	{"apps", "statefulsets"},
	{"batch", "cronjobs"},
	{"batch", "jobs"},
}

// CanObtainServiceAccount lists the ways s can obtain the AWS identity bound to ServiceAccount
// ns/sa (through an IRSA trust or a Pod Identity association), per semantics.md G2.1–G2.8 (tool
// policy). The annotation on the ServiceAccount plays no part (B4.1, X46). The result is sorted
// by rule, namespace, API group, resource, verb and detail; nil when there is no way.
//
// Cluster-wide administrators (IsClusterAdmin) get one G2.8 way in addition to the concrete
// permissions, which they also hold.
func CanObtainServiceAccount(a *Authorizer, s Subject, ns, sa string) []Way {
	var ways []Way
	grant := func(w Way, r Request) {
		if a.allowed(s, r) {
			ways = append(ways, w)
		}
	}
	// grantNamed also accepts permissions restricted to named objects, for requests that act on
	// an existing object whose name this package does not know (a running pod, a workload).
	grantNamed := func(w Way, r Request) {
		all, names := a.names(s, r, true)
		if all || len(names) > 0 {
			if !all {
				w.ResourceNames = names
			}
			ways = append(ways, w)
		}
	}
	w := func(rule, verb, group, resource, namespace string) Way {
		return Way{Rule: rule, Verb: verb, APIGroup: group, Resource: resource, Namespace: namespace}
	}

	// G2.1: a pod may name any ServiceAccount of its namespace. create has no object name, so
	// a rule with resourceNames never grants it.
	grant(w("G2.1", "create", "", "pods", ns), Request{Verb: "create", Resource: "pods", Namespace: ns})

	// G2.2: workload controllers create the pods. create cannot be limited by name; update and
	// patch of one existing workload can repoint it at any ServiceAccount of the namespace. One
	// way per resource, with the first granting verb in the order create, update, patch.
	for _, wr := range workloadResources {
		if a.allowed(s, Request{Verb: "create", APIGroup: wr.group, Resource: wr.resource, Namespace: ns}) {
			ways = append(ways, w("G2.2", "create", wr.group, wr.resource, ns))
			continue
		}
		n := len(ways)
		grantNamed(w("G2.2", "update", wr.group, wr.resource, ns), Request{Verb: "update", APIGroup: wr.group, Resource: wr.resource, Namespace: ns})
		if len(ways) == n {
			grantNamed(w("G2.2", "patch", wr.group, wr.resource, ns), Request{Verb: "patch", APIGroup: wr.group, Resource: wr.resource, Namespace: ns})
		}
	}

	// G2.3: TokenRequest names the ServiceAccount, so resourceNames restrict it ([K8S-TOKENREQ]).
	tok := w("G2.3", "create", "", "serviceaccounts/token", ns)
	tok.TokenOnly = true
	grant(tok, Request{Verb: "create", Resource: "serviceaccounts", Subresource: "token", Namespace: ns, Name: sa})

	// G2.4: exec/attach into, or add an ephemeral container to, a pod running as sa.
	grantNamed(w("G2.4", "create", "", "pods/exec", ns), Request{Verb: "create", Resource: "pods", Subresource: "exec", Namespace: ns})
	grantNamed(w("G2.4", "create", "", "pods/attach", ns), Request{Verb: "create", Resource: "pods", Subresource: "attach", Namespace: ns})
	{
		n := len(ways)
		grantNamed(w("G2.4", "update", "", "pods/ephemeralcontainers", ns), Request{Verb: "update", Resource: "pods", Subresource: "ephemeralcontainers", Namespace: ns})
		if len(ways) == n {
			grantNamed(w("G2.4", "patch", "", "pods/ephemeralcontainers", ns), Request{Verb: "patch", Resource: "pods", Subresource: "ephemeralcontainers", Namespace: ns})
		}
	}

	// G2.5: impersonating a ServiceAccount is authorized as verb impersonate on serviceaccounts
	// with the ServiceAccount's namespace and name (Kubernetes impersonation filter).
	grant(w("G2.5", "impersonate", "", "serviceaccounts", ns), Request{Verb: "impersonate", Resource: "serviceaccounts", Namespace: ns, Name: sa})

	// G2.6: create the ServiceAccount (or its namespace) when it does not exist yet.
	grant(w("G2.6", "create", "", "serviceaccounts", ns), Request{Verb: "create", Resource: "serviceaccounts", Namespace: ns})
	grant(w("G2.6", "create", "", "namespaces", ""), Request{Verb: "create", Resource: "namespaces"})

	// G2.7: node identity. Members of system:nodes hold the node's credentials (D7.5). nodes/proxy
	// reaches the kubelet API, which runs commands in every pod of the node
	// ([K8S-RBAC-GP §Access to proxy subresource of Nodes]); the kubelet maps a GET (websocket
	// exec) to verb get and a POST to create, so either verb counts (tool policy).
	if slices.Contains(s.Groups, GroupNodes) {
		ways = append(ways, Way{Rule: "G2.7", Detail: "member of group " + GroupNodes})
	}
	for _, verb := range []string{"create", "get"} {
		grantNamed(w("G2.7", verb, "", "nodes/proxy", ""), Request{Verb: verb, Resource: "nodes", Subresource: "proxy"})
	}

	// G2.8: escalation. escalate lets a subject write rules it does not hold into a role; bind
	// lets it bind a role it does not hold ([K8S-RBAC-GP §Escalate verb, §Bind verb]). Both are
	// reported where they apply (roles/rolebindings in ns, clusterroles anywhere) even though
	// using them also needs create/update on the role or binding (conservative).
	// Impersonating group system:masters is cluster admin.
	if IsClusterAdmin(a, s) {
		ways = append(ways, Way{Rule: "G2.8", Detail: "cluster admin (system:masters or * on * cluster-wide)"})
	}
	for _, verb := range []string{"bind", "escalate"} {
		grantNamed(w("G2.8", verb, rbacAPIGroup, "roles", ns), Request{Verb: verb, APIGroup: rbacAPIGroup, Resource: "roles", Namespace: ns})
		grantNamed(w("G2.8", verb, rbacAPIGroup, "clusterroles", ns), Request{Verb: verb, APIGroup: rbacAPIGroup, Resource: "clusterroles", Namespace: ns})
	}
	if a.allowed(s, Request{Verb: "impersonate", Resource: "groups", Name: GroupMasters}) {
		x := w("G2.8", "impersonate", "", "groups", "")
		x.Detail = "impersonate group " + GroupMasters
		ways = append(ways, x)
	}

	slices.SortFunc(ways, compareWays)
	return slices.CompactFunc(ways, func(x, y Way) bool { return compareWays(x, y) == 0 })
}

func compareWays(x, y Way) int {
	return cmp.Or(
		cmp.Compare(x.Rule, y.Rule),
		cmp.Compare(x.Namespace, y.Namespace),
		cmp.Compare(x.APIGroup, y.APIGroup),
		cmp.Compare(x.Resource, y.Resource),
		cmp.Compare(x.Verb, y.Verb),
		cmp.Compare(x.Detail, y.Detail),
	)
}

// IsClusterAdmin reports whether s is unrestricted in the cluster (G2.8, E3.4): a member of
// system:masters, or granted a single rule with `*` verbs, `*` API groups and `*` resources
// (no resourceNames) by a ClusterRoleBinding — cluster-admin or an equivalent ClusterRole — or
// by AmazonEKSClusterAdminPolicy at cluster scope. Rules that together add up to everything
// are not recognised.
func IsClusterAdmin(a *Authorizer, s Subject) bool {
	// Requesting verb/group/resource "*" matches only rules that list "*" (matchesValue), and
	// namespace "" only ClusterRoleBindings and cluster-scoped access policies.
	return a.allowed(s, Request{Verb: "*", APIGroup: "*", Resource: "*"})
}
