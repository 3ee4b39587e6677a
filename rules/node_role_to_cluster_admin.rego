# METADATA
# title: Node role reaches cluster-admin
# description: >-
#   A role mapped into the cluster as a node (`system:nodes`) also reaches cluster-admin: its
#   Kubernetes identity is in `system:masters` or bound to `cluster-admin` (or a ClusterRole
#   granting `*` on `*`), the role has `AmazonEKSClusterAdminPolicy`, it chains to a role that
#   does, or the node identity can obtain the token of a ServiceAccount that does (node-level
#   access to the pods it runs). Node credentials are available to every pod that can reach the instance metadata
#   service on those nodes (and to anything with host access), so one such pod owns the
#   cluster.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html
#   - ref: https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
#   - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# custom:
#   id: RC502
#   name: node-role-to-cluster-admin
#   severity: critical
#   remediation: >-
#     Map the node role with only `groups: [system:bootstrappers, system:nodes]` and username
#     `system:node:{{EC2PrivateDNSName}}` (or an `EC2_LINUX` access entry), remove any
#     `system:masters` group, cluster-admin binding or `AmazonEKSClusterAdminPolicy` reaching it,
#     and do not let the node role assume other roles; require IMDSv2 with a hop limit of 1.
#   tags: [graph, aws-auth, node-role, cluster-admin]
package rolecall.rules.node_role_to_cluster_admin

import data.rolecall.lib

# One finding per path: Go reports the shortest path from each source (ServiceAccount, node
# role, external principal) to each sink it reaches; the rule never walks the graph.
deny contains lib.finding_via(_cause(p, ids), p.to, p.from, ids, msg) if {
	some p in _arr(input.graph.paths)
	_qualifies(p)
	ids := _arr(p.edges)
	msg := sprintf(
		"node role %s reaches %s through %d hop(s): %s; every pod that can reach the instance metadata service on those nodes owns the cluster; break the path: map the node role to system:bootstrappers and system:nodes only, and keep cluster-admin out of reach of what its nodes can obtain",
		[_label(p.from), _label(p.to), count(ids), p.description],
	)
}

_qualifies(p) if {
	_nodes[p.from].node_role == true
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
