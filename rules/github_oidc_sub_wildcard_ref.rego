# METADATA
# title: GitHub OIDC :sub condition pins the repository but admits any ref
# description: >-
#   The `token.actions.githubusercontent.com:sub` restriction names one repository but wildcards
#   the rest (`repo:octo-org/octo-repo:*`). Any branch, tag, environment or pull-request run of
#   that repository can assume the role, so anyone who can push a branch gets production
#   credentials.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
#   - ref: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
# custom:
#   id: RC153
#   name: github-oidc-sub-wildcard-ref
#   severity: medium
#   remediation: >-
#     Pin the ref or environment, e.g. `"StringEquals":
#     {"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:environment:production"}` or `repo:octo-org/octo-repo:ref:refs/heads/main`.
#   tags: [trust-policy, github-oidc, federation]
package rolecall.rules.github_oidc_sub_wildcard_ref

import data.rolecall.lib

deny contains lib.finding(_sub_cause(wi), role.id, msg) if {
	some [role, stmt, wi] in _trusted
	wi.sub.restricted == true
	not wi.sub.any_repo
	wi.sub.any_ref == true
	msg := sprintf(
		"any branch, tag, environment or pull request of the repository can assume %s: %s admits %s:sub %s; pin the ref, e.g. repo:OWNER/REPO:ref:refs/heads/main or repo:OWNER/REPO:environment:production",
		[_role_name(role), _stmt_label(stmt), wi.host, _admitted(wi.sub)],
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

_sub_cause(wi) := wi.sub.conditions[0] if {
	count(_arr(wi.sub.conditions)) > 0
} else := wi.id

_admitted(claim) := concat(", ", sort({sprintf("%q", [p.value]) | some p in _arr(claim.admits)})) if {
	count(_arr(claim.admits)) > 0
} else := "(see its condition)"
