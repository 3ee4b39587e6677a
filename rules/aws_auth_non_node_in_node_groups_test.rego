package rolecall.rules.aws_auth_non_node_in_node_groups_test

import data.rolecall.lib.testing
import data.rolecall.rules.aws_auth_non_node_in_node_groups as rule

_auth_id := "awsauth:prod"

_entry(section, index, fields) := object.union(
	{
		"id": sprintf("%s/%s/%d", [_auth_id, section, index]),
		"section": section, "index": index,
		"arn": "", "username": "", "groups": [], "sso": false,
		"arn_kind": "", "arn_path": "", "arn_wildcard": false,
		"type_errors": [], "unknown_keys": [], "invalid": "", "shadowed": "",
		"node_role": false, "role_loaded": false,
	},
	fields,
)

_input(roles, users) := {"aws_auth": [{
	"id": _auth_id, "cluster": "prod", "kind": "configmap", "authentication_mode": "CONFIG_MAP",
	"sections": [], "unrecognized_keys": [],
	"map_roles": roles, "map_users": users, "map_accounts": [],
}]}

_node_groups := ["system:bootstrappers", "system:nodes"]

test_fires_when_iam_user_gets_node_groups if {
	u := _entry("mapUsers", 0, {"arn": "arn:aws:iam::111122223333:user/ci", "arn_kind": "user", "username": "ci", "groups": _node_groups})
	got := rule.deny with input as _input([], [u])
	testing.assert_one_with(got, "awsauth:prod/mapUsers/0", _auth_id)
	some f in got
	f.msg == "mapUsers entry 0 of the aws-auth ConfigMap of cluster prod gives IAM user arn:aws:iam::111122223333:user/ci the node groups system:bootstrappers and system:nodes, but it is an IAM user, not a node role: it gets node-level Kubernetes privileges"
}

test_fires_when_loaded_role_is_not_a_node_role if {
	# Even with the node username template: the trust admits more than EC2.
	r := _entry("mapRoles", 0, {
		"arn": "arn:aws:iam::111122223333:role/ci", "arn_kind": "role", "role_loaded": true, "node_role": false,
		"username": "system:node:{{EC2PrivateDNSName}}", "groups": ["system:nodes"],
	})
	got := rule.deny with input as _input([r], [])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
	some f in got
	contains(f.msg, "the node group system:nodes, but its trust policy admits principals other than ec2.amazonaws.com")
}

test_fires_when_unloaded_role_has_no_node_username if {
	r := _entry("mapRoles", 0, {"arn": "arn:aws:iam::111122223333:role/deployer", "arn_kind": "role", "username": "deployer", "groups": ["system:bootstrappers"]})
	got := rule.deny with input as _input([r], [])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
	some f in got
	contains(f.msg, `its username "deployer" is not a node template`)
}

test_quiet_for_node_roles if {
	loaded := _entry("mapRoles", 0, {
		"arn": "arn:aws:iam::111122223333:role/node", "arn_kind": "role", "role_loaded": true, "node_role": true,
		"username": "system:node:{{EC2PrivateDNSName}}", "groups": _node_groups,
	})
	fargate := _entry("mapRoles", 1, {
		"arn": "arn:aws:iam::111122223333:role/fargate", "arn_kind": "role",
		"username": "system:node:{{SessionName}}", "groups": array.concat(_node_groups, ["system:node-proxier"]),
	})
	testing.assert_empty(rule.deny) with input as _input([loaded, fargate], [])
}

test_quiet_when_group_is_a_mis_indented_single_string if {
	# D3.6: "- system:bootstrappers\n - system:nodes" is one group, not the node groups.
	u := _entry("mapUsers", 0, {"arn": "arn:aws:iam::111122223333:user/ci", "arn_kind": "user", "groups": ["system:bootstrappers - system:nodes"]})
	testing.assert_empty(rule.deny) with input as _input([], [u])
}

test_quiet_when_entry_never_applies if {
	u := _entry("mapUsers", 0, {
		"arn": "arn:aws:iam::111122223333:user/ci", "arn_kind": "user", "groups": _node_groups,
		"shadowed": "awsauth:prod/mapUsers/1",
	})
	r := _entry("mapRoles", 0, {"arn": "arn:aws:sts::111122223333:assumed-role/ci/run", "arn_kind": "assumed-role", "groups": _node_groups})
	testing.assert_empty(rule.deny) with input as _input([r], [u])
}
