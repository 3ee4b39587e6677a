package rolecall.rules.aws_auth_ignored_in_api_mode_test

import data.rolecall.lib.testing
import data.rolecall.rules.aws_auth_ignored_in_api_mode as rule

_entry := {
	"id": "awsauth:prod/mapRoles/0", "section": "mapRoles", "index": 0,
	"arn": "arn:aws:iam::111122223333:role/ops", "username": "ops", "groups": ["system:masters"],
	"sso": false, "arn_kind": "role", "arn_path": "", "arn_wildcard": false, "type_errors": [],
	"unknown_keys": [], "invalid": "", "shadowed": "", "node_role": false, "role_loaded": false,
}

_input(mode) := {"aws_auth": [{
	"id": "awsauth:prod", "cluster": "prod", "kind": "configmap", "authentication_mode": mode,
	"sections": [], "unrecognized_keys": [], "map_roles": [_entry], "map_users": [], "map_accounts": [],
}]}

# X42: in API mode aws-auth's system:masters mapping authenticates nobody.
test_fires_when_cluster_is_in_api_mode if {
	got := rule.deny with input as _input("API")
	testing.assert_one_with(got, "awsauth:prod", "awsauth:prod")
	some f in got
	contains(f.msg, "the aws-auth ConfigMap exists but cluster prod is in API authentication mode: none of its 1 mapRoles and 0 mapUsers entries applies")
}

test_quiet_when_cluster_is_in_api_and_config_map_mode if {
	testing.assert_empty(rule.deny) with input as _input("API_AND_CONFIG_MAP")
}

test_quiet_when_cluster_mode_is_unknown if {
	testing.assert_empty(rule.deny) with input as _input("")
}
