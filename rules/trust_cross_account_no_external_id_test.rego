package rolecall.rules.trust_cross_account_no_external_id_test

import data.rolecall.lib.testing
import data.rolecall.rules.trust_cross_account_no_external_id

_role := "arn:aws:iam::111122223333:role/vendor-access"

_sid := concat("", [_role, "#trust/0"])

_pid := concat("", [_sid, "/principal/aws/0"])

_principal(value, kind, account) := {"id": _pid, "value": value, "kind": kind, "account": account}

_stmt(principal, conditions) := {
	"id": _sid,
	"index": 0,
	"sid": "Vendor",
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

_cond(op, base, key, values, negated, if_exists) := {
	"id": concat("", [_sid, "/condition/0"]),
	"operator": op,
	"base": base,
	"qualifier": "",
	"if_exists": if_exists,
	"negated": negated,
	"key": key,
	"key_lower": lower(key),
	"values": values,
}

_input(stmt) := {
	"known_accounts": ["111122223333"],
	"roles": [{
		"id": _role,
		"arn": _role,
		"name": "vendor-access",
		"account": "111122223333",
		"workload": false,
		"trust": {"id": concat("", [_role, "#trust"]), "version": "2012-10-17", "issues": [], "statements": [stmt]},
	}],
}

_vendor_root := _principal("arn:aws:iam::444455556666:root", "account", "444455556666")

test_fires_when_foreign_account_has_no_external_id if {
	findings := trust_cross_account_no_external_id.deny with input as _input(_stmt(_vendor_root, []))
	findings == {{
		"cause": [_pid],
		"target": _role,
		"msg": concat("", [
			"arn:aws:iam::444455556666:root of account 444455556666, outside the known accounts, can assume ",
			"arn:aws:iam::111122223333:role/vendor-access: statement 0 (Sid Vendor) has no sts:ExternalId condition",
		]),
	}}
}

test_fires_when_foreign_role_has_external_id_only_if_exists if {
	p := _principal("arn:aws:iam::444455556666:role/scanner", "role", "444455556666")
	c := _cond("StringEqualsIfExists", "StringEquals", "sts:ExternalId", ["abc-123"], false, true)
	findings := trust_cross_account_no_external_id.deny with input as _input(_stmt(p, [c]))
	testing.assert_one_with(findings, _pid, _role)
}

# X27: Null false only requires some ExternalId, which the caller chooses.
test_fires_when_external_id_only_required_to_exist if {
	c := _cond("Null", "Null", "sts:ExternalId", ["false"], false, false)
	findings := trust_cross_account_no_external_id.deny with input as _input(_stmt(_vendor_root, [c]))
	testing.assert_count(findings, 1)
}

test_quiet_when_external_id_pinned_case_insensitive_key if {
	c := _cond("StringEquals", "StringEquals", "sts:externalid", ["a1b2c3d4-unique"], false, false)
	findings := trust_cross_account_no_external_id.deny with input as _input(_stmt(_vendor_root, [c]))
	testing.assert_empty(findings)
}

test_quiet_when_account_is_known if {
	p := _principal("arn:aws:iam::111122223333:role/deployer", "role", "111122223333")
	findings := trust_cross_account_no_external_id.deny with input as _input(_stmt(p, []))
	testing.assert_empty(findings)
}

test_quiet_when_principal_is_a_service if {
	p := _principal("ec2.amazonaws.com", "service", "")
	s := json.patch(_stmt(_vendor_root, []), [{"op": "replace", "path": "/principals", "value": {"aws": [], "service": [p]}}])
	findings := trust_cross_account_no_external_id.deny with input as _input(s)
	testing.assert_empty(findings)
}

test_quiet_when_no_account_is_known if {
	doc := json.patch(_input(_stmt(_vendor_root, [])), [
		{"op": "replace", "path": "/known_accounts", "value": []},
		{"op": "replace", "path": "/roles/0/account", "value": ""},
	])
	findings := trust_cross_account_no_external_id.deny with input as doc
	testing.assert_empty(findings)
}
