package rolecall.rules.node_role_to_cluster_admin_test

import data.rolecall.lib.testing
import data.rolecall.rules.node_role_to_cluster_admin as rule

_node_role := "arn:aws:iam::111122223333:role/nodes"

_ops := "arn:aws:iam::111122223333:role/ops"

_node_ident := "k8s-identity:prod/system:node:{{EC2PrivateDNSName}}"

_ops_ident := "k8s-identity:prod/ops"

_sink := "cluster-admin:prod"

_nodes(node_role) := [
	{"id": _node_role, "kind": "iam-role", "label": "role/nodes", "arn": _node_role, "external": false, "loaded": true, "node_role": node_role},
	{"id": _ops, "kind": "iam-role", "label": "role/ops", "arn": _ops, "external": false, "loaded": true},
	{"id": _node_ident, "kind": "k8s-identity", "label": "system:node:{{EC2PrivateDNSName}} [system:nodes, system:masters] in prod", "cluster": "prod", "external": false, "loaded": false},
	{"id": _ops_ident, "kind": "k8s-identity", "label": "ops [system:masters] in prod", "cluster": "prod", "external": false, "loaded": false},
	{"id": _sink, "kind": "cluster-admin", "label": "cluster-admin of prod", "cluster": "prod", "external": false, "loaded": false},
]

_edges := [
	{"id": "e1", "from": _node_role, "to": _node_ident, "mechanism": "cluster-auth", "evidence": ["awsauth:prod/mapRoles/0"], "reason": ""},
	{"id": "e2", "from": _node_ident, "to": _sink, "mechanism": "admin", "evidence": ["awsauth:prod/mapRoles/0"], "reason": ""},
	{"id": "e3", "from": _ops, "to": _ops_ident, "mechanism": "cluster-auth", "evidence": ["awsauth:prod/mapRoles/1"], "reason": ""},
	{"id": "e4", "from": _ops_ident, "to": _sink, "mechanism": "admin", "evidence": ["awsauth:prod/mapRoles/1"], "reason": ""},
]

_path(from, edges) := {"from": from, "to": _sink, "from_kind": "iam-role", "to_kind": "cluster-admin", "edges": edges, "mechanisms": [_mech[id] | some id in edges], "description": _describe(from, edges)}

_mech := {e.id: e.mechanism | some e in _edges}

_label := {n.id: n.label | some n in _nodes(true)}

# _describe renders the chain as Go does.
_describe(from, edges) := concat(" ", array.concat([_label[from]], [sprintf("-[%s]-> %s", [e.mechanism, _label[e.to]]) | some id in edges; some e in _edges; e.id == id]))

_input(node_role, paths) := {"graph": {"nodes": _nodes(node_role), "edges": _edges, "paths": paths}}

test_fires_when_node_role_is_also_mapped_to_system_masters if {
	got := rule.deny with input as _input(true, [_path(_node_role, ["e1", "e2"])])
	got == {{
		"cause": ["awsauth:prod/mapRoles/0"],
		"target": _sink,
		"subject": _node_role,
		"path": ["e1", "e2"],
		"msg": "node role role/nodes reaches cluster-admin of prod through 2 hop(s): role/nodes -[cluster-auth]-> system:node:{{EC2PrivateDNSName}} [system:nodes, system:masters] in prod -[admin]-> cluster-admin of prod; every pod that can reach the instance metadata service on those nodes owns the cluster; break the path: map the node role to system:bootstrappers and system:nodes only, and keep cluster-admin out of reach of what its nodes can obtain",
	}}
}

test_quiet_when_only_a_non_node_role_reaches_cluster_admin if {
	# ops is cluster-admin (aws-auth-system-masters' business), but it is not a node role.
	testing.assert_empty(rule.deny) with input as _input(true, [_path(_ops, ["e3", "e4"])])
}

test_quiet_when_source_role_is_not_mapped_as_a_node if {
	testing.assert_empty(rule.deny) with input as _input(false, [_path(_node_role, ["e1", "e2"])])
}
