package rolecall.rules.trust_set_operator_on_single_value_test

import data.rolecall.lib.testing
import data.rolecall.rules.trust_set_operator_on_single_value

_role := "arn:aws:iam::111122223333:role/app"

_sid := concat("", [_role, "#trust/0"])

_prov := "oidc.eks.us-east-1.amazonaws.com/id/AAAA0000AAAA0000AAAA0000AAAA0000"

_cond(i, qualifier, key) := {
	"id": sprintf("%s/condition/%d", [_sid, i]),
	"operator": concat(":", [qualifier, "StringLike"]),
	"base": "StringLike",
	"qualifier": qualifier,
	"if_exists": false,
	"negated": false,
	"key": key,
	"key_lower": lower(key),
	"values": ["system:serviceaccount:payments:*"],
}

_stmt(conds, flagged) := {
	"id": _sid,
	"index": 0,
	"sid": "",
	"effect": "Allow",
	"not_principal": false,
	"principal_star": false,
	"principals": {"federated": []},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"assume_actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": conds,
	"set_operator_on_single_value": flagged,
}

_input(stmt) := {"roles": [{
	"id": _role,
	"arn": _role,
	"name": "app",
	"account": "111122223333",
	"workload": true,
	"trust": {"id": concat("", [_role, "#trust"]), "version": "2012-10-17", "issues": [], "statements": [stmt]},
}]}

test_fires_when_for_all_values_on_sub if {
	c := _cond(0, "ForAllValues", concat("", [_prov, ":sub"]))
	findings := trust_set_operator_on_single_value.deny with input as _input(_stmt([c], [c.id]))
	findings == {{
		"cause": [c.id],
		"target": _role,
		"msg": concat("", [
			"condition ForAllValues:StringLike ", _prov, ":sub in statement 0 of arn:aws:iam::111122223333:role/app ",
			"applies a set operator to the single-valued key ", _prov, ":sub: ForAllValues is true when the key is ",
			"absent, so callers without it pass; use StringLike",
		]),
	}}
}

test_fires_once_when_condition_listed_twice if {
	c := _cond(0, "ForAnyValue", concat("", [_prov, ":aud"]))
	findings := trust_set_operator_on_single_value.deny with input as _input(_stmt([c], [c.id, c.id]))
	testing.assert_one_with(findings, c.id, _role)
}

# aws:TagKeys is multivalued: a set operator is right there, and Go does not flag it.
test_quiet_when_set_operator_on_multivalued_key if {
	c := _cond(0, "ForAllValues", "aws:TagKeys")
	findings := trust_set_operator_on_single_value.deny with input as _input(_stmt([c], []))
	testing.assert_empty(findings)
}
