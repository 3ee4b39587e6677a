# METADATA
# title: Trust policy is not a document IAM would accept
# description: >-
#   The trust policy has a problem IAM rejects on save: bad JSON, a missing `Principal`, `Effect`
#   or `Action`, a wildcard inside a principal ARN (`arn:aws:iam::111122223333:role/ci-*`), a
#   group or malformed ARN, an unknown condition operator or `Version`. Problems IAM may accept (a `Resource` element, A1.2; a `Sid` with spaces, which
#   real `get-role` output shows; duplicate keys, A1.6) are reported as input warnings instead. What is in the repository is then not what AWS
#   runs: the deployment fails, or someone "fixes" it in the console and the code drifts. The
#   analysis treats such a statement as matching nothing.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
# custom:
#   id: RC003
#   name: trust-policy-invalid
#   severity: high
#   remediation: >-
#     Fix the element the message names so the document validates, e.g. replace the principal
#     `arn:aws:iam::111122223333:role/ci-*` with `"AWS": "*"` plus `"ArnLike":
#     {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ci-*"}`, and check it with IAM Access
#     Analyzer's ValidatePolicy.
#   tags: [trust-policy]
package rolecall.rules.trust_policy_invalid

import data.rolecall.lib

deny contains lib.finding(issue.id, role.id, msg) if {
	some role in input.roles
	some issue in role.trust.issues
	not issue.warning
	not _reported_elsewhere(role, issue)
	msg := sprintf("IAM would reject the trust policy of %s: %s (%s)", [_role_name(role), issue.message, issue.code])
}

# The most specific rule wins: a bare unique id is trust-deleted-principal (RC011), an Allow
# with NotPrincipal is trust-not-principal (RC004); a Deny with NotPrincipal stays here.
_reported_elsewhere(_, issue) if issue.code == "dangling-unique-id"

_reported_elsewhere(role, issue) if {
	issue.code == "notprincipal-in-trust-policy"
	sid := object.get(issue, "statement", "")
	sid != ""
	some s in role.trust.statements
	s.id == sid
	s.effect == "Allow"
}

# Without the issue's statement id: covered when every NotPrincipal statement is an Allow.
_reported_elsewhere(role, issue) if {
	issue.code == "notprincipal-in-trust-policy"
	object.get(issue, "statement", "") == ""
	np := [s | some s in role.trust.statements; s.not_principal]
	count(np) > 0
	every s in np {
		s.effect == "Allow"
	}
}

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id
