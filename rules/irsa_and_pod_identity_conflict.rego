# METADATA
# title: ServiceAccount has both an IRSA role and a Pod Identity association
# description: >-
#   The ServiceAccount carries an `eks.amazonaws.com/role-arn` annotation and is also the subject
#   of an EKS Pod Identity association. For new pods the webhook injects the Pod Identity
#   container-credentials variables instead of the IRSA ones (container credentials take
#   precedence, B3.6), so the annotated role is dead configuration that reviewers still read as
#   the pod's identity. It is not harmless: the annotation is not a gate, and anyone who can
#   mint a token for the ServiceAccount (create a pod as it, or `serviceaccounts/token`) can
#   still assume the IRSA role if its trust admits the ServiceAccount (B4.1).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
#   - ref: https://github.com/aws/amazon-eks-pod-identity-webhook#eks-pod-identity
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# custom:
#   id: RC306
#   name: irsa-and-pod-identity-conflict
#   severity: low
#   remediation: >-
#     Keep one mechanism: remove the `eks.amazonaws.com/role-arn` annotation and drop the
#     ServiceAccount's subject (e.g. `system:serviceaccount:payments:api`) from the IRSA role's
#     trust policy, or delete the Pod Identity association if IRSA is the intended identity.
#   tags: [irsa, pod-identity, kubernetes]
package rolecall.rules.irsa_and_pod_identity_conflict

import data.rolecall.lib

deny contains lib.finding(sa.irsa.annotation, sa.id, msg) if {
	some sa in input.service_accounts
	is_object(sa.irsa)
	count(_arr(sa.pod_identity)) > 0
	msg := sprintf(
		"ServiceAccount %s/%s of %s has eks.amazonaws.com/role-arn %s and Pod Identity association %s: Pod Identity wins for new pods, so the IRSA role is dead config; %s; keep one mechanism",
		[sa.namespace, sa.name, _cluster_label(sa.cluster), sa.irsa.role_arn, concat(", ", sort(sa.pod_identity)), _still_reachable(sa.irsa)],
	)
}

_still_reachable(irsa) := "its trust still admits this ServiceAccount, so anyone who can mint a token for it can assume the IRSA role" if {
	irsa.assumable == true
} else := "if its trust admits this ServiceAccount, anyone who can mint a token for it can still assume the IRSA role"

_cluster_label(name) := sprintf("cluster %s", [name]) if {
	name != ""
} else := "the unnamed cluster"

_arr(v) := v if {
	is_array(v)
} else := []
