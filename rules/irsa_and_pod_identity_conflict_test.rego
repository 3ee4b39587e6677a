package rolecall.rules.irsa_and_pod_identity_conflict_test

import data.rolecall.lib.testing
import data.rolecall.rules.irsa_and_pod_identity_conflict as rule

_sa_id := "k8s:prod/serviceaccount/payments/api"

_ann_id := concat("", [_sa_id, "/annotation/eks.amazonaws.com/role-arn"])

_pia_id := "eks:prod/podidentity/payments/api"

_irsa := {
	"annotation": _ann_id, "role_arn": "arn:aws:iam::111122223333:role/irsa-role", "arn_valid": true,
	"role": "arn:aws:iam::111122223333:role/irsa-role", "account_listed": true,
	"audience": "sts.amazonaws.com", "evaluated": true, "assumable": true, "reason": "",
}

_input(irsa, pod_identity) := {"service_accounts": [{
	"id": _sa_id, "cluster": "prod", "namespace": "payments", "name": "api",
	"annotations": [], "irsa": irsa, "pod_identity": pod_identity,
}]}

# X45: the webhook injects Pod Identity's variables; irsa-role stays reachable by token minting.
test_fires_when_annotated_serviceaccount_has_an_association if {
	got := rule.deny with input as _input(_irsa, [_pia_id])
	got == {{
		"cause": [_ann_id],
		"target": _sa_id,
		"msg": "ServiceAccount payments/api of cluster prod has eks.amazonaws.com/role-arn arn:aws:iam::111122223333:role/irsa-role and Pod Identity association eks:prod/podidentity/payments/api: Pod Identity wins for new pods, so the IRSA role is dead config; its trust still admits this ServiceAccount, so anyone who can mint a token for it can assume the IRSA role; keep one mechanism",
	}}
}

test_quiet_when_serviceaccount_has_no_role_arn_annotation if {
	testing.assert_empty(rule.deny) with input as _input(null, [_pia_id])
}

test_quiet_when_annotated_serviceaccount_has_no_association if {
	testing.assert_empty(rule.deny) with input as _input(_irsa, [])
}
