// Package clusterauth decides how an IAM caller authenticates to an EKS cluster: which
// Kubernetes username and groups (and EKS access policies) it becomes through the aws-auth
// mappings (semantics §D) or access entries (§E), per the cluster's authentication mode.
// Everything here is a pure function of inventory values.
package clusterauth

import (
	"strings"

	"github.com/rolecall/rolecall/analyzer/inventory"
)

// Identity sources.
const (
	SourceAWSAuth     = "aws-auth"
	SourceAccessEntry = "access-entry"
)

// Caller is an authenticated IAM principal as the cluster sees it.
type Caller struct {
	// ARN is what STS GetCallerIdentity returns: an IAM user ARN (with its path, D4.4), an
	// assumed-role session ARN, a root or federated-user ARN.
	ARN string
	// Account is the STS Account; "" means the account field of ARN.
	Account string
	// UserID is the STS UserId (AIDA… for users, AROA…:SESSION for role sessions); optional.
	// For a role session the session name is taken from it (D4.5), else from ARN.
	UserID string
	// AccessKeyID renders {{AccessKeyID}}; optional (unknown offline).
	AccessKeyID string
	// RoleARN is the full role ARN, path included, when known: access entries name roles with
	// their path (E2.1) while session ARNs do not carry it.
	RoleARN string
	// RoleUniqueID is the role's AROA… ID when known (informational; see ResolveAccessEntry).
	RoleUniqueID string
	// InstancePrivateDNS renders {{EC2PrivateDNSName}} (the private DNS name of the instance
	// named by the session name); optional.
	InstancePrivateDNS string
	// RecreatedPrincipal means the principal was deleted and re-created (same ARN) since the
	// access entries were made, so they are bound to the old unique ID and no longer match (E2.6).
	RecreatedPrincipal bool
}

// Identity is what the caller becomes inside the cluster.
type Identity struct {
	Authenticated bool
	Username      string
	// Groups is never nil when Authenticated (the authenticator returns []string{}).
	Groups []string
	// Source is SourceAWSAuth or SourceAccessEntry; "" when nothing matched.
	Source string
	// EntryID is the inventory ID of the element that matched (an aws-auth entry, a
	// mapAccounts item, an access entry) — also set when that element matched but
	// authentication still failed.
	EntryID        string
	AccessPolicies []inventory.AccessPolicy
	// Reason says why (or why not), in one sentence.
	Reason string
	// UsernameChosenByCaller is set when the username comes from a template the caller controls
	// because it picks its own role session name: {{SessionName}}, {{SessionNameRaw}}, or
	// {{EC2PrivateDNSName}} (any instance ID as session name) (D6.3).
	UsernameChosenByCaller bool
}

// Options are the server settings that change aws-auth lookup.
type Options struct {
	// SSORoleMatch enables mapRoles sso matchers (feature gate SSORoleMatch, default off; whether
	// EKS enables it is unknown, D2.5).
	SSORoleMatch bool
}

// Resolve applies the cluster's authentication mode (E1.4, tool policy):
//   - CONFIG_MAP, or "" (a cluster without accessConfig, E4.5): aws-auth only;
//   - API: access entries only, aws-auth is ignored even when present (X42);
//   - API_AND_CONFIG_MAP: the access entry when one exists for the principal — it overrides
//     aws-auth (E1.3, X41) — else aws-auth. An entry bound to a deleted principal (E2.6) does
//     not count as existing, so aws-auth applies (X43; EKS behaviour UNVERIFIED, as in the
//     authenticator's DynamicFile backend falling through).
//
// An unknown mode authenticates nobody.
func Resolve(mode string, sources []*inventory.AWSAuth, entries []*inventory.AccessEntry, c Caller, opts Options) Identity {
	switch mode {
	case "", inventory.ModeConfigMap:
		return MapAWSAuth(sources, c, opts)
	case inventory.ModeAPI:
		id, _ := resolveEntry(entries, c)
		return id
	case inventory.ModeAPIAndConfigMap:
		id, st := resolveEntry(entries, c)
		if st == entryMatched {
			return id
		}
		fallback := MapAWSAuth(sources, c, opts)
		if st == entryStale {
			fallback.Reason = id.Reason + "; " + fallback.Reason
		}
		return fallback
	}
	return Identity{Reason: "unknown authentication mode " + quote(mode) + " (expected CONFIG_MAP, API_AND_CONFIG_MAP or API)"}
}

// Cluster-admin markers (D7.4, E3.3, E3.4).
const (
	groupMasters           = "system:masters"
	clusterAdminPolicyName = "AmazonEKSClusterAdminPolicy"
)

// IsClusterAdmin reports whether id is cluster-admin by its mapping alone: group
// system:masters (bypasses RBAC, D7.4) or AmazonEKSClusterAdminPolicy associated at cluster
// scope (treated as system:masters, E3.4 tool policy). Admins through RBAC bindings are not
// seen here.
func IsClusterAdmin(id Identity) bool {
	if !id.Authenticated {
		return false
	}
	for _, g := range id.Groups {
		if g == groupMasters {
			return true
		}
	}
	for _, p := range id.AccessPolicies {
		// arn:P:eks::aws:cluster-access-policy/<Name> (E3.3).
		_, name, ok := strings.Cut(p.PolicyARN, ":cluster-access-policy/")
		if ok && name == clusterAdminPolicyName && p.ScopeType == "cluster" {
			return true
		}
	}
	return false
}

func quote(s string) string { return `"` + s + `"` }
