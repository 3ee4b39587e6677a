package rolecall.rules.nodegroup_addon_policies_test

import data.rolecall.lib.testing
import data.rolecall.rules.nodegroup_addon_policies as rule

_ng := "eks:prod/nodegroup/workers"

_input(policies) := {"node_groups": [{"id": _ng, "cluster": "prod", "name": "workers", "addon_policies": policies}]}

test_fires_once_per_addon_policy if {
	got := rule.deny with input as _input([
		{"id": concat("", [_ng, "/addon-policy/autoScaler"]), "name": "autoScaler"},
		{"id": concat("", [_ng, "/addon-policy/externalDNS"]), "name": "externalDNS"},
	])
	testing.assert_count(got, 2)
	{
		"cause": [concat("", [_ng, "/addon-policy/autoScaler"])],
		"target": _ng,
		"msg": "node group workers of cluster prod gives its node role the autoScaler add-on permissions (iam.withAddonPolicies.autoScaler): every pod on its nodes that reaches the instance metadata service can use them; grant them to the controller's ServiceAccount with IRSA or Pod Identity instead",
	} in got
	some f in got
	f.cause == [concat("", [_ng, "/addon-policy/externalDNS"])]
}

# A node group whose withAddonPolicies switches are all false (or absent) has no add-on
# policies: its node role keeps only the node permissions.
test_quiet_when_no_addon_policy_is_enabled if {
	testing.assert_empty(rule.deny) with input as _input([])
}

test_quiet_without_node_groups if {
	testing.assert_empty(rule.deny) with input as {"node_groups": []}
}
