package rolecall.rules.irsa_sub_wildcard_namespace_test

import data.rolecall.lib.testing
import data.rolecall.rules.irsa_sub_wildcard_namespace

_role := "arn:aws:iam::111122223333:role/app"

_stmt_id := concat("", [_role, "#trust/0"])

_wi_id := concat("", [_stmt_id, "/principal/federated/0"])

_sub_cond := concat("", [_stmt_id, "/condition/0"])

_aud_cond := concat("", [_stmt_id, "/condition/1"])

_host := "oidc.eks.us-east-1.amazonaws.com/id/AAAA0000AAAA0000AAAA0000AAAA0000"

_claim(o) := object.union(
	{
		"restricted": true,
		"admits": [],
		"excludes": [],
		"conditions": [],
		"any_namespace": false,
		"any_name": false,
		"namespaces": [],
		"any_repo": false,
		"any_ref": false,
		"pull_request": false,
		"wildcard": false,
		"default_service_account": false,
	},
	o,
)

_wi(o) := object.union(
	{
		"id": _wi_id,
		"provider": concat("", ["arn:aws:iam::111122223333:oidc-provider/", _host]),
		"host": _host,
		"kind": "eks",
		"account": "111122223333",
		"registered": true,
		"clusters": ["eks:prod"],
		"never_matches": false,
		"sub": _claim({"conditions": [_sub_cond], "admits": [{"condition": _sub_cond, "value": "system:serviceaccount:payments:api", "like": false}]}),
		"aud": _claim({"conditions": [_aud_cond], "admits": [{"condition": _aud_cond, "value": "sts.amazonaws.com", "like": false}]}),
	},
	o,
)

_input_effect(wi, effect) := {"roles": [{
	"id": _role,
	"arn": _role,
	"name": "app",
	"account": "111122223333",
	"workload": true,
	"trust": {"id": concat("", [_role, "#trust"]), "statements": [{
		"id": _stmt_id,
		"index": 0,
		"sid": "",
		"effect": effect,
		"not_principal": false,
		"assume_actions": ["sts:AssumeRoleWithWebIdentity"],
		"web_identity": [wi],
	}]},
}]}

_input(wi) := _input_effect(wi, "Allow")

test_fires_when_sub_wildcards_the_namespace if {
	sub := _claim({
		"conditions": [_sub_cond],
		"admits": [{"condition": _sub_cond, "value": "system:serviceaccount:*:api", "like": true}],
		"any_namespace": true,
		"wildcard": true,
	})
	findings := irsa_sub_wildcard_namespace.deny with input as _input(_wi({"sub": sub}))
	testing.assert_one_with(findings, _sub_cond, _role)
	some f in findings
	contains(f.msg, "ServiceAccounts of any namespace of cluster eks:prod can assume arn:aws:iam::111122223333:role/app")
	contains(f.msg, `"system:serviceaccount:*:api"`)
}

# The EKS docs' namespace pattern system:serviceaccount:payments:* pins the namespace (RC103).
test_quiet_when_sub_pins_the_namespace if {
	sub := _claim({
		"conditions": [_sub_cond],
		"admits": [{"condition": _sub_cond, "value": "system:serviceaccount:payments:*", "like": true}],
		"any_name": true,
		"namespaces": ["payments"],
		"wildcard": true,
	})
	findings := irsa_sub_wildcard_namespace.deny with input as _input(_wi({"sub": sub}))
	testing.assert_empty(findings)
}

# No effective :sub restriction at all is RC101's finding, not this one.
test_quiet_when_sub_restriction_missing if {
	sub := _claim({"restricted": false, "any_namespace": true})
	findings := irsa_sub_wildcard_namespace.deny with input as _input(_wi({"sub": sub}))
	testing.assert_empty(findings)
}
