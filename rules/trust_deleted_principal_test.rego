package rolecall.rules.trust_deleted_principal_test

import data.rolecall.lib.testing
import data.rolecall.rules.trust_deleted_principal

_role := "arn:aws:iam::111122223333:role/app"

_sid := concat("", [_role, "#trust/0"])

_pid := concat("", [_sid, "/principal/aws/0"])

_stmt(value, kind) := {
	"id": _sid,
	"index": 0,
	"sid": "",
	"effect": "Allow",
	"not_principal": false,
	"principal_star": false,
	"principals": {"aws": [{"id": _pid, "value": value, "kind": kind, "account": ""}], "federated": [], "service": [], "canonical_user": []},
	"actions": ["sts:AssumeRole"],
	"assume_actions": ["sts:AssumeRole"],
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

# X7
test_fires_when_principal_is_a_dangling_user_id if {
	findings := trust_deleted_principal.deny with input as _input(_stmt("AIDAEXAMPLEDELETED01", "unique-id"))
	findings == {{
		"cause": [_pid],
		"target": _role,
		"msg": concat("", [
			"statement 0 of arn:aws:iam::111122223333:role/app names AIDAEXAMPLEDELETED01, the unique id of a deleted user: ",
			"the Allow matches nobody, and a re-created principal with the same name is not trusted",
		]),
	}}
}

test_fires_when_principal_is_a_dangling_role_id if {
	findings := trust_deleted_principal.deny with input as _input(_stmt("AROAEXAMPLEDELETED02", "unique-id"))
	testing.assert_one_with(findings, _pid, _role)
}

# A 12-digit account id is also a bare non-ARN value, but it is a live account principal.
test_quiet_when_principal_is_a_bare_account_id if {
	findings := trust_deleted_principal.deny with input as _input(_stmt("111122223333", "account"))
	testing.assert_empty(findings)
}

test_quiet_when_role_arn_contains_an_id_like_name if {
	findings := trust_deleted_principal.deny with input as _input(_stmt("arn:aws:iam::111122223333:role/AROAEXAMPLEDELETED02", "role"))
	testing.assert_empty(findings)
}
