package rolecall.rules.irsa_missing_aud_test

import data.rolecall.lib.testing
import data.rolecall.rules.irsa_missing_aud

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

test_fires_when_aud_condition_missing if {
	findings := irsa_missing_aud.deny with input as _input(_wi({"aud": _claim({"restricted": false})}))
	testing.assert_one_with(findings, _wi_id, _role)
	some f in findings
	f.cause == [_wi_id]
	contains(f.msg, "accepts tokens of cluster eks:prod for any audience")
	contains(f.msg, "no condition on oidc.eks.us-east-1.amazonaws.com/id/AAAA0000AAAA0000AAAA0000AAAA0000:aud")
}

# StringLikeIfExists on :aud names the key but restricts nothing when the claim is absent.
test_fires_when_aud_condition_is_if_exists if {
	aud := _claim({"restricted": false, "conditions": [_aud_cond]})
	findings := irsa_missing_aud.deny with input as _input(_wi({"aud": aud}))
	testing.assert_one_with(findings, _wi_id, _role)
	some f in findings
	f.cause == [_wi_id, _aud_cond]
}

test_quiet_when_aud_pinned if {
	findings := irsa_missing_aud.deny with input as _input(_wi({}))
	testing.assert_empty(findings)
}

# A Deny statement for the provider grants nothing; only Allow statements are judged.
test_quiet_when_statement_is_deny if {
	findings := irsa_missing_aud.deny with input as _input_effect(_wi({"aud": _claim({"restricted": false})}), "Deny")
	testing.assert_empty(findings)
}
