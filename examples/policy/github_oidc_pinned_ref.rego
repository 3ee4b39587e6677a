# METADATA
# title: GitHub Actions role is not pinned to main or a deployment environment
# description: >-
#   ACME policy: a role that trusts GitHub Actions' OIDC provider may be assumed only by
#   workflow runs on `refs/heads/main` or in a named deployment environment (whose protection
#   rules require a review). Any other subject (a feature branch, a tag, a pull request, a
#   `release-*` pattern) lets whoever can push such a ref obtain the role's credentials.
#   The built-in rules accept any one pinned branch; this organisation does not.
# related_resources:
#   - description: documentation
#     ref: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#example-subject-claims
#   - ref: https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment
# custom:
#   id: ACME001
#   name: github-oidc-pinned-ref
#   severity: high
#   remediation: >-
#     Pin the subject with StringEquals to the main branch or an environment, e.g.
#     `"StringEquals": {"token.actions.githubusercontent.com:sub":
#     "repo:acme/web:environment:production"}`, and protect that environment with required reviewers.
#   tags: [trust-policy, github-oidc, acme]
package rolecall.rules.github_oidc_pinned_ref

import data.rolecall.lib

# Subjects ACME accepts: exactly one repository, and its main branch or a named environment.
_allowed := `^repo:[^/:*?]+/[^/:*?]+:(ref:refs/heads/main|environment:[^:*?]+)$`

deny contains lib.finding(_cause(wi), role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	not stmt.not_principal
	"sts:AssumeRoleWithWebIdentity" in stmt.assume_actions
	some wi in stmt.web_identity
	wi.kind == "github"
	not wi.never_matches
	not _pinned(wi.sub)
	msg := sprintf(
		"GitHub Actions runs outside main and the deployment environments can assume %s: statement %d admits %s:sub %s; ACME requires repo:OWNER/REPO:ref:refs/heads/main or repo:OWNER/REPO:environment:NAME",
		[role.arn, stmt.index, wi.host, _admitted(wi.sub)],
	)
}

# _pinned holds when some condition on :sub admits only accepted subjects: conditions on a key
# are AND'ed, so one such condition pins every token the statement admits.
_pinned(sub) if {
	sub.restricted
	some cond in sub.conditions
	values := [p.value | some p in sub.admits; p.condition == cond]
	count(values) > 0
	every v in values {
		regex.match(_allowed, v)
	}
}

# The finding points at the :sub condition, or at the federated principal when there is none.
_cause(wi) := wi.sub.conditions[0] if {
	count(wi.sub.conditions) > 0
} else := wi.id

_admitted(sub) := concat(", ", sort({sprintf("%q", [p.value]) | some p in sub.admits})) if {
	sub.restricted
	count(sub.admits) > 0
} else := "any subject (no :sub condition)"
