package clusterauth

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCanonicalize(t *testing.T) {
	type out struct {
		Canonical, Session string
		OK                 bool
	}
	tests := []struct {
		name string
		arn  string
		want out
	}{
		{"assumed-role session becomes the role ARN without path", "arn:aws:sts::111122223333:assumed-role/Admin/alice",
			out{"arn:aws:iam::111122223333:role/Admin", "alice", true}},
		{"session name keeps @ and case", "arn:aws:sts::111122223333:assumed-role/Admin/Alice@example.com",
			out{"arn:aws:iam::111122223333:role/Admin", "Alice@example.com", true}},
		{"aws-cn session", "arn:aws-cn:sts::111122223333:assumed-role/node/i-0123456789abcdef0",
			out{"arn:aws-cn:iam::111122223333:role/node", "i-0123456789abcdef0", true}},
		{"aws-us-gov session", "arn:aws-us-gov:sts::111122223333:assumed-role/ops/bob",
			out{"arn:aws-us-gov:iam::111122223333:role/ops", "bob", true}},
		{"IAM user with path is kept", "arn:aws:iam::111122223333:user/engineering/alice",
			out{"arn:aws:iam::111122223333:user/engineering/alice", "", true}},
		{"IAM role with path is kept", "arn:aws:iam::111122223333:role/teams/dev/deployer",
			out{"arn:aws:iam::111122223333:role/teams/dev/deployer", "", true}},
		{"root is kept", "arn:aws:iam::111122223333:root", out{"arn:aws:iam::111122223333:root", "", true}},
		{"federated user is kept", "arn:aws:sts::111122223333:federated-user/bob",
			out{"arn:aws:sts::111122223333:federated-user/bob", "", true}},
		{"aws-us-gov user", "arn:aws-us-gov:iam::111122223333:user/alice", out{"arn:aws-us-gov:iam::111122223333:user/alice", "", true}},
		{"unknown partition is rejected", "arn:aws-mars:sts::111122223333:assumed-role/Admin/alice", out{}},
		{"assumed-role without session is rejected", "arn:aws:sts::111122223333:assumed-role/Admin", out{}},
		{"IAM group is rejected", "arn:aws:iam::111122223333:group/admins", out{}},
		{"other STS resource is rejected", "arn:aws:sts::111122223333:session/x", out{}},
		{"other service is rejected", "arn:aws:s3:::bucket", out{}},
		{"unique ID is not an ARN", "AROAEXAMPLEEXAMPLE01", out{}},
		{"empty string", "", out{}},
		{"too few parts", "arn:aws:iam::111122223333", out{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s, ok := Canonicalize(tt.arn)
			if diff := cmp.Diff(tt.want, out{c, s, ok}); diff != "" {
				t.Errorf("Canonicalize(%q) (-want +got):\n%s", tt.arn, diff)
			}
		})
	}
}
