# METADATA
# title: IRSA role does not restrict the token audience
# description: >-
#   The trust policy allows web identity from an EKS provider with no effective condition on the
#   provider's `:aud` claim. STS then accepts tokens minted for any audience
#   the provider lists in its `ClientIDList`, not just `sts.amazonaws.com`, which AWS's
#   trust-policy template guards against.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
# custom:
#   id: RC104
#   name: irsa-missing-aud
#   severity: low
#   remediation: >-
#     Add `"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud":
#     "sts.amazonaws.com"}` next to the `:sub` condition.
#   tags: [trust-policy, irsa]
package rolecall.rules.irsa_missing_aud

import data.rolecall.lib

deny contains lib.finding(array.concat([wi.id], _arr(wi.aud.conditions)), role.id, msg) if {
	some [role, stmt, wi] in _trusted
	wi.aud.restricted == false
	msg := sprintf(
		"%s accepts tokens of %s for any audience: %s trusts %s with %s; add StringEquals %s:aud = sts.amazonaws.com",
		[_role_name(role), _clusters(wi), _stmt_label(stmt), wi.host, _why(wi), wi.host],
	)
}

# _trusted: (role, statement, provider) where the statement allows web identity from a
# EKS provider whose tokens can satisfy its conditions (never_matches is RC007's business).
_trusted contains [role, stmt, wi] if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	not stmt.not_principal
	"sts:AssumeRoleWithWebIdentity" in stmt.assume_actions
	some wi in stmt.web_identity
	wi.kind == "eks"
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

_clusters(wi) := sprintf("cluster %s", [concat(", ", sort(_arr(wi.clusters)))]) if {
	count(_arr(wi.clusters)) > 0
} else := sprintf("the cluster with issuer %s", [wi.host])

_why(wi) := sprintf("conditions on %s:aud that do not restrict it (negated, …IfExists or ForAllValues)", [wi.host]) if {
	count(_arr(wi.aud.conditions)) > 0
} else := sprintf("no condition on %s:aud", [wi.host])
