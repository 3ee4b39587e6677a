# METADATA
# title: Pod Identity association names a role whose trust rejects it
# description: >-
#   An EKS Pod Identity association maps a ServiceAccount to a role, but the role's trust
#   policy, evaluated exactly for `sts:AssumeRole` + `sts:TagSession` by
#   `pods.eks.amazonaws.com` with the association's session tags (`kubernetes-namespace`,
#   `kubernetes-service-account`, `eks-cluster-arn`, …), does not admit it: the service principal
#   is missing, `sts:TagSession` is not granted, or an `aws:RequestTag/…` condition names another
#   namespace, ServiceAccount or cluster (or session tags are disabled while the trust requires
#   them). The EKS Auth call fails and the pods get no AWS credentials.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html
# custom:
#   id: RC203
#   name: pod-identity-association-not-assumable
#   severity: medium
#   remediation: >-
#     Make the role's trust admit the association: `"Principal": {"Service":
#     "pods.eks.amazonaws.com"}`, `"Action": ["sts:AssumeRole", "sts:TagSession"]`, and session-tag
#     conditions that match it, e.g. `"StringEquals": {"aws:RequestTag/kubernetes-namespace":
#     "payments", "aws:RequestTag/kubernetes-service-account": "api"}`; or point the association
#     at the role meant for that ServiceAccount.
#   tags: [pod-identity, trust-policy]
package rolecall.rules.pod_identity_association_not_assumable

import data.rolecall.lib

# One finding per association whose role trust was loaded and evaluated (C1.1, C2.x); an
# association whose role is not loaded is not judged.
deny contains lib.finding(pia.id, _target(pia), msg) if {
	some pia in input.pod_identity
	pia.evaluated == true
	pia.assumable == false
	msg := sprintf(
		"Pod Identity association for ServiceAccount %s/%s of %s cannot assume %s: %s; pods running as %s/%s get no AWS credentials: make the trust admit pods.eks.amazonaws.com (sts:AssumeRole and sts:TagSession) with matching session-tag conditions, or fix the association",
		[pia.namespace, pia.service_account, _cluster_label(pia.cluster), _role_label(pia), _reason(pia), pia.namespace, pia.service_account],
	)
}

_target(pia) := pia.role if {
	pia.role != ""
} else := pia.id

_role_label(pia) := pia.role_arn if {
	pia.role_arn != ""
} else := "its role"

_reason(pia) := pia.reason if {
	pia.reason != ""
} else := "the trust policy does not admit pods.eks.amazonaws.com with this association's session tags"

_cluster_label(name) := sprintf("cluster %s", [name]) if {
	name != ""
} else := "the unnamed cluster"
