package policy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
)

const (
	testAcct  = "111122223333"
	eksHost   = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
	eksProv   = "arn:aws:iam::" + testAcct + ":oidc-provider/" + eksHost
	ghHost    = "token.actions.githubusercontent.com"
	ghProv    = "arn:aws:iam::" + testAcct + ":oidc-provider/" + ghHost
	appRole   = "arn:aws:iam::" + testAcct + ":role/app"
	otherAcct = "444455556666"
)

// parseTrust parses a trust policy JSON document or fails the test.
func parseTrust(t *testing.T, doc string) *iampolicy.Policy {
	t.Helper()
	p, err := iampolicy.Parse([]byte(doc), "trust.json")
	if err != nil {
		t.Fatalf("parse trust: %v", err)
	}
	return p
}

// testRole is a role with the given trust policy.
func testRole(t *testing.T, arn, trust string) *inventory.Role {
	t.Helper()
	name, _ := iampolicy.RoleNameOf(arn)
	acct, _ := iampolicy.AccountOfARN(arn)
	r := &inventory.Role{ID: inventory.RoleID(arn), ARN: arn, Name: name, Account: acct, Source: inventory.At("roles.json", 1, 1)}
	if trust != "" {
		r.Trust = parseTrust(t, trust)
	}
	return r
}

// webIdentityTrust is a one-statement web-identity trust of provider with the given Condition JSON.
func webIdentityTrust(provider, condition string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider +
		`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":` + condition + `}]}`
}

func emptyInventory() *inventory.Inventory {
	return &inventory.Inventory{RoleListAccounts: map[string]bool{}, ProviderListAccounts: map[string]bool{}, IdentityAccounts: map[string]bool{}}
}

// subClaim builds the input for one role and returns the sub claim of its first statement's
// first web identity.
func subClaim(t *testing.T, provider, condition string) Claim {
	t.Helper()
	inv := emptyInventory()
	inv.Roles = []*inventory.Role{testRole(t, appRole, webIdentityTrust(provider, condition))}
	in, _ := Build(inv, BuildOptions{})
	st := in.Roles[0].Trust.Statements[0]
	if len(st.WebIdentity) == 0 {
		t.Fatalf("no web identity in %+v", st)
	}
	return st.WebIdentity[0].Sub
}

// claimFlags are the summary flags of a Claim that rules read.
type claimFlags struct {
	AnyNamespace, AnyName, DefaultServiceAccount bool
	AnyRepo, AnyRef, PullRequest                 bool
}

func flagsOf(c Claim) claimFlags {
	return claimFlags{c.AnyNamespace, c.AnyName, c.DefaultServiceAccount, c.AnyRepo, c.AnyRef, c.PullRequest}
}

func TestEKSSubjectSummary(t *testing.T) {
	sub := eksHost + ":sub"
	aud := `"` + eksHost + `:aud":"sts.amazonaws.com"`
	tests := []struct {
		name      string
		condition string
		want      claimFlags
		wantNS    []string
	}{
		{"one service account pinned", `{"StringEquals":{"` + sub + `":"system:serviceaccount:payments:api",` + aud + `}}`,
			claimFlags{}, []string{"payments"}},
		{"every service account of every namespace", `{"StringLike":{"` + sub + `":"system:serviceaccount:*"}}`,
			claimFlags{AnyNamespace: true}, []string{}},
		{"namespace prefix wildcard", `{"StringLike":{"` + sub + `":"system:serviceaccount:ns-*:app"}}`,
			claimFlags{AnyNamespace: true}, []string{}},
		{"name suffix wildcard pins the namespace", `{"StringLike":{"` + sub + `":"system:serviceaccount:payments:api*"}}`,
			claimFlags{AnyName: true}, []string{"payments"}},
		{"literal star under StringEquals admits no real namespace", `{"StringEquals":{"` + sub + `":"system:serviceaccount:*:default"}}`,
			claimFlags{}, []string{}},
		{"default service account pinned", `{"StringEquals":{"` + sub + `":"system:serviceaccount:payments:default"}}`,
			claimFlags{DefaultServiceAccount: true}, []string{"payments"}},
		{"default service account named in another case", `{"StringEqualsIgnoreCase":{"` + sub + `":"system:serviceaccount:payments:Default"}}`,
			claimFlags{DefaultServiceAccount: true}, []string{"payments"}},
		{"default service account excluded by an AND-ed condition", `{"StringEquals":{"` + sub + `":["system:serviceaccount:payments:default","system:serviceaccount:payments:api"]},"StringNotEquals":{"` + sub + `":"system:serviceaccount:payments:default"}}`,
			claimFlags{}, []string{"payments"}},
		{"default service account outside the AND-ed namespace pattern", `{"StringEquals":{"` + sub + `":["system:serviceaccount:payments:default","system:serviceaccount:payments:api"]},"StringLike":{"` + sub + `":"system:serviceaccount:*:api"}}`,
			claimFlags{}, []string{"payments"}},
		{"any namespace AND-ed with a pinned namespace pins one service account", `{"StringLike":{"` + sub + `":"system:serviceaccount:*:app"},"StringEquals":{"` + sub + `":"system:serviceaccount:payments:app"}}`,
			claimFlags{}, []string{"payments"}},
		{"wildcard namespace AND-ed with wildcard name pins both", `{"StringLike":{"` + sub + `":"system:serviceaccount:*:app"},"StringLikeIfExists":{"` + sub + `":"system:serviceaccount:payments:*"}}`,
			claimFlags{}, []string{"payments"}},
		{"both AND-ed conditions wildcard the name", `{"StringLike":{"` + sub + `":"system:serviceaccount:payments:*"},"StringLikeIfExists":{"` + sub + `":"system:serviceaccount:payments:a*"}}`,
			claimFlags{AnyName: true}, []string{"payments"}},
		{"both AND-ed conditions wildcard the namespace", `{"StringLike":{"` + sub + `":"system:serviceaccount:*"},"StringLikeIfExists":{"` + sub + `":"system:serviceaccount:*:app"}}`,
			claimFlags{AnyNamespace: true}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := subClaim(t, eksProv, tt.condition)
			if diff := cmp.Diff(tt.want, flagsOf(c)); diff != "" {
				t.Errorf("flags (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantNS, c.Namespaces); diff != "" {
				t.Errorf("namespaces (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGitHubSubjectSummary(t *testing.T) {
	sub := ghHost + ":sub"
	tests := []struct {
		name      string
		condition string
		want      claimFlags
	}{
		{"one branch pinned", `{"StringEquals":{"` + sub + `":"repo:org/app:ref:refs/heads/main"}}`, claimFlags{}},
		{"every repository of any owner", `{"StringLike":{"` + sub + `":"repo:*"}}`, claimFlags{AnyRepo: true, PullRequest: true}},
		{"every repository of the owner on main", `{"StringLike":{"` + sub + `":"repo:org/*:ref:refs/heads/main"}}`, claimFlags{AnyRepo: true}},
		{"repository pinned, any ref", `{"StringLike":{"` + sub + `":"repo:org/app:*"}}`, claimFlags{AnyRef: true, PullRequest: true}},
		{"pull request subject", `{"StringEquals":{"` + sub + `":"repo:org/app:pull_request"}}`, claimFlags{PullRequest: true}},
		{"pull request excluded by an AND-ed condition", `{"StringLike":{"` + sub + `":"repo:org/app:*"},"StringNotEquals":{"` + sub + `":"repo:org/app:pull_request"}}`,
			claimFlags{AnyRef: true}},
		{"any repository AND-ed with a pinned ref pins the subject", `{"StringLike":{"` + sub + `":"repo:*:ref:refs/heads/main"},"StringLikeIfExists":{"` + sub + `":"repo:org/app:*"}}`,
			claimFlags{}},
		{"any branch is any ref", `{"StringLike":{"` + sub + `":"repo:org/app:ref:refs/heads/*"}}`, claimFlags{AnyRef: true}},
		{"a narrowed branch family is not any ref", `{"StringLike":{"` + sub + `":"repo:org/app:ref:refs/heads/release-*"}}`, claimFlags{}},
		{"literal star under StringEquals is not a wildcard", `{"StringEquals":{"` + sub + `":"repo:org/*:ref:refs/heads/main"}}`, claimFlags{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := subClaim(t, ghProv, tt.condition)
			if diff := cmp.Diff(tt.want, flagsOf(c)); diff != "" {
				t.Errorf("flags (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFederationSubjectWildcard(t *testing.T) {
	const host = "gitlab.example.com"
	prov := "arn:aws:iam::" + testAcct + ":oidc-provider/" + host
	sub := host + ":sub"
	tests := []struct {
		name      string
		condition string
		want      bool
	}{
		{"wildcard pattern", `{"StringLike":{"` + sub + `":"project_path:grp/*"}}`, true},
		{"literal star under StringEquals", `{"StringEquals":{"` + sub + `":"project_path:grp/*"}}`, false},
		{"wildcard AND-ed with an exact subject", `{"StringLike":{"` + sub + `":"project_path:grp/*"},"StringEquals":{"` + sub + `":"project_path:grp/app:ref_type:branch:ref:main"}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := subClaim(t, prov, tt.condition).Wildcard; got != tt.want {
				t.Errorf("wildcard = %v, want %v", got, tt.want)
			}
		})
	}
}

// irsaCase is a ServiceAccount annotated with a role ARN, scanned with roles, clusters and providers.
type irsaCase struct {
	name       string
	roles      []*inventory.Role
	clusters   []*inventory.Cluster
	providers  []*inventory.OIDCProvider
	saCluster  string
	namespace  string
	saName     string
	annotation string
	audience   string // "" = no audience annotation
	want       IRSA   // Annotation and Audience are filled in by the test
}

func runIRSA(t *testing.T, tt irsaCase) {
	t.Helper()
	inv := emptyInventory()
	inv.Roles, inv.Clusters, inv.OIDCProviders = tt.roles, tt.clusters, tt.providers
	for _, p := range tt.providers {
		inv.ProviderListAccounts[p.Account] = true
	}
	ns, name := tt.namespace, tt.saName
	if ns == "" {
		ns = "payments"
	}
	if name == "" {
		name = "api"
	}
	saID := inventory.ServiceAccountID(tt.saCluster, ns, name)
	sa := &inventory.ServiceAccount{ID: saID, Cluster: tt.saCluster, Namespace: ns, Name: name, Source: inventory.At("sa.yaml", 1, 1)}
	annID := inventory.AnnotationID(saID, annotationRoleARN)
	sa.Annotations = append(sa.Annotations, inventory.Annotation{ID: annID, Key: annotationRoleARN, Value: tt.annotation, Source: inventory.At("sa.yaml", 5, 5)})
	if tt.audience != "" {
		sa.Annotations = append(sa.Annotations, inventory.Annotation{ID: inventory.AnnotationID(saID, annotationAudience), Key: annotationAudience, Value: tt.audience})
	}
	inv.ServiceAccounts = []*inventory.ServiceAccount{sa}
	in, _ := Build(inv, BuildOptions{})
	got := in.ServiceAccounts[0].IRSA
	if got == nil {
		t.Fatal("no IRSA verdict")
	}
	want := tt.want
	want.Annotation = annID
	want.Audience = defaultAudience
	if tt.audience != "" {
		want.Audience = tt.audience
	}
	// Reason wording is the evaluator's; only its presence is pinned here.
	if (want.Reason == "") != (got.Reason == "") && want.Reason != "*" {
		t.Errorf("reason %q, want %q", got.Reason, want.Reason)
	}
	if want.Reason != "" && want.Reason != "*" && !strings.Contains(got.Reason, want.Reason) {
		t.Errorf("reason %q does not contain %q", got.Reason, want.Reason)
	}
	want.Reason, got.Reason = "", ""
	if diff := cmp.Diff(want, *got); diff != "" {
		t.Errorf("IRSA verdict (-want +got):\n%s", diff)
	}
}

func TestIRSAVerdict(t *testing.T) {
	pinned := func(prov string) string {
		host, _ := iampolicy.OIDCProviderHost(prov)
		return webIdentityTrust(prov, `{"StringEquals":{"`+host+`:sub":"system:serviceaccount:payments:api","`+host+`:aud":"sts.amazonaws.com"}}`)
	}
	noSub := func(prov string) string { return webIdentityTrust(prov, `{}`) }
	prod := &inventory.Cluster{ID: inventory.ClusterID("prod"), Name: "prod", ARN: "arn:aws:eks:us-east-1:" + testAcct + ":cluster/prod", Account: testAcct, Issuer: "https://" + eksHost}
	listed := &inventory.Cluster{ID: inventory.ClusterID("listed"), Name: "listed"} // named only: no issuer
	bare := func(name, trust string) *inventory.Role {
		r := testRole(t, "arn:aws:iam:::role/"+name, trust)
		r.Name = name
		return r
	}
	tests := []irsaCase{
		{name: "pinned trust of the cluster's provider admits the service account",
			roles: []*inventory.Role{testRole(t, appRole, pinned(eksProv))}, clusters: []*inventory.Cluster{prod}, saCluster: "prod",
			annotation: appRole, want: IRSA{RoleARN: appRole, ARNValid: true, Role: appRole, Evaluated: true, Assumable: true, Reason: "*"}},
		{name: "another service account of the namespace is refused",
			roles: []*inventory.Role{testRole(t, appRole, pinned(eksProv))}, clusters: []*inventory.Cluster{prod}, saCluster: "prod", saName: "worker",
			annotation: appRole, want: IRSA{RoleARN: appRole, ARNValid: true, Role: appRole, Evaluated: true, Reason: "*"}},
		{name: "surrounding whitespace is not a role ARN (the webhook injects the value as written)",
			roles: []*inventory.Role{testRole(t, appRole, pinned(eksProv))}, clusters: []*inventory.Cluster{prod}, saCluster: "prod",
			annotation: " " + appRole + "\n", want: IRSA{RoleARN: " " + appRole + "\n"}},
		{name: "annotation without the role's path finds the role by name",
			roles: []*inventory.Role{testRole(t, "arn:aws:iam::"+testAcct+":role/team/app", pinned(eksProv))}, clusters: []*inventory.Cluster{prod}, saCluster: "prod",
			annotation: appRole, want: IRSA{RoleARN: appRole, ARNValid: true, Role: "arn:aws:iam::" + testAcct + ":role/team/app", Evaluated: true, Assumable: true, Reason: "*"}},
		{name: "role from a bare policy file is matched by name",
			roles: []*inventory.Role{bare("app", pinned(eksProv))}, clusters: []*inventory.Cluster{prod}, saCluster: "prod",
			annotation: appRole, want: IRSA{RoleARN: appRole, ARNValid: true, Role: "arn:aws:iam:::role/app", Evaluated: true, Assumable: true, Reason: "*"}},
		{name: "the role of the annotation's account wins over a bare file of the same name",
			roles:    []*inventory.Role{bare("app", noSub(eksProv)), testRole(t, "arn:aws:iam::"+testAcct+":role/team/app", pinned(eksProv))},
			clusters: []*inventory.Cluster{prod}, saCluster: "prod",
			annotation: appRole, want: IRSA{RoleARN: appRole, ARNValid: true, Role: "arn:aws:iam::" + testAcct + ":role/team/app", Evaluated: true, Assumable: true, Reason: "*"}},
		{name: "a role of another account with the same name is not the annotated role",
			roles: []*inventory.Role{testRole(t, "arn:aws:iam::"+otherAcct+":role/app", pinned(eksProv))}, clusters: []*inventory.Cluster{prod}, saCluster: "prod",
			annotation: appRole, want: IRSA{RoleARN: appRole, ARNValid: true}},
		{name: "a provider of another account never admits the token",
			roles:    []*inventory.Role{testRole(t, appRole, pinned("arn:aws:iam::"+otherAcct+":oidc-provider/"+eksHost))},
			clusters: []*inventory.Cluster{prod}, saCluster: "prod",
			annotation: appRole, want: IRSA{RoleARN: appRole, ARNValid: true, Role: appRole, Evaluated: true, Reason: "*"}},
		{name: "trust of another cluster's provider does not admit this cluster's tokens",
			roles:    []*inventory.Role{testRole(t, appRole, pinned("arn:aws:iam::"+testAcct+":oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/OTHER"))},
			clusters: []*inventory.Cluster{prod}, saCluster: "prod",
			annotation: appRole, want: IRSA{RoleARN: appRole, ARNValid: true, Role: appRole, Evaluated: true, Reason: "does not trust cluster prod's OIDC provider"}},
		{name: "unnamed cluster: every EKS provider of the trust is tried",
			roles: []*inventory.Role{testRole(t, appRole, pinned(eksProv))}, annotation: appRole,
			want: IRSA{RoleARN: appRole, ARNValid: true, Role: appRole, Evaluated: true, Assumable: true, Reason: "*"}},
		{name: "unnamed cluster: GitHub's provider never issues ServiceAccount tokens",
			roles: []*inventory.Role{testRole(t, appRole, noSub(ghProv))}, annotation: appRole,
			want: IRSA{RoleARN: appRole, ARNValid: true, Role: appRole, Evaluated: true, Reason: "*"}},
		{name: "cluster without issuer: GitHub's provider never issues ServiceAccount tokens",
			roles: []*inventory.Role{testRole(t, appRole, noSub(ghProv))}, clusters: []*inventory.Cluster{listed}, saCluster: "listed", annotation: appRole,
			want: IRSA{RoleARN: appRole, ARNValid: true, Role: appRole, Evaluated: true, Reason: "*"}},
		{name: "audience missing from the provider's client ID list is refused whatever the trust says",
			roles: []*inventory.Role{testRole(t, appRole, noSub(eksProv))}, clusters: []*inventory.Cluster{prod}, saCluster: "prod",
			providers:  []*inventory.OIDCProvider{{ID: eksProv, ARN: eksProv, Account: testAcct, URL: eksHost, ClientIDs: []string{"sts.amazonaws.com"}}},
			annotation: appRole, audience: "vault",
			want: IRSA{RoleARN: appRole, ARNValid: true, Role: appRole, Evaluated: true, Reason: "client ID list"}},
		{name: "provider missing from the account's loaded provider list is refused (B1.2)",
			roles: []*inventory.Role{testRole(t, appRole, noSub(eksProv))}, clusters: []*inventory.Cluster{prod}, saCluster: "prod",
			providers:  []*inventory.OIDCProvider{{ID: "arn:aws:iam::" + testAcct + ":oidc-provider/token.actions.githubusercontent.com", ARN: "arn:aws:iam::" + testAcct + ":oidc-provider/token.actions.githubusercontent.com", Account: testAcct}},
			annotation: appRole,
			want:       IRSA{RoleARN: appRole, ARNValid: true, Role: appRole, Evaluated: true, Reason: "not a registered OIDC provider"}},
		{name: "audience listed by the provider is admitted",
			roles: []*inventory.Role{testRole(t, appRole, noSub(eksProv))}, clusters: []*inventory.Cluster{prod}, saCluster: "prod",
			providers:  []*inventory.OIDCProvider{{ID: eksProv, ARN: eksProv, Account: testAcct, URL: eksHost, ClientIDs: []string{"sts.amazonaws.com", "vault"}}},
			annotation: appRole, audience: "vault",
			want: IRSA{RoleARN: appRole, ARNValid: true, Role: appRole, Evaluated: true, Assumable: true, Reason: "*"}},
		{name: "role without trust is not evaluated",
			roles: []*inventory.Role{testRole(t, appRole, "")}, clusters: []*inventory.Cluster{prod}, saCluster: "prod",
			annotation: appRole, want: IRSA{RoleARN: appRole, ARNValid: true, Role: appRole}},
		// Infrastructure as code names a role whose account is assigned at deployment
		// arn:aws:iam:::role/NAME: an annotation referencing it is that role, not a typo.
		{name: "annotation naming a loaded role declared in code, account unknown",
			roles: []*inventory.Role{bare("app", pinned(eksProv))}, clusters: []*inventory.Cluster{listed}, saCluster: "listed",
			annotation: "arn:aws:iam:::role/app", want: IRSA{RoleARN: "arn:aws:iam:::role/app", ARNValid: true, Role: "arn:aws:iam:::role/app", Evaluated: true, Assumable: true, Reason: "*"}},
		{name: "an account-less role ARN that names no loaded role is not a role ARN",
			roles: []*inventory.Role{testRole(t, appRole, pinned(eksProv))}, clusters: []*inventory.Cluster{prod}, saCluster: "prod",
			annotation: "arn:aws:iam:::role/app", want: IRSA{RoleARN: "arn:aws:iam:::role/app"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runIRSA(t, tt) })
	}
}

func TestAWSAuthEntryVerdict(t *testing.T) {
	const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	const ciTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAcct + `:root"},"Action":"sts:AssumeRole"}]}`
	nodeRole := "arn:aws:iam::" + testAcct + ":role/eks/NodeInstanceRole"
	tests := []struct {
		name  string
		roles []*inventory.Role
		arn   string
		want  AuthEntry // only the ARN verdict fields are compared
	}{
		{"role without path", nil, "arn:aws:iam::" + testAcct + ":role/deployer",
			AuthEntry{ARNKind: "role"}},
		{"role with a path", nil, "arn:aws:iam::" + testAcct + ":role/teams/ci/deployer",
			AuthEntry{ARNKind: "role", ARNPath: "/teams/ci/"}},
		{"user", nil, "arn:aws:iam::" + testAcct + ":user/ops/alice", AuthEntry{ARNKind: "user"}},
		{"session ARN", nil, "arn:aws:sts::" + testAcct + ":assumed-role/deployer/s1", AuthEntry{ARNKind: "assumed-role"}},
		{"root", nil, "arn:aws:iam::" + testAcct + ":root", AuthEntry{ARNKind: "root"}},
		{"not an ARN", nil, "deployer", AuthEntry{ARNKind: "invalid"}},
		{"wildcard", nil, "arn:aws:iam::" + testAcct + ":role/*", AuthEntry{ARNKind: "role", ARNWildcard: true}},
		{"upper-case ARN still matches: the authenticator compares case-insensitively", nil, "ARN:AWS:IAM::" + testAcct + ":ROLE/deployer",
			AuthEntry{ARNKind: "role"}},
		{"node role written without its path is found by name", []*inventory.Role{testRole(t, nodeRole, ec2Trust)},
			"arn:aws:iam::" + testAcct + ":role/NodeInstanceRole", AuthEntry{ARNKind: "role", RoleLoaded: true, NodeRole: true}},
		{"node role written in another case is the same role", []*inventory.Role{testRole(t, nodeRole, ec2Trust)},
			"arn:aws:iam::" + testAcct + ":role/nodeinstancerole", AuthEntry{ARNKind: "role", RoleLoaded: true, NodeRole: true}},
		{"role trusting the account is not a node role", []*inventory.Role{testRole(t, "arn:aws:iam::"+testAcct+":role/ci", ciTrust)},
			"arn:aws:iam::" + testAcct + ":role/ci", AuthEntry{ARNKind: "role", RoleLoaded: true}},
		{"role of another account is not loaded", []*inventory.Role{testRole(t, "arn:aws:iam::"+otherAcct+":role/ci", ec2Trust)},
			"arn:aws:iam::" + testAcct + ":role/ci", AuthEntry{ARNKind: "role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := emptyInventory()
			inv.Roles = tt.roles
			authID := inventory.AWSAuthID("prod", inventory.AuthConfigMap, "aws-auth")
			entryID := inventory.AuthEntryID(authID, "mapRoles", 0)
			inv.AWSAuth = []*inventory.AWSAuth{{ID: authID, Cluster: "prod", Kind: inventory.AuthConfigMap,
				MapRoles: []*inventory.AuthEntry{{ID: entryID, Section: "mapRoles", ARN: tt.arn, Username: "x", Groups: []string{"system:nodes"}}}}}
			in, _ := Build(inv, BuildOptions{})
			got := in.AWSAuth[0].MapRoles[0]
			verdict := func(e AuthEntry) AuthEntry {
				return AuthEntry{ARNKind: e.ARNKind, ARNPath: e.ARNPath, ARNWildcard: e.ARNWildcard, RoleLoaded: e.RoleLoaded, NodeRole: e.NodeRole}
			}
			if diff := cmp.Diff(tt.want, verdict(got)); diff != "" {
				t.Errorf("verdict (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClusterLiveState(t *testing.T) {
	inv := emptyInventory()
	inv.Clusters = []*inventory.Cluster{
		{ID: "eks:live", Name: "live", ServiceAccountsComplete: true, PodsRead: true, PodServiceAccounts: []string{"app/api", "kube-system/coredns"}},
		{ID: "eks:partial", Name: "partial", ServiceAccountsComplete: true},
		{ID: "eks:files", Name: "files"},
	}
	sa := func(cluster, ns, name string) *inventory.ServiceAccount {
		return &inventory.ServiceAccount{ID: inventory.ServiceAccountID(cluster, ns, name), Cluster: cluster, Namespace: ns, Name: name}
	}
	inv.ServiceAccounts = []*inventory.ServiceAccount{
		sa("live", "app", "api"),        // a pod runs as it
		sa("live", "app", "worker"),     // pods read, none runs as it
		sa("partial", "app", "api"),     // pods not read: no verdict
		sa("files", "kube-system", "x"), // offline
		sa("unknown", "app", "api"),     // cluster not in the inventory
	}
	in, _ := Build(inv, BuildOptions{})
	type state struct {
		Name               string
		Complete, PodsRead bool
	}
	var clusters []state
	for _, c := range in.Clusters {
		clusters = append(clusters, state{c.Name, c.Complete, c.PodsRead})
	}
	wantClusters := []state{{"live", true, true}, {"partial", true, false}, {"files", false, false}}
	if diff := cmp.Diff(wantClusters, clusters); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
	used := map[string]bool{}
	for _, s := range in.ServiceAccounts {
		used[s.ID] = s.UsedByPods
	}
	want := map[string]bool{
		"k8s:live/serviceaccount/app/api":        true,
		"k8s:live/serviceaccount/app/worker":     false,
		"k8s:partial/serviceaccount/app/api":     false,
		"k8s:files/serviceaccount/kube-system/x": false,
		"k8s:unknown/serviceaccount/app/api":     false,
	}
	if diff := cmp.Diff(want, used); diff != "" {
		t.Errorf("used_by_pods (-want +got):\n%s", diff)
	}
}

func TestNodeGroupsInput(t *testing.T) {
	inv := emptyInventory()
	ng := inventory.NodeGroupID("prod", "workers")
	inv.NodeGroups = []*inventory.NodeGroup{
		{ID: ng, Cluster: "prod", Name: "workers", Source: inventory.At("cluster.yaml", 40, 3), AddonPolicies: []inventory.AddonPolicy{
			{ID: inventory.AddonPolicyID(ng, "autoScaler"), Name: "autoScaler", Source: inventory.At("cluster.yaml", 45, 7)},
		}},
		{ID: inventory.NodeGroupID("prod", "plain"), Cluster: "prod", Name: "plain", Source: inventory.At("cluster.yaml", 50, 3)},
	}
	in, idx := Build(inv, BuildOptions{})
	want := []NodeGroup{
		{ID: ng, Cluster: "prod", Name: "workers", AddonPolicies: []AddonPolicy{{ID: ng + "/addon-policy/autoScaler", Name: "autoScaler"}}},
		// Loaded, none: an empty list, never null.
		{ID: "eks:prod/nodegroup/plain", Cluster: "prod", Name: "plain", AddonPolicies: []AddonPolicy{}},
	}
	if d := cmp.Diff(want, in.NodeGroups); d != "" {
		t.Errorf("node groups (-want +got):\n%s", d)
	}
	// A finding on an add-on policy points at its switch.
	if ev, _ := idx.Lookup(ng + "/addon-policy/autoScaler"); ev.Source != inventory.At("cluster.yaml", 45, 7) || ev.Resource != "nodegroup/workers" {
		t.Errorf("evidence = %+v", ev)
	}
	if in, _ := Build(emptyInventory(), BuildOptions{}); in.NodeGroups == nil {
		t.Error("node_groups is null without node groups; want []")
	}
}
