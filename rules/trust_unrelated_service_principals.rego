# METADATA
# title: Workload role also trusts unrelated AWS services
# description: >-
#   The role is meant for a workload (it trusts an OIDC provider for IRSA or CI federation, or
#   `pods.eks.amazonaws.com` for Pod Identity) and also trusts AWS service principals such as
#   `ec2.amazonaws.com` or `lambda.amazonaws.com`. Each extra service is another path to the same
#   credentials: any instance profile, function or task in the account that can be given the role
#   gets the workload's permissions.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-services
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
# custom:
#   id: RC009
#   name: trust-unrelated-service-principals
#   severity: medium
#   remediation: >-
#     Give each workload its own role and remove the extra service from this one's trust, e.g. keep
#     only `"Service": "pods.eks.amazonaws.com"` (or only the OIDC provider) and create a separate
#     role for `ec2.amazonaws.com`.
#   tags: [trust-policy, irsa, pod-identity, federation]
package rolecall.rules.trust_unrelated_service_principals

import data.rolecall.lib

deny contains lib.finding(p.id, role.id, msg) if {
	some role in input.roles
	role.workload == true
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	not stmt.not_principal
	count(stmt.assume_actions) > 0
	some p in stmt.principals.service
	not lower(p.value) in _workload_services
	msg := sprintf(
		"workload role %s also trusts the service %s in %s: anything that service runs with this role gets the workload's credentials",
		[_role_name(role), p.value, _stmt_label(stmt)],
	)
}

_workload_services := {"pods.eks.amazonaws.com"}

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])
