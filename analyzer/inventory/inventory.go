// Package inventory is the normalised model every loader (files or live APIs) produces:
// IAM principals and policies, EKS clusters and their mappings, Kubernetes objects.
// Every element has a stable ID (built only by the constructors in ids.go) and a Source.
package inventory

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
)

// Source says where an element came from: a file position, or a live reference.
type Source struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	// Ref is the live reference of an element read from a snapshot: the API and what it
	// describes, e.g. "iam:GetAccountAuthorizationDetails arn:aws:iam::111122223333:role/app"
	// or "k8s:serviceaccounts ServiceAccount/payments/api". Elements of a snapshot file keep
	// their file position as well; those of a live scan have none.
	Ref string `json:"ref,omitempty"`
}

// String is file:line:col, the file alone when the line is unknown, or the live reference
// when there is no file.
func (s Source) String() string {
	if s.File == "" {
		return s.Ref
	}
	if s.Line == 0 {
		return s.File
	}
	return fmt.Sprintf("%s:%d:%d", s.File, s.Line, s.Column)
}

// At returns a file source.
func At(file string, line, column int) Source { return Source{File: file, Line: line, Column: column} }

// Inventory is everything loaded, normalised. Slices are sorted by ID after loading.
type Inventory struct {
	Roles           []*Role
	Users           []*User
	Groups          []*Group
	ManagedPolicies []*ManagedPolicy
	OIDCProviders   []*OIDCProvider
	Clusters        []*Cluster
	AccessEntries   []*AccessEntry
	PodIdentity     []*PodIdentityAssociation
	ServiceAccounts []*ServiceAccount
	AWSAuth         []*AWSAuth
	RBACRoles       []*RBACRole
	RBACBindings    []*RBACBinding
	NodeGroups      []*NodeGroup

	// RoleListAccounts are accounts whose complete role list was loaded
	// (list-roles or get-account-authorization-details), so an absent role is really absent.
	RoleListAccounts map[string]bool
	// ProviderListAccounts are accounts whose OIDC provider list was loaded.
	ProviderListAccounts map[string]bool
	// IdentityAccounts are accounts whose users', groups' and roles' identity policies were
	// loaded (get-account-authorization-details).
	IdentityAccounts map[string]bool

	// Files lists every input file read (recognised or not), relative as given.
	Files []string
}

// Role is an IAM role.
type Role struct {
	ID      string // RoleID(arn)
	ARN     string // for a bare trust policy file: arn:aws:iam:::role/NAME (account unknown)
	Name    string
	Path    string // "/" by default
	Account string // "" when unknown
	RoleID  string // AROA… when known
	// Trust is the trust policy; nil when not loaded.
	Trust               *iampolicy.Policy
	InlinePolicies      []NamedPolicy
	AttachedPolicies    []string // managed policy ARNs
	PermissionsBoundary string
	Tags                map[string]string
	Source              Source
}

// NamedPolicy is an inline policy.
type NamedPolicy struct {
	Name     string
	Document *iampolicy.Policy
	Source   Source
}

// User is an IAM user.
type User struct {
	ID                  string
	ARN                 string
	Name                string
	Path                string
	Account             string
	UserID              string
	Groups              []string // group names, same account
	InlinePolicies      []NamedPolicy
	AttachedPolicies    []string
	PermissionsBoundary string
	Tags                map[string]string
	Source              Source
}

// Group is an IAM group.
type Group struct {
	ID               string
	ARN              string
	Name             string
	Account          string
	InlinePolicies   []NamedPolicy
	AttachedPolicies []string
	Source           Source
}

// ManagedPolicy is a managed policy with its default version's document.
type ManagedPolicy struct {
	ID      string
	ARN     string
	Name    string
	Default *iampolicy.Policy // nil when the default version is not in the input
	Source  Source
}

// OIDCProvider is an IAM OIDC identity provider.
type OIDCProvider struct {
	ID          string
	ARN         string
	Account     string
	URL         string   // host/path, no scheme; "" when only the ARN is known
	ClientIDs   []string // nil when not loaded
	Thumbprints []string
	Source      Source
}

// Authentication modes (describe-cluster accessConfig.authenticationMode).
const (
	ModeConfigMap       = "CONFIG_MAP"
	ModeAPIAndConfigMap = "API_AND_CONFIG_MAP"
	ModeAPI             = "API"
)

// Cluster is an EKS cluster (or, with Name "", the unnamed cluster of manifests that belong to
// no known cluster).
type Cluster struct {
	ID      string
	Name    string
	ARN     string
	Account string
	Region  string
	// Issuer is the OIDC issuer URL with https://, "" when unknown.
	Issuer string
	// AuthenticationMode as given; "" when describe-cluster had no accessConfig (treated as CONFIG_MAP).
	AuthenticationMode string
	// ServiceAccountsComplete is true when every ServiceAccount of the cluster was read (live
	// mode), so a ServiceAccount absent from the inventory does not exist.
	ServiceAccountsComplete bool
	// PodsRead is true when the pods of every namespace were read (live mode);
	// PodServiceAccounts then lists, sorted, "namespace/name" of each ServiceAccount a pod runs as.
	PodsRead           bool
	PodServiceAccounts []string
	Source             Source
}

// AccessEntry is an EKS access entry with its associated access policies.
type AccessEntry struct {
	ID               string
	Cluster          string
	PrincipalARN     string
	Type             string // STANDARD when unset
	Username         string
	KubernetesGroups []string
	Policies         []AccessPolicy
	Source           Source
}

// AccessPolicy is one associated access policy.
type AccessPolicy struct {
	ID         string
	PolicyARN  string
	ScopeType  string // "cluster" or "namespace"
	Namespaces []string
	Source     Source
}

// PodIdentityAssociation is an EKS Pod Identity association.
type PodIdentityAssociation struct {
	ID                 string
	Cluster            string
	Namespace          string
	ServiceAccount     string
	RoleARN            string
	TargetRoleARN      string
	ExternalID         string
	DisableSessionTags bool
	AssociationARN     string
	Source             Source
}

// ServiceAccount is a Kubernetes ServiceAccount.
type ServiceAccount struct {
	ID          string
	Cluster     string // "" = the unnamed cluster
	Namespace   string // "default" when the manifest omits it
	Name        string
	Annotations []Annotation // in document order
	Source      Source
}

// Annotation is one metadata annotation with its position.
type Annotation struct {
	ID     string
	Key    string
	Value  string
	Source Source
}

// Mapping source kinds (where an aws-iam-authenticator mapping was read from).
const (
	AuthConfigMap   = "configmap"     // ConfigMap kube-system/aws-auth
	AuthServerFile  = "server-config" // aws-iam-authenticator server config file
	AuthCRD         = "crd"           // IAMIdentityMapping custom resources
	AuthDynamicFile = "dynamic-file"
)

// AWSAuth is one source of IAM→Kubernetes mappings for a cluster (normally the aws-auth ConfigMap).
type AWSAuth struct {
	ID      string
	Cluster string
	Kind    string // one of the Auth* constants
	// Sections has one entry per mapRoles/mapUsers/mapAccounts key present (exact case).
	Sections []AuthSection
	// UnrecognizedKeys are data keys the authenticator does not read (e.g. "mapusers").
	UnrecognizedKeys []KeyRef
	MapRoles         []*AuthEntry
	MapUsers         []*AuthEntry
	MapAccounts      []AccountRef
	Source           Source
}

// AuthSection is one section of the mapping.
type AuthSection struct {
	ID   string
	Name string // mapRoles, mapUsers, mapAccounts
	// Error is set when the section does not parse and the authenticator drops it whole (D3.2).
	Error  string
	Source Source // the error's position when Error is set, else the section's
}

// KeyRef is a key with its position.
type KeyRef struct {
	ID     string
	Key    string
	Source Source
}

// AccountRef is one mapAccounts entry.
type AccountRef struct {
	ID      string
	Account string
	Source  Source
}

// AuthEntry is one mapRoles or mapUsers entry, as the authenticator decodes it.
type AuthEntry struct {
	ID      string
	Section string // mapRoles or mapUsers
	Index   int
	// ARN is rolearn/userarn as written ("" when missing).
	ARN      string
	Username string
	Groups   []string
	// SSO is set for a mapRoles entry with an sso matcher.
	SSO *SSOMatcher
	// TypeErrors names fields whose value had the wrong type and were left empty (D3.3),
	// e.g. "groups: expected a list of strings".
	TypeErrors []string
	// UnknownKeys are entry keys the authenticator ignores.
	UnknownKeys []KeyRef
	// Invalid is set when the entry fails the authenticator's Validate and is dropped (D3.4).
	Invalid string
	// Shadowed is the ID of a later entry that overrides this one (last duplicate wins, D5.3).
	Shadowed string
	Source   Source
}

// SSOMatcher is a mapRoles sso block.
type SSOMatcher struct {
	PermissionSetName string
	AccountID         string
	Partition         string
}

// RBACRole is a Role or ClusterRole.
type RBACRole struct {
	ID        string
	Cluster   string
	Kind      string // Role or ClusterRole
	Namespace string
	Name      string
	Rules     []RBACRule
	Source    Source
}

// RBACRule is one PolicyRule.
type RBACRule struct {
	APIGroups       []string
	Resources       []string
	Verbs           []string
	ResourceNames   []string
	NonResourceURLs []string
}

// RBACBinding is a RoleBinding or ClusterRoleBinding.
type RBACBinding struct {
	ID        string
	Cluster   string
	Kind      string
	Namespace string
	Name      string
	RoleKind  string
	RoleName  string
	Subjects  []RBACSubject
	Source    Source
}

// RBACSubject is one binding subject.
type RBACSubject struct {
	Kind      string
	Name      string
	Namespace string
}

// NodeGroup is a node group declared in infrastructure as code (an eksctl nodeGroups or
// managedNodeGroups entry), with the add-on permissions its node role is given.
type NodeGroup struct {
	ID      string
	Cluster string
	Name    string
	// Managed is true for an EKS managed node group.
	Managed bool
	// AddonPolicies are the add-on permission sets given to the node role, in document order;
	// every pod on the nodes that reaches IMDS gets them (semantics D7.5, G2.7).
	AddonPolicies []AddonPolicy
	Source        Source
}

// AddonPolicy is one add-on permission set of a node role (eksctl
// iam.withAddonPolicies.NAME: true).
type AddonPolicy struct {
	ID     string
	Name   string // as eksctl spells the switch: autoScaler, externalDNS, ebs, …
	Source Source
}

// ARNLike is the lower-cased role ARN pattern the authenticator matches an sso entry with
// (RoleMapping.SSOArnLike in aws-iam-authenticator pkg/config/mapper.go), including its quirk:
// a non-empty partition yields an empty partition in the pattern, which never matches (D2.5).
func (s *SSOMatcher) ARNLike() string {
	partition := ""
	if s.Partition == "" {
		partition = "aws"
	}
	return strings.ToLower(fmt.Sprintf("arn:%s:iam::%s:role/AWSReservedSSO_%s_*", partition, s.AccountID, s.PermissionSetName))
}

// ProviderHost is the cluster's OIDC issuer without https://: the host/path of its IAM OIDC
// provider and the prefix of that provider's condition keys (semantics B1.2, B2.4); "" when
// the issuer is unknown.
func (c *Cluster) ProviderHost() string { return strings.TrimPrefix(c.Issuer, "https://") }

// OwnedAccounts lists, sorted, every account that owns a loaded role, user, cluster or OIDC
// provider: the reviewer's accounts when the configuration names none.
func (inv *Inventory) OwnedAccounts() []string {
	set := map[string]bool{}
	for _, r := range inv.Roles {
		set[r.Account] = true
	}
	for _, u := range inv.Users {
		set[u.Account] = true
	}
	for _, c := range inv.Clusters {
		set[c.Account] = true
	}
	for _, p := range inv.OIDCProviders {
		set[p.Account] = true
	}
	delete(set, "")
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}
