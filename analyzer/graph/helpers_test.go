package graph

import (
	"fmt"
	"testing"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
)

const (
	acctA = "111122223333"
	acctB = "444455556666"
	provA = "oidc.eks.us-east-1.amazonaws.com/id/AAAA0000AAAA0000AAAA0000AAAA0000"
)

func roleARN(acct, name string) string { return "arn:aws:iam::" + acct + ":role/" + name }
func userARN(acct, name string) string { return "arn:aws:iam::" + acct + ":user/" + name }
func provARN(acct, host string) string { return "arn:aws:iam::" + acct + ":oidc-provider/" + host }

func mustTrust(t testing.TB, js string) *iampolicy.Policy {
	t.Helper()
	p, err := iampolicy.Parse([]byte(js), "trust.json")
	if err != nil {
		t.Fatalf("parse trust %s: %v", js, err)
	}
	return p
}

func mustIdentity(t testing.TB, js string) *iampolicy.Policy {
	t.Helper()
	p, err := iampolicy.ParseIdentity([]byte(js), "policy.json")
	if err != nil {
		t.Fatalf("parse identity policy %s: %v", js, err)
	}
	return p
}

// stmts wraps statements into a 2012-10-17 policy document.
func stmts(s ...string) string {
	out := `{"Version":"2012-10-17","Statement":[`
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out + "]}"
}

func allowAssume(resource string) string {
	return fmt.Sprintf(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":%q}`, resource)
}

func newRole(t testing.TB, acct, name, trust string, inline ...string) *inventory.Role {
	arn := roleARN(acct, name)
	r := &inventory.Role{ID: inventory.RoleID(arn), ARN: arn, Name: name, Path: "/", Account: acct, RoleID: "AROA" + name}
	if trust != "" {
		r.Trust = mustTrust(t, trust)
	}
	for i, p := range inline {
		r.InlinePolicies = append(r.InlinePolicies, inventory.NamedPolicy{Name: fmt.Sprintf("inline%d", i), Document: mustIdentity(t, p)})
	}
	return r
}

func newUser(t testing.TB, acct, name string, inline ...string) *inventory.User {
	arn := userARN(acct, name)
	u := &inventory.User{ID: inventory.PrincipalID(arn), ARN: arn, Name: name, Path: "/", Account: acct}
	for i, p := range inline {
		u.InlinePolicies = append(u.InlinePolicies, inventory.NamedPolicy{Name: fmt.Sprintf("inline%d", i), Document: mustIdentity(t, p)})
	}
	return u
}

func newSA(cluster, ns, name string) *inventory.ServiceAccount {
	return &inventory.ServiceAccount{ID: inventory.ServiceAccountID(cluster, ns, name), Cluster: cluster, Namespace: ns, Name: name}
}

// irsaTrust trusts ServiceAccount ns/name of provider host in account acct.
func irsaTrust(acct, host, ns, name string) string {
	return stmts(fmt.Sprintf(`{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{"%s:sub":"system:serviceaccount:%s:%s","%s:aud":"sts.amazonaws.com"}}}`,
		provARN(acct, host), host, ns, name, host))
}

func accounts(as ...string) map[string]bool {
	m := map[string]bool{}
	for _, a := range as {
		m[a] = true
	}
	return m
}

// edge returns the edge of mechanism m from → to, or nil.
func edge(g *Graph, from, to string, m Mechanism) *Edge {
	for _, e := range g.Out(from) {
		if e.To == to && e.Mechanism == m {
			return e
		}
	}
	return nil
}

// hops renders a path as "from -mech-> to -mech-> …" with node IDs.
func hops(p *Path) []string {
	if p == nil {
		return nil
	}
	out := []string{p.From}
	for _, e := range p.Edges {
		out = append(out, string(e.Mechanism), e.To)
	}
	return out
}
