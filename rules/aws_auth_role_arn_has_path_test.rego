package rolecall.rules.aws_auth_role_arn_has_path_test

import data.rolecall.lib.testing
import data.rolecall.rules.aws_auth_role_arn_has_path as rule

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
	"id": _auth_id, "cluster": "prod", "kind": "configmap", "authentication_mode": "",
	"sections": [], "unrecognized_keys": [],
	"map_roles": roles, "map_users": users, "map_accounts": [],
}]}

_deployer := {
	"arn": "arn:aws:iam::111122223333:role/teams/dev/deployer", "arn_kind": "role",
	"arn_path": "/teams/dev/", "username": "deployer", "groups": ["deployers"],
}

test_fires_when_rolearn_has_a_path if {
	# X34.
	got := rule.deny with input as _input([_entry("mapRoles", 0, _deployer)], [])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
	some f in got
	contains(f.msg, "IAM path /teams/dev/")
	contains(f.msg, "write arn:aws:iam::111122223333:role/deployer")
	not contains(f.msg, "system:masters")
}

test_fires_and_names_system_masters_behind_the_path if {
	e := _entry("mapRoles", 0, object.union(_deployer, {"groups": ["system:masters"]}))
	got := rule.deny with input as _input([e], [])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
	some f in got
	contains(f.msg, "grants system:masters")
}

test_fires_for_sso_role_path_and_suggests_bare_name if {
	# X49.
	e := _entry("mapRoles", 0, {
		"arn": "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef",
		"arn_kind": "role", "arn_path": "/aws-reserved/sso.amazonaws.com/eu-west-1/",
	})
	got := rule.deny with input as _input([e], [])
	some f in got
	contains(f.msg, "write arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef")
}

test_fires_for_role_arn_with_path_under_map_users if {
	e := _entry("mapUsers", 0, _deployer)
	got := rule.deny with input as _input([], [e])
	testing.assert_one_with(got, "awsauth:prod/mapUsers/0", _auth_id)
}

test_quiet_when_user_arn_has_a_path if {
	# IAM user ARNs keep their path in GetCallerIdentity (D4.4): not this rule's business.
	e := _entry("mapUsers", 0, {"arn": "arn:aws:iam::111122223333:user/engineering/alice", "arn_kind": "user"})
	testing.assert_empty(rule.deny) with input as _input([], [e])
}

test_quiet_when_role_name_contains_no_path if {
	e := _entry("mapRoles", 0, {"arn": "arn:aws:iam::111122223333:role/teams-dev-deployer", "arn_kind": "role"})
	testing.assert_empty(rule.deny) with input as _input([e], [])
}

test_quiet_when_entry_is_shadowed if {
	e0 := _entry("mapRoles", 0, object.union(_deployer, {"shadowed": "awsauth:prod/mapRoles/1"}))
	e1 := _entry("mapRoles", 1, _deployer)
	testing.assert_one_with(rule.deny, "awsauth:prod/mapRoles/1", _auth_id) with input as _input([e0, e1], [])
}
