package rolecall.rules.federation_missing_sub_test

import data.rolecall.lib.testing
import data.rolecall.rules.federation_missing_sub

_role := "arn:aws:iam::111122223333:role/app"

_stmt_id := concat("", [_role, "#trust/0"])

_wi_id := concat("", [_stmt_id, "/principal/federated/0"])

_sub_cond := concat("", [_stmt_id, "/condition/0"])

_aud_cond := concat("", [_stmt_id, "/condition/1"])

_host := "gitlab.com"

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
		"kind": "other",
		"account": "111122223333",
		"registered": true,
		"clusters": [],
		"never_matches": false,
		"sub": _claim({"conditions": [_sub_cond], "admits": [{"condition": _sub_cond, "value": "project_path:mygroup/myproject:ref_type:branch:ref:main", "like": false}]}),
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

test_fires_when_sub_condition_missing if {
	findings := federation_missing_sub.deny with input as _input(_wi({"sub": _claim({"restricted": false})}))
	testing.assert_one_with(findings, _wi_id, _role)
	some f in findings
	f.cause == [_wi_id]
	contains(f.msg, "any identity of issuer gitlab.com can assume arn:aws:iam::111122223333:role/app")
}

test_quiet_when_sub_pinned if {
	findings := federation_missing_sub.deny with input as _input(_wi({}))
	testing.assert_empty(findings)
}

# GitHub has its own rule (RC151); this one covers the other issuers only.
test_quiet_when_provider_is_github if {
	findings := federation_missing_sub.deny with input as _input(_wi({"kind": "github", "sub": _claim({"restricted": false})}))
	testing.assert_empty(findings)
}
