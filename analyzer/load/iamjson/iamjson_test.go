package iamjson

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/corpus"
)

// loadBytes runs Load over every document of data as file name.
func loadBytes(t *testing.T, name string, data []byte) (*inventory.Inventory, []bool, []result.Diagnostic) {
	t.Helper()
	docs, err := docnode.Parse(name, data)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	inv := &inventory.Inventory{}
	var recognized []bool
	var diags []result.Diagnostic
	for _, d := range docs {
		ok, ds := Load(d, inv)
		recognized = append(recognized, ok)
		diags = append(diags, ds...)
	}
	return inv, recognized, diags
}

// loadPath reads a file (corpus-relative when it starts with "corpus:", else testdata) and
// loads it under the name given.
func loadPath(t *testing.T, p string) (*inventory.Inventory, []bool, []result.Diagnostic) {
	t.Helper()
	var disk string
	if rel, ok := strings.CutPrefix(p, "corpus:"); ok {
		disk, p = corpus.File(t, rel), rel
	} else {
		disk = filepath.Join("testdata", p)
	}
	data, err := os.ReadFile(disk)
	if err != nil {
		t.Fatal(err)
	}
	return loadBytes(t, p, data)
}

type roleSum struct {
	ID, Name, Path, Account, RoleID string
	Statements                      int
	FirstStatement                  iampolicy.Pos
	Encoded                         bool
	Inline                          []string
	Attached                        []string
	Boundary                        string
	Tags                            map[string]string
	Source                          inventory.Source
}

func sumRole(r *inventory.Role) roleSum {
	s := roleSum{ID: r.ID, Name: r.Name, Path: r.Path, Account: r.Account, RoleID: r.RoleID,
		Attached: r.AttachedPolicies, Boundary: r.PermissionsBoundary, Tags: r.Tags, Source: r.Source, Statements: -1}
	if r.ARN != r.ID {
		s.ID = "ARN " + r.ARN + " differs from ID " + r.ID
	}
	if r.Trust != nil {
		s.Statements = len(r.Trust.Statements)
		s.Encoded = r.Trust.Encoded
		if len(r.Trust.Statements) > 0 {
			s.FirstStatement = r.Trust.Statements[0].Pos
		}
	}
	for _, p := range r.InlinePolicies {
		s.Inline = append(s.Inline, p.Name)
	}
	return s
}

func sumRoles(rs []*inventory.Role) []roleSum {
	var out []roleSum
	for _, r := range rs {
		out = append(out, sumRole(r))
	}
	return out
}

func TestLoadRoles(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		want      []roleSum
		wantLists map[string]bool
		wantDiags []result.Diagnostic
	}{
		{
			name: "list-roles output gives every role with its trust policy and marks the account's role list complete",
			file: "corpus:aws-cli/iam-list-roles.json",
			want: []roleSum{
				{ID: "arn:aws:iam::123456789012:role/ExampleRole", Name: "ExampleRole", Path: "/", Account: "123456789012",
					RoleID: "AROAJ52OTH4H7LEXAMPLE", Statements: 1, FirstStatement: iampolicy.Pos{Line: 12, Column: 21},
					Source: inventory.At("aws-cli/iam-list-roles.json", 3, 9)},
				{ID: "arn:aws:iam::123456789012:role/example_path/ExampleRoleWithPath", Name: "ExampleRoleWithPath",
					Path: "/example_path/", Account: "123456789012", RoleID: "AROAI4QRP7UFT7EXAMPLE", Statements: 1,
					FirstStatement: iampolicy.Pos{Line: 33, Column: 21},
					Source:         inventory.At("aws-cli/iam-list-roles.json", 24, 9)},
			},
			wantLists: map[string]bool{"123456789012": true},
		},
		{
			name: "get-role output with a URL-encoded trust policy is decoded, positions at the string",
			file: "get-role-url-encoded.json",
			want: []roleSum{{
				ID: "arn:aws:iam::111122223333:role/team/app", Name: "app", Path: "/team/", Account: "111122223333",
				RoleID: "AROAEXAMPLEAPP000001", Statements: 2, FirstStatement: iampolicy.Pos{Line: 8, Column: 33}, Encoded: true,
				Boundary: "arn:aws:iam::111122223333:policy/boundary", Tags: map[string]string{"team": "payments"},
				Source: inventory.At("get-role-url-encoded.json", 2, 11),
			}},
		},
		{
			name: "get-role output whose document is the CLI example placeholder keeps the role with an unreadable trust policy",
			file: "corpus:aws-cli/iam-get-role-url-encoded-placeholder.json",
			want: []roleSum{{
				ID: "arn:aws:iam::123456789012:role/Test-Role", Name: "Test-Role", Path: "/", Account: "123456789012",
				RoleID: "AROA1234567890EXAMPLE", Statements: 0, Encoded: true,
				Source: inventory.At("aws-cli/iam-get-role-url-encoded-placeholder.json", 2, 13),
			}},
		},
		{
			name: "create-role output has the get-role shape",
			file: "corpus:aws-cli/iam-create-role-maxsession.json",
			want: []roleSum{{
				ID: "arn:aws:iam::12345678012:role/Test-Role", Name: "Test-Role", Path: "/", Account: "12345678012",
				RoleID: "AKIAIOSFODNN7EXAMPLE", Statements: 1, FirstStatement: iampolicy.Pos{Line: 11, Column: 17},
				Source: inventory.At("aws-cli/iam-create-role-maxsession.json", 2, 13),
			}},
		},
		{
			name: "bare trust policy is a role named after the file, account unknown",
			file: "corpus:trust-irsa/awsdocs-get-role-output-default-my-service-account.json",
			want: []roleSum{{
				ID: "arn:aws:iam:::role/awsdocs-get-role-output-default-my-service-account", Name: "awsdocs-get-role-output-default-my-service-account",
				Path: "/", Statements: 1, FirstStatement: iampolicy.Pos{Line: 4, Column: 9},
				Source: inventory.At("trust-irsa/awsdocs-get-role-output-default-my-service-account.json", 1, 1),
			}},
		},
		{
			name: "trust policy saved as YAML is recognised by content",
			file: "trust-policy.yaml",
			want: []roleSum{{
				ID: "arn:aws:iam:::role/trust-policy", Name: "trust-policy", Path: "/", Statements: 1,
				FirstStatement: iampolicy.Pos{Line: 4, Column: 5},
				Source:         inventory.At("trust-policy.yaml", 2, 1),
			}},
		},
		{
			name: "list-roles entries without Arn are positioned errors, the good entries are kept",
			file: "roles-missing-arn.json",
			want: []roleSum{{
				ID: "arn:aws:iam::111122223333:role/good", Name: "good", Path: "/", Account: "111122223333", Statements: -1,
				Source: inventory.At("roles-missing-arn.json", 7, 5),
			}},
			wantLists: map[string]bool{"111122223333": true},
			wantDiags: []result.Diagnostic{
				{Severity: "error", File: "roles-missing-arn.json", Line: 3, Column: 5,
					Message: "list-roles output: Roles[0] has no Arn (expected an object with Arn, RoleName and AssumeRolePolicyDocument)"},
				{Severity: "error", File: "roles-missing-arn.json", Line: 11, Column: 5,
					Message: "list-roles output: Roles[2] must be a role object with Arn, RoleName and AssumeRolePolicyDocument"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, rec, diags := loadPath(t, tt.file)
			if len(rec) != 1 || !rec[0] {
				t.Fatalf("recognized = %v, want [true]", rec)
			}
			if diff := cmp.Diff(tt.want, sumRoles(inv.Roles)); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantLists, inv.RoleListAccounts); diff != "" {
				t.Errorf("RoleListAccounts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantDiags, diags); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadAuthorizationDetails(t *testing.T) {
	const file = "aws-cli/iam-get-account-authorization-details.json"
	inv, rec, diags := loadPath(t, "corpus:"+file)
	if len(rec) != 1 || !rec[0] {
		t.Fatalf("recognized = %v, want [true]", rec)
	}
	wantRoles := []roleSum{{
		ID: "arn:aws:iam::123456789012:role/EC2role", Name: "EC2role", Path: "/", Account: "123456789012",
		RoleID: "AROA1234567890EXAMPLE", Statements: 1, FirstStatement: iampolicy.Pos{Line: 7, Column: 21},
		Attached: []string{"arn:aws:iam::aws:policy/AmazonS3FullAccess", "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"},
		Source:   inventory.At(file, 3, 9),
	}}
	if diff := cmp.Diff(wantRoles, sumRoles(inv.Roles)); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}

	type userSum struct {
		ID, Name, Account string
		Groups            []string
		Inline            map[string]int // name → statements
		Source            inventory.Source
	}
	var users []userSum
	for _, u := range inv.Users {
		s := userSum{ID: u.ID, Name: u.Name, Account: u.Account, Groups: u.Groups, Source: u.Source}
		for _, p := range u.InlinePolicies {
			if s.Inline == nil {
				s.Inline = map[string]int{}
			}
			s.Inline[p.Name] = len(p.Document.Statements)
		}
		users = append(users, s)
	}
	wantUsers := []userSum{
		{ID: "arn:aws:iam::123456789012:user/Alice", Name: "Alice", Account: "123456789012", Groups: []string{"Admins"}, Source: inventory.At(file, 121, 9)},
		{ID: "arn:aws:iam::123456789012:user/Bob", Name: "Bob", Account: "123456789012", Groups: []string{"Admins"},
			Inline: map[string]int{"DenyBillingAndIAMPolicy": 1}, Source: inventory.At(file, 133, 9)},
		{ID: "arn:aws:iam::123456789012:user/Charlie", Name: "Charlie", Account: "123456789012", Groups: []string{"Dev"}, Source: inventory.At(file, 160, 9)},
	}
	if diff := cmp.Diff(wantUsers, users); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}

	type groupSum struct {
		ID, Name string
		Attached []string
		Inline   []inventory.Source
		Source   inventory.Source
	}
	var groups []groupSum
	for _, g := range inv.Groups {
		s := groupSum{ID: g.ID, Name: g.Name, Attached: g.AttachedPolicies, Source: g.Source}
		for _, p := range g.InlinePolicies {
			s.Inline = append(s.Inline, p.Source)
		}
		groups = append(groups, s)
	}
	wantGroups := []groupSum{
		// F2.5: AttachedManagedPolicies printed as a single object is read as a one-element list.
		{ID: "arn:aws:iam::123456789012:group/Admins", Name: "Admins", Attached: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}, Source: inventory.At(file, 71, 9)},
		{ID: "arn:aws:iam::123456789012:group/Dev", Name: "Dev", Attached: []string{"arn:aws:iam::aws:policy/PowerUserAccess"}, Source: inventory.At(file, 83, 9)},
		{ID: "arn:aws:iam::123456789012:group/Finance", Name: "Finance", Inline: []inventory.Source{inventory.At(file, 103, 17)}, Source: inventory.At(file, 95, 9)},
	}
	if diff := cmp.Diff(wantGroups, groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}

	type policySum struct {
		ID, Name   string
		Statements int
		Source     inventory.Source
	}
	var policies []policySum
	for _, p := range inv.ManagedPolicies {
		s := policySum{ID: p.ID, Name: p.Name, Statements: -1, Source: p.Source}
		if p.Default != nil {
			s.Statements = len(p.Default.Statements)
		}
		policies = append(policies, s)
	}
	wantPolicies := []policySum{
		{ID: "arn:aws:iam::123456789012:policy/create-update-delete-set-managed-policies", Name: "create-update-delete-set-managed-policies", Statements: 1, Source: inventory.At(file, 174, 9)},
		{ID: "arn:aws:iam::123456789012:policy/S3-read-only-specific-bucket", Name: "S3-read-only-specific-bucket", Statements: 1, Source: inventory.At(file, 210, 9)},
		{ID: "arn:aws:iam::aws:policy/AmazonEC2FullAccess", Name: "AmazonEC2FullAccess", Statements: 4, Source: inventory.At(file, 244, 9)},
	}
	if diff := cmp.Diff(wantPolicies, policies); diff != "" {
		t.Errorf("managed policies (-want +got):\n%s", diff)
	}

	// The CLI example is a truncated page: it must not claim the account's lists are complete.
	if len(inv.RoleListAccounts) != 0 || len(inv.IdentityAccounts) != 0 {
		t.Errorf("truncated dump marked accounts complete: roles %v identity %v", inv.RoleListAccounts, inv.IdentityAccounts)
	}
	wantDiags := []result.Diagnostic{{Severity: "warning", File: file, Line: 289, Column: 20,
		Message: "get-account-authorization-details output is truncated (IsTruncated: true): elements not in it are not assumed absent; fetch every page (omit --max-items)"}}
	if diff := cmp.Diff(wantDiags, diags); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestAuthorizationDetailsCompleteMarksAccounts(t *testing.T) {
	data := []byte(`{
  "RoleDetailList": [{"Arn": "arn:aws:iam::111122223333:role/a", "RoleName": "a", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}}],
  "UserDetailList": [{"Arn": "arn:aws:iam::444455556666:user/u", "UserName": "u"}],
  "GroupDetailList": [],
  "Policies": [{"Arn": "arn:aws:iam::111122223333:policy/p", "PolicyName": "p", "DefaultVersionId": "v2",
    "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
                          {"VersionId": "v2", "IsDefaultVersion": true, "Document": "%7B%22Statement%22%3A%5B%5D%7D"}]}],
  "IsTruncated": false
}`)
	inv, _, diags := loadBytes(t, "gaad.json", data)
	if len(diags) != 0 {
		t.Errorf("unexpected diagnostics: %v", diags)
	}
	if diff := cmp.Diff(map[string]bool{"111122223333": true}, inv.RoleListAccounts); diff != "" {
		t.Errorf("RoleListAccounts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]bool{"111122223333": true, "444455556666": true}, inv.IdentityAccounts); diff != "" {
		t.Errorf("IdentityAccounts (-want +got):\n%s", diff)
	}
	if len(inv.ManagedPolicies) != 1 || inv.ManagedPolicies[0].Default == nil || !inv.ManagedPolicies[0].Default.Encoded ||
		len(inv.ManagedPolicies[0].Default.Statements) != 0 {
		t.Errorf("managed policy should keep only the default (encoded, empty) version: %+v", inv.ManagedPolicies)
	}
}

func TestLoadOIDCProviders(t *testing.T) {
	tests := []struct {
		name          string
		file          string
		want          []inventory.OIDCProvider
		wantProviders map[string]bool
	}{
		{
			name: "list-open-id-connect-providers gives ARNs and marks the account's provider list complete",
			file: "list-oidc-providers.json",
			want: []inventory.OIDCProvider{
				{ID: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
					ARN:     "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
					Account: "111122223333", Source: inventory.At("list-oidc-providers.json", 3, 9)},
				{ID: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
					ARN:     "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
					Account: "111122223333", Source: inventory.At("list-oidc-providers.json", 6, 9)},
			},
			wantProviders: map[string]bool{"111122223333": true},
		},
		{
			name: "get-open-id-connect-provider has no ARN: URL kept, ID with an unknown account",
			file: "get-oidc-provider.json",
			want: []inventory.OIDCProvider{{
				ID:        "arn:aws:iam:::oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
				URL:       "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
				ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"},
				Source: inventory.At("get-oidc-provider.json", 1, 1),
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, rec, diags := loadPath(t, tt.file)
			if len(rec) != 1 || !rec[0] || len(diags) != 0 {
				t.Fatalf("recognized = %v, diagnostics %v; want recognised without diagnostics", rec, diags)
			}
			var got []inventory.OIDCProvider
			for _, p := range inv.OIDCProviders {
				got = append(got, *p)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("providers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantProviders, inv.ProviderListAccounts); diff != "" {
				t.Errorf("ProviderListAccounts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadOIDCProviderWithArn(t *testing.T) {
	const url = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
	doc := func(arn string) string {
		return "{\n  \"Arn\": " + arn + ",\n  \"Url\": \"" + url + "\",\n  \"ClientIDList\": [\"sts.amazonaws.com\"]\n}\n"
	}
	unknown := inventory.OIDCProvider{ID: "arn:aws:iam:::oidc-provider/" + url, URL: url,
		ClientIDs: []string{"sts.amazonaws.com"}, Source: inventory.At("p.json", 1, 1)}
	tests := []struct {
		name  string
		arn   string
		want  inventory.OIDCProvider
		diags []result.Diagnostic
	}{
		{
			name: "rolecall's snapshot adds the ARN: it is the provider's identity",
			arn:  `"arn:aws:iam::111122223333:oidc-provider/` + url + `"`,
			want: inventory.OIDCProvider{ID: "arn:aws:iam::111122223333:oidc-provider/" + url,
				ARN: "arn:aws:iam::111122223333:oidc-provider/" + url, Account: "111122223333", URL: url,
				ClientIDs: []string{"sts.amazonaws.com"}, Source: inventory.At("p.json", 1, 1)},
		},
		{
			name: "an ARN for another URL is used, with a warning",
			arn:  `"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"`,
			want: inventory.OIDCProvider{ID: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
				ARN: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", Account: "111122223333", URL: url,
				ClientIDs: []string{"sts.amazonaws.com"}, Source: inventory.At("p.json", 1, 1)},
			diags: []result.Diagnostic{{Severity: result.DiagWarning, File: "p.json", Line: 2, Column: 10,
				Message: `get-open-id-connect-provider output: Arn "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" names provider token.actions.githubusercontent.com, not the Url ` + url + `; using the Arn`}},
		},
		{
			name: "a role ARN is an error at the value; the provider is kept without an ARN",
			arn:  `"arn:aws:iam::111122223333:role/app"`,
			want: unknown,
			diags: []result.Diagnostic{{Severity: result.DiagError, File: "p.json", Line: 2, Column: 10,
				Message: `get-open-id-connect-provider output: Arn "arn:aws:iam::111122223333:role/app" is not an OIDC provider ARN (expected arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST/PATH)`}},
		},
		{
			name: "a list is an error at the value",
			arn:  `[1]`,
			want: unknown,
			diags: []result.Diagnostic{{Severity: result.DiagError, File: "p.json", Line: 2, Column: 10,
				Message: "get-open-id-connect-provider output: Arn must be a string (expected arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST/PATH)"}},
		},
		{
			name: "an empty Arn is an error at the output",
			arn:  `""`,
			want: unknown,
			diags: []result.Diagnostic{{Severity: result.DiagError, File: "p.json", Line: 1, Column: 1,
				Message: `get-open-id-connect-provider output has no Arn (expected "arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH")`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, rec, diags := loadBytes(t, "p.json", []byte(doc(tt.arn)))
			if len(rec) != 1 || !rec[0] {
				t.Fatalf("recognized = %v, want one recognised document", rec)
			}
			if diff := cmp.Diff(tt.diags, diags); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if len(inv.OIDCProviders) != 1 {
				t.Fatalf("got %d providers, want 1", len(inv.OIDCProviders))
			}
			if diff := cmp.Diff(tt.want, *inv.OIDCProviders[0]); diff != "" {
				t.Errorf("provider (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadSkipsDocumentsThatAreNotIAM(t *testing.T) {
	tests := []struct {
		name string
		file string
	}{
		{"Kubernetes Deployment", "deployment.yaml"},
		{"Helm values with a Roles key among others", "helm-values.yaml"},
		{"unrelated JSON", "random.json"},
		{"aws-auth dynamic-file mapping is left to the aws-auth loader", "corpus:aws-auth/authenticator-dynamicfile-access-entries.json"},
		{"EKS describe-cluster output is left to eksjson", "corpus:aws-cli/eks-describe-cluster.json"},
		{"CloudFormation template embedding a trust policy", "corpus:trust-github-oidc/configure-aws-credentials-cfn-federation-and-role.yml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, rec, diags := loadPath(t, tt.file)
			for i, ok := range rec {
				if ok {
					t.Errorf("document %d recognised as IAM data", i)
				}
			}
			if len(diags) != 0 || len(inv.Roles) != 0 {
				t.Errorf("got diagnostics %v and %d roles, want none", diags, len(inv.Roles))
			}
		})
	}
}

func TestRoleNameForFile(t *testing.T) {
	tests := []struct {
		file  string
		index int
		want  string
	}{
		{"trust/app.json", 0, "app"},
		{"a/b/ci.trust.yaml", 0, "ci.trust"},
		{"noext", 0, "noext"},
		{"stream.yaml", 2, "stream-2"},
		{"<stdin>", 0, "stdin"},
		{"-", 0, "stdin"},
		{`C:\x\win.json`, 0, "win"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if got := RoleNameForFile(tt.file, tt.index); got != tt.want {
				t.Errorf("RoleNameForFile(%q, %d) = %q, want %q", tt.file, tt.index, got, tt.want)
			}
		})
	}
}

// TestCorpusNeverPanics loads every corpus file that parses; recognised or not, every error
// it reports must be positioned.
func TestCorpusNeverPanics(t *testing.T) {
	for _, rel := range corpus.Files(t, ".json", ".yaml", ".yml") {
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(corpus.File(t, rel))
			if err != nil {
				t.Fatal(err)
			}
			docs, err := docnode.Parse(rel, data)
			if err != nil {
				return // parse errors are the dispatcher's to report
			}
			inv := &inventory.Inventory{}
			for _, d := range docs {
				_, diags := Load(d, inv)
				for _, dg := range diags {
					if dg.Severity == result.DiagError && dg.Line <= 0 {
						t.Errorf("unpositioned error: %v", dg)
					}
				}
			}
			for _, r := range inv.Roles {
				if r.Source.Line <= 0 || r.ID == "" {
					t.Errorf("role without position or ID: %+v", r)
				}
			}
		})
	}
}

func FuzzLoad(f *testing.F) {
	seeds := corpus.Files(f, ".json")
	sort.Strings(seeds)
	for _, rel := range seeds {
		data, err := os.ReadFile(corpus.File(f, rel))
		if err == nil {
			f.Add(data)
		}
	}
	for _, name := range []string{"get-role-url-encoded.json", "roles-missing-arn.json", "get-oidc-provider.json"} {
		if data, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := docnode.Parse("fuzz.json", data)
		if err != nil {
			return
		}
		inv := &inventory.Inventory{}
		for _, d := range docs {
			_, diags := Load(d, inv)
			for _, dg := range diags {
				if dg.Line <= 0 {
					t.Errorf("unpositioned diagnostic: %v", dg)
				}
			}
		}
	})
}
