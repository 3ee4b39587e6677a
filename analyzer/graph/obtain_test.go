package graph

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/rbac"
)

// obtainMix is a cluster where identities obtain ServiceAccounts in every way the grouping of
// rbac-obtain-sa edges has to tell apart: whole namespaces (two system:masters roles, a node
// role), a token for every ServiceAccount plus a second binding naming one of them, an
// impersonation restricted to one name, a ServiceAccount that may create pods in its own
// namespace, a Pod-Identity-only ServiceAccount (no use for a token) and one a trust names that
// does not exist (G2.6).
func obtainMix(t testing.TB) *inventory.Inventory {
	piTrust := stmts(`{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}`)
	rbacRole := func(kind, ns, name string, names []string, verbs []string, resources ...string) *inventory.RBACRole {
		return &inventory.RBACRole{ID: inventory.RBACID("prod", kind, ns, name), Cluster: "prod", Kind: kind, Namespace: ns, Name: name,
			Rules: []inventory.RBACRule{{APIGroups: []string{""}, Resources: resources, Verbs: verbs, ResourceNames: names}}}
	}
	bind := func(kind, ns, name, roleKind, role string, subject inventory.RBACSubject) *inventory.RBACBinding {
		return &inventory.RBACBinding{ID: inventory.RBACID("prod", kind, ns, name), Cluster: "prod", Kind: kind, Namespace: ns, Name: name,
			RoleKind: roleKind, RoleName: role, Subjects: []inventory.RBACSubject{subject}}
	}
	group := func(name string) inventory.RBACSubject { return inventory.RBACSubject{Kind: "Group", Name: name} }
	return &inventory.Inventory{
		IdentityAccounts:     accounts(acctA),
		Clusters:             []*inventory.Cluster{prodCluster(inventory.ModeAPIAndConfigMap)},
		OIDCProviders:        []*inventory.OIDCProvider{{ID: provARN(acctA, provA), ARN: provARN(acctA, provA), Account: acctA, URL: provA, ClientIDs: []string{"sts.amazonaws.com"}}},
		ProviderListAccounts: accounts(acctA),
		Roles: []*inventory.Role{
			newRole(t, acctA, "a1", irsaTrust(acctA, provA, "apps", "a1")),
			newRole(t, acctA, "a2", irsaTrust(acctA, provA, "apps", "a2"), stmts(allowAssume(roleARN(acctA, "admin")))),
			newRole(t, acctA, "ghost", irsaTrust(acctA, provA, "apps", "ghost")),
			newRole(t, acctA, "o1", irsaTrust(acctA, provA, "ops", "o1")),
			newRole(t, acctA, "pi", piTrust),
			newRole(t, acctA, "admin", stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}`)),
			newRole(t, acctA, "node", stmts(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`)),
			newRole(t, acctA, "masters1", ""), newRole(t, acctA, "masters2", ""),
			newRole(t, acctA, "tokener", ""), newRole(t, acctA, "impersonator", ""),
		},
		ServiceAccounts: []*inventory.ServiceAccount{newSA("prod", "apps", "a1"), newSA("prod", "apps", "a2"), newSA("prod", "apps", "a3"),
			newSA("prod", "ops", "o1"), newSA("prod", "ops", "o2")},
		PodIdentity: []*inventory.PodIdentityAssociation{{ID: inventory.PodIdentityID("prod", "apps", "a3"), Cluster: "prod", Namespace: "apps",
			ServiceAccount: "a3", RoleARN: roleARN(acctA, "pi"), AssociationARN: "arn:aws:eks:us-east-1:" + acctA + ":podidentityassociation/prod/a-1"}},
		AWSAuth: []*inventory.AWSAuth{awsAuth("prod",
			[3]string{roleARN(acctA, "node"), "system:node:{{EC2PrivateDNSName}}", "system:nodes"},
			[3]string{roleARN(acctA, "masters1"), "masters1", "system:masters"},
			[3]string{roleARN(acctA, "masters2"), "masters2", "system:masters"},
			[3]string{roleARN(acctA, "tokener"), "tokener", "tokeners"},
			[3]string{roleARN(acctA, "impersonator"), "impersonator", "impersonators"})},
		AccessEntries: []*inventory.AccessEntry{accessEntry("prod", roleARN(acctA, "admin"), clusterAdminPolicy)},
		RBACRoles: []*inventory.RBACRole{
			rbacRole("ClusterRole", "", "token-all", nil, []string{"create"}, "serviceaccounts/token"),
			rbacRole("Role", "apps", "token-a1", []string{"a1"}, []string{"create"}, "serviceaccounts/token"),
			rbacRole("Role", "ops", "impersonate-o1", []string{"o1"}, []string{"impersonate"}, "serviceaccounts"),
			rbacRole("Role", "ops", "pods", nil, []string{"create"}, "pods"),
		},
		RBACBindings: []*inventory.RBACBinding{
			bind("ClusterRoleBinding", "", "tokeners", "ClusterRole", "token-all", group("tokeners")),
			bind("RoleBinding", "apps", "tokeners-a1", "Role", "token-a1", group("tokeners")),
			bind("RoleBinding", "ops", "impersonators", "Role", "impersonate-o1", group("impersonators")),
			bind("RoleBinding", "ops", "o2-pods", "Role", "pods", inventory.RBACSubject{Kind: "ServiceAccount", Name: "o2"}),
		},
	}
}

// TestObtainPerServiceAccount: edges kept by namespace still carry, per ServiceAccount, the
// ways and evidence that apply to it.
func TestObtainPerServiceAccount(t *testing.T) {
	g := Build(obtainMix(t), Options{})
	sa := func(ns, name string) string { return inventory.ServiceAccountID("prod", ns, name) }
	tokener := inventory.IdentityNodeID("prod", "tokener", []string{"tokeners"}, nil)
	impersonator := inventory.IdentityNodeID("prod", "impersonator", []string{"impersonators"}, nil)
	o2 := inventory.IdentityNodeID("prod", "system:serviceaccount:ops:o2",
		[]string{"system:authenticated", "system:serviceaccounts", "system:serviceaccounts:ops"}, nil)
	node := inventory.IdentityNodeID("prod", "system:node:{{EC2PrivateDNSName}}", []string{"system:nodes"}, nil)
	crb, rbA1 := inventory.RBACID("prod", "ClusterRoleBinding", "", "tokeners"), inventory.RBACID("prod", "RoleBinding", "apps", "tokeners-a1")
	tests := []struct {
		name     string
		from, to string
		evidence []string // nil: no edge
	}{
		{"a token of every ServiceAccount, one also named by a second binding", tokener, sa("apps", "a1"), []string{crb, rbA1}},
		{"a token of every ServiceAccount", tokener, sa("apps", "a2"), []string{crb}},
		{"a token is no use for Pod Identity alone", tokener, sa("apps", "a3"), nil},
		{"a token of a ServiceAccount not created yet", tokener, sa("apps", "ghost"), []string{crb}},
		{"impersonation of the one named ServiceAccount", impersonator, sa("ops", "o1"), []string{inventory.RBACID("prod", "RoleBinding", "ops", "impersonators")}},
		{"impersonation of no other", impersonator, sa("ops", "o2"), nil},
		{"a ServiceAccount's pods obtain the others of its namespace", o2, sa("ops", "o1"), []string{inventory.RBACID("prod", "RoleBinding", "ops", "o2-pods")}},
		{"but not itself", o2, sa("ops", "o2"), nil},
		{"the node identity obtains a Pod Identity ServiceAccount", node, sa("apps", "a3"), []string{"awsauth:prod/mapRoles/0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := edge(g, tt.from, tt.to, MechObtainSA)
			if e == nil {
				if tt.evidence != nil {
					t.Fatalf("no edge %s → %s", tt.from, tt.to)
				}
				return
			}
			if tt.evidence == nil {
				t.Fatalf("unexpected edge %s: %s", e.ID, e.Reason)
			}
			if diff := cmp.Diff(tt.evidence, e.Evidence); diff != "" {
				t.Errorf("evidence (-want +got):\n%s", diff)
			}
			if got := g.Edge(e.ID); got == nil || !cmp.Equal(got, e) {
				t.Errorf("Edge(%q) = %+v, want %+v", e.ID, got, e)
			}
		})
	}
	if g.Edge(inventory.EdgeID(o2, sa("ops", "o2"), string(MechObtainSA))) != nil {
		t.Errorf("Edge finds the identity's own ServiceAccount")
	}
}

// TestSearchesMatchEdges: In, Out, Edge and both searches answer as over the plain list of
// every edge: a reference breadth-first search over Edges() finds the same paths.
func TestSearchesMatchEdges(t *testing.T) {
	for _, tc := range []struct {
		name string
		inv  *inventory.Inventory
	}{{"mixed grants", obtainMix(t)}, {"escalation", escalation(t)}, {"synthetic", synthetic(t, 100)}} {
		t.Run(tc.name, func(t *testing.T) {
			g := Build(tc.inv, Options{})
			in, out := map[string][]*Edge{}, map[string][]*Edge{}
			groups := 0
			for _, e := range g.Edges() { // sorted by ID, so in and out are too
				in[e.To] = append(in[e.To], e)
				out[e.From] = append(out[e.From], e)
				if g.edgeByID[e.ID] == nil {
					groups++
				}
			}
			if groups == 0 {
				t.Fatalf("no edge of an obtain group: the test checks nothing")
			}
			for _, n := range g.Nodes() {
				if diff := cmp.Diff(in[n.ID], g.In(n.ID)); diff != "" {
					t.Errorf("In(%s) (-edges +got):\n%s", n.ID, diff)
				}
				if diff := cmp.Diff(out[n.ID], g.Out(n.ID)); diff != "" {
					t.Errorf("Out(%s) (-edges +got):\n%s", n.ID, diff)
				}
				if diff := cmp.Diff(refReachable(out, n.ID), pathIDs(g.Reachable(n.ID))); diff != "" {
					t.Errorf("Reachable(%s) (-reference +got):\n%s", n.ID, diff)
				}
			}
			var targets [][]string
			for _, n := range g.Sinks() {
				targets = append(targets, []string{n.ID})
			}
			for _, n := range g.Nodes() {
				if n.Kind == KindRole || n.Kind == KindServiceAccount {
					targets = append(targets, []string{n.ID})
				}
			}
			for _, ts := range targets {
				if diff := cmp.Diff(refShortest(in, ts), pathIDs(g.ShortestPathsTo(ts))); diff != "" {
					t.Errorf("ShortestPathsTo(%v) (-reference +got):\n%s", ts, diff)
				}
			}
		})
	}
}

func pathIDs(ps map[string]*Path) map[string][]string {
	out := map[string][]string{}
	for k, p := range ps {
		for _, e := range p.Edges {
			out[k] = append(out[k], e.ID)
		}
	}
	return out
}

// refShortest is ShortestPathsTo's search over plain edge lists.
func refShortest(in map[string][]*Edge, targets []string) map[string][]string {
	next, seen := map[string]*Edge{}, map[string]bool{}
	queue := slices.Clone(targets)
	for _, t := range targets {
		seen[t] = true
	}
	for i := 0; i < len(queue); i++ {
		for _, e := range in[queue[i]] {
			if !seen[e.From] {
				seen[e.From] = true
				next[e.From] = e
				queue = append(queue, e.From)
			}
		}
	}
	out := map[string][]string{}
	for from := range next {
		for n := from; next[n] != nil; n = next[n].To {
			out[from] = append(out[from], next[n].ID)
		}
	}
	return out
}

// refReachable is Reachable's search over plain edge lists.
func refReachable(out map[string][]*Edge, from string) map[string][]string {
	prev, seen := map[string]*Edge{}, map[string]bool{from: true}
	queue := []string{from}
	for i := 0; i < len(queue); i++ {
		for _, e := range out[queue[i]] {
			if !seen[e.To] {
				seen[e.To] = true
				prev[e.To] = e
				queue = append(queue, e.To)
			}
		}
	}
	res := map[string][]string{}
	for to := range prev {
		var ids []string
		for n := to; n != from; n = prev[n].From {
			ids = append(ids, prev[n].ID)
		}
		slices.Reverse(ids)
		res[to] = ids
	}
	return res
}

// TestGrantsAsPerNamespaceEvaluation: grants, which shares its work between identities alike
// and looks at cluster-wide grants apart, gives every identity what evaluating its whole RBAC
// in every namespace it may reach gives.
func TestGrantsAsPerNamespaceEvaluation(t *testing.T) {
	inv := obtainMix(t)
	group := func(name string) inventory.RBACSubject { return inventory.RBACSubject{Kind: "Group", Name: name} }
	role := func(kind, ns, name string, verbs []string, resources ...string) *inventory.RBACRole {
		return &inventory.RBACRole{ID: inventory.RBACID("prod", kind, ns, name), Cluster: "prod", Kind: kind, Namespace: ns, Name: name,
			Rules: []inventory.RBACRule{{APIGroups: []string{""}, Resources: resources, Verbs: verbs}}}
	}
	bind := func(kind, ns, name, roleKind, roleName string, subject inventory.RBACSubject) *inventory.RBACBinding {
		return &inventory.RBACBinding{ID: inventory.RBACID("prod", kind, ns, name), Cluster: "prod", Kind: kind, Namespace: ns, Name: name,
			RoleKind: roleKind, RoleName: roleName, Subjects: []inventory.RBACSubject{subject}}
	}
	// Every identity gets a harmless cluster-wide binding; ServiceAccounts of apps may create
	// pods there; the identities of one access entry get namespaced policies, one a pattern.
	inv.RBACRoles = append(inv.RBACRoles, role("ClusterRole", "", "viewer", []string{"get"}, "namespaces"),
		role("ClusterRole", "", "pod-creator", []string{"create"}, "pods"))
	inv.RBACBindings = append(inv.RBACBindings,
		bind("ClusterRoleBinding", "", "everyone", "ClusterRole", "viewer", group("system:authenticated")),
		bind("RoleBinding", "apps", "apps-pods", "ClusterRole", "pod-creator", group("system:serviceaccounts:apps")),
		bind("ClusterRoleBinding", "", "tokeners-pods", "ClusterRole", "pod-creator", group("tokeners")))
	editor := accessEntry("prod", roleARN(acctA, "a1"))
	editor.Policies = []inventory.AccessPolicy{{ID: inventory.AccessPolicyID(editor.ID, "edit"), PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
		ScopeType: "namespace", Namespaces: []string{"ops"}}}
	globber := accessEntry("prod", roleARN(acctA, "o1"))
	globber.Policies = []inventory.AccessPolicy{{ID: inventory.AccessPolicyID(globber.ID, "edit"), PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
		ScopeType: "namespace", Namespaces: []string{"a*"}}}
	inv.AccessEntries = append(inv.AccessEntries, editor, globber)

	_, b := build(inv, Options{})
	k := b.kubeCluster("prod")
	checked := 0
	var ids []string
	for id := range b.idents {
		ids = append(ids, id)
	}
	slices.Sort(ids) // as Build meets them: an identity with a namespaced policy comes first
	for _, id := range ids {
		info := b.idents[id]
		want := referenceGrants(b, k, info)
		got := b.grants(k, info)
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(nsGrant{})); diff != "" {
			t.Errorf("grants of %s (-reference +got):\n%s", id, diff)
		}
		if len(want) > 0 {
			checked++
		}
	}
	if checked < 5 {
		t.Errorf("only %d identities with grants: the test checks little", checked)
	}
}

// referenceGrants evaluates info's whole RBAC in every namespace it may obtain in: all of them
// for system:masters, system:nodes, a ClusterRoleBinding or a cluster-scoped or patterned
// access policy, else those of its RoleBindings and access policies.
func referenceGrants(b *builder, k *kubeCluster, info *identInfo) []nsGrant {
	s := info.subject
	all := slices.Contains(s.Groups, "system:masters") || slices.Contains(s.Groups, "system:nodes")
	want := map[string]bool{}
	for _, p := range info.policies {
		all = all || p.ScopeType != "namespace"
		for _, ns := range p.Namespaces {
			all = all || strings.ContainsAny(ns, "*?")
			want[ns] = true
		}
	}
	for _, bd := range k.bindings(plain(s)) {
		all = all || bd.Kind != "RoleBinding"
		want[bd.Namespace] = true
	}
	var out []nsGrant
	for _, ns := range k.namespaces {
		if !all && !want[ns] {
			continue
		}
		base := rbac.CanObtainServiceAccount(k.authz, s, ns, "")
		_, tok := k.authz.NamesAllowed(s, "create", "", "serviceaccounts", "token", ns)
		_, imp := k.authz.NamesAllowed(s, "impersonate", "", "serviceaccounts", "", ns)
		if len(base) == 0 && len(tok) == 0 && len(imp) == 0 {
			continue
		}
		out = append(out, nsGrant{ns: ns, base: base, tokNames: tok, impNames: imp, named: namedGrants(k, plain(s), k.bindings(plain(s)), ns, tok, imp)})
	}
	return out
}
