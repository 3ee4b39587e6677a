# METADATA
# title: aws-auth mappings are ignored because the cluster is in API mode
# description: >-
#   The cluster's authentication mode is `API`: only access entries authenticate IAM principals,
#   and nothing in the `aws-auth` ConfigMap (or other authenticator mapping source) applies
#   (E1.4). The mappings mislead reviewers and tools that read them as the cluster's access,
#   and principals that rely on them (node roles included) cannot authenticate.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html
# custom:
#   id: RC423
#   name: aws-auth-ignored-in-api-mode
#   severity: info
#   remediation: >-
#     Create access entries for the principals that need access (e.g. `aws eks
#     create-access-entry --cluster-name prod --principal-arn
#     arn:aws:iam::111122223333:role/ops`), then delete the ConfigMap with `kubectl -n
#     kube-system delete configmap aws-auth`.
#   tags: [aws-auth, access-entry]
package rolecall.rules.aws_auth_ignored_in_api_mode

import data.rolecall.lib

deny contains lib.finding(auth.id, auth.id, msg) if {
	some auth in input.aws_auth
	auth.authentication_mode == "API"
	msg := sprintf(
		"%s exists but cluster %s is in API authentication mode: none of its %d mapRoles and %d mapUsers entries applies; create access entries for the principals that need access and delete it",
		[_kind_label(auth.kind), auth.cluster, count(_arr(auth.map_roles)), count(_arr(auth.map_users))],
	)
}

_kind_label(kind) := "the aws-auth ConfigMap" if {
	kind == "configmap"
} else := "the authenticator server config" if {
	kind == "server-config"
} else := "the IAMIdentityMapping resources" if {
	kind == "crd"
} else := "the authenticator dynamic mapping file" if {
	kind == "dynamic-file"
} else := sprintf("the %s mapping source", [kind])

_arr(v) := v if {
	is_array(v)
} else := []
