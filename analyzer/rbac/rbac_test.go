package rbac

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/inventory"
)

func clusterRole(name string, rules ...inventory.RBACRule) *inventory.RBACRole {
	return &inventory.RBACRole{Kind: "ClusterRole", Name: name, Rules: rules}
}

func role(ns, name string, rules ...inventory.RBACRule) *inventory.RBACRole {
	return &inventory.RBACRole{Kind: "Role", Namespace: ns, Name: name, Rules: rules}
}

func crb(name, roleName string, subjects ...inventory.RBACSubject) *inventory.RBACBinding {
	return &inventory.RBACBinding{Kind: "ClusterRoleBinding", Name: name, RoleKind: "ClusterRole", RoleName: roleName, Subjects: subjects}
}

func rb(ns, name, roleKind, roleName string, subjects ...inventory.RBACSubject) *inventory.RBACBinding {
	return &inventory.RBACBinding{Kind: "RoleBinding", Namespace: ns, Name: name, RoleKind: roleKind, RoleName: roleName, Subjects: subjects}
}

func user(n string) inventory.RBACSubject  { return inventory.RBACSubject{Kind: "User", Name: n} }
func group(n string) inventory.RBACSubject { return inventory.RBACSubject{Kind: "Group", Name: n} }
func sa(ns, n string) inventory.RBACSubject {
	return inventory.RBACSubject{Kind: "ServiceAccount", Namespace: ns, Name: n}
}

func r(groups, resources, verbs []string, names ...string) inventory.RBACRule {
	return inventory.RBACRule{APIGroups: groups, Resources: resources, Verbs: verbs, ResourceNames: names}
}

func l(s ...string) []string { return s }

func TestAllowed(t *testing.T) {
	roles := []*inventory.RBACRole{
		clusterRole("cluster-admin", r(l("*"), l("*"), l("*"))),
		clusterRole("pod-creator", r(l(""), l("pods"), l("create", "get"))),
		clusterRole("exec-any", r(l(""), l("*/exec"), l("create"))),
		clusterRole("pods-only", r(l(""), l("pods"), l("*"))),
		clusterRole("any-group-secrets", r(l("*"), l("secrets"), l("get"))),
		clusterRole("nonresource", inventory.RBACRule{NonResourceURLs: l("/healthz"), Verbs: l("get")}),
		role("payments", "named-tokens", r(l(""), l("serviceaccounts/token"), l("create"), "api")),
		role("payments", "named-configmap", r(l(""), l("configmaps"), l("get", "create", "update"), "settings")),
		role("other", "pod-creator", r(l(""), l("pods"), l("create"))),
	}
	bindings := []*inventory.RBACBinding{
		crb("admins", "cluster-admin", group("platform-admins")),
		rb("payments", "dev-pods", "ClusterRole", "pod-creator", user("dev")),
		crb("global-pods", "pod-creator", user("ops")),
		crb("exec", "exec-any", user("debugger")),
		rb("payments", "pods-only", "ClusterRole", "pods-only", user("podder")),
		crb("secrets", "any-group-secrets", user("reader")),
		crb("healthz", "nonresource", user("prober")),
		rb("payments", "tokens", "Role", "named-tokens", user("ci")),
		rb("payments", "cm", "Role", "named-configmap", user("cfg")),
		// A RoleBinding to a Role of another namespace with the same name binds payments'
		// Role (which does not exist), not other/pod-creator.
		rb("payments", "wrong-ns", "Role", "pod-creator", user("lost")),
		rb("payments", "missing", "Role", "deleted-role", user("mallory")),
		crb("missing-cluster", "deleted-clusterrole", user("mallory")),
		// A ClusterRoleBinding cannot reference a Role; the API server rejects it.
		{Kind: "ClusterRoleBinding", Name: "bad", RoleKind: "Role", RoleName: "pod-creator", Subjects: []inventory.RBACSubject{user("lost")}},
		// ServiceAccount subjects: without a namespace a RoleBinding's own namespace applies;
		// in a ClusterRoleBinding there is nothing to default to and it matches nobody.
		rb("payments", "sa-default-ns", "ClusterRole", "pod-creator", inventory.RBACSubject{Kind: "ServiceAccount", Name: "builder"}),
		crb("sa-explicit-ns", "pod-creator", sa("tools", "deployer")),
		crb("sa-no-ns", "cluster-admin", inventory.RBACSubject{Kind: "ServiceAccount", Name: "ghost"}),
		rb("payments", "all-sas-of-ns", "ClusterRole", "exec-any", group("system:serviceaccounts:payments")),
		crb("unknown-kind", "cluster-admin", inventory.RBACSubject{Kind: "Robot", Name: "dev"}),
		crb("authenticated", "any-group-secrets", group("system:authenticated")),
	}
	a := New(roles, bindings)
	u := func(name string, groups ...string) Subject { return Subject{Username: name, Groups: groups} }
	tests := []struct {
		name string
		s    Subject
		req  Request
		want bool
	}{
		{"system:masters bypasses RBAC without any binding", u("root", GroupMasters), Request{Verb: "escalate", APIGroup: "x.io", Resource: "anything", Namespace: "ns"}, true},
		{"ClusterRoleBinding to cluster-admin grants everywhere", u("ann", "platform-admins"), Request{Verb: "create", Resource: "pods", Namespace: "kube-system"}, true},
		{"ClusterRoleBinding to cluster-admin grants cluster-scoped resources", u("ann", "platform-admins"), Request{Verb: "create", Resource: "namespaces"}, true},
		{"ClusterRole via RoleBinding grants in the binding's namespace", u("dev"), Request{Verb: "create", Resource: "pods", Namespace: "payments"}, true},
		{"ClusterRole via RoleBinding does not grant in another namespace", u("dev"), Request{Verb: "create", Resource: "pods", Namespace: "default"}, false},
		{"ClusterRole via RoleBinding does not grant across all namespaces", u("dev"), Request{Verb: "create", Resource: "pods"}, false},
		{"ClusterRoleBinding grants the ClusterRole in every namespace", u("ops"), Request{Verb: "create", Resource: "pods", Namespace: "default"}, true},
		{"verb not in the rule is denied", u("ops"), Request{Verb: "delete", Resource: "pods", Namespace: "default"}, false},
		{"resource rule does not cover its subresources", u("ops"), Request{Verb: "create", Resource: "pods", Subresource: "exec", Namespace: "default"}, false},
		{"wrong API group is denied", u("ops"), Request{Verb: "create", APIGroup: "apps", Resource: "pods", Namespace: "default"}, false},
		{"*/exec matches the exec subresource of pods", u("debugger"), Request{Verb: "create", Resource: "pods", Subresource: "exec", Namespace: "x"}, true},
		{"*/exec does not match the parent resource", u("debugger"), Request{Verb: "create", Resource: "pods", Namespace: "x"}, false},
		{"*/exec does not match another subresource", u("debugger"), Request{Verb: "create", Resource: "pods", Subresource: "attach", Namespace: "x"}, false},
		{"* verbs on pods", u("podder"), Request{Verb: "deletecollection", Resource: "pods", Namespace: "payments"}, true},
		{"* apiGroups matches any group", u("reader"), Request{Verb: "get", APIGroup: "example.com", Resource: "secrets", Namespace: "x"}, true},
		{"rule with only nonResourceURLs grants no resource", u("prober"), Request{Verb: "get", Resource: "healthz"}, false},
		{"resourceNames allow the named object", u("ci"), Request{Verb: "create", Resource: "serviceaccounts", Subresource: "token", Namespace: "payments", Name: "api"}, true},
		{"resourceNames deny another object", u("ci"), Request{Verb: "create", Resource: "serviceaccounts", Subresource: "token", Namespace: "payments", Name: "worker"}, false},
		{"resourceNames deny a request without a name", u("ci"), Request{Verb: "create", Resource: "serviceaccounts", Subresource: "token", Namespace: "payments"}, false},
		{"resourceNames never match create of the object itself (no name known)", u("cfg"), Request{Verb: "create", Resource: "configmaps", Namespace: "payments"}, false},
		{"resourceNames match update of the named object", u("cfg"), Request{Verb: "update", Resource: "configmaps", Namespace: "payments", Name: "settings"}, true},
		{"RoleBinding to Role resolves in the binding's namespace only", u("lost"), Request{Verb: "create", Resource: "pods", Namespace: "payments"}, false},
		{"missing Role grants nothing", u("mallory"), Request{Verb: "get", Resource: "pods", Namespace: "payments"}, false},
		{"ClusterRoleBinding to a Role grants nothing", u("lost"), Request{Verb: "create", Resource: "pods", Namespace: "other"}, false},
		{"ServiceAccount subject without namespace takes the RoleBinding's namespace", ServiceAccountSubject("payments", "builder"), Request{Verb: "create", Resource: "pods", Namespace: "payments"}, true},
		{"ServiceAccount subject is not another namespace's SA of the same name", ServiceAccountSubject("default", "builder"), Request{Verb: "create", Resource: "pods", Namespace: "payments"}, false},
		{"ServiceAccount subject with namespace in a ClusterRoleBinding", ServiceAccountSubject("tools", "deployer"), Request{Verb: "create", Resource: "pods", Namespace: "prod"}, true},
		{"ServiceAccount subject without namespace in a ClusterRoleBinding matches nobody", ServiceAccountSubject("default", "ghost"), Request{Verb: "get", Resource: "nodes"}, false},
		{"system:serviceaccounts:NS group applies to every SA of NS", ServiceAccountSubject("payments", "anyone"), Request{Verb: "create", Resource: "pods", Subresource: "exec", Namespace: "payments"}, true},
		{"unknown subject kind matches nobody", u("dev"), Request{Verb: "get", Resource: "nodes"}, false},
		{"system:authenticated is implied for every user", u("nobody-special"), Request{Verb: "get", Resource: "secrets", Namespace: "x"}, true},
		{"anonymous is not system:authenticated", u(UserAnonymous, "system:unauthenticated"), Request{Verb: "get", Resource: "secrets", Namespace: "x"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.req
			if got := a.Allowed(tt.s, q.Verb, q.APIGroup, q.Resource, q.Subresource, q.Namespace, q.Name); got != tt.want {
				t.Errorf("Allowed(%+v, %+v) = %v, want %v", tt.s, q, got, tt.want)
			}
		})
	}
}

func TestNilAndEmptyAuthorizerGrantOnlyMasters(t *testing.T) {
	for _, a := range []*Authorizer{nil, {}, New(nil, nil)} {
		if a.Allowed(Subject{Username: "u"}, "get", "", "pods", "", "ns", "") {
			t.Errorf("%v: plain user allowed", a)
		}
		if !a.Allowed(Subject{Username: "u", Groups: []string{GroupMasters}}, "get", "", "pods", "", "ns", "") {
			t.Errorf("%v: system:masters denied", a)
		}
	}
}

func TestQueryReadsOnlyTheSubjectsBindings(t *testing.T) {
	roles := []*inventory.RBACRole{clusterRole("view", r(l(""), l("pods"), l("get")))}
	var bindings []*inventory.RBACBinding
	for i := range 5000 {
		bindings = append(bindings, rb(fmt.Sprintf("ns%d", i), "b", "ClusterRole", "view", user(fmt.Sprintf("user%d", i))))
	}
	mine := rb("ns7", "mine", "ClusterRole", "view", user("me"), group("team"), user("me"))
	bindings = append(bindings, mine)
	a := New(roles, bindings)
	got := a.bindings(Subject{Username: "me", Groups: []string{"team"}})
	if diff := cmp.Diff([]*inventory.RBACBinding{mine}, got); diff != "" {
		t.Errorf("bindings consulted (-want +got):\n%s", diff)
	}
}

func TestNamesAllowed(t *testing.T) {
	a := New(
		[]*inventory.RBACRole{
			role("payments", "exec-two", r(l(""), l("pods/exec"), l("create"), "web-1", "api-0")),
			role("payments", "exec-one", r(l(""), l("pods/exec"), l("create"), "api-0")),
		},
		[]*inventory.RBACBinding{
			rb("payments", "a", "Role", "exec-two", user("dbg")),
			rb("payments", "b", "Role", "exec-one", user("dbg")),
		})
	all, names := a.NamesAllowed(Subject{Username: "dbg"}, "create", "", "pods", "exec", "payments")
	if all {
		t.Error("all = true for name-restricted rules")
	}
	if diff := cmp.Diff([]string{"api-0", "web-1"}, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if all, names := a.NamesAllowed(Subject{Username: "dbg"}, "create", "", "pods", "exec", "default"); all || names != nil {
		t.Errorf("other namespace: all=%v names=%v", all, names)
	}
}

func TestServiceAccountSubject(t *testing.T) {
	want := Subject{Username: "system:serviceaccount:payments:api", Groups: []string{"system:serviceaccounts", "system:serviceaccounts:payments", "system:authenticated"}}
	if diff := cmp.Diff(want, ServiceAccountSubject("payments", "api")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
