package terraform

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
)

// res builds a resource whose attributes are the YAML text attrs, so every node is positioned
// at its line and column in that text, read as file (a .tf file as the evaluator reports it).
// The resource block itself is at line 1.
func res(t *testing.T, file, typ, name, attrs string) Resource {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(attrs), &doc); err != nil {
		t.Fatalf("%s.%s: %v", typ, name, err)
	}
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if len(doc.Content) > 0 {
		n = doc.Content[0]
	}
	return Resource{Mode: "managed", Type: typ, Name: name, Address: typ + "." + name, Attrs: n,
		Source: inventory.At(file, 1, 1)}
}

func mapAll(rs ...Resource) (*inventory.Inventory, []result.Diagnostic) {
	inv := &inventory.Inventory{}
	return inv, mapResources(rs, inv)
}

// diagTexts renders diagnostics as file:line:col: severity: message.
func diagTexts(ds []result.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Error()+" ["+d.Severity+"]")
	}
	return out
}

func at(file string, line, col int) inventory.Source { return inventory.At(file, line, col) }

func TestMapRole(t *testing.T) {
	role := res(t, "iam.tf", "aws_iam_role", "app", `name: app
path: /teams/
assume_role_policy:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Principal:
        Federated: arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC
      Action: sts:AssumeRoleWithWebIdentity
      Condition:
        StringEquals:
          oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud: sts.amazonaws.com
inline_policy:
  - name: read
    policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
  - {}
managed_policy_arns:
  - arn:aws:iam::aws:policy/ReadOnlyAccess
permissions_boundary: arn:aws:iam::111122223333:policy/boundary
tags:
  team: payments
`)
	inv, diags := mapAll(role)
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diagTexts(diags))
	}
	if len(inv.Roles) != 1 {
		t.Fatalf("want 1 role, got %d", len(inv.Roles))
	}
	r := inv.Roles[0]
	const arn = "arn:aws:iam:::role/teams/app"
	if r.ID != arn || r.ARN != arn || r.Name != "app" || r.Path != "/teams/" || r.Account != "" || r.Source != at("iam.tf", 1, 1) {
		t.Errorf("role = %s %s %q %q %q %v", r.ID, r.ARN, r.Name, r.Path, r.Account, r.Source)
	}
	if r.Trust == nil || len(r.Trust.Statements) != 1 || r.Trust.File != "iam.tf" {
		t.Fatalf("trust = %+v", r.Trust)
	}
	st := r.Trust.Statements[0]
	// Positions are the document's own nodes: the statement, its principal and its condition key.
	if st.Pos != (iampolicy.Pos{Line: 6, Column: 7}) || st.Principal.Federated[0].Pos != (iampolicy.Pos{Line: 8, Column: 20}) ||
		st.Conditions[0].KeyPos != (iampolicy.Pos{Line: 12, Column: 11}) {
		t.Errorf("positions: statement %v, federated %v, condition key %v", st.Pos, st.Principal.Federated[0].Pos, st.Conditions[0].KeyPos)
	}
	if len(r.InlinePolicies) != 1 || r.InlinePolicies[0].Name != "read" || r.InlinePolicies[0].Source != at("iam.tf", 14, 5) ||
		len(r.InlinePolicies[0].Document.Statements) != 1 {
		t.Errorf("inline policies = %+v", r.InlinePolicies)
	}
	if diff := cmp.Diff([]string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, r.AttachedPolicies); diff != "" {
		t.Errorf("attached (-want +got):\n%s", diff)
	}
	if r.PermissionsBoundary != "arn:aws:iam::111122223333:policy/boundary" || r.Tags["team"] != "payments" {
		t.Errorf("boundary %q tags %v", r.PermissionsBoundary, r.Tags)
	}
}

func TestMapRoleIdentity(t *testing.T) {
	tests := []struct {
		name, attrs                    string
		wantARN, wantName, wantAccount string
	}{
		{"known arn wins (state, existing role)", "name: app\narn: arn:aws:iam::111122223333:role/ops/app\n",
			"arn:aws:iam::111122223333:role/ops/app", "app", "111122223333"},
		{"no account: the unknown-account convention", "name: app\n",
			"arn:aws:iam:::role/app", "app", ""},
		{"arn unknown until apply is not used", "name: app\narn: ⟨aws_iam_role.x.arn⟩\n",
			"arn:aws:iam:::role/app", "app", ""},
		{"name_prefix: the name is unknown, the ARN stable", "name_prefix: app-\n",
			"arn:aws:iam:::role/⟨aws_iam_role.x.name⟩", "⟨aws_iam_role.x.name⟩", ""},
		{"name built from an unknown keeps it", "name: ⟨var.env⟩-app\n",
			"arn:aws:iam:::role/⟨var.env⟩-app", "⟨var.env⟩-app", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, _ := mapAll(res(t, "iam.tf", "aws_iam_role", "x", tt.attrs))
			r := inv.Roles[0]
			if r.ARN != tt.wantARN || r.ID != tt.wantARN || r.Name != tt.wantName || r.Account != tt.wantAccount {
				t.Errorf("got %s %q %q, want %s %q %q", r.ARN, r.Name, r.Account, tt.wantARN, tt.wantName, tt.wantAccount)
			}
			if v, ok := referenceValue(&Resource{Type: "aws_iam_role", Address: "aws_iam_role.x", Attrs: res(t, "iam.tf", "aws_iam_role", "x", tt.attrs).Attrs}, "arn"); !ok || v != tt.wantARN {
				t.Errorf("referenceValue(arn) = %q, %v; a reference must name the role's own ARN", v, ok)
			}
		})
	}
}

func TestMapTrustForms(t *testing.T) {
	tests := []struct {
		name, attrs   string
		wantTrust     bool
		wantStmts     int
		wantIndet     int
		wantEncoded   bool
		wantStmtPos   iampolicy.Pos
		wantDiagTexts []string
	}{
		{name: "JSON string (a plan, a heredoc kept as text): positioned at the string",
			attrs:     "name: a\nassume_role_policy: '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}'\n",
			wantTrust: true, wantStmts: 1, wantEncoded: true, wantStmtPos: iampolicy.Pos{Line: 2, Column: 21}},
		{name: "unknown as a whole: not evaluated, and said so at the attribute",
			attrs:         "name: a\nassume_role_policy: ⟨module.irsa.trust_json⟩\n",
			wantDiagTexts: []string{"iam.tf:2:21: aws_iam_role.x: assume_role_policy depends on module.irsa.trust_json, known only after apply; the trust policy is not evaluated [warning]"}},
		{name: "partly unknown: iampolicy sets the statement aside",
			attrs: `name: a
assume_role_policy:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Principal:
        AWS: arn:aws:iam::⟨data.aws_caller_identity.current.account_id⟩:root
      Action: sts:AssumeRole
    - Effect: Allow
      Principal:
        Service: ec2.amazonaws.com
      Action: sts:AssumeRole
`,
			wantTrust: true, wantStmts: 1, wantIndet: 1, wantStmtPos: iampolicy.Pos{Line: 9, Column: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := mapAll(res(t, "iam.tf", "aws_iam_role", "x", tt.attrs))
			if diff := cmp.Diff(tt.wantDiagTexts, diagTexts(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			tr := inv.Roles[0].Trust
			if (tr != nil) != tt.wantTrust {
				t.Fatalf("trust = %+v, want present %v", tr, tt.wantTrust)
			}
			if tr == nil {
				return
			}
			if len(tr.Statements) != tt.wantStmts || len(tr.Indeterminate) != tt.wantIndet || tr.Encoded != tt.wantEncoded {
				t.Errorf("statements %d indeterminate %d encoded %v", len(tr.Statements), len(tr.Indeterminate), tr.Encoded)
			}
			if tr.Statements[0].Pos != tt.wantStmtPos {
				t.Errorf("statement at %v, want %v", tr.Statements[0].Pos, tt.wantStmtPos)
			}
		})
	}
}

func TestMapIdentityPolicies(t *testing.T) {
	doc := `'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'`
	inv, diags := mapAll(
		// Joined by name, in any order.
		res(t, "iam.tf", "aws_iam_role_policy", "by_name", "name: assume\nrole: app\npolicy: "+doc+"\n"),
		res(t, "iam.tf", "aws_iam_role_policy_attachment", "by_arn", "role: arn:aws:iam::111122223333:role/app\npolicy_arn: arn:aws:iam::aws:policy/ReadOnlyAccess\n"),
		res(t, "iam.tf", "aws_iam_role_policy_attachment", "custom", "role: app\npolicy_arn: arn:aws:iam:::policy/⟨aws_iam_policy.custom.name⟩\n"),
		res(t, "iam.tf", "aws_iam_role_policy_attachment", "elsewhere", "role: legacy\npolicy_arn: arn:aws:iam::aws:policy/ReadOnlyAccess\n"),
		res(t, "iam.tf", "aws_iam_role", "app", "name: app\n"),
		res(t, "iam.tf", "aws_iam_policy", "custom", "name_prefix: custom-\npolicy: "+doc+"\n"),
		res(t, "iam.tf", "aws_iam_policy", "later", "name: later\npolicy: ⟨data.aws_iam_policy_document.later.json⟩\n"),
		res(t, "users.tf", "aws_iam_user", "alice", "name: alice\n"),
		res(t, "users.tf", "aws_iam_user_policy", "alice", "user: alice\nname: inline\npolicy: "+doc+"\n"),
		res(t, "users.tf", "aws_iam_user_policy_attachment", "alice", "user: alice\npolicy_arn: arn:aws:iam::aws:policy/ReadOnlyAccess\n"),
		res(t, "users.tf", "aws_iam_group", "ops", "name: ops\npath: /teams/\n"),
		res(t, "users.tf", "aws_iam_group_policy", "ops", "group: ops\npolicy: "+doc+"\n"),
		res(t, "users.tf", "aws_iam_group_policy_attachment", "ops", "group: ops\npolicy_arn: arn:aws:iam::aws:policy/PowerUserAccess\n"),
		res(t, "users.tf", "aws_iam_user_group_membership", "alice", "user: alice\ngroups: [ops, auditors]\n"),
		res(t, "users.tf", "aws_iam_group_membership", "ops", "name: m\ngroup: ops\nusers: [alice, bob]\n"),
	)
	wantDiags := []string{
		"iam.tf:2:9: aws_iam_policy.later: policy depends on data.aws_iam_policy_document.later.json, known only after apply; the policy document is not evaluated [warning]",
		"iam.tf:1:1: aws_iam_role_policy_attachment.elsewhere: role \"legacy\" is not declared in the configuration read; the attachment is not analysed [warning]",
		"users.tf:1:1: aws_iam_group_membership.ops: user \"bob\" is not declared in the configuration read; the group membership is not analysed [warning]",
	}
	if diff := cmp.Diff(wantDiags, diagTexts(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	r := inv.Roles[0]
	if len(r.InlinePolicies) != 1 || r.InlinePolicies[0].Name != "assume" || r.InlinePolicies[0].Source != at("iam.tf", 1, 1) {
		t.Errorf("role inline policies = %+v", r.InlinePolicies)
	}
	// The custom policy's name is left to Terraform: its ARN holds the unknown, and the
	// attachment naming exactly that ARN links to it.
	if diff := cmp.Diff([]string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam:::policy/⟨aws_iam_policy.custom.name⟩"}, r.AttachedPolicies); diff != "" {
		t.Errorf("role attached (-want +got):\n%s", diff)
	}
	if len(inv.ManagedPolicies) != 2 || inv.ManagedPolicies[0].ARN != "arn:aws:iam:::policy/⟨aws_iam_policy.custom.name⟩" ||
		inv.ManagedPolicies[0].Default == nil || inv.ManagedPolicies[1].Default != nil {
		t.Errorf("managed policies = %+v", inv.ManagedPolicies)
	}
	u := inv.Users[0]
	if u.ARN != "arn:aws:iam:::user/alice" || len(u.InlinePolicies) != 1 || len(u.AttachedPolicies) != 1 {
		t.Errorf("user = %+v", u)
	}
	if diff := cmp.Diff([]string{"auditors", "ops"}, u.Groups); diff != "" {
		t.Errorf("user groups (-want +got):\n%s", diff)
	}
	g := inv.Groups[0]
	if g.ARN != "arn:aws:iam:::group/teams/ops" || len(g.InlinePolicies) != 1 || len(g.AttachedPolicies) != 1 {
		t.Errorf("group = %+v", g)
	}
}

func TestMapOIDCProvider(t *testing.T) {
	inv, diags := mapAll(
		res(t, "oidc.tf", "aws_iam_openid_connect_provider", "new", "url: https://oidc.eks.eu-west-1.amazonaws.com/id/ABC\nclient_id_list: [sts.amazonaws.com]\nthumbprint_list: ⟨aws_iam_openid_connect_provider.new.thumbprint_list⟩\n"),
		res(t, "oidc.tf", "aws_iam_openid_connect_provider", "old", "url: token.actions.githubusercontent.com\narn: arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\n"),
		res(t, "oidc.tf", "aws_iam_openid_connect_provider", "unknown", "url: ⟨aws_eks_cluster.x.identity[0].oidc[0].issuer⟩\n"),
	)
	want := []inventory.OIDCProvider{
		{ID: "arn:aws:iam:::oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC", ARN: "arn:aws:iam:::oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
			URL: "oidc.eks.eu-west-1.amazonaws.com/id/ABC", ClientIDs: []string{"sts.amazonaws.com"}, Source: at("oidc.tf", 1, 1)},
		{ID: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", ARN: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
			Account: "111122223333", URL: "token.actions.githubusercontent.com", Source: at("oidc.tf", 1, 1)},
	}
	var got []inventory.OIDCProvider
	for _, p := range inv.OIDCProviders {
		got = append(got, *p)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("providers (-want +got):\n%s", diff)
	}
	wantDiags := []string{
		"oidc.tf:3:18: aws_iam_openid_connect_provider.new: thumbprint_list is known only after apply; its thumbprints are not analysed [warning]",
		"oidc.tf:1:6: aws_iam_openid_connect_provider.unknown: url depends on aws_eks_cluster.x.identity[0].oidc[0].issuer, known only after apply; the OIDC provider is not analysed [warning]",
	}
	if diff := cmp.Diff(wantDiags, diagTexts(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestMapCluster(t *testing.T) {
	inv, diags := mapAll(
		res(t, "eks.tf", "aws_eks_cluster", "api", "name: prod\naccess_config:\n  - authentication_mode: API\n"),
		res(t, "eks.tf", "aws_eks_cluster", "legacy", "name: legacy\n"),
		res(t, "eks.tf", "aws_eks_cluster", "state", `name: dev
arn: arn:aws:eks:eu-west-1:111122223333:cluster/dev
identity:
  - oidc:
      - issuer: https://oidc.eks.eu-west-1.amazonaws.com/id/DEV
access_config:
  - authentication_mode: API_AND_CONFIG_MAP
`),
		res(t, "eks.tf", "aws_eks_cluster", "mode", "name: qa\naccess_config:\n  - authentication_mode: ⟨var.mode⟩\n"),
		res(t, "eks.tf", "aws_eks_cluster", "named", "name: ⟨var.cluster_name⟩\n"),
	)
	want := []inventory.Cluster{
		{ID: "eks:prod", Name: "prod", AuthenticationMode: "API", Source: at("eks.tf", 1, 1)},
		{ID: "eks:legacy", Name: "legacy", Source: at("eks.tf", 1, 1)},
		{ID: "eks:dev", Name: "dev", ARN: "arn:aws:eks:eu-west-1:111122223333:cluster/dev", Account: "111122223333", Region: "eu-west-1",
			Issuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/DEV", AuthenticationMode: "API_AND_CONFIG_MAP", Source: at("eks.tf", 1, 1)},
	}
	var got []inventory.Cluster
	for _, c := range inv.Clusters {
		got = append(got, *c)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
	wantDiags := []string{
		"eks.tf:3:26: aws_eks_cluster.mode: access_config[0].authentication_mode depends on var.mode, known only after apply; the cluster is not analysed [warning]",
		"eks.tf:1:7: aws_eks_cluster.named: name depends on var.cluster_name, known only after apply; the cluster is not analysed [warning]",
	}
	if diff := cmp.Diff(wantDiags, diagTexts(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestMapAccessEntries(t *testing.T) {
	const admin = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
	inv, diags := mapAll(
		// The association comes first and still joins its entry.
		res(t, "access.tf", "aws_eks_access_policy_association", "admin", `cluster_name: prod
principal_arn: arn:aws:iam:::role/platform-admin
policy_arn: `+admin+`
access_scope:
  - type: cluster
`),
		res(t, "access.tf", "aws_eks_access_policy_association", "view", `cluster_name: prod
principal_arn: arn:aws:iam:::role/platform-admin
policy_arn: arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy
access_scope:
  - type: namespace
    namespaces: [payments, orders]
`),
		res(t, "access.tf", "aws_eks_access_entry", "admin", "cluster_name: prod\nprincipal_arn: arn:aws:iam:::role/platform-admin\nkubernetes_groups: [ops]\n"),
		res(t, "access.tf", "aws_iam_role", "admin", "name: platform-admin\n"),
		// No entry in the configuration: recorded on an entry of its own.
		res(t, "access.tf", "aws_eks_access_policy_association", "ci", "cluster_name: prod\nprincipal_arn: arn:aws:iam::111122223333:role/ci\npolicy_arn: "+admin+"\naccess_scope:\n  - type: cluster\n"),
		res(t, "access.tf", "aws_eks_access_entry", "unknown", "cluster_name: prod\nprincipal_arn: ⟨module.sso.admin_role_arn⟩\n"),
		res(t, "access.tf", "aws_eks_access_entry", "groups", "cluster_name: prod\nprincipal_arn: arn:aws:iam::111122223333:role/dev\nkubernetes_groups: [⟨var.group⟩]\n"),
	)
	const entryID = "eks:prod/accessentry/arn:aws:iam:::role/platform-admin"
	want := []inventory.AccessEntry{
		{ID: entryID, Cluster: "prod", PrincipalARN: "arn:aws:iam:::role/platform-admin", KubernetesGroups: []string{"ops"}, Source: at("access.tf", 1, 1),
			Policies: []inventory.AccessPolicy{
				{ID: entryID + "/policy/" + admin, PolicyARN: admin, ScopeType: "cluster", Source: at("access.tf", 1, 1)},
				{ID: entryID + "/policy/arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
					ScopeType: "namespace", Namespaces: []string{"payments", "orders"}, Source: at("access.tf", 1, 1)},
			}},
		{ID: "eks:prod/accessentry/arn:aws:iam::111122223333:role/ci", Cluster: "prod", PrincipalARN: "arn:aws:iam::111122223333:role/ci", Source: at("access.tf", 1, 1),
			Policies: []inventory.AccessPolicy{{ID: "eks:prod/accessentry/arn:aws:iam::111122223333:role/ci/policy/" + admin, PolicyARN: admin, ScopeType: "cluster", Source: at("access.tf", 1, 1)}}},
	}
	var got []inventory.AccessEntry
	for _, e := range inv.AccessEntries {
		got = append(got, *e)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("access entries (-want +got):\n%s", diff)
	}
	wantDiags := []string{
		"access.tf:2:16: aws_eks_access_entry.unknown: principal_arn depends on module.sso.admin_role_arn, known only after apply; the access entry is not analysed [warning]",
		"access.tf:3:21: aws_eks_access_entry.groups: kubernetes_groups[0] depends on var.group, known only after apply; the access entry is not analysed [warning]",
	}
	if diff := cmp.Diff(wantDiags, diagTexts(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestMapPodIdentity(t *testing.T) {
	inv, diags := mapAll(
		res(t, "pi.tf", "aws_eks_pod_identity_association", "api", `cluster_name: prod
namespace: payments
service_account: api
role_arn: arn:aws:iam:::role/api
target_role_arn: arn:aws:iam::444455556666:role/reader
disable_session_tags: true
association_arn: ⟨aws_eks_pod_identity_association.api.association_arn⟩
`),
		res(t, "pi.tf", "aws_iam_role", "api", "name: api\n"),
		res(t, "pi.tf", "aws_eks_pod_identity_association", "later", "cluster_name: prod\nnamespace: batch\nservice_account: job\nrole_arn: ⟨module.jobs.role_arn⟩\n"),
		res(t, "pi.tf", "aws_eks_pod_identity_association", "nons", "cluster_name: prod\nservice_account: job\nrole_arn: arn:aws:iam:::role/api\n"),
	)
	want := []inventory.PodIdentityAssociation{{
		ID: "eks:prod/podidentity/payments/api", Cluster: "prod", Namespace: "payments", ServiceAccount: "api",
		RoleARN: "arn:aws:iam:::role/api", TargetRoleARN: "arn:aws:iam::444455556666:role/reader", DisableSessionTags: true, Source: at("pi.tf", 1, 1),
	}}
	var got []inventory.PodIdentityAssociation
	for _, p := range inv.PodIdentity {
		got = append(got, *p)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("associations (-want +got):\n%s", diff)
	}
	wantDiags := []string{
		"pi.tf:4:11: aws_eks_pod_identity_association.later: role_arn depends on module.jobs.role_arn, known only after apply; the Pod Identity association is not analysed [warning]",
		"pi.tf:1:1: aws_eks_pod_identity_association.nons has no namespace; the Pod Identity association is not analysed [warning]",
	}
	if diff := cmp.Diff(wantDiags, diagTexts(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestMapServiceAccount(t *testing.T) {
	sa := res(t, "k8s.tf", "kubernetes_service_account_v1", "api", `metadata:
  - name: api
    namespace: payments
    annotations:
      eks.amazonaws.com/role-arn: arn:aws:iam:::role/⟨aws_iam_role.api.name⟩
      eks.amazonaws.com/audience: ⟨var.audience⟩
      example.com/owner: payments
`)
	sa.Cluster = "prod"
	def := res(t, "k8s.tf", "kubernetes_service_account", "default_ns", "metadata:\n  - name: job\n")
	gen := res(t, "k8s.tf", "kubernetes_service_account", "generated", "metadata:\n  - generate_name: job-\n    name: ⟨kubernetes_service_account.generated.metadata[0].name⟩\n")
	role := res(t, "iam.tf", "aws_iam_role", "api", "name_prefix: api-\n")
	inv, diags := mapAll(sa, def, gen, role)
	const id = "k8s:prod/serviceaccount/payments/api"
	want := []inventory.ServiceAccount{
		{ID: id, Cluster: "prod", Namespace: "payments", Name: "api", Source: at("k8s.tf", 1, 1), Annotations: []inventory.Annotation{
			// A name left to Terraform is still the role's: the annotation names it exactly.
			{ID: id + "/annotation/eks.amazonaws.com/role-arn", Key: "eks.amazonaws.com/role-arn", Value: "arn:aws:iam:::role/⟨aws_iam_role.api.name⟩", Source: at("k8s.tf", 5, 7)},
			{ID: id + "/annotation/example.com/owner", Key: "example.com/owner", Value: "payments", Source: at("k8s.tf", 7, 7)},
		}},
		{ID: "k8s:_/serviceaccount/default/job", Namespace: "default", Name: "job", Source: at("k8s.tf", 1, 1)},
	}
	var got []inventory.ServiceAccount
	for _, s := range inv.ServiceAccounts {
		got = append(got, *s)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("service accounts (-want +got):\n%s", diff)
	}
	wantDiags := []string{
		`k8s.tf:6:35: kubernetes_service_account_v1.api: metadata[0].annotations["eks.amazonaws.com/audience"] depends on var.audience, known only after apply; the annotation is not analysed [warning]`,
		"k8s.tf:3:11: kubernetes_service_account.generated: metadata[0].name is known only after apply; the ServiceAccount is not analysed [warning]",
	}
	if diff := cmp.Diff(wantDiags, diagTexts(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestMapAWSAuth(t *testing.T) {
	// What yamlencode renders (keys sorted, strings quoted), as a plan holds it.
	const rendered = `"- \"groups\":\n  - \"system:masters\"\n  \"rolearn\": \"arn:aws:iam::111122223333:role/ops\"\n  \"username\": \"ops\"\n"`
	tests := []struct {
		name      string
		r         Resource
		wantRoles []string // ARN@line:col of each mapRoles entry
		wantUsers []string
		wantSecs  []string
		wantDiags []string
	}{
		{name: "kubernetes_config_map_v1_data with the rendered string",
			r:         res(t, "auth.tf", "kubernetes_config_map_v1_data", "aws_auth", "metadata:\n  - name: aws-auth\n    namespace: kube-system\nforce: true\ndata:\n  mapRoles: "+rendered+"\n"),
			wantRoles: []string{"arn:aws:iam::111122223333:role/ops@6:13"}, wantSecs: []string{"mapRoles"}},
		{name: "yamlencode kept structured: entries keep their own lines",
			r: res(t, "auth.tf", "kubernetes_config_map_v1_data", "aws_auth", `metadata:
  - name: aws-auth
    namespace: kube-system
data:
  mapRoles:
    - rolearn: arn:aws:iam:::role/node
      username: system:node:{{EC2PrivateDNSName}}
      groups: [system:bootstrappers, system:nodes]
    - rolearn: ⟨module.eks.admin_role_arn⟩
      username: admin
      groups: [system:masters]
    - rolearn: arn:aws:iam::111122223333:role/ops
      username: ops
      groups: system:masters
  mapAccounts: ["111122223333"]
`),
			wantRoles: []string{"arn:aws:iam:::role/node@6:7", "arn:aws:iam::111122223333:role/ops@12:7"}, wantSecs: []string{"mapRoles", "mapAccounts"},
			wantDiags: []string{
				"auth.tf:12:7: mapRoles entry 2: groups: expected a list of strings; the field is left empty and the entry is still used [warning]",
				"auth.tf:9:7: mapRoles entry 1 depends on module.eks.admin_role_arn, known only after deployment; it is not analysed [warning]",
			}},
		{name: "a section unknown until apply is left out, the others read",
			r: res(t, "auth.tf", "kubernetes_config_map", "aws_auth", "metadata:\n  - name: aws-auth\n    namespace: kube-system\ndata:\n  mapRoles: "+rendered+
				"\n  mapUsers: ⟨kubernetes_config_map.aws_auth.data.mapUsers⟩\n"),
			wantRoles: []string{"arn:aws:iam::111122223333:role/ops@5:13"}, wantSecs: []string{"mapRoles"},
			wantDiags: []string{"auth.tf:6:13: kubernetes_config_map.aws_auth: data.mapUsers is known only after apply; that section is not analysed [warning]"}},
		{name: "the provider's default namespace is not kube-system",
			r:         res(t, "auth.tf", "kubernetes_config_map_v1", "aws_auth", "metadata:\n  - name: aws-auth\ndata:\n  mapRoles: "+rendered+"\n"),
			wantDiags: []string{`auth.tf:1:1: kubernetes_config_map_v1.aws_auth: ConfigMap aws-auth in namespace "default" is ignored: aws-iam-authenticator reads only kube-system/aws-auth [warning]`}},
		{name: "other ConfigMaps are not read",
			r: res(t, "auth.tf", "kubernetes_config_map_v1", "other", "metadata:\n  - name: settings\n    namespace: kube-system\ndata:\n  mapRoles: "+rendered+"\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.Cluster = "prod"
			inv, diags := mapAll(tt.r)
			if diff := cmp.Diff(tt.wantDiags, diagTexts(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if tt.wantSecs == nil {
				if len(inv.AWSAuth) != 0 {
					t.Errorf("aws-auth read: %+v", inv.AWSAuth[0])
				}
				return
			}
			if len(inv.AWSAuth) != 1 {
				t.Fatalf("want one aws-auth, got %d", len(inv.AWSAuth))
			}
			a := inv.AWSAuth[0]
			if a.ID != "awsauth:prod" || a.Cluster != "prod" || a.Source != at("auth.tf", 1, 1) {
				t.Errorf("aws-auth %s %q %v", a.ID, a.Cluster, a.Source)
			}
			var secs, roles, users []string
			for _, s := range a.Sections {
				secs = append(secs, s.Name)
			}
			for _, e := range a.MapRoles {
				roles = append(roles, e.ARN+"@"+strings.TrimPrefix(e.Source.String(), "auth.tf:"))
			}
			for _, e := range a.MapUsers {
				users = append(users, e.ARN+"@"+strings.TrimPrefix(e.Source.String(), "auth.tf:"))
			}
			if diff := cmp.Diff(tt.wantSecs, secs); diff != "" {
				t.Errorf("sections (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantRoles, roles); diff != "" {
				t.Errorf("mapRoles (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantUsers, users); diff != "" {
				t.Errorf("mapUsers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMapSkipsDataSourcesAndOtherTypes(t *testing.T) {
	d := res(t, "main.tf", "aws_iam_role", "existing", "name: existing\nassume_role_policy: '{}'\n")
	d.Mode, d.Address = "data", "data.aws_iam_role.existing"
	inv, diags := mapAll(d, res(t, "main.tf", "aws_s3_bucket", "b", "bucket: b\n"))
	if len(inv.Roles) != 0 || len(diags) != 0 {
		t.Errorf("roles %d, diagnostics %v", len(inv.Roles), diagTexts(diags))
	}
}

func TestMapReportsWrongTypes(t *testing.T) {
	_, diags := mapAll(
		res(t, "main.tf", "aws_eks_access_entry", "x", "cluster_name: [prod]\nprincipal_arn: arn:aws:iam::111122223333:role/x\n"),
		res(t, "main.tf", "aws_eks_pod_identity_association", "y", "cluster_name: prod\nnamespace: a\nservice_account: b\nrole_arn: arn:aws:iam::111122223333:role/x\ndisable_session_tags: maybe\n"),
	)
	want := []string{
		"main.tf:1:15: aws_eks_access_entry.x: cluster_name must be a string, not a list [error]",
		`main.tf:5:23: aws_eks_pod_identity_association.y: disable_session_tags must be true or false, not "maybe" [error]`,
	}
	if diff := cmp.Diff(want, diagTexts(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}
