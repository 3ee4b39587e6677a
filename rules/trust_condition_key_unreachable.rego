# METADATA
# title: Trust condition tests a key that is never present for the caller
# description: >-
#   A condition names a key the request never carries for this statement's callers: another
#   OIDC provider's host, an `https://` prefix or a full provider ARN as the key, a subject value
#   under `:aud`, or caller keys such as `aws:PrincipalArn` on an unsigned web-identity call. A positive operator on an absent key is false, so the
#   statement never matches and the role is unusable; a negated or `…IfExists` operator is true,
#   so the restriction the author meant is not in force.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
# custom:
#   id: RC007
#   name: trust-condition-key-unreachable
#   severity: medium
#   remediation: >-
#     Key the condition on what the caller really presents, e.g. for IRSA the trusted provider's
#     host without `https://`: `"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub":
#     "system:serviceaccount:payments:api"}`; put each provider in its own statement.
#   tags: [trust-policy]
package rolecall.rules.trust_condition_key_unreachable

import data.rolecall.lib

deny contains lib.finding(cid, role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	cids := {u.condition | some u in stmt.unreachable}
	some cid in cids
	entries := [u | some u in stmt.unreachable; u.condition == cid]
	reasons := sort({u.reason | some u in entries})
	opens := {u.fails_open | some u in entries}
	msg := sprintf(
		"%s in %s of %s tests %s, which is never present for its callers (%s): %s",
		[_cond_label(stmt, cid, entries[0].key), _stmt_label(stmt), _role_name(role), entries[0].key, concat("; ", reasons), _effect(stmt, true in opens)],
	)
}

_effect(stmt, fails_open) := "the condition is always true, so the Allow is not restricted by it" if {
	stmt.effect == "Allow"
	fails_open
} else := "the condition is always false, so the statement never matches and grants nothing" if {
	stmt.effect == "Allow"
} else := "the condition is always true, so the Deny applies to every caller" if {
	fails_open
} else := "the condition is always false, so the Deny never applies"

_cond_label(stmt, cid, key) := sprintf("condition %s %s", [c.operator, c.key]) if {
	some c in stmt.conditions
	c.id == cid
} else := sprintf("the condition on %s", [key])

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])
