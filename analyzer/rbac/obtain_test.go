package rbac

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/kube"
)

const (
	irsaRole = "arn:aws:iam::111122223333:role/irsa-role"
	piRole   = "arn:aws:iam::111122223333:role/pi-role"
)

func policy(name, scope string, namespaces ...string) inventory.AccessPolicy {
	return inventory.AccessPolicy{PolicyARN: "arn:aws:eks::aws:cluster-access-policy/" + name, ScopeType: scope, Namespaces: namespaces}
}

func TestCanObtainServiceAccount(t *testing.T) {
	roles := []*inventory.RBACRole{
		clusterRole("cluster-admin", r(l("*"), l("*"), l("*"))),
		clusterRole("deployer", r(l("apps"), l("deployments"), l("create", "get", "list"))),
		role("payments", "api-token", r(l(""), l("serviceaccounts/token"), l("create"), "api")),
		role("payments", "patch-one-job", r(l("batch"), l("cronjobs"), l("patch"), "nightly")),
		role("payments", "exec-named", r(l(""), l("pods/exec"), l("create"), "api-7d9f")),
		role("payments", "debug", r(l(""), l("pods/ephemeralcontainers"), l("patch")), r(l(""), l("pods/attach"), l("create"))),
		role("payments", "impersonate-api", r(l(""), l("serviceaccounts"), l("impersonate"), "api")),
		role("payments", "sa-creator", r(l(""), l("serviceaccounts"), l("create"))),
		role("payments", "rbac-escalator", r(l("rbac.authorization.k8s.io"), l("roles"), l("escalate", "update"))),
		clusterRole("ns-creator", r(l(""), l("namespaces"), l("create"))),
		clusterRole("kubelet-api", r(l(""), l("nodes/proxy"), l("get"))),
		clusterRole("impersonate-masters", r(l(""), l("groups"), l("impersonate"), GroupMasters)),
		clusterRole("pod-reader", r(l(""), l("pods", "pods/log"), l("get", "list", "watch"))),
	}
	bindings := []*inventory.RBACBinding{
		crb("admins", "cluster-admin", group("platform-admins")),
		rb("payments", "devs", "ClusterRole", "deployer", group("payments-devs")),
		rb("payments", "ci-token", "Role", "api-token", user("ci")),
		rb("payments", "cron", "Role", "patch-one-job", user("cron-owner")),
		rb("payments", "exec", "Role", "exec-named", user("oncall")),
		rb("payments", "debug", "Role", "debug", user("debugger")),
		rb("payments", "imp", "Role", "impersonate-api", user("support")),
		rb("payments", "sa", "Role", "sa-creator", user("bootstrapper")),
		crb("ns", "ns-creator", user("bootstrapper")),
		crb("kubelet", "kubelet-api", user("monitoring")),
		rb("payments", "esc", "Role", "rbac-escalator", user("rbac-admin")),
		crb("sudo", "impersonate-masters", user("breakglass")),
		crb("readers", "pod-reader", group("system:authenticated")),
	}
	a := New(roles, bindings)
	tests := []struct {
		name string
		s    Subject
		ns   string
		sa   string
		want []Way
	}{
		{
			// X46: the ServiceAccount's annotation plays no part; deploying a pod as api is enough.
			name: "X46 payments-devs with create deployments in payments can obtain payments/api",
			s:    Subject{Username: "dana", Groups: []string{"payments-devs"}}, ns: "payments", sa: "api",
			want: []Way{{Rule: "G2.2", Verb: "create", APIGroup: "apps", Resource: "deployments", Namespace: "payments"}},
		},
		{
			name: "X46 payments-devs cannot obtain a ServiceAccount of another namespace",
			s:    Subject{Username: "dana", Groups: []string{"payments-devs"}}, ns: "billing", sa: "api",
		},
		{
			name: "X47 create serviceaccounts/token with resourceNames [api] yields a token for api only",
			s:    Subject{Username: "ci"}, ns: "payments", sa: "api",
			want: []Way{{Rule: "G2.3", Verb: "create", Resource: "serviceaccounts/token", Namespace: "payments", TokenOnly: true}},
		},
		{
			name: "X47 the same grant gives nothing for a different ServiceAccount",
			s:    Subject{Username: "ci"}, ns: "payments", sa: "worker",
		},
		{
			name: "patch of one named cronjob can repoint it at any ServiceAccount",
			s:    Subject{Username: "cron-owner"}, ns: "payments", sa: "api",
			want: []Way{{Rule: "G2.2", Verb: "patch", APIGroup: "batch", Resource: "cronjobs", Namespace: "payments", ResourceNames: []string{"nightly"}}},
		},
		{
			name: "exec restricted to named pods is reported with those names",
			s:    Subject{Username: "oncall"}, ns: "payments", sa: "api",
			want: []Way{{Rule: "G2.4", Verb: "create", Resource: "pods/exec", Namespace: "payments", ResourceNames: []string{"api-7d9f"}}},
		},
		{
			name: "attach and ephemeral containers",
			s:    Subject{Username: "debugger"}, ns: "payments", sa: "api",
			want: []Way{
				{Rule: "G2.4", Verb: "create", Resource: "pods/attach", Namespace: "payments"},
				{Rule: "G2.4", Verb: "patch", Resource: "pods/ephemeralcontainers", Namespace: "payments"},
			},
		},
		{
			name: "impersonate limited to the ServiceAccount's name",
			s:    Subject{Username: "support"}, ns: "payments", sa: "api",
			want: []Way{{Rule: "G2.5", Verb: "impersonate", Resource: "serviceaccounts", Namespace: "payments"}},
		},
		{
			name: "impersonate limited to another ServiceAccount gives nothing",
			s:    Subject{Username: "support"}, ns: "payments", sa: "worker",
		},
		{
			name: "create serviceaccounts in the namespace and create namespaces",
			s:    Subject{Username: "bootstrapper"}, ns: "payments", sa: "not-yet-created",
			want: []Way{
				{Rule: "G2.6", Verb: "create", Resource: "namespaces"},
				{Rule: "G2.6", Verb: "create", Resource: "serviceaccounts", Namespace: "payments"},
			},
		},
		{
			name: "members of system:nodes",
			s:    Subject{Username: "system:node:ip-10-0-0-1.ec2.internal", Groups: []string{"system:bootstrappers", GroupNodes}}, ns: "payments", sa: "api",
			want: []Way{{Rule: "G2.7", Detail: "member of group system:nodes"}},
		},
		{
			name: "get nodes/proxy reaches the kubelet API",
			s:    Subject{Username: "monitoring"}, ns: "payments", sa: "api",
			want: []Way{{Rule: "G2.7", Verb: "get", Resource: "nodes/proxy"}},
		},
		{
			name: "escalate on roles in the namespace",
			s:    Subject{Username: "rbac-admin"}, ns: "payments", sa: "api",
			want: []Way{{Rule: "G2.8", Verb: "escalate", APIGroup: "rbac.authorization.k8s.io", Resource: "roles", Namespace: "payments"}},
		},
		{
			name: "impersonating system:masters",
			s:    Subject{Username: "breakglass"}, ns: "payments", sa: "api",
			want: []Way{{Rule: "G2.8", Verb: "impersonate", Resource: "groups", Detail: "impersonate group system:masters"}},
		},
		{
			name: "read-only access to pods gives nothing",
			s:    Subject{Username: "viewer"}, ns: "payments", sa: "api",
		},
		{
			name: "EKS edit policy on dev-* namespaces covers dev-payments",
			s:    Subject{Username: "arn:aws:sts::111122223333:assumed-role/dev/s"}.WithAccessPolicies([]inventory.AccessPolicy{policy(PolicyEdit, ScopeNamespace, "dev-*")}),
			ns:   "dev-payments", sa: "api",
			want: []Way{
				{Rule: "G2.1", Verb: "create", Resource: "pods", Namespace: "dev-payments"},
				{Rule: "G2.2", Verb: "create", Resource: "replicationcontrollers", Namespace: "dev-payments"},
				{Rule: "G2.2", Verb: "create", APIGroup: "apps", Resource: "daemonsets", Namespace: "dev-payments"},
				{Rule: "G2.2", Verb: "create", APIGroup: "apps", Resource: "deployments", Namespace: "dev-payments"},
				{Rule: "G2.2", Verb: "create", APIGroup: "apps", Resource: "replicasets", Namespace: "dev-payments"},
				{Rule: "G2.2", Verb: "create", APIGroup: "apps", Resource: "statefulsets", Namespace: "dev-payments"},
				{Rule: "G2.2", Verb: "create", APIGroup: "batch", Resource: "cronjobs", Namespace: "dev-payments"},
				{Rule: "G2.2", Verb: "create", APIGroup: "batch", Resource: "jobs", Namespace: "dev-payments"},
				{Rule: "G2.3", Verb: "create", Resource: "serviceaccounts/token", Namespace: "dev-payments", TokenOnly: true},
				{Rule: "G2.4", Verb: "create", Resource: "pods/attach", Namespace: "dev-payments"},
				{Rule: "G2.4", Verb: "create", Resource: "pods/exec", Namespace: "dev-payments"},
				{Rule: "G2.5", Verb: "impersonate", Resource: "serviceaccounts", Namespace: "dev-payments"},
				{Rule: "G2.6", Verb: "create", Resource: "serviceaccounts", Namespace: "dev-payments"},
			},
		},
		{
			name: "EKS edit policy on dev-* namespaces does not cover payments",
			s:    Subject{Username: "arn:aws:sts::111122223333:assumed-role/dev/s"}.WithAccessPolicies([]inventory.AccessPolicy{policy(PolicyEdit, ScopeNamespace, "dev-*")}),
			ns:   "payments", sa: "api",
		},
		{
			name: "EKS view policy gives nothing",
			s:    Subject{Username: "auditor"}.WithAccessPolicies([]inventory.AccessPolicy{policy(PolicyView, ScopeCluster)}),
			ns:   "payments", sa: "api",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CanObtainServiceAccount(a, tt.s, tt.ns, tt.sa)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CanObtainServiceAccount(%s/%s) (-want +got):\n%s", tt.ns, tt.sa, diff)
			}
		})
	}
}

func TestCanObtainServiceAccountClusterAdminIsCompleteAndSorted(t *testing.T) {
	a := New([]*inventory.RBACRole{clusterRole("cluster-admin", r(l("*"), l("*"), l("*")))},
		[]*inventory.RBACBinding{crb("admins", "cluster-admin", group("platform-admins"))})
	for _, s := range []Subject{
		{Username: "ann", Groups: []string{"platform-admins"}},
		{Username: "root", Groups: []string{GroupMasters}},
		Subject{Username: "arn:aws:iam::111122223333:user/ann"}.WithAccessPolicies([]inventory.AccessPolicy{policy(PolicyClusterAdmin, ScopeCluster)}),
	} {
		got := CanObtainServiceAccount(a, s, "payments", "api")
		rules := map[string]bool{}
		for i, w := range got {
			rules[w.Rule] = true
			if i > 0 && compareWays(got[i-1], w) >= 0 {
				t.Errorf("%s: ways not strictly sorted at %d: %+v then %+v", s.Username, i, got[i-1], w)
			}
		}
		want := map[string]bool{"G2.1": true, "G2.2": true, "G2.3": true, "G2.4": true, "G2.5": true, "G2.6": true, "G2.7": true, "G2.8": true}
		if diff := cmp.Diff(want, rules); diff != "" {
			t.Errorf("%s: rules covered (-want +got):\n%s", s.Username, diff)
		}
		if diff := cmp.Diff(got, CanObtainServiceAccount(a, s, "payments", "api")); diff != "" {
			t.Errorf("%s: not deterministic:\n%s", s.Username, diff)
		}
	}
}

func TestIsClusterAdmin(t *testing.T) {
	roles := []*inventory.RBACRole{
		clusterRole("cluster-admin", r(l("*"), l("*"), l("*")), inventory.RBACRule{NonResourceURLs: l("*"), Verbs: l("*")}),
		clusterRole("custom-god", r(l("*"), l("*"), l("*"))),
		clusterRole("almost", r(l(""), l("*"), l("*")), r(l("apps"), l("*"), l("*"))),
		clusterRole("named-god", r(l("*"), l("*"), l("*"), "only-this")),
		role("payments", "ns-god", r(l("*"), l("*"), l("*"))),
	}
	bindings := []*inventory.RBACBinding{
		crb("admins", "cluster-admin", group("platform-admins")),
		crb("custom", "custom-god", user("custom")),
		crb("almost", "almost", user("almost")),
		crb("named", "named-god", user("named")),
		rb("payments", "ns-admin", "ClusterRole", "cluster-admin", user("ns-admin")),
		rb("payments", "ns-god", "Role", "ns-god", user("ns-god")),
	}
	a := New(roles, bindings)
	tests := []struct {
		name string
		s    Subject
		want bool
	}{
		{"system:masters", Subject{Username: "root", Groups: []string{GroupMasters}}, true},
		{"ClusterRoleBinding to cluster-admin", Subject{Username: "ann", Groups: []string{"platform-admins"}}, true},
		{"ClusterRoleBinding to an equivalent ClusterRole", Subject{Username: "custom"}, true},
		{"cluster-admin bound by a RoleBinding is only namespace admin", Subject{Username: "ns-admin"}, false},
		{"* on * in a Role is only namespace admin", Subject{Username: "ns-god"}, false},
		{"wildcards split over rules are not recognised", Subject{Username: "almost"}, false},
		{"* on * limited by resourceNames is not admin", Subject{Username: "named"}, false},
		{"AmazonEKSClusterAdminPolicy at cluster scope (E3.4)", Subject{Username: "x"}.WithAccessPolicies([]inventory.AccessPolicy{policy(PolicyClusterAdmin, ScopeCluster)}), true},
		{"AmazonEKSClusterAdminPolicy at namespace scope", Subject{Username: "x"}.WithAccessPolicies([]inventory.AccessPolicy{policy(PolicyClusterAdmin, ScopeNamespace, "*")}), false},
		{"AmazonEKSAdminPolicy at cluster scope", Subject{Username: "x"}.WithAccessPolicies([]inventory.AccessPolicy{policy(PolicyAdmin, ScopeCluster)}), false},
		{"no bindings", Subject{Username: "nobody"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsClusterAdmin(a, tt.s); got != tt.want {
				t.Errorf("IsClusterAdmin(%+v) = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

func TestAccessPolicyAllows(t *testing.T) {
	const arnPrefix = "arn:aws:eks::aws:cluster-access-policy/"
	tests := []struct {
		name       string
		policy     string
		scope      string
		namespaces []string
		req        Request
		want       bool
	}{
		{"cluster admin at cluster scope allows anything", arnPrefix + PolicyClusterAdmin, ScopeCluster, nil, Request{Verb: "escalate", APIGroup: "rbac.authorization.k8s.io", Resource: "clusterroles"}, true},
		{"bare policy name is accepted", PolicyClusterAdmin, ScopeCluster, nil, Request{Verb: "create", Resource: "pods", Namespace: "a"}, true},
		{"cluster admin at namespace scope allows in the namespace", arnPrefix + PolicyClusterAdmin, ScopeNamespace, l("team-a"), Request{Verb: "create", Resource: "pods", Namespace: "team-a"}, true},
		{"namespace scope never allows cluster-scoped resources", arnPrefix + PolicyClusterAdmin, ScopeNamespace, l("*"), Request{Verb: "create", Resource: "namespaces"}, false},
		{"namespace wildcard dev-* matches dev-payments", arnPrefix + PolicyEdit, ScopeNamespace, l("prod", "dev-*"), Request{Verb: "create", Resource: "pods", Namespace: "dev-payments"}, true},
		{"namespace wildcard dev-* does not match payments-dev", arnPrefix + PolicyEdit, ScopeNamespace, l("dev-*"), Request{Verb: "create", Resource: "pods", Namespace: "payments-dev"}, false},
		{"namespace wildcard dev-* matches dev- itself", arnPrefix + PolicyEdit, ScopeNamespace, l("dev-*"), Request{Verb: "create", Resource: "pods", Namespace: "dev-"}, true},
		{"exact namespace does not match a longer name", arnPrefix + PolicyEdit, ScopeNamespace, l("dev"), Request{Verb: "create", Resource: "pods", Namespace: "dev2"}, false},
		{"unknown scope type grants nothing", arnPrefix + PolicyEdit, "account", nil, Request{Verb: "create", Resource: "pods", Namespace: "x"}, false},
		{"edit: create pods", arnPrefix + PolicyEdit, ScopeCluster, nil, Request{Verb: "create", Resource: "pods", Namespace: "x"}, true},
		{"edit: create deployments", arnPrefix + PolicyEdit, ScopeCluster, nil, Request{Verb: "create", APIGroup: "apps", Resource: "deployments", Namespace: "x"}, true},
		{"edit: create jobs", arnPrefix + PolicyEdit, ScopeCluster, nil, Request{Verb: "create", APIGroup: "batch", Resource: "jobs", Namespace: "x"}, true},
		{"edit: create pods/exec", arnPrefix + PolicyEdit, ScopeCluster, nil, Request{Verb: "create", Resource: "pods", Subresource: "exec", Namespace: "x"}, true},
		{"edit: impersonate serviceaccounts", arnPrefix + PolicyEdit, ScopeCluster, nil, Request{Verb: "impersonate", Resource: "serviceaccounts", Namespace: "x", Name: "api"}, true},
		{"edit: create serviceaccounts", arnPrefix + PolicyEdit, ScopeCluster, nil, Request{Verb: "create", Resource: "serviceaccounts", Namespace: "x"}, true},
		{"edit: create serviceaccounts/token (approximation)", arnPrefix + PolicyEdit, ScopeCluster, nil, Request{Verb: "create", Resource: "serviceaccounts", Subresource: "token", Namespace: "x", Name: "api"}, true},
		{"edit: get secrets", arnPrefix + PolicyEdit, ScopeCluster, nil, Request{Verb: "get", Resource: "secrets", Namespace: "x"}, true},
		{"edit: no RBAC writes", arnPrefix + PolicyEdit, ScopeCluster, nil, Request{Verb: "create", APIGroup: "rbac.authorization.k8s.io", Resource: "rolebindings", Namespace: "x"}, false},
		{"edit: no create namespaces", arnPrefix + PolicyEdit, ScopeCluster, nil, Request{Verb: "create", Resource: "namespaces"}, false},
		{"admin: RBAC rolebindings", arnPrefix + PolicyAdmin, ScopeNamespace, l("x"), Request{Verb: "create", APIGroup: "rbac.authorization.k8s.io", Resource: "rolebindings", Namespace: "x"}, true},
		{"admin: create pods", arnPrefix + PolicyAdmin, ScopeNamespace, l("x"), Request{Verb: "create", Resource: "pods", Namespace: "x"}, true},
		{"admin: no impersonate groups", arnPrefix + PolicyAdmin, ScopeCluster, nil, Request{Verb: "impersonate", Resource: "groups", Name: GroupMasters}, false},
		{"view: get pods", arnPrefix + PolicyView, ScopeCluster, nil, Request{Verb: "get", Resource: "pods", Namespace: "x"}, true},
		{"view: no secrets", arnPrefix + PolicyView, ScopeCluster, nil, Request{Verb: "get", Resource: "secrets", Namespace: "x"}, false},
		{"view: no create pods", arnPrefix + PolicyView, ScopeCluster, nil, Request{Verb: "create", Resource: "pods", Namespace: "x"}, false},
		{"admin view: get secrets", arnPrefix + PolicyAdminView, ScopeCluster, nil, Request{Verb: "get", Resource: "secrets", Namespace: "x"}, true},
		{"admin view: no create pods", arnPrefix + PolicyAdminView, ScopeCluster, nil, Request{Verb: "create", Resource: "pods", Namespace: "x"}, false},
		{"unmodelled policy grants nothing", arnPrefix + "AmazonEKSAutoNodePolicy", ScopeCluster, nil, Request{Verb: "get", Resource: "pods", Namespace: "x"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AccessPolicyAllows(tt.policy, tt.scope, tt.namespaces, tt.req); got != tt.want {
				t.Errorf("AccessPolicyAllows(%s, %s, %v, %+v) = %v, want %v", tt.policy, tt.scope, tt.namespaces, tt.req, got, tt.want)
			}
		})
	}
}

func TestAccessPoliciesDroppedByImpersonationAreNotRBAC(t *testing.T) {
	// E3.2: access-policy permissions belong to the access entry's subject only; the same
	// username without them (e.g. impersonated) has only its RBAC rights.
	a := New(nil, nil)
	base := Subject{Username: "arn:aws:iam::111122223333:role/deployer"}
	withPolicy := base.WithAccessPolicies([]inventory.AccessPolicy{policy(PolicyEdit, ScopeNamespace, "payments")})
	if !a.Allowed(withPolicy, "create", "", "pods", "", "payments", "") {
		t.Error("subject with AmazonEKSEditPolicy on payments cannot create pods there")
	}
	if a.Allowed(base, "create", "", "pods", "", "payments", "") {
		t.Error("WithAccessPolicies changed the receiver")
	}
}

func TestPodCredentials(t *testing.T) {
	api := &inventory.ServiceAccount{Cluster: "prod", Namespace: "payments", Name: "api",
		Annotations: []inventory.Annotation{{Key: AnnotationRoleARN, Value: irsaRole}}}
	plain := &inventory.ServiceAccount{Cluster: "prod", Namespace: "payments", Name: "worker"}
	assoc := &inventory.PodIdentityAssociation{Cluster: "prod", Namespace: "payments", ServiceAccount: "api", RoleARN: piRole}
	otherCluster := &inventory.PodIdentityAssociation{Cluster: "staging", Namespace: "payments", ServiceAccount: "api", RoleARN: piRole}
	cross := &inventory.PodIdentityAssociation{Cluster: "prod", Namespace: "payments", ServiceAccount: "worker",
		RoleARN: piRole, TargetRoleARN: "arn:aws:iam::444455556666:role/target"}
	type out struct{ Source, Role string }
	tests := []struct {
		name  string
		sa    *inventory.ServiceAccount
		assoc []*inventory.PodIdentityAssociation
		want  out
	}{
		{"X45 Pod Identity association takes precedence over the IRSA annotation", api, []*inventory.PodIdentityAssociation{assoc}, out{SourcePodIdentity, piRole}},
		{"IRSA annotation alone", api, nil, out{SourceIRSA, irsaRole}},
		{"association of another cluster does not apply", api, []*inventory.PodIdentityAssociation{otherCluster}, out{SourceIRSA, irsaRole}},
		{"cross-account association gives the target role's credentials", plain, []*inventory.PodIdentityAssociation{assoc, cross}, out{SourcePodIdentity, "arn:aws:iam::444455556666:role/target"}},
		{"no annotation and no association", plain, []*inventory.PodIdentityAssociation{assoc}, out{}},
		{"empty annotation is no IRSA", &inventory.ServiceAccount{Namespace: "a", Name: "b", Annotations: []inventory.Annotation{{Key: AnnotationRoleARN}}}, nil, out{}},
		{"nil ServiceAccount", nil, []*inventory.PodIdentityAssociation{assoc}, out{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, role := PodCredentials(tt.sa, tt.assoc)
			if diff := cmp.Diff(tt.want, out{src, role}); diff != "" {
				t.Errorf("PodCredentials (-want +got):\n%s", diff)
			}
		})
	}
}

// TestX45IRSARoleStillReachableByToken: the pod of payments/api gets pi-role (B3.6), yet a
// subject that can mint a token for api reaches irsa-role through AssumeRoleWithWebIdentity
// (B4.1, G2.3); the same token does not give pi-role (X47, C1.3).
func TestX45IRSARoleStillReachableByToken(t *testing.T) {
	api := &inventory.ServiceAccount{Cluster: "prod", Namespace: "payments", Name: "api",
		Annotations: []inventory.Annotation{{Key: AnnotationRoleARN, Value: irsaRole}}}
	assoc := []*inventory.PodIdentityAssociation{{Cluster: "prod", Namespace: "payments", ServiceAccount: "api", RoleARN: piRole}}
	if src, role := PodCredentials(api, assoc); src != SourcePodIdentity || role != piRole {
		t.Fatalf("pod credentials = %s %s, want %s %s", src, role, SourcePodIdentity, piRole)
	}
	a := New([]*inventory.RBACRole{role("payments", "api-token", r(l(""), l("serviceaccounts/token"), l("create"), "api"))},
		[]*inventory.RBACBinding{rb("payments", "ci", "Role", "api-token", user("ci"))})
	ways := CanObtainServiceAccount(a, Subject{Username: "ci"}, "payments", "api")
	want := []Way{{Rule: "G2.3", Verb: "create", Resource: "serviceaccounts/token", Namespace: "payments", TokenOnly: true}}
	if diff := cmp.Diff(want, ways); diff != "" {
		t.Fatalf("ways (-want +got):\n%s", diff)
	}
	irsa, pod := false, false
	for _, w := range ways {
		irsa = true // every way yields a token usable with an IRSA trust
		pod = pod || !w.TokenOnly
	}
	if !irsa || pod {
		t.Errorf("token-only subject: irsa-role reachable = %v (want true), pi-role reachable = %v (want false)", irsa, pod)
	}
}

// TestLoadedManifests reads kubectl-style RBAC YAML through docnode.Parse and kube.Load.
func TestLoadedManifests(t *testing.T) {
	file := filepath.Join("testdata", "rbac.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := docnode.Parse(file, data)
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	inv := &inventory.Inventory{}
	for _, d := range docs {
		ok, diags := kube.Load(d, "prod", inv)
		if !ok || len(diags) > 0 {
			t.Fatalf("kube.Load: recognized=%v diagnostics=%v", ok, diags)
		}
	}
	if len(inv.RBACRoles) != 4 || len(inv.RBACBindings) != 5 {
		t.Fatalf("loaded %d roles and %d bindings, want 4 and 5", len(inv.RBACRoles), len(inv.RBACBindings))
	}
	a := New(inv.RBACRoles, inv.RBACBindings)
	tests := []struct {
		name string
		s    Subject
		ns   string
		sa   string
		want []Way
	}{
		{
			name: "X46 payments-devs can deploy as payments/api",
			s:    Subject{Username: "dana@example.com", Groups: []string{"payments-devs"}}, ns: "payments", sa: "api",
			want: []Way{
				{Rule: "G2.2", Verb: "create", APIGroup: "apps", Resource: "deployments", Namespace: "payments"},
				{Rule: "G2.2", Verb: "create", APIGroup: "apps", Resource: "statefulsets", Namespace: "payments"},
			},
		},
		{
			name: "X47 ci-runner ServiceAccount (namespace defaulted from its RoleBinding) mints api tokens",
			s:    ServiceAccountSubject("payments", "ci-runner"), ns: "payments", sa: "api",
			want: []Way{{Rule: "G2.3", Verb: "create", Resource: "serviceaccounts/token", Namespace: "payments", TokenOnly: true}},
		},
		{
			name: "X47 ci-runner cannot mint tokens for another ServiceAccount",
			s:    ServiceAccountSubject("payments", "ci-runner"), ns: "payments", sa: "worker",
		},
		{
			name: "binding to a deleted Role gives nothing",
			s:    Subject{Username: "mallory"}, ns: "payments", sa: "api",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, CanObtainServiceAccount(a, tt.s, tt.ns, tt.sa)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if !IsClusterAdmin(a, Subject{Username: "ops", Groups: []string{"platform-admins"}}) {
		t.Error("platform-admins (ClusterRoleBinding cluster-admin) is not cluster admin")
	}
	if IsClusterAdmin(a, Subject{Username: "dana@example.com", Groups: []string{"payments-devs"}}) {
		t.Error("payments-devs is cluster admin")
	}
	if !a.Allowed(Subject{Username: "anyone"}, "get", "", "pods", "log", "kube-system", "x") {
		t.Error("system:authenticated binding everyone-reads-pods does not grant pods/log")
	}
}
