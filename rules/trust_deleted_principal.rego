# METADATA
# title: Trust policy names a deleted principal
# description: >-
#   A principal in the trust policy is a bare unique id (`AIDA…` for a user, `AROA…` for a role)
#   instead of an ARN. IAM stores principals by unique id and shows the raw id once the principal
#   is deleted: the statement is dead, and re-creating a user or role
#   with the same name does not bring the access back, which often surprises whoever debugs it.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
# custom:
#   id: RC011
#   name: trust-deleted-principal
#   severity: low
#   remediation: >-
#     Remove the unique id from the Principal, or, if the principal was re-created, replace it with
#     the ARN again, e.g. `"AWS": "arn:aws:iam::111122223333:role/deployer"`.
#   tags: [trust-policy]
package rolecall.rules.trust_deleted_principal

import data.rolecall.lib

deny contains lib.finding(p.id, role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	some kind in ["aws", "federated", "service", "canonical_user"]
	some p in object.get(stmt.principals, kind, [])
	p.kind == "unique-id"
	msg := sprintf(
		"%s of %s names %s, the unique id of a deleted %s: the %s matches nobody, and a re-created principal with the same name is not trusted",
		[_stmt_label(stmt), _role_name(role), p.value, _what(p.value), _effect(stmt)],
	)
}

_what(v) := "user" if {
	startswith(v, "AIDA")
} else := "role" if {
	startswith(v, "AROA")
} else := "principal"

_effect(stmt) := "Allow" if {
	stmt.effect == "Allow"
} else := "Deny"

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])
