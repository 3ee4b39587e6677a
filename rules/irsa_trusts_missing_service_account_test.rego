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

_input(admits, complete, sas) := {
	"roles": _roles(admits),
	"clusters": [{
		"id": "eks:prod", "name": "prod", "arn": "arn:aws:eks:us-east-1:111122223333:cluster/prod",
		"account": "111122223333", "provider_host": _host, "authentication_mode": "API_AND_CONFIG_MAP",
		"described": true, "complete": complete,
	}],
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
