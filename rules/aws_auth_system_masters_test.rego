package rolecall.rules.aws_auth_system_masters_test

import data.rolecall.lib.testing
import data.rolecall.rules.aws_auth_system_masters as rule

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

_role(index, fields) := _entry("mapRoles", index, fields)

_input(roles, users, mode) := {"aws_auth": [{
	"id": _auth_id, "cluster": "prod", "kind": "configmap", "authentication_mode": mode,
	"sections": [], "unrecognized_keys": [],
	"map_roles": roles, "map_users": users, "map_accounts": [],
}]}

_ops := {"arn": "arn:aws:iam::111122223333:role/ops", "arn_kind": "role", "username": "ops"}

test_fires_when_role_mapped_to_system_masters if {
	e := _role(0, object.union(_ops, {"groups": ["system:masters"]}))
	got := rule.deny with input as _input([e], [], "CONFIG_MAP")
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
	some f in got
	contains(f.msg, "role arn:aws:iam::111122223333:role/ops into system:masters")
	contains(f.msg, "the aws-auth ConfigMap of cluster prod")
}

test_fires_when_user_arn_listed_under_map_roles if {
	# X40: entries are not type-checked, the IAM user is cluster-admin.
	e := _role(0, {"arn": "arn:aws:iam::111122223333:user/alice", "arn_kind": "user", "groups": ["system:masters"]})
	got := rule.deny with input as _input([e], [], "")
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
	some f in got
	contains(f.msg, "IAM user arn:aws:iam::111122223333:user/alice")
}

test_fires_only_on_the_winning_duplicate if {
	# X38: entry 0 is shadowed by entry 1 with the same rolearn; only entry 1 applies.
	e0 := _role(0, object.union(_ops, {"groups": ["system:masters"], "shadowed": "awsauth:prod/mapRoles/1"}))
	e1 := _role(1, object.union(_ops, {"groups": ["system:masters"]}))
	got := rule.deny with input as _input([e0, e1], [], "")
	testing.assert_one_with(got, "awsauth:prod/mapRoles/1", _auth_id)
}

test_quiet_when_groups_has_a_type_error if {
	# X36: `groups: system:masters` as a scalar decodes to no groups.
	e := _role(0, object.union(_ops, {"type_errors": ["groups: expected a list of strings"]}))
	testing.assert_empty(rule.deny) with input as _input([e], [], "")
}

test_quiet_when_group_only_resembles_system_masters if {
	e := _role(0, object.union(_ops, {"groups": ["system:masters-readonly", "System:Masters"]}))
	testing.assert_empty(rule.deny) with input as _input([e], [], "")
}

test_quiet_when_rolearn_has_a_path if {
	# X34: never matches; aws-auth-role-arn-has-path reports it and names system:masters.
	e := _role(0, {
		"arn": "arn:aws:iam::111122223333:role/teams/dev/deployer", "arn_kind": "role",
		"arn_path": "/teams/dev/", "groups": ["system:masters"],
	})
	testing.assert_empty(rule.deny) with input as _input([e], [], "")
}

test_quiet_when_entry_is_dropped_by_validation if {
	e := _role(0, {"groups": ["system:masters"], "invalid": "one of rolearn or sso must be supplied"})
	testing.assert_empty(rule.deny) with input as _input([e], [], "")
}

test_quiet_when_cluster_is_in_api_mode if {
	e := _role(0, object.union(_ops, {"groups": ["system:masters"]}))
	testing.assert_empty(rule.deny) with input as _input([e], [], "API")
}
