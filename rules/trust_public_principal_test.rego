package rolecall.rules.trust_public_principal_test

import data.rolecall.lib.testing
import data.rolecall.rules.trust_public_principal

_role := "arn:aws:iam::111122223333:role/app"

_sid(i) := sprintf("%s#trust/%d", [_role, i])

_star_id := concat("", [_sid(0), "/principal/aws/0"])

_star := {"id": _star_id, "value": "*", "kind": "star", "account": ""}

_stmt(i, fields) := object.union(
	{
		"id": _sid(i),
		"index": i,
		"sid": "",
		"effect": "Allow",
		"not_principal": false,
		"not_action": false,
		"principal_star": true,
		"principals": {"aws": [_star], "federated": [], "service": [], "canonical_user": []},
		"actions": ["sts:AssumeRole"],
		"assume_actions": ["sts:AssumeRole"],
		"action_wildcard": false,
		"conditions": [],
		"web_identity": [],
		"unreachable": [],
		"wildcard_in_equals": [],
		"set_operator_on_single_value": [],
	},
	fields,
)

_cond(i, op, base, key, values, fields) := object.union(
	{
		"id": sprintf("%s/condition/%s/%s", [_sid(i), op, key]),
		"operator": op,
		"base": base,
		"qualifier": "",
		"if_exists": false,
		"negated": false,
		"key": key,
		"key_lower": lower(key),
		"values": values,
	},
	fields,
)

_input(stmts) := {
	"known_accounts": ["111122223333"],
	"roles": [{
		"id": _role,
		"arn": _role,
		"name": "app",
		"account": "111122223333",
		"workload": false,
		"trust": {"id": concat("", [_role, "#trust"]), "version": "2012-10-17", "issues": [], "statements": stmts},
	}],
}

test_fires_when_aws_star_has_no_condition if {
	findings := trust_public_principal.deny with input as _input([_stmt(0, {})])
	findings == {{
		"cause": [_star_id],
		"target": _role,
		"msg": concat("", [
			"any AWS principal can assume arn:aws:iam::111122223333:role/app: statement 0 allows sts:AssumeRole ",
			"to Principal \"*\" with no condition on aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount, ",
			"aws:PrincipalArn, aws:SourceAccount, aws:SourceArn or aws:SourceOrgID",
		]),
	}}
}

test_fires_when_org_condition_is_if_exists if {
	c := _cond(0, "StringEqualsIfExists", "StringEquals", "aws:PrincipalOrgID", ["o-a1b2c3d4e5"], {"if_exists": true})
	findings := trust_public_principal.deny with input as _input([_stmt(0, {"conditions": [c]})])
	testing.assert_one_with(findings, _star_id, _role)
}

test_fires_when_principal_arn_pattern_wildcards_the_account if {
	c := _cond(0, "ArnLike", "ArnLike", "aws:PrincipalArn", ["arn:aws:iam::*:role/ci-deploy"], {})
	findings := trust_public_principal.deny with input as _input([_stmt(0, {"conditions": [c]})])
	testing.assert_one_with(findings, _star_id, _role)
}

test_fires_when_not_principal_allows_everyone_else if {
	s := _stmt(0, {
		"not_principal": true,
		"principal_star": false,
		"principals": {"aws": [{"id": "p", "value": "arn:aws:iam::111122223333:user/bob", "kind": "user", "account": "111122223333"}]},
	})
	findings := trust_public_principal.deny with input as _input([s])
	testing.assert_one_with(findings, _sid(0), _role)
	some f in findings
	contains(f.msg, "NotPrincipal")
}

test_fires_when_set_qualified_account_condition if {
	c := _cond(0, "ForAnyValue:StringEquals", "StringEquals", "aws:PrincipalAccount", ["111122223333"], {"qualifier": "ForAnyValue"})
	findings := trust_public_principal.deny with input as _input([_stmt(0, {"conditions": [c]})])
	testing.assert_count(findings, 1)
}

# X28: the key name is case-insensitive; ArnLike on aws:PrincipalArn pinned to one account fences.
test_quiet_when_principal_arn_fenced_in_upper_case if {
	c := _cond(0, "ArnLike", "ArnLike", "AWS:PRINCIPALARN", ["arn:aws:iam::111122223333:role/ci-*"], {})
	findings := trust_public_principal.deny with input as _input([_stmt(0, {"conditions": [c]})])
	testing.assert_empty(findings)
}

test_quiet_when_org_id_pinned if {
	c := _cond(0, "StringEquals", "StringEquals", "aws:PrincipalOrgID", ["o-a1b2c3d4e5"], {})
	findings := trust_public_principal.deny with input as _input([_stmt(0, {"conditions": [c]})])
	testing.assert_empty(findings)
}

# X6: a Deny for everyone outside one principal ARN fences the Allow as well.
test_quiet_when_deny_statement_fences_the_caller if {
	c := _cond(1, "StringNotEquals", "StringEquals", "aws:PrincipalArn", ["arn:aws:iam::111122223333:role/Ops"], {"negated": true})
	d := _stmt(1, {"effect": "Deny", "conditions": [c]})
	findings := trust_public_principal.deny with input as _input([_stmt(0, {}), d])
	testing.assert_empty(findings)
}

test_quiet_when_not_principal_is_star if {
	s := _stmt(0, {"not_principal": true})
	findings := trust_public_principal.deny with input as _input([s])
	testing.assert_empty(findings)
}

test_quiet_when_star_only_in_deny if {
	findings := trust_public_principal.deny with input as _input([_stmt(0, {"effect": "Deny"})])
	testing.assert_empty(findings)
}
