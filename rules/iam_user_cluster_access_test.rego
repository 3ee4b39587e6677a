package rolecall.rules.iam_user_cluster_access_test

import data.rolecall.lib.testing
import data.rolecall.rules.iam_user_cluster_access as rule

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

_input(roles, users, entries) := {
	"aws_auth": [{
		"id": _auth_id, "cluster": "prod", "kind": "configmap", "authentication_mode": "API_AND_CONFIG_MAP",
		"sections": [], "unrecognized_keys": [],
		"map_roles": roles, "map_users": users, "map_accounts": [],
	}],
	"access_entries": entries,
}

_alice := {"arn": "arn:aws:iam::111122223333:user/alice", "arn_kind": "user", "username": "alice", "groups": ["view"]}

_access_entry(kind, arn) := {
	"id": sprintf("eks:prod/accessentry/%s", [arn]), "cluster": "prod",
	"principal_arn": arn, "principal_kind": kind, "type": "STANDARD",
	"username": "", "kubernetes_groups": [], "policies": [],
}

test_fires_for_map_users_entry if {
	got := rule.deny with input as _input([], [_entry("mapUsers", 0, _alice)], [])
	testing.assert_one_with(got, "awsauth:prod/mapUsers/0", _auth_id)
	some f in got
	f.msg == "mapUsers entry 0 of the aws-auth ConfigMap of cluster prod gives IAM user arn:aws:iam::111122223333:user/alice cluster access (groups [view]): its long-lived credentials authenticate to Kubernetes; map a role instead"
}

test_fires_for_user_arn_under_map_roles if {
	# X40.
	got := rule.deny with input as _input([_entry("mapRoles", 0, _alice)], [], [])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
}

test_fires_for_user_access_entry if {
	ae := _access_entry("user", "arn:aws:iam::111122223333:user/bob")
	got := rule.deny with input as _input([], [], [ae, _access_entry("role", "arn:aws:iam::111122223333:role/ops")])
	testing.assert_one_with(got, ae.id, ae.id)
	some f in got
	contains(f.msg, "IAM user arn:aws:iam::111122223333:user/bob access to cluster prod")
}

test_quiet_for_role_arn_under_map_users if {
	# D5.2: a role ARN in mapUsers matches the role; no IAM user is involved.
	r := _entry("mapUsers", 0, {"arn": "arn:aws:iam::111122223333:role/ops", "arn_kind": "role"})
	testing.assert_empty(rule.deny) with input as _input([], [r], [])
}

test_quiet_for_dropped_or_overridden_user_entries if {
	dropped := _entry("mapUsers", 0, {"arn": "", "invalid": "value for userarn must be supplied"})
	shadowed := _entry("mapUsers", 1, object.union(_alice, {"shadowed": "awsauth:prod/mapUsers/2"}))
	winner := _entry("mapUsers", 2, _alice)
	got := rule.deny with input as _input([], [dropped, shadowed, winner], [])
	testing.assert_one_with(got, "awsauth:prod/mapUsers/2", _auth_id)
}
