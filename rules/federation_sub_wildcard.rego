# METADATA
# title: OIDC subject condition uses wildcards that admit many workloads
# description: >-
#   The subject restriction for a non-EKS, non-GitHub OIDC issuer admits a `StringLike` pattern
#   with `*` or `?` (e.g. `project_path:mygroup/*`, `organization:acme:project:*`). Every project,
#   workspace or pipeline matching the pattern, including ones created later, can assume the role.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
# custom:
#   id: RC157
#   name: federation-sub-wildcard
#   severity: high
#   remediation: >-
#     Replace the pattern with exact subjects, e.g. `"StringEquals": {"gitlab.com:sub":
#     "project_path:mygroup/myproject:ref_type:branch:ref:main"}`.
#   tags: [trust-policy, federation]
package rolecall.rules.federation_sub_wildcard

import data.rolecall.lib

deny contains lib.finding(_sub_cause(wi), role.id, msg) if {
	some [role, stmt, wi] in _trusted
	wi.sub.restricted == true
	wi.sub.wildcard == true
	msg := sprintf(
		"every identity of issuer %s matching the pattern can assume %s: %s admits %s:sub %s; list exact subjects instead",
		[wi.host, _role_name(role), _stmt_label(stmt), wi.host, _admitted(wi.sub)],
	)
}

# _trusted: (role, statement, provider) where the statement allows web identity from a
# non-EKS, non-GitHub OIDC provider whose tokens can satisfy its conditions (never_matches is RC007's business).
_trusted contains [role, stmt, wi] if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	not stmt.not_principal
	"sts:AssumeRoleWithWebIdentity" in stmt.assume_actions
	some wi in stmt.web_identity
	wi.kind == "other"
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

_sub_cause(wi) := wi.sub.conditions[0] if {
	count(_arr(wi.sub.conditions)) > 0
} else := wi.id

_admitted(claim) := concat(", ", sort({sprintf("%q", [p.value]) | some p in _arr(claim.admits)})) if {
	count(_arr(claim.admits)) > 0
} else := "(see its condition)"
