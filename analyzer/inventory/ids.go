package inventory

import (
	"fmt"
	"strings"
)

// The only place IDs are built. IDs are what rules cite and fingerprints hash, so they never
// contain file positions.

// RoleID is the role's ARN.
func RoleID(arn string) string { return arn }

// PrincipalID is the ARN of a user, group or managed policy.
func PrincipalID(arn string) string { return arn }

// TrustStatementID identifies statement index of a role's trust policy.
func TrustStatementID(roleID string, index int) string {
	return fmt.Sprintf("%s#trust/%d", roleID, index)
}

// TrustDocumentID identifies a role's trust policy document.
func TrustDocumentID(roleID string) string { return roleID + "#trust" }

// ClusterID identifies a cluster by name ("" is the unnamed cluster).
func ClusterID(name string) string { return "eks:" + clusterName(name) }

func clusterName(name string) string {
	if name == "" {
		return "_"
	}
	return name
}

// ServiceAccountID identifies a ServiceAccount within a cluster.
func ServiceAccountID(cluster, namespace, name string) string {
	return fmt.Sprintf("k8s:%s/serviceaccount/%s/%s", clusterName(cluster), namespace, name)
}

// AnnotationID identifies an annotation of an object.
func AnnotationID(objectID, key string) string { return objectID + "/annotation/" + key }

// AWSAuthID identifies a mapping source of a cluster; kind is one of the Auth* constants and
// name distinguishes several sources of one kind (e.g. CRD object names; "" for the ConfigMap).
func AWSAuthID(cluster, kind, name string) string {
	id := "awsauth:" + clusterName(cluster)
	if kind != AuthConfigMap {
		id += "/" + kind
	}
	if name != "" {
		id += "/" + name
	}
	return id
}

// AuthSectionID identifies a section (mapRoles, mapUsers, mapAccounts, or an unrecognised key).
func AuthSectionID(authID, section string) string { return authID + "/" + section }

// AuthEntryID identifies entry index of a section.
func AuthEntryID(authID, section string, index int) string {
	return fmt.Sprintf("%s/%s/%d", authID, section, index)
}

// AccessEntryID identifies an access entry.
func AccessEntryID(cluster, principalARN string) string {
	return fmt.Sprintf("eks:%s/accessentry/%s", clusterName(cluster), principalARN)
}

// AccessPolicyID identifies an access policy association of an entry.
func AccessPolicyID(entryID, policyARN string) string { return entryID + "/policy/" + policyARN }

// PodIdentityID identifies a Pod Identity association.
func PodIdentityID(cluster, namespace, serviceAccount string) string {
	return fmt.Sprintf("eks:%s/podidentity/%s/%s", clusterName(cluster), namespace, serviceAccount)
}

// OIDCProviderID is the provider's ARN.
func OIDCProviderID(arn string) string { return arn }

// RBACID identifies a Role, ClusterRole or binding.
func RBACID(cluster, kind, namespace, name string) string {
	if namespace == "" {
		return fmt.Sprintf("k8s:%s/%s/%s", clusterName(cluster), strings.ToLower(kind), name)
	}
	return fmt.Sprintf("k8s:%s/%s/%s/%s", clusterName(cluster), strings.ToLower(kind), namespace, name)
}

// AuthEntryKeyID identifies a key of an aws-auth entry (e.g. an unknown key the authenticator ignores).
func AuthEntryKeyID(entryID, key string) string { return entryID + "/key/" + key }

// NodeGroupID identifies a node group of a cluster.
func NodeGroupID(cluster, name string) string {
	return fmt.Sprintf("eks:%s/nodegroup/%s", clusterName(cluster), name)
}

// AddonPolicyID identifies an add-on policy of a node group.
func AddonPolicyID(nodeGroupID, name string) string { return nodeGroupID + "/addon-policy/" + name }
