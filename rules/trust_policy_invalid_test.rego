package rolecall.rules.trust_policy_invalid_test

import data.rolecall.lib.testing
import data.rolecall.rules.trust_policy_invalid

_role := "arn:aws:iam::111122223333:role/ci"

_issue(i, code, message) := {"id": sprintf("%s#trust/issue/%d", [_role, i]), "code": code, "message": message}

_input(issues) := _input_with(issues, [])

_np_stmt(effect) := {
	"id": concat("", [_role, "#trust/0"]),
	"index": 0,
	"sid": "",
	"effect": effect,
	"not_principal": true,
	"principal_star": false,
	"principals": {"aws": [{"id": "p", "value": "arn:aws:iam::111122223333:user/bob", "kind": "user", "account": "111122223333"}]},
	"assume_actions": ["sts:AssumeRole"],
	"conditions": [],
}

_input_with(issues, stmts) := {"roles": [{
	"id": _role,
	"arn": _role,
	"name": "ci",
	"account": "111122223333",
	"workload": false,
	"trust": {"id": concat("", [_role, "#trust"]), "version": "2012-10-17", "issues": issues, "statements": stmts},
}]}

test_fires_when_principal_arn_has_wildcard if {
	issue := _issue(0, "wildcard-in-principal-arn", "statement 0: wildcard in principal ARN arn:aws:iam::111122223333:role/ci-*")
	findings := trust_policy_invalid.deny with input as _input([issue])
	findings == {{
		"cause": [issue.id],
		"target": _role,
		"msg": concat("", [
			"IAM would reject the trust policy of arn:aws:iam::111122223333:role/ci: ",
			"statement 0: wildcard in principal ARN arn:aws:iam::111122223333:role/ci-* (wildcard-in-principal-arn)",
		]),
	}}
}

test_fires_once_per_issue if {
	issues := [_issue(0, "missing-action", "statement 0 has no Action"), _issue(1, "invalid-json", "unexpected end of JSON input")]
	findings := trust_policy_invalid.deny with input as _input(issues)
	testing.assert_count(findings, 2)
}

test_quiet_when_issue_belongs_to_a_more_specific_rule if {
	issues := [
		_issue(0, "notprincipal-in-trust-policy", "statement 0 uses NotPrincipal"),
		_issue(1, "dangling-unique-id", "statement 0 principal AROAEXAMPLE is a unique id"),
	]
	findings := trust_policy_invalid.deny with input as _input_with(issues, [_np_stmt("Allow")])
	testing.assert_empty(findings)
}

test_fires_when_not_principal_is_in_a_deny if {
	issue := object.union(
		_issue(0, "notprincipal-in-trust-policy", "statement 0 uses NotPrincipal"),
		{"statement": concat("", [_role, "#trust/0"])},
	)
	findings := trust_policy_invalid.deny with input as _input_with([issue], [_np_stmt("Deny")])
	testing.assert_one_with(findings, issue.id, _role)
}

test_quiet_when_trust_not_loaded if {
	doc := {"roles": [{"id": _role, "arn": _role, "name": "ci", "account": "111122223333", "workload": false, "trust": null}]}
	findings := trust_policy_invalid.deny with input as doc
	testing.assert_empty(findings)
}

# IAM may accept these (A1.2, A1.6): they are input warnings, not RC003.
test_quiet_when_issue_is_only_a_warning if {
	issue := object.union(_issue(0, "resource-in-trust-policy", "statement 0 has a Resource element"), {"warning": true})
	findings := trust_policy_invalid.deny with input as _input([issue])
	testing.assert_empty(findings)
}
