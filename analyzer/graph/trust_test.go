package graph

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
)

// TestAssumeRoleEdges is the can-assume table (semantics H): one target role, one caller, and
// whether the graph has the caller → role edge, with its flags.
func TestAssumeRoleEdges(t *testing.T) {
	target := roleARN(acctA, "Target")
	rootTrust := stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}`)
	type want struct {
		Edge              bool
		Evidence          []string
		DependsOn         []string
		IdentityUnchecked bool
		External          bool
	}
	tests := []struct {
		name    string
		inv     *inventory.Inventory
		opts    Options
		from    string
		want    want
		noNode  bool
		comment string
	}{
		{
			name: "account root trust without the caller's identity grant is denied (X1a)",
			inv: &inventory.Inventory{IdentityAccounts: accounts(acctA), Roles: []*inventory.Role{newRole(t, acctA, "Target", rootTrust)},
				Users: []*inventory.User{newUser(t, acctA, "alice")}},
			from: userARN(acctA, "alice"),
		},
		{
			name: "account root trust with the caller's identity grant is allowed (X1b)",
			inv: &inventory.Inventory{IdentityAccounts: accounts(acctA), Roles: []*inventory.Role{newRole(t, acctA, "Target", rootTrust)},
				Users: []*inventory.User{newUser(t, acctA, "alice", stmts(allowAssume(target)))}},
			from: userARN(acctA, "alice"),
			want: want{Edge: true, Evidence: []string{target + "#trust/0"}},
		},
		{
			name: "explicit same-account user needs no identity policy (X2)",
			inv: &inventory.Inventory{IdentityAccounts: accounts(acctA),
				Roles: []*inventory.Role{newRole(t, acctA, "Target", stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}`))},
				Users: []*inventory.User{newUser(t, acctA, "alice")}},
			from: userARN(acctA, "alice"),
			want: want{Edge: true, Evidence: []string{target + "#trust/0"}},
		},
		{
			name: "a user the trust does not name gets nothing from his identity grant (X2)",
			inv: &inventory.Inventory{IdentityAccounts: accounts(acctA),
				Roles: []*inventory.Role{newRole(t, acctA, "Target", stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}`))},
				Users: []*inventory.User{newUser(t, acctA, "alice"), newUser(t, acctA, "bob", stmts(allowAssume("*")))}},
			from: userARN(acctA, "bob"),
		},
		{
			name: "loaded cross-account caller without identity grant is denied (X3)",
			inv: &inventory.Inventory{IdentityAccounts: accounts(acctA, acctB),
				Roles: []*inventory.Role{newRole(t, acctA, "Target", stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/bob"},"Action":"sts:AssumeRole"}`))},
				Users: []*inventory.User{newUser(t, acctB, "bob")}},
			from: userARN(acctB, "bob"),
		},
		{
			name: "loaded cross-account caller with identity grant is allowed (X3)",
			inv: &inventory.Inventory{IdentityAccounts: accounts(acctA, acctB),
				Roles: []*inventory.Role{newRole(t, acctA, "Target", stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/bob"},"Action":"sts:AssumeRole"}`))},
				Users: []*inventory.User{newUser(t, acctB, "bob", stmts(allowAssume(target)))}},
			from: userARN(acctB, "bob"),
			want: want{Edge: true, Evidence: []string{target + "#trust/0"}},
		},
		{
			name: "unloaded cross-account caller is taken as allowed on its own side (X3)",
			inv: &inventory.Inventory{IdentityAccounts: accounts(acctA),
				Roles: []*inventory.Role{newRole(t, acctA, "Target", stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/bob"},"Action":"sts:AssumeRole"}`))}},
			from: userARN(acctB, "bob"),
			want: want{Edge: true, Evidence: []string{target + "#trust/0"}, IdentityUnchecked: true, External: true},
		},
		{
			name: "unloaded trusted account is one account node taken as allowed (X3)",
			inv: &inventory.Inventory{IdentityAccounts: accounts(acctA),
				Roles: []*inventory.Role{newRole(t, acctA, "Target", stmts(`{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole"}`))}},
			from: inventory.AccountNodeID(acctB),
			want: want{Edge: true, Evidence: []string{target + "#trust/0"}, IdentityUnchecked: true, External: true},
		},
		{
			name: "explicit deny in the caller's group policy wins (X5)",
			inv: &inventory.Inventory{IdentityAccounts: accounts(acctA), Roles: []*inventory.Role{newRole(t, acctA, "Target", rootTrust)},
				Users: []*inventory.User{func() *inventory.User {
					u := newUser(t, acctA, "alice", stmts(allowAssume("*")))
					u.Groups = []string{"nosts"}
					return u
				}()},
				Groups: []*inventory.Group{{ID: "g", Name: "nosts", Account: acctA, InlinePolicies: []inventory.NamedPolicy{
					{Name: "deny", Document: mustIdentity(t, stmts(`{"Effect":"Deny","Action":"sts:*","Resource":"*"}`))}}}}},
			from: userARN(acctA, "alice"),
		},
		{
			name: "explicit deny in the trust policy wins over an allow (X6b)",
			inv: &inventory.Inventory{IdentityAccounts: accounts(acctA),
				Roles: []*inventory.Role{newRole(t, acctA, "Target", stmts(
					`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}`,
					`{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/Ops"}}}`))},
				Users: []*inventory.User{newUser(t, acctA, "alice", stmts(allowAssume("*")))}},
			from: userARN(acctA, "alice"),
		},
		{
			name: "a permissions boundary without sts:AssumeRole blocks even an explicit grant (A5.6)",
			inv: &inventory.Inventory{IdentityAccounts: accounts(acctA),
				Roles: []*inventory.Role{newRole(t, acctA, "Target", stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}`))},
				Users: []*inventory.User{func() *inventory.User {
					u := newUser(t, acctA, "alice")
					u.PermissionsBoundary = "arn:aws:iam::111122223333:policy/s3only"
					return u
				}()},
				ManagedPolicies: []*inventory.ManagedPolicy{{ID: "arn:aws:iam::111122223333:policy/s3only", ARN: "arn:aws:iam::111122223333:policy/s3only",
					Default: mustIdentity(t, stmts(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))}}},
			from: userARN(acctA, "alice"),
		},
		{
			name: "a condition on MFA is kept as an edge that depends on it",
			inv: &inventory.Inventory{IdentityAccounts: accounts(acctA),
				Roles: []*inventory.Role{newRole(t, acctA, "Target", stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`))},
				Users: []*inventory.User{newUser(t, acctA, "alice")}},
			from: userARN(acctA, "alice"),
			want: want{Edge: true, Evidence: []string{target + "#trust/0"}, DependsOn: []string{"aws:MultiFactorAuthPresent"}},
		},
		{
			name: "--context aws:MultiFactorAuthPresent=true settles the MFA condition",
			inv: &inventory.Inventory{IdentityAccounts: accounts(acctA),
				Roles: []*inventory.Role{newRole(t, acctA, "Target", stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`))},
				Users: []*inventory.User{newUser(t, acctA, "alice")}},
			opts: Options{Context: iampolicy.Context{Values: map[string][]string{"aws:MultiFactorAuthPresent": {"true"}}}},
			from: userARN(acctA, "alice"),
			want: want{Edge: true, Evidence: []string{target + "#trust/0"}},
		},
		{
			name:   "an ExternalId condition is not met when no --context supplies it",
			inv:    &inventory.Inventory{Roles: []*inventory.Role{newRole(t, acctA, "Target", stmts(`{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"EXT1"}}}`))}},
			from:   inventory.AccountNodeID(acctB),
			noNode: true,
		},
		{
			name: "--context sts:ExternalId meets the ExternalId condition",
			inv:  &inventory.Inventory{Roles: []*inventory.Role{newRole(t, acctA, "Target", stmts(`{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"EXT1"}}}`))}},
			opts: Options{Context: iampolicy.Context{Values: map[string][]string{"sts:ExternalId": {"EXT1"}}}},
			from: inventory.AccountNodeID(acctB),
			want: want{Edge: true, Evidence: []string{target + "#trust/0"}, IdentityUnchecked: true, External: true},
		},
		{
			name: "--context aws:PrincipalOrgID admits a public trust scoped to the organisation",
			inv:  &inventory.Inventory{Roles: []*inventory.Role{newRole(t, acctA, "Target", stmts(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-123"}}}`))}},
			opts: Options{Context: iampolicy.Context{Values: map[string][]string{"aws:PrincipalOrgID": {"o-123"}}}},
			from: inventory.PublicNodeID(),
			want: want{Edge: true, Evidence: []string{target + "#trust/0"}, IdentityUnchecked: true, External: true},
		},
		{
			name:   "a public trust scoped to an organisation admits nobody without --context",
			inv:    &inventory.Inventory{Roles: []*inventory.Role{newRole(t, acctA, "Target", stmts(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-123"}}}`))}},
			from:   inventory.PublicNodeID(),
			noNode: true,
		},
		{
			name: "Principal * admits same-account roles without identity grant (X4a)",
			inv: &inventory.Inventory{IdentityAccounts: accounts(acctA), Roles: []*inventory.Role{
				newRole(t, acctA, "Target", stmts(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`)), newRole(t, acctA, "app", "")}},
			from: roleARN(acctA, "app"),
			want: want{Edge: true, Evidence: []string{target + "#trust/0"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if !tt.want.Edge && tt.from != "" && !tt.noNode {
				opts.Principals = append(opts.Principals, tt.from)
			}
			g := Build(tt.inv, opts)
			n := g.Node(tt.from)
			if n == nil {
				if tt.noNode || !tt.want.Edge {
					return
				}
				t.Fatalf("no node %s", tt.from)
			}
			var got want
			if e := edge(g, tt.from, target, MechAssumeRole); e != nil {
				got = want{Edge: true, Evidence: e.Evidence, DependsOn: e.DependsOn, IdentityUnchecked: e.IdentityUnchecked, External: n.External}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("edge %s → %s (-want +got):\n%s", tt.from, target, diff)
			}
		})
	}
}

// TestSelfAssumption: a role does not trust itself unless named (X8, A6.1).
func TestSelfAssumption(t *testing.T) {
	r := roleARN(acctA, "R")
	tests := []struct {
		name  string
		trust string
		want  bool
	}{
		{"identity grant alone does not let a role assume itself", stmts(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`), false},
		{"naming the role in its own trust lets it assume itself", stmts(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`,
			`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/R"},"Action":"sts:AssumeRole"}`), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &inventory.Inventory{IdentityAccounts: accounts(acctA), Roles: []*inventory.Role{newRole(t, acctA, "R", tt.trust, stmts(allowAssume(r)))}}
			g := Build(inv, Options{})
			if got := edge(g, r, r, MechAssumeRole) != nil; got != tt.want {
				t.Errorf("self edge = %v, want %v", got, tt.want)
			}
			if e := edge(g, inventory.ServiceNodeID("ec2.amazonaws.com"), r, MechAssumeRole); e == nil {
				t.Errorf("missing ec2.amazonaws.com → R edge")
			}
		})
	}
}

// TestReachableTwoHopChain: alice → RoleA (explicit) → RoleB (account trust + RoleA's grant).
func TestReachableTwoHopChain(t *testing.T) {
	a, b := roleARN(acctA, "RoleA"), roleARN(acctA, "RoleB")
	inv := &inventory.Inventory{
		IdentityAccounts: accounts(acctA),
		Users:            []*inventory.User{newUser(t, acctA, "alice")},
		Roles: []*inventory.Role{
			newRole(t, acctA, "RoleA", stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}`), stmts(allowAssume(b))),
			newRole(t, acctA, "RoleB", stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}`)),
		},
	}
	g := Build(inv, Options{})
	paths := g.Reachable(userARN(acctA, "alice"))
	want := []string{userARN(acctA, "alice"), "assume-role", a, "assume-role", b}
	if diff := cmp.Diff(want, hops(paths[b])); diff != "" {
		t.Errorf("path alice → RoleB (-want +got):\n%s", diff)
	}
	if e := paths[b].Edges[1]; !containsAll(e.Reason, "role chaining") || e.Evidence[0] != b+"#trust/0" {
		t.Errorf("chained hop = %+v, want a chaining reason and evidence %s#trust/0", e, b)
	}
	if edge(g, userARN(acctA, "alice"), b, MechAssumeRole) != nil {
		t.Errorf("alice has no identity grant on RoleB, so no direct edge")
	}
}

// TestAWSAdmin: AdministratorAccess or an unconditional * on * makes a principal AWS admin.
func TestAWSAdmin(t *testing.T) {
	tests := []struct {
		name string
		role func() *inventory.Role
		user func() *inventory.User
		grp  *inventory.Group
		want bool
	}{
		{name: "AdministratorAccess attached to a role", want: true, role: func() *inventory.Role {
			r := newRole(t, acctA, "R", "")
			r.AttachedPolicies = []string{"arn:aws:iam::aws:policy/AdministratorAccess"}
			return r
		}},
		{name: "inline * on * of a role", want: true, role: func() *inventory.Role {
			return newRole(t, acctA, "R", "", stmts(`{"Effect":"Allow","Action":"*","Resource":"*"}`))
		}},
		{name: "conditional * on * is not admin", role: func() *inventory.Role {
			return newRole(t, acctA, "R", "", stmts(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`))
		}},
		{name: "s3:* on * is not admin", role: func() *inventory.Role {
			return newRole(t, acctA, "R", "", stmts(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
		}},
		{name: "group policy * on * makes its user admin", want: true,
			user: func() *inventory.User { u := newUser(t, acctA, "u"); u.Groups = []string{"admins"}; return u },
			grp: &inventory.Group{ID: "grp", Name: "admins", Account: acctA, InlinePolicies: []inventory.NamedPolicy{
				{Name: "all", Document: mustIdentity(t, stmts(`{"Effect":"Allow","Action":"*","Resource":"*"}`))}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &inventory.Inventory{}
			from := ""
			if tt.role != nil {
				r := tt.role()
				inv.Roles, from = []*inventory.Role{r}, r.ID
			}
			if tt.user != nil {
				u := tt.user()
				inv.Users, from = []*inventory.User{u}, u.ID
			}
			if tt.grp != nil {
				inv.Groups = []*inventory.Group{tt.grp}
			}
			g := Build(inv, Options{})
			e := edge(g, from, inventory.AWSAdminID(acctA), MechAdmin)
			if (e != nil) != tt.want {
				t.Fatalf("admin edge = %v, want %v", e != nil, tt.want)
			}
			if e != nil && e.Evidence[0] != from {
				t.Errorf("evidence = %v, want %s first", e.Evidence, from)
			}
		})
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

// TestAssumersByResource: the callers evaluated against a role are only those whose own
// policies may allow assuming it (by the literal beginning of their resources), and no edge is
// lost by it: the assume-role edges between loaded principals are exactly the pairs
// iampolicy.Assume allows, evaluated one by one.
func TestAssumersByResource(t *testing.T) {
	root := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}`
	inv := &inventory.Inventory{IdentityAccounts: accounts(acctA)}
	for _, name := range []string{"ops-a", "ops-b", "OPS-c", "app-alice", "data", "public-ish"} {
		trust := stmts(root)
		if name == "public-ish" {
			trust = stmts(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`)
		}
		inv.Roles = append(inv.Roles, newRole(t, acctA, name, trust))
	}
	inv.Roles = append(inv.Roles, newRole(t, acctA, "named", stmts(`{"Effect":"Allow","Principal":{"AWS":"`+userARN(acctA, "nobody")+`"},"Action":"sts:AssumeRole"}`)))
	for name, policy := range map[string]string{
		"ops":      allowAssume("arn:aws:iam::111122223333:role/ops-*"),
		"upper":    allowAssume("arn:aws:iam::111122223333:role/OPS-*"),
		"any":      allowAssume("*"),
		"alice":    allowAssume("arn:aws:iam::111122223333:role/app-${aws:username}"),
		"exact":    allowAssume("arn:aws:iam::111122223333:role/data"),
		"not":      `{"Effect":"Allow","Action":"sts:AssumeRole","NotResource":"arn:aws:iam::111122223333:role/ops-*"}`,
		"notact":   `{"Effect":"Allow","NotAction":"s3:*","Resource":"arn:aws:iam::111122223333:role/d*"}`,
		"s3":       `{"Effect":"Allow","Action":"s3:*","Resource":"*"}`,
		"nobody":   `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`,
		"denyops":  allowAssume("*") + `,{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/ops-*"}`,
		"question": allowAssume("arn:aws:iam::111122223333:role/ops-?"),
	} {
		inv.Users = append(inv.Users, newUser(t, acctA, name, stmts(policy)))
	}
	g, b := build(inv, Options{})
	want, got := map[string]bool{}, map[string]bool{}
	for _, r := range inv.Roles {
		for _, c := range b.callers {
			req := iampolicy.Request{Caller: c.iam(), Action: iampolicy.ActionAssumeRole, Context: b.callerContext(c.kind)}
			if allowed(iampolicy.Assume(r.Trust, r.ARN, c.identity, c.boundary, req).Decision) {
				want[c.id+" → "+r.Name] = true
			}
		}
	}
	for _, e := range g.Edges() {
		if e.Mechanism == MechAssumeRole && b.callerByID[e.From] != nil {
			got[e.From+" → "+g.Node(e.To).Label[len("role/"):]] = true
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("assume-role edges (-each pair evaluated +graph):\n%s", diff)
	}
	if len(want) < 15 {
		t.Errorf("only %d allowed pairs: the test checks little", len(want))
	}
}
