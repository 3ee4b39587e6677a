package clusterauth

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/kube"
)

// loadAWSAuth reads testdata/name through the real loaders (docnode.Parse + kube.Load, which
// calls awsauth.FromConfigMap) and returns the mapping sources of cluster "prod".
func loadAWSAuth(t *testing.T, name string) []*inventory.AWSAuth {
	t.Helper()
	path := filepath.Join("testdata", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := docnode.Parse(path, data)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	inv := &inventory.Inventory{}
	for _, doc := range docs {
		if ok, _ := kube.Load(doc, "prod", inv); !ok {
			t.Fatalf("%s: document %d not recognised", path, doc.Index)
		}
	}
	if len(inv.AWSAuth) != 1 {
		t.Fatalf("%s: %d aws-auth sources, want 1", path, len(inv.AWSAuth))
	}
	return inv.AWSAuth
}

func TestMapAWSAuthFromYAML(t *testing.T) {
	roleID := func(i int) string { return inventory.AuthEntryID(authID, "mapRoles", i) }
	tests := []struct {
		name      string
		file      string
		caller    Caller
		opts      Options
		want      Identity
		reasonHas string
		admin     bool
	}{
		{
			name:   "X34 rolearn with a path never matches; mapAccounts authenticates the canonical ARN",
			file:   "x34-x37-x39.yaml",
			caller: session("deployer", "ci"),
			want: Identity{Authenticated: true, Username: "arn:aws:iam::111122223333:role/deployer", Groups: []string{},
				Source: SourceAWSAuth, EntryID: inventory.AuthEntryID(authID, "mapAccounts", 0)},
		},
		{
			name:   "X37 templates rendered from a loaded ConfigMap",
			file:   "x34-x37-x39.yaml",
			caller: session("Admin", "alice@example.com"),
			want: Identity{Authenticated: true, Username: "admin:alice-example.com", Groups: []string{"team:alice@example.com", "acct-111122223333"},
				Source: SourceAWSAuth, EntryID: roleID(1), UsernameChosenByCaller: true},
		},
		{
			name:   "X39 mapAccounts for an unmapped role",
			file:   "x34-x37-x39.yaml",
			caller: session("Anything", "x"),
			want: Identity{Authenticated: true, Username: "arn:aws:iam::111122223333:role/Anything", Groups: []string{},
				Source: SourceAWSAuth, EntryID: inventory.AuthEntryID(authID, "mapAccounts", 0)},
		},
		{
			name:      "X35 after a bad template the node role is not mapped",
			file:      "x35.yaml",
			caller:    session("node", "i-0123456789abcdef0"),
			want:      Identity{},
			reasonHas: "mapRoles of awsauth:prod is dropped",
		},
		{
			name:   "X35 after a bad template the admins role is not mapped",
			file:   "x35.yaml",
			caller: session("admins", "bob"),
			want:   Identity{},
		},
		{
			name:   "X35 after a bad template only mapUsers maps",
			file:   "x35.yaml",
			caller: iamUser("alice"),
			want: Identity{Authenticated: true, Username: "alice", Groups: []string{"system:masters"}, Source: SourceAWSAuth,
				EntryID: inventory.AuthEntryID(authID, "mapUsers", 0)},
			admin: true,
		},
		{
			name:   "X35 quoting the template restores the admins mapping",
			file:   "x35-fixed.yaml",
			caller: session("admins", "bob@example.com"),
			want: Identity{Authenticated: true, Username: "bob-example.com", Groups: []string{"system:masters"}, Source: SourceAWSAuth,
				EntryID: roleID(1), UsernameChosenByCaller: true},
			admin: true,
		},
		{
			name:   "X36 after a type error ops has no groups",
			file:   "x36.yaml",
			caller: session("ops", "s"),
			want:   Identity{Authenticated: true, Username: "ops", Groups: []string{}, Source: SourceAWSAuth, EntryID: roleID(0)},
		},
		{
			name:   "X38 duplicate role entries: the last wins",
			file:   "x38-x40.yaml",
			caller: session("Dev", "s"),
			want:   Identity{Authenticated: true, Groups: []string{"system:masters"}, Source: SourceAWSAuth, EntryID: roleID(1)},
			admin:  true,
		},
		{
			name:   "X40 user ARN under mapRoles maps the IAM user",
			file:   "x38-x40.yaml",
			caller: iamUser("alice"),
			want:   Identity{Authenticated: true, Username: "alice", Groups: []string{"system:masters"}, Source: SourceAWSAuth, EntryID: roleID(2)},
			admin:  true,
		},
		{
			name:   "X48 anyone who can assume the node role picks a node identity",
			file:   "x48.yaml",
			caller: Caller{ARN: "arn:aws:sts::111122223333:assumed-role/node/i-0123456789abcdef0", InstancePrivateDNS: "ip-10-0-1-23.ec2.internal"},
			want: Identity{Authenticated: true, Username: "system:node:ip-10-0-1-23.ec2.internal", Groups: []string{"system:bootstrappers", "system:nodes"},
				Source: SourceAWSAuth, EntryID: roleID(0), UsernameChosenByCaller: true},
		},
		{
			name:      "X48 a session name that is not an instance ID fails",
			file:      "x48.yaml",
			caller:    session("node", "alice"),
			want:      Identity{Source: SourceAWSAuth, EntryID: roleID(0)},
			reasonHas: "D6.2",
		},
		{
			name:   "X49 SSO role: path never matches and sso needs the gate",
			file:   "x49.yaml",
			caller: session("AWSReservedSSO_Admin_0123456789abcdef", "alice"),
			want:   Identity{},
		},
		{
			name:   "X49 SSO role: sso matcher with SSORoleMatch",
			file:   "x49.yaml",
			caller: session("AWSReservedSSO_Admin_0123456789abcdef", "alice"),
			opts:   Options{SSORoleMatch: true},
			want: Identity{Authenticated: true, Username: "sso:alice", Groups: []string{"system:masters"}, Source: SourceAWSAuth,
				EntryID: roleID(1), UsernameChosenByCaller: true},
			admin: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MapAWSAuth(loadAWSAuth(t, tt.file), tt.caller, tt.opts)
			check(t, tt.want, got, tt.reasonHas, tt.admin)
		})
	}
}

// TestResolveFromYAML runs the mode examples (X41, X42) over a loaded aws-auth.
func TestResolveFromYAML(t *testing.T) {
	sources := loadAWSAuth(t, "x36.yaml") // maps role ops → username ops, no groups
	opsARN := "arn:aws:iam::111122223333:role/ops"
	entry := &inventory.AccessEntry{ID: inventory.AccessEntryID("prod", opsARN), PrincipalARN: opsARN, Type: "STANDARD", KubernetesGroups: []string{"viewers"}}
	tests := []struct {
		name    string
		mode    string
		entries []*inventory.AccessEntry
		want    Identity
	}{
		{"X41 the access entry overrides the loaded aws-auth", inventory.ModeAPIAndConfigMap, []*inventory.AccessEntry{entry},
			Identity{Authenticated: true, Username: "arn:aws:sts::111122223333:assumed-role/ops/s", Groups: []string{"viewers"},
				Source: SourceAccessEntry, EntryID: entry.ID, UsernameChosenByCaller: true}},
		{"X42 API mode ignores the loaded aws-auth", inventory.ModeAPI, nil, Identity{}},
		{"CONFIG_MAP uses the loaded aws-auth", inventory.ModeConfigMap, []*inventory.AccessEntry{entry},
			Identity{Authenticated: true, Username: "ops", Groups: []string{}, Source: SourceAWSAuth, EntryID: inventory.AuthEntryID(authID, "mapRoles", 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Resolve(tt.mode, sources, tt.entries, session("ops", "s"), Options{})
			if diff := cmp.Diff(tt.want, got, ignoreReason); diff != "" {
				t.Errorf("(-want +got):\n%s\nreason: %s", diff, got.Reason)
			}
		})
	}
}
