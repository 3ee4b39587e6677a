# METADATA
# title: Node role can be assumed by a principal other than the EC2 service
# description: >-
#   A role mapped into a cluster as a node (`system:nodes`, username
#   `system:node:{{EC2PrivateDNSName}}` or `system:node:{{SessionName}}`) can be assumed by
#   something other than the node service. The caller of `sts:AssumeRole` (or
#   `AssumeRoleWithWebIdentity`) picks the role session name, and the authenticator derives the
#   node's Kubernetes username from it: a session named after any instance id authenticates as
#   that instance's node, in `system:nodes` (D6.2, D6.3). The caller can then read the secrets and
#   ServiceAccount tokens of pods scheduled on the impersonated node.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html
#   - ref: https://github.com/kubernetes-sigs/aws-iam-authenticator#full-configuration-format
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-creds.html
# custom:
#   id: RC503
#   name: node-role-assumable
#   severity: medium
#   remediation: >-
#     Make the node role trust only its node service, e.g. `"Principal": {"Service":
#     "ec2.amazonaws.com"}` with `"Action": "sts:AssumeRole"` (`eks-fargate-pods.amazonaws.com`
#     for a Fargate pod execution role), remove account roots, users, roles and federations from
#     its trust, and give humans or CI a separate role with its own mapping.
#   tags: [graph, trust-policy, aws-auth, node-role]
package rolecall.rules.node_role_assumable

import data.rolecall.lib

# One finding per edge into a node role whose caller chooses the session name.
deny contains lib.finding_from(_cause(e), e.to, e.from, msg) if {
	some e in _arr(input.graph.edges)
	e.mechanism in _session_name_chosen_by_caller
	_nodes[e.to].node_role == true
	not _node_service(_nodes[e.from])
	msg := sprintf(
		"%s can assume node role %s%s%s: the caller picks the session name, so it can authenticate as any node (system:node:{{EC2PrivateDNSName}} / {{SessionName}}) in %s and read the secrets of pods scheduled there; let only the node service assume the role",
		[_label(e.from), _label(e.to), _via(e), _reason(e), _clusters(e.to)],
	)
}

# sts:AssumeRole and AssumeRoleWithWebIdentity take RoleSessionName from the caller. Pod
# Identity (EKS names the session) and SAML (the IdP's assertion names it) are not included.
_session_name_chosen_by_caller := {"assume-role", "web-identity"}

# _node_service: the service principals that legitimately assume node roles: EC2 instances,
# Fargate pod execution (D7.3), and EKS Hybrid Nodes' credential providers (SSM hybrid
# activations, IAM Roles Anywhere), which set the session name from the node's identity.
_node_service(n) if {
	n.kind == "aws-service"
	some key in ["name", "label", "arn", "id"]
	v := object.get(n, key, "")
	is_string(v)
	lower(trim_prefix(v, "aws-service:")) in _node_services
}

_node_services := {
	"ec2.amazonaws.com", "ec2.amazonaws.com.cn",
	"eks-fargate-pods.amazonaws.com",
	"ssm.amazonaws.com", "rolesanywhere.amazonaws.com",
}

# _cause: the edge's first evidence (the trust statement), else the edge itself (Go locates it).
_cause(e) := e.evidence[0] if {
	e.evidence[0] != ""
} else := e.id

_via(e) := " through web identity" if {
	e.mechanism == "web-identity"
} else := ""

_reason(e) := sprintf(" (%s)", [e.reason]) if {
	is_string(e.reason)
	e.reason != ""
} else := ""

# _clusters: the clusters the node role authenticates into (its cluster-auth edges).
_clusters(role) := sprintf("cluster %s", [concat(", ", sort(cs))]) if {
	cs := _auth_clusters[role]
	count(cs) > 0
} else := "every cluster that maps it"

# _auth_clusters: role -> the clusters of its cluster-auth edges, built once per evaluation so
# that each node role costs a lookup, not a scan of every edge. The inner comprehension is
# indexed on role by OPA (comprehension indexing), which keeps the group-by linear.
_auth_clusters := {role: cs |
	some role in {e.from | some e in _arr(input.graph.edges); e.mechanism == "cluster-auth"}
	cs := {c |
		some e in _arr(input.graph.edges)
		e.from == role
		e.mechanism == "cluster-auth"
		c := _nodes[e.to].cluster
		is_string(c)
		c != ""
	}
}

_nodes := {n.id: n | some n in _arr(input.graph.nodes)}

_label(id) := _nodes[id].label if {
	is_string(_nodes[id].label)
	_nodes[id].label != ""
} else := id

_arr(v) := v if {
	is_array(v)
} else := []
