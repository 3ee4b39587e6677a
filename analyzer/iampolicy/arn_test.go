package iampolicy

import "testing"

func TestParseARN(t *testing.T) {
	a, ok := ParseARN("arn:aws:iam::111122223333:role/path/name")
	if !ok || a != (ARN{"aws", "iam", "", "111122223333", "role/path/name"}) {
		t.Fatalf("got %+v %v", a, ok)
	}
	if a.String() != "arn:aws:iam::111122223333:role/path/name" {
		t.Errorf("String() = %s", a.String())
	}
	a, ok = ParseARN("arn:aws:s3:::bucket:with:colons")
	if !ok || a.Resource != "bucket:with:colons" {
		t.Fatalf("resource keeps colons: %+v", a)
	}
	for _, bad := range []string{"", "arn", "arn:aws:iam", "arn::iam::1:x", "ARN:aws:iam::1:x", "111122223333", "*"} {
		if _, ok := ParseARN(bad); ok {
			t.Errorf("ParseARN(%q) ok", bad)
		}
	}
}

func TestMatchLike(t *testing.T) {
	cases := []struct {
		p, v string
		want bool
	}{
		{"*", "", true},
		{"*", "anything:at/all", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"system:serviceaccount:*:api", "system:serviceaccount:ns:api", true},
		{"system:serviceaccount:ns:app*", "system:serviceaccount:ns:app-anything", true},
		{"abc", "ABC", false},
		{"**a", "a", true},
		{"ü?", "üß", true},
		{"*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	}
	for _, tc := range cases {
		if got := MatchLike(tc.p, tc.v); got != tc.want {
			t.Errorf("MatchLike(%q, %q) = %v", tc.p, tc.v, got)
		}
	}
}

func TestMatchARNLike(t *testing.T) {
	cases := []struct {
		p, v string
		want bool
	}{
		{"arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/a/b", true},
		{"arn:aws:iam::111122223333:role/ci-*", "arn:aws:iam::111122223333:role/ci-deploy", true},
		{"arn:aws:iam::111122223333:role/ci-*", "arn:aws:iam::111122223333:user/ci-deploy", false},
		{"arn:aws:iam::*", "arn:aws:iam::111122223333:role/x", false}, // fewer than six parts
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b", true},    // sixth part keeps colons
		{"arn:aws:iam::111122223333:role/x", "not-an-arn", false},
		{"*", "arn:aws:iam::111122223333:role/x", true},
		{"arn:*:iam::*:role/x", "arn:aws-cn:iam::111122223333:role/x", true},
		{"arn:aws:iam::?????????????:root", "arn:aws:iam::111122223333:root", false},
	}
	for _, tc := range cases {
		if got := MatchARNLike(tc.p, tc.v); got != tc.want {
			t.Errorf("MatchARNLike(%q, %q) = %v", tc.p, tc.v, got)
		}
	}
}

func TestClassifyAWSPrincipal(t *testing.T) {
	cases := []struct {
		v    string
		form AWSPrincipalForm
		acct string
	}{
		{"*", FormStar, ""},
		{"111122223333", FormAccount, "111122223333"},
		{"arn:aws:iam::111122223333:root", FormAccount, "111122223333"},
		{"arn:aws:iam::111122223333:user/a/b/alice", FormUser, "111122223333"},
		{"arn:aws-cn:iam::111122223333:role/x", FormRole, "111122223333"},
		// Declared in infrastructure as code, account known only after deployment.
		{"arn:aws:iam:::role/app", FormRole, ""},
		{"arn:aws:iam:::user/ci", FormUser, ""},
		{"arn:aws:iam:::root", FormInvalid, ""},
		{"arn:aws:sts:::assumed-role/app/s", FormInvalid, ""},
		{"arn:aws:sts::111122223333:assumed-role/Admin/alice", FormRoleSession, "111122223333"},
		{"arn:aws:sts::111122223333:federated-user/bob", FormFederatedUser, "111122223333"},
		{"AROAEXAMPLEEXAMPLE01", FormUniqueID, ""},
		{"arn:aws:iam::111122223333:group/admins", FormInvalid, ""},
		{"arn:aws:iam::111122223333:role/ci-*", FormInvalid, ""},
		{"arn:aws:iam::${acct}:root", FormInvalid, ""},
		{"ec2.amazonaws.com", FormInvalid, ""},
		{"11112222333", FormInvalid, ""},
		{"arn:aws:iam::111122223333:role/", FormInvalid, ""},
	}
	for _, tc := range cases {
		f, a := ClassifyAWSPrincipal(tc.v)
		if f != tc.form || a != tc.acct {
			t.Errorf("ClassifyAWSPrincipal(%q) = %v %q, want %v %q", tc.v, f, a, tc.form, tc.acct)
		}
	}
	if a, ok := AccountOf("arn:aws:iam::111122223333:user/x"); !ok || a != acctA {
		t.Errorf("AccountOf = %q %v", a, ok)
	}
	if _, ok := AccountOf("*"); ok {
		t.Error("AccountOf(*) ok")
	}
}

func TestProviders(t *testing.T) {
	h, ok := OIDCProviderHost(provAARN)
	if !ok || h != provA {
		t.Fatalf("OIDCProviderHost = %q %v", h, ok)
	}
	if _, ok := OIDCProviderHost("arn:aws:iam::111122223333:saml-provider/x"); ok {
		t.Error("SAML provider is not OIDC")
	}
	if !IsSAMLProviderARN("arn:aws:iam::111122223333:saml-provider/x") {
		t.Error("IsSAMLProviderARN")
	}
	for host, want := range map[string]string{
		provA: "eks",
		"oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC": "eks",
		"token.actions.githubusercontent.com":         "github",
		"token.actions.githubusercontent.com/my-ent":  "github",
		"app.terraform.io":                            "other",
		"oidc.eks.example.com/id/x":                   "other",
	} {
		if got := ProviderKind(host); got != want {
			t.Errorf("ProviderKind(%q) = %s, want %s", host, got, want)
		}
	}
	if n, ok := RoleNameOf("arn:aws:iam::111122223333:role/a/b/name"); !ok || n != "name" {
		t.Errorf("RoleNameOf = %q", n)
	}
	if !IsAccountID("012345678901") || IsAccountID("01234567890a") {
		t.Error("IsAccountID")
	}
}
