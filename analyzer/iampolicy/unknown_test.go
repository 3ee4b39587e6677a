package iampolicy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnknownsIn(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"arn:aws:iam::123456789012:root", nil},
		{Unknown("module.eks.oidc_provider_arn"), []string{"module.eks.oidc_provider_arn"}},
		{"arn:aws:iam::" + Unknown("var.account") + ":role/" + Unknown("local.name"), []string{"var.account", "local.name"}},
		{"⟨unterminated", []string{"unterminated"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, UnknownsIn(tt.in)); diff != "" {
			t.Errorf("UnknownsIn(%q) (-want +got):\n%s", tt.in, diff)
		}
		if HasUnknown(tt.in) != (tt.want != nil) {
			t.Errorf("HasUnknown(%q) = %v", tt.in, !(tt.want != nil))
		}
	}
}

// A statement that depends on an unknown value is set aside, never evaluated on a guess; the
// statements around it keep their meaning.
func TestIndeterminateStatement(t *testing.T) {
	doc := `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"Federated": "` + Unknown("module.eks.oidc_provider_arn") + `"}, "Action": "sts:AssumeRoleWithWebIdentity"},
  {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
   "Condition": {"StringEquals": {"aws:SourceAccount": "` + Unknown("data.aws_caller_identity.current.account_id") + `"}}},
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}
]}`
	p, err := Parse([]byte(doc), "trust.json")
	if err != nil {
		t.Fatal(err)
	}
	want := []IndeterminateStatement{
		{Index: 0, Pos: Pos{Line: 2, Column: 3}, Unknowns: []string{"module.eks.oidc_provider_arn"}},
		{Index: 1, Pos: Pos{Line: 3, Column: 3}, Unknowns: []string{"data.aws_caller_identity.current.account_id"}},
	}
	if diff := cmp.Diff(want, p.Indeterminate); diff != "" {
		t.Errorf("Indeterminate (-want +got):\n%s", diff)
	}
	if len(p.Statements) != 1 || p.Statements[0].Principal == nil || len(p.Issues) != 0 {
		t.Fatalf("statements %d, issues %v: want the one known statement and no issue", len(p.Statements), p.Issues)
	}
	ev := EvaluateTrust(p, "arn:aws:iam::111122223333:role/x", Request{Action: "sts:AssumeRole",
		Caller: Caller{ARN: "arn:aws:iam::111122223333:user/u", Account: "111122223333", Kind: CallerIAMUser}})
	if ev.Decision != Allow {
		t.Errorf("the known statement no longer allows its account: %+v", ev)
	}
}
