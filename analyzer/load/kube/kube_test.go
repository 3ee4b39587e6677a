package kube

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/awsauth"
	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/corpus"
)

func loadBytes(t *testing.T, name string, data []byte) (*inventory.Inventory, []result.Diagnostic, []bool) {
	t.Helper()
	docs, err := docnode.Parse(name, data)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	inv := &inventory.Inventory{}
	var diags []result.Diagnostic
	var rec []bool
	for _, d := range docs {
		ok, ds := Load(d, "", inv)
		rec = append(rec, ok)
		diags = append(diags, ds...)
	}
	return inv, diags, rec
}

func loadCorpus(t *testing.T, rel string) (*inventory.Inventory, []result.Diagnostic, []bool) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpus.Dir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return loadBytes(t, filepath.Base(rel), data)
}

const nodeARN = "arn:aws:iam::555555555555:role/devel-worker-nodes-NodeInstanceRole-74RF4UBDUKL6"

// fixture builds the AWSAuth the authenticator's own yaml_test.go fixtures decode to.
func fixture(file string, nodeGroups []string) *inventory.AWSAuth {
	at := func(l, c int) inventory.Source { return inventory.At(file, l, c) }
	return &inventory.AWSAuth{
		ID: "awsauth:_", Kind: inventory.AuthConfigMap, Source: at(1, 1),
		Sections: []inventory.AuthSection{
			{ID: "awsauth:_/mapRoles", Name: "mapRoles", Source: at(7, 3)},
			{ID: "awsauth:_/mapUsers", Name: "mapUsers", Source: at(13, 3)},
			{ID: "awsauth:_/mapAccounts", Name: "mapAccounts", Source: at(18, 3)},
		},
		MapRoles: []*inventory.AuthEntry{{
			ID: "awsauth:_/mapRoles/0", Section: "mapRoles", ARN: nodeARN,
			Username: "system:node:{{EC2PrivateDNSName}}", Groups: nodeGroups, Source: at(8, 7),
		}},
		MapUsers: []*inventory.AuthEntry{{
			ID: "awsauth:_/mapUsers/0", Section: "mapUsers", ARN: "arn:aws:iam::555555555555:user/admin",
			Username: "admin", Groups: []string{"system:masters"}, Source: at(14, 7),
		}},
		MapAccounts: []inventory.AccountRef{{ID: "awsauth:_/mapAccounts/0", Account: "555555555555", Source: at(19, 7)}},
	}
}

func unrecognized(file string, keys ...string) *inventory.AWSAuth {
	a := &inventory.AWSAuth{ID: "awsauth:_", Kind: inventory.AuthConfigMap, Source: inventory.At(file, 1, 1)}
	for i, k := range keys {
		a.UnrecognizedKeys = append(a.UnrecognizedKeys, inventory.KeyRef{
			ID: "awsauth:_/" + k, Key: k, Source: inventory.At(file, []int{7, 13, 18}[i], 3),
		})
	}
	return a
}

// The aws-iam-authenticator's own test fixtures (pkg/mapper/configmap/yaml_test.go).
func TestAuthenticatorFixtures(t *testing.T) {
	nodes := []string{"system:bootstrappers", "system:nodes"}
	tests := []struct {
		file      string
		want      []*inventory.AWSAuth
		wantDiags []result.Diagnostic
	}{
		{file: "authenticator-testdata-basic.yaml", want: []*inventory.AWSAuth{fixture("authenticator-testdata-basic.yaml", nodes)}},
		// "crazy-case-keys" / "open-source-case-keys": entry field names match case-insensitively.
		{file: "authenticator-testdata-crazy-case-keys.yaml", want: []*inventory.AWSAuth{fixture("authenticator-testdata-crazy-case-keys.yaml", nodes)}},
		{file: "authenticator-testdata-camelcase-arn-keys.yaml", want: []*inventory.AWSAuth{fixture("authenticator-testdata-camelcase-arn-keys.yaml", nodes)}},
		// "space-out-of-place": the mis-indented item folds into the previous group (D3.6).
		{file: "authenticator-testdata-space-out-of-place.yaml", want: []*inventory.AWSAuth{
			fixture("authenticator-testdata-space-out-of-place.yaml", []string{"system:bootstrappers - system:nodes"})}},
		// "lower-case-top-keys" / "crazy-case-top-keys": top keys are case-sensitive, nothing is read.
		{
			file: "authenticator-testdata-lower-case-top-keys.yaml",
			want: []*inventory.AWSAuth{unrecognized("authenticator-testdata-lower-case-top-keys.yaml", "maproles", "mapusers", "mapaccounts")},
		},
		{
			file: "authenticator-testdata-crazy-case-top-keys.yaml",
			want: []*inventory.AWSAuth{unrecognized("authenticator-testdata-crazy-case-top-keys.yaml", "MaPrOlEs", "mApUsErS", "MaPrCcOuNtS")},
		},
		// "missing-bar": the ConfigMap cannot be created (data values must be strings).
		{
			file: "authenticator-testdata-missing-bar.yaml",
			wantDiags: []result.Diagnostic{{
				Severity: result.DiagError, File: "authenticator-testdata-missing-bar.yaml", Line: 8, Column: 5,
				Message: `ConfigMap data value "mapRoles" must be a string, not a list; write "mapRoles: |" followed by the indented YAML (Kubernetes rejects this object, so the authenticator never reads it)`,
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			inv, diags, rec := loadCorpus(t, "aws-auth/"+tt.file)
			if diff := cmp.Diff([]bool{true}, rec); diff != "" {
				t.Errorf("recognized (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, inv.AWSAuth); diff != "" {
				t.Errorf("AWSAuth (-want +got):\n%s", diff)
			}
			var errs []result.Diagnostic
			for _, d := range diags {
				if d.Severity == result.DiagError {
					errs = append(errs, d)
				}
			}
			if diff := cmp.Diff(tt.wantDiags, errs); diff != "" {
				t.Errorf("error diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAWSAuthConfigMap(t *testing.T) {
	t.Run("kubectl get output with last-applied annotation reads data only", func(t *testing.T) {
		inv, diags, rec := loadCorpus(t, "aws-auth/enaccess-kubectl-get-output-with-last-applied.yaml")
		if len(inv.AWSAuth) != 1 || !rec[0] || len(diags) != 0 {
			t.Fatalf("sources=%d rec=%v diags=%v", len(inv.AWSAuth), rec, diags)
		}
		a := inv.AWSAuth[0]
		var users []string
		for _, u := range a.MapUsers {
			users = append(users, u.Username)
		}
		if diff := cmp.Diff([]string{"daniel", "yannick"}, users); diff != "" {
			t.Errorf("users (-want +got):\n%s", diff)
		}
		if len(inv.ServiceAccounts) != 0 {
			t.Errorf("unexpected service accounts")
		}
	})
	t.Run("aws-auth outside kube-system is recognised, warned about and ignored", func(t *testing.T) {
		inv, diags, rec := loadBytes(t, "cm.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: default\ndata:\n  mapRoles: |\n    - rolearn: x\n"))
		want := []result.Diagnostic{{Severity: result.DiagWarning, File: "cm.yaml", Line: 5, Column: 14,
			Message: `ConfigMap aws-auth in namespace "default" is ignored: aws-iam-authenticator reads only kube-system/aws-auth`}}
		if diff := cmp.Diff(want, diags); diff != "" || !rec[0] || len(inv.AWSAuth) != 0 {
			t.Errorf("rec=%v sources=%d diags (-want +got):\n%s", rec, len(inv.AWSAuth), diff)
		}
	})
	t.Run("aws-auth without namespace is read", func(t *testing.T) {
		inv, _, _ := loadBytes(t, "cm.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\ndata:\n  mapRoles: |\n    - rolearn: x\n"))
		if len(inv.AWSAuth) != 1 || len(inv.AWSAuth[0].MapRoles) != 1 {
			t.Errorf("sources = %+v", inv.AWSAuth)
		}
	})
	t.Run("mapRoles entry position inside the block scalar", func(t *testing.T) {
		inv, _, _ := loadCorpus(t, "aws-auth/cartography-admin-and-developer-roles.yaml")
		var got [][2]int
		for _, e := range inv.AWSAuth[0].MapRoles {
			got = append(got, [2]int{e.Source.Line, e.Source.Column})
		}
		// "    - rolearn: …" on lines 8, 13, 17: the entry mapping starts at column 7.
		if diff := cmp.Diff([][2]int{{8, 7}, {13, 7}, {17, 7}}, got); diff != "" {
			t.Errorf("positions (-want +got):\n%s", diff)
		}
	})
	t.Run("section error inside the block is positioned at the inner line", func(t *testing.T) {
		inv, _, _ := loadCorpus(t, "aws-auth/awsdocs-hybrid-nodes-example.yaml")
		s := inv.AWSAuth[0].Sections[0]
		if s.Error == "" || s.Source.Line != 10 || s.Source.Column != 5 || len(inv.AWSAuth[0].MapRoles) != 0 {
			t.Errorf("section = %+v", s)
		}
	})
	t.Run("kind List holding aws-auth", func(t *testing.T) {
		src := "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: aws-auth\n    namespace: kube-system\n  data:\n    mapRoles: |\n      - rolearn: arn:aws:iam::1:role/x\n"
		inv, _, _ := loadBytes(t, "l.yaml", []byte(src))
		if len(inv.AWSAuth) != 1 || inv.AWSAuth[0].MapRoles[0].Source != inventory.At("l.yaml", 11, 9) {
			t.Errorf("sources = %+v", inv.AWSAuth)
		}
	})
}

func TestServiceAccounts(t *testing.T) {
	sa := func(ns, name string, line int, ann ...inventory.Annotation) *inventory.ServiceAccount {
		id := inventory.ServiceAccountID("", ns, name)
		for i := range ann {
			ann[i].ID = inventory.AnnotationID(id, ann[i].Key)
		}
		return &inventory.ServiceAccount{ID: id, Namespace: ns, Name: name, Annotations: ann, Source: inventory.At("sa.yaml", line, 1)}
	}
	an := func(k, v string, l, c int) inventory.Annotation {
		return inventory.Annotation{Key: k, Value: v, Source: inventory.At("sa.yaml", l, c)}
	}
	tests := []struct {
		name  string
		src   string
		want  []*inventory.ServiceAccount
		diags []result.Diagnostic
		rec   []bool
	}{
		{
			name: "annotations with positions, namespace defaults to default",
			src:  "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::1:role/r\n    eks.amazonaws.com/audience: \"sts.amazonaws.com\"\n",
			want: []*inventory.ServiceAccount{sa("default", "app", 1,
				an("eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/r", 6, 5),
				an("eks.amazonaws.com/audience", "sts.amazonaws.com", 7, 5))},
			rec: []bool{true},
		},
		{
			name: "multi-document with unrelated kinds",
			src:  "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: ns1\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\n  namespace: ns2\n",
			want: []*inventory.ServiceAccount{sa("ns1", "a", 1), sa("ns2", "b", 12)},
			rec:  []bool{true, false, true},
		},
		{
			name: "kind List items each positioned",
			src:  "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: a\n    annotations:\n      k: v\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: b\n",
			want: []*inventory.ServiceAccount{
				{ID: inventory.ServiceAccountID("", "default", "a"), Namespace: "default", Name: "a", Source: inventory.At("sa.yaml", 4, 3),
					Annotations: []inventory.Annotation{{ID: inventory.AnnotationID(inventory.ServiceAccountID("", "default", "a"), "k"), Key: "k", Value: "v", Source: inventory.At("sa.yaml", 9, 7)}}},
				{ID: inventory.ServiceAccountID("", "default", "b"), Namespace: "default", Name: "b", Source: inventory.At("sa.yaml", 10, 3)},
			},
			rec: []bool{true},
		},
		{
			name:  "missing name is a positioned error",
			src:   "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  annotations:\n    eks.amazonaws.com/role-arn: x\n",
			diags: []result.Diagnostic{{Severity: result.DiagError, File: "sa.yaml", Line: 4, Column: 3, Message: "ServiceAccount needs metadata.name (a non-empty string)"}},
			rec:   []bool{true},
		},
		{
			name:  "annotations not a mapping",
			src:   "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  annotations:\n  - x\n",
			want:  []*inventory.ServiceAccount{sa("default", "a", 1)},
			diags: []result.Diagnostic{{Severity: result.DiagError, File: "sa.yaml", Line: 6, Column: 3, Message: "ServiceAccount default/a: metadata.annotations must be a mapping of strings"}},
			rec:   []bool{true},
		},
		{
			name: "unquoted number annotation keeps its text with an error",
			src:  "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  annotations:\n    eks.amazonaws.com/token-expiration: 86400\n",
			want: []*inventory.ServiceAccount{sa("default", "a", 1, an("eks.amazonaws.com/token-expiration", "86400", 6, 5))},
			diags: []result.Diagnostic{{Severity: result.DiagError, File: "sa.yaml", Line: 6, Column: 41,
				Message: `annotation "eks.amazonaws.com/token-expiration" must be a string; quote the value ("86400")`}},
			rec: []bool{true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags, rec := loadBytes(t, "sa.yaml", []byte(tt.src))
			if diff := cmp.Diff(tt.want, inv.ServiceAccounts); diff != "" {
				t.Errorf("service accounts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.diags, diags); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.rec, rec); diff != "" {
				t.Errorf("recognized (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServiceAccountCorpus(t *testing.T) {
	inv, diags, rec := loadCorpus(t, "serviceaccount/pod-identity-webhook-readme-sa-all-annotations.yaml")
	if len(diags) != 0 || !rec[0] || len(inv.ServiceAccounts) != 1 {
		t.Fatalf("diags=%v rec=%v", diags, rec)
	}
	var got []string
	for _, a := range inv.ServiceAccounts[0].Annotations {
		got = append(got, fmt.Sprintf("%s=%s@%d:%d", a.Key, a.Value, a.Source.Line, a.Source.Column))
	}
	want := []string{
		"eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/s3-reader@7:5",
		"eks.amazonaws.com/audience=sts.amazonaws.com@9:5",
		"eks.amazonaws.com/sts-regional-endpoints=true@12:5",
		"eks.amazonaws.com/token-expiration=86400@16:5",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	_, diags, rec = loadCorpus(t, "serviceaccount/awsdocs-cross-account-sa-missing-name.yaml")
	if len(diags) != 1 || diags[0].Severity != result.DiagError || diags[0].Line != 4 || !rec[0] {
		t.Errorf("missing name: diags=%v", diags)
	}
}

func TestRBAC(t *testing.T) {
	src := `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: r
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [create]
  resourceNames: [x]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cr
rules:
- nonResourceURLs: ["/healthz"]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb
  namespace: team
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects:
- {kind: ServiceAccount, name: sa}
- {kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: crb
roleRef: {kind: ClusterRole, name: cr}
subjects:
- {kind: User, name: alice}
`
	inv, diags, rec := loadBytes(t, "rbac.yaml", []byte(src))
	wantRoles := []*inventory.RBACRole{
		{ID: "k8s:_/role/default/r", Kind: "Role", Namespace: "default", Name: "r", Source: inventory.At("rbac.yaml", 1, 1),
			Rules: []inventory.RBACRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"create"}, ResourceNames: []string{"x"}}}},
		{ID: "k8s:_/clusterrole/cr", Kind: "ClusterRole", Name: "cr", Source: inventory.At("rbac.yaml", 11, 1),
			Rules: []inventory.RBACRule{{NonResourceURLs: []string{"/healthz"}, Verbs: []string{"get"}}}},
	}
	wantBindings := []*inventory.RBACBinding{
		{ID: "k8s:_/rolebinding/team/rb", Kind: "RoleBinding", Namespace: "team", Name: "rb", RoleKind: "Role", RoleName: "r",
			Source: inventory.At("rbac.yaml", 19, 1),
			// A ServiceAccount subject without namespace takes the binding's (RBAC authorizer).
			Subjects: []inventory.RBACSubject{{Kind: "ServiceAccount", Name: "sa", Namespace: "team"}, {Kind: "Group", Name: "devs"}}},
		{ID: "k8s:_/clusterrolebinding/crb", Kind: "ClusterRoleBinding", Name: "crb", RoleKind: "ClusterRole", RoleName: "cr",
			Source: inventory.At("rbac.yaml", 29, 1), Subjects: []inventory.RBACSubject{{Kind: "User", Name: "alice"}}},
	}
	if diff := cmp.Diff(wantRoles, inv.RBACRoles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantBindings, inv.RBACBindings); diff != "" {
		t.Errorf("bindings (-want +got):\n%s", diff)
	}
	if len(diags) != 0 || !cmp.Equal([]bool{true, true, true, true}, rec) {
		t.Errorf("diags=%v rec=%v", diags, rec)
	}

	t.Run("malformed rules are positioned errors and the rest is kept", func(t *testing.T) {
		inv, diags, _ := loadBytes(t, "rbac.yaml", []byte("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: c\nrules:\n- verbs: get\n- verbs: [list]\n  resources: [pods]\n"))
		want := []result.Diagnostic{{Severity: result.DiagError, File: "rbac.yaml", Line: 6, Column: 10, Message: "rules[0].verbs must be a list of strings"}}
		if diff := cmp.Diff(want, diags); diff != "" {
			t.Errorf("diags (-want +got):\n%s", diff)
		}
		if len(inv.RBACRoles) != 1 || len(inv.RBACRoles[0].Rules) != 2 {
			t.Errorf("roles = %+v", inv.RBACRoles)
		}
	})
}

func TestUnrelatedDocumentsAreSkipped(t *testing.T) {
	for _, src := range []string{
		"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n",
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: x\n",
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: x\n",
		"provider:\n  name: aws\n",
		"- rolearn: x\n",
		"plain\n",
	} {
		inv, diags, rec := loadBytes(t, "x.yaml", []byte(src))
		if rec[0] || len(diags) != 0 || len(inv.AWSAuth)+len(inv.ServiceAccounts)+len(inv.RBACRoles)+len(inv.RBACBindings) != 0 {
			t.Errorf("%q: recognized=%v diags=%v", src, rec, diags)
		}
	}
}

func TestEksctlFilesAreSkipped(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus.Dir(t), "eksctl", "*"))
	if len(files) == 0 {
		t.Fatal("no eksctl corpus files")
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		docs, err := docnode.Parse(filepath.Base(f), data)
		if err != nil {
			continue // not YAML at all; the dispatcher reports it
		}
		for _, d := range docs {
			inv := &inventory.Inventory{}
			ok1, d1 := Load(d, "", inv)
			ok2, d2 := awsauth.Load(d, "", inv)
			if ok1 || ok2 || len(d1)+len(d2) != 0 {
				t.Errorf("%s doc %d: recognized kube=%v awsauth=%v diags=%v %v", filepath.Base(f), d.Index, ok1, ok2, d1, d2)
			}
		}
	}
}

// Every corpus file: no panic, every error diagnostic is positioned, and each document is
// claimed by at most one of the two loaders.
func TestCorpusWalk(t *testing.T) {
	root := corpus.Dir(t)
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		docs, _ := docnode.Parse(rel, data)
		inv := &inventory.Inventory{}
		for _, doc := range docs {
			ok1, d1 := Load(doc, "c", inv)
			ok2, d2 := awsauth.Load(doc, "c", inv)
			if ok1 && ok2 {
				t.Errorf("%s doc %d claimed by both loaders", rel, doc.Index)
			}
			for _, dg := range append(d1, d2...) {
				if dg.Severity == result.DiagError && dg.Line <= 0 {
					t.Errorf("%s: error diagnostic without a line: %v", rel, dg)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Errorf("walked only %d files", n)
	}
}

func FuzzKube(f *testing.F) {
	for _, dir := range []string{"serviceaccount", "aws-auth", "eksctl"} {
		files, _ := filepath.Glob(filepath.Join(corpus.Dir(f), dir, "*"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- kind: List\n  items: [{kind: ServiceAccount, metadata: {name: a}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, _ := docnode.Parse("fuzz.yaml", data)
		inv := &inventory.Inventory{}
		for _, d := range docs {
			_, diags := Load(d, "c", inv)
			for _, dg := range diags {
				if dg.Severity == result.DiagError && dg.Line <= 0 {
					t.Fatalf("error diagnostic without a line: %v", dg)
				}
			}
		}
	})
}
