# METADATA
# title: IRSA role trusts the OIDC providers of several clusters
# description: >-
#   One role admits web-identity tokens from the issuers of two or more EKS clusters, so a
#   compromise of a workload (or of ServiceAccount-creation rights) in any of them yields the same
#   AWS credentials: the blast radius spans clusters, typically dev and prod.
#   Shown for review; it is sometimes intended for multi-cluster deployments.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html
# custom:
#   id: RC107
#   name: irsa-multiple-clusters
#   severity: info
#   remediation: >-
#     Create one role per cluster (e.g. `payments-api-prod` trusting only the prod issuer and
#     `payments-api-dev` trusting only the dev issuer), or confirm that every listed cluster has
#     the same trust level; use one statement per provider.
#   tags: [trust-policy, irsa]
package rolecall.rules.irsa_multiple_clusters

import data.rolecall.lib

# One finding per role, at its first (sorted) provider principal, citing all of them.
deny contains lib.finding(sort(ids), role.id, msg) if {
	some role in input.roles
	entries := [wi |
		some stmt in role.trust.statements
		stmt.effect == "Allow"
		not stmt.not_principal
		"sts:AssumeRoleWithWebIdentity" in stmt.assume_actions
		some wi in stmt.web_identity
		wi.kind == "eks"
		not wi.never_matches
	]
	hosts := {wi.host | some wi in entries}
	clusters := {c | some wi in entries; some c in _arr(wi.clusters)}
	_several(hosts, clusters)
	ids := {wi.id | some wi in entries}
	msg := sprintf(
		"%s can be assumed by ServiceAccounts of %d clusters: it trusts %s",
		[_role_name(role), max({count(hosts), count(clusters)}), _what(hosts, clusters)],
	)
}

_several(hosts, _) if count(hosts) >= 2

_several(_, clusters) if count(clusters) >= 2

_what(hosts, clusters) := sprintf("clusters %s", [concat(", ", sort(clusters))]) if {
	count(clusters) >= count(hosts)
} else := sprintf("issuers %s", [concat(", ", sort(hosts))])

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_arr(v) := v if {
	is_array(v)
} else := []
