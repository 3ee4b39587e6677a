# METADATA
# title: Role trusts another account without an ExternalId condition
# description: >-
#   An Allow statement lets a principal of an account outside the known set (config `accounts:`,
#   else the accounts of the loaded roles, clusters and providers) call `sts:AssumeRole`, and no
#   positive `sts:ExternalId` condition is required. When that account
#   is a third party acting for several customers, anyone who can make it assume roles on their
#   behalf can point it at this role: the confused-deputy problem.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
# custom:
#   id: RC002
#   name: trust-cross-account-no-external-id
#   severity: medium
#   remediation: >-
#     Require the external id the third party gave you, e.g. `"Condition": {"StringEquals":
#     {"sts:ExternalId": "a1b2c3d4-unique-per-customer"}}`; if the account is your own, add it to
#     `accounts:` in the configuration.
#   tags: [trust-policy, cross-account]
package rolecall.rules.trust_cross_account_no_external_id

import data.rolecall.lib

deny contains lib.finding(p.id, role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	not stmt.not_principal
	"sts:AssumeRole" in stmt.assume_actions
	some p in stmt.principals.aws
	p.kind in {"account", "user", "role", "assumed-role"}
	lib.foreign_account(role, p.account)
	not _external_id_required(stmt)
	msg := sprintf(
		"%s of account %s, outside the known accounts, can assume %s: %s has no sts:ExternalId condition",
		[p.value, p.account, _role_name(role), _stmt_label(stmt)],
	)
}

# _external_id_required: a positive condition every caller must satisfy with a specific value.
_external_id_required(stmt) if {
	some c in stmt.conditions
	c.key_lower == "sts:externalid"
	not c.negated
	not c.if_exists
	c.qualifier == ""
	not c.base in {"", "Null"}
	count(c.values) > 0
	every v in c.values {
		not regex.match(`^[*]+$`, v)
	}
}

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])
