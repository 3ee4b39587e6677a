package rolecall.rules.trust_action_principal_mismatch_test

import data.rolecall.lib.testing
import data.rolecall.rules.trust_action_principal_mismatch

_role := "arn:aws:iam::111122223333:role/app"

_sid := concat("", [_role, "#trust/0"])

_oidc := {
	"id": concat("", [_sid, "/principal/federated/0"]),
	"value": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
	"kind": "oidc-provider",
	"account": "111122223333",
}

_saml := {
	"id": concat("", [_sid, "/principal/federated/1"]),
	"value": "arn:aws:iam::111122223333:saml-provider/okta",
	"kind": "saml-provider",
	"account": "111122223333",
}

_user := {
	"id": concat("", [_sid, "/principal/aws/0"]),
	"value": "arn:aws:iam::111122223333:user/alice",
	"kind": "user",
	"account": "111122223333",
}

_pods := {"id": concat("", [_sid, "/principal/service/0"]), "value": "pods.eks.amazonaws.com", "kind": "service", "account": ""}

_stmt(principals, assume_actions) := {
	"id": _sid,
	"index": 0,
	"sid": "",
	"effect": "Allow",
	"not_principal": false,
	"principal_star": false,
	"principals": object.union({"aws": [], "federated": [], "service": [], "canonical_user": []}, principals),
	"actions": assume_actions,
	"assume_actions": assume_actions,
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

test_fires_when_oidc_provider_gets_assume_role if {
	findings := trust_action_principal_mismatch.deny with input as _input(_stmt({"federated": [_oidc]}, ["sts:AssumeRole", "sts:TagSession"]))
	findings == {{
		"cause": [_sid],
		"target": _role,
		"msg": concat("", [
			"statement 0 of arn:aws:iam::111122223333:role/app cannot work as written: it grants sts:AssumeRole only to ",
			"Federated OIDC providers, but sts:AssumeRole needs an AWS or Service principal",
		]),
	}}
}

test_fires_when_web_identity_granted_to_iam_user if {
	findings := trust_action_principal_mismatch.deny with input as _input(_stmt({"aws": [_user]}, ["sts:AssumeRoleWithWebIdentity"]))
	testing.assert_one_with(findings, _sid, _role)
}

test_fires_when_service_gets_web_identity if {
	findings := trust_action_principal_mismatch.deny with input as _input(_stmt({"service": [_pods]}, ["sts:AssumeRoleWithWebIdentity"]))
	testing.assert_one_with(findings, _sid, _role)
}

test_fires_when_saml_provider_gets_web_identity if {
	findings := trust_action_principal_mismatch.deny with input as _input(_stmt({"federated": [_saml]}, ["sts:AssumeRoleWithWebIdentity"]))
	some f in findings
	contains(f.msg, "sts:AssumeRoleWithWebIdentity needs a Federated OIDC provider")
}

# One principal type that can use one of the actions makes the statement work.
test_quiet_when_some_principal_can_use_some_action if {
	s := _stmt({"aws": [_user], "federated": [_oidc]}, ["sts:AssumeRoleWithWebIdentity"])
	findings := trust_action_principal_mismatch.deny with input as _input(s)
	testing.assert_empty(findings)
}

# A statement granting only a companion action (split TagSession statement) is fine.
test_quiet_when_only_tag_session if {
	findings := trust_action_principal_mismatch.deny with input as _input(_stmt({"federated": [_oidc]}, ["sts:TagSession"]))
	testing.assert_empty(findings)
}

test_quiet_when_saml_provider_gets_saml if {
	findings := trust_action_principal_mismatch.deny with input as _input(_stmt({"federated": [_saml]}, ["sts:AssumeRoleWithSAML"]))
	testing.assert_empty(findings)
}
