# METADATA
# title: IAM user has cluster access
# description: >-
#   An IAM user authenticates with long-lived access keys that leak through laptops, CI variables
#   and logs and are rarely rotated; roles give short-lived, auditable sessions. The rule fires on
#   an aws-auth entry that effectively maps an IAM user (or the account root user) — under
#   `mapUsers`, or under `mapRoles`, which is not type-checked — and on an
#   access entry whose principal is an IAM user (E2.1). The principal kind comes from the ARN: a
#   role ARN under `mapUsers` is not an IAM user. Dropped, overridden or never-matching aws-auth
#   entries stay quiet (other aws-auth rules report them), as do sources of clusters in `API` mode.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-users-federation-idp
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
# custom:
#   id: RC409
#   name: iam-user-cluster-access
#   severity: low
#   remediation: >-
#     Give the person or pipeline a role and map that instead: e.g. an IAM Identity Center
#     permission set or `arn:aws:iam::111122223333:role/ci-deployer` (assumed via OIDC federation
#     for CI) as an access entry or `mapRoles` entry, then delete the `mapUsers` entry or user
#     access entry and the user's access keys.
#   tags: [aws-auth, access-entry, iam-user]
package rolecall.rules.iam_user_cluster_access

import data.rolecall.lib

deny contains lib.finding(e.id, auth.id, msg) if {
	some i, auth in input.aws_auth
	auth.authentication_mode != "API"
	some e in array.concat(auth.map_roles, auth.map_users)
	_effective(e)
	e.arn_kind in {"user", "root"}
	not _dead_copy(i, e)
	msg := sprintf(
		"%s of %s gives %s cluster access%s: its long-lived credentials authenticate to Kubernetes; map a role instead",
		[_entry_label(e), _source_label(auth), _principal(e), _groups(e)],
	)
}

deny contains lib.finding(ae.id, ae.id, msg) if {
	some ae in input.access_entries
	ae.principal_kind == "user"
	msg := sprintf(
		"access entry %s gives IAM user %s access to %s: its long-lived access keys authenticate to Kubernetes; create the access entry for a role instead",
		[ae.id, ae.principal_arn, _cluster_label(ae.cluster)],
	)
}

_effective(e) if {
	e.invalid == ""
	e.shadowed == ""
	not e.arn_wildcard
}

# _dead_copy: a mapUsers entry whose ARN a mapRoles entry already maps (mapRoles is searched
# first, D5.1): aws-auth-duplicate-mapping reports it; the mapRoles entry carries this finding.
_dead_copy(i, e) if {
	e.section == "mapUsers"
	[i, lower(e.arn)] in _mapped_role_arns
}

# _mapped_role_arns: [aws_auth position, lower-cased ARN] of every valid mapRoles entry, built
# once per evaluation so each mapUsers entry costs a lookup, not a scan of mapRoles.
_mapped_role_arns := {[i, lower(r.arn)] |
	some i, auth in input.aws_auth
	some r in auth.map_roles
	r.invalid == ""
}

_principal(e) := sprintf("IAM user %s", [e.arn]) if e.arn_kind == "user"

else := sprintf("the root user of %s", [e.arn])

_groups(e) := sprintf(" (groups [%s])", [concat(", ", e.groups)])

_cluster_label(name) := sprintf("cluster %s", [name]) if name != ""

else := "the cluster"

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
