package load

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
)

const snapshotFile = "testdata/snapshot.json"

const (
	acct        = "111122223333"
	prodHost    = "oidc.eks.eu-west-1.amazonaws.com/id/PROD"
	providerARN = "arn:aws:iam::" + acct + ":oidc-provider/" + prodHost
	entryARN    = "arn:aws:eks:eu-west-1:" + acct + ":access-entry/prod/role/" + acct + "/admin/1ecabc11-2222-3333-4444-555566667777"
	assocARN    = "arn:aws:eks:eu-west-1:" + acct + ":podidentityassociation/prod/a-abcdefghijklmnop1"
	gaad        = "iam:GetAccountAuthorizationDetails "
)

func snapAt(line, col int, ref string) inventory.Source {
	return inventory.Source{File: snapshotFile, Line: line, Column: col, Ref: ref}
}

// takePolicies removes the policy documents from inv (so the rest compares as plain data) and
// returns where each was read: "file:line:col", keyed by owner.
func takePolicies(inv *inventory.Inventory) map[string]string {
	out := map[string]string{}
	take := func(key string, p **iampolicy.Policy) {
		if *p != nil {
			out[key] = inventory.At((*p).File, (*p).Pos.Line, (*p).Pos.Column).String()
			*p = nil
		}
	}
	named := func(owner string, ps []inventory.NamedPolicy) {
		for i := range ps {
			take(owner+" inline "+ps[i].Name, &ps[i].Document)
		}
	}
	for _, r := range inv.Roles {
		take(r.ID+" trust", &r.Trust)
		named(r.ID, r.InlinePolicies)
	}
	for _, u := range inv.Users {
		named(u.ID, u.InlinePolicies)
	}
	for _, g := range inv.Groups {
		named(g.ID, g.InlinePolicies)
	}
	for _, p := range inv.ManagedPolicies {
		take(p.ID+" default", &p.Default)
	}
	return out
}

// wantSnapshotInventory is what testdata/snapshot.json holds, policy documents taken out.
func wantSnapshotInventory() *inventory.Inventory {
	role := "arn:aws:iam::" + acct + ":role/payments-api"
	user := "arn:aws:iam::" + acct + ":user/auditor"
	group := "arn:aws:iam::" + acct + ":group/readers"
	policy := "arn:aws:iam::" + acct + ":policy/eks-read"
	cm := "k8s:configmaps ConfigMap/kube-system/aws-auth"
	sa := "k8s:prod/serviceaccount/payments/api"
	return &inventory.Inventory{
		Roles: []*inventory.Role{{
			ID: role, ARN: role, Name: "payments-api", Path: "/", Account: acct, RoleID: "AROAEXAMPLEPAYMENTS",
			InlinePolicies: []inventory.NamedPolicy{{Name: "read-bucket", Source: snapAt(72, 15, gaad+role)}},
			Tags:           map[string]string{"team": "payments"},
			Source:         snapAt(46, 11, gaad+role),
		}},
		Users: []*inventory.User{{
			ID: user, ARN: user, Name: "auditor", Path: "/", Account: acct, UserID: "AIDAEXAMPLEAUDITOR",
			Groups: []string{"readers"}, Source: snapAt(18, 11, gaad+user),
		}},
		Groups: []*inventory.Group{{
			ID: group, ARN: group, Name: "readers", Account: acct,
			InlinePolicies:   []inventory.NamedPolicy{{Name: "read-iam", Source: snapAt(35, 15, gaad+group)}},
			AttachedPolicies: []string{policy},
			Source:           snapAt(29, 11, gaad+group),
		}},
		ManagedPolicies: []*inventory.ManagedPolicy{{ID: policy, ARN: policy, Name: "eks-read", Source: snapAt(83, 11, gaad+policy)}},
		OIDCProviders: []*inventory.OIDCProvider{{
			ID: providerARN, ARN: providerARN, Account: acct, URL: prodHost,
			ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"},
			// get-open-id-connect-provider is read before the list: its record is the one kept.
			Source: snapAt(104, 17, "iam:GetOpenIDConnectProvider "+providerARN),
		}},
		Clusters: []*inventory.Cluster{
			{
				ID: "eks:prod", Name: "prod", ARN: "arn:aws:eks:eu-west-1:" + acct + ":cluster/prod", Account: acct, Region: "eu-west-1",
				Issuer: "https://" + prodHost, AuthenticationMode: "API_AND_CONFIG_MAP",
				ServiceAccountsComplete: true, PodsRead: true, PodServiceAccounts: []string{"kube-system/coredns", "payments/api"},
				Source: snapAt(145, 20, "eks:DescribeCluster arn:aws:eks:eu-west-1:"+acct+":cluster/prod"),
			},
			// Known only from the collection state: no describe-cluster record names it.
			{ID: "eks:staging", Name: "staging", Source: snapAt(286, 5, "k8s cluster staging")},
		},
		AccessEntries: []*inventory.AccessEntry{{
			ID: "eks:prod/accessentry/arn:aws:iam::" + acct + ":role/admin", Cluster: "prod",
			PrincipalARN: "arn:aws:iam::" + acct + ":role/admin", Type: "STANDARD",
			Username: "arn:aws:sts::" + acct + ":assumed-role/admin/{{SessionName}}", KubernetesGroups: []string{},
			Policies: []inventory.AccessPolicy{{
				ID:        "eks:prod/accessentry/arn:aws:iam::" + acct + ":role/admin/policy/arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
				PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", ScopeType: "namespace", Namespaces: []string{"payments"},
				Source: snapAt(183, 11, "eks:ListAssociatedAccessPolicies "+entryARN),
			}},
			Source: snapAt(127, 24, "eks:DescribeAccessEntry "+entryARN),
		}},
		PodIdentity: []*inventory.PodIdentityAssociation{{
			ID: "eks:prod/podidentity/payments/worker", Cluster: "prod", Namespace: "payments", ServiceAccount: "worker",
			RoleARN: "arn:aws:iam::" + acct + ":role/payments-worker", AssociationARN: assocARN,
			Source: snapAt(161, 24, "eks:DescribePodIdentityAssociation "+assocARN),
		}},
		ServiceAccounts: []*inventory.ServiceAccount{
			{
				ID: sa, Cluster: "prod", Namespace: "payments", Name: "api",
				Annotations: []inventory.Annotation{{
					ID: sa + "/annotation/eks.amazonaws.com/role-arn", Key: "eks.amazonaws.com/role-arn", Value: role,
					Source: snapAt(262, 27, "k8s:serviceaccounts ServiceAccount/payments/api"),
				}},
				Source: snapAt(256, 17, "k8s:serviceaccounts ServiceAccount/payments/api"),
			},
			{
				ID: "k8s:prod/serviceaccount/payments/worker", Cluster: "prod", Namespace: "payments", Name: "worker",
				Source: snapAt(270, 17, "k8s:serviceaccounts ServiceAccount/payments/worker"),
			},
		},
		AWSAuth: []*inventory.AWSAuth{{
			ID: "awsauth:prod", Cluster: "prod", Kind: inventory.AuthConfigMap,
			Sections: []inventory.AuthSection{
				{ID: "awsauth:prod/mapRoles", Name: "mapRoles", Source: snapAt(224, 11, cm)},
				{ID: "awsauth:prod/mapUsers", Name: "mapUsers", Source: snapAt(225, 11, cm)},
			},
			// A JSON string does not line up with the file: entries point at the value.
			MapRoles: []*inventory.AuthEntry{{
				ID: "awsauth:prod/mapRoles/0", Section: "mapRoles", ARN: "arn:aws:iam::" + acct + ":role/node",
				Username: "system:node:{{EC2PrivateDNSName}}", Groups: []string{"system:bootstrappers", "system:nodes"},
				Source: snapAt(224, 23, cm),
			}},
			MapUsers: []*inventory.AuthEntry{{
				ID: "awsauth:prod/mapUsers/0", Section: "mapUsers", ARN: user,
				Username: "auditor", Groups: []string{"system:masters"}, Source: snapAt(225, 23, cm),
			}},
			Source: snapAt(219, 17, cm),
		}},
		RBACRoles: []*inventory.RBACRole{
			{
				ID: "k8s:prod/clusterrole/payments-reader", Cluster: "prod", Kind: "ClusterRole", Name: "payments-reader",
				Rules:  []inventory.RBACRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}}},
				Source: snapAt(208, 17, "k8s:clusterroles ClusterRole//payments-reader"),
			},
			{
				ID: "k8s:prod/role/payments/deployer", Cluster: "prod", Kind: "Role", Namespace: "payments", Name: "deployer",
				Rules:  []inventory.RBACRule{{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"create", "update"}}},
				Source: snapAt(245, 17, "k8s:roles Role/payments/deployer"),
			},
		},
		RBACBindings: []*inventory.RBACBinding{
			{
				ID: "k8s:prod/clusterrolebinding/payments-readers", Cluster: "prod", Kind: "ClusterRoleBinding", Name: "payments-readers",
				RoleKind: "ClusterRole", RoleName: "payments-reader",
				Subjects: []inventory.RBACSubject{{Kind: "Group", Name: "payments-readers"}},
				Source:   snapAt(196, 17, "k8s:clusterrolebindings ClusterRoleBinding//payments-readers"),
			},
			{
				ID: "k8s:prod/rolebinding/payments/deployers", Cluster: "prod", Kind: "RoleBinding", Namespace: "payments", Name: "deployers",
				RoleKind: "Role", RoleName: "deployer",
				Subjects: []inventory.RBACSubject{{Kind: "ServiceAccount", Name: "ci", Namespace: "payments"}},
				Source:   snapAt(233, 17, "k8s:rolebindings RoleBinding/payments/deployers"),
			},
		},
		RoleListAccounts:     map[string]bool{acct: true},
		ProviderListAccounts: map[string]bool{acct: true},
		IdentityAccounts:     map[string]bool{acct: true},
		Files:                []string{snapshotFile},
	}
}

// wantSnapshotDiagnostics are the collection's diagnostics, at their entries in the file.
var wantSnapshotDiagnostics = []result.Diagnostic{
	{Severity: result.DiagWarning, File: snapshotFile, Line: 294, Column: 5,
		Message: "live collection: no kube context serves cluster staging (add one with aws eks update-kubeconfig --name staging)"},
	{Severity: result.DiagWarning, File: snapshotFile, Line: 300, Column: 5,
		Message: "live collection: AccessDenied: not authorized to list the Pod Identity associations of cluster staging (missing eks:ListPodIdentityAssociations) — not evaluated: RC201, RC203"},
}

func TestLoadSnapshotFile(t *testing.T) {
	inv, diags := Load(t.Context(), []string{snapshotFile}, Options{})
	if diff := cmp.Diff(wantSnapshotDiagnostics, diags); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	wantPolicies := map[string]string{
		"arn:aws:iam::" + acct + ":role/payments-api trust":              snapshotFile + ":51:41",
		"arn:aws:iam::" + acct + ":role/payments-api inline read-bucket": snapshotFile + ":74:35",
		"arn:aws:iam::" + acct + ":group/readers inline read-iam":        snapshotFile + ":37:35",
		"arn:aws:iam::" + acct + ":policy/eks-read default":              snapshotFile + ":93:29",
	}
	if diff := cmp.Diff(wantPolicies, takePolicies(inv)); diff != "" {
		t.Errorf("policy documents (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantSnapshotInventory(), inv); diff != "" {
		t.Errorf("inventory (-want +got):\n%s", diff)
	}
}

// positioned lists every file position left in v: a Source with a file, line or column, a
// policy document with a file.
func positioned(v reflect.Value, path string, out *[]string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			positioned(v.Elem(), path, out)
		}
	case reflect.Struct:
		switch s := v.Interface().(type) {
		case inventory.Source:
			if s.File != "" || s.Line != 0 || s.Column != 0 {
				*out = append(*out, path+": "+s.String())
			}
			return
		case iampolicy.Policy:
			if s.File != "" {
				*out = append(*out, path+": policy document of "+s.File)
			}
			return
		}
		for i := range v.NumField() {
			positioned(v.Field(i), path+"."+v.Type().Field(i).Name, out)
		}
	case reflect.Slice:
		for i := range v.Len() {
			positioned(v.Index(i), path, out)
		}
	}
}

func TestLoadLiveSnapshotHasNoPositions(t *testing.T) {
	data, err := os.ReadFile(snapshotFile)
	if err != nil {
		t.Fatal(err)
	}
	inv, diags := Load(t.Context(), nil, Options{Live: []LiveInput{{Name: "live", Data: data}}})

	var left []string
	positioned(reflect.ValueOf(inv).Elem(), "inventory", &left)
	if len(left) != 0 {
		t.Errorf("live inventory keeps file positions:\n%s", strings.Join(left, "\n"))
	}
	// The same inventory as the file's, references included, without positions or the file.
	for p, at := range takePolicies(inv) {
		if at != "" {
			t.Errorf("policy document %s is placed at %s", p, at)
		}
	}
	want := wantSnapshotInventory()
	want.Files = nil
	noPos := cmp.Transformer("ref", func(s inventory.Source) string { return s.Ref })
	if diff := cmp.Diff(want, inv, noPos); diff != "" {
		t.Errorf("inventory, positions aside (-want +got):\n%s", diff)
	}
	var wantDiags []result.Diagnostic
	for _, d := range wantSnapshotDiagnostics {
		d.File, d.Line, d.Column = "", 0, 0
		wantDiags = append(wantDiags, d)
	}
	if diff := cmp.Diff(wantDiags, diags); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestLoadSnapshotVersion(t *testing.T) {
	tests := []struct {
		name, version, got string
	}{
		{"a later version", "2", "2"},
		{"a version written as a string", `"1"`, `"1"`},
		{"no version", "null", "null"},
		{"a list", "[1]", "a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := `{
  "rolecall_snapshot": ` + tt.version + `,
  "records": [{"api": "eks:DescribeCluster", "output": {"cluster": {"name": "prod"}}}]
}`
			for _, live := range []bool{false, true} {
				inv, diags := loadSnapshotBytes(t, data, live)
				want := result.Diagnostic{Severity: result.DiagError, File: "s.json", Line: 2, Column: 3,
					Message: "snapshot format version " + tt.got + " is not supported by this rolecall (expected 1); collect it again with this version"}
				if live {
					want.File, want.Line, want.Column = "", 0, 0
					want.Message = "live snapshot s.json: " + want.Message
				}
				if diff := cmp.Diff([]result.Diagnostic{want}, diags); diff != "" {
					t.Errorf("live=%v: diagnostics (-want +got):\n%s", live, diff)
				}
				if len(inv.Clusters) != 0 {
					t.Errorf("live=%v: a snapshot of another version was read: %d clusters", live, len(inv.Clusters))
				}
			}
		})
	}
}

// loadSnapshotBytes loads data as the file s.json, or as a live input named s.json.
func loadSnapshotBytes(t *testing.T, data string, live bool) (*inventory.Inventory, []result.Diagnostic) {
	t.Helper()
	if live {
		return Load(t.Context(), nil, Options{Live: []LiveInput{{Name: "s.json", Data: []byte(data)}}})
	}
	tree(t, map[string]string{"s.json": data})
	return Load(t.Context(), []string{"s.json"}, Options{})
}

const brokenSnapshot = `{
  "rolecall_snapshot": 1,
  "records": [
    "not a record",
    {"ref": "x", "output": {"cluster": {"name": "a"}}},
    {"api": 5, "output": {"cluster": {"name": "b"}}},
    {"api": "eks:DescribeCluster", "ref": "arn:c"},
    {"api": "eks:DescribeCluster", "output": "cluster d"},
    {"api": "eks:DescribeCluster", "cluster": ["e"], "output": {"cluster": {"name": "e"}}},
    {"api": "sts:GetCallerIdentity", "ref": "arn:aws:iam::111122223333:root", "output": {"Account": "111122223333"}},
    {"api": "k8s:serviceaccounts", "ref": "ServiceAccount/ns/", "cluster": "prod", "output": {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"namespace": "ns"}}},
    {"api": "k8s:serviceaccounts", "ref": "ServiceAccount/ns/good", "cluster": "prod", "output": {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "good", "namespace": "ns"}}}
  ],
  "clusters": [
    {"name": "prod", "pods_read": "yes", "service_accounts_complete": true},
    {"pods_read": true}
  ],
  "diagnostics": [
    {"severity": "error", "message": "collection stopped: context deadline exceeded"}
  ]
}`

func TestLoadSnapshotKeepsGoingPastBrokenRecords(t *testing.T) {
	at := func(sev string, line, col int, msg string) result.Diagnostic {
		return result.Diagnostic{Severity: sev, File: "s.json", Line: line, Column: col, Message: msg}
	}
	const rec = `(expected {"api": "SERVICE:Operation", "ref", "cluster", "output": {...}})`
	wantFile := []result.Diagnostic{
		at(result.DiagError, 4, 5, "snapshot: records[0] must be an object"),
		at(result.DiagError, 5, 5, "snapshot record 0 has no api "+rec),
		at(result.DiagError, 6, 13, "snapshot record 1: api must be a string "+rec),
		at(result.DiagError, 7, 5, "snapshot record 2 has no output "+rec),
		at(result.DiagError, 8, 46, "snapshot record 3: output must be an object (the API's answer), not a str"),
		at(result.DiagError, 9, 47, "snapshot record 4: cluster must be a string"),
		at(result.DiagWarning, 10, 5, "snapshot record 5 (sts:GetCallerIdentity arn:aws:iam::111122223333:root): rolecall does not read this answer; the record is skipped"),
		at(result.DiagError, 11, 153, "ServiceAccount needs metadata.name (a non-empty string)"),
		at(result.DiagError, 15, 35, "snapshot cluster: pods_read must be true or false"),
		at(result.DiagError, 16, 5, `snapshot cluster has no name (expected {"name", "service_accounts_complete", "pods_read", "pod_service_accounts"})`),
		at(result.DiagError, 19, 5, "live collection: collection stopped: context deadline exceeded"),
	}
	inv, diags := loadSnapshotBytes(t, brokenSnapshot, false)
	if diff := cmp.Diff(wantFile, diags); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	checkGoodRecord := func(inv *inventory.Inventory, saAt, clusterAt inventory.Source) {
		t.Helper()
		want := []*inventory.ServiceAccount{{ID: "k8s:prod/serviceaccount/ns/good", Cluster: "prod", Namespace: "ns", Name: "good", Source: saAt}}
		if diff := cmp.Diff(want, inv.ServiceAccounts); diff != "" {
			t.Errorf("service accounts (-want +got):\n%s", diff)
		}
		// Nothing of the broken records was loaded; the cluster state is, its bad flag aside.
		wantClusters := []*inventory.Cluster{{ID: "eks:prod", Name: "prod", ServiceAccountsComplete: true, Source: clusterAt}}
		if diff := cmp.Diff(wantClusters, inv.Clusters); diff != "" {
			t.Errorf("clusters (-want +got):\n%s", diff)
		}
	}
	checkGoodRecord(inv, inventory.Source{File: "s.json", Line: 12, Column: 98, Ref: "k8s:serviceaccounts ServiceAccount/ns/good"},
		inventory.Source{File: "s.json", Line: 15, Column: 5, Ref: "k8s cluster prod"})

	// Live: the same diagnostics without positions, saying which record they are about.
	inv, diags = loadSnapshotBytes(t, brokenSnapshot, true)
	prefix := []string{
		"live snapshot s.json: ", "", "", "", "", "", "", "k8s:serviceaccounts ServiceAccount/ns/: ",
		"live snapshot s.json: ", "live snapshot s.json: ", "",
	}
	var wantLive []result.Diagnostic
	for i, d := range wantFile {
		d.File, d.Line, d.Column = "", 0, 0
		d.Message = prefix[i] + d.Message
		wantLive = append(wantLive, d)
	}
	if diff := cmp.Diff(wantLive, diags); diff != "" {
		t.Errorf("live diagnostics (-want +got):\n%s", diff)
	}
	checkGoodRecord(inv, inventory.Source{Ref: "k8s:serviceaccounts ServiceAccount/ns/good"}, inventory.Source{Ref: "k8s cluster prod"})
}

func TestLoadLiveInputThatIsNotASnapshot(t *testing.T) {
	tests := []struct{ name, data, msg string }{
		{"invalid JSON", `{"rolecall_snapshot": 1,`, "live snapshot x: invalid JSON: unexpected end of input (unclosed object, array or string) (line 1, column 25)"},
		{"another document", `{"Roles": []}`, `live snapshot x: not a rolecall snapshot (expected one JSON object with "rolecall_snapshot")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := Load(t.Context(), nil, Options{Live: []LiveInput{{Name: "x", Data: []byte(tt.data)}}})
			want := []result.Diagnostic{{Severity: result.DiagError, Message: tt.msg}}
			if diff := cmp.Diff(want, diags); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if len(inv.Files) != 0 || len(inv.Roles) != 0 {
				t.Errorf("got files %v and %d roles, want none", inv.Files, len(inv.Roles))
			}
		})
	}
}

// TestSnapshotManifestsKeepTheirCluster: a snapshot's Kubernetes objects belong to the record's
// cluster, whatever the file's folder or --cluster say about manifests.
func TestSnapshotManifestsKeepTheirCluster(t *testing.T) {
	data, err := os.ReadFile(snapshotFile)
	if err != nil {
		t.Fatal(err)
	}
	tree(t, map[string]string{"staging/snap.json": string(data), "staging/sa.yaml": serviceAccount})
	inv, _ := Load(t.Context(), []string{"staging"}, Options{Cluster: "other"})
	var got []string
	for _, sa := range inv.ServiceAccounts {
		got = append(got, sa.ID)
	}
	want := []string{"k8s:other/serviceaccount/payments/app", "k8s:prod/serviceaccount/payments/api", "k8s:prod/serviceaccount/payments/worker"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("service accounts (-want +got):\n%s", diff)
	}
}

func TestAbsorbMovesEveryField(t *testing.T) {
	src := &inventory.Inventory{}
	v := reflect.ValueOf(src).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
			if e := f.Index(0); e.Kind() == reflect.Pointer {
				e.Set(reflect.New(e.Type().Elem()))
			}
		case reflect.Map:
			f.Set(reflect.ValueOf(map[string]bool{"1": true}))
		default:
			t.Fatalf("Inventory.%s: absorb does not know this kind of field", v.Type().Field(i).Name)
		}
	}
	dst := &inventory.Inventory{}
	absorb(dst, src)
	d := reflect.ValueOf(dst).Elem()
	for i := range d.NumField() {
		if d.Field(i).Len() != 1 {
			t.Errorf("Inventory.%s is not absorbed", d.Type().Field(i).Name)
		}
	}
}

func FuzzLoadSnapshot(f *testing.F) {
	data, err := os.ReadFile(snapshotFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(brokenSnapshot))
	f.Add([]byte(`{"rolecall_snapshot": 1, "records": null, "clusters": {}, "diagnostics": "x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, live := range []bool{false, true} {
			inv := &inventory.Inventory{}
			var diags []result.Diagnostic
			if live {
				diags = loadLive(LiveInput{Name: "f", Data: data}, inv, defaultLoaders())
			} else {
				docs, perr := parse("f.json", data)
				if perr != nil {
					return
				}
				for _, doc := range docs {
					if isSnapshot(doc) {
						diags = append(diags, loadSnapshot(doc, inv, defaultLoaders(), false)...)
					}
				}
			}
			diags = append(diags, finish(inv)...)
			for _, d := range diags {
				if d.Severity != result.DiagError && d.Severity != result.DiagWarning {
					t.Errorf("diagnostic of severity %q: %v", d.Severity, d)
				}
				if live && (d.File != "" || d.Line != 0) {
					t.Errorf("live diagnostic with a position: %v", d)
				}
			}
			if live {
				var left []string
				positioned(reflect.ValueOf(inv).Elem(), "inventory", &left)
				if len(left) != 0 {
					t.Errorf("live inventory keeps file positions: %v", left)
				}
			}
		}
	})
}

// docOf parses a one-document file for tests.
func docOf(t *testing.T, name, data string) *docnode.Document {
	t.Helper()
	docs, err := docnode.Parse(name, []byte(data))
	if err != nil || len(docs) != 1 {
		t.Fatalf("parse: %v", err)
	}
	return docs[0]
}

func TestIsSnapshot(t *testing.T) {
	tests := []struct {
		data string
		want bool
	}{
		{`{"rolecall_snapshot": 1, "records": []}`, true},
		{`{"rolecall_snapshot": 7}`, true}, // recognised, then refused for its version
		{`{"Roles": []}`, false},
		{`[{"rolecall_snapshot": 1}]`, false},
		{"rolecall_snapshot: 1\n", true},
	}
	for _, tt := range tests {
		if got := isSnapshot(docOf(t, "f", tt.data)); got != tt.want {
			t.Errorf("isSnapshot(%s) = %v, want %v", tt.data, got, tt.want)
		}
	}
}

func TestMergeClusterJoinsCollectionState(t *testing.T) {
	described := &inventory.Cluster{ID: "eks:prod", Name: "prod", ARN: "arn:aws:eks:eu-west-1:1:cluster/prod", Source: inventory.Source{Ref: "eks:DescribeCluster"}}
	state := &inventory.Cluster{ID: "eks:prod", Name: "prod", ServiceAccountsComplete: true, PodsRead: true,
		PodServiceAccounts: []string{"a/y", "b/x"}, Source: inventory.Source{Ref: "k8s context prod"}}
	other := &inventory.Cluster{ID: "eks:prod", Name: "prod", PodsRead: true, PodServiceAccounts: []string{"a/y", "c/z"}}
	want := &inventory.Cluster{ID: "eks:prod", Name: "prod", ARN: "arn:aws:eks:eu-west-1:1:cluster/prod", ServiceAccountsComplete: true,
		PodsRead: true, PodServiceAccounts: []string{"a/y", "b/x"}, Source: inventory.Source{Ref: "eks:DescribeCluster"}}
	for _, order := range [][2]*inventory.Cluster{{described, state}, {state, described}} {
		if diff := cmp.Diff(want, mergeCluster(order[0], order[1])); diff != "" {
			t.Errorf("merge(%s, %s) (-want +got):\n%s", order[0].Source.Ref, order[1].Source.Ref, diff)
		}
	}
	// Two snapshots of the same cluster: the pods of both are in use.
	got := mergeCluster(mergeCluster(described, state), other)
	if diff := cmp.Diff([]string{"a/y", "b/x", "c/z"}, got.PodServiceAccounts); diff != "" {
		t.Errorf("pod service accounts of two states (-want +got):\n%s", diff)
	}
	if state.PodServiceAccounts[1] != "b/x" || len(state.PodServiceAccounts) != 2 {
		t.Errorf("merging changed its input: %v", state.PodServiceAccounts)
	}
}
