package graph

import (
	"strings"
	"testing"

	"github.com/rolecall/rolecall/analyzer/inventory"
)

// TestExplain: why a caller has no edge into a role — the one request evaluated in full.
func TestExplain(t *testing.T) {
	target := roleARN(acctA, "Target")
	rootTrust := stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}`)
	denySTS := stmts(`{"Effect":"Deny","Action":"sts:*","Resource":"*"}`)
	boundary := &inventory.ManagedPolicy{ID: "arn:aws:iam::111122223333:policy/b", ARN: "arn:aws:iam::111122223333:policy/b",
		Default: mustIdentity(t, stmts(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))}
	bounded := newUser(t, acctA, "henry", stmts(allowAssume("*")))
	bounded.PermissionsBoundary = boundary.ARN
	inv := &inventory.Inventory{
		IdentityAccounts: accounts(acctA),
		Roles:            []*inventory.Role{newRole(t, acctA, "Target", rootTrust), newRole(t, acctA, "Named", stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}`))},
		Users: []*inventory.User{
			newUser(t, acctA, "alice", stmts(allowAssume(target))),
			newUser(t, acctA, "bob"),
			newUser(t, acctA, "dave", stmts(allowAssume("*")), denySTS),
			bounded,
		},
		ManagedPolicies: []*inventory.ManagedPolicy{boundary},
	}
	g := Build(inv, Options{})
	tests := []struct {
		name, from, role string
		ok, trustAdmits  bool
		want             string
	}{
		{"allowed: nothing to explain", userARN(acctA, "alice"), target, false, false, ""},
		{"X1 without the identity grant", userARN(acctA, "bob"), target, true, true, "identity policies must also allow sts:AssumeRole on " + target},
		{"X5 explicit deny", userARN(acctA, "dave"), target, true, true, "(explicit deny wins)"},
		{"boundary", userARN(acctA, "henry"), target, true, true, "permissions boundary does not allow"},
		{"trust does not admit", userARN(acctA, "bob"), roleARN(acctA, "Named"), true, false, "denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := inventory.PrincipalID(tt.from)
			if edge(g, from, inventory.RoleID(tt.role), MechAssumeRole) != nil && tt.ok {
				t.Fatalf("there is an edge; nothing to explain")
			}
			why, admits, ok := g.Explain(from, inventory.RoleID(tt.role))
			if ok != tt.ok || admits != tt.trustAdmits || !strings.Contains(why, tt.want) {
				t.Errorf("Explain = %q, trustAdmits %v, ok %v; want %q, %v, %v", why, admits, ok, tt.want, tt.trustAdmits, tt.ok)
			}
		})
	}
}
