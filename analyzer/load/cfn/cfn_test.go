package cfn

import (
	"fmt"
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

func loadBytes(t testing.TB, name string, data []byte) (*inventory.Inventory, []bool, []result.Diagnostic) {
	t.Helper()
	docs, err := docnode.Parse(name, data)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	inv := &inventory.Inventory{}
	var rec []bool
	var diags []result.Diagnostic
	for _, d := range docs {
		ok, ds := Load(d, inv)
		rec = append(rec, ok)
		diags = append(diags, ds...)
	}
	return inv, rec, diags
}

func loadFile(t *testing.T, name string) (*inventory.Inventory, []result.Diagnostic) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	inv, rec, diags := loadBytes(t, name, data)
	if len(rec) != 1 || !rec[0] {
		t.Fatalf("%s: recognized %v, want [true]", name, rec)
	}
	return inv, diags
}

func TestRecognize(t *testing.T) {
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"a template with AWSTemplateFormatVersion", "AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: nothing yet\n", true},
		{"Resources of AWS types without a version", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n", true},
		{"a custom resource", "Resources:\n  Thing:\n    Type: Custom::Thing\n    Properties: {ServiceToken: arn}\n", true},
		{"a JSON template", `{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}}`, true},
		{"Helm values with a resources block", "Resources:\n  limits: {cpu: 100m}\n  requests: {cpu: 50m}\n", false},
		{"Resources naming only third-party types", "Resources:\n  C:\n    Type: MongoDB::Atlas::Cluster\n", false},
		{"a Kubernetes object", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api}\n", false},
		{"an eksctl ClusterConfig", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: prod}\n", false},
		{"a trust policy", `{"Version": "2012-10-17", "Statement": []}`, false},
		{"a list", "- a\n- b\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rec, diags := loadBytes(t, "t.yaml", []byte(tt.text))
			if len(rec) != 1 || rec[0] != tt.want {
				t.Errorf("recognized %v, want %v", rec, tt.want)
			}
			if !tt.want && len(diags) > 0 {
				t.Errorf("diagnostics for a document not recognised: %v", diags)
			}
		})
	}
}

// statements summarises a policy's statements and conditions with their positions.
func statements(p *iampolicy.Policy) []string {
	if p == nil {
		return nil
	}
	var out []string
	at := func(pos iampolicy.Pos) string { return fmt.Sprintf("@%d:%d", pos.Line, pos.Column) }
	for _, s := range p.Statements {
		line := fmt.Sprintf("%d %s%s", s.Index, s.Effect, at(s.Pos))
		if s.Principal != nil {
			for _, v := range s.Principal.Federated {
				line += " Federated=" + v.Text + at(v.Pos)
			}
			for _, v := range s.Principal.Service {
				line += " Service=" + v.Text + at(v.Pos)
			}
		}
		for _, a := range s.Actions {
			line += " " + a.Text
		}
		out = append(out, line)
		for _, c := range s.Conditions {
			var vals []string
			for _, v := range c.Values {
				vals = append(vals, v.Text+at(v.Pos))
			}
			out = append(out, fmt.Sprintf("  %s %s%s = %s", c.Operator, c.Key, at(c.KeyPos), strings.Join(vals, ", ")))
		}
	}
	for _, is := range p.Indeterminate {
		out = append(out, fmt.Sprintf("%d indeterminate%s on %s", is.Index, at(is.Pos), strings.Join(is.Unknowns, ", ")))
	}
	for _, is := range p.Issues {
		out = append(out, fmt.Sprintf("issue %s%s", is.Code, at(is.Pos)))
	}
	return out
}

// roleView is what the loader tests compare of a role.
type roleView struct {
	ARN, Name, Path     string
	Source              string
	Trust               []string
	Inline              map[string][]string
	Attached            []string
	PermissionsBoundary string
	Tags                map[string]string
}

func roles(inv *inventory.Inventory) []roleView {
	var out []roleView
	for _, r := range inv.Roles {
		v := roleView{ARN: r.ARN, Name: r.Name, Path: r.Path, Source: r.Source.String(), Trust: statements(r.Trust),
			Attached: r.AttachedPolicies, PermissionsBoundary: r.PermissionsBoundary, Tags: r.Tags}
		if r.ID != inventory.RoleID(r.ARN) {
			v.ARN += " (ID " + r.ID + ")"
		}
		for _, p := range r.InlinePolicies {
			if v.Inline == nil {
				v.Inline = map[string][]string{}
			}
			v.Inline[p.Name+" at "+p.Source.String()] = statements(p.Document)
		}
		out = append(out, v)
	}
	return out
}

// messages lists diagnostics by position.
func messages(diags []result.Diagnostic) []string {
	diags = append([]result.Diagnostic(nil), diags...)
	sort.SliceStable(diags, func(i, j int) bool {
		if diags[i].Line != diags[j].Line {
			return diags[i].Line < diags[j].Line
		}
		return diags[i].Column < diags[j].Column
	})
	var out []string
	for _, d := range diags {
		out = append(out, fmt.Sprintf("%s %d:%d %s", d.Severity, d.Line, d.Column, d.Message))
	}
	return out
}

func TestLoadYAML(t *testing.T) {
	inv, diags := loadFile(t, "workloads.yaml")
	const (
		issuer   = "oidc.eks.us-east-1.amazonaws.com/id/5C4E2B7A8D1F6E3A9B0C2D4E6F8A1B3C"
		provider = "arn:aws:iam::111122223333:oidc-provider/" + issuer
		ledger   = "arn:aws:iam:::role/workloads/prod-ledger"
	)
	acct := iampolicy.Unknown("!Ref AWS::AccountId")
	wantRoles := []roleView{
		{
			// A JSON trust policy built with !Sub in a literal block: every element is located
			// on its own line of the block, the substituted key where its ${ is.
			ARN: "arn:aws:iam:::role/payments-api", Name: "payments-api", Path: "/", Source: "workloads.yaml:35:3",
			Trust: []string{
				"0 Allow@42:25 Federated=" + provider + "@44:40 sts:AssumeRoleWithWebIdentity",
				"  StringEquals " + issuer + ":sub@47:15 = system:serviceaccount:payments:api@47:36",
				"  StringEquals " + issuer + ":aud@48:15 = sts.amazonaws.com@48:36",
			},
		},
		{
			// A YAML trust policy keeps the template's positions; a !Ref value is at the !Ref.
			ARN: ledger, Name: "prod-ledger", Path: "/workloads/", Source: "workloads.yaml:53:3",
			Trust: []string{
				"0 Allow@61:13 Service=pods.eks.amazonaws.com@63:24 sts:AssumeRole sts:TagSession",
				"  StringEquals aws:RequestTag/eks-cluster-name@67:17 = prod@67:50",
				"  StringEquals aws:RequestTag/kubernetes-namespace@68:17 = ledger@68:54",
			},
			Inline: map[string][]string{
				// A statement with an unknown (the account in the Resource ARN) is set aside.
				"read-ledger at workloads.yaml:70:11":  {"0 indeterminate@74:17 on !Ref AWS::AccountId"},
				"ledger-extra at workloads.yaml:102:3": {"0 Allow@110:13 sqs:SendMessage"},
				// AWS::IAM::RolePolicy names the role by !Ref.
				"ledger-inline at workloads.yaml:164:3": {"0 Allow@172:13 kms:Decrypt"},
			},
			Attached: []string{
				"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
				iampolicy.Unknown(`!If [IsProduction, !Sub "arn:${AWS::Partition}:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess", !Ref AWS::NoValue]`),
				"arn:aws:iam:::policy/audit-read",
			},
			PermissionsBoundary: "arn:aws:iam::" + acct + ":policy/boundary",
			Tags:                map[string]string{"team": "ledger"},
		},
		{
			// No RoleName: the generated name is unknown; the trust is an !ImportValue.
			ARN: "arn:aws:iam:::role/" + iampolicy.Unknown("!Ref SharedRole"), Name: iampolicy.Unknown("!Ref SharedRole"), Path: "/",
			Source: "workloads.yaml:85:3", Attached: []string{"arn:aws:iam:::policy/audit-read"},
		},
		{
			// Condition IsProduction is not decidable: the role is analysed.
			ARN: "arn:aws:iam:::role/prod-only", Name: "prod-only", Path: "/", Source: "workloads.yaml:121:3",
			Trust: []string{"0 Allow@129:13 Service=ec2.amazonaws.com@130:34 sts:AssumeRole"},
		},
	}
	if diff := cmp.Diff(wantRoles, roles(inv)); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}

	if len(inv.ManagedPolicies) != 1 {
		t.Fatalf("managed policies: %d, want 1", len(inv.ManagedPolicies))
	}
	mp := inv.ManagedPolicies[0]
	if got := fmt.Sprint(mp.ID, " ", mp.Name, " ", mp.Source.String(), " ", statements(mp.Default)); got !=
		"arn:aws:iam:::policy/audit-read audit-read workloads.yaml:90:3 [0 Allow@98:13 cloudtrail:LookupEvents]" {
		t.Errorf("managed policy: %s", got)
	}

	wantProviders := []inventory.OIDCProvider{{
		ID: "arn:aws:iam:::oidc-provider/" + issuer, ARN: "arn:aws:iam:::oidc-provider/" + issuer, URL: issuer,
		ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"},
		Source: inventory.At("workloads.yaml", 26, 3),
	}}
	sandbox := iampolicy.Unknown("!Ref SandboxCluster") // no Name: generated at deployment
	wantClusters := []inventory.Cluster{
		{ID: "eks:prod", Name: "prod", AuthenticationMode: "API_AND_CONFIG_MAP", Source: inventory.At("workloads.yaml", 133, 3)},
		{ID: "eks:" + sandbox, Name: sandbox, Source: inventory.At("workloads.yaml", 176, 3)},
	}
	entryID := "eks:prod/accessentry/arn:aws:iam::111122223333:role/ci-deployer"
	wantEntries := []inventory.AccessEntry{{
		ID: entryID, Cluster: "prod", PrincipalARN: "arn:aws:iam::111122223333:role/ci-deployer",
		KubernetesGroups: []string{"deployers"},
		Policies: []inventory.AccessPolicy{{
			ID:        entryID + "/policy/arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
			PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", ScopeType: "namespace",
			Namespaces: []string{"payments", "ledger"}, Source: inventory.At("workloads.yaml", 150, 11),
		}},
		Source: inventory.At("workloads.yaml", 143, 3),
	}, {
		// Entries whose cluster or principal is unknown keep the markers (and are warned about).
		ID:      "eks:" + sandbox + "/accessentry/" + iampolicy.Unknown("!ImportValue shared-admin-role-arn"),
		Cluster: sandbox, PrincipalARN: iampolicy.Unknown("!ImportValue shared-admin-role-arn"), Type: "STANDARD",
		Policies: []inventory.AccessPolicy{}, Source: inventory.At("workloads.yaml", 183, 3),
	}}
	wantPods := []inventory.PodIdentityAssociation{{
		ID: "eks:prod/podidentity/ledger/ledger", Cluster: "prod", Namespace: "ledger", ServiceAccount: "ledger",
		RoleARN: ledger, Source: inventory.At("workloads.yaml", 155, 3), // the role's own ARN: they link
	}}
	compare(t, "providers", wantProviders, inv.OIDCProviders)
	compare(t, "clusters", wantClusters, inv.Clusters)
	compare(t, "access entries", wantEntries, inv.AccessEntries)
	compare(t, "pod identity", wantPods, inv.PodIdentity)

	wantDiags := []string{
		"warning 79:11 AWS::IAM::Role LedgerRole: a ManagedPolicyArns item is !If [IsProduction, !Sub \"arn:${AWS::Partition}:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess\", !Ref AWS::NoValue], known only after deployment: the permissions it grants are not analysed",
		"warning 88:33 AWS::IAM::Role SharedRole: AssumeRolePolicyDocument is !ImportValue shared-trust-policy, known only after deployment: the trust policy is not evaluated",
		"warning 106:14 AWS::IAM::Policy LedgerExtra: role some-other-stack-role is not declared in this template: the policy is not recorded on it",
		"warning 123:16 AWS::IAM::Role ProdOnlyRole is created only when condition IsProduction holds, which depends on values known only after deployment; it is analysed as if created",
		"warning 176:3 AWS::EKS::Cluster SandboxCluster: the cluster's name is !Ref SandboxCluster, known only after deployment: what names the cluster otherwise is not matched to it",
		"warning 186:20 AWS::EKS::AccessEntry SharedAccess: ClusterName is !Ref SandboxCluster, known only after deployment: the entry is not matched to a loaded cluster",
		"warning 187:21 AWS::EKS::AccessEntry SharedAccess: PrincipalArn is !ImportValue shared-admin-role-arn, known only after deployment: the entry is not matched to a loaded principal",
	}
	if diff := cmp.Diff(wantDiags, messages(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

// compare diffs elements of the inventory by value.
func compare[T any](t *testing.T, what string, want []T, got []*T) {
	t.Helper()
	var g []T
	for _, x := range got {
		g = append(g, *x)
	}
	if diff := cmp.Diff(want, g); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

func TestLoadJSON(t *testing.T) {
	inv, diags := loadFile(t, "workloads.json")
	const issuer = "oidc.eks.us-east-1.amazonaws.com/id/5C4E2B7A8D1F6E3A9B0C2D4E6F8A1B3C"
	wantRoles := []roleView{
		{
			ARN: "arn:aws:iam:::role/api", Name: "api", Path: "/", Source: "workloads.json:15:5",
			Trust: []string{
				"0 Allow@22:13 Federated=arn:aws:iam::111122223333:oidc-provider/" + issuer + "@24:42 sts:AssumeRoleWithWebIdentity",
				"  StringLike " + issuer + ":sub@26:44 = system:serviceaccount:*:api@26:120",
			},
		},
		{
			// A policy in a JSON string with escapes cannot be located character by character:
			// every element is at the string.
			ARN: "arn:aws:iam:::role/text", Name: "text", Path: "/", Source: "workloads.json:32:5",
			Trust: []string{"0 Allow@36:37 Service=ec2.amazonaws.com@36:37 sts:AssumeRole"},
		},
	}
	if diff := cmp.Diff(wantRoles, roles(inv)); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	entryID := "eks:prod/accessentry/arn:aws:iam:::role/api"
	admin := "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
	compare(t, "access entries", []inventory.AccessEntry{{
		ID: entryID, Cluster: "prod", PrincipalARN: "arn:aws:iam:::role/api", Type: "STANDARD", Username: "api",
		Policies: []inventory.AccessPolicy{{ID: entryID + "/policy/" + admin, PolicyARN: admin, ScopeType: "cluster", Source: inventory.At("workloads.json", 47, 11)}},
		Source:   inventory.At("workloads.json", 39, 5),
	}}, inv.AccessEntries)
	compare(t, "pod identity", []inventory.PodIdentityAssociation{{
		ID: "eks:prod/podidentity/payments/api", Cluster: "prod", Namespace: "payments", ServiceAccount: "api",
		RoleARN: "arn:aws:iam:::role/api", TargetRoleARN: iampolicy.Unknown("!ImportValue data-reader-role-arn"),
		DisableSessionTags: true, Source: inventory.At("workloads.json", 54, 5),
	}}, inv.PodIdentity)
	compare(t, "providers", []inventory.OIDCProvider{{
		ID: "arn:aws:iam:::oidc-provider/" + issuer, ARN: "arn:aws:iam:::oidc-provider/" + issuer, URL: issuer,
		ClientIDs: []string{}, Thumbprints: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}, Source: inventory.At("workloads.json", 8, 5),
	}}, inv.OIDCProviders)
	wantDiags := []string{
		"warning 61:26 AWS::EKS::PodIdentityAssociation ApiPodIdentity: TargetRoleArn is !ImportValue data-reader-role-arn, known only after deployment: the association is not matched to a loaded target role",
	}
	if diff := cmp.Diff(wantDiags, messages(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestBrokenTemplate(t *testing.T) {
	inv, diags := loadFile(t, "broken.yaml")
	want := []string{
		"warning 2:12 the template's transform AWS::Serverless-2016-10-31 is not applied: resources it adds or changes are not analysed",
		"error 4:3 resource NoType has no Type (expected e.g. Type: AWS::IAM::Role)",
		"error 6:3 AWS::IAM::Role NoTrust has no AssumeRolePolicyDocument (required)",
		"error 10:3 AWS::IAM::Role BadProperties has no AssumeRolePolicyDocument (required)",
		"error 12:17 AWS::IAM::Role BadProperties: Properties must be a mapping",
		"error 16:17 !Select expects [INDEX, [VALUE, …]] with an integer index",
		"warning 18:20 AWS::IAM::Role BadSelect: Statement of AssumeRolePolicyDocument is !If [Missing, [], []], known only after deployment: the trust policy is not evaluated",
		"error 18:25 no condition named Missing in the Conditions section",
		"error 19:3 AWS::EKS::AccessEntry HalfEntry has no PrincipalArn (required)",
		"error 26:17 AWS::IAM::Role Loop: RoleName refers to itself",
		"warning 28:3 Fn::ForEach::Roles is not expanded: the resources it generates are not analysed",
	}
	if diff := cmp.Diff(want, messages(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	// The good parts are kept: every role is recorded, without a trust where it is missing.
	var names []string
	for _, r := range inv.Roles {
		names = append(names, r.Name)
	}
	wantNames := []string{"no-trust", iampolicy.Unknown("!Ref BadProperties"), iampolicy.Unknown("!Select [one, [a, b]]"),
		"arn:aws:iam:::role/" + iampolicy.Unknown(`!Sub "${Loop.Arn}-x"`) + "-x"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
}

func TestRealWorldTemplate(t *testing.T) {
	// aws-actions/configure-aws-credentials' federation example: the provider is created
	// (UseExistingProvider defaults to "no"), the subject depends on GitHubOrganization, which
	// has no default, and the role name is a parameter without default.
	const rel = "trust-github-oidc/configure-aws-credentials-cfn-federation-and-role.yml"
	data, err := os.ReadFile(corpus.File(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	inv, rec, diags := loadBytes(t, rel, data)
	if len(rec) != 1 || !rec[0] || len(diags) != 0 {
		t.Fatalf("recognized %v, diagnostics %v", rec, diags)
	}
	name := iampolicy.Unknown("!Ref RoleName")
	want := []roleView{{
		ARN: "arn:aws:iam:::role/" + name, Name: name, Path: "/", Source: rel + ":53:3",
		Trust:    []string{"0 indeterminate@59:13 on !Ref GitHubOrganization"},
		Attached: []string{"arn:aws:iam::aws:policy/AdministratorAccess"},
	}}
	if diff := cmp.Diff(want, roles(inv)); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if len(inv.OIDCProviders) != 1 || inv.OIDCProviders[0].ARN != "arn:aws:iam:::oidc-provider/token.actions.githubusercontent.com" {
		t.Errorf("providers: %+v", inv.OIDCProviders)
	}
}

func TestCorpusNeverPanics(t *testing.T) {
	// Every real-world input either is not a template or yields positioned diagnostics.
	for _, ext := range []string{".json", ".yaml", ".yml"} {
		for _, rel := range corpus.Files(t, ext) {
			data, err := os.ReadFile(corpus.File(t, rel))
			if err != nil {
				t.Fatal(err)
			}
			docs, err := docnode.Parse(rel, data)
			if err != nil {
				continue
			}
			inv := &inventory.Inventory{}
			for _, d := range docs {
				_, diags := Load(d, inv)
				for _, dg := range diags {
					if dg.Line <= 0 {
						t.Errorf("%s: unpositioned diagnostic %v", rel, dg)
					}
				}
			}
		}
	}
}

func FuzzLoad(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if data, err := os.ReadFile(filepath.Join("testdata", e.Name())); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(yamlHeader + "!Sub [\"${A}${A}\", {A: !Join [\"\", [!Ref Env, !GetAtt Role.Arn]]}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := docnode.Parse("fuzz.yaml", data)
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

func TestAliasExpansionIsBounded(t *testing.T) {
	// Ten levels of ten aliases would be 10^10 values: evaluation stops and says so.
	var b strings.Builder
	b.WriteString("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n      Tags:\n")
	b.WriteString("        - &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "        - &l%d [%s]\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	_, _, diags := loadBytes(t, "bomb.yaml", []byte(b.String()))
	found := false
	for _, d := range diags {
		found = found || strings.Contains(d.Message, "the template expands to more than")
	}
	if !found {
		t.Errorf("diagnostics %v, want the expansion limit reported", diags)
	}
}
