package rolecall.rules.aws_auth_malformed_test

import data.rolecall.lib.testing
import data.rolecall.rules.aws_auth_malformed as rule

_input(kind, cluster, sections) := {"aws_auth": [{
	"id": "awsauth:prod", "cluster": cluster, "kind": kind, "authentication_mode": "CONFIG_MAP",
	"sections": sections, "unrecognized_keys": [],
	"map_roles": [], "map_users": [], "map_accounts": [],
}]}

_bad_roles := {
	"id": "awsauth:prod/mapRoles", "name": "mapRoles",
	"error": "mapRoles does not parse as YAML: line 5: did not find expected key",
}

test_fires_when_map_roles_does_not_parse if {
	# X35: an unquoted {{SessionName}} kills the whole mapRoles section.
	got := rule.deny with input as _input("configmap", "prod", [
		_bad_roles,
		{"id": "awsauth:prod/mapUsers", "name": "mapUsers", "error": ""},
	])
	testing.assert_one_with(got, "awsauth:prod/mapRoles", "awsauth:prod")
	some f in got
	f.msg == concat("", [
		"mapRoles of the aws-auth ConfigMap of cluster prod does not parse, so the authenticator ",
		"drops the whole section, node role mappings included: nodes stop authenticating and ",
		"every role mapped there loses access (mapRoles does not parse as YAML: line 5: did not find expected key)",
	])
}

test_fires_once_per_broken_section_and_names_other_kinds if {
	got := rule.deny with input as _input("crd", "", [
		_bad_roles,
		{"id": "awsauth:prod/mapAccounts", "name": "mapAccounts", "error": "mapAccounts must be a list of account IDs"},
	])
	testing.assert_count(got, 2)
	every f in got {
		contains(f.msg, "of the IAMIdentityMapping resources does not parse")
	}
}

test_fires_without_repeating_the_parser_consequence if {
	got := rule.deny with input as _input("configmap", "", [{
		"id": "awsauth:prod/mapUsers", "name": "mapUsers",
		"error": "mapUsers does not parse as YAML, so aws-iam-authenticator drops the whole section: line 2: did not find expected '-' indicator",
	}])
	some f in got
	f.msg == "mapUsers of the aws-auth ConfigMap does not parse, so the authenticator drops the whole section, and every IAM user mapped there loses access (mapUsers does not parse as YAML: line 2: did not find expected '-' indicator)"
}

test_quiet_when_sections_parse if {
	# Entry-level problems (type errors, invalid entries) are aws-auth-malformed-entry's.
	testing.assert_empty(rule.deny) with input as _input("configmap", "prod", [
		{"id": "awsauth:prod/mapRoles", "name": "mapRoles", "error": ""},
		{"id": "awsauth:prod/mapUsers", "name": "mapUsers", "error": ""},
	])
}

test_quiet_when_cluster_is_in_api_mode if {
	doc := _input("configmap", "prod", [_bad_roles])
	api := {"aws_auth": [object.union(doc.aws_auth[0], {"authentication_mode": "API"})]}
	testing.assert_empty(rule.deny) with input as api
}
