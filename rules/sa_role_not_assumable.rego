# METADATA
# title: ServiceAccount's IRSA role does not trust that ServiceAccount
# description: >-
#   The ServiceAccount's `eks.amazonaws.com/role-arn` annotation names a loaded role whose trust
#   policy, evaluated exactly, does not admit this ServiceAccount's token: wrong namespace or name
#   in `:sub`, another cluster's provider, an audience the trust rejects, or
#   conditions that can never match. The webhook still injects `AWS_ROLE_ARN`, and every AWS call
#   of the pod fails with AccessDenied on `AssumeRoleWithWebIdentity`.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
# custom:
#   id: RC301
#   name: sa-role-not-assumable
#   severity: medium
#   remediation: >-
#     Make the role's trust admit the ServiceAccount, e.g. `"StringEquals":
#     {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api",
#     "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud": "sts.amazonaws.com"}` with the cluster's
#     own provider as `Federated` principal, or point the annotation at the role meant for it.
#   tags: [irsa, kubernetes]
package rolecall.rules.sa_role_not_assumable

import data.rolecall.lib

deny contains lib.finding_from(sa.irsa.annotation, _target(sa.irsa), sa.id, msg) if {
	some sa in input.service_accounts
	sa.irsa.evaluated == true
	sa.irsa.assumable == false
	msg := sprintf(
		"pods of ServiceAccount %s/%s (%s) cannot assume %s named by its eks.amazonaws.com/role-arn annotation: %s; make the trust admit system:serviceaccount:%s:%s with audience %s, or fix the annotation",
		[sa.namespace, sa.name, _cluster_name(sa.cluster), sa.irsa.role_arn, _reason(sa.irsa), sa.namespace, sa.name, _audience(sa.irsa)],
	)
}

_target(irsa) := irsa.role if {
	irsa.role != ""
} else := irsa.role_arn

_reason(irsa) := irsa.reason if {
	irsa.reason != ""
} else := "its trust policy does not admit the ServiceAccount's token"

_audience(irsa) := irsa.audience if {
	irsa.audience != ""
} else := "sts.amazonaws.com"

_cluster_name(c) := sprintf("cluster %s", [c]) if {
	c != ""
} else := "unnamed cluster"
