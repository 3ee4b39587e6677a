package rolecall.rules.external_to_cluster_admin_test

import data.rolecall.lib.testing
import data.rolecall.rules.external_to_cluster_admin as rule

_gh := "federated:token.actions.githubusercontent.com/repo:acme/*"

_alice := "arn:aws:iam::111122223333:user/alice"

_deployer := "arn:aws:iam::111122223333:role/deployer"

_ident := "k8s-identity:prod/deployer"

_sink := "cluster-admin:prod"

_stmt := concat("", [_deployer, "#trust/0"])

_nodes := [
	{"id": _gh, "kind": "federated", "label": "token.actions.githubusercontent.com repo:acme/*", "provider": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", "pattern": "repo:acme/*", "external": true, "loaded": false},
	{"id": _alice, "kind": "iam-user", "label": "user/alice", "arn": _alice, "external": false, "loaded": true},
	{"id": _deployer, "kind": "iam-role", "label": "role/deployer", "arn": _deployer, "external": false, "loaded": true},
	{"id": _ident, "kind": "k8s-identity", "label": "deployer [system:masters] in prod", "cluster": "prod", "external": false, "loaded": false},
	{"id": _sink, "kind": "cluster-admin", "label": "cluster-admin of prod", "cluster": "prod", "external": false, "loaded": false},
]

_edges := [
	{"id": "e1", "from": _gh, "to": _deployer, "mechanism": "web-identity", "evidence": [_stmt], "reason": ""},
	{"id": "e2", "from": _deployer, "to": _ident, "mechanism": "cluster-auth", "evidence": ["eks:prod/accessentry/arn:aws:iam::111122223333:role/deployer"], "reason": ""},
	{"id": "e3", "from": _ident, "to": _sink, "mechanism": "admin", "evidence": ["eks:prod/accessentry/arn:aws:iam::111122223333:role/deployer/policy/arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"], "reason": ""},
	{"id": "e4", "from": _alice, "to": _deployer, "mechanism": "assume-role", "evidence": [concat("", [_deployer, "#trust/1"])], "reason": ""},
]

_path(from, kind, edges) := {"from": from, "to": _sink, "from_kind": kind, "to_kind": "cluster-admin", "edges": edges, "mechanisms": [_mech[id] | some id in edges], "description": _describe(from, edges)}

_mech := {e.id: e.mechanism | some e in _edges}

_label := {n.id: n.label | some n in _nodes}

# _describe renders the chain as Go does.
_describe(from, edges) := concat(" ", array.concat([_label[from]], [sprintf("-[%s]-> %s", [e.mechanism, _label[e.to]]) | some id in edges; some e in _edges; e.id == id]))

_input(paths) := {"graph": {"nodes": _nodes, "edges": _edges, "paths": paths}}

test_fires_when_ci_federation_reaches_cluster_admin if {
	got := rule.deny with input as _input([_path(_gh, "federated", ["e1", "e2", "e3"])])
	testing.assert_one_with(got, _stmt, _sink)
	some f in got
	f.subject == _gh
	f.path == ["e1", "e2", "e3"]
	startswith(f.msg, "token.actions.githubusercontent.com repo:acme/*, outside the loaded accounts, reaches cluster-admin of prod through 3 hop(s): token.actions.githubusercontent.com repo:acme/* -[web-identity]-> role/deployer")
}

test_quiet_when_a_loaded_internal_user_reaches_cluster_admin if {
	# alice is in the loaded account: a reviewer's own admin, not an outsider.
	testing.assert_empty(rule.deny) with input as _input([_path(_alice, "iam-user", ["e4", "e2", "e3"])])
}
