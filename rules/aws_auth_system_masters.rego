# METADATA
# title: aws-auth mapping grants system:masters
# description: >-
#   A `mapRoles`/`mapUsers` entry puts its principal in the `system:masters` group. That group
#   bypasses RBAC and every authorization webhook, and deleting RBAC bindings cannot revoke it: every session of the mapped role or user is cluster-admin. The rule judges
#   what the authenticator effectively applies: entries it drops (D3.4), entries overridden by a
#   later duplicate (D5.3, reported by aws-auth-duplicate-mapping), `groups` with a type error
#   (left empty, D3.3/X36) and ARNs that never match (an IAM path, D4.3; a session ARN; a wildcard)
#   stay quiet here — the most specific rule reports them, and aws-auth-role-arn-has-path names
#   the `system:masters` grant waiting behind a path. Sources of clusters in `API` mode are skipped
#   (none of aws-auth applies, E1.4); a mapping overridden by an access entry (E1.3) still fires,
#   because deleting that access entry revives it.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
#   - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
# custom:
#   id: RC401
#   name: aws-auth-system-masters
#   severity: high
#   remediation: >-
#     Replace `system:masters` with a group bound to a scoped (Cluster)Role, e.g. `groups:
#     [platform-admins]` plus a ClusterRoleBinding of `platform-admins`, or move the principal to an
#     access entry with `AmazonEKSClusterAdminPolicy` so it can be revoked.
#   tags: [aws-auth, cluster-admin]
package rolecall.rules.aws_auth_system_masters

import data.rolecall.lib

deny contains lib.finding(e.id, auth.id, msg) if {
	some auth in input.aws_auth
	auth.authentication_mode != "API"
	some e in array.concat(auth.map_roles, auth.map_users)
	_effective(e)
	"system:masters" in e.groups
	msg := sprintf(
		"%s of %s maps %s into system:masters: whoever authenticates as it is cluster-admin, bypassing RBAC, and no RBAC change can revoke it%s",
		[_entry_label(e), _source_label(auth), _principal(e), _sso_note(e)],
	)
}

_effective(e) if {
	e.invalid == ""
	e.shadowed == ""
	e.arn_path == ""
	not e.arn_wildcard
	not e.arn_kind in {"assumed-role", "invalid"}
}

_principal(e) := sprintf("IAM user %s", [e.arn]) if {
	e.arn_kind == "user"
} else := sprintf("the root user of %s", [e.arn]) if {
	e.arn_kind == "root"
} else := sprintf("role %s", [e.arn]) if {
	e.arn_kind == "role"
} else := "every role the sso matcher selects" if {
	e.arn == ""
} else := e.arn

_sso_note(e) := " (the sso matcher is active only when the authenticator's SSORoleMatch feature gate is on)" if {
	e.arn == ""
	e.sso
} else := ""

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
