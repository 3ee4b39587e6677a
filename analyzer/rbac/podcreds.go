package rbac

import "github.com/rolecall/rolecall/analyzer/inventory"

// Credential sources a new pod of a ServiceAccount receives (B3, C1.3).
const (
	SourcePodIdentity = "pod-identity"
	SourceIRSA        = "irsa"
)

// AnnotationRoleARN is the ServiceAccount annotation the pod identity webhook reads for IRSA
// (B3.1, B3.3; default annotation prefix).
const AnnotationRoleARN = "eks.amazonaws.com/role-arn"

// PodCredentials returns which AWS credentials a pod created now as ServiceAccount sa receives,
// and for which role:
//   - a Pod Identity association for the same cluster, namespace and ServiceAccount wins: the
//     webhook injects the container-credentials variables instead of the IRSA ones (B3.6,
//     [WEBHOOK buildPodPatchConfig]); the role is the association's targetRoleArn when set,
//     because EKS chains into it and the pod receives the target role's credentials (C3.1),
//     else its roleArn;
//   - otherwise a non-empty eks.amazonaws.com/role-arn annotation gives IRSA with that role
//     (B3.1);
//   - otherwise "", "".
//
// This is what the pod gets, not who can reach a role: an IRSA role stays obtainable by anyone
// who can mint a token for the ServiceAccount even when Pod Identity takes precedence in pods
// (X45, B4.1; see CanObtainServiceAccount, G2.3). Clusters are compared by name, exactly (as
// analyzer/policy does); if the annotation appears twice the last one is read.
func PodCredentials(sa *inventory.ServiceAccount, associations []*inventory.PodIdentityAssociation) (source, roleARN string) {
	if sa == nil {
		return "", ""
	}
	for _, a := range associations {
		if a == nil || a.Cluster != sa.Cluster || a.Namespace != sa.Namespace || a.ServiceAccount != sa.Name {
			continue
		}
		if a.TargetRoleARN != "" {
			return SourcePodIdentity, a.TargetRoleARN
		}
		if a.RoleARN != "" {
			return SourcePodIdentity, a.RoleARN
		}
	}
	for i := len(sa.Annotations) - 1; i >= 0; i-- {
		if sa.Annotations[i].Key == AnnotationRoleARN {
			if v := sa.Annotations[i].Value; v != "" {
				return SourceIRSA, v
			}
			break
		}
	}
	return "", ""
}
