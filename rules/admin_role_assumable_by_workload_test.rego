package rolecall.rules.admin_role_assumable_by_workload_test

import data.rolecall.lib.testing
import data.rolecall.rules.admin_role_assumable_by_workload as rule

_sa := "k8s:prod/serviceaccount/ci/deployer"

_gh := "federated:token.actions.githubusercontent.com/repo:acme/infra:*"

_acct := "aws-account:444455556666"

_app := "arn:aws:iam::111122223333:role/app"

_admin := "arn:aws:iam::111122223333:role/Admin"

_sink := "aws-admin:111122223333"

_nodes := [
	{"id": _sa, "kind": "k8s-serviceaccount", "label": "prod/ci/deployer", "cluster": "prod", "namespace": "ci", "name": "deployer", "external": false, "loaded": true},
	{"id": _gh, "kind": "federated", "label": "token.actions.githubusercontent.com repo:acme/infra:*", "pattern": "repo:acme/infra:*", "external": true, "loaded": false},
	{"id": _acct, "kind": "aws-account", "label": "account 444455556666", "account": "444455556666", "external": true, "loaded": false},
	{"id": _app, "kind": "iam-role", "label": "role/app", "arn": _app, "external": false, "loaded": true},
	{"id": _admin, "kind": "iam-role", "label": "role/Admin", "arn": _admin, "external": false, "loaded": true},
	{"id": _sink, "kind": "aws-admin", "label": "AWS admin of 111122223333", "account": "111122223333", "external": false, "loaded": false},
]

_edges := [
	{"id": "e1", "from": _sa, "to": _app, "mechanism": "web-identity", "evidence": [concat("", [_app, "#trust/0"])], "reason": ""},
	{"id": "e2", "from": _app, "to": _admin, "mechanism": "assume-role", "evidence": [concat("", [_admin, "#trust/0"])], "reason": ""},
	{"id": "e3", "from": _admin, "to": _sink, "mechanism": "admin", "evidence": ["arn:aws:iam::aws:policy/AdministratorAccess"], "reason": ""},
	{"id": "e4", "from": _gh, "to": _admin, "mechanism": "web-identity", "evidence": [concat("", [_admin, "#trust/1"])], "reason": ""},
	{"id": "e5", "from": _acct, "to": _admin, "mechanism": "assume-role", "evidence": [concat("", [_admin, "#trust/2"])], "reason": ""},
]

_path(from, kind, edges) := {"from": from, "to": _sink, "from_kind": kind, "to_kind": "aws-admin", "edges": edges, "mechanisms": [_mech[id] | some id in edges], "description": _describe(from, edges)}

_mech := {e.id: e.mechanism | some e in _edges}

_label := {n.id: n.label | some n in _nodes}

# _describe renders the chain as Go does.
_describe(from, edges) := concat(" ", array.concat([_label[from]], [sprintf("-[%s]-> %s", [e.mechanism, _label[e.to]]) | some id in edges; some e in _edges; e.id == id]))

_input(paths) := {"graph": {"nodes": _nodes, "edges": _edges, "paths": paths}}

test_fires_when_serviceaccount_chains_to_an_admin_role if {
	got := rule.deny with input as _input([_path(_sa, "k8s-serviceaccount", ["e1", "e2", "e3"])])
	testing.assert_one_with(got, concat("", [_app, "#trust/0"]), _admin)
	some f in got
	f.subject == _sa
	f.path == ["e1", "e2", "e3"]
	startswith(f.msg, "ServiceAccount ci/deployer of cluster prod reaches role/Admin (AWS admin of 111122223333) through 3 hop(s): prod/ci/deployer -[web-identity]-> role/app -[assume-role]-> role/Admin -[admin]-> AWS admin of 111122223333; one compromised pod")
}

test_fires_when_ci_federation_assumes_an_admin_role if {
	got := rule.deny with input as _input([_path(_gh, "federated", ["e4", "e3"])])
	testing.assert_one_with(got, concat("", [_admin, "#trust/1"]), _admin)
	some f in got
	contains(f.msg, "federated subjects token.actions.githubusercontent.com repo:acme/infra:* reaches role/Admin")
	contains(f.msg, "(e.g. one CI job) owns the AWS account")
}

test_quiet_when_an_external_account_not_a_federation_reaches_aws_admin if {
	# A cross-account principal is trust-cross-account / external-to-… territory, not a workload.
	testing.assert_empty(rule.deny) with input as _input([_path(_acct, "aws-account", ["e5", "e3"])])
}

test_quiet_when_serviceaccount_reaches_only_a_non_admin_role if {
	p := object.union(_path(_sa, "k8s-serviceaccount", ["e1"]), {"to": _app, "to_kind": "iam-role"})
	testing.assert_empty(rule.deny) with input as _input([p])
}
