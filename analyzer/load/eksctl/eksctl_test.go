package eksctl

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/corpus"
)

const file = "cluster.yaml"

// load runs Load on every document of src.
func load(t *testing.T, name, src string) (*inventory.Inventory, []bool, []result.Diagnostic) {
	t.Helper()
	docs, err := docnode.Parse(name, []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
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

// diag is a compact diagnostic: severity, position and a fragment of the message.
type diag struct {
	Sev       string
	Line, Col int
	Has       string
}

// checkDiags matches diagnostics one to one, in order, each message containing Has.
func checkDiags(t *testing.T, got []result.Diagnostic, want []diag) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("diagnostics = %v, want %d: %+v", got, len(want), want)
	}
	for i, w := range want {
		g := got[i]
		if g.Severity != w.Sev || g.Line != w.Line || g.Column != w.Col || !strings.Contains(g.Message, w.Has) || g.File == "" {
			t.Errorf("diagnostic %d = %v, want %+v", i, g, w)
		}
	}
}

func at(line, col int) inventory.Source { return inventory.At(file, line, col) }

func TestLoadRecognisesClusterConfigOnly(t *testing.T) {
	tests := []struct {
		name, src string
		want      bool
		diags     []diag
	}{
		{"a ClusterConfig", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c}\n", true, nil},
		{"a Kubernetes object", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", false, nil},
		{"another eksctl.io kind", "apiVersion: eksctl.io/v1alpha5\nkind: NodeGroup\n", false, nil},
		{"ClusterConfig of another API group", "apiVersion: example.com/v1\nkind: ClusterConfig\n", false, nil},
		{"a list", "- apiVersion: eksctl.io/v1alpha5\n", false, nil},
		{"an old eksctl API version", "apiVersion: eksctl.io/v1alpha4\nkind: ClusterConfig\nmetadata: {name: c}\n", true,
			[]diag{{"error", 1, 13, "expected eksctl.io/v1alpha5"}}},
		{"no cluster name", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  region: us-east-1\n", true,
			[]diag{{"error", 4, 3, "needs metadata.name"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, rec, diags := load(t, file, tt.src)
			if len(rec) != 1 || rec[0] != tt.want {
				t.Errorf("recognised = %v, want %v", rec, tt.want)
			}
			checkDiags(t, diags, tt.diags)
			if !tt.want && len(inv.Clusters)+len(inv.Roles) > 0 {
				t.Errorf("an unrecognised document added %v", inv)
			}
		})
	}
}

func TestLoadCluster(t *testing.T) {
	tests := []struct {
		name, src string
		want      inventory.Cluster
		diags     []diag
	}{
		{
			// eksctl creates clusters in API_AND_CONFIG_MAP mode by default.
			"no accessConfig: eksctl's default mode",
			"apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: prod\n  region: eu-west-1\n",
			inventory.Cluster{ID: "eks:prod", Name: "prod", Region: "eu-west-1", AuthenticationMode: "API_AND_CONFIG_MAP", Source: at(4, 3)}, nil,
		},
		{
			"authenticationMode given: the cluster points at it",
			"apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: prod\naccessConfig:\n  authenticationMode: CONFIG_MAP\n",
			inventory.Cluster{ID: "eks:prod", Name: "prod", AuthenticationMode: "CONFIG_MAP", Source: at(6, 23)}, nil,
		},
		{
			"an authenticationMode EKS does not have",
			"apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: prod\naccessConfig:\n  authenticationMode: CONFIGMAP\n",
			inventory.Cluster{ID: "eks:prod", Name: "prod", Source: at(4, 3)},
			[]diag{{"error", 6, 23, `"CONFIGMAP" is not an authentication mode`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, _, diags := load(t, file, tt.src)
			checkDiags(t, diags, tt.diags)
			if len(inv.Clusters) != 1 {
				t.Fatalf("clusters = %v", inv.Clusters)
			}
			if d := cmp.Diff(tt.want, *inv.Clusters[0]); d != "" {
				t.Errorf("cluster (-want +got):\n%s", d)
			}
		})
	}
}

const serviceAccountsSrc = `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: prod
  region: us-west-2
iam:
  withOIDC: true
  serviceAccounts:
  - metadata:
      name: reader
      namespace: backend
      annotations:
        team: data
        eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/overridden
    attachPolicyARNs: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    permissionsBoundary: arn:aws:iam::111122223333:policy/boundary
    tags: {owner: data}
  - metadata:
      name: cluster-autoscaler
      namespace: kube-system
    roleName: prod-autoscaler
    wellKnownPolicies:
      autoScaler: true
      imageBuilder: yes
      externalDNS: false
    attachPolicy:
      Version: "2012-10-17"
      Statement:
      - Effect: Allow
        Action: s3:GetObject
        Resource: arn:aws:s3:::bucket/${aws:username}/*
  - metadata:
      name: app
    attachRoleARN: arn:aws:iam::111122223333:role/existing
  - metadata:
      name: karpenter
      namespace: karpenter
    roleOnly: true
`

func TestServiceAccounts(t *testing.T) {
	inv, _, diags := load(t, file, serviceAccountsSrc)
	checkDiags(t, diags, nil)

	type role struct {
		ARN, Name        string
		Attached         []string
		Inline           []string
		Boundary         string
		Tags             map[string]string
		Source, TrustPos inventory.Source
	}
	var gotRoles []role
	for _, r := range inv.Roles {
		g := role{ARN: r.ARN, Name: r.Name, Attached: r.AttachedPolicies, Boundary: r.PermissionsBoundary, Tags: r.Tags, Source: r.Source}
		for _, p := range r.InlinePolicies {
			g.Inline = append(g.Inline, p.Name+"@"+p.Source.String())
		}
		if r.Trust != nil {
			g.TrustPos = inventory.At(r.Trust.File, r.Trust.Pos.Line, r.Trust.Pos.Column)
		}
		gotRoles = append(gotRoles, g)
	}
	generated := "arn:aws:iam:::role/" + iampolicy.Unknown("eksctl role of cluster prod for ServiceAccount backend:reader")
	wantRoles := []role{
		{ARN: generated, Name: iampolicy.Unknown("eksctl role of cluster prod for ServiceAccount backend:reader"),
			Attached: []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}, Boundary: "arn:aws:iam::111122223333:policy/boundary",
			Tags: map[string]string{"owner": "data"}, Source: at(9, 5), TrustPos: at(9, 5)},
		{ARN: "arn:aws:iam:::role/prod-autoscaler", Name: "prod-autoscaler",
			Attached: []string{"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"},
			Inline:   []string{"Policy1@cluster.yaml:26:5", "PolicyAutoScaling@cluster.yaml:23:7"},
			Source:   at(18, 5), TrustPos: at(18, 5)},
		// roleOnly: the role is created, the ServiceAccount is not.
		{ARN: "arn:aws:iam:::role/" + iampolicy.Unknown("eksctl role of cluster prod for ServiceAccount karpenter:karpenter"),
			Name:   iampolicy.Unknown("eksctl role of cluster prod for ServiceAccount karpenter:karpenter"),
			Source: at(35, 5), TrustPos: at(35, 5)},
	}
	if d := cmp.Diff(wantRoles, gotRoles); d != "" {
		t.Errorf("roles (-want +got):\n%s", d)
	}

	// The trust is eksctl's: exactly that ServiceAccount, audience sts.amazonaws.com, from the
	// cluster's provider (its stand-in host).
	host := "oidc.eks.us-west-2.amazonaws.com/id/EKSCTL-prod"
	trust := inv.Roles[0].Trust
	if len(trust.Issues) != 0 || len(trust.Indeterminate) != 0 || len(trust.Statements) != 1 {
		t.Fatalf("trust issues %v, indeterminate %v, statements %d", trust.Issues, trust.Indeterminate, len(trust.Statements))
	}
	for _, tc := range []struct {
		sub, aud string
		want     iampolicy.Decision
	}{
		{"system:serviceaccount:backend:reader", "sts.amazonaws.com", iampolicy.Allow},
		{"system:serviceaccount:backend:writer", "sts.amazonaws.com", iampolicy.NotApplicable},
		{"system:serviceaccount:default:reader", "sts.amazonaws.com", iampolicy.NotApplicable},
		{"system:serviceaccount:backend:reader", "vault", iampolicy.NotApplicable},
	} {
		ev := iampolicy.EvaluateTrust(trust, inv.Roles[0].ARN, iampolicy.Request{
			Caller:  iampolicy.Caller{Kind: iampolicy.CallerWebIdentity, Provider: "arn:aws:iam:::oidc-provider/" + host},
			Action:  iampolicy.ActionAssumeRoleWithWebIdentity,
			Context: iampolicy.Context{Values: map[string][]string{host + ":sub": {tc.sub}, host + ":aud": {tc.aud}}},
		})
		if ev.Decision != tc.want {
			t.Errorf("sub %s aud %s: %v (%s), want %v", tc.sub, tc.aud, ev.Decision, ev.Reason, tc.want)
		}
	}
	// The sub condition points at the ServiceAccount's name (findings on a condition point at
	// its key).
	for _, c := range trust.Statements[0].Conditions {
		want := iampolicy.Pos{Line: 9, Column: 5}
		if strings.HasSuffix(c.Key, ":sub") {
			want = iampolicy.Pos{Line: 10, Column: 13}
		}
		if c.KeyPos != want || c.Values[0].Pos != want {
			t.Errorf("condition %s at %+v (value %+v), want %+v", c.Key, c.KeyPos, c.Values[0].Pos, want)
		}
	}
	// The inline policy keeps IAM's own variables and its positions.
	doc := inv.Roles[1].InlinePolicies[0].Document
	if doc == nil || len(doc.Statements) != 1 || doc.Statements[0].Resources[0].Text != "arn:aws:s3:::bucket/${aws:username}/*" ||
		doc.Statements[0].Pos.Line != 29 {
		t.Errorf("inline policy = %+v", doc)
	}

	type sa struct {
		ID          string
		Source      inventory.Source
		Annotations []inventory.Annotation
	}
	var gotSAs []sa
	for _, s := range inv.ServiceAccounts {
		gotSAs = append(gotSAs, sa{s.ID, s.Source, s.Annotations})
	}
	ann := func(saID, key, value string, src inventory.Source) inventory.Annotation {
		return inventory.Annotation{ID: inventory.AnnotationID(saID, key), Key: key, Value: value, Source: src}
	}
	const reader, autoscaler, app = "k8s:prod/serviceaccount/backend/reader", "k8s:prod/serviceaccount/kube-system/cluster-autoscaler", "k8s:prod/serviceaccount/default/app"
	wantSAs := []sa{
		// eksctl sets the role-arn annotation to its role, whatever the metadata said.
		{reader, at(9, 5), []inventory.Annotation{ann(reader, "team", "data", at(13, 9)), ann(reader, annotationRoleARN, generated, at(9, 5))}},
		{autoscaler, at(18, 5), []inventory.Annotation{ann(autoscaler, annotationRoleARN, "arn:aws:iam:::role/prod-autoscaler", at(18, 5))}},
		// attachRoleARN: no role created; the annotation points at the ARN.
		{app, at(32, 5), []inventory.Annotation{ann(app, annotationRoleARN, "arn:aws:iam::111122223333:role/existing", at(34, 20))}},
	}
	if d := cmp.Diff(wantSAs, gotSAs); d != "" {
		t.Errorf("service accounts (-want +got):\n%s", d)
	}
}

// TestCorpus loads each real-world ClusterConfig and pins what it yields. Only the file that
// eksctl itself refuses has errors.
func TestCorpus(t *testing.T) {
	type counts struct {
		Roles, ServiceAccounts, Mappings, Associations, AccessEntries, AccessPolicies, NodeGroups, AddonPolicies int
		Errors, Warnings                                                                                         int
	}
	tests := []struct {
		file string
		want counts
	}{
		{"10hin-ebs-csi-irsa-fargate.yaml", counts{Roles: 1, ServiceAccounts: 1, NodeGroups: 3}},
		// roleOnly: the role, no ServiceAccount; a template (${CLUSTER_NAME}, …).
		{"choisungwook-karpenter-irsa-roleonly-identitymapping.yaml", counts{Roles: 1, Mappings: 1, NodeGroups: 1, Warnings: 1}},
		// Ten roles; some-app's attachRoleARN names an existing role.
		{"eksctl-example-13-iamserviceaccounts.yaml", counts{Roles: 10, ServiceAccounts: 11, NodeGroups: 1}},
		{"eksctl-example-17-permissions-boundary.yaml", counts{Roles: 1, ServiceAccounts: 1, NodeGroups: 1}},
		// A role, a user, emr-containers' service-linked role and an account.
		{"eksctl-example-35-iamidentitymappings.yaml", counts{Mappings: 4, NodeGroups: 1}},
		// Three roles created (two given by roleARN); three ServiceAccounts created.
		{"eksctl-example-39-pod-identity-association.yaml", counts{Roles: 3, ServiceAccounts: 3, Associations: 5, NodeGroups: 1}},
		{"eksctl-example-40-access-entries.yaml", counts{AccessEntries: 4, AccessPolicies: 2, NodeGroups: 1}},
		{"garystafford-nodegroup-addon-policies.yaml", counts{NodeGroups: 1, AddonPolicies: 3}},
		{"jonahjon-irsa-wellknown-plus-node-addon-policies.yaml", counts{Roles: 3, ServiceAccounts: 3, NodeGroups: 1, AddonPolicies: 4}},
		{"karpenter-getting-started-pod-identity-heredoc.yaml", counts{Roles: 1, Mappings: 1, Associations: 1, NodeGroups: 1, Warnings: 1}},
		{"seanlee10-node-addon-policies-trailing-whitespace.yaml", counts{NodeGroups: 1, AddonPolicies: 5}},
		// "group:" is not a field (eksctl refuses the file), and the mapping then has neither
		// username nor groups.
		{"young-ook-template-group-singular.yaml", counts{Errors: 1, Warnings: 2}},
	}
	files, err := filepath.Glob(filepath.Join(corpus.Dir(t), "eksctl", "*.yaml"))
	if err != nil || len(files) != len(tests) {
		t.Fatalf("corpus has %d eksctl files (%v), the table %d", len(files), err, len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(corpus.File(t, "eksctl/"+tt.file))
			if err != nil {
				t.Fatal(err)
			}
			inv, rec, diags := load(t, tt.file, string(data))
			if len(rec) != 1 || !rec[0] {
				t.Fatalf("recognised = %v", rec)
			}
			got := counts{Roles: len(inv.Roles), ServiceAccounts: len(inv.ServiceAccounts), Associations: len(inv.PodIdentity),
				AccessEntries: len(inv.AccessEntries), NodeGroups: len(inv.NodeGroups)}
			for _, a := range inv.AWSAuth {
				got.Mappings += len(a.MapRoles) + len(a.MapUsers) + len(a.MapAccounts)
			}
			for _, e := range inv.AccessEntries {
				got.AccessPolicies += len(e.Policies)
			}
			for _, g := range inv.NodeGroups {
				got.AddonPolicies += len(g.AddonPolicies)
			}
			for _, d := range diags {
				if d.Line <= 0 || d.Column <= 0 {
					t.Errorf("unpositioned diagnostic %v", d)
				}
				if d.Severity == result.DiagError {
					got.Errors++
				} else {
					got.Warnings++
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("counts (-want +got):\n%s\ndiagnostics: %v", d, diags)
			}
			for _, r := range inv.Roles {
				if r.Trust == nil || len(r.Trust.Issues) > 0 {
					t.Errorf("role %s: trust %v", r.ARN, r.Trust)
				}
			}
		})
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(serviceAccountsSrc))
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "..", "fixtures", "eksctl*", "*.yaml"))
	corpusFiles, _ := filepath.Glob(filepath.Join(corpusDir(), "eksctl", "*.yaml"))
	for _, p := range append(seeds, corpusFiles...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := docnode.Parse(file, data)
		if err != nil {
			return
		}
		inv := &inventory.Inventory{}
		for _, d := range docs {
			_, diags := Load(d, inv)
			for _, dg := range diags {
				if dg.File != file || dg.Line <= 0 {
					t.Fatalf("unpositioned diagnostic %v", dg)
				}
			}
		}
		inv.EachElement(func(e inventory.Element) {
			if e.ID == "" || e.Sources[0].File != file || e.Sources[0].Line <= 0 {
				t.Fatalf("element %q without a position: %+v", e.ID, *e.Sources[0])
			}
		})
	})
}

// corpusDir is the real-world corpus for fuzz seeds ("" when it is not there: the fuzz target
// then runs on the package's own seeds).
func corpusDir() string {
	for _, d := range []string{filepath.Join("..", "..", "..", "..", "shared", "corpus", "realworld"), os.Getenv("ROLECALL_CORPUS"), "/work/shared/corpus/realworld"} {
		if st, err := os.Stat(d); d != "" && err == nil && st.IsDir() {
			return d
		}
	}
	return ""
}

func TestPodIdentityAssociations(t *testing.T) {
	src := `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: prod
  region: cn-north-1
iam:
  podIdentityAssociations:
  - namespace: payments
    serviceAccountName: api
    roleARN: arn:aws-cn:iam::111122223333:role/api
  - namespace: dev
    serviceAccountName: worker
    createServiceAccount: true
    permissionPolicyARNs: [arn:aws-cn:iam::111122223333:policy/p]
    wellKnownPolicies: {ebsCSIController: true, imageBuilder: true}
    permissionsBoundaryARN: arn:aws-cn:iam::111122223333:policy/b
    targetRoleARN: arn:aws-cn:iam::444455556666:role/target
    disableSessionTags: true
  - namespace: dev
    serviceAccountName: ""
`
	inv, _, diags := load(t, file, src)
	checkDiags(t, diags, []diag{{"error", 20, 25, "needs namespace and serviceAccountName"}})
	generated := "arn:aws:iam:::role/" + iampolicy.Unknown("eksctl role of cluster prod for Pod Identity dev:worker")
	var got []inventory.PodIdentityAssociation
	for _, a := range inv.PodIdentity {
		got = append(got, *a)
	}
	want := []inventory.PodIdentityAssociation{
		{ID: "eks:prod/podidentity/payments/api", Cluster: "prod", Namespace: "payments", ServiceAccount: "api",
			RoleARN: "arn:aws-cn:iam::111122223333:role/api", Source: at(8, 5)},
		{ID: "eks:prod/podidentity/dev/worker", Cluster: "prod", Namespace: "dev", ServiceAccount: "worker", RoleARN: generated,
			TargetRoleARN: "arn:aws-cn:iam::444455556666:role/target", DisableSessionTags: true, Source: at(11, 5)},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("associations (-want +got):\n%s", d)
	}
	// roleARN given: no role; otherwise one role, with the partition's managed policy ARNs.
	if len(inv.Roles) != 1 {
		t.Fatalf("roles = %d, want 1", len(inv.Roles))
	}
	r := inv.Roles[0]
	if r.ARN != generated || r.PermissionsBoundary != "arn:aws-cn:iam::111122223333:policy/b" || r.Source != at(11, 5) ||
		!cmp.Equal(r.AttachedPolicies, []string{"arn:aws-cn:iam::111122223333:policy/p", "arn:aws-cn:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"}) ||
		len(r.InlinePolicies) != 1 || r.InlinePolicies[0].Name != "PolicyEBSCSIController" || r.InlinePolicies[0].Source != at(15, 25) {
		t.Errorf("role = %+v", r)
	}
	// eksctl's Pod Identity trust: pods.eks.amazonaws.com for AssumeRole and TagSession, with
	// no condition, so any association in the account naming the role can use it.
	for _, action := range []string{"sts:AssumeRole", "sts:TagSession"} {
		ev := iampolicy.EvaluateTrust(r.Trust, r.ARN, iampolicy.Request{
			Caller: iampolicy.Caller{Kind: iampolicy.CallerService, Service: "pods.eks.amazonaws.com"}, Action: action})
		if ev.Decision != iampolicy.Allow {
			t.Errorf("%s by pods.eks.amazonaws.com: %v (%s)", action, ev.Decision, ev.Reason)
		}
	}
	if st := r.Trust.Statements[0]; len(st.Conditions) != 0 || st.Pos != (iampolicy.Pos{Line: 11, Column: 5}) {
		t.Errorf("trust statement = %+v", st)
	}
	// createServiceAccount: the ServiceAccount exists, without an IRSA annotation.
	if len(inv.ServiceAccounts) != 1 || inv.ServiceAccounts[0].ID != "k8s:prod/serviceaccount/dev/worker" ||
		inv.ServiceAccounts[0].Source != at(11, 5) || len(inv.ServiceAccounts[0].Annotations) != 0 {
		t.Errorf("service accounts = %+v", inv.ServiceAccounts)
	}
}

func TestIdentityMappings(t *testing.T) {
	src := `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: prod
iamIdentityMappings:
- arn: arn:aws:iam::111122223333:role/Admin
  username: admin
  groups: [system:masters]
- arn: arn:aws:iam::111122223333:user/alice
  username: alice
- arn: arn:aws:iam::111122223333:role/admin
  groups: [view]
- account: "111122223333"
- arn: arn:aws:iam::111122223333:role/nobody
- arn: arn:aws:iam::111122223333:group/devs
  username: devs
- account: "111122223333"
  username: x
- serviceName: emr-containers
  namespace: emr
- namespace: emr
- arn: ${ROLE_ARN}
  username: ci
- Arn: arn:aws:iam::111122223333:role/deploy
  Groups: [deployers]
  group: [typo]
`
	inv, _, diags := load(t, file, src)
	checkDiags(t, diags, []diag{
		{"error", 14, 3, "a mapping needs a username or groups"},
		{"error", 15, 3, "neither an IAM role nor an IAM user ARN"},
		{"error", 17, 3, "account cannot be configured with any other options"},
		{"error", 21, 3, "serviceName is required when using namespace"},
		{"warning", 22, 3, "the mapping is not evaluated"},
		// Field names match case-insensitively (encoding/json); an unknown one is refused.
		{"warning", 26, 3, `unknown field "group" (did you mean "groups"?)`},
		{"warning", 22, 8, "${ROLE_ARN} are filled in before eksctl reads it"},
	})
	if len(inv.AWSAuth) != 1 {
		t.Fatalf("aws-auth sources = %d", len(inv.AWSAuth))
	}
	a := inv.AWSAuth[0]
	const id = "awsauth:prod/eksctl"
	if a.ID != id || a.Kind != inventory.AuthConfigMap || a.Cluster != "prod" || a.Source != at(5, 1) {
		t.Errorf("source = %+v", a)
	}
	wantSections := []inventory.AuthSection{
		{ID: id + "/mapRoles", Name: "mapRoles", Source: at(5, 1)},
		{ID: id + "/mapUsers", Name: "mapUsers", Source: at(5, 1)},
		{ID: id + "/mapAccounts", Name: "mapAccounts", Source: at(5, 1)},
	}
	if d := cmp.Diff(wantSections, a.Sections); d != "" {
		t.Errorf("sections (-want +got):\n%s", d)
	}
	entry := func(section string, i int, arn, user string, groups []string, shadowed string, src inventory.Source) *inventory.AuthEntry {
		return &inventory.AuthEntry{ID: inventory.AuthEntryID(id, section, i), Section: section, Index: i, ARN: arn,
			Username: user, Groups: groups, Shadowed: shadowed, Source: src}
	}
	wantRoles := []*inventory.AuthEntry{
		// The authenticator keys mapRoles by the lower-cased ARN: the later "admin" wins (D5.3).
		entry("mapRoles", 0, "arn:aws:iam::111122223333:role/Admin", "admin", []string{"system:masters"}, id+"/mapRoles/1", at(6, 3)),
		entry("mapRoles", 1, "arn:aws:iam::111122223333:role/admin", "", []string{"view"}, "", at(11, 3)),
		entry("mapRoles", 2, "arn:aws:iam::"+iampolicy.Unknown("account of cluster prod")+":role/AWSServiceRoleForAmazonEMRContainers", "emr-containers", nil, "", at(19, 3)),
		entry("mapRoles", 3, "arn:aws:iam::111122223333:role/deploy", "", []string{"deployers"}, "", at(24, 3)),
	}
	if d := cmp.Diff(wantRoles, a.MapRoles); d != "" {
		t.Errorf("mapRoles (-want +got):\n%s", d)
	}
	wantUsers := []*inventory.AuthEntry{entry("mapUsers", 0, "arn:aws:iam::111122223333:user/alice", "alice", nil, "", at(9, 3))}
	if d := cmp.Diff(wantUsers, a.MapUsers); d != "" {
		t.Errorf("mapUsers (-want +got):\n%s", d)
	}
	wantAccounts := []inventory.AccountRef{{ID: id + "/mapAccounts/0", Account: "111122223333", Source: at(13, 3)}}
	if d := cmp.Diff(wantAccounts, a.MapAccounts); d != "" {
		t.Errorf("mapAccounts (-want +got):\n%s", d)
	}
}

func TestAccessEntries(t *testing.T) {
	src := `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: prod
accessConfig:
  authenticationMode: API
  accessEntries:
  - principalARN: arn:aws:iam::111122223333:role/admin
    kubernetesUsername: admin
    kubernetesGroups: [ops]
    accessPolicies:
    - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy
      accessScope: {type: cluster}
    - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy
      accessScope:
        type: namespace
        namespaces: [dev-*]
    - policyARN: arn:aws:iam::aws:policy/AdministratorAccess
      accessScope: {type: cluster}
    - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy
      accessScope: {type: namespace}
  - principalARN: arn:aws:iam::111122223333:role/node
    type: EC2_LINUX
  - principalARN: arn:aws:iam::111122223333:role/node2
    type: EC2_LINUX
    kubernetesGroups: [x]
  - principalARN: arn:aws:iam::111122223333:role/admin
  - principalARN: not-an-arn
  - principalARN: arn:aws:iam::111122223333:user/u
    username: u
`
	inv, _, diags := load(t, file, src)
	checkDiags(t, diags, []diag{
		{"error", 18, 18, "must be a cluster-access-policy resource"},
		{"error", 21, 27, "at least one namespace must be specified"},
		{"error", 25, 11, "cannot specify kubernetesGroups nor kubernetesUsername when type is set to EC2_LINUX"},
		{"error", 27, 19, "duplicate access entry"},
		{"error", 28, 19, "principalARN must be set to a valid AWS ARN"},
		{"warning", 30, 5, `unknown field "username"`},
	})
	const admin = "eks:prod/accessentry/arn:aws:iam::111122223333:role/admin"
	want := []inventory.AccessEntry{
		{ID: admin, Cluster: "prod", PrincipalARN: "arn:aws:iam::111122223333:role/admin", Username: "admin",
			KubernetesGroups: []string{"ops"}, Source: at(8, 5), Policies: []inventory.AccessPolicy{
				{ID: admin + "/policy/arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
					PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", ScopeType: "cluster", Source: at(12, 7)},
				{ID: admin + "/policy/arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
					PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", ScopeType: "namespace",
					Namespaces: []string{"dev-*"}, Source: at(14, 7)},
			}},
		{ID: "eks:prod/accessentry/arn:aws:iam::111122223333:role/node", Cluster: "prod",
			PrincipalARN: "arn:aws:iam::111122223333:role/node", Type: "EC2_LINUX", Policies: []inventory.AccessPolicy{}, Source: at(22, 5)},
		{ID: "eks:prod/accessentry/arn:aws:iam::111122223333:user/u", Cluster: "prod",
			PrincipalARN: "arn:aws:iam::111122223333:user/u", Policies: []inventory.AccessPolicy{}, Source: at(29, 5)},
	}
	var got []inventory.AccessEntry
	for _, e := range inv.AccessEntries {
		got = append(got, *e)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("access entries (-want +got):\n%s", d)
	}
	if inv.Clusters[0].AuthenticationMode != inventory.ModeAPI {
		t.Errorf("mode = %q", inv.Clusters[0].AuthenticationMode)
	}
}

func TestNodeGroups(t *testing.T) {
	src := `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: prod
nodeGroups:
- name: ng-1
  iam:
    withAddonPolicies:
      externalDNS: true
      imageBuilder: false
      autoScaler: on
      ebs: "true"
      albIngres: true
      xRay: ${XRAY}
- name: ng-2
  iam:
    instanceRoleARN: arn:aws:iam::111122223333:role/node
    withAddonPolicies: {cloudWatch: true}
managedNodeGroups:
- name: mng-1
- iam: {}
`
	inv, _, diags := load(t, file, src)
	checkDiags(t, diags, []diag{
		{"warning", 13, 7, `unknown field "albIngres"`},
		{"error", 12, 12, `must be true or false, not "true"`},
		{"error", 18, 37, "instanceRoleARN and nodeGroups[1].iam.withAddonPolicies.cloudWatch cannot be set at the same time"},
		{"error", 21, 3, "managedNodeGroups[1] needs a name"},
		// A switch left to the template is unknown: not recorded, not guessed.
		{"warning", 14, 13, "${XRAY} are filled in before eksctl reads it"},
	})
	policy := func(ng, name string, src inventory.Source) inventory.AddonPolicy {
		return inventory.AddonPolicy{ID: inventory.AddonPolicyID(ng, name), Name: name, Source: src}
	}
	want := []inventory.NodeGroup{
		{ID: "eks:prod/nodegroup/ng-1", Cluster: "prod", Name: "ng-1", Source: at(6, 3), AddonPolicies: []inventory.AddonPolicy{
			policy("eks:prod/nodegroup/ng-1", "externalDNS", at(9, 7)),
			// YAML 1.1, which eksctl's parser reads: "on" is true.
			policy("eks:prod/nodegroup/ng-1", "autoScaler", at(11, 7)),
		}},
		{ID: "eks:prod/nodegroup/ng-2", Cluster: "prod", Name: "ng-2", Source: at(15, 3), AddonPolicies: []inventory.AddonPolicy{
			policy("eks:prod/nodegroup/ng-2", "cloudWatch", at(18, 25)),
		}},
		{ID: "eks:prod/nodegroup/mng-1", Cluster: "prod", Name: "mng-1", Managed: true, Source: at(20, 3), AddonPolicies: []inventory.AddonPolicy{}},
	}
	var got []inventory.NodeGroup
	for _, g := range inv.NodeGroups {
		got = append(got, *g)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("node groups (-want +got):\n%s", d)
	}
}

// A ClusterConfig rendered by envsubst or a Terraform template: placeholders are unknown,
// never guessed, and a statement that depends on one is set aside.
func TestPlaceholders(t *testing.T) {
	src := `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: ${CLUSTER_NAME}
  region: ${AWS_REGION}
iam:
  serviceAccounts:
  - metadata:
      name: app
      namespace: ${APP_NAMESPACE}
    roleName: ${CLUSTER_NAME}-app
  - metadata:
      name: fixed
      namespace: apps
`
	inv, _, diags := load(t, file, src)
	checkDiags(t, diags, []diag{{"warning", 4, 9, "${CLUSTER_NAME}, ${AWS_REGION}, ${APP_NAMESPACE} are filled in before eksctl reads it"}})
	cluster := iampolicy.Unknown("${CLUSTER_NAME}")
	if inv.Clusters[0].ID != "eks:"+cluster || inv.Clusters[0].Region != iampolicy.Unknown("${AWS_REGION}") {
		t.Errorf("cluster = %+v", inv.Clusters[0])
	}
	if got := inv.Roles[0].ARN; got != "arn:aws:iam:::role/"+cluster+"-app" {
		t.Errorf("role = %s", got)
	}
	// The namespace is unknown, so whom the trust admits is: the statement is set aside.
	if tr := inv.Roles[0].Trust; len(tr.Statements) != 0 || len(tr.Indeterminate) != 1 || tr.Indeterminate[0].Unknowns[0] != "${APP_NAMESPACE}" {
		t.Errorf("trust of the templated namespace: %+v", tr)
	}
	// The cluster's issuer does not depend on its name: the other trust stays evaluable.
	if tr := inv.Roles[1].Trust; len(tr.Statements) != 1 || len(tr.Indeterminate) != 0 {
		t.Errorf("trust: %+v", tr)
	}
	if got := inv.Roles[1].Trust.Statements[0].Principal.Federated[0].Text; got != "arn:aws:iam:::oidc-provider/oidc.eks.AWS_REGION.amazonaws.com/id/EKSCTL-CLUSTER_NAME" {
		t.Errorf("provider = %s", got)
	}
}

func TestUnknownFieldsAndTypes(t *testing.T) {
	src := `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: prod
iam:
  serviceAccounts:
  - metadata:
      name: a
      nameSpace: apps
    AttachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]
    attachPolicies: []
    roleOnly: "yes"
  - metadata: {namespace: apps}
  serviceAccountz: []
`
	inv, _, diags := load(t, file, src)
	checkDiags(t, diags, []diag{
		{"warning", 11, 5, `unknown field "attachPolicies"`},
		{"error", 12, 15, `roleOnly must be true or false, not "yes"`},
		{"error", 13, 5, "iam.serviceAccounts[1] needs metadata.name"},
	})
	// Fields match case-insensitively, as encoding/json matches them.
	if len(inv.Roles) != 1 || !cmp.Equal(inv.Roles[0].AttachedPolicies, []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}) ||
		inv.ServiceAccounts[0].Namespace != "apps" {
		t.Errorf("roles %+v, service accounts %+v", inv.Roles, inv.ServiceAccounts)
	}
}

// An inline policy whose YAML aliases expand exponentially ("billion laughs") is refused, as
// eksctl's parser refuses it, before the policy parser walks it.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c}\niam:\n  serviceAccounts:\n  - metadata: {name: a}\n    attachPolicy:\n      a0: &a0 [x, x]\n")
	for i := 1; i < 40; i++ {
		fmt.Fprintf(&b, "      a%d: &a%d [*a%d, *a%d]\n", i, i, i-1, i-1)
	}
	inv, _, diags := load(t, file, b.String())
	checkDiags(t, diags, []diag{{"error", 8, 7, "expands its YAML aliases to more than 10000 nodes"}})
	if len(inv.Roles) != 1 || len(inv.Roles[0].InlinePolicies) != 0 {
		t.Errorf("roles = %+v", inv.Roles)
	}
}
