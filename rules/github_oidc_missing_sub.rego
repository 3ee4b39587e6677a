# METADATA
# title: Role trusts GitHub Actions OIDC without restricting the repository
# description: >-
#   The trust policy allows `sts:AssumeRoleWithWebIdentity` from
#   `token.actions.githubusercontent.com` with no effective condition on its `:sub` claim. The
#   issuer is shared by every GitHub repository, so any workflow in any repository of any owner
#   can request a token and assume the role. A negated operator, `…IfExists` or `ForAllValues:` on
#   `:sub` is no restriction either.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
#   - ref: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
# custom:
#   id: RC151
#   name: github-oidc-missing-sub
#   severity: critical
#   remediation: >-
#     Add a positive `:sub` condition naming the repository and ref, e.g. `"StringEquals":
#     {"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:ref:refs/heads/main"}`.
#   tags: [trust-policy, github-oidc, federation]
package rolecall.rules.github_oidc_missing_sub

import data.rolecall.lib

deny contains lib.finding(array.concat([wi.id], _arr(wi.sub.conditions)), role.id, msg) if {
	some [role, stmt, wi] in _trusted
	wi.sub.restricted == false
	msg := sprintf(
		"any GitHub Actions workflow of any repository can assume %s: %s trusts %s with %s; add StringEquals %s:sub = repo:OWNER/REPO:ref:refs/heads/main",
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

_why(wi) := sprintf("conditions on %s:sub that do not restrict it (negated, …IfExists or ForAllValues)", [wi.host]) if {
	count(_arr(wi.sub.conditions)) > 0
} else := sprintf("no condition on %s:sub", [wi.host])
