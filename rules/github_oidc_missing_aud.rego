# METADATA
# title: Role trusts GitHub Actions OIDC without an audience condition
# description: >-
#   The trust policy allows web identity from `token.actions.githubusercontent.com` with no
#   effective condition on its `:aud` claim. AWS's and GitHub's guidance is to require
#   `sts.amazonaws.com`, so that tokens a workflow requested for another audience (another cloud,
#   Vault, a custom service) cannot be replayed against STS.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
#   - ref: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
# custom:
#   id: RC155
#   name: github-oidc-missing-aud
#   severity: low
#   remediation: >-
#     Add `"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}` next
#     to the `:sub` condition.
#   tags: [trust-policy, github-oidc, federation]
package rolecall.rules.github_oidc_missing_aud

import data.rolecall.lib

deny contains lib.finding(array.concat([wi.id], _arr(wi.aud.conditions)), role.id, msg) if {
	some [role, stmt, wi] in _trusted
	wi.aud.restricted == false
	msg := sprintf(
		"%s accepts GitHub Actions tokens minted for any audience: %s trusts %s with %s; add StringEquals %s:aud = sts.amazonaws.com",
		[_role_name(role), _stmt_label(stmt), wi.host, _why(wi), wi.host],
	)
}

# _trusted: (role, statement, provider) where the statement allows web identity from a
# GitHub Actions provider whose tokens can satisfy its conditions (never_matches is RC007's business).
_trusted contains [role, stmt, wi] if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	not stmt.not_principal
	"sts:AssumeRoleWithWebIdentity" in stmt.assume_actions
	some wi in stmt.web_identity
	wi.kind == "github"
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
