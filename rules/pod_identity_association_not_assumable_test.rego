package rolecall.rules.pod_identity_association_not_assumable_test

import data.rolecall.lib.testing
import data.rolecall.rules.pod_identity_association_not_assumable as rule

_pia_id := "eks:prod/podidentity/payments/api"

_role := "arn:aws:iam::111122223333:role/payments-api"

_pia(o) := object.union(
	{
		"id": _pia_id, "cluster": "prod", "namespace": "payments", "service_account": "api",
		"role_arn": _role, "role": _role, "target_role_arn": "", "disable_session_tags": false,
		"evaluated": true, "assumable": true, "reason": "",
	},
	o,
)

_input(pia) := {"pod_identity": [pia]}

_reason := "statement 0 requires aws:RequestTag/kubernetes-namespace = orders"

test_fires_when_session_tag_condition_rejects_the_association if {
	got := rule.deny with input as _input(_pia({"assumable": false, "reason": _reason}))
	testing.assert_one_with(got, _pia_id, _role)
	some f in got
	contains(f.msg, "ServiceAccount payments/api of cluster prod cannot assume arn:aws:iam::111122223333:role/payments-api: statement 0 requires")
	contains(f.msg, _reason)
}

test_fires_targeting_the_association_without_a_role_id if {
	# Defensive: a verdict without a loaded role id is targeted at the association itself.
	got := rule.deny with input as _input(_pia({"role": "", "assumable": false, "reason": _reason}))
	testing.assert_one_with(got, _pia_id, _pia_id)
}

test_quiet_when_trust_admits_the_association if {
	testing.assert_empty(rule.deny) with input as _input(_pia({}))
}

test_quiet_when_role_trust_not_loaded if {
	# Not evaluated: the verdict is unknown, not "rejected" (assumable is false by default).
	testing.assert_empty(rule.deny) with input as _input(_pia({"role": "", "evaluated": false, "assumable": false}))
}
