package graph

import (
	"fmt"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/inventory"
)

const (
	clusterAdminPolicy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
	viewPolicy         = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
)

func prodCluster(mode string) *inventory.Cluster {
	return &inventory.Cluster{ID: inventory.ClusterID("prod"), Name: "prod", Account: acctA, Issuer: "https://" + provA, AuthenticationMode: mode,
		ARN: "arn:aws:eks:us-east-1:111122223333:cluster/prod"}
}

func awsAuth(cluster string, entries ...[3]string) *inventory.AWSAuth {
	id := inventory.AWSAuthID(cluster, inventory.AuthConfigMap, "")
	a := &inventory.AWSAuth{ID: id, Cluster: cluster, Kind: inventory.AuthConfigMap}
	for i, e := range entries {
		a.MapRoles = append(a.MapRoles, &inventory.AuthEntry{ID: inventory.AuthEntryID(id, "mapRoles", i), Section: "mapRoles", Index: i,
			ARN: e[0], Username: e[1], Groups: []string{e[2]}})
	}
	return a
}

func accessEntry(cluster, principal string, policies ...string) *inventory.AccessEntry {
	id := inventory.AccessEntryID(cluster, principal)
	e := &inventory.AccessEntry{ID: id, Cluster: cluster, PrincipalARN: principal, Type: "STANDARD"}
	for _, p := range policies {
		e.Policies = append(e.Policies, inventory.AccessPolicy{ID: inventory.AccessPolicyID(id, p), PolicyARN: p, ScopeType: "cluster"})
	}
	return e
}

// escalation is the three-ways-to-cluster-admin scenario plus a near miss (issue 3 fixtures).
func escalation(t *testing.T) *inventory.Inventory {
	breakglass := roleARN(acctA, "ops-breakglass")
	return &inventory.Inventory{
		IdentityAccounts:     accounts(acctA),
		Clusters:             []*inventory.Cluster{prodCluster(inventory.ModeAPIAndConfigMap)},
		OIDCProviders:        []*inventory.OIDCProvider{{ID: provARN(acctA, provA), ARN: provARN(acctA, provA), Account: acctA, URL: provA, ClientIDs: []string{"sts.amazonaws.com"}}},
		ProviderListAccounts: accounts(acctA),
		Roles: []*inventory.Role{
			newRole(t, acctA, "payments-api", irsaTrust(acctA, provA, "payments", "api")),
			newRole(t, acctA, "ci-deployer", irsaTrust(acctA, provA, "ci", "deployer")),
			newRole(t, acctA, "batch-worker", irsaTrust(acctA, provA, "batch", "worker"), stmts(allowAssume(breakglass))),
			newRole(t, acctA, "ops-breakglass", stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}`)),
			newRole(t, acctA, "reports-viewer", irsaTrust(acctA, provA, "reports", "viewer")),
		},
		ServiceAccounts: []*inventory.ServiceAccount{newSA("prod", "payments", "api"), newSA("prod", "ci", "deployer"),
			newSA("prod", "batch", "worker"), newSA("prod", "reports", "viewer")},
		AWSAuth: []*inventory.AWSAuth{awsAuth("prod",
			[3]string{roleARN(acctA, "payments-api"), "payments-api", "system:masters"},
			[3]string{roleARN(acctA, "ci-deployer"), "ci-deployer", "platform-admins"},
			[3]string{roleARN(acctA, "reports-viewer"), "reports-viewer", "reports-readers"})},
		AccessEntries: []*inventory.AccessEntry{accessEntry("prod", breakglass, clusterAdminPolicy)},
		RBACRoles: []*inventory.RBACRole{
			{ID: inventory.RBACID("prod", "ClusterRole", "", "cluster-admin"), Cluster: "prod", Kind: "ClusterRole", Name: "cluster-admin",
				Rules: []inventory.RBACRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}}},
			{ID: inventory.RBACID("prod", "Role", "reports", "reader"), Cluster: "prod", Kind: "Role", Namespace: "reports", Name: "reader",
				Rules: []inventory.RBACRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list"}}}},
		},
		RBACBindings: []*inventory.RBACBinding{
			{ID: inventory.RBACID("prod", "ClusterRoleBinding", "", "platform-admins"), Cluster: "prod", Kind: "ClusterRoleBinding", Name: "platform-admins",
				RoleKind: "ClusterRole", RoleName: "cluster-admin", Subjects: []inventory.RBACSubject{{Kind: "Group", Name: "platform-admins"}}},
			{ID: inventory.RBACID("prod", "RoleBinding", "reports", "readers"), Cluster: "prod", Kind: "RoleBinding", Namespace: "reports", Name: "readers",
				RoleKind: "Role", RoleName: "reader", Subjects: []inventory.RBACSubject{{Kind: "Group", Name: "reports-readers"}}},
		},
	}
}

// TestServiceAccountsReachClusterAdmin: one ShortestPathsTo call finds the three ways in and
// leaves the near miss out.
func TestServiceAccountsReachClusterAdmin(t *testing.T) {
	g := Build(escalation(t), Options{})
	admin := inventory.ClusterAdminID("prod")
	paths := g.ShortestPathsTo([]string{admin})
	sa := func(ns, name string) string { return inventory.ServiceAccountID("prod", ns, name) }
	tests := []struct {
		name string
		from string
		want []string
	}{
		{"direct system:masters mapping", sa("payments", "api"), []string{sa("payments", "api"),
			"web-identity", roleARN(acctA, "payments-api"),
			"cluster-auth", inventory.IdentityNodeID("prod", "payments-api", []string{"system:masters"}, nil),
			"admin", admin}},
		{"custom group bound to cluster-admin", sa("ci", "deployer"), []string{sa("ci", "deployer"),
			"web-identity", roleARN(acctA, "ci-deployer"),
			"cluster-auth", inventory.IdentityNodeID("prod", "ci-deployer", []string{"platform-admins"}, nil),
			"admin", admin}},
		{"chain through a second role with an admin access entry", sa("batch", "worker"), []string{sa("batch", "worker"),
			"web-identity", roleARN(acctA, "batch-worker"),
			"assume-role", roleARN(acctA, "ops-breakglass"),
			"cluster-auth", inventory.IdentityNodeID("prod", "arn:aws:sts::111122223333:assumed-role/ops-breakglass/{{SessionName}}", nil,
				[]string{clusterAdminPolicy + "@cluster"}),
			"admin", admin}},
		{"near miss: a group bound to a namespaced Role", sa("reports", "viewer"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, hops(paths[tt.from])); diff != "" {
				t.Errorf("path (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("evidence of each admin edge is its mapping or binding", func(t *testing.T) {
		got := map[string][]string{}
		for _, e := range g.In(admin) {
			got[e.From] = e.Evidence
		}
		want := map[string][]string{
			inventory.IdentityNodeID("prod", "payments-api", []string{"system:masters"}, nil): {"awsauth:prod/mapRoles/0"},
			inventory.IdentityNodeID("prod", "ci-deployer", []string{"platform-admins"}, nil): {"k8s:prod/clusterrolebinding/platform-admins"},
			inventory.IdentityNodeID("prod", "arn:aws:sts::111122223333:assumed-role/ops-breakglass/{{SessionName}}", nil, []string{clusterAdminPolicy + "@cluster"}): {
				"eks:prod/accessentry/arn:aws:iam::111122223333:role/ops-breakglass/policy/" + clusterAdminPolicy},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("admin edges (-want +got):\n%s", diff)
		}
	})
}

// TestAuthenticationModes: the same aws-auth mapping of Ops to system:masters, seen through
// the graph in each mode (X41, X42).
func TestAuthenticationModes(t *testing.T) {
	ops := roleARN(acctA, "Ops")
	tests := []struct {
		name      string
		mode      string
		entry     bool
		wantAuth  []string // identity nodes Ops authenticates as
		wantAdmin bool
	}{
		{"CONFIG_MAP uses aws-auth", inventory.ModeConfigMap, true,
			[]string{inventory.IdentityNodeID("prod", "ops", []string{"system:masters"}, nil)}, true},
		{"API_AND_CONFIG_MAP: the access entry overrides aws-auth (X41)", inventory.ModeAPIAndConfigMap, true,
			[]string{inventory.IdentityNodeID("prod", "arn:aws:sts::111122223333:assumed-role/Ops/{{SessionName}}", nil, []string{viewPolicy + "@cluster"})}, false},
		{"API_AND_CONFIG_MAP without an access entry falls back to aws-auth", inventory.ModeAPIAndConfigMap, false,
			[]string{inventory.IdentityNodeID("prod", "ops", []string{"system:masters"}, nil)}, true},
		{"API ignores aws-auth (X42)", inventory.ModeAPI, false, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &inventory.Inventory{
				Clusters: []*inventory.Cluster{prodCluster(tt.mode)},
				Roles:    []*inventory.Role{newRole(t, acctA, "Ops", "")},
				AWSAuth:  []*inventory.AWSAuth{awsAuth("prod", [3]string{ops, "ops", "system:masters"})},
			}
			if tt.entry {
				inv.AccessEntries = []*inventory.AccessEntry{accessEntry("prod", ops, viewPolicy)}
			}
			g := Build(inv, Options{})
			var got []string
			for _, e := range g.Out(ops) {
				if e.Mechanism == MechClusterAuth {
					got = append(got, e.To)
				}
			}
			if diff := cmp.Diff(tt.wantAuth, got); diff != "" {
				t.Errorf("identities (-want +got):\n%s", diff)
			}
			_, admin := g.ShortestPathsTo([]string{inventory.ClusterAdminID("prod")})[ops]
			if admin != tt.wantAdmin {
				t.Errorf("Ops reaches cluster-admin = %v, want %v", admin, tt.wantAdmin)
			}
		})
	}
}

// TestNodeRole: a role mapped with system:nodes is marked, keeps {{EC2PrivateDNSName}}, and
// (G2.7) reaches every ServiceAccount of the cluster.
func TestNodeRole(t *testing.T) {
	node := roleARN(acctA, "node")
	inv := &inventory.Inventory{
		Clusters:        []*inventory.Cluster{prodCluster(inventory.ModeConfigMap)},
		Roles:           []*inventory.Role{newRole(t, acctA, "node", stmts(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`))},
		AWSAuth:         []*inventory.AWSAuth{awsAuth("prod", [3]string{node, "system:node:{{EC2PrivateDNSName}}", "system:nodes"})},
		ServiceAccounts: []*inventory.ServiceAccount{newSA("prod", "payments", "api")},
	}
	g := Build(inv, Options{})
	if !g.Node(node).NodeRole {
		t.Errorf("node role not marked")
	}
	ident := inventory.IdentityNodeID("prod", "system:node:{{EC2PrivateDNSName}}", []string{"system:nodes"}, nil)
	if edge(g, node, ident, MechClusterAuth) == nil {
		t.Fatalf("no cluster-auth edge to %s; out: %v", ident, g.Out(node))
	}
	e := edge(g, ident, inventory.ServiceAccountID("prod", "payments", "api"), MechObtainSA)
	if e == nil || !containsAll(e.Reason, "G2.7") || e.Evidence[0] != "awsauth:prod/mapRoles/0" {
		t.Errorf("node identity → SA edge = %+v, want G2.7 with the mapping as evidence", e)
	}
}

// TestPodIdentity covers X30 and X31 and the verdicts.
func TestPodIdentity(t *testing.T) {
	tagged := stmts(`{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"],
		"Condition":{"StringEquals":{"aws:RequestTag/kubernetes-namespace":"payments","aws:RequestTag/kubernetes-service-account":"api","aws:RequestTag/eks-cluster-name":"prod"}}}`)
	noTag := stmts(`{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":"sts:AssumeRole"}`)
	assoc := func(cluster, ns, sa string, disable bool) *inventory.PodIdentityAssociation {
		return &inventory.PodIdentityAssociation{ID: inventory.PodIdentityID(cluster, ns, sa), Cluster: cluster, Namespace: ns, ServiceAccount: sa,
			RoleARN: roleARN(acctA, "pi"), DisableSessionTags: disable,
			AssociationARN: fmt.Sprintf("arn:aws:eks:us-east-1:%s:podidentityassociation/%s/a-1", acctA, cluster)}
	}
	tests := []struct {
		name  string
		trust string
		assoc *inventory.PodIdentityAssociation
		want  bool
	}{
		{"trust without sts:TagSession rejects tagged sessions (X30)", noTag, assoc("prod", "payments", "api", false), false},
		{"tag-scoped trust admits its association (X31a)", tagged, assoc("prod", "payments", "api", false), true},
		{"tag-scoped trust rejects another ServiceAccount (X31b)", tagged, assoc("prod", "payments", "worker", false), false},
		{"tag-scoped trust rejects another cluster (X31c)", tagged, assoc("dev", "payments", "api", false), false},
		{"tag-scoped trust rejects a session without tags (X31d)", tagged, assoc("prod", "payments", "api", true), false},
		{"trust without sts:TagSession works when tags are disabled (C2.5)", noTag, assoc("prod", "payments", "api", true), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &inventory.Inventory{
				Clusters:    []*inventory.Cluster{prodCluster(inventory.ModeAPI)},
				Roles:       []*inventory.Role{newRole(t, acctA, "pi", tt.trust)},
				PodIdentity: []*inventory.PodIdentityAssociation{tt.assoc},
			}
			g := Build(inv, Options{})
			sa := inventory.ServiceAccountID(tt.assoc.Cluster, tt.assoc.Namespace, tt.assoc.ServiceAccount)
			e := edge(g, sa, roleARN(acctA, "pi"), MechPodIdentity)
			if (e != nil) != tt.want {
				t.Errorf("edge = %v, want %v", e != nil, tt.want)
			}
			if e != nil && e.Evidence[0] != tt.assoc.ID {
				t.Errorf("evidence = %v, want the association first", e.Evidence)
			}
			v, ok := g.PodIdentityVerdicts()[tt.assoc.ID]
			if !ok || v.Assumable != tt.want || !v.Checked || v.Reason == "" {
				t.Errorf("verdict = %+v, want Assumable %v, checked, with a reason", v, tt.want)
			}
		})
	}
	t.Run("a ServiceAccount without an association gets no Pod Identity edge", func(t *testing.T) {
		inv := &inventory.Inventory{
			Roles:           []*inventory.Role{newRole(t, acctA, "pi", tagged)},
			ServiceAccounts: []*inventory.ServiceAccount{newSA("prod", "payments", "api")},
		}
		g := Build(inv, Options{})
		if p := g.ShortestPathsTo([]string{roleARN(acctA, "pi")}); len(p) != 0 {
			t.Errorf("paths to the role: %v, want none", p)
		}
	})
}

// TestWebIdentityPatterns: wildcard subjects stay one pattern node; exact subjects of missing
// ServiceAccounts get a node; other federations are external.
func TestWebIdentityPatterns(t *testing.T) {
	wild := stmts(fmt.Sprintf(`{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringLike":{"%s:sub":"system:serviceaccount:payments:*"}}}`, provARN(acctA, provA), provA))
	gh := stmts(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"},"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}`)
	inv := &inventory.Inventory{
		Clusters: []*inventory.Cluster{prodCluster(inventory.ModeAPI)},
		Roles: []*inventory.Role{newRole(t, acctA, "wild", wild), newRole(t, acctA, "ci", gh),
			newRole(t, acctA, "exact", irsaTrust(acctA, provA, "jobs", "missing"))},
		ServiceAccounts: []*inventory.ServiceAccount{newSA("prod", "payments", "api"), newSA("prod", "payments", "worker"), newSA("prod", "other", "api")},
	}
	g := Build(inv, Options{Principals: []string{"oidc:token.actions.githubusercontent.com:repo:acme/infra:ref:refs/heads/main"}})
	var got []string
	for _, e := range g.In(roleARN(acctA, "wild")) {
		got = append(got, e.From)
	}
	sort.Strings(got)
	want := []string{
		inventory.FederatedNodeID(provARN(acctA, provA), "system:serviceaccount:payments:*"),
		inventory.ServiceAccountID("prod", "payments", "api"),
		inventory.ServiceAccountID("prod", "payments", "worker"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("into wild (-want +got):\n%s", diff)
	}
	if n := g.Node(want[0]); n == nil || n.External || n.Pattern != "system:serviceaccount:payments:*" {
		t.Errorf("pattern node = %+v, want internal with the pattern", n)
	}
	missing := inventory.ServiceAccountID("prod", "jobs", "missing")
	if n := g.Node(missing); n == nil || n.Loaded || edge(g, missing, roleARN(acctA, "exact"), MechWebIdentity) == nil {
		t.Errorf("missing ServiceAccount node %+v should exist, unloaded, with an edge to role exact", n)
	}
	ghNode := inventory.FederatedNodeID("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", "repo:acme/*")
	if n := g.Node(ghNode); n == nil || !n.External || edge(g, ghNode, roleARN(acctA, "ci"), MechWebIdentity) == nil {
		t.Errorf("GitHub pattern node %+v should be external with an edge to role ci", n)
	}
	id, ok := g.PrincipalNode("oidc:token.actions.githubusercontent.com:repo:acme/infra:ref:refs/heads/main", "")
	if !ok || edge(g, id, roleARN(acctA, "ci"), MechWebIdentity) == nil {
		t.Errorf("materialised subject %s (ok %v) should reach role ci", id, ok)
	}
}

// TestDeterministic: two builds of the same inventory give the same nodes, edges and paths.
func TestDeterministic(t *testing.T) {
	g1, g2 := Build(escalation(t), Options{}), Build(escalation(t), Options{})
	if diff := cmp.Diff(g1.Nodes(), g2.Nodes()); diff != "" {
		t.Errorf("nodes differ:\n%s", diff)
	}
	if diff := cmp.Diff(g1.Edges(), g2.Edges()); diff != "" {
		t.Errorf("edges differ:\n%s", diff)
	}
	admin := []string{inventory.ClusterAdminID("prod"), inventory.AWSAdminID(acctA)}
	if diff := cmp.Diff(g1.ShortestPathsTo(admin), g2.ShortestPathsTo(admin)); diff != "" {
		t.Errorf("paths differ:\n%s", diff)
	}
}

// TestExternalNeedsKnownAccounts: a principal is external only against a known set of
// accounts; inputs that name no account of their own (an eksctl ClusterConfig alone) make no
// principal external.
func TestExternalNeedsKnownAccounts(t *testing.T) {
	admin := roleARN(acctA, "platform-admin")
	tests := []struct {
		name  string
		known []string
		want  bool
	}{
		{"no account known", nil, false},
		{"the principal's account is known", []string{acctA}, false},
		{"another account is known", []string{acctB}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &inventory.Inventory{
				Clusters:      []*inventory.Cluster{{ID: inventory.ClusterID("prod"), Name: "prod", AuthenticationMode: inventory.ModeAPIAndConfigMap}},
				AccessEntries: []*inventory.AccessEntry{accessEntry("prod", admin, clusterAdminPolicy)},
			}
			g := Build(inv, Options{KnownAccounts: tt.known})
			n := g.Node(admin)
			if n == nil {
				t.Fatalf("no node for %s", admin)
			}
			if n.External != tt.want {
				t.Errorf("external = %v, want %v", n.External, tt.want)
			}
		})
	}
}
