package rolecall.rules.trust_action_wildcard_test

import data.rolecall.lib.testing
import data.rolecall.rules.trust_action_wildcard

_role := "arn:aws:iam::111122223333:role/app"

_sid := concat("", [_role, "#trust/0"])

_stmt(effect, actions, wildcard) := {
	"id": _sid,
	"index": 0,
	"sid": "Ops",
	"effect": effect,
	"not_principal": false,
	"principal_star": false,
	"principals": {"aws": [{"id": "p", "value": "arn:aws:iam::111122223333:role/ops", "kind": "role", "account": "111122223333"}]},
	"not_action": false,
	"actions": actions,
	"assume_actions": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"],
	"action_wildcard": wildcard,
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

test_fires_when_action_is_sts_star_any_case if {
	findings := trust_action_wildcard.deny with input as _input(_stmt("Allow", ["STS:*"], true))
	findings == {{
		"cause": [_sid],
		"target": _role,
		"msg": concat("", [
			"statement 0 (Sid Ops) of arn:aws:iam::111122223333:role/app allows Action \"STS:*\": every STS action, ",
			"including web identity, SAML, TagSession and SetSourceIdentity; list only the actions its principals need",
		]),
	}}
}

test_fires_when_action_is_star if {
	findings := trust_action_wildcard.deny with input as _input(_stmt("Allow", ["*"], true))
	testing.assert_one_with(findings, _sid, _role)
}

# sts:Assume* is a pattern, not the Action "*"/"sts:*" this rule is about.
test_quiet_when_action_is_a_narrower_pattern if {
	findings := trust_action_wildcard.deny with input as _input(_stmt("Allow", ["sts:Assume*"], false))
	testing.assert_empty(findings)
}

test_quiet_when_wildcard_is_denied if {
	findings := trust_action_wildcard.deny with input as _input(_stmt("Deny", ["sts:*"], true))
	testing.assert_empty(findings)
}
