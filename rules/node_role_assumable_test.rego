package rolecall.rules.node_role_assumable_test

import data.rolecall.lib.testing
import data.rolecall.rules.node_role_assumable as rule

_node_role := "arn:aws:iam::111122223333:role/nodes"

_ec2 := "aws-service:ec2.amazonaws.com"

_root := "aws-account:111122223333"

_sa := "k8s:prod/serviceaccount/ci/deployer"

_ident := "k8s-identity:prod/system:node:{{EC2PrivateDNSName}}"

_nodes(node_role) := [
	{"id": _node_role, "kind": "iam-role", "label": "role/nodes", "arn": _node_role, "external": false, "loaded": true, "node_role": node_role},
	{"id": _ec2, "kind": "aws-service", "label": "ec2.amazonaws.com", "name": "ec2.amazonaws.com", "external": false, "loaded": false},
	{"id": _root, "kind": "aws-account", "label": "any principal of account 111122223333", "account": "111122223333", "external": false, "loaded": false},
	{"id": _sa, "kind": "k8s-serviceaccount", "label": "prod/ci/deployer", "cluster": "prod", "namespace": "ci", "name": "deployer", "external": false, "loaded": true},
	{"id": _ident, "kind": "k8s-identity", "label": "system:node:{{EC2PrivateDNSName}} [system:bootstrappers, system:nodes] in prod", "cluster": "prod", "external": false, "loaded": false},
]

_edge(id, from, mechanism, evidence) := {"id": id, "from": from, "to": _node_role, "mechanism": mechanism, "evidence": evidence, "reason": ""}

_auth_edge := {"id": "auth", "from": _node_role, "to": _ident, "mechanism": "cluster-auth", "evidence": ["awsauth:prod/mapRoles/0"], "reason": ""}

_input(node_role, edges) := {"graph": {"nodes": _nodes(node_role), "edges": array.concat([_auth_edge], edges), "paths": []}}

_root_stmt := concat("", [_node_role, "#trust/0"])

# X48: the account root is trusted next to EC2; alice assumes the role with session name i-0123….
test_fires_when_account_root_can_assume_the_node_role if {
	got := rule.deny with input as _input(true, [_edge("e1", _root, "assume-role", [_root_stmt]), _edge("e2", _ec2, "assume-role", [concat("", [_node_role, "#trust/1"])])])
	got == {{
		"cause": [_root_stmt],
		"target": _node_role,
		"subject": _root,
		"msg": "any principal of account 111122223333 can assume node role role/nodes: the caller picks the session name, so it can authenticate as any node (system:node:{{EC2PrivateDNSName}} / {{SessionName}}) in cluster prod and read the secrets of pods scheduled there; let only the node service assume the role",
	}}
}

test_fires_when_a_serviceaccount_can_assume_the_node_role_by_web_identity if {
	got := rule.deny with input as _input(true, [_edge("e1", _sa, "web-identity", [_root_stmt])])
	testing.assert_one_with(got, _root_stmt, _node_role)
	some f in got
	startswith(f.msg, "prod/ci/deployer can assume node role role/nodes through web identity:")
}

test_quiet_when_only_the_ec2_service_can_assume_the_node_role if {
	testing.assert_empty(rule.deny) with input as _input(true, [_edge("e2", _ec2, "assume-role", [concat("", [_node_role, "#trust/1"])])])
}

test_quiet_when_the_assumed_role_is_not_a_node_role if {
	testing.assert_empty(rule.deny) with input as _input(false, [_edge("e1", _root, "assume-role", [_root_stmt])])
}
