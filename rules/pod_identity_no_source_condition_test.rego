package rolecall.rules.pod_identity_no_source_condition_test

import data.rolecall.lib.testing
import data.rolecall.rules.pod_identity_no_source_condition

_role := "arn:aws:iam::111122223333:role/pi"

_stmt_id := concat("", [_role, "#trust/0"])

_cond(operator, base, o) := object.union(
	{
		"id": concat("", [_stmt_id, "/condition/0"]),
		"operator": operator,
		"base": base,
		"qualifier": "",
		"if_exists": false,
		"negated": false,
		"key": "aws:RequestTag/kubernetes-namespace",
		"key_lower": "aws:requesttag/kubernetes-namespace",
		"values": ["payments"],
	},
	o,
)

_input(conditions) := {"roles": [{"id": _role, "arn": _role, "trust": {"statements": [{
	"id": _stmt_id,
	"index": 0,
	"sid": "PodIdentity",
	"effect": "Allow",
	"not_principal": false,
	"principals": {"service": [{"id": concat("", [_stmt_id, "/principal/service/0"]), "value": "pods.eks.amazonaws.com", "kind": "service"}]},
	"assume_actions": ["sts:AssumeRole", "sts:TagSession"],
	"conditions": conditions,
}]}}]}

test_fires_when_no_condition if {
	findings := pod_identity_no_source_condition.deny with input as _input([])
	testing.assert_one_with(findings, _stmt_id, _role)
	some f in findings
	contains(f.msg, "any Pod Identity association naming arn:aws:iam::111122223333:role/pi")
	contains(f.msg, "statement 0 (Sid PodIdentity) trusts pods.eks.amazonaws.com")
}

# X32: StringNotEquals on a request tag admits everyone once session tags are disabled.
test_fires_when_tag_condition_is_negated if {
	c := _cond("StringNotEquals", "StringEquals", {"negated": true, "values": ["kube-system"]})
	findings := pod_identity_no_source_condition.deny with input as _input([c])
	testing.assert_one_with(findings, _stmt_id, _role)
}

# aws:SourceAccount under StringLike "*" only checks presence.
test_fires_when_source_pattern_is_bare_star if {
	c := _cond("StringLike", "StringLike", {"key": "aws:SourceAccount", "key_lower": "aws:sourceaccount", "values": ["*"]})
	findings := pod_identity_no_source_condition.deny with input as _input([c])
	testing.assert_one_with(findings, _stmt_id, _role)
}

# X31: pinned session tags scope the role to one workload.
test_quiet_when_request_tag_pinned if {
	findings := pod_identity_no_source_condition.deny with input as _input([_cond("StringEquals", "StringEquals", {})])
	testing.assert_empty(findings)
}

# Key names are case-insensitive: AWS:SOURCEACCOUNT is the same key.
test_quiet_when_source_account_pinned_in_any_case if {
	c := _cond("StringEquals", "StringEquals", {"key": "AWS:SOURCEACCOUNT", "key_lower": "aws:sourceaccount", "values": ["111122223333"]})
	findings := pod_identity_no_source_condition.deny with input as _input([c])
	testing.assert_empty(findings)
}
