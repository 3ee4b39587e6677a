# METADATA
# title: Access entry grants AmazonEKSClusterAdminPolicy at cluster scope
# description: >-
#   An EKS access entry is associated with `AmazonEKSClusterAdminPolicy` scoped to the whole
#   cluster: `*` on every API group, resource and non-resource URL, the access-entry twin of
#   `system:masters`. Access-policy permissions do not appear in RBAC (`kubectl auth can-i` and
#   RBAC audits miss them), and every session of the principal is cluster-admin.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html
#   - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# custom:
#   id: RC420
#   name: access-entry-cluster-admin
#   severity: high
#   remediation: >-
#     Associate a narrower policy or scope, e.g. `aws eks associate-access-policy --policy-arn
#     arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy --access-scope
#     type=namespace,namespaces=payments`, then `aws eks disassociate-access-policy` the
#     `AmazonEKSClusterAdminPolicy`; keep cluster-admin for a break-glass role only.
#   tags: [access-entry, cluster-admin]
package rolecall.rules.access_entry_cluster_admin

import data.rolecall.lib

deny contains lib.finding(p.id, ae.id, msg) if {
	some ae in input.access_entries
	some p in ae.policies
	p.name == "AmazonEKSClusterAdminPolicy"
	lower(p.scope_type) == "cluster"
	msg := sprintf(
		"access entry for %s in %s has AmazonEKSClusterAdminPolicy at cluster scope: every session of the principal is cluster-admin, invisible to RBAC audits; use a namespaced or narrower access policy",
		[ae.principal_arn, _cluster_label(ae.cluster)],
	)
}

_cluster_label(name) := sprintf("cluster %s", [name]) if {
	name != ""
} else := "the cluster"
