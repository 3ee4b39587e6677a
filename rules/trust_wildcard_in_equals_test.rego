package rolecall.rules.trust_wildcard_in_equals_test

import data.rolecall.lib.testing
import data.rolecall.rules.trust_wildcard_in_equals

_role := "arn:aws:iam::111122223333:role/app"

_sid := concat("", [_role, "#trust/0"])

_prov := "oidc.eks.us-east-1.amazonaws.com/id/AAAA0000AAAA0000AAAA0000AAAA0000"

_cid := concat("", [_sid, "/condition/0"])

_cond(op, base, negated, values) := {
	"id": _cid,
	"operator": op,
	"base": base,
	"qualifier": "",
	"if_exists": false,
	"negated": negated,
	"key": concat("", [_prov, ":sub"]),
	"key_lower": concat("", [_prov, ":sub"]),
	"values": values,
}

_stmt(cond, flagged) := {
	"id": _sid,
	"index": 0,
	"sid": "",
	"effect": "Allow",
	"not_principal": false,
	"principal_star": false,
	"principals": {"federated": []},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"assume_actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": [cond],
	"wildcard_in_equals": [{"condition": _cid, "value": v} | some v in flagged],
}

_input(stmt) := {"roles": [{
	"id": _role,
	"arn": _role,
	"name": "app",
	"account": "111122223333",
	"workload": true,
	"trust": {"id": concat("", [_role, "#trust"]), "version": "2012-10-17", "issues": [], "statements": [stmt]},
}]}

# X13
test_fires_when_string_equals_has_star if {
	c := _cond("StringEquals", "StringEquals", false, ["system:serviceaccount:payments:*"])
	findings := trust_wildcard_in_equals.deny with input as _input(_stmt(c, c.values))
	findings == {{
		"cause": [_cid],
		"target": _role,
		"msg": concat("", [
			"condition StringEquals ", _prov, ":sub in statement 0 of arn:aws:iam::111122223333:role/app compares ",
			"\"system:serviceaccount:payments:*\" literally: the wildcard is not a pattern, so it never matches the ",
			"values the author meant; use StringLike",
		]),
	}}
}

test_fires_once_per_condition_with_several_values if {
	c := _cond("StringNotEquals", "StringEquals", true, ["system:serviceaccount:kube-system:*", "system:serviceaccount:?"])
	findings := trust_wildcard_in_equals.deny with input as _input(_stmt(c, c.values))
	testing.assert_one_with(findings, _cid, _role)
	some f in findings
	contains(f.msg, "use StringNotLike")
}

# StringLike with the same value is a real pattern; Go flags only the Equals family.
test_quiet_when_string_like_has_star if {
	c := _cond("StringLike", "StringLike", false, ["system:serviceaccount:payments:*"])
	findings := trust_wildcard_in_equals.deny with input as _input(_stmt(c, []))
	testing.assert_empty(findings)
}
