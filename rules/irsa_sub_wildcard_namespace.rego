# METADATA
# title: IRSA role's :sub condition admits ServiceAccounts of any namespace
# description: >-
#   The trust policy restricts the EKS provider's `:sub` claim, but an admitted `StringLike`
#   pattern wildcards the namespace (`system:serviceaccount:*:api`, `system:serviceaccount:*`,
#   `*`). Anyone who can create a namespace, a ServiceAccount or a pod in any
#   namespace of the cluster can obtain a matching token and assume the role.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
# custom:
#   id: RC102
#   name: irsa-sub-wildcard-namespace
#   severity: high
#   remediation: >-
#     Pin the namespace and the ServiceAccount in the `:sub` condition, e.g. `"StringEquals":
#     {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api"}`;
#     list several exact subjects instead of a wildcard.
#   tags: [trust-policy, irsa]
package rolecall.rules.irsa_sub_wildcard_namespace

import data.rolecall.lib

deny contains lib.finding(_sub_cause(wi), role.id, msg) if {
	some [role, stmt, wi] in _trusted
	wi.sub.restricted == true
	wi.sub.any_namespace == true
	msg := sprintf(
		"ServiceAccounts of any namespace of %s can assume %s: %s admits %s:sub %s; pin the namespace and name, e.g. system:serviceaccount:payments:api",
		[_clusters(wi), _role_name(role), _stmt_label(stmt), wi.host, _admitted(wi.sub)],
	)
}

# _trusted: (role, statement, provider) where the statement allows web identity from a
# EKS provider whose tokens can satisfy its conditions (never_matches is RC007's business).
_trusted contains [role, stmt, wi] if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	not stmt.not_principal
	"sts:AssumeRoleWithWebIdentity" in stmt.assume_actions
	some wi in stmt.web_identity
	wi.kind == "eks"
	not wi.never_matches
}

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])

_arr(v) := v if {
	is_array(v)
} else := []

_clusters(wi) := sprintf("cluster %s", [concat(", ", sort(_arr(wi.clusters)))]) if {
	count(_arr(wi.clusters)) > 0
} else := sprintf("the cluster with issuer %s", [wi.host])

_sub_cause(wi) := wi.sub.conditions[0] if {
	count(_arr(wi.sub.conditions)) > 0
} else := wi.id

_admitted(claim) := concat(", ", sort({sprintf("%q", [p.value]) | some p in _arr(claim.admits)})) if {
	count(_arr(claim.admits)) > 0
} else := "(see its condition)"
