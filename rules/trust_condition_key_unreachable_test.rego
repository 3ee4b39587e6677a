package rolecall.rules.trust_condition_key_unreachable_test

import data.rolecall.lib.testing
import data.rolecall.rules.trust_condition_key_unreachable

_role := "arn:aws:iam::111122223333:role/app"

_sid := concat("", [_role, "#trust/0"])

_prov_a := "oidc.eks.us-east-1.amazonaws.com/id/AAAA0000AAAA0000AAAA0000AAAA0000"

_prov_b := "oidc.eks.us-east-1.amazonaws.com/id/BBBB1111BBBB1111BBBB1111BBBB1111"

_cid := concat("", [_sid, "/condition/0"])

_cond(op, key, negated, if_exists) := {
	"id": _cid,
	"operator": op,
	"base": "StringEquals",
	"qualifier": "",
	"if_exists": if_exists,
	"negated": negated,
	"key": key,
	"key_lower": lower(key),
	"values": ["system:serviceaccount:payments:api"],
}

_stmt(effect, cond, unreachable) := {
	"id": _sid,
	"index": 0,
	"sid": "",
	"effect": effect,
	"not_principal": false,
	"principal_star": false,
	"principals": {"federated": [{
		"id": concat("", [_sid, "/principal/federated/0"]),
		"value": concat("", ["arn:aws:iam::111122223333:oidc-provider/", _prov_a]),
		"kind": "oidc-provider",
		"account": "111122223333",
	}]},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"assume_actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": [cond],
	"unreachable": unreachable,
}

_other_provider(fails_open) := {
	"condition": _cid,
	"key": concat("", [_prov_b, ":sub"]),
	"reason": concat("", ["the statement trusts only ", _prov_a, "; tokens never carry ", _prov_b, " keys"]),
	"fails_open": fails_open,
}

_input(stmt) := {"roles": [{
	"id": _role,
	"arn": _role,
	"name": "app",
	"account": "111122223333",
	"workload": true,
	"trust": {"id": concat("", [_role, "#trust"]), "version": "2012-10-17", "issues": [], "statements": [stmt]},
}]}

# X16(a): a positive condition on another provider's key fails closed.
test_fires_when_sub_keyed_on_another_provider if {
	c := _cond("StringEquals", concat("", [_prov_b, ":sub"]), false, false)
	findings := trust_condition_key_unreachable.deny with input as _input(_stmt("Allow", c, [_other_provider(false)]))
	findings == {{
		"cause": [_cid],
		"target": _role,
		"msg": concat("", [
			"condition StringEquals ", _prov_b, ":sub in statement 0 of arn:aws:iam::111122223333:role/app tests ",
			_prov_b, ":sub, which is never present for its callers (the statement trusts only ", _prov_a,
			"; tokens never carry ", _prov_b, " keys): the condition is always false, so the statement never ",
			"matches and grants nothing",
		]),
	}}
}

# X16(b): the IfExists variant fails open.
test_fires_when_if_exists_on_another_provider_fails_open if {
	c := _cond("StringEqualsIfExists", concat("", [_prov_b, ":sub"]), false, true)
	findings := trust_condition_key_unreachable.deny with input as _input(_stmt("Allow", c, [_other_provider(true)]))
	testing.assert_one_with(findings, _cid, _role)
	some f in findings
	contains(f.msg, "the Allow is not restricted by it")
}

test_fires_once_per_condition_with_several_reasons if {
	c := _cond("StringEquals", concat("", [_prov_b, ":sub"]), false, false)
	second := object.union(_other_provider(false), {"reason": "a second reason"})
	findings := trust_condition_key_unreachable.deny with input as _input(_stmt("Allow", c, [_other_provider(false), second]))
	testing.assert_count(findings, 1)
}

# The right provider's key: Go finds nothing unreachable even though the text looks alike.
test_quiet_when_condition_uses_the_trusted_provider if {
	c := _cond("StringEquals", concat("", [_prov_a, ":sub"]), false, false)
	findings := trust_condition_key_unreachable.deny with input as _input(_stmt("Allow", c, []))
	testing.assert_empty(findings)
}

test_quiet_when_unreachable_is_null if {
	c := _cond("StringEquals", concat("", [_prov_a, ":sub"]), false, false)
	findings := trust_condition_key_unreachable.deny with input as _input(_stmt("Allow", c, null))
	testing.assert_empty(findings)
}
