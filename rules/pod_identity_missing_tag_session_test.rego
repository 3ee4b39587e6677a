package rolecall.rules.pod_identity_missing_tag_session_test

import data.rolecall.lib.testing
import data.rolecall.rules.pod_identity_missing_tag_session

_role := "arn:aws:iam::111122223333:role/pi"

_stmt(i, service, actions) := {
	"id": sprintf("%s#trust/%d", [_role, i]),
	"index": i,
	"sid": "",
	"effect": "Allow",
	"not_principal": false,
	"principals": {"aws": [], "federated": [], "service": [{
		"id": sprintf("%s#trust/%d/principal/service/0", [_role, i]),
		"value": service,
		"kind": "service",
	}]},
	"actions": actions,
	"assume_actions": actions,
	"conditions": [],
}

_input(stmts) := {"roles": [{"id": _role, "arn": _role, "trust": {"statements": stmts}}]}

# X30
test_fires_when_tag_session_missing if {
	findings := pod_identity_missing_tag_session.deny with input as _input([_stmt(0, "pods.eks.amazonaws.com", ["sts:AssumeRole"])])
	findings == {{
		"msg": "Pod Identity associations cannot assume arn:aws:iam::111122223333:role/pi: statement 0 trusts pods.eks.amazonaws.com for sts:AssumeRole but no statement allows it sts:TagSession; add \"sts:TagSession\" to the Action list",
		"cause": ["arn:aws:iam::111122223333:role/pi#trust/0"],
		"target": _role,
	}}
}

# TagSession granted in a separate statement for the same service principal is enough.
test_quiet_when_tag_session_in_another_statement if {
	findings := pod_identity_missing_tag_session.deny with input as _input([
		_stmt(0, "pods.eks.amazonaws.com", ["sts:AssumeRole"]),
		_stmt(1, "pods.eks.amazonaws.com", ["sts:TagSession"]),
	])
	testing.assert_empty(findings)
}

# TagSession granted to another service does not help Pod Identity.
test_fires_when_tag_session_only_for_another_service if {
	findings := pod_identity_missing_tag_session.deny with input as _input([
		_stmt(0, "pods.eks.amazonaws.com", ["sts:AssumeRole"]),
		_stmt(1, "ec2.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]),
	])
	testing.assert_one_with(findings, "arn:aws:iam::111122223333:role/pi#trust/0", _role)
}

# An EC2 role needs no TagSession.
test_quiet_when_service_is_not_pod_identity if {
	findings := pod_identity_missing_tag_session.deny with input as _input([_stmt(0, "ec2.amazonaws.com", ["sts:AssumeRole"])])
	testing.assert_empty(findings)
}
