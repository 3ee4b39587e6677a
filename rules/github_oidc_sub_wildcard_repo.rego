# METADATA
# title: GitHub OIDC :sub condition admits several repositories
# description: >-
#   The `token.actions.githubusercontent.com:sub` restriction wildcards the owner or the
#   repository (`repo:*`, `repo:octo-org/*`, `repo:octo-org/app-*:*`). Every repository matching
#   the pattern, including ones created later by anyone with repository-creation rights in the
#   organisation (or by anyone at all when the owner is wildcarded), can assume the role.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
#   - ref: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
# custom:
#   id: RC152
#   name: github-oidc-sub-wildcard-repo
#   severity: high
#   remediation: >-
#     Pin owner and repository, e.g. `"StringLike": {"token.actions.githubusercontent.com:sub":
#     "repo:octo-org/octo-repo:ref:refs/heads/main"}`; list several exact repositories rather than
#     `repo:octo-org/*`.
#   tags: [trust-policy, github-oidc, federation]
package rolecall.rules.github_oidc_sub_wildcard_repo

import data.rolecall.lib

deny contains lib.finding(_sub_cause(wi), role.id, msg) if {
	some [role, stmt, wi] in _trusted
	wi.sub.restricted == true
	wi.sub.any_repo == true
	msg := sprintf(
		"workflows of every repository matching the pattern can assume %s: %s admits %s:sub %s; pin the repository, e.g. repo:OWNER/REPO:ref:refs/heads/main",
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
