# METADATA
# title: IRSA role trusts every ServiceAccount of its cluster
# description: >-
#   The trust policy allows `sts:AssumeRoleWithWebIdentity` from an EKS cluster's OIDC provider
#   with no effective restriction on the provider's `:sub` claim. A missing
#   condition, a negated operator (B5.8), an `…IfExists`/`ForAllValues:` operator or a key naming
#   another provider (B5.6) all leave the subject open, so any pod of any namespace in the
#   cluster, or anyone who can mint a ServiceAccount token there, gets the role's credentials.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
# custom:
#   id: RC101
#   name: irsa-missing-sub
#   severity: critical
#   remediation: >-
#     Add a positive condition on the provider's `:sub` claim naming the ServiceAccount, e.g.
#     `"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub":
#     "system:serviceaccount:payments:api"}`, and remove negated or `IfExists` variants.
#   tags: [trust-policy, irsa]
package rolecall.rules.irsa_missing_sub

import data.rolecall.lib

deny contains lib.finding(array.concat([wi.id], _arr(wi.sub.conditions)), role.id, msg) if {
	some [role, stmt, wi] in _trusted
	wi.sub.restricted == false
	msg := sprintf(
		"any ServiceAccount of %s can assume %s: %s trusts %s with %s; add StringEquals %s:sub = system:serviceaccount:NAMESPACE:NAME",
		[_clusters(wi), _role_name(role), _stmt_label(stmt), wi.host, _why(wi), wi.host],
	)
}

# _trusted: (role, statement, provider) where the statement allows web identity from an EKS
# provider whose tokens can satisfy its conditions (never_matches is RC007's business).
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

_why(wi) := sprintf("conditions on %s:sub that do not restrict the subject (negated, …IfExists or ForAllValues)", [wi.host]) if {
	count(_arr(wi.sub.conditions)) > 0
} else := sprintf("no condition on %s:sub", [wi.host])

_clusters(wi) := sprintf("cluster %s", [concat(", ", sort(_arr(wi.clusters)))]) if {
	count(_arr(wi.clusters)) > 0
} else := sprintf("the cluster with issuer %s", [wi.host])

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])

_arr(v) := v if {
	is_array(v)
} else := []
