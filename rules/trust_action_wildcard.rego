# METADATA
# title: Trust statement allows every STS action
# description: >-
#   An Allow statement's `Action` is `*` or `sts:*` (in any case). Besides the `sts:AssumeRole*`
#   call the author meant, it grants `sts:AssumeRoleWithWebIdentity`, `sts:AssumeRoleWithSAML`,
#   `sts:TagSession` and `sts:SetSourceIdentity`: principals may pass
#   session tags that satisfy `aws:PrincipalTag` conditions elsewhere, or drop the source
#   identity trail, and new STS actions are granted as AWS adds them.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
# custom:
#   id: RC005
#   name: trust-action-wildcard
#   severity: high
#   remediation: >-
#     List the actions the principal needs, e.g. `"Action": ["sts:AssumeRole", "sts:TagSession"]`
#     for Pod Identity or `"Action": "sts:AssumeRoleWithWebIdentity"` for IRSA.
#   tags: [trust-policy]
package rolecall.rules.trust_action_wildcard

import data.rolecall.lib

deny contains lib.finding(stmt.id, role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	stmt.action_wildcard
	wild := sort([a | some a in stmt.actions; _wildcard(a)])
	msg := sprintf(
		"%s of %s allows Action %s: every STS action, including web identity, SAML, TagSession and SetSourceIdentity; list only the actions its principals need",
		[_stmt_label(stmt), _role_name(role), _quoted(wild)],
	)
}

_wildcard(a) if lower(a) in {"*", "sts:*"}

_quoted(wild) := concat(", ", [sprintf("%q", [a]) | some a in wild]) if {
	count(wild) > 0
} else := "\"*\""

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])
