# METADATA
# title: aws-auth gives node groups to a user or a non-node role
# description: >-
#   `system:nodes` and `system:bootstrappers` are the groups of kubelets:
#   with them a principal can act as a node (read objects bound to pods, update node and pod
#   status) or request node client certificates. Only node and Fargate pod-execution roles should
#   get them. The rule fires on an entry that is effectively applied (not dropped, not overridden,
#   with an ARN that can match) and whose principal is an IAM user, a root or federated user, an
#   `sso` matcher, or a role that is not a node role: a loaded role whose trust admits anything
#   besides `ec2.amazonaws.com`/`eks-fargate-pods.amazonaws.com`, or — when the role is not
#   loaded — an entry whose username is not a node template (`system:node:{{EC2PrivateDNSName}}`,
#   `system:node:{{SessionName}}`). The principal kind comes from the ARN, not the section: a role
#   ARN under `mapUsers` is judged as a role (D5.2). Sources of clusters in `API` mode are skipped.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html
#   - ref: https://kubernetes.io/docs/reference/access-authn-authz/node/
# custom:
#   id: RC406
#   name: aws-auth-non-node-in-node-groups
#   severity: high
#   remediation: >-
#     Remove `system:nodes`/`system:bootstrappers` from the entry and give it a group bound to the
#     permissions it needs, e.g. `groups: [deployers]`; keep node groups only on node roles mapped
#     as `username: system:node:{{EC2PrivateDNSName}}` whose trust allows only
#     `ec2.amazonaws.com` (or `eks-fargate-pods.amazonaws.com`).
#   tags: [aws-auth, node]
package rolecall.rules.aws_auth_non_node_in_node_groups

import data.rolecall.lib

_node_groups := {"system:nodes", "system:bootstrappers"}

_node_templates := {"system:node:{{EC2PrivateDNSName}}", "system:node:{{SessionName}}"}

deny contains lib.finding(e.id, auth.id, msg) if {
	some auth in input.aws_auth
	auth.authentication_mode != "API"
	some e in array.concat(auth.map_roles, auth.map_users)
	_effective(e)
	granted := sort([g | some g in _node_groups; g in e.groups])
	count(granted) > 0
	reason := _not_a_node(e)
	msg := sprintf(
		"%s of %s gives %s the node group%s %s, but %s: it gets node-level Kubernetes privileges",
		[_entry_label(e), _source_label(auth), _principal(e), _plural(granted), concat(" and ", granted), reason],
	)
}

_effective(e) if {
	e.invalid == ""
	e.shadowed == ""
	e.arn_path == ""
	not e.arn_wildcard
	not e.arn_kind in {"assumed-role", "invalid"}
}

# _not_a_node is undefined for node roles.
_not_a_node(e) := "it is an IAM user, not a node role" if {
	e.arn_kind == "user"
} else := "the account root user is not a node role" if {
	e.arn_kind == "root"
} else := "a federated user is not a node role" if {
	e.arn_kind == "federated-user"
} else := "an sso matcher selects IAM Identity Center roles, which are not node roles" if {
	e.arn == ""
	e.sso
} else := "its trust policy admits principals other than ec2.amazonaws.com and eks-fargate-pods.amazonaws.com, so it is not a node role" if {
	e.arn_kind == "role"
	e.role_loaded
	not e.node_role
} else := sprintf("its username %q is not a node template (system:node:{{EC2PrivateDNSName}} or system:node:{{SessionName}})", [e.username]) if {
	e.arn_kind == "role"
	not e.role_loaded
	not e.username in _node_templates
}

_principal(e) := sprintf("IAM user %s", [e.arn]) if {
	e.arn_kind == "user"
} else := sprintf("role %s", [e.arn]) if {
	e.arn_kind == "role"
} else := "the roles of an sso matcher" if {
	e.arn == ""
} else := e.arn

_plural(gs) := "s" if count(gs) > 1

else := ""

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
