package rolecall.rules.trust_unrelated_service_principals_test

import data.rolecall.lib.testing
import data.rolecall.rules.trust_unrelated_service_principals

_role := "arn:aws:iam::111122223333:role/app"

_sid(i) := sprintf("%s#trust/%d", [_role, i])

_svc(i, value) := {"id": sprintf("%s/principal/service/0", [_sid(i)]), "value": value, "kind": "service", "account": ""}

_stmt(i, effect, principals, actions) := {
	"id": _sid(i),
	"index": i,
	"sid": "",
	"effect": effect,
	"not_principal": false,
	"principal_star": false,
	"principals": object.union({"aws": [], "federated": [], "service": [], "canonical_user": []}, principals),
	"actions": actions,
	"assume_actions": actions,
	"conditions": [],
}

_pods_stmt := _stmt(0, "Allow", {"service": [_svc(0, "pods.eks.amazonaws.com")]}, ["sts:AssumeRole", "sts:TagSession"])

_input(workload, stmts) := {"roles": [{
	"id": _role,
	"arn": _role,
	"name": "app",
	"account": "111122223333",
	"workload": workload,
	"trust": {"id": concat("", [_role, "#trust"]), "version": "2012-10-17", "issues": [], "statements": stmts},
}]}

test_fires_when_pod_identity_role_also_trusts_ec2 if {
	ec2 := _stmt(1, "Allow", {"service": [_svc(1, "ec2.amazonaws.com")]}, ["sts:AssumeRole"])
	findings := trust_unrelated_service_principals.deny with input as _input(true, [_pods_stmt, ec2])
	findings == {{
		"cause": [_svc(1, "ec2.amazonaws.com").id],
		"target": _role,
		"msg": concat("", [
			"workload role arn:aws:iam::111122223333:role/app also trusts the service ec2.amazonaws.com in statement 1: ",
			"anything that service runs with this role gets the workload's credentials",
		]),
	}}
}

test_fires_when_irsa_role_shares_statement_with_lambda if {
	s := _stmt(0, "Allow", {"service": [_svc(0, "lambda.amazonaws.com")]}, ["sts:AssumeRole"])
	findings := trust_unrelated_service_principals.deny with input as _input(true, [s])
	testing.assert_one_with(findings, _svc(0, "lambda.amazonaws.com").id, _role)
}

# A node role trusting EC2 is not a workload role.
test_quiet_when_role_is_not_a_workload if {
	s := _stmt(0, "Allow", {"service": [_svc(0, "ec2.amazonaws.com")]}, ["sts:AssumeRole"])
	findings := trust_unrelated_service_principals.deny with input as _input(false, [s])
	testing.assert_empty(findings)
}

test_quiet_when_only_pod_identity_service if {
	findings := trust_unrelated_service_principals.deny with input as _input(true, [_pods_stmt])
	testing.assert_empty(findings)
}

test_quiet_when_extra_service_is_denied if {
	d := _stmt(1, "Deny", {"service": [_svc(1, "ec2.amazonaws.com")]}, ["sts:AssumeRole"])
	findings := trust_unrelated_service_principals.deny with input as _input(true, [_pods_stmt, d])
	testing.assert_empty(findings)
}
