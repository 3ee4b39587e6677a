# METADATA
# title: ServiceAccount's IRSA annotation is not a role ARN
# description: >-
#   The value of `eks.amazonaws.com/role-arn` is not an IAM role ARN of the form
#   `arn:PARTITION:iam::ACCOUNT:role/NAME` (a bare name, a user or instance-profile ARN, a policy
#   ARN, an unrendered template, whitespace). The EKS Pod Identity webhook only logs a warning and
#   injects the value as `AWS_ROLE_ARN` anyway, so every AWS call of the pod
#   fails.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#   - ref: https://github.com/aws/amazon-eks-pod-identity-webhook
# custom:
#   id: RC303
#   name: sa-role-arn-invalid
#   severity: medium
#   remediation: >-
#     Set the annotation to the full role ARN, e.g. `eks.amazonaws.com/role-arn:
#     arn:aws:iam::111122223333:role/payments-api` (`aws iam get-role --role-name payments-api
#     --query Role.Arn`).
#   tags: [irsa, kubernetes]
package rolecall.rules.sa_role_arn_invalid

import data.rolecall.lib

deny contains lib.finding(sa.irsa.annotation, sa.id, msg) if {
	some sa in input.service_accounts
	sa.irsa.arn_valid == false
	msg := sprintf(
		"the eks.amazonaws.com/role-arn annotation of ServiceAccount %s/%s (%s) is %q, not an IAM role ARN%s; pods get it as AWS_ROLE_ARN and fail; use arn:aws:iam::ACCOUNT:role/NAME",
		[sa.namespace, sa.name, _cluster_name(sa.cluster), sa.irsa.role_arn, _hint(sa.irsa.role_arn)],
	)
}

_hint(v) := " (a bare role name is only expanded by a webhook started with --compose-role-arn)" if {
	v != ""
	not contains(v, "arn:")
	not contains(v, "{{")
} else := ""

_cluster_name(c) := sprintf("cluster %s", [c]) if {
	c != ""
} else := "unnamed cluster"
