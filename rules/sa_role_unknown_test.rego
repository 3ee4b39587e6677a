package rolecall.rules.sa_role_unknown_test

import data.rolecall.lib.testing
import data.rolecall.rules.sa_role_unknown

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

test_fires_when_role_absent_from_complete_role_list if {
	findings := sa_role_unknown.deny with input as _input(_irsa({"role": "", "evaluated": false, "assumable": false}))
	testing.assert_one_with(findings, _ann_id, _sa_id)
	some f in findings
	contains(f.msg, "annotated with arn:aws:iam::111122223333:role/payments-api, which is not in the loaded role list of account 111122223333")
}

# The account's role list was not loaded: the role is unknown, not missing.
test_quiet_when_role_list_not_loaded if {
	findings := sa_role_unknown.deny with input as _input(_irsa({"role": "", "account_listed": false, "evaluated": false}))
	testing.assert_empty(findings)
}

test_quiet_when_role_loaded if {
	findings := sa_role_unknown.deny with input as _input(_irsa({}))
	testing.assert_empty(findings)
}

# An invalid ARN is RC303's finding.
test_quiet_when_arn_invalid if {
	findings := sa_role_unknown.deny with input as _input(_irsa({"role_arn": "payments-api", "arn_valid": false, "role": ""}))
	testing.assert_empty(findings)
}
