# METADATA
# title: Trust statement allows everyone except the listed principals
# description: >-
#   An Allow statement uses `NotPrincipal`: it grants every principal (every AWS account, every
#   federated identity, every service) except the few it names. IAM does not accept
#   `NotPrincipal` in role trust policies at all, so the document fails to
#   deploy, and where a tool or copy-paste carries it elsewhere it is an allow-list inverted
#   into a deny-list.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
# custom:
#   id: RC004
#   name: trust-not-principal
#   severity: high
#   remediation: >-
#     Replace `NotPrincipal` with a `Principal` naming who may assume the role, e.g.
#     `"Principal": {"AWS": "arn:aws:iam::111122223333:role/deployer"}`.
#   tags: [trust-policy]
package rolecall.rules.trust_not_principal

import data.rolecall.lib

deny contains lib.finding(stmt.id, role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	stmt.not_principal
	msg := sprintf(
		"%s of %s is an Allow with NotPrincipal: it grants every principal except %s; IAM rejects NotPrincipal in trust policies, name the allowed principals in Principal instead",
		[_stmt_label(stmt), _role_name(role), _excluded(stmt)],
	)
}

_excluded(stmt) := concat(", ", sort(vals)) if {
	vals := [p.value |
		some kind in ["aws", "federated", "service", "canonical_user"]
		some p in object.get(stmt.principals, kind, [])
	]
	count(vals) > 0
} else := "the listed principals"

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])
