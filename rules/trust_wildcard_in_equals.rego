# METADATA
# title: Wildcard in a StringEquals condition value
# description: >-
#   A `StringEquals`, `StringNotEquals` or `StringEqualsIgnoreCase` (or `…IfExists`) value contains
#   `*` or `?`. These operators compare literally: `system:serviceaccount:payments:*`
#   matches only that exact string, so the condition never admits what the author meant (the role is
#   unusable), or, negated, excludes nothing. Access Analyzer reports it as
#   WILDCARD_WITHOUT_LIKE_OPERATOR. `ArnEquals` is not affected: it matches wildcards like `ArnLike`.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
# custom:
#   id: RC012
#   name: trust-wildcard-in-equals
#   severity: medium
#   remediation: >-
#     Use the Like operator for patterns, e.g. `"StringLike": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub":
#     "system:serviceaccount:payments:*"}`, or write the exact value under `StringEquals`.
#   tags: [trust-policy]
package rolecall.rules.trust_wildcard_in_equals

import data.rolecall.lib

deny contains lib.finding(cid, role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	some cid in {r.condition | some r in stmt.wildcard_in_equals}
	values := sort({sprintf("%q", [r.value]) | some r in stmt.wildcard_in_equals; r.condition == cid})
	msg := sprintf(
		"%s in %s of %s compares %s literally: the wildcard is not a pattern, so %s; use %s",
		[_cond_label(stmt, cid), _stmt_label(stmt), _role_name(role), concat(", ", values), _effect(stmt, cid), _like(stmt, cid)],
	)
}

_cond(stmt, cid) := c if {
	some c in stmt.conditions
	c.id == cid
}

_cond_label(stmt, cid) := sprintf("condition %s %s", [c.operator, c.key]) if {
	c := _cond(stmt, cid)
} else := "a StringEquals condition"

_effect(stmt, cid) := "it excludes nothing the author meant to exclude" if {
	_cond(stmt, cid).negated
} else := "it never matches the values the author meant"

_like(stmt, cid) := "StringNotLike" if {
	_cond(stmt, cid).negated
} else := "StringLike"

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])
