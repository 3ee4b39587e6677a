# METADATA
# title: aws-auth username is in a reserved system namespace
# description: >-
#   Usernames starting with `system:`, `eks:`, `aws:`, `amazon:` or `iam:` belong to Kubernetes
#   components, EKS and AWS (EKS rejects them for access entries). In aws-auth
#   nothing stops them (D2.4), so the mapped principal impersonates a built-in identity — e.g.
#   `system:kube-controller-manager`, `system:serviceaccount:kube-system:…` or an `eks:` component
#   — and inherits every RBAC binding and Node-authorizer rule written for it. The node templates
#   `system:node:{{EC2PrivateDNSName}}` and `system:node:{{SessionName}}` (EC2, Fargate and hybrid
#   nodes, D7.2) are the intended exception; whether they sit on a real node role is
#   aws-auth-non-node-in-node-groups' business. An empty username is not reserved. Only entries
#   the authenticator effectively applies are judged; sources of clusters in `API` mode are
#   skipped (E1.4).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
#   - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#core-component-roles
# custom:
#   id: RC407
#   name: aws-auth-reserved-username
#   severity: medium
#   remediation: >-
#     Give the entry a username outside the reserved prefixes that identifies the principal, e.g.
#     `username: "deployer:{{SessionName}}"`, and grant its permissions through a group bound to a
#     dedicated (Cluster)Role instead of borrowing a built-in identity.
#   tags: [aws-auth]
package rolecall.rules.aws_auth_reserved_username

import data.rolecall.lib

_reserved_prefixes := ["system:", "eks:", "aws:", "amazon:", "iam:"]

_node_templates := {"system:node:{{EC2PrivateDNSName}}", "system:node:{{SessionName}}"}

deny contains lib.finding(e.id, auth.id, msg) if {
	some auth in input.aws_auth
	auth.authentication_mode != "API"
	some e in array.concat(auth.map_roles, auth.map_users)
	_effective(e)
	strings.any_prefix_match(e.username, _reserved_prefixes)
	not e.username in _node_templates
	msg := sprintf(
		"%s of %s maps %s to username %q, in a namespace reserved for %s: it impersonates that built-in identity and inherits its RBAC bindings",
		[_entry_label(e), _source_label(auth), _principal(e), e.username, _owner(e.username)],
	)
}

_effective(e) if {
	e.invalid == ""
	e.shadowed == ""
	e.arn_path == ""
	not e.arn_wildcard
	not e.arn_kind in {"assumed-role", "invalid"}
}

_owner(u) := "Kubernetes nodes (only system:node:{{EC2PrivateDNSName}} / {{SessionName}} are node templates)" if {
	startswith(u, "system:node:")
} else := "Kubernetes ServiceAccounts" if {
	startswith(u, "system:serviceaccount:")
} else := "Kubernetes components" if {
	startswith(u, "system:")
} else := "EKS components" if {
	startswith(u, "eks:")
} else := "AWS"

_principal(e) := e.arn if e.arn != ""

else := "an sso matcher"

_entry_label(e) := sprintf("%s entry %d", [e.section, e.index])

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
