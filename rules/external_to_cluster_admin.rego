# METADATA
# title: External principal reaches cluster-admin
# description: >-
#   A principal outside the loaded accounts — another AWS account, any AWS principal (`*`), or
#   the subjects of an OIDC/SAML federation such as a CI system — can assume a role (directly
#   or through a chain) that authenticates into the cluster as cluster-admin (`system:masters`,
#   a `cluster-admin` binding, or `AmazonEKSClusterAdminPolicy`). Whoever controls that outside
#   identity owns the cluster, and the cluster's own RBAC shows nothing of it.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
# custom:
#   id: RC504
#   name: external-to-cluster-admin
#   severity: critical
#   remediation: >-
#     Break the path at its first hop: pin the trust to the exact external principal and
#     condition (e.g. `"StringEquals": {"sts:ExternalId": "…"}`, or a `:sub` of
#     `repo:org/deploy:environment:prod`), and map the role it reaches to a scoped group such as
#     `deployers` instead of `system:masters` / `AmazonEKSClusterAdminPolicy`.
#   tags: [graph, federation, cluster-admin]
package rolecall.rules.external_to_cluster_admin

import data.rolecall.lib

# One finding per path: Go reports the shortest path from each source (ServiceAccount, node
# role, external principal) to each sink it reaches; the rule never walks the graph.
deny contains lib.finding_via(_cause(p, ids), p.to, p.from, ids, msg) if {
	some p in _arr(input.graph.paths)
	_qualifies(p)
	ids := _arr(p.edges)
	msg := sprintf(
		"%s, outside the loaded accounts, reaches %s through %d hop(s): %s; whoever controls that identity owns the cluster; break the path at its first hop",
		[_label(p.from), _label(p.to), count(ids), p.description],
	)
}

_qualifies(p) if {
	_nodes[p.from].external == true
	p.to_kind == "cluster-admin"
}

# --- path helpers (shared by the reachability rules) ---

_edges := {e.id: e | some e in _arr(input.graph.edges)}

_nodes := {n.id: n | some n in _arr(input.graph.nodes)}

# _cause: the first hop's first evidence (a trust statement, annotation, association…), else
# the first edge itself (Go locates it), else the source node.
_cause(p, ids) := ev if {
	ev := _edges[ids[0]].evidence[0]
	ev != ""
} else := ids[0] if {
	count(ids) > 0
} else := p.from

_label(id) := _nodes[id].label if {
	_nodes[id].label != ""
} else := id

_arr(v) := v if {
	is_array(v)
} else := []
