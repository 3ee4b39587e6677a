# METADATA
# title: Role trusts an OIDC issuer without restricting the subject
# description: >-
#   The trust policy allows `sts:AssumeRoleWithWebIdentity` from an OIDC issuer other than EKS or
#   GitHub (GitLab, Terraform Cloud, Bitbucket, CircleCI, Google, a self-hosted Kubernetes…) with
#   no effective condition on its subject claim. Every identity that issuer signs tokens for,
#   often every project of every customer of a SaaS issuer, can assume the role.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
# custom:
#   id: RC156
#   name: federation-missing-sub
#   severity: critical
#   remediation: >-
#     Add a positive condition on the issuer's subject claim, e.g. `"StringEquals":
#     {"gitlab.com:sub": "project_path:mygroup/myproject:ref_type:branch:ref:main"}`.
#   tags: [trust-policy, federation]
package rolecall.rules.federation_missing_sub

import data.rolecall.lib

deny contains lib.finding(array.concat([wi.id], _arr(wi.sub.conditions)), role.id, msg) if {
	some [role, stmt, wi] in _trusted
	wi.sub.restricted == false
	msg := sprintf(
		"any identity of issuer %s can assume %s: %s trusts %s with %s; add a StringEquals condition on %s:sub naming the project or workload",
		[wi.host, _role_name(role), _stmt_label(stmt), wi.provider, _why(wi), wi.host],
	)
}

# _trusted: (role, statement, provider) where the statement allows web identity from a
# non-EKS, non-GitHub OIDC provider whose tokens can satisfy its conditions (never_matches is RC007's business).
_trusted contains [role, stmt, wi] if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	not stmt.not_principal
	"sts:AssumeRoleWithWebIdentity" in stmt.assume_actions
	some wi in stmt.web_identity
	wi.kind == "other"
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
