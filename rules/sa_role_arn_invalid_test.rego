package rolecall.rules.sa_role_arn_invalid_test

import data.rolecall.lib.testing
import data.rolecall.rules.sa_role_arn_invalid

_sa_id := "k8s:prod/serviceaccount/payments/api"

_ann_id := concat("", [_sa_id, "/annotation/eks.amazonaws.com/role-arn"])

_role := "arn:aws:iam::111122223333:role/payments-api"

_irsa(o) := object.union(
	{
		"annotation": _ann_id,
		"role_arn": _role,
		"arn_valid": true,
		"role": _role,
		"account_listed": true,
		"audience": "sts.amazonaws.com",
		"evaluated": true,
		"assumable": true,
		"reason": "",
	},
	o,
)

_input(irsa) := {"service_accounts": [{
	"id": _sa_id,
	"cluster": "prod",
	"namespace": "payments",
	"name": "api",
	"annotations": [{"id": _ann_id, "key": "eks.amazonaws.com/role-arn", "value": irsa.role_arn}],
	"irsa": irsa,
	"pod_identity": [],
}]}

test_fires_when_value_is_a_bare_role_name if {
	findings := sa_role_arn_invalid.deny with input as _input(_irsa({"role_arn": "payments-api", "arn_valid": false, "role": "", "evaluated": false}))
	testing.assert_one_with(findings, _ann_id, _sa_id)
	some f in findings
	contains(f.msg, `is "payments-api", not an IAM role ARN (a bare role name is only expanded by a webhook started with --compose-role-arn)`)
}

test_fires_when_value_is_a_user_arn if {
	findings := sa_role_arn_invalid.deny with input as _input(_irsa({"role_arn": "arn:aws:iam::111122223333:user/deployer", "arn_valid": false, "role": "", "evaluated": false}))
	testing.assert_one_with(findings, _ann_id, _sa_id)
	some f in findings
	not contains(f.msg, "compose-role-arn")
}

# A role ARN with a path is valid (unlike in aws-auth): the webhook passes it through untouched.
test_quiet_when_role_arn_has_path if {
	findings := sa_role_arn_invalid.deny with input as _input(_irsa({"role_arn": "arn:aws:iam::111122223333:role/teams/payments-api"}))
	testing.assert_empty(findings)
}
