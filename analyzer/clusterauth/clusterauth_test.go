package clusterauth

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rolecall/rolecall/analyzer/inventory"
)

const (
	acctA   = "111122223333"
	authID  = "awsauth:prod"
	viewARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
)

// role is a mapRoles entry; user a mapUsers entry (IDs are assigned by src).
func role(arn, username string, groups ...string) *inventory.AuthEntry {
	return &inventory.AuthEntry{Section: "mapRoles", ARN: arn, Username: username, Groups: groups}
}

func user(arn, username string, groups ...string) *inventory.AuthEntry {
	return &inventory.AuthEntry{Section: "mapUsers", ARN: arn, Username: username, Groups: groups}
}

// src builds an aws-auth ConfigMap source with loader-style IDs.
func src(roles, users []*inventory.AuthEntry, accounts ...string) *inventory.AWSAuth {
	return srcKind(inventory.AuthConfigMap, "", roles, users, accounts...)
}

func srcKind(kind, name string, roles, users []*inventory.AuthEntry, accounts ...string) *inventory.AWSAuth {
	id := inventory.AWSAuthID("prod", kind, name)
	a := &inventory.AWSAuth{ID: id, Cluster: "prod", Kind: kind, MapRoles: roles, MapUsers: users}
	for i, e := range roles {
		e.ID, e.Index = inventory.AuthEntryID(id, "mapRoles", i), i
	}
	for i, e := range users {
		e.ID, e.Index = inventory.AuthEntryID(id, "mapUsers", i), i
	}
	for i, acct := range accounts {
		a.MapAccounts = append(a.MapAccounts, inventory.AccountRef{ID: inventory.AuthEntryID(id, "mapAccounts", i), Account: acct})
	}
	return a
}

func session(roleName, sess string) Caller {
	return Caller{ARN: "arn:aws:sts::" + acctA + ":assumed-role/" + roleName + "/" + sess, Account: acctA}
}

func iamUser(name string) Caller {
	return Caller{ARN: "arn:aws:iam::" + acctA + ":user/" + name, Account: acctA}
}

var ignoreReason = cmpopts.IgnoreFields(Identity{}, "Reason")

// check compares got with want (Reason excluded) and, when reasonHas is set, that Reason
// contains it; it also checks the cluster-admin verdict.
func check(t *testing.T, want, got Identity, reasonHas string, admin bool) {
	t.Helper()
	if diff := cmp.Diff(want, got, ignoreReason); diff != "" {
		t.Errorf("identity (-want +got):\n%s\nreason: %s", diff, got.Reason)
	}
	if reasonHas != "" && !strings.Contains(got.Reason, reasonHas) {
		t.Errorf("reason %q does not contain %q", got.Reason, reasonHas)
	}
	if got.Reason == "" {
		t.Errorf("reason is empty")
	}
	if IsClusterAdmin(got) != admin {
		t.Errorf("IsClusterAdmin = %v, want %v", !admin, admin)
	}
}

func TestMapAWSAuth(t *testing.T) {
	roleID := func(i int) string { return inventory.AuthEntryID(authID, "mapRoles", i) }
	userID := func(i int) string { return inventory.AuthEntryID(authID, "mapUsers", i) }
	const ssoRole = "AWSReservedSSO_Admin_0123456789abcdef"
	shadowed := func(e *inventory.AuthEntry, by string) *inventory.AuthEntry { e.Shadowed = by; return e }
	invalid := func(e *inventory.AuthEntry) *inventory.AuthEntry {
		e.Invalid = "one of rolearn or sso must be supplied"
		return e
	}
	withSSO := func(e *inventory.AuthEntry, s inventory.SSOMatcher) *inventory.AuthEntry { e.SSO = &s; return e }

	tests := []struct {
		name      string
		sources   []*inventory.AWSAuth
		caller    Caller
		opts      Options
		want      Identity
		reasonHas string
		admin     bool
	}{
		{
			name:      "X34 rolearn with a path never matches",
			sources:   []*inventory.AWSAuth{src([]*inventory.AuthEntry{role("arn:aws:iam::111122223333:role/teams/dev/deployer", "deployer", "system:masters")}, nil)},
			caller:    session("deployer", "ci"),
			want:      Identity{},
			reasonHas: "names the role with a path",
		},
		{
			name: "X34 rolearn with a path: mapAccounts still authenticates the account",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{role("arn:aws:iam::111122223333:role/teams/dev/deployer", "deployer", "system:masters")}, nil,
				acctA)},
			caller: session("deployer", "ci"),
			want: Identity{Authenticated: true, Username: "arn:aws:iam::111122223333:role/deployer", Groups: []string{},
				Source: SourceAWSAuth, EntryID: inventory.AuthEntryID(authID, "mapAccounts", 0)},
		},
		{
			name:    "X34 rolearn without the path maps",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{role("arn:aws:iam::111122223333:role/deployer", "deployer", "system:masters")}, nil)},
			caller:  session("deployer", "ci"),
			want:    Identity{Authenticated: true, Username: "deployer", Groups: []string{"system:masters"}, Source: SourceAWSAuth, EntryID: roleID(0)},
			admin:   true,
		},
		{
			name: "X37 templates render SessionName with @ replaced, SessionNameRaw and AccountID",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{
				role("arn:aws:iam::111122223333:role/Admin", "admin:{{SessionName}}", "team:{{SessionNameRaw}}", "acct-{{AccountID}}")}, nil)},
			caller: session("Admin", "alice@example.com"),
			want: Identity{Authenticated: true, Username: "admin:alice-example.com", Groups: []string{"team:alice@example.com", "acct-111122223333"},
				Source: SourceAWSAuth, EntryID: roleID(0), UsernameChosenByCaller: true},
		},
		{
			name: "templates: session name comes from the STS UserId, unknown placeholders stay literal",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{
				role("arn:aws:iam::111122223333:role/Admin", "{{SessionName}}:{{Unknown}}", "key-{{AccessKeyID}}", "{{accountid}}")}, nil)},
			caller: Caller{ARN: "arn:aws:sts::111122223333:assumed-role/Admin/from-arn", UserID: "AROAEXAMPLEEXAMPLE01:from-userid", AccessKeyID: "ASIAEXAMPLE"},
			want: Identity{Authenticated: true, Username: "from-userid:{{Unknown}}", Groups: []string{"key-ASIAEXAMPLE", "{{accountid}}"},
				Source: SourceAWSAuth, EntryID: roleID(0), UsernameChosenByCaller: true},
		},
		{
			name:    "unknown access key ID keeps its placeholder",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{role("arn:aws:iam::111122223333:role/Admin", "k:{{AccessKeyID}}")}, nil)},
			caller:  session("Admin", "x"),
			want:    Identity{Authenticated: true, Username: "k:{{AccessKeyID}}", Groups: []string{}, Source: SourceAWSAuth, EntryID: roleID(0)},
		},
		{
			name: "X38 duplicate role entries: the last wins",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{
				shadowed(role("arn:aws:iam::111122223333:role/Dev", "", "view"), roleID(1)),
				role("arn:aws:iam::111122223333:role/dev", "", "system:masters")}, nil)},
			caller: session("Dev", "s"),
			want:   Identity{Authenticated: true, Username: "", Groups: []string{"system:masters"}, Source: SourceAWSAuth, EntryID: roleID(1)},
			admin:  true,
		},
		{
			name:    "X39 mapAccounts authenticates as the canonical ARN with no groups",
			sources: []*inventory.AWSAuth{src(nil, nil, acctA)},
			caller:  session("Anything", "x"),
			want: Identity{Authenticated: true, Username: "arn:aws:iam::111122223333:role/Anything", Groups: []string{},
				Source: SourceAWSAuth, EntryID: inventory.AuthEntryID(authID, "mapAccounts", 0)},
			reasonHas: "mapAccounts",
		},
		{
			name:    "X39 mapAccounts for an IAM user keeps the user's path and case",
			sources: []*inventory.AWSAuth{src(nil, nil, "444455556666", acctA)},
			caller:  iamUser("Eng/Alice"),
			want: Identity{Authenticated: true, Username: "arn:aws:iam::111122223333:user/Eng/Alice", Groups: []string{},
				Source: SourceAWSAuth, EntryID: inventory.AuthEntryID(authID, "mapAccounts", 1)},
		},
		{
			name:    "mapAccounts of another account does not authenticate",
			sources: []*inventory.AWSAuth{src(nil, nil, "444455556666")},
			caller:  session("Anything", "x"),
			want:    Identity{},
		},
		{
			name:    "X40 a user ARN under mapRoles maps the IAM user",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{role("arn:aws:iam::111122223333:user/alice", "alice", "system:masters")}, nil)},
			caller:  iamUser("alice"),
			want:    Identity{Authenticated: true, Username: "alice", Groups: []string{"system:masters"}, Source: SourceAWSAuth, EntryID: roleID(0)},
			admin:   true,
		},
		{
			name: "X40 mapRoles wins over mapUsers for the same ARN",
			sources: []*inventory.AWSAuth{src(
				[]*inventory.AuthEntry{role("arn:aws:iam::111122223333:user/alice", "from-roles")},
				[]*inventory.AuthEntry{user("arn:aws:iam::111122223333:user/alice", "from-users", "system:masters")})},
			caller: iamUser("alice"),
			want:   Identity{Authenticated: true, Username: "from-roles", Groups: []string{}, Source: SourceAWSAuth, EntryID: roleID(0)},
		},
		{
			name:    "D5.2 a role ARN under mapUsers matches the canonical role ARN",
			sources: []*inventory.AWSAuth{src(nil, []*inventory.AuthEntry{user("arn:aws:iam::111122223333:role/ops", "ops", "ops")})},
			caller:  session("ops", "s"),
			want:    Identity{Authenticated: true, Username: "ops", Groups: []string{"ops"}, Source: SourceAWSAuth, EntryID: userID(0)},
		},
		{
			name:    "D4.6 matching is case-insensitive",
			sources: []*inventory.AWSAuth{src(nil, []*inventory.AuthEntry{user("ARN:AWS:IAM::111122223333:USER/ALICE", "alice")})},
			caller:  iamUser("alice"),
			want:    Identity{Authenticated: true, Username: "alice", Groups: []string{}, Source: SourceAWSAuth, EntryID: userID(0)},
		},
		{
			name:    "D4.4 a userarn without the user's path does not match",
			sources: []*inventory.AWSAuth{src(nil, []*inventory.AuthEntry{user("arn:aws:iam::111122223333:user/alice", "alice")})},
			caller:  iamUser("eng/alice"),
			want:    Identity{},
		},
		{
			name: "mapUsers entries differing only in case: last taken, ambiguity reported",
			sources: []*inventory.AWSAuth{src(nil, []*inventory.AuthEntry{
				user("arn:aws:iam::111122223333:user/Bob", "first"), user("arn:aws:iam::111122223333:user/bob", "second")})},
			caller:    iamUser("bob"),
			want:      Identity{Authenticated: true, Username: "second", Groups: []string{}, Source: SourceAWSAuth, EntryID: userID(1)},
			reasonHas: "non-deterministic",
		},
		{
			name: "invalid and shadowed entries are skipped",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{
				invalid(role("arn:aws:iam::111122223333:role/ops", "invalid", "system:masters")),
				shadowed(role("arn:aws:iam::111122223333:role/ops", "shadowed", "system:masters"), "elsewhere"),
			}, nil)},
			caller: session("ops", "s"),
			want:   Identity{},
		},
		{
			name: "X48 EC2PrivateDNSName with an instance-ID session name impersonates a node",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{
				role("arn:aws:iam::111122223333:role/node", "system:node:{{EC2PrivateDNSName}}", "system:bootstrappers", "system:nodes")}, nil)},
			caller: Caller{ARN: "arn:aws:sts::111122223333:assumed-role/node/i-0123456789abcdef0", InstancePrivateDNS: "ip-10-0-1-23.ec2.internal"},
			want: Identity{Authenticated: true, Username: "system:node:ip-10-0-1-23.ec2.internal", Groups: []string{"system:bootstrappers", "system:nodes"},
				Source: SourceAWSAuth, EntryID: roleID(0), UsernameChosenByCaller: true},
		},
		{
			name: "X48 without the instance's DNS name the placeholder stays",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{
				role("arn:aws:iam::111122223333:role/node", "system:node:{{EC2PrivateDNSName}}", "system:nodes")}, nil)},
			caller: session("node", "i-01234567"),
			want: Identity{Authenticated: true, Username: "system:node:{{EC2PrivateDNSName}}", Groups: []string{"system:nodes"},
				Source: SourceAWSAuth, EntryID: roleID(0), UsernameChosenByCaller: true},
		},
		{
			name: "D6.2 EC2PrivateDNSName with a session name that is not an instance ID fails",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{
				role("arn:aws:iam::111122223333:role/node", "system:node:{{EC2PrivateDNSName}}", "system:nodes")}, nil, acctA)},
			caller:    session("node", "alice"),
			want:      Identity{Source: SourceAWSAuth, EntryID: roleID(0)},
			reasonHas: "not an EC2 instance ID",
		},
		{
			name: "D6.2 EC2PrivateDNSName in a group also needs an instance ID",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{
				role("arn:aws:iam::111122223333:role/node", "n", "g:{{EC2PrivateDNSName}}")}, nil)},
			caller: session("node", "i-0123"),
			want:   Identity{Source: SourceAWSAuth, EntryID: roleID(0)},
		},
		{
			name:    "IAM user has no session name: templates render empty and are not caller-chosen",
			sources: []*inventory.AWSAuth{src(nil, []*inventory.AuthEntry{user("arn:aws:iam::111122223333:user/alice", "u:{{SessionName}}")})},
			caller:  iamUser("alice"),
			want:    Identity{Authenticated: true, Username: "u:", Groups: []string{}, Source: SourceAWSAuth, EntryID: userID(0)},
		},
		{
			name:    "X49 SSO rolearn written with the full path never matches",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{role("arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/"+ssoRole, "admin", "system:masters")}, nil)},
			caller:  session(ssoRole, "alice@example.com"),
			want:    Identity{},
		},
		{
			name:    "X49 SSO rolearn written without the path matches",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{role("arn:aws:iam::111122223333:role/"+ssoRole, "admin", "system:masters")}, nil)},
			caller:  session(ssoRole, "alice@example.com"),
			want:    Identity{Authenticated: true, Username: "admin", Groups: []string{"system:masters"}, Source: SourceAWSAuth, EntryID: roleID(0)},
			admin:   true,
		},
		{
			name: "X49 sso matcher is ignored without the SSORoleMatch gate",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{
				withSSO(role("", "admin", "system:masters"), inventory.SSOMatcher{PermissionSetName: "Admin", AccountID: acctA})}, nil)},
			caller: session(ssoRole, "alice"),
			want:   Identity{},
		},
		{
			name: "X49 sso matcher matches with SSORoleMatch",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{
				withSSO(role("", "admin:{{SessionName}}", "system:masters"), inventory.SSOMatcher{PermissionSetName: "Admin", AccountID: acctA})}, nil)},
			caller: session(ssoRole, "alice"),
			opts:   Options{SSORoleMatch: true},
			want: Identity{Authenticated: true, Username: "admin:alice", Groups: []string{"system:masters"}, Source: SourceAWSAuth,
				EntryID: roleID(0), UsernameChosenByCaller: true},
			admin: true,
		},
		{
			name: "D2.5 sso matcher with a partition set never matches",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{
				withSSO(role("", "admin", "system:masters"), inventory.SSOMatcher{PermissionSetName: "Admin", AccountID: acctA, Partition: "aws"})}, nil)},
			caller: session(ssoRole, "alice"),
			opts:   Options{SSORoleMatch: true},
			want:   Identity{},
		},
		{
			name: "D5.3 a rolearn entry is preferred over an sso entry for the same role",
			sources: []*inventory.AWSAuth{src([]*inventory.AuthEntry{
				role("arn:aws:iam::111122223333:role/"+ssoRole, "exact"),
				withSSO(role("", "sso"), inventory.SSOMatcher{PermissionSetName: "Admin", AccountID: acctA})}, nil)},
			caller:    session(ssoRole, "alice"),
			opts:      Options{SSORoleMatch: true},
			want:      Identity{Authenticated: true, Username: "exact", Groups: []string{}, Source: SourceAWSAuth, EntryID: roleID(0)},
			reasonHas: "non-deterministic",
		},
		{
			name:      "a caller ARN that is not an identity is rejected",
			sources:   []*inventory.AWSAuth{src(nil, nil, acctA)},
			caller:    Caller{ARN: "arn:aws:iam::111122223333:group/admins"},
			want:      Identity{},
			reasonHas: "D4.2",
		},
		{
			name:    "no sources: not authenticated",
			caller:  session("ops", "s"),
			want:    Identity{},
			sources: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MapAWSAuth(tt.sources, tt.caller, tt.opts)
			check(t, tt.want, got, tt.reasonHas, tt.admin)
		})
	}
}

func TestMapAWSAuthBackends(t *testing.T) {
	opsARN := "arn:aws:iam::111122223333:role/ops"
	server := func() *inventory.AWSAuth {
		return srcKind(inventory.AuthServerFile, "", []*inventory.AuthEntry{role(opsARN, "from-server")}, nil)
	}
	configMap := func(accounts ...string) *inventory.AWSAuth {
		return srcKind(inventory.AuthConfigMap, "", []*inventory.AuthEntry{role(opsARN, "from-configmap")}, nil, accounts...)
	}
	crd := func(name, arn, username string) *inventory.AWSAuth {
		return srcKind(inventory.AuthCRD, name, []*inventory.AuthEntry{role(arn, username)}, nil)
	}
	tests := []struct {
		name    string
		sources []*inventory.AWSAuth
		caller  Caller
		want    Identity
	}{
		{
			name:    "server file is consulted before the ConfigMap whatever the slice order",
			sources: []*inventory.AWSAuth{configMap(), server()},
			caller:  session("ops", "s"),
			want: Identity{Authenticated: true, Username: "from-server", Groups: []string{}, Source: SourceAWSAuth,
				EntryID: inventory.AuthEntryID(inventory.AWSAuthID("prod", inventory.AuthServerFile, ""), "mapRoles", 0)},
		},
		{
			name:    "mapAccounts of an earlier backend wins over an entry of a later one",
			sources: []*inventory.AWSAuth{crd("a", opsARN, "from-crd"), srcKind(inventory.AuthConfigMap, "", nil, nil, acctA)},
			caller:  session("ops", "s"),
			want: Identity{Authenticated: true, Username: opsARN, Groups: []string{}, Source: SourceAWSAuth,
				EntryID: inventory.AuthEntryID(authID, "mapAccounts", 0)},
		},
		{
			name:    "IAMIdentityMapping objects form one backend after the ConfigMap",
			sources: []*inventory.AWSAuth{crd("b", "arn:aws:iam::111122223333:role/other", "x"), crd("a", opsARN, "from-crd")},
			caller:  session("ops", "s"),
			want: Identity{Authenticated: true, Username: "from-crd", Groups: []string{}, Source: SourceAWSAuth,
				EntryID: inventory.AuthEntryID(inventory.AWSAuthID("prod", inventory.AuthCRD, "a"), "mapRoles", 0)},
		},
		{
			name: "a template failure stops the chain (no fall-through to later backends)",
			sources: []*inventory.AWSAuth{
				srcKind(inventory.AuthServerFile, "", []*inventory.AuthEntry{role(opsARN, "system:node:{{EC2PrivateDNSName}}")}, nil),
				configMap(acctA)},
			caller: session("ops", "not-an-instance"),
			want:   Identity{Source: SourceAWSAuth, EntryID: inventory.AuthEntryID(inventory.AWSAuthID("prod", inventory.AuthServerFile, ""), "mapRoles", 0)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MapAWSAuth(tt.sources, tt.caller, Options{})
			if diff := cmp.Diff(tt.want, got, ignoreReason); diff != "" {
				t.Errorf("(-want +got):\n%s\nreason: %s", diff, got.Reason)
			}
		})
	}
}

func TestResolveAccessEntry(t *testing.T) {
	entry := func(arn, typ, username string, groups ...string) *inventory.AccessEntry {
		return &inventory.AccessEntry{ID: inventory.AccessEntryID("prod", arn), Cluster: "prod", PrincipalARN: arn, Type: typ, Username: username, KubernetesGroups: groups}
	}
	const deployerPath = "arn:aws:iam::111122223333:role/teams/deployer"
	eid := inventory.AccessEntryID("prod", deployerPath)
	tests := []struct {
		name      string
		entries   []*inventory.AccessEntry
		caller    Caller
		want      Identity
		reasonHas string
	}{
		{
			name:    "X44 entry with a path and default username: path removed, session rendered",
			entries: []*inventory.AccessEntry{entry(deployerPath, "STANDARD", "")},
			caller:  session("deployer", "ci-run-42"),
			want: Identity{Authenticated: true, Username: "arn:aws:sts::111122223333:assumed-role/deployer/ci-run-42", Groups: []string{},
				Source: SourceAccessEntry, EntryID: eid, UsernameChosenByCaller: true},
			reasonHas: "path is unknown",
		},
		{
			name:    "X44 with the caller's full role ARN known the path is compared",
			entries: []*inventory.AccessEntry{entry(deployerPath, "", "")},
			caller:  Caller{ARN: "arn:aws:sts::111122223333:assumed-role/deployer/ci-run-42", RoleARN: deployerPath},
			want: Identity{Authenticated: true, Username: "arn:aws:sts::111122223333:assumed-role/deployer/ci-run-42", Groups: []string{},
				Source: SourceAccessEntry, EntryID: eid, UsernameChosenByCaller: true},
		},
		{
			name:    "a role with the same name under another path is a different role",
			entries: []*inventory.AccessEntry{entry(deployerPath, "", "")},
			caller:  Caller{ARN: "arn:aws:sts::111122223333:assumed-role/deployer/x", RoleARN: "arn:aws:iam::111122223333:role/other/deployer"},
			want:    Identity{},
		},
		{
			name:    "same role name in another account does not match",
			entries: []*inventory.AccessEntry{entry("arn:aws:iam::444455556666:role/deployer", "", "")},
			caller:  session("deployer", "x"),
			want:    Identity{},
		},
		{
			name:    "IAM user entry: default username is the user ARN",
			entries: []*inventory.AccessEntry{entry("arn:aws:iam::111122223333:user/eng/alice", "STANDARD", "", "devs")},
			caller:  iamUser("eng/alice"),
			want: Identity{Authenticated: true, Username: "arn:aws:iam::111122223333:user/eng/alice", Groups: []string{"devs"},
				Source: SourceAccessEntry, EntryID: inventory.AccessEntryID("prod", "arn:aws:iam::111122223333:user/eng/alice")},
		},
		{
			name:    "custom username with a session template is caller-chosen",
			entries: []*inventory.AccessEntry{entry("arn:aws:iam::111122223333:role/ops", "STANDARD", "ops:{{SessionName}}", "ops")},
			caller:  session("ops", "bob@example.com"),
			want: Identity{Authenticated: true, Username: "ops:bob-example.com", Groups: []string{"ops"}, Source: SourceAccessEntry,
				EntryID: inventory.AccessEntryID("prod", "arn:aws:iam::111122223333:role/ops"), UsernameChosenByCaller: true},
		},
		{
			name:    "EC2_LINUX default username needs an instance-ID session name",
			entries: []*inventory.AccessEntry{entry("arn:aws:iam::111122223333:role/node", "EC2_LINUX", "")},
			caller:  Caller{ARN: "arn:aws:sts::111122223333:assumed-role/node/i-0123456789abcdef0", InstancePrivateDNS: "ip-10-0-0-9.ec2.internal"},
			want: Identity{Authenticated: true, Username: "system:node:ip-10-0-0-9.ec2.internal", Groups: []string{}, Source: SourceAccessEntry,
				EntryID: inventory.AccessEntryID("prod", "arn:aws:iam::111122223333:role/node"), UsernameChosenByCaller: true},
		},
		{
			name:      "EC2_LINUX with a non-instance session name fails",
			entries:   []*inventory.AccessEntry{entry("arn:aws:iam::111122223333:role/node", "EC2_LINUX", "")},
			caller:    session("node", "alice"),
			want:      Identity{Source: SourceAccessEntry, EntryID: inventory.AccessEntryID("prod", "arn:aws:iam::111122223333:role/node")},
			reasonHas: "E2.3",
		},
		{
			name:    "FARGATE_LINUX default username uses the session name",
			entries: []*inventory.AccessEntry{entry("arn:aws:iam::111122223333:role/fargate", "FARGATE_LINUX", "")},
			caller:  session("fargate", "fargate-ip-10-0-0-1"),
			want: Identity{Authenticated: true, Username: "system:node:fargate-ip-10-0-0-1", Groups: []string{}, Source: SourceAccessEntry,
				EntryID: inventory.AccessEntryID("prod", "arn:aws:iam::111122223333:role/fargate"), UsernameChosenByCaller: true},
		},
		{
			name:      "type without a documented default username authenticates with an empty username",
			entries:   []*inventory.AccessEntry{entry("arn:aws:iam::111122223333:role/auto", "EC2", "")},
			caller:    session("auto", "i-0123456789abcdef0"),
			want:      Identity{Authenticated: true, Username: "", Groups: []string{}, Source: SourceAccessEntry, EntryID: inventory.AccessEntryID("prod", "arn:aws:iam::111122223333:role/auto")},
			reasonHas: "not documented",
		},
		{
			name:    "E2.1 service-linked role entries never match",
			entries: []*inventory.AccessEntry{entry("arn:aws:iam::111122223333:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS", "", "")},
			caller:  session("AWSServiceRoleForAmazonEKS", "x"),
			want:    Identity{},
		},
		{
			name:    "a role entry does not match a user of the same name",
			entries: []*inventory.AccessEntry{entry("arn:aws:iam::111122223333:role/alice", "", "")},
			caller:  iamUser("alice"),
			want:    Identity{},
		},
		{
			name:      "X43 entry bound to a deleted and re-created role does not match",
			entries:   []*inventory.AccessEntry{entry("arn:aws:iam::111122223333:role/Deployer", "", "")},
			caller:    Caller{ARN: "arn:aws:sts::111122223333:assumed-role/Deployer/x", RecreatedPrincipal: true},
			want:      Identity{Source: SourceAccessEntry, EntryID: inventory.AccessEntryID("prod", "arn:aws:iam::111122223333:role/Deployer")},
			reasonHas: "E2.6",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ResolveAccessEntry(tt.entries, tt.caller)
			check(t, tt.want, got, tt.reasonHas, false)
		})
	}
}

func TestResolve(t *testing.T) {
	const opsARN = "arn:aws:iam::111122223333:role/Ops"
	const deployerARN = "arn:aws:iam::111122223333:role/Deployer"
	awsAuth := []*inventory.AWSAuth{src([]*inventory.AuthEntry{
		role(opsARN, "ops", "system:masters"),
		role(deployerARN, "deployer", "deployers"),
	}, nil)}
	view := inventory.AccessPolicy{ID: inventory.AccessPolicyID(inventory.AccessEntryID("prod", opsARN), viewARN), PolicyARN: viewARN, ScopeType: "cluster"}
	opsEntry := &inventory.AccessEntry{ID: inventory.AccessEntryID("prod", opsARN), Cluster: "prod", PrincipalARN: opsARN, Type: "STANDARD",
		Policies: []inventory.AccessPolicy{view}}
	deployerEntry := &inventory.AccessEntry{ID: inventory.AccessEntryID("prod", deployerARN), Cluster: "prod", PrincipalARN: deployerARN}
	opsFromAWSAuth := Identity{Authenticated: true, Username: "ops", Groups: []string{"system:masters"}, Source: SourceAWSAuth, EntryID: inventory.AuthEntryID(authID, "mapRoles", 0)}
	recreated := session("Deployer", "x")
	recreated.RecreatedPrincipal = true

	tests := []struct {
		name      string
		mode      string
		entries   []*inventory.AccessEntry
		caller    Caller
		want      Identity
		reasonHas string
		admin     bool
	}{
		{
			name:    "X41 access entry overrides aws-auth in API_AND_CONFIG_MAP",
			mode:    inventory.ModeAPIAndConfigMap,
			entries: []*inventory.AccessEntry{opsEntry},
			caller:  session("Ops", "alice"),
			want: Identity{Authenticated: true, Username: "arn:aws:sts::111122223333:assumed-role/Ops/alice", Groups: []string{},
				Source: SourceAccessEntry, EntryID: opsEntry.ID, AccessPolicies: []inventory.AccessPolicy{view}, UsernameChosenByCaller: true},
		},
		{
			name:   "API_AND_CONFIG_MAP without an entry uses aws-auth",
			mode:   inventory.ModeAPIAndConfigMap,
			caller: session("Ops", "alice"),
			want:   opsFromAWSAuth,
			admin:  true,
		},
		{
			name:      "X42 API mode ignores aws-auth",
			mode:      inventory.ModeAPI,
			caller:    session("Ops", "alice"),
			want:      Identity{},
			reasonHas: "no access entry",
		},
		{
			name:    "CONFIG_MAP ignores access entries",
			mode:    inventory.ModeConfigMap,
			entries: []*inventory.AccessEntry{opsEntry},
			caller:  session("Ops", "alice"),
			want:    opsFromAWSAuth,
			admin:   true,
		},
		{
			name:    "E4.5 an empty mode is CONFIG_MAP",
			mode:    "",
			entries: []*inventory.AccessEntry{opsEntry},
			caller:  session("Ops", "alice"),
			want:    opsFromAWSAuth,
			admin:   true,
		},
		{
			name:      "X43 API mode: stale entry after role re-creation authenticates nobody",
			mode:      inventory.ModeAPI,
			entries:   []*inventory.AccessEntry{deployerEntry},
			caller:    recreated,
			want:      Identity{Source: SourceAccessEntry, EntryID: deployerEntry.ID},
			reasonHas: "E2.6",
		},
		{
			name:    "X43 API_AND_CONFIG_MAP: stale entry falls through to aws-auth",
			mode:    inventory.ModeAPIAndConfigMap,
			entries: []*inventory.AccessEntry{deployerEntry},
			caller:  recreated,
			want: Identity{Authenticated: true, Username: "deployer", Groups: []string{"deployers"}, Source: SourceAWSAuth,
				EntryID: inventory.AuthEntryID(authID, "mapRoles", 1)},
			reasonHas: "E2.6",
		},
		{
			name:      "unknown mode authenticates nobody",
			mode:      "api",
			caller:    session("Ops", "alice"),
			want:      Identity{},
			reasonHas: "unknown authentication mode",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Resolve(tt.mode, awsAuth, tt.entries, tt.caller, Options{})
			check(t, tt.want, got, tt.reasonHas, tt.admin)
		})
	}
}

func TestIsClusterAdmin(t *testing.T) {
	policy := func(name, scope string) inventory.AccessPolicy {
		return inventory.AccessPolicy{PolicyARN: "arn:aws:eks::aws:cluster-access-policy/" + name, ScopeType: scope}
	}
	tests := []struct {
		name string
		id   Identity
		want bool
	}{
		{"system:masters group", Identity{Authenticated: true, Groups: []string{"dev", "system:masters"}}, true},
		{"group names are case-sensitive", Identity{Authenticated: true, Groups: []string{"System:Masters"}}, false},
		{"cluster admin policy at cluster scope", Identity{Authenticated: true, AccessPolicies: []inventory.AccessPolicy{policy("AmazonEKSClusterAdminPolicy", "cluster")}}, true},
		{"cluster admin policy at namespace scope", Identity{Authenticated: true, AccessPolicies: []inventory.AccessPolicy{policy("AmazonEKSClusterAdminPolicy", "namespace")}}, false},
		{"admin policy is not cluster admin", Identity{Authenticated: true, AccessPolicies: []inventory.AccessPolicy{policy("AmazonEKSAdminPolicy", "cluster")}}, false},
		{"aws-cn policy ARN", Identity{Authenticated: true, AccessPolicies: []inventory.AccessPolicy{{PolicyARN: "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", ScopeType: "cluster"}}}, true},
		{"not authenticated", Identity{Groups: []string{"system:masters"}}, false},
		{"no groups", Identity{Authenticated: true, Groups: []string{}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsClusterAdmin(tt.id); got != tt.want {
				t.Errorf("IsClusterAdmin = %v, want %v", got, tt.want)
			}
		})
	}
}
