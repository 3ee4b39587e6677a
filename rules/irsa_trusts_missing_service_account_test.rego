package rolecall.rules.irsa_trusts_missing_service_account_test

import data.rolecall.lib.testing
import data.rolecall.rules.irsa_trusts_missing_service_account as rule

_role := "arn:aws:iam::111122223333:role/payments-api"

_stmt_id := concat("", [_role, "#trust/0"])

_cond := concat("", [_stmt_id, "/condition/0"])

_host := "oidc.eks.us-east-1.amazonaws.com/id/AAAA0000AAAA0000AAAA0000AAAA0000"

_sub(admits) := {
	"restricted": true,
	"admits": [{"condition": _cond, "value": v, "like": contains(v, "*")} | some v in admits],
	"excludes": [],
	"conditions": [_cond],
}

_roles(admits) := [{
	"id": _role, "arn": _role, "name": "payments-api", "account": "111122223333", "workload": true,
	"trust": {"id": concat("", [_role, "#trust"]), "statements": [{
		"id": _stmt_id, "index": 0, "sid": "", "effect": "Allow", "not_principal": false,
		"assume_actions": ["sts:AssumeRoleWithWebIdentity"],
		"web_identity": [{
			"id": concat("", [_stmt_id, "/principal/federated/0"]),
			"provider": concat("", ["arn:aws:iam::111122223333:oidc-provider/", _host]),
			"host": _host, "kind": "eks", "account": "111122223333", "registered": true,
			"clusters": ["prod"], "never_matches": false, "sub": _sub(admits),
		}],
	}]},
}]

_sa(ns, name) := {
	"id": sprintf("k8s:prod/serviceaccount/%s/%s", [ns, name]),
	"cluster": "prod", "namespace": ns, "name": name,
	"annotations": [], "irsa": null, "pod_identity": [],
}

# _used_sa is a ServiceAccount of a cluster whose pods were read: used tells whether a pod runs as it.
_used_sa(cluster, ns, name, used) := object.union(_sa(ns, name), {
	"id": sprintf("k8s:%s/serviceaccount/%s/%s", [cluster, ns, name]),
	"cluster": cluster, "used_by_pods": used,
})

_cluster(name, complete, pods_read) := {
	"id": concat("", ["eks:", name]), "name": name, "arn": concat("", ["arn:aws:eks:us-east-1:111122223333:cluster/", name]),
	"account": "111122223333", "provider_host": _host, "authentication_mode": "API_AND_CONFIG_MAP",
	"described": true, "complete": complete, "pods_read": pods_read,
}

_input(admits, complete, sas) := _input_pods(admits, complete, false, sas)

_input_pods(admits, complete, pods_read, sas) := {
	"roles": _roles(admits),
	"clusters": [_cluster("prod", complete, pods_read)],
	"service_accounts": sas,
}

test_fires_when_trusted_serviceaccount_is_absent_from_a_complete_cluster if {
	got := rule.deny with input as _input(["system:serviceaccount:payments:api"], true, [_sa("payments", "worker")])
	testing.assert_one_with(got, _cond, _role)
	some f in got
	contains(f.msg, "arn:aws:iam::111122223333:role/payments-api trusts system:serviceaccount:payments:api of cluster prod (statement 0")
	contains(f.msg, "no such ServiceAccount exists")
}

test_fires_once_listing_every_missing_subject if {
	admits := ["system:serviceaccount:payments:api", "system:serviceaccount:payments:old", "system:serviceaccount:payments:worker"]
	got := rule.deny with input as _input(admits, true, [_sa("payments", "worker")])
	testing.assert_one_with(got, _cond, _role)
	some f in got
	contains(f.msg, "system:serviceaccount:payments:api of cluster prod, system:serviceaccount:payments:old of cluster prod (")
}

test_quiet_when_cluster_inventory_is_not_complete if {
	# Offline manifests: a ServiceAccount missing from the files may well exist.
	testing.assert_empty(rule.deny) with input as _input(["system:serviceaccount:payments:api"], false, [])
}

test_quiet_when_serviceaccount_exists if {
	testing.assert_empty(rule.deny) with input as _input(["system:serviceaccount:payments:api"], true, [_sa("payments", "api")])
}

test_quiet_when_subject_is_a_wildcard if {
	# system:serviceaccount:payments:* names no particular ServiceAccount (irsa-sub-wildcard-name's business).
	testing.assert_empty(rule.deny) with input as _input(["system:serviceaccount:payments:*"], true, [])
}

test_fires_when_trusted_serviceaccount_exists_but_no_pod_uses_it if {
	got := rule.deny with input as _input_pods(["system:serviceaccount:payments:api"], true, true, [_used_sa("prod", "payments", "api", false)])
	testing.assert_one_with(got, _cond, _role)
	some f in got
	f.msg == concat("", [
		"arn:aws:iam::111122223333:role/payments-api trusts system:serviceaccount:payments:api of cluster prod ",
		"(statement 0, provider ", _host, "), which exists but no running pod uses it: the grant is latent; ",
		"remove it if the workload is gone",
	])
}

test_fires_for_unused_serviceaccount_when_only_pods_were_read if {
	# The ServiceAccount exists in the input: whether the list was complete does not matter.
	got := rule.deny with input as _input_pods(["system:serviceaccount:payments:api"], false, true, [_used_sa("prod", "payments", "api", false)])
	testing.assert_one_with(got, _cond, _role)
}

test_fires_once_listing_missing_and_unused_subjects_distinctly if {
	admits := [
		"system:serviceaccount:payments:api", "system:serviceaccount:payments:batch",
		"system:serviceaccount:payments:old", "system:serviceaccount:payments:worker",
	]
	sas := [
		_used_sa("prod", "payments", "api", false), _used_sa("prod", "payments", "batch", false),
		_used_sa("prod", "payments", "worker", true),
	]
	got := rule.deny with input as _input_pods(admits, true, true, sas)
	testing.assert_one_with(got, _cond, _role)
	some f in got
	contains(f.msg, "trusts system:serviceaccount:payments:old of cluster prod (statement 0, provider ")
	contains(f.msg, "no such ServiceAccount exists in the cluster")
	contains(f.msg, concat("", [
		"It also trusts system:serviceaccount:payments:api of cluster prod, system:serviceaccount:payments:batch of cluster prod, ",
		"each of which exists but no running pod uses it: the grant is latent; remove them if the workloads are gone",
	]))
	not contains(f.msg, "payments:worker")
}

test_quiet_when_a_pod_runs_as_the_serviceaccount if {
	testing.assert_empty(rule.deny) with input as _input_pods(["system:serviceaccount:payments:api"], true, true, [_used_sa("prod", "payments", "api", true)])
}

test_quiet_when_pods_were_not_read if {
	# used_by_pods is false because nothing was read, not because no pod uses it.
	testing.assert_empty(rule.deny) with input as _input_pods(["system:serviceaccount:payments:api"], true, false, [_used_sa("prod", "payments", "api", false)])
}

test_quiet_when_the_unused_serviceaccount_is_in_a_cluster_the_provider_does_not_serve if {
	# staging's payments/api is unused, but the trust names prod's provider, where a pod uses it.
	inp := {
		"roles": _roles(["system:serviceaccount:payments:api"]),
		"clusters": [_cluster("prod", true, true), _cluster("staging", true, true)],
		"service_accounts": [_used_sa("prod", "payments", "api", true), _used_sa("staging", "payments", "api", false)],
	}
	testing.assert_empty(rule.deny) with input as inp
}
