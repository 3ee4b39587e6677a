# METADATA
# title: Role trusts an OIDC issuer without an audience condition
# description: >-
#   The trust policy allows web identity from a non-EKS, non-GitHub OIDC issuer with no effective
#   condition on its audience claim. Tokens the issuer minted for other relying parties (another
#   cloud, another AWS role, a third-party service) are then accepted by STS whenever the IAM
#   provider lists that audience.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
# custom:
#   id: RC158
#   name: federation-missing-aud
#   severity: low
#   remediation: >-
#     Add `"StringEquals": {"gitlab.com:aud": "https://gitlab.com"}` (the audience your pipeline
#     requests) next to the subject condition.
#   tags: [trust-policy, federation]
package rolecall.rules.federation_missing_aud

import data.rolecall.lib

deny contains lib.finding(array.concat([wi.id], _arr(wi.aud.conditions)), role.id, msg) if {
	some [role, stmt, wi] in _trusted
	wi.aud.restricted == false
	msg := sprintf(
		"%s accepts tokens of issuer %s minted for any audience: %s has %s; add a StringEquals condition on %s:aud",
		[_role_name(role), wi.host, _stmt_label(stmt), _why(wi), wi.host],
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

_why(wi) := sprintf("conditions on %s:aud that do not restrict it (negated, …IfExists or ForAllValues)", [wi.host]) if {
	count(_arr(wi.aud.conditions)) > 0
} else := sprintf("no condition on %s:aud", [wi.host])
