package rolecall.rules.access_entry_cluster_admin_test

import data.rolecall.lib.testing
import data.rolecall.rules.access_entry_cluster_admin as rule

_ae_id := "eks:prod/accessentry/arn:aws:iam::111122223333:role/ops"

_policy(name, scope, namespaces) := {
	"id": sprintf("%s/policy/arn:aws:eks::aws:cluster-access-policy/%s", [_ae_id, name]),
	"policy_arn": sprintf("arn:aws:eks::aws:cluster-access-policy/%s", [name]),
	"name": name, "scope_type": scope, "namespaces": namespaces,
}

_input(policies) := {"access_entries": [{
	"id": _ae_id, "cluster": "prod", "principal_arn": "arn:aws:iam::111122223333:role/ops",
	"principal_kind": "role", "type": "STANDARD", "username": "", "kubernetes_groups": [],
	"policies": policies,
}]}

test_fires_when_cluster_admin_policy_at_cluster_scope if {
	p := _policy("AmazonEKSClusterAdminPolicy", "cluster", [])
	got := rule.deny with input as _input([_policy("AmazonEKSViewPolicy", "cluster", []), p])
	testing.assert_one_with(got, p.id, _ae_id)
	some f in got
	contains(f.msg, "access entry for arn:aws:iam::111122223333:role/ops in cluster prod has AmazonEKSClusterAdminPolicy at cluster scope")
}

test_quiet_when_cluster_admin_policy_is_namespace_scoped if {
	testing.assert_empty(rule.deny) with input as _input([_policy("AmazonEKSClusterAdminPolicy", "namespace", ["payments"])])
}

test_quiet_when_admin_policy_is_not_cluster_admin if {
	# AmazonEKSAdminPolicy at cluster scope is broad but not `*` on `*`.
	testing.assert_empty(rule.deny) with input as _input([_policy("AmazonEKSAdminPolicy", "cluster", [])])
}
