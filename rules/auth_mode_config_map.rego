# METADATA
# title: Cluster authenticates IAM principals only through the aws-auth ConfigMap
# description: >-
#   The cluster's authentication mode is `CONFIG_MAP` (also the mode of a cluster described
#   without `accessConfig`): access entries are unavailable and every IAM mapping lives in the
#   deprecated `aws-auth` ConfigMap, where one malformed section silently drops whole
#   mappings (node roles included), duplicates resolve last-wins, and the cluster creator's
#   implicit `system:masters` may be invisible. Access entries are managed through the EKS API,
#   audited in CloudTrail and guarded by IAM.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
# custom:
#   id: RC421
#   name: auth-mode-config-map
#   severity: info
#   remediation: >-
#     Switch to `API_AND_CONFIG_MAP`, e.g. `aws eks update-cluster-config --name prod
#     --access-config authenticationMode=API_AND_CONFIG_MAP`, create access entries for the
#     aws-auth mappings, then move to `API` and delete the ConfigMap (the change is one-way).
#   tags: [aws-auth, access-entry]
package rolecall.rules.auth_mode_config_map

import data.rolecall.lib

deny contains lib.finding(c.id, c.id, msg) if {
	some c in input.clusters
	c.described == true
	c.authentication_mode == "CONFIG_MAP"
	msg := sprintf(
		"cluster %s uses authentication mode CONFIG_MAP: access entries are unavailable and IAM access lives only in the deprecated aws-auth ConfigMap; switch to API_AND_CONFIG_MAP and migrate the mappings to access entries",
		[_name(c)],
	)
}

_name(c) := c.name if {
	c.name != ""
} else := c.id
