# METADATA
# title: ServiceAccount reaches cluster-admin through an IAM role
# description: >-
#   A Kubernetes ServiceAccount obtains an IAM role (IRSA web identity or a Pod Identity
#   association), possibly chains to further roles, and one of those roles authenticates into a
#   cluster as cluster-admin: mapped to `system:masters`, to a user or group bound to
#   `cluster-admin` (or a ClusterRole granting `*` on `*`), or given `AmazonEKSClusterAdminPolicy`
#   at cluster scope, in the cluster's effective authentication mode (aws-auth or access entry).
#   One compromised pod, or anyone who can run a pod as the ServiceAccount or mint its token,
#   owns the cluster, and Kubernetes RBAC reviews do not show it because the grant goes through
#   IAM.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
#   - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# custom:
#   id: RC501
#   name: workload-to-cluster-admin
#   severity: critical
#   remediation: >-
#     Break the path at its first hop: give the workload a role that is not mapped into the
#     cluster (drop its `rolearn` from aws-auth or its access entry), or map that role to a scoped
#     group, e.g. `groups: [deployers]` bound to a namespaced Role instead of `system:masters` /
#     `AmazonEKSClusterAdminPolicy`; and narrow the trust (`:sub` or session tags) of every role
#     on the path.
#   tags: [graph, irsa, pod-identity, cluster-admin]
package rolecall.rules.workload_to_cluster_admin

import data.rolecall.lib

# One finding per path: Go reports the shortest path from each source (ServiceAccount, node
# role, external principal) to each sink it reaches; the rule never walks the graph.
deny contains lib.finding_via(_cause(p, ids), p.to, p.from, ids, msg) if {
	some p in _arr(input.graph.paths)
	_qualifies(p)
	ids := _arr(p.edges)
	msg := sprintf(
		"%s reaches %s through %d hop(s) with at least one role assumption: %s; one compromised pod, or anyone who can run a pod as it or mint its token, owns the cluster; break the path at its first hop",
		[_sa_label(p.from), _label(p.to), count(ids), p.description],
	)
}

_qualifies(p) if {
	p.from_kind == "k8s-serviceaccount"
	p.to_kind == "cluster-admin"
	some m in _arr(p.mechanisms)
	m in _role_assumption
}

# A path through the ServiceAccount's own RBAC identity only (mechanism "serviceaccount", then
# "admin") is not this rule's: it involves no IAM role.
_role_assumption := {"web-identity", "pod-identity", "assume-role"}

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

_sa_label(id) := sprintf("ServiceAccount %s/%s of cluster %s", [n.namespace, n.name, n.cluster]) if {
	n := _nodes[id]
	is_string(n.namespace)
	n.namespace != ""
	is_string(n.cluster)
	n.cluster != ""
} else := sprintf("ServiceAccount %s", [_label(id)])

_arr(v) := v if {
	is_array(v)
} else := []
