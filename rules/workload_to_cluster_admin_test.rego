package rolecall.rules.workload_to_cluster_admin_test

import data.rolecall.lib.testing
import data.rolecall.rules.workload_to_cluster_admin as rule

_sa := "k8s:prod/serviceaccount/ci/deployer"

_role := "arn:aws:iam::111122223333:role/deployer"

_ident := "k8s-identity:prod/deployer"

_sa_ident := "k8s-identity:prod/system:serviceaccount:ci:deployer"

_sink := "cluster-admin:prod"

_stmt := concat("", [_role, "#trust/0"])

_nodes := [
	{"id": _sa, "kind": "k8s-serviceaccount", "label": "system:serviceaccount:ci:deployer", "cluster": "prod", "namespace": "ci", "name": "deployer", "external": false, "loaded": true},
	{"id": _role, "kind": "iam-role", "label": "role/deployer", "arn": _role, "account": "111122223333", "external": false, "loaded": true},
	{"id": _ident, "kind": "k8s-identity", "label": "deployer [system:masters] in prod", "cluster": "prod", "external": false, "loaded": false},
	{"id": _sa_ident, "kind": "k8s-identity", "label": "system:serviceaccount:ci:deployer in prod", "cluster": "prod", "external": false, "loaded": false},
	{"id": _sink, "kind": "cluster-admin", "label": "cluster-admin of prod", "cluster": "prod", "external": false, "loaded": false},
]

_edge(id, from, to, mechanism, evidence) := {"id": id, "from": from, "to": to, "mechanism": mechanism, "evidence": evidence, "reason": ""}

_edges := [
	_edge("e1", _sa, _role, "web-identity", [_stmt]),
	_edge("e2", _role, _ident, "cluster-auth", ["awsauth:prod/mapRoles/0"]),
	_edge("e3", _ident, _sink, "admin", ["awsauth:prod/mapRoles/0"]),
	_edge("e4", _sa, _sa_ident, "serviceaccount", [_sa]),
	_edge("e5", _sa_ident, _sink, "admin", ["k8s:prod/clusterrolebinding/deployer-admin"]),
]

_mechanisms := {e.id: e.mechanism | some e in _edges}

_path(edges, description) := {
	"from": _sa, "to": _sink, "from_kind": "k8s-serviceaccount", "to_kind": "cluster-admin",
	"edges": edges, "mechanisms": [_mechanisms[id] | some id in edges], "description": description,
}

_input(paths) := {"graph": {"nodes": _nodes, "edges": _edges, "paths": paths}}

_desc := "system:serviceaccount:ci:deployer -[web-identity]-> role/deployer -[cluster-auth]-> deployer [system:masters] in prod -[admin]-> cluster-admin of prod"

test_fires_when_serviceaccount_assumes_a_role_mapped_to_system_masters if {
	got := rule.deny with input as _input([_path(["e1", "e2", "e3"], _desc)])
	got == {{
		"cause": [_stmt],
		"target": _sink,
		"subject": _sa,
		"path": ["e1", "e2", "e3"],
		"msg": concat("", [
			"ServiceAccount ci/deployer of cluster prod reaches cluster-admin of prod through 3 hop(s) with at least one role assumption: ",
			_desc,
			"; one compromised pod, or anyone who can run a pod as it or mint its token, owns the cluster; break the path at its first hop",
		]),
	}}
}

test_fires_on_the_first_edge_when_its_evidence_is_not_indexed if {
	# Go keeps only evidence ids it can locate; with none, the finding sits on the edge itself.
	edges := [object.union(_edges[0], {"evidence": []}), _edges[1], _edges[2]]
	got := rule.deny with input as {"graph": {"nodes": _nodes, "edges": edges, "paths": [_path(["e1", "e2", "e3"], _desc)]}}
	testing.assert_one_with(got, "e1", _sink)
}

test_quiet_when_serviceaccount_is_cluster_admin_through_its_own_rbac_binding if {
	# No IAM role on the path: a Kubernetes RBAC finding, not an IAM escalation.
	testing.assert_empty(rule.deny) with input as _input([_path(["e4", "e5"], "system:serviceaccount:ci:deployer -[serviceaccount]-> … -[admin]-> cluster-admin of prod")])
}

test_quiet_when_path_ends_at_aws_admin if {
	p := object.union(_path(["e1"], "x"), {"to": _role, "to_kind": "aws-admin"})
	testing.assert_empty(rule.deny) with input as _input([p])
}
