package rolecall.rules.aws_auth_duplicate_mapping_test

import data.rolecall.lib.testing
import data.rolecall.rules.aws_auth_duplicate_mapping as rule

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
	"id": _auth_id, "cluster": "prod", "kind": "configmap", "authentication_mode": "API_AND_CONFIG_MAP",
	"sections": [], "unrecognized_keys": [],
	"map_roles": roles, "map_users": users, "map_accounts": [],
}]}

test_fires_on_the_shadowed_entry_and_names_the_winner if {
	# X38: Dev [view] then dev [system:masters]; the second wins.
	e0 := _entry("mapRoles", 0, {
		"arn": "arn:aws:iam::111122223333:role/Dev", "arn_kind": "role",
		"groups": ["view"], "shadowed": "awsauth:prod/mapRoles/2",
	})
	e1 := _entry("mapRoles", 1, {"arn": "arn:aws:iam::111122223333:role/other", "arn_kind": "role"})
	e2 := _entry("mapRoles", 2, {"arn": "arn:aws:iam::111122223333:role/dev", "arn_kind": "role", "groups": ["system:masters"]})
	got := rule.deny with input as _input([e0, e1, e2], [])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
	some f in got
	contains(f.msg, "mapRoles entry 0 of the aws-auth ConfigMap of cluster prod maps the same ARN as mapRoles entry 2")
	contains(f.msg, "(groups [view]) is dead config and mapRoles entry 2 grants groups [system:masters]")
}

test_fires_when_map_users_arns_differ_only_in_case if {
	e0 := _entry("mapUsers", 0, {"arn": "arn:aws:iam::111122223333:user/Alice", "arn_kind": "user", "groups": ["view"]})
	e1 := _entry("mapUsers", 1, {"arn": "arn:aws:iam::111122223333:user/alice", "arn_kind": "user", "groups": ["edit"]})
	got := rule.deny with input as _input([], [e0, e1])
	testing.assert_one_with(got, "awsauth:prod/mapUsers/0", _auth_id)
	some f in got
	contains(f.msg, "non-deterministic")
}

test_fires_when_map_users_repeats_a_map_roles_arn if {
	# D5.1/D5.2: mapRoles is searched first, the mapUsers copy never applies.
	r := _entry("mapRoles", 0, {"arn": "arn:aws:iam::111122223333:user/alice", "arn_kind": "user", "groups": ["view"]})
	u := _entry("mapUsers", 0, {"arn": "arn:aws:iam::111122223333:user/Alice", "arn_kind": "user", "groups": ["system:masters"]})
	got := rule.deny with input as _input([r], [u])
	testing.assert_one_with(got, "awsauth:prod/mapUsers/0", _auth_id)
	some f in got
	contains(f.msg, "which mapRoles entry 0 already maps")
}

test_fires_when_sso_matcher_overlaps_a_rolearn_entry if {
	s := _entry("mapRoles", 0, {"sso": true, "sso_arn_like": "arn:aws:iam::111122223333:role/awsreservedsso_admin_*", "groups": ["admins"]})
	r := _entry("mapRoles", 1, {
		"arn": "arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef",
		"arn_kind": "role", "groups": ["view"],
	})
	got := rule.deny with input as _input([s, r], [])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
}

test_quiet_on_the_winning_entry_and_on_distinct_arns if {
	e0 := _entry("mapRoles", 0, {"arn": "arn:aws:iam::111122223333:role/dev", "arn_kind": "role"})
	e1 := _entry("mapRoles", 1, {"arn": "arn:aws:iam::111122223333:role/dev-ops", "arn_kind": "role"})
	u0 := _entry("mapUsers", 0, {"arn": "arn:aws:iam::111122223333:user/dev", "arn_kind": "user"})
	testing.assert_empty(rule.deny) with input as _input([e0, e1], [u0])
}

test_quiet_when_the_other_copy_is_dropped_by_validation if {
	# An entry the authenticator drops does not compete with the valid one.
	r := _entry("mapRoles", 0, {
		"arn": "arn:aws:iam::111122223333:role/dev", "arn_kind": "role", "sso": true,
		"invalid": "only one of rolearn or sso can be supplied",
	})
	u := _entry("mapUsers", 0, {"arn": "arn:aws:iam::111122223333:role/dev", "arn_kind": "role"})
	testing.assert_empty(rule.deny) with input as _input([r], [u])
}
