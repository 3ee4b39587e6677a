# METADATA
# title: aws-auth auto-maps every principal of an AWS account
# description: >-
#   Each `mapAccounts` value makes every IAM user and role of that account authenticate to the
#   cluster, as its own canonical ARN with no groups, whenever no `mapRoles`/`mapUsers` entry
#   matches. Whatever RBAC grants those usernames or
#   `system:authenticated` then applies to every principal of the account, including roles created
#   later and roles assumable by third parties, and nothing in aws-auth says who they are. One
#   finding per listed account. Sources of clusters in `API` mode are skipped (E1.4).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
#   - ref: https://github.com/kubernetes-sigs/aws-iam-authenticator#full-configuration-format
# custom:
#   id: RC405
#   name: aws-auth-map-accounts
#   severity: medium
#   remediation: >-
#     Remove `mapAccounts` and map the roles that need access explicitly, e.g.
#     `- rolearn: arn:aws:iam::111122223333:role/deployer` with `username: deployer` and
#     `groups: [deployers]` under `mapRoles`, or create an access entry per principal.
#   tags: [aws-auth]
package rolecall.rules.aws_auth_map_accounts

import data.rolecall.lib

deny contains lib.finding(a.id, auth.id, msg) if {
	some auth in input.aws_auth
	auth.authentication_mode != "API"
	some a in auth.map_accounts
	msg := sprintf(
		"mapAccounts of %s lists account %s%s: every IAM user and role of that account authenticates to the cluster as its own ARN (no groups) and gets whatever RBAC grants those usernames or system:authenticated",
		[_source_label(auth), a.account, _foreign(a.account)],
	)
}

_foreign(account) := " (not one of the known accounts)" if {
	count(object.get(input, "known_accounts", [])) > 0
	not account in _known_accounts
} else := ""

# A set, so each mapAccounts entry costs a lookup rather than a scan of the known accounts.
_known_accounts := {a | some a in input.known_accounts}

_source_label(auth) := sprintf("%s of cluster %s", [_kind_label(auth.kind), auth.cluster]) if {
	auth.cluster != ""
} else := _kind_label(auth.kind)

_kind_label(kind) := "the aws-auth ConfigMap" if {
	kind == "configmap"
} else := "the authenticator server config" if {
	kind == "server-config"
} else := "the IAMIdentityMapping resources" if {
	kind == "crd"
} else := "the authenticator dynamic mapping file" if {
	kind == "dynamic-file"
} else := sprintf("the %s mapping source", [kind])
