# METADATA
# title: IRSA role's :sub condition admits every ServiceAccount of a namespace
# description: >-
#   The `:sub` restriction pins the namespace but wildcards the ServiceAccount name
#   (`system:serviceaccount:payments:*`, or an over-broad suffix such as
#   `system:serviceaccount:payments:app*`). Every workload of the
#   namespace, and anyone allowed to create a ServiceAccount or pod there, can assume the role.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
# custom:
#   id: RC103
#   name: irsa-sub-wildcard-name
#   severity: medium
#   remediation: >-
#     Name the ServiceAccount exactly, e.g. `"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api"}`.
#   tags: [trust-policy, irsa]
package rolecall.rules.irsa_sub_wildcard_name

import data.rolecall.lib

deny contains lib.finding(_sub_cause(wi), role.id, msg) if {
	some [role, stmt, wi] in _trusted
	wi.sub.restricted == true
	not wi.sub.any_namespace
	wi.sub.any_name == true
	msg := sprintf(
		"every ServiceAccount of namespace %s in %s can assume %s: %s admits %s:sub %s; name the ServiceAccount exactly, e.g. system:serviceaccount:%s:api",
		[_namespaces(wi), _clusters(wi), _role_name(role), _stmt_label(stmt), wi.host, _admitted(wi.sub), _first_ns(wi)],
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

_namespaces(wi) := concat(", ", sort(_arr(wi.sub.namespaces))) if {
	count(_arr(wi.sub.namespaces)) > 0
} else := "(pinned)"

_first_ns(wi) := sort(_arr(wi.sub.namespaces))[0] if {
	count(_arr(wi.sub.namespaces)) > 0
} else := "NAMESPACE"
