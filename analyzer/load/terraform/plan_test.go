package terraform

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
)

func loadPlanBytes(t *testing.T, file string, data []byte) (bool, *inventory.Inventory, []result.Diagnostic) {
	t.Helper()
	docs, err := docnode.Parse(file, data)
	if err != nil || len(docs) != 1 {
		t.Fatalf("parse %s: %v (%d documents)", file, err, len(docs))
	}
	inv := &inventory.Inventory{}
	ok, diags := LoadPlan(docs[0], inv)
	return ok, inv, diags
}

// testdata/plan.json is `terraform show -json` of a plan (format_version 1.2, Terraform 1.9,
// pretty-printed as jq prints it): an existing cluster "prod" (API_AND_CONFIG_MAP) and its OIDC
// provider, and new roles: payments-api for IRSA with a jsonencode'd trust that has no sub
// condition and its ServiceAccount payments/api annotated with the role's (unknown) arn;
// platform-admin with an access entry and the cluster-admin access policy; orders-worker for
// Pod Identity; ci-deployer whose trust is a data source read only at apply.
func TestLoadPlan(t *testing.T) {
	data, err := os.ReadFile("testdata/plan.json")
	if err != nil {
		t.Fatal(err)
	}
	ok, inv, diags := loadPlanBytes(t, "plan.json", data)
	if !ok {
		t.Fatal("plan not recognised")
	}
	// Only the trust that is really unknown is reported: computed attributes the
	// configuration leaves to the provider (arn, user_name, association_arn…) are not.
	wantDiags := []string{
		"plan.json:284:21: aws_iam_role.ci: assume_role_policy is known only after apply; the trust policy is not evaluated [warning]",
	}
	if diff := cmp.Diff(wantDiags, diagTexts(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}

	type role struct {
		ARN    string
		Source string
		Trust  string // position of the first statement, "" when not loaded
		Attach []string
	}
	var roles []role
	for _, r := range inv.Roles {
		rr := role{ARN: r.ARN, Source: r.Source.String(), Attach: r.AttachedPolicies}
		if r.Trust != nil && len(r.Trust.Statements) > 0 {
			p := r.Trust.Statements[0].Pos
			rr.Trust = inventory.At(r.Trust.File, p.Line, p.Column).String()
		}
		roles = append(roles, rr)
	}
	wantRoles := []role{
		// The trust is a JSON string in a plan: its statements are located at the string.
		{ARN: "arn:aws:iam:::role/payments-api", Source: "plan.json:93:9", Trust: "plan.json:101:35", Attach: []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}},
		{ARN: "arn:aws:iam:::role/platform-admin", Source: "plan.json:153:9", Trust: "plan.json:161:35"},
		{ARN: "arn:aws:iam:::role/orders-worker", Source: "plan.json:210:9", Trust: "plan.json:218:35"},
		{ARN: "arn:aws:iam:::role/ci-deployer", Source: "plan.json:277:9"},
	}
	if diff := cmp.Diff(wantRoles, roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}

	if len(inv.Clusters) != 1 || inv.Clusters[0].Name != "prod" || inv.Clusters[0].AuthenticationMode != "API_AND_CONFIG_MAP" ||
		inv.Clusters[0].Issuer != "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE" {
		t.Errorf("clusters = %+v", inv.Clusters)
	}
	if len(inv.OIDCProviders) != 1 || inv.OIDCProviders[0].Account != "111122223333" {
		t.Errorf("providers = %+v", inv.OIDCProviders)
	}

	// principal_arn = aws_iam_role.admin.arn, unknown in the plan, names the role; the
	// association's principal_arn = aws_eks_access_entry.admin.principal_arn follows it.
	const admin = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
	entryID := "eks:prod/accessentry/arn:aws:iam:::role/platform-admin"
	wantEntries := []inventory.AccessEntry{{ID: entryID, Cluster: "prod", PrincipalARN: "arn:aws:iam:::role/platform-admin", Type: "STANDARD",
		Source: at("plan.json", 176, 9), Policies: []inventory.AccessPolicy{
			{ID: entryID + "/policy/" + admin, PolicyARN: admin, ScopeType: "cluster", Source: at("plan.json", 190, 9)}}}}
	var entries []inventory.AccessEntry
	for _, e := range inv.AccessEntries {
		entries = append(entries, *e)
	}
	if diff := cmp.Diff(wantEntries, entries); diff != "" {
		t.Errorf("access entries (-want +got):\n%s", diff)
	}

	wantPI := []inventory.PodIdentityAssociation{{ID: "eks:prod/podidentity/orders/worker", Cluster: "prod", Namespace: "orders",
		ServiceAccount: "worker", RoleARN: "arn:aws:iam:::role/orders-worker", Source: at("plan.json", 233, 9)}}
	var pis []inventory.PodIdentityAssociation
	for _, p := range inv.PodIdentity {
		pis = append(pis, *p)
	}
	if diff := cmp.Diff(wantPI, pis); diff != "" {
		t.Errorf("pod identity (-want +got):\n%s", diff)
	}

	// The ServiceAccount belongs to the plan's only cluster; its annotation names the role.
	const saID = "k8s:prod/serviceaccount/payments/api"
	wantSA := []inventory.ServiceAccount{{ID: saID, Cluster: "prod", Namespace: "payments", Name: "api", Source: at("plan.json", 129, 9),
		Annotations: []inventory.Annotation{{ID: saID + "/annotation/eks.amazonaws.com/role-arn", Key: "eks.amazonaws.com/role-arn",
			Value: "arn:aws:iam:::role/payments-api", Source: at("plan.json", 141, 32)}}}}
	var sas []inventory.ServiceAccount
	for _, s := range inv.ServiceAccounts {
		sas = append(sas, *s)
	}
	if diff := cmp.Diff(wantSA, sas); diff != "" {
		t.Errorf("service accounts (-want +got):\n%s", diff)
	}
}

// A plan as Terraform prints it, on one line: positions are columns of line 1.
func TestLoadPlanMinified(t *testing.T) {
	data, err := os.ReadFile("testdata/plan.json")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		t.Fatal(err)
	}
	ok, inv, diags := loadPlanBytes(t, "plan.json", buf.Bytes())
	if !ok || len(inv.Roles) != 4 || len(diags) != 1 {
		t.Fatalf("recognised %v, %d roles, diagnostics %v", ok, len(inv.Roles), diagTexts(diags))
	}
	src := inv.Roles[0].Source
	if src.Line != 1 || src.Column < 100 || buf.Bytes()[src.Column-1] != '{' {
		t.Errorf("role source %v does not point at its object", src)
	}
}

func TestLoadPlanRecognition(t *testing.T) {
	tests := []struct {
		name      string
		doc       string
		wantOK    bool
		wantRoles int
		wantDiags []string
	}{
		{"a state (terraform show -json of state)", `{"format_version":"1.0","terraform_version":"1.9.8","values":{"root_module":{
			"resources":[{"address":"aws_iam_role.a","mode":"managed","type":"aws_iam_role","name":"a","values":{"name":"a","arn":"arn:aws:iam::111122223333:role/a","assume_role_policy":"{}"}}],
			"child_modules":[{"address":"module.m","resources":[{"address":"module.m.aws_iam_role.b","mode":"managed","type":"aws_iam_role","name":"b","values":{"name":"b"}}]}]}}}`,
			true, 2, nil},
		{"a plan without planned_values: resource_changes' after, deletions left out", `{"format_version":"1.2","terraform_version":"1.9.8","resource_changes":[
			{"address":"aws_iam_role.a","mode":"managed","type":"aws_iam_role","name":"a","change":{"actions":["create"],"before":null,"after":{"name":"a"},"after_unknown":{"arn":true}}},
			{"address":"aws_iam_role.gone","mode":"managed","type":"aws_iam_role","name":"gone","change":{"actions":["delete"],"before":{"name":"gone"},"after":null}}]}`,
			true, 1, nil},
		{"an unsupported major version", `{"format_version":"2.0","terraform_version":"2.0.0","planned_values":{}}`,
			true, 0, []string{`plan.json:1:19: Terraform JSON format_version "2.0" is not supported (expected 1.x, as Terraform 1.x prints) [error]`}},
		{"a malformed resource", `{"format_version":"1.2","terraform_version":"1.9.8","planned_values":{"root_module":{"resources":[{"address":"x"}, 3]}}}`,
			true, 0, []string{
				"plan.json:1:116: planned_values.root_module.resources[1] must be an object [error]",
				"plan.json:1:99: planned_values.root_module.resources[0] must be an object with address, mode, type, name and values [error]",
			}},
		{"not Terraform: a policy document", `{"Version":"2012-10-17","Statement":[]}`, false, 0, nil},
		{"not Terraform: no terraform_version", `{"format_version":"1.0","values":{}}`, false, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, inv, diags := loadPlanBytes(t, "plan.json", []byte(tt.doc))
			if ok != tt.wantOK || len(inv.Roles) != tt.wantRoles {
				t.Errorf("recognised %v with %d roles, want %v with %d", ok, len(inv.Roles), tt.wantOK, tt.wantRoles)
			}
			if diff := cmp.Diff(tt.wantDiags, diagTexts(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

// planDoc builds a minimal plan from its resources' planned values, after_unknown and
// configuration expressions.
func planDoc(t *testing.T, resources []map[string]any, withConfig bool) []byte {
	t.Helper()
	var planned, changes, config []map[string]any
	for _, r := range resources {
		addr := r["address"].(string)
		typ, name, _ := strings.Cut(addr, ".")
		base := map[string]any{"address": addr, "mode": "managed", "type": typ, "name": name}
		p := map[string]any{"values": r["values"]}
		if s, ok := r["sensitive"]; ok {
			p["sensitive_values"] = s
		}
		for k, v := range base {
			p[k] = v
		}
		planned = append(planned, p)
		changes = append(changes, map[string]any{"address": addr, "mode": "managed", "type": typ, "name": name,
			"change": map[string]any{"actions": []string{"create"}, "after": r["values"], "after_unknown": r["unknown"]}})
		if e, ok := r["expressions"]; ok {
			config = append(config, map[string]any{"address": r["config"], "mode": "managed", "type": typ, "name": name, "expressions": e})
		}
	}
	doc := map[string]any{"format_version": "1.2", "terraform_version": "1.9.8",
		"planned_values": map[string]any{"root_module": map[string]any{"resources": planned}}, "resource_changes": changes}
	if withConfig {
		doc["configuration"] = map[string]any{"root_module": map[string]any{"resources": config}}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadPlanUnknowns(t *testing.T) {
	role := map[string]any{"address": "aws_iam_role.app", "config": "aws_iam_role.app",
		"values":      map[string]any{"name": "app", "assume_role_policy": `{"Statement":[]}`},
		"unknown":     map[string]any{"arn": true, "id": true},
		"expressions": map[string]any{"name": map[string]any{"constant_value": "app"}}}
	pi := map[string]any{"address": "aws_eks_pod_identity_association.app", "config": "aws_eks_pod_identity_association.app",
		"values":  map[string]any{"cluster_name": "prod", "namespace": "a", "service_account": "app"},
		"unknown": map[string]any{"role_arn": true, "association_arn": true, "target_role_arn": true},
		"expressions": map[string]any{"cluster_name": map[string]any{"constant_value": "prod"},
			"role_arn": map[string]any{"references": []string{"aws_iam_role.app.arn", "aws_iam_role.app"}}}}

	t.Run("a reference to a role created by the same apply names the role", func(t *testing.T) {
		ok, inv, diags := loadPlanBytes(t, "plan.json", planDoc(t, []map[string]any{role, pi}, true))
		if !ok || len(diags) != 0 {
			t.Fatalf("recognised %v, diagnostics %v", ok, diagTexts(diags))
		}
		if len(inv.PodIdentity) != 1 || inv.PodIdentity[0].RoleARN != "arn:aws:iam:::role/app" || inv.PodIdentity[0].TargetRoleARN != "" {
			t.Errorf("associations = %+v", inv.PodIdentity)
		}
	})
	t.Run("without a configuration every unknown stays unknown", func(t *testing.T) {
		_, inv, diags := loadPlanBytes(t, "plan.json", planDoc(t, []map[string]any{role, pi}, false))
		want := []string{
			"plan.json:21:21: aws_eks_pod_identity_association.app: role_arn is known only after apply; the Pod Identity association is not analysed [warning]",
			"plan.json:21:21: aws_eks_pod_identity_association.app: target_role_arn is known only after apply; the Pod Identity association is not analysed [warning]",
		}
		if diff := cmp.Diff(want, diagTexts(diags)); diff != "" {
			t.Errorf("diagnostics (-want +got):\n%s", diff)
		}
		if len(inv.PodIdentity) != 0 || len(inv.Roles) != 1 || inv.Roles[0].ARN != "arn:aws:iam:::role/app" {
			t.Errorf("associations %+v, roles %+v", inv.PodIdentity, inv.Roles)
		}
	})
	t.Run("an expression that is more than a reference is not resolved", func(t *testing.T) {
		sa := map[string]any{"address": "kubernetes_service_account_v1.app", "config": "kubernetes_service_account_v1.app",
			"values": map[string]any{"metadata": []any{map[string]any{"name": "app", "namespace": "a", "annotations": map[string]any{}}}},
			"unknown": map[string]any{"metadata": []any{map[string]any{"annotations": map[string]any{
				"eks.amazonaws.com/role-arn": true, "example.com/other": true}}}},
			"expressions": map[string]any{"metadata": []any{map[string]any{"name": map[string]any{"constant_value": "app"},
				"annotations": map[string]any{"references": []string{"aws_iam_role.app.arn", "aws_iam_role.app"}}}}}}
		_, inv, diags := loadPlanBytes(t, "plan.json", planDoc(t, []map[string]any{role, sa}, true))
		// Two unknown values come from one map expression: which is the reference is not known.
		if len(inv.ServiceAccounts) != 1 || len(inv.ServiceAccounts[0].Annotations) != 0 || len(diags) != 2 {
			t.Errorf("service accounts %+v, diagnostics %v", inv.ServiceAccounts, diagTexts(diags))
		}
	})
}

func TestLoadPlanSensitive(t *testing.T) {
	sa := map[string]any{"address": "kubernetes_service_account_v1.app",
		"values": map[string]any{"metadata": []any{map[string]any{"name": "app", "namespace": "a",
			"annotations": map[string]any{"example.com/token": "s3cr3t-value", "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/app"}}}},
		"sensitive": map[string]any{"metadata": []any{map[string]any{"annotations": map[string]any{"example.com/token": true}}}},
		"unknown":   map[string]any{}}
	_, inv, diags := loadPlanBytes(t, "plan.json", planDoc(t, []map[string]any{sa}, false))
	for _, d := range diags {
		if strings.Contains(d.Message, "s3cr3t") {
			t.Errorf("a sensitive value is printed: %s", d.Message)
		}
	}
	want := []string{`plan.json:25:40: kubernetes_service_account_v1.app: metadata[0].annotations["example.com/token"] is sensitive in the plan, so rolecall does not read it; the annotation is not analysed [warning]`}
	if diff := cmp.Diff(want, diagTexts(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if len(diags) != 1 {
		t.Errorf("diagnostics %v", diagTexts(diags))
	}
	if len(inv.ServiceAccounts) != 1 || len(inv.ServiceAccounts[0].Annotations) != 1 || inv.ServiceAccounts[0].Annotations[0].Key != "eks.amazonaws.com/role-arn" {
		t.Errorf("service accounts %+v", inv.ServiceAccounts)
	}
}

// Resources of modules: child_modules in the values, module_calls in the configuration, and
// references resolved inside the module instance and through a module output.
func TestLoadPlanModules(t *testing.T) {
	doc := `{"format_version":"1.2","terraform_version":"1.9.8",
"planned_values":{"root_module":{"resources":[
  {"address":"kubernetes_service_account_v1.api","mode":"managed","type":"kubernetes_service_account_v1","name":"api",
   "values":{"metadata":[{"name":"api","namespace":"payments","annotations":{}}]}}],"child_modules":[{"address":"module.irsa[\"api\"]","resources":[
  {"address":"module.irsa[\"api\"].aws_iam_role.this","mode":"managed","type":"aws_iam_role","name":"this","values":{"name":"api","assume_role_policy":"{}"}},
  {"address":"module.irsa[\"api\"].aws_eks_pod_identity_association.this","mode":"managed","type":"aws_eks_pod_identity_association","name":"this",
   "values":{"cluster_name":"prod","namespace":"payments","service_account":"api"}}]}]}},
"resource_changes":[
  {"address":"kubernetes_service_account_v1.api","mode":"managed","type":"kubernetes_service_account_v1","name":"api",
   "change":{"actions":["create"],"after_unknown":{"metadata":[{"annotations":{"eks.amazonaws.com/role-arn":true}}]}}},
  {"address":"module.irsa[\"api\"].aws_iam_role.this","module_address":"module.irsa[\"api\"]","mode":"managed","type":"aws_iam_role","name":"this",
   "change":{"actions":["create"],"after_unknown":{"arn":true,"unique_id":true}}},
  {"address":"module.irsa[\"api\"].aws_eks_pod_identity_association.this","module_address":"module.irsa[\"api\"]","mode":"managed","type":"aws_eks_pod_identity_association","name":"this",
   "change":{"actions":["create"],"after_unknown":{"role_arn":true,"association_arn":true}}}],
"configuration":{"root_module":{"resources":[
  {"address":"kubernetes_service_account_v1.api","mode":"managed","type":"kubernetes_service_account_v1","name":"api",
   "expressions":{"metadata":[{"name":{"constant_value":"api"},"annotations":{"references":["module.irsa[\"api\"].iam_role_arn","module.irsa[\"api\"]","module.irsa"]}}]}}],
"module_calls":{"irsa":{"source":"./modules/irsa","module":{
 "outputs":{"iam_role_arn":{"expression":{"references":["aws_iam_role.this.arn","aws_iam_role.this"]}}},
 "resources":[
  {"address":"aws_iam_role.this","mode":"managed","type":"aws_iam_role","name":"this","expressions":{"name":{"references":["var.name"]}}},
  {"address":"aws_eks_pod_identity_association.this","mode":"managed","type":"aws_eks_pod_identity_association","name":"this",
   "expressions":{"role_arn":{"references":["aws_iam_role.this.arn","aws_iam_role.this"]},"cluster_name":{"references":["var.cluster"]}}}]}}}}}}`
	ok, inv, diags := loadPlanBytes(t, "plan.json", []byte(doc))
	if !ok || len(diags) != 0 {
		t.Fatalf("recognised %v, diagnostics %v", ok, diagTexts(diags))
	}
	if len(inv.PodIdentity) != 1 || inv.PodIdentity[0].RoleARN != "arn:aws:iam:::role/api" {
		t.Errorf("associations %+v", inv.PodIdentity)
	}
	// No aws_eks_cluster: the cluster the associations name is the ServiceAccounts' cluster.
	// The root module's annotation is module.irsa["api"].iam_role_arn, an output of the module
	// whose expression is the role's arn: it names that role.
	if len(inv.ServiceAccounts) != 1 || inv.ServiceAccounts[0].ID != "k8s:prod/serviceaccount/payments/api" ||
		len(inv.ServiceAccounts[0].Annotations) != 1 || inv.ServiceAccounts[0].Annotations[0].Value != "arn:aws:iam:::role/api" {
		t.Errorf("service accounts %+v", inv.ServiceAccounts)
	}
}

func TestPlanHelpers(t *testing.T) {
	for in, want := range map[string]string{
		`module.a["x.y"].aws_iam_role.b[0]`: "module.a.aws_iam_role.b",
		`aws_iam_role.b["q\"]"]`:            "aws_iam_role.b",
		"aws_iam_role.b":                    "aws_iam_role.b",
	} {
		if got := stripInstanceKeys(in); got != want {
			t.Errorf("stripInstanceKeys(%s) = %s, want %s", in, got, want)
		}
	}
	p := &planReader{calls: map[string]*yaml.Node{}}
	module := func(outputs string) *yaml.Node {
		docs, err := docnode.Parse("x.json", []byte(`{"outputs":`+outputs+`}`))
		if err != nil {
			t.Fatal(err)
		}
		return docs[0].Root
	}
	p.calls["module.irsa"] = module(`{"iam_role_arn":{"expression":{"references":["aws_iam_role.this[0].arn","aws_iam_role.this[0]","aws_iam_role.this"]}},
		"wrapped":{"expression":{"references":["module.inner.arn","module.inner"]}}}`)
	p.calls["module.irsa.module.inner"] = module(`{"arn":{"expression":{"references":["aws_iam_role.x.arn","aws_iam_role.x"]}}}`)
	for _, tt := range []struct {
		inst       string
		refs       []string
		addr, attr string
		ok         bool
	}{
		{"", []string{"aws_iam_role.a.arn", "aws_iam_role.a"}, "aws_iam_role.a", "arn", true},
		{"", []string{"aws_iam_role.a[0].arn", "aws_iam_role.a[0]", "aws_iam_role.a"}, "aws_iam_role.a[0]", "arn", true},
		{`module.m["k.1"]`, []string{"aws_iam_role.a.arn", "aws_iam_role.a"}, `module.m["k.1"].aws_iam_role.a`, "arn", true},
		{"", []string{"module.irsa.iam_role_arn", "module.irsa"}, "module.irsa.aws_iam_role.this[0]", "arn", true},
		{"", []string{`module.irsa["api"].wrapped`, `module.irsa["api"]`, "module.irsa"}, `module.irsa["api"].module.inner.aws_iam_role.x`, "arn", true},
		{"", []string{"module.irsa.missing", "module.irsa"}, "", "", false},
		{"", []string{"aws_iam_role.a.arn", "aws_iam_role.a", "var.x"}, "", "", false},
		{"", []string{"data.aws_iam_role.r.arn", "data.aws_iam_role.r"}, "", "", false},
		{"", []string{"aws_iam_role.a"}, "", "", false},
		{"", []string{"aws_iam_role.a.tags.team", "aws_iam_role.a.tags", "aws_iam_role.a"}, "", "", false},
	} {
		var n []any
		for _, r := range tt.refs {
			n = append(n, r)
		}
		b, _ := json.Marshal(n)
		docs, _ := docnode.Parse("x.json", b)
		addr, attr, ok := p.follow(tt.inst, cfgPrefix(tt.inst), docs[0].Root, 0)
		if addr != tt.addr || attr != tt.attr || ok != tt.ok {
			t.Errorf("follow(%s, %v) = %q %q %v, want %q %q %v", tt.inst, tt.refs, addr, attr, ok, tt.addr, tt.attr, tt.ok)
		}
	}
	if got := renderPath([]string{"metadata", "0", "annotations", "eks.amazonaws.com/role-arn"}); got != `.metadata[0].annotations["eks.amazonaws.com/role-arn"]` {
		t.Errorf("renderPath = %s", got)
	}
}

func FuzzLoadPlan(f *testing.F) {
	if data, err := os.ReadFile("testdata/plan.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"format_version":"1.0","terraform_version":"1.9.8","values":{"root_module":{"resources":[{"address":"aws_iam_role.a","mode":"managed","type":"aws_iam_role","name":"a","values":{"name":"a"}}]}}}`))
	f.Add([]byte(`{"format_version":"1.2","terraform_version":"1.9.8","planned_values":{"root_module":{"resources":[{"address":"kubernetes_config_map_v1_data.a","mode":"managed","type":"kubernetes_config_map_v1_data","name":"a","values":{"metadata":[{"name":"aws-auth","namespace":"kube-system"}],"data":{"mapRoles":"- rolearn: x\n  groups: [system:masters]\n"}}}]}},"resource_changes":[{"address":"kubernetes_config_map_v1_data.a","change":{"after_unknown":{"data":{"mapUsers":true}}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := docnode.Parse("plan.json", data)
		if err != nil {
			return
		}
		for _, d := range docs {
			inv := &inventory.Inventory{}
			_, diags := LoadPlan(d, inv)
			for _, dg := range diags {
				if dg.File != "plan.json" && dg.File != "" {
					t.Fatalf("diagnostic in another file: %v", dg)
				}
			}
		}
	})
}
