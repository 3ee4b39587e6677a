# METADATA
# title: ServiceAccount's IRSA annotation names a role that does not exist
# description: >-
#   The `eks.amazonaws.com/role-arn` annotation is a well-formed role ARN, but the role is absent
#   from the complete role list loaded for its account: a typo in the name, a missing path, or a
#   role that was deleted. Pods still get `AWS_ROLE_ARN` and fail every AWS call; if someone later
#   creates a role with that name, its trust decides who gets it.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#   - ref: https://docs.aws.amazon.com/cli/latest/reference/iam/list-roles.html
# custom:
#   id: RC302
#   name: sa-role-unknown
#   severity: low
#   remediation: >-
#     Correct the annotation to an existing role, e.g. `eks.amazonaws.com/role-arn:
#     arn:aws:iam::111122223333:role/payments-api` (check `aws iam get-role --role-name
#     payments-api`), or create the role with a trust policy for this ServiceAccount.
#   tags: [irsa, kubernetes]
package rolecall.rules.sa_role_unknown

import data.rolecall.lib

# Only when the account's role list is complete: an unloaded role is unknown, not absent.
deny contains lib.finding(sa.irsa.annotation, sa.id, msg) if {
	some sa in input.service_accounts
	sa.irsa.arn_valid == true
	sa.irsa.role == ""
	sa.irsa.account_listed == true
	msg := sprintf(
		"ServiceAccount %s/%s (%s) is annotated with %s, which is not in the loaded role list of account %s: a typo or a deleted role, so its pods get AccessDenied; point eks.amazonaws.com/role-arn at an existing role",
		[sa.namespace, sa.name, _cluster_name(sa.cluster), sa.irsa.role_arn, _account(sa.irsa.role_arn)],
	)
}

_account(arn) := parts[4] if {
	parts := split(arn, ":")
	count(parts) > 4
} else := "(unknown)"

_cluster_name(c) := sprintf("cluster %s", [c]) if {
	c != ""
} else := "unnamed cluster"
