package rolecall.rules.access_entry_overrides_aws_auth_test

import data.rolecall.lib.testing
import data.rolecall.rules.access_entry_overrides_aws_auth as rule

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

_ops_entry(index, fields) := _entry("mapRoles", index, object.union(
	{"arn": "arn:aws:iam::111122223333:role/Ops", "arn_kind": "role", "username": "ops", "groups": ["system:masters"]},
	fields,
))

_access_entry(arn) := {
	"id": sprintf("eks:prod/accessentry/%s", [arn]), "cluster": "prod", "principal_arn": arn,
	"principal_kind": "role", "type": "STANDARD", "username": "", "kubernetes_groups": [],
	"policies": [],
}

_input(mode, roles, entries) := {
	"aws_auth": [{
		"id": _auth_id, "cluster": "prod", "kind": "configmap", "authentication_mode": mode,
		"sections": [], "unrecognized_keys": [],
		"map_roles": roles, "map_users": [], "map_accounts": [],
	}],
	"access_entries": entries,
}

# X41: aws-auth says system:masters, the access entry (view only) is what applies.
test_fires_when_access_entry_overrides_mapping if {
	ae := _access_entry("arn:aws:iam::111122223333:role/ops")
	got := rule.deny with input as _input("API_AND_CONFIG_MAP", [_ops_entry(0, {})], [ae])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
	some f in got
	contains(f.msg, "mapRoles entry 0 of the aws-auth ConfigMap of cluster prod maps arn:aws:iam::111122223333:role/Ops (username \"ops\", groups [system:masters])")
	contains(f.msg, "access entry eks:prod/accessentry/arn:aws:iam::111122223333:role/ops for the same principal overrides it")
}

test_fires_when_access_entry_role_arn_has_a_path if {
	# X44: the access entry may carry the role path; the canonical caller ARN (and aws-auth) never does.
	ae := _access_entry("arn:aws:iam::111122223333:role/teams/platform/Ops")
	got := rule.deny with input as _input("API_AND_CONFIG_MAP", [_ops_entry(0, {})], [ae])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
}

test_quiet_when_cluster_is_in_api_mode if {
	# API mode ignores aws-auth altogether: aws-auth-ignored-in-api-mode reports it.
	ae := _access_entry("arn:aws:iam::111122223333:role/Ops")
	testing.assert_empty(rule.deny) with input as _input("API", [_ops_entry(0, {})], [ae])
}

test_quiet_when_overlapping_aws_auth_entry_is_shadowed if {
	# Entry 0 is already dead (entry 1, another principal here for brevity, shadows it).
	ae := _access_entry("arn:aws:iam::111122223333:role/Ops")
	e0 := _ops_entry(0, {"shadowed": "awsauth:prod/mapRoles/1"})
	e1 := _entry("mapRoles", 1, {"arn": "arn:aws:iam::111122223333:role/dev", "arn_kind": "role"})
	testing.assert_empty(rule.deny) with input as _input("API_AND_CONFIG_MAP", [e0, e1], [ae])
}

test_quiet_when_access_entry_names_a_different_role_with_the_same_suffix if {
	ae := _access_entry("arn:aws:iam::111122223333:role/ops-readonly")
	testing.assert_empty(rule.deny) with input as _input("API_AND_CONFIG_MAP", [_ops_entry(0, {})], [ae])
}
