package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/internal/golden"
)

const (
	seed        = "fixtures/seed-s3admin"
	seedWant    = "testdata/seed-s3admin/"
	hugotse     = "arn:aws:iam::111122223333:user/hugotse"
	kevintse    = "system:serviceaccount:data:kevintse"
	s3Admin     = "arn:aws:iam::111122223333:role/S3Admin"
	prodNodeARN = "arn:aws:iam::111122223333:role/prod-node"
)

// TestQueryGoldens runs every query on the seed scenario in text and JSON and compares the
// answer and the exit code with the goldens.
func TestQueryGoldens(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		golden   string
		wantCode int
	}{
		{"who-can S3Admin as text", []string{"who-can", "S3Admin", seed}, seedWant + "who-can.txt", ExitOK},
		{"who-can S3Admin as JSON", []string{"who-can", "S3Admin", seed, "--format", "json"}, seedWant + "who-can.json", ExitOK},
		{"what-can the user as text", []string{"what-can", hugotse, seed}, seedWant + "what-can-hugotse.txt", ExitOK},
		{"what-can the user as JSON", []string{"what-can", hugotse, seed, "--format", "json"}, seedWant + "what-can-hugotse.json", ExitOK},
		{"what-can the service account as text", []string{"what-can", kevintse, "--cluster", "prod", seed}, seedWant + "what-can-kevintse.txt", ExitOK},
		{"what-can the service account as JSON", []string{"what-can", kevintse, "--cluster", "prod", seed, "--format", "json"}, seedWant + "what-can-kevintse.json", ExitOK},
		{"can-assume by web identity as JSON", []string{"can-assume", "S3Admin", "--as", kevintse, "--cluster", "prod", seed, "--format", "json"},
			seedWant + "can-assume-kevintse-s3admin.json", ExitOK},
		{"can-assume by web identity as text", []string{"can-assume", "S3Admin", "--as", kevintse, "--cluster", "prod", seed},
			seedWant + "can-assume-kevintse-s3admin.txt", ExitOK},
		{"can-assume by the user's trust statement as JSON", []string{"can-assume", s3Admin, "--as", hugotse, seed, "--format", "json"},
			seedWant + "can-assume-hugotse-s3admin.json", ExitOK},
		{"can-assume by the user's trust statement as text", []string{"can-assume", s3Admin, "--as", hugotse, seed},
			seedWant + "can-assume-hugotse-s3admin.txt", ExitOK},
		{"can-assume denied as JSON", []string{"can-assume", "prod-node", "--as", hugotse, seed, "--format", "json"},
			seedWant + "can-assume-hugotse-prod-node.json", ExitFindings},
		{"can-assume denied as text", []string{"can-assume", "prod-node", "--as", hugotse, seed},
			seedWant + "can-assume-hugotse-prod-node.txt", ExitFindings},
		{"can-assume denied to the service account as JSON", []string{"can-assume", "prod-node", "--as", kevintse, "--cluster", "prod", seed, "--format", "json"},
			seedWant + "can-assume-kevintse-prod-node.json", ExitFindings},
		{"graph as dot", []string{"graph", seed, "--format", "dot"}, seedWant + "graph.dot", ExitOK},
		{"graph as mermaid", []string{"graph", seed, "--format", "mermaid"}, seedWant + "graph.mermaid", ExitOK},
		{"graph as JSON", []string{"graph", seed, "--format", "json"}, seedWant + "graph.json", ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := run(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.wantCode, stderr)
			}
			if strings.HasSuffix(tt.golden, ".json") && !json.Valid([]byte(out)) {
				t.Errorf("output is not JSON: %.200q", out)
			}
			golden.Check(t, filepath.Join(moduleRoot(t), "internal", "cli", tt.golden), []byte(out))
		})
	}
}

// TestWhoCanSeedS3Admin is the seed scenario's acceptance question, asserted independently
// of the goldens: exactly the user and the service account.
func TestWhoCanSeedS3Admin(t *testing.T) {
	out, stderr, code := run(t, "who-can", "S3Admin", seed, "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var ans struct {
		Role       string `json:"role"`
		Principals []struct {
			Principal string   `json:"principal"`
			Kind      string   `json:"kind"`
			Cluster   string   `json:"cluster"`
			Via       []string `json:"via"`
			Evidence  []string `json:"evidence"`
		} `json:"principals"`
	}
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatal(err)
	}
	if ans.Role != s3Admin {
		t.Errorf("role %q, want %q", ans.Role, s3Admin)
	}
	var got []string
	for _, p := range ans.Principals {
		got = append(got, p.Principal)
		if len(p.Via) != 0 {
			t.Errorf("%s: via %v, want a direct assumption", p.Principal, p.Via)
		}
		if len(p.Evidence) == 0 {
			t.Errorf("%s: no evidence", p.Principal)
		}
		if p.Principal == kevintse && p.Cluster != "prod" {
			t.Errorf("%s: cluster %q, want prod", p.Principal, p.Cluster)
		}
	}
	if diff := cmp.Diff([]string{hugotse, kevintse}, got); diff != "" {
		t.Errorf("who-can S3Admin (-want +got):\n%s", diff)
	}
}

func TestCanAssumeAnswer(t *testing.T) {
	type answer struct {
		Allowed   bool     `json:"allowed"`
		Role      string   `json:"role"`
		Principal string   `json:"principal"`
		Reason    string   `json:"reason"`
		Via       []string `json:"via"`
		DependsOn []string `json:"depends_on"`
	}
	tests := []struct {
		name        string
		args        []string
		wantAllowed bool
		wantCode    int
	}{
		{"user named in the trust with an identity grant", []string{"S3Admin", "--as", hugotse}, true, ExitOK},
		{"service account through IRSA", []string{"S3Admin", "--as", kevintse, "--cluster", "prod"}, true, ExitOK},
		{"user not admitted by the node role's trust", []string{"prod-node", "--as", hugotse}, false, ExitFindings},
		{"a role does not trust itself unless named", []string{"S3Admin", "--as", s3Admin}, false, ExitFindings},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"can-assume"}, tt.args...)
			out, stderr, code := run(t, append(args, seed, "--format", "json")...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.wantCode, stderr)
			}
			var a answer
			if err := json.Unmarshal([]byte(out), &a); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if a.Allowed != tt.wantAllowed || a.Reason == "" || a.Via == nil || a.DependsOn == nil {
				t.Errorf("answer %+v: want allowed=%v with a reason and via/depends_on arrays", a, tt.wantAllowed)
			}
			if a.Principal != tt.args[2] || !strings.HasPrefix(a.Role, "arn:aws:iam::111122223333:role/") {
				t.Errorf("answer names %q / %q", a.Principal, a.Role)
			}
		})
	}
}

func TestQueryFlagsInAnyOrder(t *testing.T) {
	tests := []orderCase{
		{"flags before the positionals", []string{"can-assume", "--as", kevintse, "--cluster", "prod", "--format", "json", "S3Admin", seed}},
		{"flags after the positionals", []string{"can-assume", "S3Admin", seed, "--as", kevintse, "--cluster", "prod", "--format", "json"}},
		{"flags between the positionals with =", []string{"can-assume", "S3Admin", "--as=" + kevintse, seed, "--cluster=prod", "-f", "json"}},
	}
	sameJSONInEveryOrder(t, tests)
	t.Run("who-can with the format after the path", func(t *testing.T) {
		out, _, code := run(t, "who-can", "S3Admin", seed, "-f", "json")
		if code != ExitOK || !strings.HasPrefix(out, "{") {
			t.Errorf("exit %d, output %.80q", code, out)
		}
	})
}

// writeRoles writes get-role outputs into a temporary folder, one file per role ARN.
func writeRoles(t *testing.T, arns ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i, arn := range arns {
		name := arn[strings.LastIndex(arn, "/")+1:]
		doc := map[string]any{"Role": map[string]any{
			"Path": "/", "RoleName": name, "RoleId": "AROAEXAMPLE00000000" + string(rune('A'+i)), "Arn": arn,
			"CreateDate": "2025-01-01T00:00:00Z",
			"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Effect": "Allow", "Principal": map[string]any{"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}}},
		}}
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "role"+string(rune('a'+i))+".json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestQueryUsageErrors(t *testing.T) {
	twoDeployers := writeRoles(t, "arn:aws:iam::111111111111:role/deployer", "arn:aws:iam::222222222222:role/deployer")
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"unknown role lists the roles", []string{"who-can", "S3Admn", seed}, `role "S3Admn": no such role in the inputs; roles: ` + s3Admin + ", " + prodNodeARN},
		{"unknown role ARN", []string{"can-assume", "arn:aws:iam::111122223333:role/nope", "--as", hugotse, seed}, "no such role"},
		{"ambiguous role name lists the candidates", []string{"who-can", "deployer", twoDeployers},
			`role "deployer" is ambiguous: arn:aws:iam::111111111111:role/deployer, arn:aws:iam::222222222222:role/deployer`},
		{"context without =", []string{"can-assume", "S3Admin", "--as", hugotse, "--context", "aws:PrincipalOrgID", seed}, `--context "aws:PrincipalOrgID": want KEY=VALUE`},
		{"context with an empty key", []string{"who-can", "S3Admin", "--context", "=x", seed}, "want KEY=VALUE"},
		{"can-assume without --as", []string{"can-assume", "S3Admin", seed}, "--as PRINCIPAL is required"},
		{"can-assume without a role", []string{"can-assume"}, "missing ROLE"},
		{"who-can without a role", []string{"who-can"}, "missing ROLE"},
		{"what-can without a principal", []string{"what-can"}, "missing PRINCIPAL"},
		{"principal in no known form", []string{"what-can", "hugotse", seed}, `principal "hugotse": want an IAM ARN`},
		{"service account without namespace", []string{"can-assume", "S3Admin", "--as", "system:serviceaccount:kevintse", seed}, "want an IAM ARN"},
		{"unknown cluster", []string{"what-can", kevintse, "--cluster", "prd", seed}, "--cluster prd: no such cluster in the inputs (known: prod)"},
		{"query format not offered", []string{"who-can", "S3Admin", seed, "--format", "sarif"}, `unknown format "sarif"`},
		{"graph format not offered", []string{"graph", seed, "--format", "png"}, `unknown format "png" (want one of dot, mermaid, json)`},
		{"unknown flag after the positionals", []string{"who-can", "S3Admin", seed, "--as-json"}, "unknown flag --as-json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := run(t, tt.args...)
			if code != ExitError {
				t.Errorf("exit %d, want %d", code, ExitError)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr %q does not say %q", stderr, tt.wantErr)
			}
			if out != "" {
				t.Errorf("a usage error printed an answer: %.120q", out)
			}
		})
	}
}

func TestQueryInputErrorsStillAnswer(t *testing.T) {
	out, stderr, code := run(t, "who-can", "S3Admin", seed, "fixtures/broken-inputs/trust/truncated.json")
	if code != ExitError {
		t.Errorf("exit %d, want 2 for an unreadable input", code)
	}
	if !strings.Contains(out, hugotse) || !strings.Contains(stderr, "truncated.json") {
		t.Errorf("want the answer on stdout and the input error on stderr; stdout %q, stderr %q", out, stderr)
	}
}

func TestParseContext(t *testing.T) {
	tests := []struct {
		name    string
		in      []string
		want    map[string][]string
		wantErr bool
	}{
		{"no context", nil, nil, false},
		{"one key", []string{"aws:PrincipalOrgID=o-123"}, map[string][]string{"aws:PrincipalOrgID": {"o-123"}}, false},
		{"repeated key is multi-valued, in any case", []string{"aws:SourceIp=10.0.0.1", "AWS:SourceIP=10.0.0.2"},
			map[string][]string{"aws:SourceIp": {"10.0.0.1", "10.0.0.2"}}, false},
		{"value keeps = and commas", []string{"sts:ExternalId=a=b,c"}, map[string][]string{"sts:ExternalId": {"a=b,c"}}, false},
		{"empty value is a value", []string{"aws:MultiFactorAuthPresent="}, map[string][]string{"aws:MultiFactorAuthPresent": {""}}, false},
		{"missing =", []string{"aws:MultiFactorAuthPresent"}, nil, true},
		{"space in the key", []string{"aws: x=1"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseContext(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if diff := cmp.Diff(tt.want, got.Values); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestQueryContextFlagReachesTheCommand(t *testing.T) {
	// A comma inside a --context value must not split it into two values (StringSliceFlag would).
	out, stderr, code := run(t, "can-assume", "S3Admin", "--as", hugotse, "--context", "sts:ExternalId=a,b",
		"--context", "aws:PrincipalOrgID=o-123", seed, "--format", "json")
	if code != ExitOK || !strings.Contains(out, `"allowed": true`) {
		t.Errorf("exit %d, out %s, stderr %s", code, out, stderr)
	}
}

func TestGraphOutputFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "graph.dot")
	out, stderr, code := run(t, "graph", seed, "--output", p)
	if code != ExitOK || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	b, err := os.ReadFile(p)
	if err != nil || !strings.HasPrefix(string(b), "digraph rolecall {") {
		t.Errorf("graph file %q, err %v", b, err)
	}
}

func TestQueryHelpListsTheFlags(t *testing.T) {
	for _, cmd := range []string{"can-assume", "who-can", "what-can", "graph"} {
		t.Run(cmd, func(t *testing.T) {
			out, _, code := run(t, cmd, "--help")
			if code != ExitOK {
				t.Fatalf("exit %d", code)
			}
			for _, flag := range []string{"--format", "--output", "--cluster", "--audience", "--context"} {
				if !strings.Contains(out, flag) {
					t.Errorf("help lacks %s", flag)
				}
			}
			if cmd == "can-assume" && !strings.Contains(out, "--as") {
				t.Error("help lacks --as")
			}
		})
	}
	t.Run("the app lists the query commands", func(t *testing.T) {
		out, _, _ := run(t, "--help")
		for _, cmd := range []string{"can-assume", "who-can", "what-can", "graph"} {
			if !slices.ContainsFunc(strings.Split(out, "\n"), func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), cmd) }) {
				t.Errorf("help lacks %s", cmd)
			}
		}
	})
}

func TestWhoCanIncludeNodes(t *testing.T) {
	out, stderr, code := run(t, "who-can", "S3Admin", seed, "--include-nodes", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var ans struct {
		Principals []struct {
			Principal string `json:"principal"`
		} `json:"principals"`
		Omitted int `json:"node_access_omitted"`
	}
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ans.Principals {
		got = append(got, p.Principal)
	}
	// The node role reads the pods' tokens on its nodes (semantics G2.7); EC2 becomes the node role.
	want := []string{prodNodeARN, hugotse, "ec2.amazonaws.com", kevintse}
	if diff := cmp.Diff(want, got); diff != "" || ans.Omitted != 0 {
		t.Errorf("who-can --include-nodes (-want +got):\n%s; omitted %d", diff, ans.Omitted)
	}
}

// TestCanAssumeSelfNamed: a role whose trust names itself can assume itself (X8). The forward
// search leaves out its start node, so the direct self-edge used to be missed (answered "no").
func TestCanAssumeSelfNamed(t *testing.T) {
	const arn = "arn:aws:iam::111122223333:role/packer"
	dir := t.TempDir()
	doc := `{"Role": {"Path": "/", "RoleName": "packer", "RoleId": "AROAQ4N2EXAMPLEPACKR", "Arn": "` + arn + `",
  "CreateDate": "2025-01-01T00:00:00Z", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "` + arn + `"}, "Action": "sts:AssumeRole"}]}}}`
	if err := os.WriteFile(filepath.Join(dir, "get-role-packer.json"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := run(t, "can-assume", "packer", "--as", arn, dir, "--format", "json")
	if code != ExitOK || !strings.Contains(out, `"allowed": true`) {
		t.Fatalf("exit %d, want 0 (allowed); out %s, stderr %s", code, out, stderr)
	}
	var a struct {
		Path []struct{ From, To string } `json:"path"`
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatal(err)
	}
	if len(a.Path) != 1 || a.Path[0].From != arn || a.Path[0].To != arn {
		t.Errorf("path %+v, want the one self-edge", a.Path)
	}
}

// TestCanAssumeDeniedReasonNamesTheCallersSide: when the trust admits the caller, a denial is
// explained by what did deny it (the caller's missing grant, an explicit deny, the boundary),
// not by "no statement of the trust policy admits" (which used to be said for every denial).
func TestCanAssumeDeniedReasonNamesTheCallersSide(t *testing.T) {
	tests := []struct{ as, want string }{
		{acctA + "user/bob", "the trust policy trusts the caller's account, so the caller's identity policies must also allow"},
		{acctA + "user/dave", "(explicit deny wins)"},
		{acctA + "user/henry", "the caller's permissions boundary does not allow"},
	}
	for _, tt := range tests {
		out, _, code := run(t, "can-assume", "deploy", "--as", tt.as, canAssumeDir)
		if code != ExitFindings || !strings.Contains(out, tt.want) || strings.Contains(out, "no statement of the trust policy") {
			t.Errorf("%s: exit %d, answer %q; want exit 1 and %q", tt.as, code, out, tt.want)
		}
	}
}
