# METADATA
# title: Role trusts a whole account with no condition
# description: >-
#   An Allow statement trusts an account principal (`"AWS": "111122223333"` or
#   `arn:aws:iam::111122223333:root`) with no condition at all. That does not mean the root user:
#   it delegates the decision to every identity policy in the account, so any user or role there
#   whose policies allow `sts:AssumeRole` on this role (or on `*`) can assume it. This is often intended; it is shown so reviewers see who really decides.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
# custom:
#   id: RC010
#   name: trust-account-root
#   severity: info
#   remediation: >-
#     Name the roles that should assume this one, e.g. `"Principal": {"AWS":
#     "arn:aws:iam::111122223333:role/deployer"}`, or keep the account and add a condition such as
#     `"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/deploy-*"}`.
#   tags: [trust-policy]
package rolecall.rules.trust_account_root

import data.rolecall.lib

deny contains lib.finding(p.id, role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	not stmt.not_principal
	"sts:AssumeRole" in stmt.assume_actions
	count(_conditions(stmt)) == 0
	some p in stmt.principals.aws
	p.kind == "account"
	not lib.foreign_account(role, p.account) # a foreign account without conditions is RC002's
	msg := sprintf(
		"every IAM user and role of account %s whose identity policy allows it can assume %s: %s trusts %s with no condition",
		[_account(p), _role_name(role), _stmt_label(stmt), p.value],
	)
}

_conditions(stmt) := cs if {
	cs := stmt.conditions
	is_array(cs)
} else := []

_account(p) := p.account if {
	p.account != ""
} else := p.value

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])
