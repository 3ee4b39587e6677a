package rolecall.rules.auth_mode_config_map_test

import data.rolecall.lib.testing
import data.rolecall.rules.auth_mode_config_map as rule

_cluster(mode, described) := {
	"id": "eks:prod", "name": "prod", "arn": "arn:aws:eks:us-east-1:111122223333:cluster/prod",
	"account": "111122223333", "provider_host": "", "authentication_mode": mode,
	"described": described, "complete": false,
}

test_fires_when_cluster_is_in_config_map_mode if {
	got := rule.deny with input as {"clusters": [_cluster("CONFIG_MAP", true)]}
	testing.assert_one_with(got, "eks:prod", "eks:prod")
	some f in got
	startswith(f.msg, "cluster prod uses authentication mode CONFIG_MAP")
}

test_quiet_when_cluster_is_in_api_and_config_map_mode if {
	testing.assert_empty(rule.deny) with input as {"clusters": [_cluster("API_AND_CONFIG_MAP", true)]}
}

test_quiet_when_cluster_was_not_described if {
	# Only named by manifests: the mode is unknown, not CONFIG_MAP.
	testing.assert_empty(rule.deny) with input as {"clusters": [_cluster("", false)]}
}
