# METADATA
# title: Set operator on a single-valued condition key
# description: >-
#   A condition uses `ForAllValues:` or `ForAnyValue:` on a key that carries one value per request,
#   such as an OIDC provider's `:sub` or `:aud`, `aws:PrincipalArn` or `sts:ExternalId`. `ForAllValues:` is true when the key is absent or empty, so a caller
#   without the claim passes; `ForAnyValue:` merely hides the intent. Access Analyzer reports both.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
# custom:
#   id: RC008
#   name: trust-set-operator-on-single-value
#   severity: high
#   remediation: >-
#     Drop the set qualifier and use the plain operator, e.g. `"StringEquals":
#     {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api"}`
#     instead of `"ForAllValues:StringEquals"`.
#   tags: [trust-policy]
package rolecall.rules.trust_set_operator_on_single_value

import data.rolecall.lib

deny contains lib.finding(cid, role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	some cid in {id | some id in stmt.set_operator_on_single_value}
	some c in stmt.conditions
	c.id == cid
	msg := sprintf(
		"condition %s %s in %s of %s applies a set operator to the single-valued key %s: %s; use %s",
		[c.operator, c.key, _stmt_label(stmt), _role_name(role), c.key, _effect(c), _plain(c)],
	)
}

_effect(c) := "ForAllValues is true when the key is absent, so callers without it pass" if {
	c.qualifier == "ForAllValues"
} else := "ForAnyValue is meant for multivalued keys and hides what the condition requires"

# _plain: the operator as written without its set qualifier (ForAllValues:StringNotLike → StringNotLike).
_plain(c) := op if {
	parts := split(c.operator, ":")
	count(parts) == 2
	op := parts[1]
	op != ""
} else := "the operator without the qualifier"

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])
