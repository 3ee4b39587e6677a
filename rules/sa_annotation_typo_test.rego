package rolecall.rules.sa_annotation_typo_test

import data.rolecall.lib.testing
import data.rolecall.rules.sa_annotation_typo

_sa_id := "k8s:prod/serviceaccount/payments/api"

_ann(key) := {"id": concat("", [_sa_id, "/annotation/", key]), "key": key, "value": "arn:aws:iam::111122223333:role/payments-api"}

_input(keys) := {"service_accounts": [{
	"id": _sa_id,
	"cluster": "prod",
	"namespace": "payments",
	"name": "api",
	"annotations": [_ann(k) | some k in keys],
	"irsa": null,
	"pod_identity": [],
}]}

_fires_for(key, intended) if {
	findings := sa_annotation_typo.deny with input as _input([key])
	testing.assert_one_with(findings, _ann(key).id, _sa_id)
	some f in findings
	contains(f.msg, sprintf("is not %s and is ignored", [intended]))
}

# The real typo from amazon-eks-pod-identity-webhook issue 200 (corpus
# serviceaccount/issue-webhook-200-annotation-typo.yaml): three characters off, caught by prefix.
test_fires_when_prefix_is_eks_amazon_com if {
	findings := sa_annotation_typo.deny with input as _input(["eks.amazon.com/role-arn"])
	findings == {{
		"msg": "annotation \"eks.amazon.com/role-arn\" on ServiceAccount payments/api (cluster prod) is not eks.amazonaws.com/role-arn and is ignored by the EKS Pod Identity webhook, so its pods get no IRSA credentials; rename it to eks.amazonaws.com/role-arn",
		"cause": ["k8s:prod/serviceaccount/payments/api/annotation/eks.amazon.com/role-arn"],
		"target": _sa_id,
	}}
}

test_fires_when_case_differs if {
	_fires_for("eks.amazonaws.com/Role-Arn", "eks.amazonaws.com/role-arn")
}

test_fires_when_punctuation_differs if {
	_fires_for("eks.amazonaws.com/role_arn", "eks.amazonaws.com/role-arn")
	_fires_for("eks.amazonaws.com/rolearn", "eks.amazonaws.com/role-arn")
}

test_fires_when_one_or_two_characters_off if {
	_fires_for("eks.amazonaws.com/rol-arn", "eks.amazonaws.com/role-arn")
	_fires_for("eks.amazonaws.com/audiance", "eks.amazonaws.com/audience")
	_fires_for("eks.amazonaws.com/token-expirations", "eks.amazonaws.com/token-expiration")
	_fires_for("eks.amazonaws.com/sts-regional-endpoint", "eks.amazonaws.com/sts-regional-endpoints")
	_fires_for("eks.amazonaws.com/rloe-arn", "eks.amazonaws.com/role-arn")
	_fires_for("eks.amazonaws.com/role-a", "eks.amazonaws.com/role-arn")
	_fires_for("eks.amazonaws.com/roles-arns", "eks.amazonaws.com/role-arn")
}

test_fires_as_dead_config_next_to_the_real_key if {
	findings := sa_annotation_typo.deny with input as _input(["eks.amazonaws.com/role-arn", "eks.amazonaws.com/role_arn"])
	testing.assert_one_with(findings, _ann("eks.amazonaws.com/role_arn").id, _sa_id)
	some f in findings
	contains(f.msg, "dead config next to the real eks.amazonaws.com/role-arn annotation")
}

test_quiet_when_keys_are_exact if {
	findings := sa_annotation_typo.deny with input as _input([
		"eks.amazonaws.com/role-arn",
		"eks.amazonaws.com/audience",
		"eks.amazonaws.com/token-expiration",
		"eks.amazonaws.com/sts-regional-endpoints",
	])
	testing.assert_empty(findings)
}

# kube2iam/kiam's iam.amazonaws.com/role is a legitimate annotation of another tool, and other
# eks.amazonaws.com keys (Fargate's compute-type) are not near-misses of the IRSA ones.
test_quiet_when_annotation_belongs_to_another_tool if {
	findings := sa_annotation_typo.deny with input as _input([
		"iam.amazonaws.com/role",
		"eks.amazonaws.com/compute-type",
		"iam.gke.io/gcp-service-account",
		"azure.workload.identity/client-id",
		"meta.helm.sh/release-name",
		"role-arn",
	])
	testing.assert_empty(findings)
}
