package rolecall.rules.aws_auth_unrecognized_key_test

import data.rolecall.lib.testing
import data.rolecall.rules.aws_auth_unrecognized_key as rule

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

_key(entry_id, key) := {"id": sprintf("%s/key/%s", [entry_id, key]), "key": key}

_input(keys, roles, users) := {"aws_auth": [{
	"id": _auth_id, "cluster": "prod", "kind": "configmap", "authentication_mode": "CONFIG_MAP",
	"sections": [], "unrecognized_keys": keys,
	"map_roles": roles, "map_users": users, "map_accounts": [],
}]}

test_fires_when_data_key_has_the_wrong_case if {
	# D1.2 "lower-case-top-keys".
	got := rule.deny with input as _input([{"id": "awsauth:prod/mapusers", "key": "mapusers"}], [], [])
	testing.assert_one_with(got, "awsauth:prod/mapusers", _auth_id)
	some f in got
	f.msg == `data key "mapusers" of the aws-auth ConfigMap of cluster prod is not read by the authenticator (it reads only mapRoles, mapUsers and mapAccounts, case-sensitively), so everything under it is silently ignored; it was probably meant to be "mapUsers"`
}

test_fires_on_misspelled_rolearn_and_says_the_entry_is_dropped if {
	id := "awsauth:prod/mapRoles/0"
	e := _entry("mapRoles", 0, {
		"unknown_keys": [_key(id, "rolArn")], "groups": ["deployers"],
		"invalid": "one of rolearn or sso must be supplied",
	})
	got := rule.deny with input as _input([], [e], [])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0/key/rolArn", _auth_id)
	some f in got
	contains(f.msg, `mapRoles entry 0 of the aws-auth ConfigMap of cluster prod has key "rolArn"`)
	contains(f.msg, `probably meant to be "rolearn" (without it the entry has no rolearn and is dropped: one of rolearn or sso must be supplied)`)
}

test_fires_once_per_key_with_specific_suggestions if {
	id := "awsauth:prod/mapUsers/0"
	e := _entry("mapUsers", 0, {
		"arn": "arn:aws:iam::111122223333:user/alice", "arn_kind": "user",
		"unknown_keys": [_key(id, "group"), _key(id, "user_name"), _key(id, "comment")],
	})
	got := rule.deny with input as _input([], [], [e])
	testing.assert_count(got, 3)
	some g in got
	g.cause == ["awsauth:prod/mapUsers/0/key/group"]
	contains(g.msg, `probably meant to be "groups" (without it the entry authenticates with no groups)`)
	some u in got
	contains(u.msg, `key "user_name"`)
	contains(u.msg, `probably meant to be "username"`)
	some c in got
	contains(c.msg, `key "comment", which the authenticator does not read, so its value is silently ignored`)
	not contains(c.msg, "probably")
}

test_quiet_when_keys_differ_only_in_case_inside_entries if {
	# D1.5: entry keys are matched case-insensitively, so `roleARN`/`Groups` are read (Go lists
	# no unknown key); only data keys are case-sensitive.
	e := _entry("mapRoles", 0, {"arn": "arn:aws:iam::111122223333:role/ops", "arn_kind": "role", "groups": ["ops"]})
	testing.assert_empty(rule.deny) with input as _input([], [e], [])
}

test_quiet_when_cluster_is_in_api_mode if {
	doc := _input([{"id": "awsauth:prod/mapusers", "key": "mapusers"}], [], [])
	testing.assert_empty(rule.deny) with input as {"aws_auth": [object.union(doc.aws_auth[0], {"authentication_mode": "API"})]}
}

test_suggests_the_section_for_misspelled_data_keys if {
	got := rule.deny with input as _input([{"id": "awsauth:prod/MaPrCcOuNtS", "key": "MaPrCcOuNtS"}], [], [])
	some f in got
	endswith(f.msg, `probably meant to be "mapAccounts"`)
}
