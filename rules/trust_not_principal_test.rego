package rolecall.rules.trust_not_principal_test

import data.rolecall.lib.testing
import data.rolecall.rules.trust_not_principal

_role := "arn:aws:iam::111122223333:role/app"

_sid := concat("", [_role, "#trust/0"])

_stmt(effect, not_principal) := {
	"id": _sid,
	"index": 0,
	"sid": "",
	"effect": effect,
	"not_principal": not_principal,
	"principal_star": false,
	"principals": {
		"aws": [{"id": concat("", [_sid, "/principal/aws/0"]), "value": "arn:aws:iam::111122223333:user/bob", "kind": "user", "account": "111122223333"}],
		"federated": [],
		"service": [],
		"canonical_user": [],
	},
	"actions": ["sts:AssumeRole"],
	"assume_actions": ["sts:AssumeRole"],
	"action_wildcard": false,
	"conditions": [],
}

_input(stmt) := {"roles": [{
	"id": _role,
	"arn": _role,
	"name": "app",
	"account": "111122223333",
	"workload": false,
	"trust": {"id": concat("", [_role, "#trust"]), "version": "2012-10-17", "issues": [], "statements": [stmt]},
}]}

test_fires_when_allow_uses_not_principal if {
	findings := trust_not_principal.deny with input as _input(_stmt("Allow", true))
	findings == {{
		"cause": [_sid],
		"target": _role,
		"msg": concat("", [
			"statement 0 of arn:aws:iam::111122223333:role/app is an Allow with NotPrincipal: it grants every principal ",
			"except arn:aws:iam::111122223333:user/bob; IAM rejects NotPrincipal in trust policies, name the allowed ",
			"principals in Principal instead",
		]),
	}}
}

# A Deny with NotPrincipal does not grant anything (it is trust-policy-invalid's business).
test_quiet_when_not_principal_is_in_a_deny if {
	findings := trust_not_principal.deny with input as _input(_stmt("Deny", true))
	testing.assert_empty(findings)
}

test_quiet_when_allow_uses_principal if {
	findings := trust_not_principal.deny with input as _input(_stmt("Allow", false))
	testing.assert_empty(findings)
}
