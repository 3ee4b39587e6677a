package graph

import (
	"fmt"
	"testing"

	"github.com/rolecall/rolecall/analyzer/inventory"
)

// synthetic builds an inventory of n roles and 4n ServiceAccounts in 100 namespaces of one
// cluster: every role trusts one ServiceAccount by IRSA and the account root; 50 users may
// assume any role; every tenth role is mapped into the cluster; each namespace has a team
// group bound to a pod-creating Role.
func synthetic(tb testing.TB, n int) *inventory.Inventory {
	inv := &inventory.Inventory{
		IdentityAccounts:     accounts(acctA),
		ProviderListAccounts: accounts(acctA),
		Clusters:             []*inventory.Cluster{prodCluster(inventory.ModeAPIAndConfigMap)},
		OIDCProviders:        []*inventory.OIDCProvider{{ID: provARN(acctA, provA), ARN: provARN(acctA, provA), Account: acctA, URL: provA, ClientIDs: []string{"sts.amazonaws.com"}}},
	}
	auth := &inventory.AWSAuth{ID: inventory.AWSAuthID("prod", inventory.AuthConfigMap, ""), Cluster: "prod", Kind: inventory.AuthConfigMap}
	inv.AWSAuth = []*inventory.AWSAuth{auth}
	for i := 0; i < 4*n; i++ {
		inv.ServiceAccounts = append(inv.ServiceAccounts, newSA("prod", fmt.Sprintf("ns%02d", i%100), fmt.Sprintf("sa%05d", i)))
	}
	for i := 0; i < n; i++ {
		ns, sa := fmt.Sprintf("ns%02d", i%100), fmt.Sprintf("sa%05d", i)
		trust := stmts(
			fmt.Sprintf(`{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"%s:sub":"system:serviceaccount:%s:%s","%s:aud":"sts.amazonaws.com"}}}`,
				provARN(acctA, provA), provA, ns, sa, provA),
			`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}`)
		r := newRole(tb, acctA, fmt.Sprintf("role%05d", i), trust)
		inv.Roles = append(inv.Roles, r)
		if i%10 == 0 {
			auth.MapRoles = append(auth.MapRoles, &inventory.AuthEntry{ID: inventory.AuthEntryID(auth.ID, "mapRoles", len(auth.MapRoles)),
				Section: "mapRoles", ARN: r.ARN, Username: r.Name, Groups: []string{"team-" + ns}})
		}
	}
	for i := 0; i < 50; i++ {
		inv.Users = append(inv.Users, newUser(tb, acctA, fmt.Sprintf("user%02d", i), stmts(allowAssume("arn:aws:iam::111122223333:role/*"))))
	}
	for i := 0; i < 100; i++ {
		ns := fmt.Sprintf("ns%02d", i)
		inv.RBACRoles = append(inv.RBACRoles, &inventory.RBACRole{ID: inventory.RBACID("prod", "Role", ns, "deployer"), Cluster: "prod", Kind: "Role",
			Namespace: ns, Name: "deployer", Rules: []inventory.RBACRule{{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"create"}}}})
		inv.RBACBindings = append(inv.RBACBindings, &inventory.RBACBinding{ID: inventory.RBACID("prod", "RoleBinding", ns, "team"), Cluster: "prod",
			Kind: "RoleBinding", Namespace: ns, Name: "team", RoleKind: "Role", RoleName: "deployer",
			Subjects: []inventory.RBACSubject{{Kind: "Group", Name: "team-" + ns}}})
	}
	return inv
}

// BenchmarkBuild builds the graph of a synthetic inventory and computes every path to the
// sinks. Doubling the size should roughly double the time (the user × role pairs of the
// account-root trusts are inherent: each needs its own identity evaluation).
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1000, 2000} {
		inv := synthetic(b, n)
		b.Run(fmt.Sprintf("roles=%d/sas=%d", n, 4*n), func(b *testing.B) {
			for b.Loop() {
				g := Build(inv, Options{})
				var sinks []string
				for _, s := range g.Sinks() {
					sinks = append(sinks, s.ID)
				}
				g.ShortestPathsTo(sinks)
			}
		})
	}
}

// TestSyntheticShape keeps the benchmark honest: the edges it builds are the expected ones.
func TestSyntheticShape(t *testing.T) {
	g := Build(synthetic(t, 200), Options{})
	counts := map[Mechanism]int{}
	for _, e := range g.Edges() {
		counts[e.Mechanism]++
	}
	// 200 IRSA edges; 50 users × 200 roles + 200 roles × 200 roles (no role may assume: no
	// identity grant) → 10000 assume edges; 20 mapped roles; 800 ServiceAccount tokens; each of
	// the 20 team identities obtains the 8 ServiceAccounts of its namespace.
	want := map[Mechanism]int{MechWebIdentity: 200, MechAssumeRole: 10000, MechClusterAuth: 20, MechServiceToken: 800, MechObtainSA: 160}
	for m, n := range want {
		if counts[m] != n {
			t.Errorf("%s edges = %d, want %d", m, counts[m], n)
		}
	}
}
