// Package live reads an AWS account and its EKS clusters through the AWS APIs and the
// Kubernetes API, and keeps everything read in one Snapshot: the API answers in the shapes the
// offline loaders already read (the AWS CLI's output, policy documents decoded; Kubernetes
// objects with kind and apiVersion), each with the API and the ARN or object it came from.
// A snapshot is saved by `rolecall collect` and loaded like any other input (analyzer/load).
package live

import (
	"encoding/json"
	"time"
)

// SnapshotKey is the top-level key that marks a snapshot document; its value is the format
// version.
const SnapshotKey = "rolecall_snapshot"

// SnapshotVersion is the format version this build writes and reads.
const SnapshotVersion = 1

// Snapshot is everything one collection read. It holds no credentials and no secrets: Secrets
// and ConfigMaps other than kube-system/aws-auth are never read.
type Snapshot struct {
	Version     int       `json:"rolecall_snapshot"`
	Tool        Tool      `json:"tool"`
	CollectedAt time.Time `json:"collected_at"`
	// Account and Caller are sts:GetCallerIdentity's answer ("" when it failed).
	Account   string `json:"account,omitempty"`
	Caller    string `json:"caller,omitempty"`
	Partition string `json:"partition,omitempty"`
	Region    string `json:"region,omitempty"`
	// Records are the API answers, in the order of collection (sorted by Sort for output).
	Records []Record `json:"records"`
	// Clusters says what was read from each cluster's Kubernetes API.
	Clusters []ClusterState `json:"clusters"`
	// Diagnostics are what could not be read and why (missing permission, missing context).
	Diagnostics []Diagnostic `json:"diagnostics"`
	// Counts is the number of items read per API ("iam:GetAccountAuthorizationDetails": 3 pages …).
	Counts map[string]int `json:"counts"`
}

// Tool names the collecting program.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Record is one API answer.
type Record struct {
	// API is "SERVICE:Operation" for AWS ("iam:GetAccountAuthorizationDetails",
	// "eks:DescribeAccessEntry") and "k8s:RESOURCE" for Kubernetes ("k8s:serviceaccounts").
	API string `json:"api"`
	// Ref is what the answer describes: an ARN (role, cluster, access entry, association,
	// OIDC provider; the account root for account-wide answers) or a Kubernetes object as
	// "Kind/namespace/name" ("ClusterRole//name" for cluster-scoped objects).
	Ref string `json:"ref"`
	// Cluster is the EKS cluster name of EKS and Kubernetes records ("" for IAM).
	Cluster string `json:"cluster,omitempty"`
	// Output is the answer in the shape the offline loaders read:
	//   - iam:GetAccountAuthorizationDetails: the merged pages as the AWS CLI prints them
	//     (policy documents decoded to objects; IsTruncated false);
	//   - iam:ListOpenIDConnectProviders: {"OpenIDConnectProviderList": [{"Arn"}]};
	//   - iam:GetOpenIDConnectProvider: the CLI output plus "Arn" (Ref);
	//   - eks:DescribeCluster: {"cluster": {...}}; eks:DescribeAccessEntry: {"accessEntry": {...}};
	//   - eks:ListAssociatedAccessPolicies: {"clusterName", "principalArn", "associatedAccessPolicies"} (all pages);
	//   - eks:DescribePodIdentityAssociation: {"association": {...}};
	//   - k8s:*: one object with apiVersion and kind, as kubectl get -o json prints it
	//     (managedFields dropped).
	Output json.RawMessage `json:"output"`
}

// ClusterState is what was read from one cluster's Kubernetes API.
type ClusterState struct {
	Name string `json:"name"`
	// Context and Server are the kubeconfig context used and its API server ("" when none).
	Context string `json:"context,omitempty"`
	Server  string `json:"server,omitempty"`
	// ServiceAccountsComplete is true when every ServiceAccount of every namespace was listed,
	// so a ServiceAccount absent from the snapshot does not exist.
	ServiceAccountsComplete bool `json:"service_accounts_complete"`
	// PodsRead is true when the pods of every namespace were listed; PodServiceAccounts then
	// holds "namespace/name" of every ServiceAccount a pod runs as (sorted, unique).
	PodsRead           bool     `json:"pods_read"`
	PodServiceAccounts []string `json:"pod_service_accounts"`
}

// Diagnostic is something that could not be read. It is a warning unless Severity says
// "error"; the scan goes on with what was read.
type Diagnostic struct {
	Severity string `json:"severity"` // "warning" or "error"
	// API is the call that failed ("eks:ListAccessEntries", "k8s:list serviceaccounts"),
	// "" for problems that are not one call (a missing kube context).
	API     string `json:"api,omitempty"`
	Cluster string `json:"cluster,omitempty"`
	// Permission names what is missing: an IAM action, a Kubernetes verb and resource, or
	// a kube context.
	Permission string `json:"permission,omitempty"`
	Message    string `json:"message"`
	// NotEvaluated lists the rule ids whose findings needed the data that is missing.
	NotEvaluated []string `json:"not_evaluated,omitempty"`
}
