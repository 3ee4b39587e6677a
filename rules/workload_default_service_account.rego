# METADATA
# title: Role is bound to a namespace's default ServiceAccount
# description: >-
#   Every pod that sets no `serviceAccountName` runs as its namespace's `default` ServiceAccount,
#   so a role bound to `default` (by an IRSA trust subject `system:serviceaccount:NS:default`, an
#   `eks.amazonaws.com/role-arn` annotation on the `default` ServiceAccount, or a Pod Identity
#   association for `default`) reaches every such pod of the namespace, including ones created by
#   charts and operators that never asked for AWS access.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#use-the-default-service-account-to-access-the-api-server
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html
# custom:
#   id: RC105
#   name: workload-default-service-account
#   severity: medium
#   remediation: >-
#     Create a dedicated ServiceAccount (e.g. `payments/api`), set `serviceAccountName: api` in the
#     workload, and bind the role to it instead: trust subject `system:serviceaccount:payments:api`,
#     the annotation on that ServiceAccount, or a Pod Identity association for it.
#   tags: [irsa, pod-identity, kubernetes]
package rolecall.rules.workload_default_service_account

import data.rolecall.lib

# Trust path: an effective :sub restriction that admits NS:default exactly (an absent
# restriction is RC101's finding, which already covers default).
deny contains lib.finding(_sub_cause(wi), role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	not stmt.not_principal
	"sts:AssumeRoleWithWebIdentity" in stmt.assume_actions
	some wi in stmt.web_identity
	wi.kind == "eks"
	not wi.never_matches
	wi.sub.restricted == true
	wi.sub.default_service_account == true
	msg := sprintf(
		"every pod without serviceAccountName in %s can assume %s: %s admits %s:sub %s (the default ServiceAccount); trust a dedicated ServiceAccount instead",
		[_clusters(wi), _role_name(role), _stmt_label(stmt), wi.host, _default_subjects(wi.sub)],
	)
}

# Annotation path: the default ServiceAccount itself carries eks.amazonaws.com/role-arn.
# Skipped when the role is known not to admit it (RC301), is absent from a complete role list
# (RC302) or the value is not an ARN (RC303): then the pods get no credentials at all.
deny contains lib.finding_from(sa.irsa.annotation, _irsa_target(sa), sa.id, msg) if {
	some sa in input.service_accounts
	sa.name == "default"
	sa.irsa.arn_valid == true
	not _broken(sa.irsa)
	msg := sprintf(
		"every pod without serviceAccountName in namespace %s of %s gets %s: the default ServiceAccount is annotated eks.amazonaws.com/role-arn; annotate a dedicated ServiceAccount instead",
		[sa.namespace, _cluster_name(sa.cluster), sa.irsa.role_arn],
	)
}

# Pod Identity path: an association for the default ServiceAccount.
deny contains lib.finding(pia.id, _pia_target(pia), msg) if {
	some pia in input.pod_identity
	pia.service_account == "default"
	msg := sprintf(
		"every pod without serviceAccountName in namespace %s of %s gets %s: its Pod Identity association names the default ServiceAccount; associate a dedicated ServiceAccount instead",
		[pia.namespace, _cluster_name(pia.cluster), _pia_role(pia)],
	)
}

_broken(irsa) if {
	irsa.evaluated == true
	irsa.assumable == false
}

_broken(irsa) if {
	irsa.role == ""
	irsa.account_listed == true
}

# The target is the loaded role; when the role is not loaded, the ServiceAccount or the
# association itself (every target must be an element of the input).
_irsa_target(sa) := sa.irsa.role if {
	sa.irsa.role != ""
} else := sa.id

_pia_target(pia) := pia.role if {
	pia.role != ""
} else := pia.id

_pia_role(pia) := pia.role_arn if {
	pia.role_arn != ""
} else := "the role of the association (not in a list summary: describe it)"

_cluster_name(c) := sprintf("cluster %s", [c]) if {
	c != ""
} else := "the cluster"

_default_subjects(claim) := concat(", ", sort({sprintf("%q", [p.value]) |
	some p in _arr(claim.admits)
	endswith(p.value, ":default")
})) if {
	some p in _arr(claim.admits)
	endswith(p.value, ":default")
} else := "system:serviceaccount:NAMESPACE:default"

_sub_cause(wi) := wi.sub.conditions[0] if {
	count(_arr(wi.sub.conditions)) > 0
} else := wi.id

_clusters(wi) := sprintf("cluster %s", [concat(", ", sort(_arr(wi.clusters)))]) if {
	count(_arr(wi.clusters)) > 0
} else := sprintf("the cluster with issuer %s", [wi.host])

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])

_arr(v) := v if {
	is_array(v)
} else := []
