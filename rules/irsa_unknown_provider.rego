# METADATA
# title: IRSA role trusts an OIDC provider that is not registered or matches no known cluster
# description: >-
#   The trust policy names an EKS OIDC provider that is absent from the loaded provider list of
#   its account, or whose issuer belongs to none of the loaded clusters. The trust is dangling (the cluster was deleted or the provider never created) or
#   points at the wrong cluster; if a cluster with that issuer is later associated, its
#   ServiceAccounts silently gain the role.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
# custom:
#   id: RC106
#   name: irsa-unknown-provider
#   severity: low
#   remediation: >-
#     Point the `Federated` principal and the condition keys at the issuer of the intended cluster
#     (`aws eks describe-cluster --query cluster.identity.oidc.issuer`), e.g.
#     `arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE`, create
#     the provider with `eksctl utils associate-iam-oidc-provider`, or delete the stale statement.
#   tags: [trust-policy, irsa]
package rolecall.rules.irsa_unknown_provider

import data.rolecall.lib

# The finding is about the Federated principal itself, so it is reported whatever the
# statement's conditions (never_matches included). One finding per principal value.
deny contains lib.finding(wi.id, role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	not stmt.not_principal
	some wi in stmt.web_identity
	wi.kind == "eks"
	reasons := _reasons(wi)
	count(reasons) > 0
	msg := sprintf(
		"%s trusts %s, which %s: %s trusts %s",
		[_role_name(role), wi.host, concat(" and ", sort(reasons)), _stmt_label(stmt), wi.provider],
	)
}

_reasons(wi) := {r |
	some r in [_unregistered(wi), _no_cluster(wi)]
	r != ""
}

_unregistered(wi) := sprintf("is not a registered OIDC provider of account %s", [wi.account]) if {
	wi.registered == false
} else := ""

# Quiet when no cluster was described: "matches no cluster" needs the cluster data. Quiet too
# when a described cluster's issuer is unknown (a cluster declared in infrastructure as code,
# whose issuer EKS assigns at creation): the provider may be that cluster's.
_no_cluster(wi) := "is the issuer of no loaded cluster" if {
	input.loaded.clusters == true
	count(_arr(wi.clusters)) == 0
	not _issuer_unknown
} else := ""

_issuer_unknown if {
	some c in input.clusters
	c.described == true
	c.provider_host == ""
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
