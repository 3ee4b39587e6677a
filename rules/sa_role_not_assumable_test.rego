package rolecall.rules.sa_role_not_assumable_test

import data.rolecall.lib.testing
import data.rolecall.rules.sa_role_not_assumable

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

test_fires_when_trust_rejects_the_serviceaccount if {
	reason := "statement 0 requires sub system:serviceaccount:payments:worker"
	findings := sa_role_not_assumable.deny with input as _input(_irsa({"assumable": false, "reason": reason}))
	findings == {{
		"msg": "pods of ServiceAccount payments/api (cluster prod) cannot assume arn:aws:iam::111122223333:role/payments-api named by its eks.amazonaws.com/role-arn annotation: statement 0 requires sub system:serviceaccount:payments:worker; make the trust admit system:serviceaccount:payments:api with audience sts.amazonaws.com, or fix the annotation",
		"cause": [_ann_id],
		"target": _role,
		"subject": _sa_id,
	}}
}

test_quiet_when_trust_admits_the_serviceaccount if {
	findings := sa_role_not_assumable.deny with input as _input(_irsa({}))
	testing.assert_empty(findings)
}

# The role's trust was not loaded (or no provider is known): no verdict, no finding.
test_quiet_when_not_evaluated if {
	findings := sa_role_not_assumable.deny with input as _input(_irsa({"evaluated": false, "assumable": false, "role": ""}))
	testing.assert_empty(findings)
}
