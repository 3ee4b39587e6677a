package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// canAssumeDir is a realistic account: get-account-authorization-details of account
// 111122223333 (users, groups, roles, inline and attached managed policies with several
// versions, a permissions boundary) and of the users of account 444455556666, the cluster
// prod (describe-cluster, one describe-pod-identity-association, its ServiceAccounts).
// Account 777788889999 is a third party whose policies are not loaded.
const canAssumeDir = "internal/cli/testdata/can-assume"

const (
	acctA       = "arn:aws:iam::111122223333:"
	acctB       = "arn:aws:iam::444455556666:"
	partnerSync = "arn:aws:iam::777788889999:role/partner-sync"
)

// TestCanAssumeTable is the can-assume table of issue 3 (semantics.md H): each case runs
// `can-assume ROLE --as PRINCIPAL … --format json` on canAssumeDir and checks the decision, the
// chain, the keys it depends on, why, and the exit code.
func TestCanAssumeTable(t *testing.T) {
	type answer struct {
		Allowed   bool     `json:"allowed"`
		Role      string   `json:"role"`
		Principal string   `json:"principal"`
		Cluster   string   `json:"cluster"`
		Reason    string   `json:"reason"`
		Via       []string `json:"via"`
		DependsOn []string `json:"depends_on"`
	}
	tests := []struct {
		name      string
		role      string
		as        string
		flags     []string // --cluster, --context…
		allowed   bool
		via       []string
		dependsOn []string
		reason    string // a substring of the reason
	}{
		// X1: a trust naming the account root delegates to the account; the caller's own
		// policies must allow too. alice's grant is the default version (v2) of a managed policy.
		{name: "X1 account root trust with the caller's identity grant", role: "deploy", as: acctA + "user/alice",
			allowed: true, reason: "to account 111122223333; the caller's identity policies allow it too"},
		{name: "X1 account root trust with the grant through a group's managed policy", role: "deploy", as: acctA + "user/ivan",
			allowed: true, reason: "the caller's identity policies allow it too"},
		{name: "X1 account root trust without the caller's identity grant", role: "deploy", as: acctA + "user/bob",
			reason: "the caller's identity policies must also allow sts:AssumeRole on " + acctA + "role/deploy, and none does"},
		{name: "X1 only the default version of a managed policy is in force", role: "ops-admin", as: acctA + "user/alice",
			reason: "the caller's identity policies must also allow sts:AssumeRole on " + acctA + "role/ops-admin, and none does"},
		// X2: a same-account user named in the trust needs no identity policy.
		{name: "X2 same-account user named in the trust with no identity policy", role: "audit-reader", as: acctA + "user/carol",
			allowed: true, reason: "statement 0 of the trust policy allows sts:AssumeRole to " + acctA + "user/carol"},
		{name: "X2 a user the trust does not name", role: "audit-reader", as: acctA + "user/alice",
			reason: "no statement of the trust policy of " + acctA + "role/audit-reader admits " + acctA + "user/alice"},
		// X5: an explicit deny in a group policy beats the user's own allow.
		{name: "X5 explicit deny in the caller's group policy", role: "deploy", as: acctA + "user/dave",
			reason: "explicitly denies sts:AssumeRole on " + acctA + "role/deploy (explicit deny wins)"},
		// A5.6: the permissions boundary must allow too.
		{name: "permissions boundary without sts:AssumeRole", role: "deploy", as: acctA + "user/henry",
			reason: "permissions boundary does not allow sts:AssumeRole"},
		// X3: a cross-account caller whose account is loaded needs its own grant, even when named.
		{name: "X3 cross-account caller, loaded, with its identity grant", role: "partner-data", as: acctB + "user/erin",
			allowed: true, reason: "the caller's identity policies allow it too"},
		{name: "X3 cross-account caller, loaded, without its identity grant", role: "partner-data", as: acctB + "user/frank",
			reason: "the trust policy is in another account, so the caller's identity policies must also allow sts:AssumeRole"},
		{name: "cross-account caller whose account is not loaded", role: "partner-data", as: partnerSync,
			allowed: true, reason: "the caller's own identity policies are not loaded, so its side is taken as allowed"},
		// X8: no implicit self-trust.
		{name: "X8 a role assuming itself, not named in its trust", role: "builder", as: acctA + "role/builder",
			reason: "no statement of the trust policy of " + acctA + "role/builder admits " + acctA + "role/builder"},
		{name: "X8 a role assuming itself, named in its trust", role: "packer", as: acctA + "role/packer",
			allowed: true, reason: "statement 1 of the trust policy allows sts:AssumeRole to " + acctA + "role/packer"},
		// A6.4: chaining through jump, whose trust names it explicitly.
		{name: "two-hop chain", role: "db-admin", as: acctA + "user/alice",
			allowed: true, via: []string{acctA + "role/jump"}, reason: "reached in 2 steps through " + acctA + "role/jump"},
		{name: "two-hop chain, no first hop", role: "db-admin", as: acctA + "user/bob",
			reason: "no statement of the trust policy of " + acctA + "role/db-admin admits " + acctA + "user/bob"},
		// C: Pod Identity, by the association of the ServiceAccount's cluster and its session tags.
		{name: "Pod Identity with a matching association", role: "payments-pi", as: "system:serviceaccount:payments:api",
			flags: []string{"--cluster", "prod"}, allowed: true, reason: "Pod Identity association"},
		{name: "Pod Identity without an association for the ServiceAccount", role: "payments-pi", as: "system:serviceaccount:payments:worker",
			flags: []string{"--cluster", "prod"}, reason: "no Pod Identity association gives ServiceAccount payments/worker of cluster prod the role"},
		// --context supplies what the request carries.
		{name: "aws:PrincipalOrgID not supplied", role: "org-reader", as: acctA + "user/carol",
			reason: "no statement of the trust policy of " + acctA + "role/org-reader admits"},
		{name: "aws:PrincipalOrgID of the organisation", role: "org-reader", as: acctA + "user/carol",
			flags: []string{"--context", "aws:PrincipalOrgID=o-a1b2c3d4e5"}, allowed: true, reason: "StringEquals aws:PrincipalOrgID"},
		{name: "aws:PrincipalOrgID of another organisation", role: "org-reader", as: acctA + "user/carol",
			flags: []string{"--context", "aws:PrincipalOrgID=o-zzzzzzzzzz"}, reason: "admits " + acctA + "user/carol"},
		{name: "sts:ExternalId not supplied", role: "vendor-access", as: partnerSync,
			reason: "no statement of the trust policy of " + acctA + "role/vendor-access admits " + partnerSync},
		{name: "sts:ExternalId supplied", role: "vendor-access", as: partnerSync,
			flags: []string{"--context", "sts:ExternalId=vendor-7f3a9c"}, allowed: true, reason: "StringEquals sts:ExternalId"},
		{name: "sts:ExternalId wrong", role: "vendor-access", as: partnerSync,
			flags: []string{"--context", "sts:ExternalId=vendor-000000"}, reason: "admits " + partnerSync},
		{name: "MFA not supplied", role: "breakglass", as: acctA + "user/alice",
			allowed: true, dependsOn: []string{"aws:MultiFactorAuthPresent"}, reason: "which were not supplied (give them with --context KEY=VALUE)"},
		{name: "MFA present", role: "breakglass", as: acctA + "user/alice",
			flags: []string{"--context", "aws:MultiFactorAuthPresent=true"}, allowed: true, reason: "Bool aws:MultiFactorAuthPresent"},
		{name: "MFA absent", role: "breakglass", as: acctA + "user/alice",
			flags: []string{"--context", "aws:MultiFactorAuthPresent=false"}, reason: "admits " + acctA + "user/alice"},
		{name: "MFA present without the caller's identity grant", role: "breakglass", as: acctA + "user/bob",
			flags: []string{"--context", "aws:MultiFactorAuthPresent=true"}, reason: "the caller's identity policies must also allow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"can-assume", tt.role, "--as", tt.as}, tt.flags...)
			out, stderr, code := run(t, append(args, canAssumeDir, "--format", "json")...)
			if stderr != "" {
				t.Errorf("stderr: %s", stderr)
			}
			wantCode := ExitFindings
			if tt.allowed {
				wantCode = ExitOK
			}
			if code != wantCode {
				t.Errorf("exit %d, want %d", code, wantCode)
			}
			var a answer
			if err := json.Unmarshal([]byte(out), &a); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if a.Allowed != tt.allowed {
				t.Errorf("allowed = %v, want %v; reason: %s", a.Allowed, tt.allowed, a.Reason)
			}
			if a.Principal != tt.as || !strings.HasSuffix(a.Role, ":role/"+tt.role) {
				t.Errorf("answer names %q / %q", a.Principal, a.Role)
			}
			if want := orEmpty(tt.via); !cmp.Equal(a.Via, want) {
				t.Errorf("via = %q, want %q", a.Via, want)
			}
			if want := orEmpty(tt.dependsOn); !cmp.Equal(a.DependsOn, want) {
				t.Errorf("depends_on = %q, want %q", a.DependsOn, want)
			}
			if !strings.Contains(a.Reason, tt.reason) {
				t.Errorf("reason %q\n  does not contain %q", a.Reason, tt.reason)
			}
			if strings.HasPrefix(tt.as, "system:serviceaccount:") && a.Cluster != "prod" {
				t.Errorf("cluster = %q, want prod", a.Cluster)
			}
		})
	}
}

// orEmpty: via and depends_on are always arrays in the JSON, never null.
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
