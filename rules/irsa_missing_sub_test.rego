package rolecall.rules.irsa_missing_sub_test

import data.rolecall.lib.testing
import data.rolecall.rules.irsa_missing_sub

_role := "arn:aws:iam::111122223333:role/app"

_stmt_id := concat("", [_role, "#trust/0"])

_wi_id := concat("", [_stmt_id, "/principal/federated/0"])

_host := "oidc.eks.us-east-1.amazonaws.com/id/AAAA0000AAAA0000AAAA0000AAAA0000"

_claim(restricted, conditions) := {
	"restricted": restricted,
	"admits": [],
	"excludes": [],
	"conditions": conditions,
	"any_namespace": false,
	"any_name": false,
	"namespaces": [],
	"wildcard": false,
	"default_service_account": false,
}

_wi(sub, never_matches) := {
	"id": _wi_id,
	"provider": concat("", ["arn:aws:iam::111122223333:oidc-provider/", _host]),
	"host": _host,
	"kind": "eks",
	"account": "111122223333",
	"registered": true,
	"clusters": ["eks:prod"],
	"never_matches": never_matches,
	"sub": sub,
	"aud": _claim(true, [concat("", [_stmt_id, "/condition/0"])]),
}

_input(wi) := {"roles": [{
	"id": _role,
	"arn": _role,
	"name": "app",
	"account": "111122223333",
	"workload": true,
	"trust": {"id": concat("", [_role, "#trust"]), "statements": [{
		"id": _stmt_id,
		"index": 0,
		"sid": "",
		"effect": "Allow",
		"not_principal": false,
		"assume_actions": ["sts:AssumeRoleWithWebIdentity"],
		"web_identity": [wi],
	}]},
}]}

test_fires_when_sub_condition_missing if {
	findings := irsa_missing_sub.deny with input as _input(_wi(_claim(false, []), false))
	testing.assert_one_with(findings, _wi_id, _role)
	some f in findings
	f.cause == [_wi_id]
	contains(f.msg, "any ServiceAccount of cluster eks:prod can assume arn:aws:iam::111122223333:role/app")
	contains(f.msg, "no condition on oidc.eks.us-east-1.amazonaws.com/id/AAAA0000AAAA0000AAAA0000AAAA0000:sub")
}

# X18: StringNotEquals on :sub names the key but admits everything except one subject.
test_fires_when_sub_condition_is_negated if {
	cond := concat("", [_stmt_id, "/condition/1"])
	findings := irsa_missing_sub.deny with input as _input(_wi(_claim(false, [cond]), false))
	testing.assert_one_with(findings, _wi_id, _role)
	some f in findings
	f.cause == [_wi_id, cond]
	contains(f.msg, "do not restrict the subject")
}

test_quiet_when_sub_pinned_to_one_serviceaccount if {
	findings := irsa_missing_sub.deny with input as _input(_wi(_claim(true, [concat("", [_stmt_id, "/condition/1"])]), false))
	testing.assert_empty(findings)
}

# X16(a): a positive :sub condition keyed on another provider fails closed: unusable, not open.
test_quiet_when_statement_never_matches_this_provider if {
	findings := irsa_missing_sub.deny with input as _input(_wi(_claim(false, []), true))
	testing.assert_empty(findings)
}

test_quiet_when_provider_is_not_eks if {
	findings := irsa_missing_sub.deny with input as _input(object.union(_wi(_claim(false, []), false), {"kind": "github"}))
	testing.assert_empty(findings)
}
