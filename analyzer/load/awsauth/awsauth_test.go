package awsauth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/corpus"
)

const file = "aws-auth.yaml"

func parseOne(t *testing.T, src string) *docnode.Document {
	t.Helper()
	docs, err := docnode.Parse(file, []byte(src))
	if err != nil || len(docs) != 1 {
		t.Fatalf("parse: %v (%d docs)", err, len(docs))
	}
	return docs[0]
}

func configMap(t *testing.T, data string) (*inventory.AWSAuth, []result.Diagnostic) {
	t.Helper()
	src := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n" + data
	doc := parseOne(t, src)
	return FromConfigMap(doc, doc.Root, "prod")
}

// entry is a compact view of an AuthEntry for table tests.
type entry struct {
	ID, ARN, Username string
	Groups            []string
	TypeErrors        []string
	Invalid, Shadowed string
	Line, Column      int
}

func view(es []*inventory.AuthEntry) []entry {
	var out []entry
	for _, e := range es {
		out = append(out, entry{e.ID, e.ARN, e.Username, e.Groups, e.TypeErrors, e.Invalid, e.Shadowed, e.Source.Line, e.Source.Column})
	}
	return out
}

type section struct {
	Name, Error  string
	Line, Column int
}

func sections(a *inventory.AWSAuth) []section {
	var out []section
	for _, s := range a.Sections {
		out = append(out, section{s.Name, s.Error, s.Source.Line, s.Source.Column})
	}
	return out
}

func TestFromConfigMapSections(t *testing.T) {
	const id = "awsauth:prod"
	tests := []struct {
		name     string
		data     string
		roles    []entry
		users    []entry
		accounts []string
		sections []section
	}{
		{
			// X35, D3.2: an unquoted value starting with {{ makes ToJSON fail; both role
			// entries are dropped, mapUsers survives.
			name: "bad template drops the whole mapRoles section, other sections survive",
			data: `  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/node
      username: system:node:{{EC2PrivateDNSName}}
      groups: [system:bootstrappers, system:nodes]
    - rolearn: arn:aws:iam::111122223333:role/admins
      username: {{SessionName}}
      groups: [system:masters]
  mapUsers: |
    - userarn: arn:aws:iam::111122223333:user/alice
      username: alice
      groups: [system:masters]
`,
			users: []entry{{ID: id + "/mapUsers/0", ARN: "arn:aws:iam::111122223333:user/alice", Username: "alice", Groups: []string{"system:masters"}, Line: 15, Column: 7}},
			sections: []section{
				{"mapRoles", "mapRoles does not parse as YAML, so aws-iam-authenticator drops the whole section: a mapping or list is used as a key (an unquoted value starting with \"{{\"? quote it, e.g. \"{{SessionName}}\")", 12, 17},
				{"mapUsers", "", 14, 3},
			},
		},
		{
			// X36, D3.3: groups as a scalar is a type error; the entry is kept with no groups.
			name: "type error keeps the entry and empties groups",
			data: "  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/ops\n      username: ops\n      groups: system:masters\n",
			roles: []entry{{ID: id + "/mapRoles/0", ARN: "arn:aws:iam::111122223333:role/ops", Username: "ops",
				TypeErrors: []string{"groups: expected a list of strings"}, Line: 8, Column: 7}},
			sections: []section{{"mapRoles", "", 7, 3}},
		},
		{
			name: "numeric username is a type error that leaves username empty",
			data: "  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/ops\n      username: 1234\n      groups: [a]\n",
			roles: []entry{{ID: id + "/mapRoles/0", ARN: "arn:aws:iam::111122223333:role/ops", Groups: []string{"a"},
				TypeErrors: []string{"username: expected a string"}, Line: 8, Column: 7}},
			sections: []section{{"mapRoles", "", 7, 3}},
		},
		{
			// X38, D5.3: mapRoles keyed by lower-cased rolearn, last wins.
			name: "duplicate role entries differing in case: the last wins",
			data: "  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/Dev\n      groups: [view]\n    - rolearn: arn:aws:iam::111122223333:role/dev\n      groups: [system:masters]\n",
			roles: []entry{
				{ID: id + "/mapRoles/0", ARN: "arn:aws:iam::111122223333:role/Dev", Groups: []string{"view"}, Shadowed: id + "/mapRoles/1", Line: 8, Column: 7},
				{ID: id + "/mapRoles/1", ARN: "arn:aws:iam::111122223333:role/dev", Groups: []string{"system:masters"}, Line: 10, Column: 7},
			},
			sections: []section{{"mapRoles", "", 7, 3}},
		},
		{
			// D5.3: mapUsers keyed by userarn as written: exact duplicates last-wins; entries
			// differing only in case are both kept (map iteration order decides), not shadowed.
			name: "duplicate users: exact duplicate shadowed, case-only difference kept",
			data: "  mapUsers: |\n    - userarn: arn:aws:iam::111122223333:user/Bob\n    - userarn: arn:aws:iam::111122223333:user/bob\n    - userarn: arn:aws:iam::111122223333:user/Bob\n",
			users: []entry{
				{ID: id + "/mapUsers/0", ARN: "arn:aws:iam::111122223333:user/Bob", Shadowed: id + "/mapUsers/2", Line: 8, Column: 7},
				{ID: id + "/mapUsers/1", ARN: "arn:aws:iam::111122223333:user/bob", Line: 9, Column: 7},
				{ID: id + "/mapUsers/2", ARN: "arn:aws:iam::111122223333:user/Bob", Line: 10, Column: 7},
			},
			sections: []section{{"mapUsers", "", 7, 3}},
		},
		{
			// X40, D5.2: no ARN-type check.
			name: "user ARN under mapRoles is kept as a role entry",
			data: "  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:user/alice\n      username: alice\n      groups: [system:masters]\n",
			roles: []entry{{ID: id + "/mapRoles/0", ARN: "arn:aws:iam::111122223333:user/alice", Username: "alice",
				Groups: []string{"system:masters"}, Line: 8, Column: 7}},
			sections: []section{{"mapRoles", "", 7, 3}},
		},
		{
			// D2.4, D3.4: Validate drops the entry, the others stay.
			name: "entries failing Validate are marked invalid",
			data: `  mapRoles: |
    - username: nobody
    - rolearn: arn:aws:iam::111122223333:role/x
      sso: {permissionSetName: Admin, accountID: "111122223333"}
    - sso: {permissionSetName: Admin, accountID: "1234"}
    - sso: {permissionSetName: "bad name", accountID: "111122223333"}
    - sso: {permissionSetName: Admin, accountID: "111122223333", partition: mars}
    - sso: {permissionSetName: Admin, accountID: "111122223333"}
  mapUsers: |
    - username: nobody
`,
			roles: []entry{
				{ID: id + "/mapRoles/0", Username: "nobody", Invalid: "one of rolearn or sso must be supplied", Line: 8, Column: 7},
				{ID: id + "/mapRoles/1", ARN: "arn:aws:iam::111122223333:role/x", Invalid: "only one of rolearn or sso can be supplied", Line: 9, Column: 7},
				{ID: id + "/mapRoles/2", Invalid: `sso.accountID "1234" is not a valid AWS account ID (12 digits)`, Line: 11, Column: 7},
				{ID: id + "/mapRoles/3", Invalid: `sso.permissionSetName "bad name" is not a valid permission set name`, Line: 12, Column: 7},
				{ID: id + "/mapRoles/4", Invalid: `sso.partition "mars" is not a valid AWS partition`, Line: 13, Column: 7},
				{ID: id + "/mapRoles/5", Line: 14, Column: 7},
			},
			users:    []entry{{ID: id + "/mapUsers/0", Username: "nobody", Invalid: "value for userarn must be supplied", Line: 16, Column: 7}},
			sections: []section{{"mapRoles", "", 7, 3}, {"mapUsers", "", 15, 3}},
		},
		{
			// D1.4: skipped without error.
			name:     "empty and quoted-empty values are skipped",
			data:     "  mapRoles: \"\"\n  mapUsers: |\n    \"\"\n  mapAccounts: \"``\"\n",
			sections: []section{{"mapRoles", "", 7, 3}, {"mapUsers", "", 8, 3}, {"mapAccounts", "", 10, 3}},
		},
		{
			// D1.6: yaml.v2 into []string keeps the literal text.
			name:     "mapAccounts keeps leading zeros",
			data:     "  mapAccounts: |\n    - 012345678901\n    - \"111122223333\"\n",
			accounts: []string{"012345678901", "111122223333"},
			sections: []section{{"mapAccounts", "", 7, 3}},
		},
		{
			name:     "mapAccounts that is not a list drops the section",
			data:     "  mapAccounts: |\n    account: 111122223333\n",
			sections: []section{{"mapAccounts", "mapAccounts must be a list of account IDs", 8, 5}},
		},
		{
			name:     "mapRoles that is a mapping drops the section",
			data:     "  mapRoles: |\n    rolearn: arn:aws:iam::111122223333:role/x\n",
			sections: []section{{"mapRoles", "mapRoles must be a list of entries, got a object; aws-iam-authenticator drops the whole section", 8, 5}},
		},
		{
			// apimachinery yaml.ToJSON passes input starting with "{" through as JSON.
			name:     "value starting with a brace is read as JSON",
			data:     "  mapRoles: '{\"rolearn\": \"x\"}'\n",
			sections: []section{{"mapRoles", "mapRoles must be a list of entries, got a object; aws-iam-authenticator drops the whole section", 7, 13}},
		},
		{
			name:     "JSON list in a plain string decodes with value-node positions",
			data:     "  mapRoles: '[{\"rolearn\": \"arn:aws:iam::111122223333:role/j\", \"groups\": [\"g\"]}]'\n",
			roles:    []entry{{ID: id + "/mapRoles/0", ARN: "arn:aws:iam::111122223333:role/j", Groups: []string{"g"}, Line: 7, Column: 13}},
			sections: []section{{"mapRoles", "", 7, 3}},
		},
		{
			// D3.6 (yaml_test.go "space-out-of-place").
			name:     "mis-indented list item merges into the previous group",
			data:     "  mapRoles: |\n    - rolearn: arn:aws:iam::1:role/n\n      groups:\n        - system:bootstrappers\n         - system:nodes\n",
			roles:    []entry{{ID: id + "/mapRoles/0", ARN: "arn:aws:iam::1:role/n", Groups: []string{"system:bootstrappers - system:nodes"}, Line: 8, Column: 7}},
			sections: []section{{"mapRoles", "", 7, 3}},
		},
		{
			name: "explicit indentation indicator and keep chomping map positions",
			data: "  mapRoles: |+2\n    - rolearn: arn:aws:iam::1:role/n\n\n",
			// Indentation 2 + 2 = 4: the inner text is "- rolearn…", column 3 of it is file column 7.
			roles:    []entry{{ID: id + "/mapRoles/0", ARN: "arn:aws:iam::1:role/n", Line: 8, Column: 7}},
			sections: []section{{"mapRoles", "", 7, 3}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := configMap(t, tt.data)
			if a == nil {
				t.Fatal("no AWSAuth")
			}
			if diff := cmp.Diff(tt.roles, view(a.MapRoles)); diff != "" {
				t.Errorf("mapRoles (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.users, view(a.MapUsers)); diff != "" {
				t.Errorf("mapUsers (-want +got):\n%s", diff)
			}
			var accts []string
			for _, x := range a.MapAccounts {
				accts = append(accts, x.Account)
			}
			if diff := cmp.Diff(tt.accounts, accts); diff != "" {
				t.Errorf("mapAccounts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.sections, sections(a)); diff != "" {
				t.Errorf("sections (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromConfigMapUnknownKeysAndSSO(t *testing.T) {
	a, _ := configMap(t, `  mapRoles: |
    - sso:
        permissionSetName: Admin
        accountID: "111122223333"
        extra: 1
      username: admin
      team: platform
`)
	e := a.MapRoles[0]
	want := &inventory.AuthEntry{
		ID: "awsauth:prod/mapRoles/0", Section: "mapRoles", Username: "admin",
		SSO: &inventory.SSOMatcher{PermissionSetName: "Admin", AccountID: "111122223333"},
		UnknownKeys: []inventory.KeyRef{
			{ID: "awsauth:prod/mapRoles/0/key/sso.extra", Key: "sso.extra", Source: inventory.At(file, 11, 9)},
			{ID: "awsauth:prod/mapRoles/0/key/team", Key: "team", Source: inventory.At(file, 13, 7)},
		},
		Source: inventory.At(file, 8, 7),
	}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("entry (-want +got):\n%s", diff)
	}
}

func TestFromConfigMapRejectedObjects(t *testing.T) {
	tests := []struct {
		name string
		data string
		line int
	}{
		{"list without bar", "  mapRoles:\n    - rolearn: x\n", 8},
		{"number value", "  mapAccounts: 111122223333\n", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, diags := configMap(t, tt.data)
			if a != nil {
				t.Errorf("got an AWSAuth for an object Kubernetes rejects")
			}
			if len(diags) != 1 || diags[0].Severity != result.DiagError || diags[0].Line != tt.line {
				t.Errorf("diags = %v, want one error on line %d", diags, tt.line)
			}
		})
	}
}

func loadCorpus(t *testing.T, rel string) (*inventory.Inventory, []result.Diagnostic, bool) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpus.Dir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := docnode.Parse(filepath.Base(rel), data)
	if err != nil {
		t.Fatal(err)
	}
	inv := &inventory.Inventory{}
	var diags []result.Diagnostic
	any := false
	for _, d := range docs {
		ok, ds := Load(d, "prod", inv)
		any = any || ok
		diags = append(diags, ds...)
	}
	return inv, diags, any
}

func TestLoadFormats(t *testing.T) {
	tests := []struct {
		file     string
		id, kind string
		roles    []entry
		users    []entry
		sections []section
	}{
		{
			file: "aws-auth/authenticator-iamidentitymapping-crd.yaml",
			id:   "awsauth:prod/crd/kubernetes-admin", kind: inventory.AuthCRD,
			users: []entry{{ID: "awsauth:prod/crd/kubernetes-admin/mapUsers/0", ARN: "arn:aws:iam::XXXXXXXXXXXX:user/KubernetesAdmin",
				Username: "kubernetes-admin", Groups: []string{"system:masters"}, Line: 7, Column: 3}},
		},
		{
			file: "aws-auth/authenticator-dynamicfile-access-entries.json",
			id:   "awsauth:prod/dynamic-file", kind: inventory.AuthDynamicFile,
			roles: []entry{{ID: "awsauth:prod/dynamic-file/mapRoles/0", ARN: "arn:aws:iam::{{AWS_ACCOUNT}}:role/{{AWS_TEST_ROLE}}",
				Username: "kubernetes-admin", Groups: []string{"system:masters"}, Line: 3, Column: 5}},
			sections: []section{{"mapRoles", "", 2, 3}},
		},
		{
			file: "aws-auth/eks-best-practices-maproles-fragment-sessionname-masters.yaml",
			id:   "awsauth:prod", kind: inventory.AuthConfigMap,
			roles: []entry{{ID: "awsauth:prod/mapRoles/0", ARN: "arn:aws:iam::XXXXXXXXXXXX:role/testRole",
				Username: "testRole:{{SessionName}}", Groups: []string{"system:masters"}, Line: 1, Column: 3}},
			sections: []section{{"mapRoles", "", 1, 1}},
		},
		{
			file: "aws-auth/issue-containers-roadmap-883-double-spaced-mapusers-fragment.yaml",
			id:   "awsauth:prod", kind: inventory.AuthConfigMap,
			users: []entry{{ID: "awsauth:prod/mapUsers/0", ARN: "arn:aws:iam::<ACCOUNT_ID>:user/user@company.ccom",
				Username: "user@company.com", Groups: []string{"system:masters"}, Line: 3, Column: 7}},
			sections: []section{{"mapUsers", "", 1, 3}},
		},
		{
			file: "aws-auth/issue-authenticator-333-sso-fragment-bad-indent.yaml",
			id:   "awsauth:prod", kind: inventory.AuthConfigMap,
			sections: []section{{"mapRoles", "mapRoles does not parse as YAML, so aws-iam-authenticator drops the whole section: line 2: did not find expected '-' indicator", 4, 4}},
		},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			inv, _, ok := loadCorpus(t, tt.file)
			if !ok || len(inv.AWSAuth) != 1 {
				t.Fatalf("recognized=%v, %d mapping sources", ok, len(inv.AWSAuth))
			}
			a := inv.AWSAuth[0]
			if a.ID != tt.id || a.Kind != tt.kind {
				t.Errorf("ID, kind = %s, %s; want %s, %s", a.ID, a.Kind, tt.id, tt.kind)
			}
			if diff := cmp.Diff(tt.roles, view(a.MapRoles)); diff != "" {
				t.Errorf("mapRoles (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.users, view(a.MapUsers)); diff != "" {
				t.Errorf("mapUsers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.sections, sections(a)); diff != "" {
				t.Errorf("sections (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadServerConfigInConfigMap(t *testing.T) {
	inv, _, ok := loadCorpus(t, "aws-auth/authenticator-deploy-example-multidoc.yaml")
	if !ok || len(inv.AWSAuth) != 1 {
		t.Fatalf("recognized=%v, %d sources", ok, len(inv.AWSAuth))
	}
	a := inv.AWSAuth[0]
	got := view(a.MapRoles)
	// The file backend keys roles by lower-cased ARN: the second KubernetesAdmin entry wins.
	if len(got) != 5 || got[0].Shadowed != "awsauth:prod/server-config/mapRoles/2" || got[0].Line != 134 || got[0].Column != 9 {
		t.Errorf("mapRoles = %+v", got)
	}
	want := []section{{"mapRoles", "", 132, 7}, {"mapUsers", "", 177, 7}, {"mapAccounts", "", 184, 7}}
	if diff := cmp.Diff(want, sections(a)); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
}

func TestLoadServerConfigFile(t *testing.T) {
	doc := parseOne(t, `clusterID: x
server:
  mapRoles:
  - roleARN: arn:aws:iam::111122223333:role/a
    groups: system:masters
  - roleARN: arn:aws:iam::111122223333:role/b
    username: {nested: 1}
  mapAccounts:
  - 012345678901
`)
	inv := &inventory.Inventory{}
	ok, diags := Load(doc, "prod", inv)
	if !ok || len(inv.AWSAuth) != 1 {
		t.Fatalf("recognized=%v, sources=%d", ok, len(inv.AWSAuth))
	}
	a := inv.AWSAuth[0]
	// viper's weak decoding turns the scalar into a list, but the mapping username makes
	// UnmarshalKey fail, so the server does not start and nothing maps.
	want := []section{
		{"mapRoles", "the aws-iam-authenticator server refuses to start: mapRoles entry 1: username: expected a string", 6, 5},
		{"mapAccounts", "the aws-iam-authenticator server refuses to start: mapRoles entry 1: username: expected a string", 8, 3},
	}
	if diff := cmp.Diff(want, sections(a)); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	if len(a.MapRoles) != 0 || len(a.MapAccounts) != 0 || len(diags) == 0 {
		t.Errorf("roles=%d accounts=%d diags=%v", len(a.MapRoles), len(a.MapAccounts), diags)
	}
}

func TestLoadIgnoresOtherDocuments(t *testing.T) {
	for _, src := range []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: \"\"\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n",
		"apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\niamIdentityMappings:\n- arn: arn:aws:iam::1:role/x\n",
		"- a\n- b\n",
		"just a string\n",
		"provider:\n  name: aws\n",
	} {
		doc := parseOne(t, src)
		inv := &inventory.Inventory{}
		if ok, diags := Load(doc, "", inv); ok || len(diags) > 0 || len(inv.AWSAuth) > 0 {
			t.Errorf("Load(%q) = %v, %v; want not recognised", strings.SplitN(src, "\n", 2)[0], ok, diags)
		}
	}
}

func TestAddReplacesSameSource(t *testing.T) {
	inv := &inventory.Inventory{}
	a1 := &inventory.AWSAuth{ID: "awsauth:_", Source: inventory.At("a.yaml", 1, 1)}
	a2 := &inventory.AWSAuth{ID: "awsauth:_", Source: inventory.At("b.yaml", 3, 1)}
	if d := Add(inv, a1); d != nil {
		t.Errorf("first Add: %v", d)
	}
	d := Add(inv, a2)
	if len(inv.AWSAuth) != 1 || inv.AWSAuth[0] != a2 || len(d) != 1 || d[0].Line != 3 {
		t.Errorf("after second Add: %v, diags %v", inv.AWSAuth, d)
	}
}

func FuzzAWSAuth(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(corpus.Dir(f), "aws-auth", "*"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("data:\n  mapRoles: |\n    - rolearn: x\n      username: {{SessionName}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, _ := docnode.Parse("fuzz.yaml", data)
		inv := &inventory.Inventory{}
		for _, d := range docs {
			_, diags := Load(d, "c", inv)
			if d.Root.Kind == 4 /* MappingNode */ {
				a, ds := FromConfigMap(d, d.Root, "c")
				diags = append(diags, ds...)
				_ = a
			}
			for _, dg := range diags {
				if dg.Severity == result.DiagError && dg.Line <= 0 {
					t.Fatalf("error diagnostic without a line: %v", dg)
				}
			}
		}
	})
}

// Infrastructure as code builds aws-auth data with yamlencode(...): the authenticator reads the
// text yamlencode renders, so a section given as that structure decodes exactly as the same
// section given as text (entries, type errors, shadowing), positioned at its own nodes.
func TestFromDataStructuredAsText(t *testing.T) {
	const entries = `
  - rolearn: arn:aws:iam::111122223333:role/Dev
    username: dev
    groups: [view]
  - rolearn: arn:aws:iam::111122223333:role/dev
    username: "{{SessionName}}"
    groups: system:masters
  - userarn: arn:aws:iam::111122223333:user/misplaced
    rolArn: typo
`
	structured := parseOne(t, "mapRoles:"+entries+"mapAccounts: ['111122223333', 012345678901]\n")
	text := parseOne(t, "mapRoles: |"+strings.ReplaceAll(entries, "\n  ", "\n    ")+"mapAccounts: |\n    - '111122223333'\n    - 012345678901\n")
	sa, sdiags := FromData("main.tf", structured.Root, inventory.At("main.tf", 1, 1), "prod")
	ta, tdiags := FromConfigMap(text, &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "data"}, text.Root}}, "prod")
	if len(sdiags) != len(tdiags) {
		t.Errorf("diagnostics differ:\nstructured %v\ntext %v", sdiags, tdiags)
	}
	strip := func(es []entry) []entry {
		out := append([]entry(nil), es...)
		for i := range out {
			out[i].Line, out[i].Column = 0, 0
		}
		return out
	}
	if diff := cmp.Diff(strip(view(ta.MapRoles)), strip(view(sa.MapRoles))); diff != "" {
		t.Errorf("mapRoles (-text +structured):\n%s", diff)
	}
	var accts []string
	for _, a := range sa.MapAccounts {
		accts = append(accts, a.Account)
	}
	// yamlencode renders the second as a number; yaml.v2 keeps its text, leading zero included.
	if diff := cmp.Diff([]string{"111122223333", "012345678901"}, accts); diff != "" {
		t.Errorf("mapAccounts (-want +got):\n%s", diff)
	}
	if len(sa.MapRoles) != 3 || sa.MapRoles[0].Shadowed == "" || sa.MapRoles[1].TypeErrors == nil || sa.MapRoles[2].Invalid == "" {
		t.Fatalf("structured mapRoles = %v", view(sa.MapRoles))
	}
	wantPos := [][2]int{{2, 5}, {5, 5}, {8, 5}}
	for i, e := range sa.MapRoles {
		if e.Source.File != "main.tf" || e.Source.Line != wantPos[i][0] || e.Source.Column != wantPos[i][1] {
			t.Errorf("entry %d at %v, want main.tf:%d:%d", i, e.Source, wantPos[i][0], wantPos[i][1])
		}
	}
}

// Entries that hold a value known only after deployment are set aside, with a warning; the
// others keep their IDs.
func TestFromDataSetsAsideUnknown(t *testing.T) {
	doc := parseOne(t, `mapRoles:
  - rolearn: arn:aws:iam::111122223333:role/⟨var.node_role⟩
    groups: [system:nodes]
  - rolearn: arn:aws:iam::111122223333:role/ops
    groups: [system:masters]
mapUsers:
  - userarn: arn:aws:iam::111122223333:user/alice
    groups: [⟨var.group⟩]
mapAccounts: ["⟨var.account⟩"]
`)
	a, diags := FromData("main.tf", doc.Root, inventory.At("main.tf", 1, 1), "prod")
	if len(a.MapRoles) != 1 || a.MapRoles[0].ID != "awsauth:prod/mapRoles/1" || len(a.MapUsers) != 0 || len(a.MapAccounts) != 0 {
		t.Errorf("kept roles %v, users %v, accounts %v", view(a.MapRoles), view(a.MapUsers), a.MapAccounts)
	}
	var got []string
	for _, d := range diags {
		got = append(got, d.Error())
	}
	want := []string{
		"main.tf:2:5: mapRoles entry 0 depends on var.node_role, known only after deployment; it is not analysed",
		"main.tf:7:5: mapUsers entry 0 depends on var.group, known only after deployment; it is not analysed",
		"main.tf:9:15: mapAccounts entry 0 depends on var.account, known only after deployment; it is not analysed",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}
