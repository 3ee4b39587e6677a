package rolecall.rules.aws_auth_malformed_entry_test

import data.rolecall.lib.testing
import data.rolecall.rules.aws_auth_malformed_entry as rule

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

test_fires_when_groups_is_a_string if {
	# X36: `groups: system:masters` decodes to no groups, the entry still authenticates.
	e := _entry("mapRoles", 0, {
		"arn": "arn:aws:iam::111122223333:role/ops", "arn_kind": "role", "username": "ops",
		"type_errors": ["groups: expected a list of strings"],
	})
	got := rule.deny with input as _input([e], [])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
	some f in got
	f.msg == "mapRoles entry 0 of the aws-auth ConfigMap of cluster prod cannot work as written: groups: expected a list of strings (left empty: the entry authenticates with no groups)"
}

test_fires_once_listing_every_problem if {
	e := _entry("mapUsers", 0, {
		"arn": "arn:aws:iam::111122223333:user/*", "arn_kind": "user", "arn_wildcard": true,
		"type_errors": ["username: expected a string", "groups: expected a list of strings"],
	})
	got := rule.deny with input as _input([], [e])
	testing.assert_one_with(got, "awsauth:prod/mapUsers/0", _auth_id)
	some f in got
	contains(f.msg, "userarn arn:aws:iam::111122223333:user/* contains a wildcard, but ARNs are compared literally, so it never matches; username: expected a string (left empty: the entry authenticates with an empty username); groups: expected a list of strings")
}

test_fires_when_entry_is_dropped_by_validation if {
	e := _entry("mapRoles", 0, {
		"arn": "arn:aws:iam::111122223333:role/ops", "arn_kind": "role", "sso": true,
		"invalid": "only one of rolearn or sso can be supplied",
	})
	got := rule.deny with input as _input([e], [])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
	some f in got
	contains(f.msg, "rejects it (only one of rolearn or sso can be supplied) and drops the entry")
}

test_fires_when_arn_is_not_an_iam_principal_arn if {
	e := _entry("mapRoles", 0, {"arn": "ops-role", "arn_kind": "invalid"})
	got := rule.deny with input as _input([e], [])
	some f in got
	contains(f.msg, "rolearn ops-role is not an IAM role, user, root or federated-user ARN")
}

test_quiet_for_sso_matcher_without_rolearn if {
	# A valid sso entry has no rolearn by design (D2.4).
	e := _entry("mapRoles", 0, {"sso": true, "sso_arn_like": "arn:aws:iam::111122223333:role/awsreservedsso_admin_*", "groups": ["admins"]})
	testing.assert_empty(rule.deny) with input as _input([e], [])
}

test_quiet_when_a_misspelled_key_explains_the_missing_arn if {
	# aws-auth-unrecognized-key reports `rolArn` and that the entry is dropped.
	e := _entry("mapRoles", 0, {
		"unknown_keys": [{"id": "awsauth:prod/mapRoles/0/key/rolArn", "key": "rolArn"}],
		"invalid": "one of rolearn or sso must be supplied",
	})
	testing.assert_empty(rule.deny) with input as _input([e], [])
}

test_quiet_for_problems_other_rules_report if {
	path := _entry("mapRoles", 0, {"arn": "arn:aws:iam::111122223333:role/teams/ops", "arn_kind": "role", "arn_path": "/teams/"})
	session := _entry("mapRoles", 1, {"arn": "arn:aws:sts::111122223333:assumed-role/ops/*", "arn_kind": "assumed-role", "arn_wildcard": true})
	testing.assert_empty(rule.deny) with input as _input([path, session], [])
}

test_fires_when_sso_partition_empties_the_pattern if {
	e := _entry("mapRoles", 0, {"sso": true, "sso_arn_like": "arn::iam::111122223333:role/awsreservedsso_admin_*"})
	got := rule.deny with input as _input([e], [])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
	some f in got
	contains(f.msg, "sso.partition is set")
}
