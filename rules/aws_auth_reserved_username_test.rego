package rolecall.rules.aws_auth_reserved_username_test

import data.rolecall.lib.testing
import data.rolecall.rules.aws_auth_reserved_username as rule

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

_role(index, username) := _entry("mapRoles", index, {
	"arn": sprintf("arn:aws:iam::111122223333:role/r%d", [index]),
	"arn_kind": "role", "username": username,
})

_input(kind, roles) := {"aws_auth": [{
	"id": _auth_id, "cluster": "prod", "kind": kind, "authentication_mode": "",
	"sections": [], "unrecognized_keys": [],
	"map_roles": roles, "map_users": [], "map_accounts": [],
}]}

test_fires_when_username_impersonates_a_component if {
	got := rule.deny with input as _input("configmap", [_role(0, "system:kube-controller-manager")])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
	some f in got
	f.msg == `mapRoles entry 0 of the aws-auth ConfigMap of cluster prod maps arn:aws:iam::111122223333:role/r0 to username "system:kube-controller-manager", in a namespace reserved for Kubernetes components: it impersonates that built-in identity and inherits its RBAC bindings`
}

test_fires_for_each_reserved_prefix_and_other_source_kinds if {
	got := rule.deny with input as _input("server-config", [
		_role(0, "eks:addon-manager"),
		_role(1, "aws:admin"),
		_role(2, "amazon:x"),
		_role(3, "iam:{{SessionName}}"),
		_role(4, "system:node:i-0123456789abcdef0"),
	])
	testing.assert_count(got, 5)
	every f in got {
		contains(f.msg, "the authenticator server config of cluster prod")
	}
}

test_quiet_for_node_templates_empty_and_ordinary_usernames if {
	testing.assert_empty(rule.deny) with input as _input("configmap", [
		_role(0, "system:node:{{EC2PrivateDNSName}}"),
		_role(1, "system:node:{{SessionName}}"),
		_role(2, ""),
		_role(3, "admin:{{SessionName}}"),
		_role(4, "my-system:admin"),
	])
}

test_quiet_when_entry_is_dropped if {
	e := object.union(_role(0, "system:admin"), {"invalid": "only one of rolearn or sso can be supplied"})
	testing.assert_empty(rule.deny) with input as _input("configmap", [e])
}
