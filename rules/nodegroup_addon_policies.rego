# METADATA
# title: Node group gives its node role add-on controller permissions
# description: >-
#   eksctl's `iam.withAddonPolicies` attaches the permissions of a cluster add-on (the load
#   balancer controller, cluster-autoscaler, external-dns, cert-manager, the EBS/EFS/FSx drivers,
#   App Mesh, ECR push for image builders, CloudWatch, X-Ray) to the node role of the node group.
#   Every pod on those nodes that can reach the instance metadata service gets the node role's
#   credentials, so every such pod, not just the controller, can use those permissions: rewrite
#   Route 53 records, create load balancers and security group rules, resize or terminate Auto
#   Scaling groups, attach or delete volumes, push images. One finding per add-on policy.
# related_resources:
#   - description: documentation
#     ref: https://eksctl.io/usage/iam-policies/
#   - ref: https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
# custom:
#   id: RC601
#   name: nodegroup-addon-policies
#   severity: medium
#   remediation: >-
#     Give the permissions to the controller's ServiceAccount instead: in the ClusterConfig, an
#     `iam.serviceAccounts` entry (IRSA) or an `iam.podIdentityAssociations` entry (Pod Identity)
#     with `wellKnownPolicies`, e.g. `autoScaler: true` for `kube-system/cluster-autoscaler`; then
#     set the node group's `iam.withAddonPolicies` switch to `false` (or remove it), and block pod
#     access to IMDS (`disablePodIMDS: true`, or an IMDSv2 hop limit of 1).
#   tags: [eksctl, node-role]
package rolecall.rules.nodegroup_addon_policies

import data.rolecall.lib

deny contains lib.finding(p.id, ng.id, msg) if {
	some ng in input.node_groups
	some p in ng.addon_policies
	msg := sprintf(
		"node group %s of cluster %s gives its node role the %s add-on permissions (iam.withAddonPolicies.%s): every pod on its nodes that reaches the instance metadata service can use them; grant them to the controller's ServiceAccount with IRSA or Pod Identity instead",
		[ng.name, _cluster_name(ng.cluster), p.name, p.name],
	)
}

_cluster_name(c) := c if {
	c != ""
} else := "(unnamed)"
