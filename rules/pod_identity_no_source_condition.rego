# METADATA
# title: Pod Identity role can be used by any association in the account
# description: >-
#   The trust policy allows `pods.eks.amazonaws.com` without a positive condition on
#   `aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOrgID` or an `aws:RequestTag/…` session tag. Any Pod Identity association that names the role, in any cluster,
#   namespace or ServiceAccount, gets its credentials, so whoever can create associations
#   (`eks:CreatePodIdentityAssociation` plus `iam:PassRole`) decides who uses the role. Negated,
#   `…IfExists` and `ForAllValues:` conditions do not count: with `disableSessionTags` they admit
#   everyone (C2.4).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
# custom:
#   id: RC202
#   name: pod-identity-no-source-condition
#   severity: low
#   remediation: >-
#     Scope the statement to the intended workload, e.g. `"StringEquals":
#     {"aws:RequestTag/eks-cluster-name": "prod", "aws:RequestTag/kubernetes-namespace":
#     "payments", "aws:RequestTag/kubernetes-service-account": "api"}`, or at least
#     `"aws:SourceAccount": "111122223333"`.
#   tags: [trust-policy, pod-identity]
package rolecall.rules.pod_identity_no_source_condition

import data.rolecall.lib

deny contains lib.finding(stmt.id, role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	not stmt.not_principal
	some p in stmt.principals.service
	lower(p.value) == "pods.eks.amazonaws.com"
	"sts:AssumeRole" in stmt.assume_actions
	not _fenced(stmt)
	msg := sprintf(
		"any Pod Identity association naming %s, in any cluster, namespace or ServiceAccount, gets its credentials: %s trusts pods.eks.amazonaws.com with no aws:SourceAccount, aws:SourceArn, aws:SourceOrgID or aws:RequestTag/… condition; add e.g. StringEquals aws:RequestTag/kubernetes-namespace",
		[_role_name(role), _stmt_label(stmt)],
	)
}

_fenced(stmt) if {
	some c in stmt.conditions
	_fence_key(c.key_lower)
	_positive(c)
	not _admits_anything(c)
}

_fence_key(k) if k in {"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid"}

_fence_key(k) if startswith(k, "aws:requesttag/")

# A positive operator fails closed when the key is absent; negated, IfExists, ForAllValues and
# Null operators do not (semantics.md A10.1, A11.1, A9.8).
_positive(c) if {
	not c.negated
	not c.if_exists
	c.qualifier != "ForAllValues"
	not c.base in {"", "Null"}
}

# StringLike/ArnLike "*" matches every value: present-only, no fence.
_admits_anything(c) if {
	c.base in {"StringLike", "ArnLike", "ArnEquals"}
	some v in c.values
	regex.match(`^\*+$`, v)
}

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])
