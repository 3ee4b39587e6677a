# METADATA
# title: GitHub OIDC :sub condition admits pull-request runs
# description: >-
#   The `token.actions.githubusercontent.com:sub` restriction admits
#   `repo:OWNER/REPO:pull_request`. Workflows triggered by pull requests run code proposed by the
#   PR author (forks included where the repository allows them), so anyone who can open a pull
#   request can assume the role. When the ref is wildcarded this is reported by RC153 (or RC152)
#   instead.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
#   - ref: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
# custom:
#   id: RC154
#   name: github-oidc-pull-request-sub
#   severity: medium
#   remediation: >-
#     Remove the `repo:OWNER/REPO:pull_request` subject; give PR workflows a separate read-only
#     role, and keep deploy roles on `repo:OWNER/REPO:ref:refs/heads/main` or
#     `repo:OWNER/REPO:environment:production`.
#   tags: [trust-policy, github-oidc, federation]
package rolecall.rules.github_oidc_pull_request_sub

import data.rolecall.lib

# Only when neither the repository nor the ref is wildcarded: those patterns also admit pull
# requests and are reported, more specifically, by RC152/RC153.
deny contains lib.finding(_sub_cause(wi), role.id, msg) if {
	some [role, stmt, wi] in _trusted
	wi.sub.restricted == true
	not wi.sub.any_repo
	not wi.sub.any_ref
	wi.sub.pull_request == true
	msg := sprintf(
		"pull-request workflow runs can assume %s: %s admits %s:sub %s; remove the :pull_request subject or use a separate read-only role for pull requests",
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
