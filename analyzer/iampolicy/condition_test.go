package iampolicy

import (
	"strings"
	"testing"
)

// condCase evaluates one condition block `{"OP":{"KEY":VALUES}}` against a context.
type condCase struct {
	name    string
	op, key string
	values  string // JSON value(s)
	version string // default 2012-10-17; "-" for none
	ctx     map[string][]string
	unknown []string
	caller  Caller
	want    tri
}

func evalOne(t *testing.T, tc condCase) (tri, []string) {
	t.Helper()
	v := `"Version":"2012-10-17",`
	switch tc.version {
	case "-":
		v = ""
	case "":
	default:
		v = `"Version":"` + tc.version + `",`
	}
	doc := `{` + v + `"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"` + tc.op + `":{"` + tc.key + `":` + tc.values + `}}}}`
	p := mustParse(t, doc)
	if len(p.Statements) != 1 || len(p.Statements[0].Conditions) != 1 {
		t.Fatalf("bad test document %s: %s", doc, issueCodes(p))
	}
	rc := newReqCtx(tc.caller, Context{Values: tc.ctx, Unknown: tc.unknown}, true)
	return evalCondition(p.Statements[0].Conditions[0], p.Version, rc)
}

func kv(pairs ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = append(m[pairs[i]], pairs[i+1])
	}
	return m
}

func TestConditionOperators(t *testing.T) {
	T, F, U := triTrue, triFalse, triUnknown
	cases := []condCase{
		// String family (A9.1)
		{name: "StringEquals exact", op: "StringEquals", key: "k:x", values: `"abc"`, ctx: kv("k:x", "abc"), want: T},
		{name: "StringEquals is case-sensitive", op: "StringEquals", key: "k:x", values: `"abc"`, ctx: kv("k:x", "ABC"), want: F},
		{name: "StringEquals * is literal", op: "StringEquals", key: "k:x", values: `"a*"`, ctx: kv("k:x", "abc"), want: F},
		{name: "StringEquals list is OR", op: "StringEquals", key: "k:x", values: `["a","b"]`, ctx: kv("k:x", "b"), want: T},
		{name: "StringEquals missing key is false", op: "StringEquals", key: "k:x", values: `"a"`, want: F},
		{name: "StringNotEquals list is NOR", op: "StringNotEquals", key: "k:x", values: `["a","b"]`, ctx: kv("k:x", "b"), want: F},
		{name: "StringNotEquals other value true", op: "StringNotEquals", key: "k:x", values: `["a","b"]`, ctx: kv("k:x", "c"), want: T},
		{name: "A10 StringNotEquals on missing key is true", op: "StringNotEquals", key: "k:x", values: `"a"`, want: T},
		{name: "StringEqualsIgnoreCase", op: "StringEqualsIgnoreCase", key: "k:x", values: `"Platform"`, ctx: kv("k:x", "pLATFORM"), want: T},
		{name: "StringNotEqualsIgnoreCase", op: "StringNotEqualsIgnoreCase", key: "k:x", values: `"Platform"`, ctx: kv("k:x", "platform"), want: F},
		{name: "StringLike * spans / and :", op: "StringLike", key: "k:x", values: `"a*z"`, ctx: kv("k:x", "a/b:c/z"), want: T},
		{name: "StringLike is case-sensitive", op: "StringLike", key: "k:x", values: `"A*"`, ctx: kv("k:x", "abc"), want: F},
		{name: "StringLike * matches empty", op: "StringLike", key: "k:x", values: `"abc*"`, ctx: kv("k:x", "abc"), want: T},
		{name: "StringNotLike missing key true", op: "StringNotLike", key: "k:x", values: `"a*"`, want: T},
		{name: "StringNotLike matching value false", op: "StringNotLike", key: "k:x", values: `"a*"`, ctx: kv("k:x", "ab"), want: F},
		// Key names are case-insensitive (A8.4)
		{name: "key name case-insensitive", op: "StringEquals", key: "AWS:PrincipalTag/TEAM", values: `"x"`, ctx: kv("aws:principaltag/team", "x"), want: T},
		// IfExists (A9.9)
		{name: "StringEqualsIfExists missing key true", op: "StringEqualsIfExists", key: "k:x", values: `"a"`, want: T},
		{name: "StringEqualsIfExists present key evaluated", op: "StringEqualsIfExists", key: "k:x", values: `"a"`, ctx: kv("k:x", "b"), want: F},
		{name: "StringNotEqualsIfExists missing key true", op: "StringNotEqualsIfExists", key: "k:x", values: `"a"`, want: T},
		{name: "IpAddressIfExists missing key true", op: "IpAddressIfExists", key: "aws:SourceIp", values: `"10.0.0.0/8"`, want: T},
		// Numeric (A9.2)
		{name: "NumericLessThan true", op: "NumericLessThan", key: "k:n", values: `10`, ctx: kv("k:n", "9.5"), want: T},
		{name: "NumericLessThan equal is false", op: "NumericLessThan", key: "k:n", values: `10`, ctx: kv("k:n", "10"), want: F},
		{name: "NumericLessThanEquals equal is true", op: "NumericLessThanEquals", key: "k:n", values: `"10"`, ctx: kv("k:n", "10.0"), want: T},
		{name: "NumericGreaterThan", op: "NumericGreaterThan", key: "k:n", values: `3600`, ctx: kv("k:n", "7200"), want: T},
		{name: "NumericGreaterThanEquals", op: "NumericGreaterThanEquals", key: "k:n", values: `3600`, ctx: kv("k:n", "3599"), want: F},
		{name: "NumericEquals", op: "NumericEquals", key: "k:n", values: `1`, ctx: kv("k:n", "1.00"), want: T},
		{name: "NumericNotEquals", op: "NumericNotEquals", key: "k:n", values: `1`, ctx: kv("k:n", "2"), want: T},
		{name: "Numeric non-number request value false", op: "NumericEquals", key: "k:n", values: `1`, ctx: kv("k:n", "one"), want: F},
		{name: "Numeric takes no variables", op: "NumericEquals", key: "k:n", values: `"${k:m}"`, ctx: kv("k:n", "1", "k:m", "1"), want: F},
		// Date (A9.3)
		{name: "DateGreaterThan ISO", op: "DateGreaterThan", key: "aws:CurrentTime", values: `"2020-01-01T00:00:00Z"`, ctx: kv("aws:CurrentTime", "2024-05-01T12:00:00Z"), want: T},
		{name: "DateLessThan epoch vs ISO", op: "DateLessThan", key: "aws:CurrentTime", values: `"1700000000"`, ctx: kv("aws:CurrentTime", "2020-01-01T00:00:00Z"), want: T},
		{name: "DateEquals date-only", op: "DateEquals", key: "aws:CurrentTime", values: `"2020-01-01"`, ctx: kv("aws:CurrentTime", "2020-01-01T00:00:00Z"), want: T},
		{name: "DateNotEquals", op: "DateNotEquals", key: "aws:CurrentTime", values: `"2020-01-01"`, ctx: kv("aws:CurrentTime", "2020-01-02"), want: T},
		{name: "DateLessThanEquals", op: "DateLessThanEquals", key: "aws:TokenIssueTime", values: `"2020-01-01T00:00:00+01:00"`, ctx: kv("aws:TokenIssueTime", "2019-12-31T23:00:00Z"), want: T},
		// Bool (A9.4)
		{name: "Bool true", op: "Bool", key: "aws:SecureTransport", values: `true`, ctx: kv("aws:SecureTransport", "true"), want: T},
		{name: "Bool case-insensitive (tool policy)", op: "Bool", key: "aws:SecureTransport", values: `"True"`, ctx: kv("aws:SecureTransport", "true"), want: T},
		{name: "Bool mismatch", op: "Bool", key: "aws:SecureTransport", values: `"false"`, ctx: kv("aws:SecureTransport", "true"), want: F},
		{name: "Bool missing key false", op: "Bool", key: "aws:MultiFactorAuthPresent", values: `"false"`, want: F},
		{name: "BoolIfExists missing key true", op: "BoolIfExists", key: "aws:MultiFactorAuthPresent", values: `"false"`, want: T},
		// Binary (A9.5)
		{name: "BinaryEquals base64", op: "BinaryEquals", key: "k:b", values: `"QmluYXJ5VmFsdWVJbkJhc2U2NA=="`, ctx: kv("k:b", "BinaryValueInBase64"), want: T},
		{name: "BinaryEquals mismatch", op: "BinaryEquals", key: "k:b", values: `"QmluYXJ5VmFsdWVJbkJhc2U2NA=="`, ctx: kv("k:b", "other"), want: F},
		// IP (A9.6)
		{name: "IpAddress in CIDR", op: "IpAddress", key: "aws:SourceIp", values: `"203.0.113.0/24"`, ctx: kv("aws:SourceIp", "203.0.113.7"), want: T},
		{name: "IpAddress outside CIDR", op: "IpAddress", key: "aws:SourceIp", values: `"203.0.113.0/24"`, ctx: kv("aws:SourceIp", "203.0.114.7"), want: F},
		{name: "IpAddress bare address is /32", op: "IpAddress", key: "aws:SourceIp", values: `"203.0.113.7"`, ctx: kv("aws:SourceIp", "203.0.113.7"), want: T},
		{name: "IpAddress IPv6", op: "IpAddress", key: "aws:SourceIp", values: `"2001:db8::/32"`, ctx: kv("aws:SourceIp", "2001:db8:1::1"), want: T},
		{name: "NotIpAddress inside range false", op: "NotIpAddress", key: "aws:SourceIp", values: `["10.0.0.0/8","203.0.113.0/24"]`, ctx: kv("aws:SourceIp", "203.0.113.7"), want: F},
		{name: "NotIpAddress missing key true", op: "NotIpAddress", key: "aws:SourceIp", values: `"10.0.0.0/8"`, want: T},
		// ARN (A9.7)
		{name: "ArnEquals is ArnLike", op: "ArnEquals", key: "aws:SourceArn", values: `"arn:aws:eks:*:111122223333:fargateprofile/prod/*"`, ctx: kv("aws:SourceArn", "arn:aws:eks:us-east-1:111122223333:fargateprofile/prod/fp-1/abc"), want: T},
		{name: "ArnLike case-sensitive", op: "ArnLike", key: "aws:PrincipalArn", values: `"arn:aws:iam::111122223333:role/CI-*"`, ctx: kv("aws:PrincipalArn", "arn:aws:iam::111122223333:role/ci-x"), want: F},
		{name: "ArnNotLike missing key true", op: "ArnNotLike", key: "aws:SourceArn", values: `"arn:aws:s3:::x"`, want: T},
		{name: "ArnNotEquals matching value false", op: "ArnNotEquals", key: "aws:PrincipalArn", values: `"arn:aws:iam::111122223333:role/*"`, ctx: kv("aws:PrincipalArn", "arn:aws:iam::111122223333:role/x"), want: F},
		// Null (A9.8)
		{name: "Null true on missing key", op: "Null", key: "sts:ExternalId", values: `"true"`, want: T},
		{name: "Null true on present key", op: "Null", key: "sts:ExternalId", values: `"true"`, ctx: kv("sts:ExternalId", "x"), want: F},
		{name: "Null false on present key", op: "Null", key: "sts:ExternalId", values: `false`, ctx: kv("sts:ExternalId", "x"), want: T},
		{name: "Null false on missing key", op: "Null", key: "sts:ExternalId", values: `"false"`, want: F},
		// Set operators (A11)
		{name: "ForAllValues absent key true", op: "ForAllValues:StringEquals", key: "aws:TagKeys", values: `["a"]`, want: T},
		{name: "ForAllValues subset true", op: "ForAllValues:StringEquals", key: "aws:TagKeys", values: `["a","b"]`, ctx: kv("aws:TagKeys", "a"), want: T},
		{name: "ForAllValues extra value false", op: "ForAllValues:StringEquals", key: "aws:TagKeys", values: `["a"]`, ctx: kv("aws:TagKeys", "a", "aws:TagKeys", "c"), want: F},
		{name: "ForAnyValue absent key false", op: "ForAnyValue:StringEquals", key: "aws:TagKeys", values: `["a"]`, want: F},
		{name: "ForAnyValue one match true", op: "ForAnyValue:StringEquals", key: "aws:TagKeys", values: `["a"]`, ctx: kv("aws:TagKeys", "z", "aws:TagKeys", "a"), want: T},
		{name: "ForAnyValue IfExists absent key true", op: "ForAnyValue:StringEqualsIfExists", key: "aws:TagKeys", values: `["a"]`, want: T},
		{name: "A11.4 ForAllValues negated: every value outside the set", op: "ForAllValues:StringNotEquals", key: "aws:TagKeys", values: `["admin"]`, ctx: kv("aws:TagKeys", "team", "aws:TagKeys", "env"), want: T},
		{name: "A11.4 ForAllValues negated: one value in the set fails", op: "ForAllValues:StringNotEquals", key: "aws:TagKeys", values: `["admin"]`, ctx: kv("aws:TagKeys", "team", "aws:TagKeys", "admin"), want: F},
		{name: "A11.4 ForAnyValue negated: one value outside the set", op: "ForAnyValue:StringNotLike", key: "aws:TagKeys", values: `["adm*"]`, ctx: kv("aws:TagKeys", "admin", "aws:TagKeys", "team"), want: T},
		{name: "A11.4 ForAnyValue negated absent key false", op: "ForAnyValue:StringNotEquals", key: "aws:TagKeys", values: `["a"]`, want: F},
		{name: "ForAnyValue StringLike on single value", op: "ForAnyValue:StringLike", key: "p:sub", values: `"repo:org/*"`, ctx: kv("p:sub", "repo:org/x"), want: T},
		// Variables (A1.5, A12)
		{name: "variable substituted under 2012-10-17", op: "StringEquals", key: "k:x", values: `"${aws:username}"`, caller: user(acctA, "alice"), ctx: kv("k:x", "alice"), want: T},
		{name: "variable literal under 2008-10-17", op: "StringEquals", key: "k:x", values: `"${aws:username}"`, version: "2008-10-17", caller: user(acctA, "alice"), ctx: kv("k:x", "alice"), want: F},
		{name: "variable literal without Version", op: "StringEquals", key: "k:x", values: `"${aws:username}"`, version: "-", caller: user(acctA, "alice"), ctx: kv("k:x", "${aws:username}"), want: T},
		{name: "variable name is case-insensitive", op: "StringEquals", key: "k:x", values: `"${AWS:UserName}"`, caller: user(acctA, "alice"), ctx: kv("k:x", "alice"), want: T},
		{name: "missing variable has no value: positive false", op: "StringLike", key: "k:x", values: `"*${aws:username}*"`, caller: session(acctA, "r", "s"), ctx: kv("k:x", "anything"), want: F},
		{name: "missing variable has no value: negated true", op: "StringNotEquals", key: "k:x", values: `"${aws:username}"`, caller: session(acctA, "r", "s"), ctx: kv("k:x", "anything"), want: T},
		{name: "default value used when the variable is missing", op: "StringEquals", key: "k:x", values: `"${aws:PrincipalTag/team, 'company-wide'}"`, ctx: kv("k:x", "company-wide"), want: T},
		{name: "default value not used when the variable is present", op: "StringEquals", key: "k:x", values: `"${aws:PrincipalTag/team, 'company-wide'}"`, ctx: kv("k:x", "company-wide", "aws:PrincipalTag/team", "dev"), want: F},
		{name: "substituted value is literal under StringLike", op: "StringLike", key: "k:x", values: `"${k:y}"`, ctx: kv("k:x", "abc", "k:y", "a*"), want: F},
		{name: "substituted literal * matches itself", op: "StringLike", key: "k:x", values: `"${k:y}"`, ctx: kv("k:x", "a*", "k:y", "a*"), want: T},
		{name: "${?} is a literal ?", op: "StringLike", key: "k:x", values: `"a${?}"`, ctx: kv("k:x", "ab"), want: F},
		{name: "${$} is a literal $", op: "StringEquals", key: "k:x", values: `"a${$}"`, ctx: kv("k:x", "a$"), want: T},
		{name: "variable in ArnLike", op: "ArnLike", key: "aws:PrincipalArn", values: `"arn:aws:iam::${aws:PrincipalAccount}:role/*"`, caller: session(acctA, "x", "s"), want: T},
		{name: "variable in a multivalued key has no value", op: "StringEquals", key: "k:x", values: `"${aws:TagKeys}"`, ctx: kv("k:x", "a", "aws:TagKeys", "a", "aws:TagKeys", "b"), want: F},
		// Unknown keys
		{name: "unknown key is unknown", op: "StringEquals", key: "aws:SourceVpc", values: `"vpc-1"`, unknown: []string{"aws:sourcevpc"}, want: U},
		{name: "unknown prefix entry", op: "StringEquals", key: "aws:RequestTag/x", values: `"1"`, unknown: []string{"aws:RequestTag/*"}, want: U},
		{name: "unknown variable is unknown", op: "StringEquals", key: "k:x", values: `"${aws:PrincipalTag/team}"`, ctx: kv("k:x", "a"), unknown: []string{"aws:PrincipalTag/team"}, want: U},
		// Caller-derived keys (A13)
		{name: "user caller fills aws:username", op: "StringEquals", key: "aws:username", values: `"alice"`, caller: user(acctA, "alice"), want: T},
		{name: "role session has no aws:username", op: "Null", key: "aws:username", values: `"true"`, caller: session(acctA, "alice", "s"), want: T},
		{name: "role session PrincipalArn is the role ARN", op: "StringEquals", key: "aws:PrincipalArn", values: `"arn:aws:iam::111122223333:role/app"`, caller: session(acctA, "app", "s"), want: T},
		{name: "PrincipalAccount from caller", op: "StringEquals", key: "aws:PrincipalAccount", values: `"111122223333"`, caller: user(acctA, "alice"), want: T},
		{name: "web identity caller has no PrincipalArn", op: "Null", key: "aws:PrincipalArn", values: `"true"`, caller: Caller{Kind: CallerWebIdentity, Provider: provAARN}, want: T},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, deps := evalOne(t, tc)
			if got != tc.want {
				t.Fatalf("%s %s %s with %v: got %v, want %v", tc.op, tc.key, tc.values, tc.ctx, got, tc.want)
			}
			if got == triUnknown && len(deps) == 0 {
				t.Error("unknown result without DependsOn keys")
			}
		})
	}
}

func TestParseOperator(t *testing.T) {
	cases := []struct {
		in                string
		ok                bool
		base, qual        string
		ifExists, negated bool
	}{
		{"StringEquals", true, "StringEquals", "", false, false},
		{"ForAllValues:StringLikeIfExists", true, "StringLike", "ForAllValues", true, false},
		{"ForAnyValue:StringNotEquals", true, "StringNotEquals", "ForAnyValue", false, true},
		{"NotIpAddressIfExists", true, "NotIpAddress", "", true, true},
		{"ArnNotLike", true, "ArnNotLike", "", false, true},
		{"NullIfExists", false, "", "", false, false},
		{"StringEqualsIgnoreCaseIfExists", true, "StringEqualsIgnoreCase", "", true, false},
		{"StringLikeIgnoreCase", false, "", "", false, false},
		{"ForSomeValues:StringEquals", false, "", "", false, false},
		{"stringequals", true, "StringEquals", "", false, false},
	}
	for _, tc := range cases {
		info, ok := parseOperator(tc.in)
		if ok != tc.ok || info.base != tc.base || info.qualifier != tc.qual || info.ifExists != tc.ifExists || info.negated != tc.negated {
			t.Errorf("parseOperator(%q) = %+v, %v", tc.in, info, ok)
		}
	}
}

func TestX29ArnLikeVersusStringLike(t *testing.T) {
	pattern := "arn:aws:someservice:*:111122223333:finance/*"
	value := "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
	t.Run("X29 StringLike matches across colons", func(t *testing.T) {
		if !MatchLike(pattern, value) {
			t.Fatal("StringLike should match")
		}
	})
	t.Run("X29 ArnLike matches per segment and does not", func(t *testing.T) {
		if MatchARNLike(pattern, value) {
			t.Fatal("ArnLike should not match")
		}
	})
	t.Run("X29 the same through condition evaluation", func(t *testing.T) {
		for op, want := range map[string]tri{"StringLike": triTrue, "ArnLike": triFalse} {
			got, _ := evalOne(t, condCase{op: op, key: "aws:SourceArn", values: `"` + pattern + `"`, ctx: kv("aws:SourceArn", value)})
			if got != want {
				t.Errorf("%s: got %v want %v", op, got, want)
			}
		}
	})
}

func TestUnknownOperatorNeverMatches(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEqualz":{"aws:PrincipalAccount":"111122223333"}}}}`)
	if !hasIssue(p, CodeUnknownOperator) {
		t.Fatalf("issues: %s", issueCodes(p))
	}
	ev := EvaluateTrust(p, roleIn(acctA, "r"), req(user(acctA, "alice")))
	if ev.Decision != NotApplicable {
		t.Fatalf("got %v", ev.Decision)
	}
	if !strings.Contains(p.Issues[0].Message, "StringEqualz") {
		t.Errorf("message does not name the operator: %s", p.Issues[0].Message)
	}
}

// A prepared shared context answers what the request's own context does not, and the
// request's own values and marks come first.
func TestSharedContext(t *testing.T) {
	shared := Prepare(Context{
		Values:  kv("aws:SourceVpc", "vpc-1", "aws:RequestTag/team", "red"),
		Unknown: []string{"aws:CurrentTime", "aws:PrincipalTag/*"},
	})
	cases := []struct {
		name      string
		own       Context
		key       string
		want      []string
		wantUnkwn bool
	}{
		{"shared value", Context{}, "AWS:SourceVPC", []string{"vpc-1"}, false},
		{"own value wins", Context{Values: kv("aws:sourcevpc", "vpc-2")}, "aws:SourceVpc", []string{"vpc-2"}, false},
		{"own value beats shared unknown", Context{Values: kv("aws:CurrentTime", "x")}, "aws:currenttime", []string{"x"}, false},
		{"shared unknown", Context{}, "aws:CurrentTime", nil, true},
		{"own exact unknown", Context{Unknown: []string{"aws:SourceIp"}}, "aws:sourceip", nil, true},
		{"shared prefix unknown", Context{}, "aws:PrincipalTag/env", nil, true},
		{"own prefix does not hide a shared value", Context{Unknown: []string{"aws:RequestTag/*"}}, "aws:RequestTag/team", []string{"red"}, false},
		{"own prefix covers other keys", Context{Unknown: []string{"aws:RequestTag/*"}}, "aws:RequestTag/env", nil, true},
		{"absent", Context{}, "aws:SourceIp", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.own.Shared = shared
			got, _, unknown := newReqCtx(Caller{}, tc.own, false).get(tc.key)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") || unknown != tc.wantUnkwn {
				t.Errorf("get(%q) = %v unknown=%v, want %v unknown=%v", tc.key, got, unknown, tc.want, tc.wantUnkwn)
			}
		})
	}
	// Session tags in the shared part still make AssumeRole evaluate sts:TagSession (A14).
	p := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":"sts:AssumeRole"}}`)
	ev := Assume(p, "arn:aws:iam::111122223333:role/r", nil, nil, Request{
		Caller:  Caller{Kind: CallerService, Service: "pods.eks.amazonaws.com"},
		Context: Context{Shared: shared},
	})
	if ev.Decision != Deny || !strings.Contains(ev.Reason, "sts:TagSession") {
		t.Errorf("Assume with shared session tags = %v (%s), want Deny for missing sts:TagSession", ev.Decision, ev.Reason)
	}
}
