package rolecall.rules.aws_auth_map_accounts_test

import data.rolecall.lib.testing
import data.rolecall.rules.aws_auth_map_accounts as rule

_input(sections, accounts) := {
	"known_accounts": ["111122223333"],
	"aws_auth": [{
		"id": "awsauth:prod", "cluster": "prod", "kind": "configmap", "authentication_mode": "CONFIG_MAP",
		"sections": sections, "unrecognized_keys": [],
		"map_roles": [], "map_users": [], "map_accounts": accounts,
	}],
}

test_fires_once_per_listed_account if {
	# X39.
	got := rule.deny with input as _input(
		[{"id": "awsauth:prod/mapAccounts", "name": "mapAccounts", "error": ""}],
		[
			{"id": "awsauth:prod/mapAccounts/0", "account": "111122223333"},
			{"id": "awsauth:prod/mapAccounts/1", "account": "444455556666"},
		],
	)
	testing.assert_count(got, 2)
	{
		"cause": ["awsauth:prod/mapAccounts/0"],
		"target": "awsauth:prod",
		"msg": "mapAccounts of the aws-auth ConfigMap of cluster prod lists account 111122223333: every IAM user and role of that account authenticates to the cluster as its own ARN (no groups) and gets whatever RBAC grants those usernames or system:authenticated",
	} in got
	some f in got
	f.cause == ["awsauth:prod/mapAccounts/1"]
	contains(f.msg, "444455556666 (not one of the known accounts)")
}

test_quiet_when_map_accounts_is_present_but_empty if {
	# `mapAccounts: ""` or `[]` is skipped by the authenticator (D1.4): nothing is auto-mapped.
	testing.assert_empty(rule.deny) with input as _input(
		[{"id": "awsauth:prod/mapAccounts", "name": "mapAccounts", "error": ""}],
		[],
	)
}
