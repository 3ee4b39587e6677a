package rolecall.rules.aws_auth_session_arn_test

import data.rolecall.lib.testing
import data.rolecall.rules.aws_auth_session_arn as rule

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

test_fires_when_session_arn_is_used_as_userarn if {
	u := _entry("mapUsers", 0, {"arn": "arn:aws:sts::111122223333:assumed-role/deployer/ci-run", "arn_kind": "assumed-role"})
	got := rule.deny with input as _input([], [u])
	testing.assert_one_with(got, "awsauth:prod/mapUsers/0", _auth_id)
	some f in got
	f.msg == "mapUsers entry 0 of the aws-auth ConfigMap of cluster prod maps the STS session ARN arn:aws:sts::111122223333:assumed-role/deployer/ci-run: the authenticator matches the canonical role ARN, never a session ARN, so the mapping never applies; map rolearn arn:aws:iam::111122223333:role/deployer under mapRoles"
}

test_fires_when_session_name_is_wildcarded if {
	r := _entry("mapRoles", 0, {"arn": "arn:aws:sts::111122223333:assumed-role/Admin/*", "arn_kind": "assumed-role", "arn_wildcard": true})
	got := rule.deny with input as _input([r], [])
	testing.assert_one_with(got, "awsauth:prod/mapRoles/0", _auth_id)
}

test_quiet_for_role_arns_even_named_like_sessions if {
	r := _entry("mapRoles", 0, {"arn": "arn:aws:iam::111122223333:role/assumed-role-deployer", "arn_kind": "role"})
	fed := _entry("mapUsers", 0, {"arn": "arn:aws:sts::111122223333:federated-user/bob", "arn_kind": "federated-user"})
	testing.assert_empty(rule.deny) with input as _input([r], [fed])
}
