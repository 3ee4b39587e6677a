package rolecall.rules.trust_account_root_test

import data.rolecall.lib.testing
import data.rolecall.rules.trust_account_root

_role := "arn:aws:iam::111122223333:role/admin"

_sid := concat("", [_role, "#trust/0"])

_pid := concat("", [_sid, "/principal/aws/0"])

_principal(value, kind, account) := {"id": _pid, "value": value, "kind": kind, "account": account}

_stmt(principal, conditions) := {
	"id": _sid,
	"index": 0,
	"sid": "",
	"effect": "Allow",
	"not_principal": false,
	"principal_star": false,
	"principals": {"aws": [principal], "federated": [], "service": [], "canonical_user": []},
	"actions": ["sts:AssumeRole"],
	"assume_actions": ["sts:AssumeRole"],
	"action_wildcard": false,
	"conditions": conditions,
	"web_identity": [],
	"unreachable": [],
	"wildcard_in_equals": [],
	"set_operator_on_single_value": [],
}

_input(stmt) := {
	"known_accounts": ["111122223333"],
	"roles": [{
		"id": _role,
		"arn": _role,
		"name": "admin",
		"account": "111122223333",
		"workload": false,
		"trust": {"id": concat("", [_role, "#trust"]), "version": "2012-10-17", "issues": [], "statements": [stmt]},
	}],
}

test_fires_when_own_account_root_has_no_condition if {
	p := _principal("arn:aws:iam::111122223333:root", "account", "111122223333")
	findings := trust_account_root.deny with input as _input(_stmt(p, []))
	findings == {{
		"cause": [_pid],
		"target": _role,
		"msg": concat("", [
			"every IAM user and role of account 111122223333 whose identity policy allows it can assume ",
			"arn:aws:iam::111122223333:role/admin: statement 0 trusts arn:aws:iam::111122223333:root with no condition",
		]),
	}}
}

test_fires_when_short_account_form_and_conditions_null if {
	p := _principal("111122223333", "account", "111122223333")
	findings := trust_account_root.deny with input as _input(_stmt(p, null))
	testing.assert_one_with(findings, _pid, _role)
}

# Most specific wins: a foreign root without conditions is trust-cross-account-no-external-id.
test_quiet_when_account_is_foreign if {
	p := _principal("arn:aws:iam::444455556666:root", "account", "444455556666")
	findings := trust_account_root.deny with input as _input(_stmt(p, []))
	testing.assert_empty(findings)
}

test_quiet_when_principal_is_a_named_role if {
	p := _principal("arn:aws:iam::111122223333:role/deployer", "role", "111122223333")
	findings := trust_account_root.deny with input as _input(_stmt(p, []))
	testing.assert_empty(findings)
}

test_quiet_when_root_has_a_condition if {
	p := _principal("arn:aws:iam::111122223333:root", "account", "111122223333")
	c := {
		"id": concat("", [_sid, "/condition/0"]),
		"operator": "Bool",
		"base": "Bool",
		"qualifier": "",
		"if_exists": false,
		"negated": false,
		"key": "aws:MultiFactorAuthPresent",
		"key_lower": "aws:multifactorauthpresent",
		"values": ["true"],
	}
	findings := trust_account_root.deny with input as _input(_stmt(p, [c]))
	testing.assert_empty(findings)
}
