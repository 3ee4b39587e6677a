# METADATA
# title: Pod Identity role does not allow sts:TagSession
# description: >-
#   EKS Pod Identity assumes the role as `pods.eks.amazonaws.com` with `sts:AssumeRole` and
#   attaches six session tags (cluster, namespace, ServiceAccount, pod), which additionally
#   requires `sts:TagSession` in the trust policy. Without it the
#   association's AssumeRole fails and pods receive no credentials (X30).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
# custom:
#   id: RC201
#   name: pod-identity-missing-tag-session
#   severity: medium
#   remediation: >-
#     Allow both actions for the service principal: `"Principal": {"Service":
#     "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]`.
#   tags: [trust-policy, pod-identity]
package rolecall.rules.pod_identity_missing_tag_session

import data.rolecall.lib

# One finding per statement that grants AssumeRole to Pod Identity, unless some Allow statement
# of the same role grants it sts:TagSession.
deny contains lib.finding(stmt.id, role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	_pods_allow(stmt)
	"sts:AssumeRole" in stmt.assume_actions
	not _tag_session_allowed(role)
	msg := sprintf(
		"Pod Identity associations cannot assume %s: %s trusts pods.eks.amazonaws.com for sts:AssumeRole but no statement allows it sts:TagSession; add \"sts:TagSession\" to the Action list",
		[_role_name(role), _stmt_label(stmt)],
	)
}

_tag_session_allowed(role) if {
	some stmt in role.trust.statements
	_pods_allow(stmt)
	"sts:TagSession" in stmt.assume_actions
}

_pods_allow(stmt) if {
	stmt.effect == "Allow"
	not stmt.not_principal
	some p in stmt.principals.service
	lower(p.value) == "pods.eks.amazonaws.com"
}

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])
