// Package graph builds the assume graph from an inventory: who (IAM principals, federated
// subjects, Kubernetes ServiceAccounts and identities) can become what (IAM roles, Kubernetes
// identities, cluster-admin, AWS admin), each edge with the evidence that allows it, and
// answers reachability with the path kept.
package graph

// NodeKind says what a node stands for.
type NodeKind string

// Node kinds.
const (
	KindUser           NodeKind = "iam-user"           // a loaded IAM user
	KindRole           NodeKind = "iam-role"           // an IAM role (loaded, or named by a trust/annotation/mapping)
	KindAccount        NodeKind = "aws-account"        // any principal of an account whose principals are not loaded
	KindPublic         NodeKind = "public"             // any AWS principal of any account (Principal "*")
	KindService        NodeKind = "aws-service"        // an AWS service principal (ec2.amazonaws.com …)
	KindFederated      NodeKind = "federated"          // subjects of an OIDC/SAML provider matching a pattern
	KindServiceAccount NodeKind = "k8s-serviceaccount" // a Kubernetes ServiceAccount of a cluster
	KindIdentity       NodeKind = "k8s-identity"       // a Kubernetes username+groups of a cluster
	KindClusterAdmin   NodeKind = "cluster-admin"      // sink: cluster-admin of a cluster
	KindAWSAdmin       NodeKind = "aws-admin"          // sink: administrator of an AWS account
)

// Node is one vertex. Fields not relevant to the kind are empty.
type Node struct {
	ID      string   `json:"id"`
	Kind    NodeKind `json:"kind"`
	Label   string   `json:"label"`
	ARN     string   `json:"arn,omitempty"`
	Account string   `json:"account,omitempty"`
	Cluster string   `json:"cluster,omitempty"`
	// Namespace and Name of a ServiceAccount.
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
	// Username and Groups of a Kubernetes identity.
	Username string   `json:"username,omitempty"`
	Groups   []string `json:"groups,omitempty"`
	// Provider and Pattern of a federated node: the provider ARN (or IdP name) and the
	// subject pattern it admits ("*" when unrestricted); never expanded.
	Provider string `json:"provider,omitempty"`
	Pattern  string `json:"pattern,omitempty"`
	// External is true for principals outside the loaded accounts, the public, and
	// federated subjects (CI systems, other issuers).
	External bool `json:"external"`
	// Loaded is true when the IAM principal is in the inventory.
	Loaded bool `json:"loaded"`
	// NodeRole is true for a role mapped into a cluster with system:nodes.
	NodeRole bool `json:"node_role,omitempty"`
	// AccessPolicies of a Kubernetes identity authenticated through an access entry: each
	// "POLICY_ARN@cluster" or "POLICY_ARN@namespace:NS1,NS2" (they grant on top of RBAC, E3.2).
	AccessPolicies []string `json:"access_policies,omitempty"`
}

// Mechanism says how an edge is crossed.
type Mechanism string

// Mechanisms.
const (
	MechAssumeRole   Mechanism = "assume-role"    // sts:AssumeRole (incl. role chaining)
	MechWebIdentity  Mechanism = "web-identity"   // sts:AssumeRoleWithWebIdentity (IRSA, CI federation)
	MechSAML         Mechanism = "saml"           // sts:AssumeRoleWithSAML
	MechPodIdentity  Mechanism = "pod-identity"   // an EKS Pod Identity association
	MechClusterAuth  Mechanism = "cluster-auth"   // IAM principal → Kubernetes identity (aws-auth or access entry)
	MechServiceToken Mechanism = "serviceaccount" // ServiceAccount → its Kubernetes identity
	MechObtainSA     Mechanism = "rbac-obtain-sa" // Kubernetes identity → ServiceAccount it can run pods as (G2)
	MechAdmin        Mechanism = "admin"          // into a sink: what makes the source admin
)

// Edge is one way from From to To.
type Edge struct {
	ID        string    `json:"id"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Mechanism Mechanism `json:"mechanism"`
	// Evidence are inventory/input IDs of what allows the edge; the first is where a finding
	// whose path starts here is located (a trust statement, an aws-auth entry, an annotation,
	// an association, an RBAC binding, an attached policy…).
	Evidence []string `json:"evidence"`
	// DependsOn lists condition keys the grant turns on that the tool cannot know.
	DependsOn []string `json:"depends_on,omitempty"`
	// Reason is one sentence: which statement/mapping/binding allows it.
	Reason string `json:"reason"`
	// IdentityUnchecked is true when the caller's own identity policies were needed but not
	// loaded, so the caller was taken as allowed on its own side.
	IdentityUnchecked bool `json:"identity_unchecked,omitempty"`
	// TrustUnchecked is true when the target role's trust policy is not loaded (a Pod Identity
	// association or an IRSA annotation names a role the inventory does not hold), so the edge
	// is kept as possible rather than proven.
	TrustUnchecked bool `json:"trust_unchecked,omitempty"`
}

// Path is a chain of edges from a source node to a target node.
type Path struct {
	From  string  `json:"from"`
	To    string  `json:"to"`
	Edges []*Edge `json:"edges"`
}
