package inventory

import (
	"slices"
	"strings"
)

// IDs of assume-graph nodes and edges (analyzer/graph). IAM users and roles, and Kubernetes
// ServiceAccounts, use their inventory IDs (RoleID, PrincipalID, ServiceAccountID) as node IDs,
// also when they are only named (by a trust policy, an annotation, a mapping) and not loaded.

// IdentityNodeID identifies a Kubernetes identity of a cluster: a username with its groups
// (order-insensitive) and, for an identity authenticated through an access entry, the
// associated access policies (each "POLICY_ARN@SCOPE", order-insensitive), which grant on top
// of RBAC (semantics E3.2).
func IdentityNodeID(cluster, username string, groups, accessPolicies []string) string {
	g := slices.Clone(groups)
	slices.Sort(g)
	g = slices.Compact(g)
	id := "k8s:" + clusterName(cluster) + "/identity/" + username + "|" + strings.Join(g, ",")
	if len(accessPolicies) > 0 {
		p := slices.Clone(accessPolicies)
		slices.Sort(p)
		id += "|" + strings.Join(slices.Compact(p), ",")
	}
	return id
}

// ClusterAdminID identifies the cluster-admin sink of a cluster.
func ClusterAdminID(cluster string) string { return "k8s:" + clusterName(cluster) + "/cluster-admin" }

// AWSAdminID identifies the administrator sink of an AWS account ("" = unknown account).
func AWSAdminID(account string) string { return "aws-admin:" + accountName(account) }

// AccountNodeID identifies "any principal of account" whose principals are not loaded.
func AccountNodeID(account string) string { return "aws-account:" + accountName(account) }

// PublicNodeID identifies any principal of any account (Principal "*").
func PublicNodeID() string { return "aws-public:*" }

// ServiceNodeID identifies an AWS service principal such as ec2.amazonaws.com.
func ServiceNodeID(name string) string { return "aws-service:" + name }

// FederatedNodeID identifies the subjects of a federated provider (OIDC provider ARN, SAML
// provider ARN or well-known IdP name) that match a subject pattern ("*" = any subject).
func FederatedNodeID(provider, pattern string) string {
	return "federated:" + provider + "#" + pattern
}

// EdgeID identifies the edge of a mechanism between two nodes.
func EdgeID(from, to, mechanism string) string { return from + " -[" + mechanism + "]-> " + to }

func accountName(account string) string {
	if account == "" {
		return "_"
	}
	return account
}
