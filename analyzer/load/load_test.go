package load

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/corpus"
)

const (
	trustYAML = `Version: "2012-10-17"
Statement:
  - Effect: Allow
    Principal: {Service: pods.eks.amazonaws.com}
    Action: [sts:AssumeRole, sts:TagSession]
`
	getRole = `{
  "Role": {
    "Path": "/",
    "RoleName": "app",
    "RoleId": "AROAEXAMPLEAPP",
    "Arn": "arn:aws:iam::111122223333:role/app",
    "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D",
    "Tags": [{"Key": "team", "Value": "a"}]
  }
}
`
	listRoles = `{
  "Roles": [
    {
      "Path": "/",
      "RoleName": "app",
      "Arn": "arn:aws:iam::111122223333:role/app",
      "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}
    },
    {
      "Path": "/",
      "RoleName": "other",
      "Arn": "arn:aws:iam::111122223333:role/other",
      "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}
    }
  ]
}
`
	deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
`
	helmValues = `replicaCount: 2
image:
  repository: nginx
`
	serviceAccount = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: payments
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/app
`
)

func describeCluster(name string) string {
	return `{"cluster": {"name": "` + name + `", "arn": "arn:aws:eks:eu-west-1:111122223333:cluster/` + name + `",
 "identity": {"oidc": {"issuer": "https://oidc.eks.eu-west-1.amazonaws.com/id/` + strings.ToUpper(name) + `"}},
 "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"}}}`
}

// tree writes files (slash paths → content) under a fresh folder and makes it the working
// directory, so paths are given and reported relative, as a user types them.
func tree(t *testing.T, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
}

func roleIDs(inv *inventory.Inventory) []string {
	var out []string
	for _, r := range inv.Roles {
		out = append(out, r.ID)
	}
	return out
}

func TestLoadFindsInputsByContent(t *testing.T) {
	tree(t, map[string]string{
		"in/trust/app-trust.yaml":   trustYAML,  // a trust policy saved as YAML
		"in/k8s/deploy.yaml":        deployment, // not ours: skipped silently
		"in/chart/values.yaml":      helmValues, // not ours: skipped silently
		"in/notes/get-role.txt":     getRole,    // not a .json/.yaml inside a folder: not read
		"in/.git/config.json":       listRoles,  // hidden folder: not walked
		"extra/get-role-output.txt": getRole,    // named explicitly: read whatever its extension
	})
	inv, diags := Load(t.Context(), []string{"in", "extra/get-role-output.txt"}, Options{})
	if len(diags) != 0 {
		t.Errorf("unexpected diagnostics: %v", diags)
	}
	wantRoles := []string{"arn:aws:iam::111122223333:role/app", "arn:aws:iam:::role/app-trust"}
	if diff := cmp.Diff(wantRoles, roleIDs(inv)); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	wantFiles := []string{"extra/get-role-output.txt", "in/chart/values.yaml", "in/k8s/deploy.yaml", "in/trust/app-trust.yaml"}
	if diff := cmp.Diff(wantFiles, inv.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	wantSources := []inventory.Source{inventory.At("extra/get-role-output.txt", 2, 11), inventory.At("in/trust/app-trust.yaml", 1, 1)}
	var sources []inventory.Source
	for _, r := range inv.Roles {
		sources = append(sources, r.Source)
	}
	if diff := cmp.Diff(wantSources, sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

func TestLoadKeepsGoingPastBadFiles(t *testing.T) {
	tree(t, map[string]string{
		"in/a-broken.json": "{\n  \"Roles\": [\n    {\"Arn\": \"arn:aws:iam::111122223333:role/x\",}\n  ]\n}\n",
		"in/b-roles.json":  listRoles,
		"in/c-bad.yaml":    "kind: ServiceAccount\nmetadata:\n  name: a: b\n",
	})
	inv, diags := Load(t.Context(), []string{"in", "missing.json"}, Options{})
	want := []result.Diagnostic{
		{Severity: "error", File: "in/a-broken.json", Line: 3, Column: 48, Message: "invalid JSON: invalid character '}' looking for beginning of object key string"},
		{Severity: "error", File: "in/c-bad.yaml", Line: 3, Column: 3, Message: "invalid YAML: mapping values are not allowed in this context"},
		{Severity: "error", File: "missing.json", Message: "cannot read input: no such file or directory"},
	}
	if diff := cmp.Diff(want, diags); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/other"}, roleIDs(inv)); diff != "" {
		t.Errorf("roles of the good file (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"in/a-broken.json", "in/b-roles.json", "in/c-bad.yaml"}, inv.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

func TestLoadReadsStdin(t *testing.T) {
	tests := []struct {
		name      string
		stdin     string
		wantRoles []string
		wantFile  string
	}{
		{"get-role output on stdin", getRole, []string{"arn:aws:iam::111122223333:role/app"}, StdinName},
		{"bare trust policy on stdin is role stdin", trustYAML, []string{"arn:aws:iam:::role/stdin"}, StdinName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := Load(t.Context(), []string{"-"}, Options{Stdin: strings.NewReader(tt.stdin)})
			if len(diags) != 0 {
				t.Errorf("unexpected diagnostics: %v", diags)
			}
			if diff := cmp.Diff(tt.wantRoles, roleIDs(inv)); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
			if len(inv.Roles) == 1 && inv.Roles[0].Source.File != tt.wantFile {
				t.Errorf("source file = %q, want %q", inv.Roles[0].Source.File, tt.wantFile)
			}
		})
	}
}

func TestLoadMergesRecordsOfTheSameElement(t *testing.T) {
	tree(t, map[string]string{
		"aws/get-role.json":   getRole,
		"aws/list-roles.json": listRoles,
		"aws/entry.json": `{"accessEntry": {"clusterName": "prod", "principalArn": "arn:aws:iam::111122223333:role/app",
  "kubernetesGroups": ["devs"], "username": "app", "type": "STANDARD"}}`,
		"aws/a-policies.json": `{"clusterName": "prod", "principalArn": "arn:aws:iam::111122223333:role/app",
  "associatedAccessPolicies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", "accessScope": {"type": "cluster"}}]}`,
		"aws/b-policy-only.json": `{"clusterName": "prod", "principalArn": "arn:aws:iam::111122223333:role/ci",
  "associatedAccessPolicy": {"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy", "accessScope": {"type": "namespace", "namespaces": ["ci"]}}}`,
		"aws/oidc-list.json":  `{"OpenIDConnectProviderList": [{"Arn": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/PROD"}]}`,
		"aws/oidc-get.json":   `{"Url": "oidc.eks.eu-west-1.amazonaws.com/id/PROD", "ClientIDList": ["sts.amazonaws.com"], "ThumbprintList": []}`,
		"aws/oidc-other.json": `{"Url": "oidc.eks.eu-west-1.amazonaws.com/id/UNLISTED", "ClientIDList": ["sts.amazonaws.com"]}`,
		"aws/pia-list.json":   `{"associations": [{"clusterName": "prod", "namespace": "payments", "serviceAccount": "api"}]}`,
		"aws/pia.json":        `{"association": {"clusterName": "prod", "namespace": "payments", "serviceAccount": "api", "roleArn": "arn:aws:iam::111122223333:role/app"}}`,
	})
	inv, diags := Load(t.Context(), []string{"aws"}, Options{})
	if len(diags) != 0 {
		t.Errorf("unexpected diagnostics: %v", diags)
	}

	// get-role (tags, role ID) is richer than list-roles; both name the same role.
	if diff := cmp.Diff([]string{"arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/other"}, roleIDs(inv)); diff != "" {
		t.Fatalf("roles (-want +got):\n%s", diff)
	}
	app := inv.Roles[0]
	if app.RoleID != "AROAEXAMPLEAPP" || app.Tags["team"] != "a" || app.Trust == nil || app.Source.File != "aws/get-role.json" {
		t.Errorf("merged role lost get-role's details: %+v", app)
	}
	if diff := cmp.Diff(map[string]bool{"111122223333": true}, inv.RoleListAccounts); diff != "" {
		t.Errorf("RoleListAccounts (-want +got):\n%s", diff)
	}

	type entry struct {
		ID, Type, Username string
		Groups             []string
		Policies           []string
		File               string
	}
	var entries []entry
	for _, e := range inv.AccessEntries {
		en := entry{ID: e.ID, Type: e.Type, Username: e.Username, Groups: e.KubernetesGroups, File: e.Source.File}
		for _, p := range e.Policies {
			en.Policies = append(en.Policies, p.PolicyARN+" "+p.ScopeType+" "+strings.Join(p.Namespaces, ","))
		}
		entries = append(entries, en)
	}
	wantEntries := []entry{
		{ID: "eks:prod/accessentry/arn:aws:iam::111122223333:role/app", Type: "STANDARD", Username: "app", Groups: []string{"devs"},
			Policies: []string{"arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy cluster "}, File: "aws/entry.json"},
		{ID: "eks:prod/accessentry/arn:aws:iam::111122223333:role/ci", Type: "STANDARD",
			Policies: []string{"arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy namespace ci"}, File: "aws/b-policy-only.json"},
	}
	if diff := cmp.Diff(wantEntries, entries); diff != "" {
		t.Errorf("access entries (-want +got):\n%s", diff)
	}

	type provider struct{ ID, ARN, URL string }
	var providers []provider
	for _, p := range inv.OIDCProviders {
		providers = append(providers, provider{p.ID, p.ARN, p.URL})
		if p.URL == "oidc.eks.eu-west-1.amazonaws.com/id/PROD" && !cmp.Equal(p.ClientIDs, []string{"sts.amazonaws.com"}) {
			t.Errorf("listed provider did not get the described audiences: %+v", p)
		}
	}
	wantProviders := []provider{
		{"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/PROD",
			"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/PROD", "oidc.eks.eu-west-1.amazonaws.com/id/PROD"},
		{"arn:aws:iam:::oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/UNLISTED", "", "oidc.eks.eu-west-1.amazonaws.com/id/UNLISTED"},
	}
	if diff := cmp.Diff(wantProviders, providers); diff != "" {
		t.Errorf("providers (-want +got):\n%s", diff)
	}

	if len(inv.PodIdentity) != 1 || inv.PodIdentity[0].RoleARN != "arn:aws:iam::111122223333:role/app" {
		t.Errorf("pod identity: the described association should replace the summary: %+v", inv.PodIdentity)
	}
}

func TestLoadWarnsWhenTwoPolicyFilesNameTheSameRole(t *testing.T) {
	tree(t, map[string]string{
		"a/trust.json": `{"Version": "2012-10-17", "Statement": []}`,
		"b/trust.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}`,
	})
	inv, diags := Load(t.Context(), []string{"."}, Options{})
	want := []result.Diagnostic{{Severity: "warning", File: "./b/trust.json", Line: 1, Column: 1,
		Message: `this policy file stands for role "trust", as does ./a/trust.json:1:1; only the first is analysed (rename one of the files)`}}
	if diff := cmp.Diff(want, diags); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if len(inv.Roles) != 1 || inv.Roles[0].Source.File != "./a/trust.json" {
		t.Errorf("want the first file's role kept, got %+v", inv.Roles)
	}
}

func TestClusterResolution(t *testing.T) {
	sa := "kind: ServiceAccount\nmetadata: {name: x}\n"
	tests := []struct {
		name      string
		files     map[string]string
		flag      string
		want      map[string]string // manifest file → cluster it was loaded into
		wantDiags []result.Diagnostic
	}{
		{
			name:  "no cluster known: the unnamed cluster",
			files: map[string]string{"k8s/sa.yaml": sa},
			want:  map[string]string{"k8s/sa.yaml": ""},
		},
		{
			name: "exactly one known cluster takes every manifest",
			files: map[string]string{
				"aws/cluster.json": describeCluster("prod"),
				"k8s/dev/sa.yaml":  sa,
			},
			want: map[string]string{"k8s/dev/sa.yaml": "prod"},
		},
		{
			name: "a cluster named only by an access entry counts as known",
			files: map[string]string{
				"aws/entry.json": `{"accessEntry": {"clusterName": "prod", "principalArn": "arn:aws:iam::111122223333:role/a"}}`,
				"k8s/sa.yaml":    sa,
			},
			want: map[string]string{"k8s/sa.yaml": "prod"},
		},
		{
			name: "with several clusters a folder named like one decides, nearest folder first",
			files: map[string]string{
				"aws/prod.json":          describeCluster("prod"),
				"aws/staging.json":       describeCluster("staging"),
				"k8s/prod/sa.yaml":       sa,
				"k8s/staging/app/sa.yml": sa,
				"prod/staging/sa.yaml":   sa,
			},
			want: map[string]string{"k8s/prod/sa.yaml": "prod", "k8s/staging/app/sa.yml": "staging", "prod/staging/sa.yaml": "staging"},
		},
		{
			name: "with several clusters and no matching folder: unnamed cluster and a warning",
			files: map[string]string{
				"aws/prod.json":    describeCluster("prod"),
				"aws/staging.json": describeCluster("staging"),
				"k8s/other/a.yaml": "kind: Deployment\n---\n" + sa,
			},
			want: map[string]string{"k8s/other/a.yaml": ""},
			wantDiags: []result.Diagnostic{{Severity: "warning", File: "k8s/other/a.yaml", Line: 3, Column: 1,
				Message: "cannot tell which cluster this file belongs to: clusters prod, staging are known and no folder on its path is named like one; " +
					"its objects are assigned to the unnamed cluster (use --cluster NAME, or put the file in a folder named after the cluster)"}},
		},
		{
			name: "--cluster wins over folders and known clusters",
			files: map[string]string{
				"aws/prod.json":    describeCluster("prod"),
				"aws/staging.json": describeCluster("staging"),
				"k8s/prod/sa.yaml": sa,
			},
			flag: "dev",
			want: map[string]string{"k8s/prod/sa.yaml": "dev"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree(t, tt.files)
			var paths []string
			for p := range tt.files {
				paths = append(paths, p)
			}
			sort.Strings(paths)
			got := map[string]string{}
			fake := func(doc *docnode.Document, cluster string, _ *inventory.Inventory) (bool, []result.Diagnostic) {
				if k, _ := docnode.Str(docnode.Get(doc.Root, "kind")); k != "ServiceAccount" {
					return false, nil
				}
				got[doc.File] = cluster
				return true, nil
			}
			l := defaultLoaders()
			l.manifests = []ManifestLoader{fake}
			_, diags := load(t.Context(), paths, Options{Cluster: tt.flag}, l)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("clusters (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantDiags, diags); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadPlacesServiceAccountsInTheirCluster runs the real Kubernetes loader.
func TestLoadPlacesServiceAccountsInTheirCluster(t *testing.T) {
	tree(t, map[string]string{
		"aws/cluster.json": describeCluster("prod"),
		"k8s/sa.yaml":      serviceAccount,
	})
	inv, diags := Load(t.Context(), []string{"aws", "k8s"}, Options{})
	if len(diags) != 0 {
		t.Errorf("unexpected diagnostics: %v", diags)
	}
	var ids []string
	for _, s := range inv.ServiceAccounts {
		ids = append(ids, s.ID)
	}
	if diff := cmp.Diff([]string{inventory.ServiceAccountID("prod", "payments", "app")}, ids); diff != "" {
		t.Errorf("service accounts (-want +got):\n%s", diff)
	}
}

func TestResolveCluster(t *testing.T) {
	tests := []struct {
		name, file, flag string
		known            []string
		want             string
		warn             bool
	}{
		{"flag", "k8s/a.yaml", "x", []string{"a", "b"}, "x", false},
		{"none known", "k8s/a.yaml", "", nil, "", false},
		{"one known", "k8s/a.yaml", "", []string{"a"}, "a", false},
		{"file name is not a folder", "k8s/a", "", []string{"a", "b"}, "", true},
		{"folder match", "./a/x.yaml", "", []string{"a", "b"}, "a", false},
		{"no folder", "x.yaml", "", []string{"a", "b"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := resolveCluster(tt.file, tt.flag, tt.known)
			if got != tt.want || (why != "") != tt.warn {
				t.Errorf("resolveCluster(%q, %q, %v) = %q, %q; want %q, warning %v", tt.file, tt.flag, tt.known, got, why, tt.want, tt.warn)
			}
		})
	}
}

func TestLoadSortsEverySliceByID(t *testing.T) {
	inv, _ := Load(t.Context(), []string{corpus.Dir(t)}, Options{})
	check := func(kind string, ids []string) {
		if !sort.StringsAreSorted(ids) {
			t.Errorf("%s not sorted by ID: %v", kind, ids)
		}
		for i := 1; i < len(ids); i++ {
			if ids[i] == ids[i-1] {
				t.Errorf("%s: duplicate ID %s", kind, ids[i])
			}
		}
	}
	ids := func(n int, id func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = id(i)
		}
		return out
	}
	check("roles", ids(len(inv.Roles), func(i int) string { return inv.Roles[i].ID }))
	check("users", ids(len(inv.Users), func(i int) string { return inv.Users[i].ID }))
	check("groups", ids(len(inv.Groups), func(i int) string { return inv.Groups[i].ID }))
	check("managed policies", ids(len(inv.ManagedPolicies), func(i int) string { return inv.ManagedPolicies[i].ID }))
	check("clusters", ids(len(inv.Clusters), func(i int) string { return inv.Clusters[i].ID }))
	check("access entries", ids(len(inv.AccessEntries), func(i int) string { return inv.AccessEntries[i].ID }))
	check("pod identity", ids(len(inv.PodIdentity), func(i int) string { return inv.PodIdentity[i].ID }))
	check("service accounts", ids(len(inv.ServiceAccounts), func(i int) string { return inv.ServiceAccounts[i].ID }))
	check("aws-auth", ids(len(inv.AWSAuth), func(i int) string { return inv.AWSAuth[i].ID }))
	check("rbac roles", ids(len(inv.RBACRoles), func(i int) string { return inv.RBACRoles[i].ID }))
	check("rbac bindings", ids(len(inv.RBACBindings), func(i int) string { return inv.RBACBindings[i].ID }))
	if len(inv.Roles) == 0 || len(inv.Clusters) == 0 || len(inv.ServiceAccounts) == 0 {
		t.Errorf("corpus should yield roles, clusters and service accounts: %d, %d, %d", len(inv.Roles), len(inv.Clusters), len(inv.ServiceAccounts))
	}
}

// TestCorpus loads every real-world file on its own and the whole corpus at once: never a
// panic, every error positioned, every file recorded.
func TestCorpus(t *testing.T) {
	dir := corpus.Dir(t)
	files := corpus.Files(t)
	for _, rel := range files {
		t.Run(rel, func(t *testing.T) {
			inv, diags := Load(t.Context(), []string{filepath.Join(dir, filepath.FromSlash(rel))}, Options{})
			for _, d := range diags {
				if d.Severity == result.DiagError && d.Line <= 0 {
					t.Errorf("unpositioned error: %v", d)
				}
			}
			if len(inv.Files) != 1 {
				t.Errorf("files = %v, want the one file", inv.Files)
			}
		})
	}
	t.Run("all at once", func(t *testing.T) {
		inv, diags := Load(t.Context(), []string{dir}, Options{})
		for _, d := range diags {
			if d.Severity == result.DiagError && d.Line <= 0 {
				t.Errorf("unpositioned error: %v", d)
			}
		}
		var walked int
		for _, f := range files {
			if inFolder(f) {
				walked++
			}
		}
		if len(inv.Files) != walked {
			t.Errorf("read %d files, want %d", len(inv.Files), walked)
		}
	})
}

// TestCorpusBrokenFiles pins the diagnostics of the corpus files that are deliberately not JSON.
func TestCorpusBrokenFiles(t *testing.T) {
	tests := []struct {
		rel       string
		line, col int // 0: any positive value
	}{
		// The object of the second statement is never closed: JSON sees the ']' where a '}' belongs.
		{"trust-other/wellsiau-aft-admin-tfc-oidc-missing-brace.json", 25, 3},
		// A YAML-ish fragment; yaml.v3 reports parser errors at the start of the enclosing
		// flow mapping, so only the presence of a position is pinned here.
		{"trust-github-oidc/issue-unfunco-21-condition-fragment-with-comment.json", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.rel, func(t *testing.T) {
			inv, diags := Load(t.Context(), []string{corpus.File(t, tt.rel)}, Options{})
			if len(diags) != 1 || diags[0].Severity != result.DiagError || diags[0].Line <= 0 || diags[0].Column <= 0 ||
				(tt.line != 0 && (diags[0].Line != tt.line || diags[0].Column != tt.col)) {
				t.Errorf("diagnostics = %v, want one error at %d:%d", diags, tt.line, tt.col)
			}
			if len(inv.Roles) != 0 || len(inv.Files) != 1 {
				t.Errorf("a file that does not parse yields nothing but its name: roles %d files %v", len(inv.Roles), inv.Files)
			}
		})
	}
}

// TestLoadInFileOrder: files are parsed on every core, but loaded in file order — the files,
// the bytes handed to OnRead and the diagnostics come out as a one-by-one read gives them —
// and Terraform files among many others (read later, with their module) do not stall it.
func TestLoadInFileOrder(t *testing.T) {
	files := map[string]string{}
	var wantFiles []string
	var wantDiags []result.Diagnostic
	for i := range 5 * readAheadFiles {
		name := fmt.Sprintf("in/f%03d.yaml", i)
		switch i % 5 {
		case 0:
			name = fmt.Sprintf("in/f%03d.tf", i)
			files[name] = fmt.Sprintf("locals {\n  x%d = 1\n}\n", i)
			continue
		case 3:
			files[name] = "kind: ServiceAccount\nmetadata:\n  name: a: b\n"
			wantDiags = append(wantDiags, result.Diagnostic{Severity: "error", File: name, Line: 3, Column: 3,
				Message: "invalid YAML: mapping values are not allowed in this context"})
		default:
			files[name] = fmt.Sprintf("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa%03d\n  namespace: ns\n", i)
		}
		wantFiles = append(wantFiles, name)
	}
	tree(t, files)
	var read []string
	inv, diags := Load(t.Context(), []string{"in"}, Options{OnRead: func(name string, data []byte) {
		if data != nil && !strings.HasSuffix(name, ".tf") {
			read = append(read, name)
		}
	}})
	if diff := cmp.Diff(wantDiags, diags); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	var manifests []string
	for _, f := range inv.Files {
		if !strings.HasSuffix(f, ".tf") {
			manifests = append(manifests, f)
		}
	}
	if diff := cmp.Diff(wantFiles, manifests); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantFiles, read); diff != "" {
		t.Errorf("OnRead order (-want +got):\n%s", diff)
	}
	if want := 3 * readAheadFiles; len(inv.ServiceAccounts) != want {
		t.Errorf("%d ServiceAccounts, want %d", len(inv.ServiceAccounts), want)
	}
}
