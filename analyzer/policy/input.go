package policy

// The Rego input document: the one JSON value every rule reads as `input`.
// Keys are snake_case; arrays are sorted by id; an absent key means "not loaded", an empty
// array "loaded, none". Every "id" is an inventory/graph ID that rules cite in a finding's
// cause; Go resolves IDs to file positions, so rules never see files or lines.
// The evaluator's verdicts (what a condition effectively admits, which keys are unreachable,
// whether a ServiceAccount can assume its role) are computed in Go (analyzer/iampolicy) and
// carried here, so rules decide what is bad and never re-implement IAM.

// SchemaVersion is bumped on any incompatible change of Input.
const SchemaVersion = 1

// Input is the whole document.
type Input struct {
	SchemaVersion int `json:"schema_version"`
	// KnownAccounts are the accounts the reviewer owns: config `accounts:`, else every account
	// that owns a loaded role, cluster or OIDC provider.
	KnownAccounts   []string         `json:"known_accounts"`
	Roles           []Role           `json:"roles"`
	OIDCProviders   []OIDCProvider   `json:"oidc_providers"`
	Clusters        []Cluster        `json:"clusters"`
	ServiceAccounts []ServiceAccount `json:"service_accounts"`
	PodIdentity     []PodIdentity    `json:"pod_identity"`
	AccessEntries   []AccessEntry    `json:"access_entries"`
	AWSAuth         []AWSAuth        `json:"aws_auth"`
	NodeGroups      []NodeGroup      `json:"node_groups"`
	Loaded          Loaded           `json:"loaded"`
	Graph           Graph            `json:"graph"`
}

// Loaded says which kinds of data are complete for which accounts.
type Loaded struct {
	// RoleListAccounts: accounts whose complete role list was loaded.
	RoleListAccounts []string `json:"role_list_accounts"`
	// ProviderListAccounts: accounts whose OIDC provider list was loaded.
	ProviderListAccounts []string `json:"provider_list_accounts"`
	// Clusters is true when at least one describe-cluster was loaded.
	Clusters bool `json:"clusters"`
}

// Role is an IAM role with its analysed trust policy.
type Role struct {
	ID      string `json:"id"`
	ARN     string `json:"arn"`
	Name    string `json:"name"`
	Account string `json:"account"` // "" when unknown (bare policy file)
	// Trust is null when the role's trust policy was not loaded.
	Trust *Trust `json:"trust"`
	// Workload is true when the role is meant for a workload: it trusts an OIDC provider
	// (IRSA, CI federation) or pods.eks.amazonaws.com.
	Workload bool `json:"workload"`
}

// Trust is an analysed trust policy.
type Trust struct {
	ID         string      `json:"id"`
	Version    string      `json:"version"`
	Issues     []Issue     `json:"issues"`
	Statements []Statement `json:"statements"`
}

// Issue is a validity problem IAM would reject (RC003).
type Issue struct {
	ID      string `json:"id"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Statement is the id of the statement the issue is in, "" for the document.
	Statement string `json:"statement"`
	// Warning is true for problems IAM may accept (duplicate keys, Resource in a trust policy…).
	Warning bool `json:"warning"`
}

// Statement is one trust statement with its verdicts.
type Statement struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
	Sid   string `json:"sid"`
	// Effect is "Allow" or "Deny" (as written when invalid).
	Effect       string `json:"effect"`
	NotPrincipal bool   `json:"not_principal"`
	NotAction    bool   `json:"not_action"`
	// PrincipalStar is true for "Principal": "*" and for "AWS": "*".
	PrincipalStar bool       `json:"principal_star"`
	Principals    Principals `json:"principals"`
	// Actions as written.
	Actions []string `json:"actions"`
	// AssumeActions: which of sts:AssumeRole, sts:AssumeRoleWithWebIdentity,
	// sts:AssumeRoleWithSAML, sts:TagSession, sts:SetSourceIdentity the statement grants.
	AssumeActions []string `json:"assume_actions"`
	// ActionWildcard is true when Action (not NotAction) is "*" or "sts:*" (any case).
	ActionWildcard bool        `json:"action_wildcard"`
	Conditions     []Condition `json:"conditions"`
	// WebIdentity has one entry per trusted OIDC provider.
	WebIdentity []WebIdentity `json:"web_identity"`
	// Unreachable lists conditions on keys never present for this statement's callers (RC007).
	Unreachable []Unreachable `json:"unreachable"`
	// WildcardInEquals lists */? inside StringEquals-family values (RC012).
	WildcardInEquals []ValueRef `json:"wildcard_in_equals"`
	// SetOperatorOnSingleValue lists conditions using ForAllValues/ForAnyValue on a
	// single-valued key (RC008), by condition id.
	SetOperatorOnSingleValue []string `json:"set_operator_on_single_value"`
}

// Principals lists a statement's principal values by type.
type Principals struct {
	AWS           []PrincipalValue `json:"aws"`
	Federated     []PrincipalValue `json:"federated"`
	Service       []PrincipalValue `json:"service"`
	CanonicalUser []PrincipalValue `json:"canonical_user"`
}

// PrincipalValue is one principal with what Go knows about it.
type PrincipalValue struct {
	ID    string `json:"id"`
	Value string `json:"value"`
	// Kind: "star", "account" (ACCT or :root), "user", "role", "assumed-role",
	// "unique-id" (a bare AIDA…/AROA…: deleted principal), "oidc-provider", "saml-provider",
	// "service", "web-idp" (accounts.google.com…), "invalid".
	Kind string `json:"kind"`
	// Account is the principal's account when the value names one.
	Account string `json:"account"`
}

// Condition is one (operator, key) pair.
type Condition struct {
	ID        string   `json:"id"`
	Operator  string   `json:"operator"`  // as written
	Base      string   `json:"base"`      // e.g. StringLike; "" when unknown
	Qualifier string   `json:"qualifier"` // ForAllValues, ForAnyValue or ""
	IfExists  bool     `json:"if_exists"`
	Negated   bool     `json:"negated"`
	Key       string   `json:"key"`       // as written
	KeyLower  string   `json:"key_lower"` // lower-cased, for matching
	Values    []string `json:"values"`
}

// WebIdentity is a statement seen from one trusted OIDC provider.
type WebIdentity struct {
	// ID is the id of the Federated principal value.
	ID       string `json:"id"`
	Provider string `json:"provider"` // provider ARN
	Host     string `json:"host"`     // issuer host/path = condition key prefix
	// Kind is "eks", "github" or "other".
	Kind string `json:"kind"`
	// Account owning the provider (from its ARN).
	Account string `json:"account"`
	// Registered: true/false when the provider list of Account is loaded, null otherwise.
	Registered *bool `json:"registered"`
	// Clusters are the loaded clusters whose issuer is this provider.
	Clusters []string `json:"clusters"`
	// NeverMatches: a positive condition on a key absent for these tokens fails closed.
	NeverMatches bool  `json:"never_matches"`
	Sub          Claim `json:"sub"`
	Aud          Claim `json:"aud"`
}

// Claim is the effective restriction on one claim (sub or aud).
type Claim struct {
	// Restricted is false when nothing effectively limits the claim.
	Restricted bool `json:"restricted"`
	// Admits: every value pattern an admitted token's claim may match (flattened), as written.
	Admits []ClaimPattern `json:"admits"`
	// Excludes: patterns of negated conditions.
	Excludes []ClaimPattern `json:"excludes"`
	// Conditions: ids of every condition that names the claim key; the first is where to point.
	Conditions []string `json:"conditions"`
	// For EKS subjects (system:serviceaccount:NS:NAME), from Admits (conditions are AND'ed, so
	// a part counts as wildcarded only when every condition on the claim wildcards it):
	// AnyNamespace: the namespace is wildcarded; AnyName: the namespace is pinned but the
	// name wildcarded. Namespaces: the namespaces the admitted patterns pin (intersected
	// across conditions).
	AnyNamespace bool     `json:"any_namespace"`
	AnyName      bool     `json:"any_name"`
	Namespaces   []string `json:"namespaces"`
	// For GitHub subjects (repo:OWNER/REPO:…), likewise: AnyRepo wildcards owner or
	// repository; AnyRef pins the repository but wildcards what follows; PullRequest: the
	// whole constraint admits repo:OWNER/REPO:pull_request for a repository it names.
	AnyRepo     bool `json:"any_repo"`
	AnyRef      bool `json:"any_ref"`
	PullRequest bool `json:"pull_request"`
	// Wildcard is true when every condition on the claim admits a wildcard pattern (Like
	// operators only; one exact condition pins the value).
	Wildcard bool `json:"wildcard"`
	// DefaultServiceAccount is true when an admitted EKS pattern names a namespace's
	// "default" ServiceAccount exactly and the whole constraint admits it.
	DefaultServiceAccount bool `json:"default_service_account"`
}

// ClaimPattern is one admitted or excluded value.
type ClaimPattern struct {
	Condition string `json:"condition"` // condition id
	Value     string `json:"value"`
	Like      bool   `json:"like"`
}

// Unreachable is a condition on a key never present for the statement's callers.
type Unreachable struct {
	Condition string `json:"condition"` // condition id
	Key       string `json:"key"`
	Reason    string `json:"reason"`
	FailsOpen bool   `json:"fails_open"`
}

// ValueRef points at one value of a condition.
type ValueRef struct {
	Condition string `json:"condition"`
	Value     string `json:"value"`
}

// OIDCProvider is an IAM OIDC identity provider.
type OIDCProvider struct {
	ID        string   `json:"id"`
	ARN       string   `json:"arn"`
	Account   string   `json:"account"`
	URL       string   `json:"url"`
	ClientIDs []string `json:"client_ids"`
	// Clusters whose issuer is this provider.
	Clusters []string `json:"clusters"`
}

// Cluster is an EKS cluster; Name "" is the unnamed cluster of manifests.
type Cluster struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	ARN     string `json:"arn"`
	Account string `json:"account"`
	// ProviderHost is the issuer without https:// ("" when unknown).
	ProviderHost string `json:"provider_host"`
	// AuthenticationMode is CONFIG_MAP when describe-cluster had no accessConfig;
	// "" when the cluster was not described (only named by manifests).
	AuthenticationMode string `json:"authentication_mode"`
	Described          bool   `json:"described"`
	// Complete is true when the cluster's ServiceAccounts were all read (live mode), so a
	// ServiceAccount absent from the input does not exist.
	Complete bool `json:"complete"`
	// PodsRead is true when the cluster's pods were all read (live mode), so a ServiceAccount's
	// used_by_pods is a verdict.
	PodsRead bool `json:"pods_read"`
}

// ServiceAccount is a Kubernetes ServiceAccount with its IRSA verdict.
type ServiceAccount struct {
	ID          string       `json:"id"`
	Cluster     string       `json:"cluster"`
	Namespace   string       `json:"namespace"`
	Name        string       `json:"name"`
	Annotations []Annotation `json:"annotations"`
	// IRSA is null when the ServiceAccount has no eks.amazonaws.com/role-arn annotation.
	IRSA *IRSA `json:"irsa"`
	// PodIdentity lists the ids of Pod Identity associations for this ServiceAccount.
	PodIdentity []string `json:"pod_identity"`
	// UsedByPods is true when its cluster's pods were read (pods_read) and a pod runs as it.
	UsedByPods bool `json:"used_by_pods"`
}

// Annotation is one annotation.
type Annotation struct {
	ID    string `json:"id"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

// IRSA is the verdict for a ServiceAccount's role-arn annotation.
type IRSA struct {
	// Annotation is the role-arn annotation's id.
	Annotation string `json:"annotation"`
	RoleARN    string `json:"role_arn"`
	// ARNValid is false when the value is not an IAM role ARN (RC303).
	ARNValid bool `json:"arn_valid"`
	// Role is the loaded role's id, "" when not loaded.
	Role string `json:"role"`
	// AccountListed: the role's account has a complete role list loaded (so absent = absent).
	AccountListed bool `json:"account_listed"`
	// Audience the token will carry (annotation eks.amazonaws.com/audience or sts.amazonaws.com).
	Audience string `json:"audience"`
	// Evaluated is true when the role's trust was loaded and a cluster provider is known
	// (for the unnamed cluster, or one without a known issuer: every OIDC provider the role
	// trusts was tried, except GitHub Actions', which issues no ServiceAccount tokens).
	Evaluated bool `json:"evaluated"`
	// Assumable: the trust policy admits this ServiceAccount's token (exact evaluation).
	Assumable bool `json:"assumable"`
	// Reason is the evaluator's explanation.
	Reason string `json:"reason"`
}

// PodIdentity is an EKS Pod Identity association.
type PodIdentity struct {
	ID                 string `json:"id"`
	Cluster            string `json:"cluster"`
	Namespace          string `json:"namespace"`
	ServiceAccount     string `json:"service_account"`
	RoleARN            string `json:"role_arn"`
	Role               string `json:"role"` // loaded role id or ""
	TargetRoleARN      string `json:"target_role_arn"`
	DisableSessionTags bool   `json:"disable_session_tags"`
	// Evaluated is true when the role's trust is loaded; Assumable is the exact verdict of
	// AssumeRole + TagSession by pods.eks.amazonaws.com with the association's session tags.
	Evaluated bool   `json:"evaluated"`
	Assumable bool   `json:"assumable"`
	Reason    string `json:"reason"`
}

// AccessEntry is an EKS access entry.
type AccessEntry struct {
	ID               string         `json:"id"`
	Cluster          string         `json:"cluster"`
	PrincipalARN     string         `json:"principal_arn"`
	PrincipalKind    string         `json:"principal_kind"` // user, role, other
	Type             string         `json:"type"`
	Username         string         `json:"username"`
	KubernetesGroups []string       `json:"kubernetes_groups"`
	Policies         []AccessPolicy `json:"policies"`
}

// AccessPolicy is an associated access policy.
type AccessPolicy struct {
	ID         string   `json:"id"`
	PolicyARN  string   `json:"policy_arn"`
	Name       string   `json:"name"` // last ARN segment, e.g. AmazonEKSClusterAdminPolicy
	ScopeType  string   `json:"scope_type"`
	Namespaces []string `json:"namespaces"`
}

// AWSAuth is one mapping source (normally the aws-auth ConfigMap) of a cluster.
type AWSAuth struct {
	ID      string `json:"id"`
	Cluster string `json:"cluster"`
	Kind    string `json:"kind"` // configmap, server-config, crd, dynamic-file
	// AuthenticationMode of the cluster ("" when not described).
	AuthenticationMode string       `json:"authentication_mode"`
	Sections           []Section    `json:"sections"`
	UnrecognizedKeys   []KeyRef     `json:"unrecognized_keys"`
	MapRoles           []AuthEntry  `json:"map_roles"`
	MapUsers           []AuthEntry  `json:"map_users"`
	MapAccounts        []AccountRef `json:"map_accounts"`
}

// Section is mapRoles/mapUsers/mapAccounts; Error is "" when it parsed.
type Section struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Error string `json:"error"`
}

// KeyRef is a key with an id.
type KeyRef struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

// AccountRef is one mapAccounts value.
type AccountRef struct {
	ID      string `json:"id"`
	Account string `json:"account"`
}

// AuthEntry is one mapRoles/mapUsers entry with Go's verdicts.
type AuthEntry struct {
	ID       string   `json:"id"`
	Section  string   `json:"section"`
	Index    int      `json:"index"`
	ARN      string   `json:"arn"`
	Username string   `json:"username"`
	Groups   []string `json:"groups"`
	SSO      bool     `json:"sso"`
	// SSOARNLike is the lower-cased role ARN pattern of an sso entry ("" without sso, D2.5).
	SSOARNLike string `json:"sso_arn_like"`
	// ARNKind: role, user, assumed-role, root, federated-user, invalid, "" (missing).
	ARNKind string `json:"arn_kind"`
	// ARNPath is the IAM path of a role ARN ("" when none): such rolearn never matches (D4.3).
	ARNPath string `json:"arn_path"`
	// ARNWildcard is true when the ARN contains * or ? (never matches: compared literally).
	ARNWildcard bool     `json:"arn_wildcard"`
	TypeErrors  []string `json:"type_errors"`
	UnknownKeys []KeyRef `json:"unknown_keys"`
	// Invalid is the Validate failure ("" when valid): the authenticator drops the entry.
	Invalid string `json:"invalid"`
	// Shadowed is the id of a later duplicate that wins ("" when this entry is effective).
	Shadowed string `json:"shadowed"`
	// NodeRole is true when the ARN names a loaded role whose trust admits only
	// ec2.amazonaws.com / eks-fargate-pods.amazonaws.com (or, unloaded, when the entry uses a
	// node username template); null-like false otherwise.
	NodeRole bool `json:"node_role"`
	// RoleLoaded is true when the ARN names a loaded role (so NodeRole is a real verdict).
	RoleLoaded bool `json:"role_loaded"`
}

// NodeGroup is a node group declared in infrastructure as code (an eksctl nodeGroups or
// managedNodeGroups entry).
type NodeGroup struct {
	ID      string `json:"id"`
	Cluster string `json:"cluster"`
	Name    string `json:"name"`
	// AddonPolicies are the add-on permission sets its node role is given (eksctl
	// iam.withAddonPolicies), in document order; every pod on the nodes that reaches IMDS
	// gets them.
	AddonPolicies []AddonPolicy `json:"addon_policies"`
}

// AddonPolicy is one add-on permission set of a node role.
type AddonPolicy struct {
	ID   string `json:"id"`
	Name string `json:"name"` // autoScaler, externalDNS, ebs, … (as eksctl names them)
}

// Graph is the part of the assume graph (analyzer/graph) the rules read: the paths Go found
// from every source of interest to every sink it reaches, the nodes and edges on them, and
// every edge into a node role. Rules read paths, they never walk the graph; the whole graph
// is what `rolecall graph --format json` prints.
type Graph struct {
	Nodes []GraphNode `json:"nodes"`
	Edges []GraphEdge `json:"edges"`
	// Paths: for every ServiceAccount, node role and external principal (public, accounts
	// outside the known set, federated subjects), the shortest path to each sink it reaches
	// (cluster-admin of a cluster, AWS admin of an account).
	Paths []GraphPath `json:"paths"`
}

// GraphNode is a node of the graph (see analyzer/graph.Node for the kinds).
type GraphNode struct {
	ID string `json:"id"`
	// Kind: iam-user, iam-role, aws-account, public, aws-service, federated,
	// k8s-serviceaccount, k8s-identity, cluster-admin, aws-admin.
	Kind      string   `json:"kind"`
	Label     string   `json:"label"`
	ARN       string   `json:"arn"`
	Account   string   `json:"account"`
	Cluster   string   `json:"cluster"`
	Namespace string   `json:"namespace"`
	Name      string   `json:"name"`
	Username  string   `json:"username"`
	Groups    []string `json:"groups"`
	Provider  string   `json:"provider"`
	Pattern   string   `json:"pattern"`
	External  bool     `json:"external"`
	Loaded    bool     `json:"loaded"`
	NodeRole  bool     `json:"node_role"`
	// Admin is true for a principal with administrator permissions in its account.
	Admin bool `json:"admin"`
}

// GraphEdge is one way from a node to another.
type GraphEdge struct {
	ID   string `json:"id"`
	From string `json:"from"`
	To   string `json:"to"`
	// Mechanism: assume-role, web-identity, saml, pod-identity, cluster-auth, serviceaccount,
	// rbac-obtain-sa, admin.
	Mechanism string `json:"mechanism"`
	// Evidence ids (the first is the edge's location).
	Evidence          []string `json:"evidence"`
	DependsOn         []string `json:"depends_on"`
	Reason            string   `json:"reason"`
	IdentityUnchecked bool     `json:"identity_unchecked"`
}

// GraphPath is a chain of edges from a source to a sink.
type GraphPath struct {
	From     string `json:"from"`
	To       string `json:"to"`
	FromKind string `json:"from_kind"`
	ToKind   string `json:"to_kind"`
	// Edges are edge ids in order; Mechanisms their mechanisms.
	Edges      []string `json:"edges"`
	Mechanisms []string `json:"mechanisms"`
	// Description renders the chain for messages: "A -[web-identity]-> B -[cluster-auth]-> …".
	Description string `json:"description"`
}
