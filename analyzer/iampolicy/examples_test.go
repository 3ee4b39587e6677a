package iampolicy

import (
	"strings"
	"testing"
)

// Worked examples of semantics.md §H (X1–X33 except X9, which is about session duration).

const identityAllowAssume = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`

type assumeCase struct {
	name     string
	trust    string
	role     string // default roleIn(acctA, "target")
	identity []string
	boundary string
	req      Request
	want     Decision
	match    MatchKind // checked when not MatchNone and want is Allow/Conditional
	deps     []string  // checked when want is Conditional
}

func runAssume(t *testing.T, cases []assumeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			trust := mustParse(t, tc.trust)
			var ids []*Policy
			for _, d := range tc.identity {
				ids = append(ids, mustParseIdentity(t, d))
			}
			var b *Policy
			if tc.boundary != "" {
				b = mustParseIdentity(t, tc.boundary)
			}
			role := tc.role
			if role == "" {
				role = roleIn(acctA, "target")
			}
			got := Assume(trust, role, ids, b, tc.req)
			if got.Decision != tc.want {
				t.Fatalf("decision = %v, want %v (reason: %s)", got.Decision, tc.want, got.Reason)
			}
			if got.Reason == "" {
				t.Error("empty Reason")
			}
			if tc.match != MatchNone && got.Match != tc.match {
				t.Errorf("match = %v, want %v", got.Match, tc.match)
			}
			if tc.want == Conditional && strings.Join(got.DependsOn, ",") != strings.Join(tc.deps, ",") {
				t.Errorf("DependsOn = %v, want %v", got.DependsOn, tc.deps)
			}
		})
	}
}

func req(c Caller) Request { return Request{Caller: c, Action: ActionAssumeRole} }

func reqWith(c Caller, kv ...string) Request {
	r := req(c)
	r.Context.Values = map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		r.Context.Values[kv[i]] = append(r.Context.Values[kv[i]], kv[i+1])
	}
	return r
}

const trustRootA = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`

func TestExamplesPrincipals(t *testing.T) {
	alice := user(acctA, "alice")
	bobB := user(acctB, "bob")
	runAssume(t, []assumeCase{
		{name: "X1a account principal: user without identity grant denied", trust: trustRootA, req: req(alice), want: Deny},
		{name: "X1b account principal: user with identity grant allowed", trust: trustRootA, identity: []string{identityAllowAssume}, req: req(alice), want: Allow, match: MatchAccount},
		{name: "X1 short account form is the same as :root", trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]}`, identity: []string{identityAllowAssume}, req: req(alice), want: Allow, match: MatchAccount},
		{name: "X2 explicit same-account user needs no identity grant", trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}]}`, req: req(alice), want: Allow, match: MatchExplicit},
		{name: "X2 other user not named is denied even with identity grant", trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}]}`, identity: []string{identityAllowAssume}, req: req(user(acctA, "bob")), want: Deny},
		{name: "X3 cross-account explicit user without identity grant denied", trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/bob"},"Action":"sts:AssumeRole"}]}`, req: req(bobB), want: Deny},
		{name: "X3 cross-account explicit user with identity grant allowed", trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/bob"},"Action":"sts:AssumeRole"}]}`, identity: []string{identityAllowAssume}, req: req(bobB), want: Allow, match: MatchCrossAccount},
		{name: "X4a Principal * same-account session needs no identity grant", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}`, req: req(session(acctA, "app", "s1")), want: Allow, match: MatchExplicit},
		{name: "X4b Principal * other account with identity grant allowed", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}`, identity: []string{identityAllowAssume}, req: req(bobB), want: Allow, match: MatchCrossAccount},
		{name: "X4b Principal * other account without identity grant denied", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}`, req: req(bobB), want: Deny},
		{name: "X5 explicit deny in a group policy wins", trust: trustRootA, identity: []string{identityAllowAssume, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"sts:*","Resource":"*"}}`}, req: req(alice), want: Deny},
		{name: "X7 dangling unique ID does not match the re-created user", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"AIDAEXAMPLEDELETED01"},"Action":"sts:AssumeRole"}}`, identity: []string{identityAllowAssume}, req: req(Caller{Kind: CallerIAMUser, ARN: "arn:aws:iam::111122223333:user/bob", Account: acctA, UniqueID: "AIDANEWBOBUSERID0001"}), want: Deny},
		{name: "X7 dangling unique ID matches only the principal that had it", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"AIDAEXAMPLEDELETED01"},"Action":"sts:AssumeRole"}}`, req: req(Caller{Kind: CallerIAMUser, ARN: "arn:aws:iam::111122223333:user/bob", Account: acctA, UniqueID: "AIDAEXAMPLEDELETED01"}), want: Allow},
		{name: "X8 no implicit self-trust", role: roleIn(acctA, "R"), trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`, identity: []string{identityAllowAssume}, req: req(session(acctA, "R", "s")), want: Deny},
		{name: "X8 self-assumption allowed once the role is named", role: roleIn(acctA, "R"), trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/R"},"Action":"sts:AssumeRole"}]}`, req: req(session(acctA, "R", "s")), want: Allow, match: MatchExplicit},
		{name: "X10 role-session principal: named session allowed", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/Admin/alice"},"Action":"sts:AssumeRole"}}`, req: req(session(acctA, "Admin", "alice")), want: Allow, match: MatchExplicit},
		{name: "X10 role-session principal: other session denied", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/Admin/alice"},"Action":"sts:AssumeRole"}}`, req: req(session(acctA, "Admin", "bob")), want: Deny},
		{name: "X10 role-session principal: unknown session name is conditional", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/Admin/alice"},"Action":"sts:AssumeRole"}}`, req: req(session(acctA, "Admin", "")), want: Conditional, deps: []string{DepCallerSession}},
		{name: "X10 role ARN principal matches every session of the role", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Admin"},"Action":"sts:AssumeRole"}}`, req: req(session(acctA, "Admin", "anything")), want: Allow, match: MatchExplicit},
		{name: "role ARN with a path is compared byte-exact", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/teams/Admin"},"Action":"sts:AssumeRole"}}`, req: req(session(acctA, "Admin", "s")), want: Deny},
		{name: "X11 wildcard inside a principal ARN matches nobody", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/ci-*"},"Action":"sts:AssumeRole"}}`, identity: []string{identityAllowAssume}, req: req(session(acctA, "ci-deploy", "s")), want: Deny},
		{name: "NotPrincipal in a trust policy matches nobody", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"sts:AssumeRole"}}`, identity: []string{identityAllowAssume}, req: req(alice), want: Deny},
		{name: "group ARN principal matches nobody", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:group/admins"},"Action":"sts:AssumeRole"}}`, identity: []string{identityAllowAssume}, req: req(alice), want: Deny},
		{name: "action names are case-insensitive", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"STS:assumerole"}}`, req: req(alice), want: Allow},
		{name: "NotAction allow covers AssumeRole", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"NotAction":"sts:TagSession"}}`, req: req(alice), want: Allow},
		{name: "NotAction listing AssumeRole excludes it", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"NotAction":"sts:Assume*"}}`, req: req(alice), want: Deny},
		{name: "permissions boundary without sts:AssumeRole blocks an explicit grant", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}}`, boundary: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, req: req(alice), want: Deny},
		{name: "permissions boundary allowing sts:AssumeRole keeps the grant", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}}`, boundary: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/*"}}`, req: req(alice), want: Allow},
		{name: "identity grant scoped to another role does not count", trust: trustRootA, identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/other"}}`}, req: req(alice), want: Deny},
		{name: "identity grant with ${aws:username} in Resource", role: roleIn(acctA, "alice"), trust: trustRootA, identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/${aws:username}"}}`}, req: req(alice), want: Allow},
	})
}

func TestExamplesDenyStatements(t *testing.T) {
	x6 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/Ops"}}}]}`
	x26 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`
	alice := user(acctA, "alice")
	id := []string{identityAllowAssume}
	runAssume(t, []assumeCase{
		{name: "X6a deny-all-but: Ops session allowed", trust: x6, identity: id, req: req(session(acctA, "Ops", "s")), want: Allow},
		{name: "X6b deny-all-but: alice denied", trust: x6, identity: id, req: req(alice), want: Deny},
		{name: "X26 BoolIfExists deny: long-term keys (key absent) denied", trust: x26, identity: id, req: req(alice), want: Deny},
		{name: "X26 BoolIfExists deny: MFA session allowed", trust: x26, identity: id, req: reqWith(alice, "aws:MultiFactorAuthPresent", "true"), want: Allow},
		{name: "deny on an unknown key makes the allow conditional", trust: x26, identity: id, req: Request{Caller: alice, Action: ActionAssumeRole, Context: Context{Unknown: []string{"aws:MultiFactorAuthPresent"}}}, want: Conditional, deps: []string{"aws:MultiFactorAuthPresent"}},
	})
}

func TestExamplesIRSA(t *testing.T) {
	x12 := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"` + provAARN + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + provA + `:aud":"sts.amazonaws.com","` + provA + `:sub":"system:serviceaccount:payments:api"}}}}`
	withCond := func(cond string) string {
		return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"` + provAARN + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":` + cond + `}}`
	}
	tokA := func(sub string) Request { return webIdentity(provAARN, provA, sub, "sts.amazonaws.com") }
	sa := func(ns, name string) string { return "system:serviceaccount:" + ns + ":" + name }
	x16 := func(op string) string {
		return withCond(`{"` + op + `":{"` + provB + `:sub":"system:serviceaccount:payments:api"}}`)
	}
	x17 := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":["` + provAARN + `","` + provBARN + `"]},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + provA + `:sub":"system:serviceaccount:x:app","` + provB + `:sub":"system:serviceaccount:x:app"}}}}`
	x20 := withCond(`{"StringEquals":{"` + provA + `:sub":["system:serviceaccount:a:x","system:serviceaccount:b:y"],"` + provA + `:aud":"sts.amazonaws.com"}}`)
	x21 := withCond(`{"StringLike":{"` + provA + `:sub":"system:serviceaccount:jobs:runner-?"}}`)
	runAssume(t, []assumeCase{
		{name: "X12 IRSA exact match: named SA allowed", trust: x12, req: tokA(sa("payments", "api")), want: Allow, match: MatchFederated},
		{name: "X12 IRSA exact match: other SA denied", trust: x12, req: tokA(sa("payments", "worker")), want: Deny},
		{name: "X12 IRSA exact match: token from cluster B denied", trust: x12, req: webIdentity(provBARN, provB, sa("payments", "api"), "sts.amazonaws.com"), want: Deny},
		{name: "X12 condition key prefix is case-insensitive", trust: x12, req: webIdentity(provAARN, strings.ToUpper(provA), sa("payments", "api"), "sts.amazonaws.com"), want: Allow},
		{name: "X13 StringEquals with * is literal", trust: withCond(`{"StringEquals":{"` + provA + `:sub":"system:serviceaccount:payments:*"}}`), req: tokA(sa("payments", "api")), want: Deny},
		{name: "X14 cross-namespace wildcard admits any namespace", trust: withCond(`{"StringLike":{"` + provA + `:sub":"system:serviceaccount:*:api","` + provA + `:aud":"sts.amazonaws.com"}}`), req: tokA(sa("sandbox", "api")), want: Allow},
		{name: "X15 missing sub admits every SA", trust: withCond(`{"StringEquals":{"` + provA + `:aud":"sts.amazonaws.com"}}`), req: tokA(sa("default", "default")), want: Allow},
		{name: "X16a wrong provider key with StringEquals fails closed", trust: x16("StringEquals"), req: tokA(sa("payments", "api")), want: Deny},
		{name: "X16b wrong provider key with StringLikeIfExists fails open", trust: x16("StringLikeIfExists"), req: tokA(sa("other", "any")), want: Allow},
		{name: "X16c wrong provider key with StringNotEquals fails open", trust: x16("StringNotEquals"), req: tokA(sa("other", "any")), want: Allow},
		{name: "X17 two providers' keys AND'ed: nobody can assume", trust: x17, req: tokA(sa("x", "app")), want: Deny},
		{name: "X17 two providers' keys AND'ed: cluster B token denied too", trust: x17, req: webIdentity(provBARN, provB, sa("x", "app"), "sts.amazonaws.com"), want: Deny},
		{name: "X18 StringNotEquals on sub admits everyone else", trust: withCond(`{"StringNotEquals":{"` + provA + `:sub":"system:serviceaccount:kube-system:aws-node"}}`), req: tokA(sa("default", "default")), want: Allow},
		{name: "X18 StringNotEquals on sub excludes the named SA", trust: withCond(`{"StringNotEquals":{"` + provA + `:sub":"system:serviceaccount:kube-system:aws-node"}}`), req: tokA(sa("kube-system", "aws-node")), want: Deny},
		{name: "X19 audience mismatch denied", trust: x12, req: webIdentity(provAARN, provA, sa("payments", "api"), "vault"), want: Deny},
		{name: "X20 OR within a key: second value allowed", trust: x20, req: tokA(sa("b", "y")), want: Allow},
		{name: "X20 values are not combined across pairs", trust: x20, req: tokA(sa("a", "y")), want: Deny},
		{name: "X20 AND across keys: wrong aud denied", trust: x20, req: webIdentity(provAARN, provA, sa("a", "x"), "other"), want: Deny},
		{name: "X21 ? matches exactly one character", trust: x21, req: tokA(sa("jobs", "runner-7")), want: Allow},
		{name: "X21 ? does not match two characters", trust: x21, req: tokA(sa("jobs", "runner-12")), want: Deny},
		{name: "X21 ? does not match zero characters", trust: x21, req: tokA(sa("jobs", "runner-")), want: Deny},
		{name: "B1.5 provider ARN in another account than the role never matches", role: roleIn(acctB, "target"), trust: x12, req: tokA(sa("payments", "api")), want: Deny},
		{name: "web identity caller does not match an AWS account principal", trust: trustRootA, req: webIdentity(provAARN, provA, sa("a", "b"), "sts.amazonaws.com"), want: Deny},
		{name: "A2.12 Principal * admits a web identity caller", trust: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity"}}`, req: tokA(sa("a", "b")), want: Allow, match: MatchFederated},
		{name: "A13.2 principal key is absent for web identity", trust: withCond(`{"StringLike":{"aws:PrincipalArn":"*"}}`), req: tokA(sa("a", "b")), want: Deny},
		{name: "A13.2 sts:RoleSessionName is unknown for web identity", trust: withCond(`{"StringEquals":{"sts:RoleSessionName":"x"}}`), req: tokA(sa("a", "b")), want: Conditional, deps: []string{"sts:RoleSessionName"}},
		{name: "ForAllValues on an absent single key is true", trust: withCond(`{"ForAllValues:StringEquals":{"` + provB + `:sub":"x"}}`), req: tokA(sa("a", "b")), want: Allow},
	})
}

func TestExamplesOperatorsInTrust(t *testing.T) {
	alice := user(acctA, "alice")
	id := []string{identityAllowAssume}
	idTag := []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}}`}
	x1With := func(version, cond string) string {
		v := ""
		if version != "" {
			v = `"Version":"` + version + `",`
		}
		return `{` + v + `"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":` + cond + `}}`
	}
	x22 := x1With("2012-10-17", `{"StringLike":{"aws:UserAgent":"deploy-tool/${*}"}}`)
	x23 := func(v string) string { return x1With(v, `{"StringLike":{"sts:RoleSessionName":"${aws:username}"}}`) }
	x24 := func(op string) string { return x1With("2012-10-17", `{"`+op+`":{"aws:TagKeys":["team"]}}`) }
	x25 := func(op string) string { return x1With("2012-10-17", `{"`+op+`":{"aws:SourceIp":"203.0.113.0/24"}}`) }
	x27 := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/bob"},"Action":"sts:AssumeRole","Condition":{"Null":{"sts:ExternalId":"false"}}}}`
	x28 := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"AWS:PRINCIPALARN":"arn:aws:iam::111122223333:role/ci-*"}}}}`
	x28tag := func(op string) string {
		return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"` + op + `":{"aws:PrincipalTag/team":"Platform"}}}}`
	}
	tags := func(c Caller, keys ...string) Request {
		r := req(c)
		r.Context.Values = map[string][]string{"aws:TagKeys": keys}
		for _, k := range keys {
			r.Context.Values["aws:RequestTag/"+k] = []string{"v"}
		}
		return r
	}
	runAssume(t, []assumeCase{
		{name: "X22 ${*} is a literal asterisk: real user agent denied", trust: x22, identity: id, req: reqWith(alice, "aws:UserAgent", "deploy-tool/1.4"), want: Deny},
		{name: "X22 ${*} is a literal asterisk: literal * allowed", trust: x22, identity: id, req: reqWith(alice, "aws:UserAgent", "deploy-tool/*"), want: Allow},
		{name: "X23a Version 2008-10-17: variable is literal text", trust: x23("2008-10-17"), identity: id, req: reqWith(alice, "sts:RoleSessionName", "alice"), want: Deny},
		{name: "X23a Version absent: variable is literal text", trust: x23(""), identity: id, req: reqWith(alice, "sts:RoleSessionName", "alice"), want: Deny},
		{name: "X23a Version 2008-10-17: the literal text itself matches", trust: x23("2008-10-17"), identity: id, req: reqWith(alice, "sts:RoleSessionName", "${aws:username}"), want: Allow},
		{name: "X23b Version 2012-10-17: own name allowed", trust: x23("2012-10-17"), identity: id, req: reqWith(alice, "sts:RoleSessionName", "alice"), want: Allow},
		{name: "X23b Version 2012-10-17: other name denied", trust: x23("2012-10-17"), identity: id, req: reqWith(alice, "sts:RoleSessionName", "bob"), want: Deny},
		{name: "X23c role session has no aws:username: denied", trust: x23("2012-10-17"), identity: id, req: reqWith(session(acctA, "app", "s"), "sts:RoleSessionName", "app"), want: Deny},
		{name: "X24a ForAllValues with no tags: allowed", trust: x24("ForAllValues:StringEquals"), identity: id, req: req(alice), want: Allow},
		{name: "X24b ForAllValues with an extra tag: denied", trust: x24("ForAllValues:StringEquals"), identity: id, req: tags(alice, "team", "admin"), want: Deny},
		{name: "X24b ForAllValues with only allowed tags: allowed", trust: x24("ForAllValues:StringEquals"), identity: idTag, req: tags(alice, "team"), want: Allow},
		{name: "X24c ForAnyValue with no tags: denied", trust: x24("ForAnyValue:StringEquals"), identity: id, req: req(alice), want: Deny},
		{name: "X24 tags need sts:TagSession in the identity policy too (A14.1)", trust: x24("ForAllValues:StringEquals"), identity: id, req: tags(alice, "team"), want: Deny},
		{name: "X25 IpAddress from inside the range allowed", trust: x25("IpAddress"), identity: id, req: reqWith(alice, "aws:SourceIp", "203.0.113.7"), want: Allow},
		{name: "X25 IpAddress via VPC endpoint (key absent) denied", trust: x25("IpAddress"), identity: id, req: req(alice), want: Deny},
		{name: "X25 NotIpAddress via VPC endpoint (key absent) allowed", trust: x25("NotIpAddress"), identity: id, req: req(alice), want: Allow},
		{name: "X25 unknown source IP is conditional", trust: x25("IpAddress"), identity: id, req: Request{Caller: alice, Action: ActionAssumeRole, Context: Context{Unknown: []string{"aws:SourceIp"}}}, want: Conditional, deps: []string{"aws:SourceIp"}},
		{name: "X27 Null false: without ExternalId denied", trust: x27, identity: id, req: req(user(acctB, "bob")), want: Deny},
		{name: "X27 Null false: with any ExternalId allowed", trust: x27, identity: id, req: reqWith(user(acctB, "bob"), "sts:ExternalId", "anything"), want: Allow},
		{name: "X28 key name case-insensitive: ci-deploy session allowed without identity", trust: x28, req: req(session(acctA, "ci-deploy", "s")), want: Allow, match: MatchExplicit},
		{name: "X28 ArnLike on aws:PrincipalArn: other role denied", trust: x28, req: req(session(acctA, "deploy", "s")), want: Deny},
		{name: "X28 value case-sensitive under StringEquals", trust: x28tag("StringEquals"), req: reqWith(session(acctA, "ci", "s"), "aws:PrincipalTag/team", "platform"), want: Deny},
		{name: "X28 StringEqualsIgnoreCase ignores value case", trust: x28tag("StringEqualsIgnoreCase"), req: reqWith(session(acctA, "ci", "s"), "aws:PrincipalTag/team", "platform"), want: Allow},
	})
}

func TestExamplesPodIdentity(t *testing.T) {
	pods := Caller{Kind: CallerService, Service: "pods.eks.amazonaws.com"}
	assoc := func(cluster, ns, sa string) Request {
		return Request{Caller: pods, Action: ActionAssumeRole, Context: Context{Values: map[string][]string{
			"aws:RequestTag/eks-cluster-name":           {cluster},
			"aws:RequestTag/kubernetes-namespace":       {ns},
			"aws:RequestTag/kubernetes-service-account": {sa},
			"aws:TagKeys": {"eks-cluster-arn", "eks-cluster-name", "kubernetes-namespace", "kubernetes-service-account", "kubernetes-pod-name", "kubernetes-pod-uid"},
		}}}
	}
	noTags := Request{Caller: pods, Action: ActionAssumeRole}
	x30 := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":"sts:AssumeRole"}}`
	x31 := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"aws:RequestTag/kubernetes-namespace":"payments","aws:RequestTag/kubernetes-service-account":"api","aws:RequestTag/eks-cluster-name":"prod"}}}}`
	x32 := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:RequestTag/kubernetes-namespace":"kube-system"}}}}`
	runAssume(t, []assumeCase{
		{name: "X30 Pod Identity trust without sts:TagSession denied", trust: x30, req: assoc("prod", "payments", "api"), want: Deny},
		{name: "X31a request tags match: allowed", trust: x31, req: assoc("prod", "payments", "api"), want: Allow, match: MatchService},
		{name: "X31b other service account denied", trust: x31, req: assoc("prod", "payments", "worker"), want: Deny},
		{name: "X31c other cluster denied", trust: x31, req: assoc("dev", "payments", "api"), want: Deny},
		{name: "X31d session tags disabled: denied", trust: x31, req: noTags, want: Deny},
		{name: "X32 negated tag condition with tags disabled: allowed", trust: x32, req: noTags, want: Allow},
		{name: "X32 with tags enabled: denied (no sts:TagSession)", trust: x32, req: assoc("prod", "kube-system", "x"), want: Deny},
		{name: "service caller does not match another service", trust: x30, req: Request{Caller: Caller{Kind: CallerService, Service: "ec2.amazonaws.com"}, Action: ActionAssumeRole}, want: Deny},
	})

	// X33: chained into a target role in another account.
	target := roleIn(acctB, "data-reader")
	x33 := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/pi-first"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"sts:ExternalId":"EXT123"}}}}`
	x33c := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/pi-first"},"Action":["sts:AssumeRole","sts:TagSession"]}}`
	first := session(acctA, "pi-first", "eks-prod-api")
	chain := reqWith(first, "sts:ExternalId", "EXT123", "aws:TagKeys", "kubernetes-namespace", "aws:RequestTag/kubernetes-namespace", "payments")
	idBoth := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"arn:aws:iam::444455556666:role/data-reader"}}`
	runAssume(t, []assumeCase{
		{name: "X33a target role with identity grant allowed", role: target, trust: x33, identity: []string{idBoth}, req: chain, want: Allow, match: MatchCrossAccount},
		{name: "X33b target role without identity grant denied", role: target, trust: x33, req: chain, want: Deny},
		{name: "X33 wrong ExternalId denied", role: target, trust: x33, identity: []string{idBoth}, req: reqWith(first, "sts:ExternalId", "OTHER"), want: Deny},
		{name: "X33c without ExternalId condition still allowed", role: target, trust: x33c, identity: []string{idBoth}, req: chain, want: Allow},
	})
}

func TestEvaluateTrustDirect(t *testing.T) {
	p := mustParse(t, trustRootA)
	ev := EvaluateTrust(p, roleIn(acctA, "r"), req(user(acctA, "alice")))
	if ev.Decision != Allow || ev.Match != MatchAccount || len(ev.Allowing) != 1 || ev.Allowing[0] != 0 {
		t.Fatalf("got %+v", ev)
	}
	if !strings.Contains(ev.Reason, "statement 0") {
		t.Errorf("reason %q does not name the statement", ev.Reason)
	}
	ev = EvaluateTrust(p, roleIn(acctA, "r"), req(user(acctB, "bob")))
	if ev.Decision != NotApplicable {
		t.Fatalf("other account: got %v", ev.Decision)
	}
	if got := EvaluateTrust(nil, "", Request{}); got.Decision != NotApplicable {
		t.Fatalf("nil policy: %v", got.Decision)
	}
	// The best match kind wins among allowing statements (EXPLICIT ≻ ACCOUNT).
	both := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}]}`)
	ev = EvaluateTrust(both, roleIn(acctA, "r"), req(user(acctA, "alice")))
	if ev.Match != MatchExplicit || len(ev.Allowing) != 2 {
		t.Fatalf("got %+v", ev)
	}
	// CallerAnyAWS: principal keys are unknown, so a PrincipalArn condition is conditional.
	cond := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/ci-*"}}}}`)
	ev = EvaluateTrust(cond, roleIn(acctA, "r"), req(Caller{Kind: CallerAnyAWS, Account: acctA}))
	if ev.Decision != Conditional || strings.Join(ev.DependsOn, ",") != "aws:PrincipalArn" {
		t.Fatalf("got %+v", ev)
	}
	// An explicit context value overrides what the caller implies.
	r := reqWith(user(acctA, "alice"), "aws:PrincipalArn", "arn:aws:iam::111122223333:role/ci-x")
	if ev := EvaluateTrust(cond, roleIn(acctA, "r"), r); ev.Decision != Allow {
		t.Fatalf("context override: %+v", ev)
	}
}

func TestEvaluateIdentity(t *testing.T) {
	allow := mustParseIdentity(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:Assume*","Resource":"arn:aws:iam::*:role/app-?"}}`)
	deny := mustParseIdentity(t, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","NotResource":"arn:aws:iam::111122223333:role/*"}}`)
	alice := user(acctA, "alice")
	cases := []struct {
		name     string
		ps       []*Policy
		action   string
		resource string
		want     Decision
	}{
		{"wildcard action and resource segment match", []*Policy{allow}, "sts:AssumeRole", roleIn(acctB, "app-1"), Allow},
		{"? matches one character only", []*Policy{allow}, "sts:AssumeRole", roleIn(acctB, "app-12"), NotApplicable},
		{"NotResource deny applies outside the account", []*Policy{allow, deny}, "sts:AssumeRole", roleIn(acctB, "app-1"), Deny},
		{"NotResource deny does not apply inside the account", []*Policy{allow, deny}, "sts:AssumeRole", roleIn(acctA, "app-1"), Allow},
		{"no policies: implicit deny", nil, "sts:AssumeRole", roleIn(acctA, "x"), NotApplicable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := EvaluateIdentity(tc.ps, tc.action, tc.resource, alice, Context{})
			if got.Decision != tc.want {
				t.Fatalf("got %v want %v (%s)", got.Decision, tc.want, got.Reason)
			}
		})
	}
	got := EvaluateIdentity([]*Policy{allow, deny}, "sts:AssumeRole", roleIn(acctB, "app-1"), alice, Context{})
	if len(got.Denying) != 1 || got.Denying[0] != 1 {
		t.Errorf("flat statement index: Denying = %v, want [1]", got.Denying)
	}
}
