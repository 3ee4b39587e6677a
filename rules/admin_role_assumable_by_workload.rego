# METADATA
# title: Administrator role reachable by a workload or an external federation
# description: >-
#   A role with administrator permissions (`AdministratorAccess`, or an identity policy allowing
#   `*` on `*`) is reachable, directly or through role chaining, by a Kubernetes ServiceAccount
#   (IRSA or Pod Identity) or by the subjects of an external OIDC/SAML federation (a CI system,
#   another issuer). One compromised pod, or one CI job of a matching repository or branch, owns
#   the AWS account.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
#   - ref: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
#   - ref: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
# custom:
#   id: RC505
#   name: admin-role-assumable-by-workload
#   severity: critical
#   remediation: >-
#     Give the workload a role scoped to the actions and resources it needs (e.g. `s3:GetObject`
#     on `arn:aws:s3:::payments-reports/*`) instead of `AdministratorAccess`, and remove the trust
#     or chain step (web identity, Pod Identity association, `sts:AssumeRole` grant) that leads
#     from the workload to the administrator role.
#   tags: [graph, irsa, pod-identity, federation]
package rolecall.rules.admin_role_assumable_by_workload

import data.rolecall.lib

# One finding per path: Go reports the shortest path from each source (ServiceAccount, node
# role, external principal) to each sink it reaches; the rule never walks the graph.
# target: the administrator role, i.e. the node the last edge (mechanism "admin") leaves from.
deny contains lib.finding_via(_cause(p, ids), _admin_role(p, ids), p.from, ids, msg) if {
	some p in _arr(input.graph.paths)
	_qualifies(p)
	ids := _arr(p.edges)
	msg := sprintf(
		"%s reaches %s (%s) through %d hop(s): %s; %s owns the AWS account; scope the role's permissions or remove the path's first hop",
		[_source_label(p.from), _label(_admin_role(p, ids)), _label(p.to), count(ids), p.description, _owner(p.from)],
	)
}

_qualifies(p) if {
	p.to_kind == "aws-admin"
	_workload_or_federation(p)
}

_workload_or_federation(p) if p.from_kind == "k8s-serviceaccount"

_workload_or_federation(p) if {
	n := _nodes[p.from]
	n.kind == "federated"
	n.external == true
}

_admin_role(p, ids) := from if {
	count(ids) > 0
	from := _edges[ids[count(ids) - 1]].from
	is_string(from)
	from != ""
} else := p.to

_source_label(id) := sprintf("ServiceAccount %s/%s of cluster %s", [n.namespace, n.name, n.cluster]) if {
	n := _nodes[id]
	n.kind == "k8s-serviceaccount"
	is_string(n.namespace)
	n.namespace != ""
	is_string(n.cluster)
	n.cluster != ""
} else := sprintf("federated subjects %s", [_label(id)]) if {
	_nodes[id].kind == "federated"
} else := _label(id)

_owner(id) := "one compromised pod, or anyone who can run a pod as the ServiceAccount or mint its token," if {
	_nodes[id].kind == "k8s-serviceaccount"
} else := "anyone who can obtain a token the federation's trust admits (e.g. one CI job)"

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
