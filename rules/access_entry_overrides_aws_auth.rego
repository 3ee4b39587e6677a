# METADATA
# title: Access entry overrides an aws-auth mapping of the same principal
# description: >-
#   In `API_AND_CONFIG_MAP` mode a principal has both an EKS access entry and an effective
#   `aws-auth` mapping. The access entry wins and the ConfigMap mapping is ignored (E1.3), so
#   the username and groups a reviewer reads in `aws-auth` are not what the principal gets. The
#   dead mapping comes back to life when the access entry is deleted, possibly with more
#   privileges (e.g. `system:masters`) than the access entry grants.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
# custom:
#   id: RC422
#   name: access-entry-overrides-aws-auth
#   severity: low
#   remediation: >-
#     Delete the overridden `mapRoles`/`mapUsers` entry (e.g. the `rolearn:
#     arn:aws:iam::111122223333:role/ops` item) from the aws-auth ConfigMap so the access entry
#     is the only mapping; give the access entry the Kubernetes groups or access policies the
#     principal actually needs.
#   tags: [aws-auth, access-entry]
package rolecall.rules.access_entry_overrides_aws_auth

import data.rolecall.lib

# One finding per effective aws-auth entry an access entry overrides (the dead config).
deny contains lib.finding(e.id, auth.id, msg) if {
	some auth in input.aws_auth
	auth.authentication_mode == "API_AND_CONFIG_MAP"
	some e in array.concat(_arr(auth.map_roles), _arr(auth.map_users))
	_effective(e)
	ae_id := _overriding_entry(auth, e)
	msg := sprintf(
		"%s of %s maps %s (username %q, groups [%s]), but access entry %s for the same principal overrides it in API_AND_CONFIG_MAP mode: the mapping is dead config that revives if the access entry is deleted; remove it from aws-auth",
		[_entry_label(e), _source_label(auth), e.arn, e.username, concat(", ", _arr(e.groups)), ae_id],
	)
}

# _effective: entries the authenticator would apply (D3.4, D5.3); rolearn values with a path or
# a wildcard never match a caller (D4.3), so there is nothing for an access entry to override.
_effective(e) if {
	e.invalid == ""
	e.shadowed == ""
	e.arn != ""
	e.arn_path == ""
	not e.arn_wildcard
}

# _overriding_entry: the (lexically first, for determinism) access entry of the same cluster
# whose principal is the entry's ARN. The authenticator compares case-insensitively (D4.6),
# and an access entry's role ARN may carry a path that the canonical caller ARN never has
# (E2.1, D4.2), so role ARNs are compared path-stripped.
_overriding_entry(auth, e) := _first_access_entry[[auth.cluster, _canonical(e.arn)]]

# _first_access_entry: [cluster, canonical principal ARN] -> the lexically first access entry
# id, built once per evaluation so each aws-auth entry costs a lookup, not a scan of every
# access entry (and a regex per pair). The id set comprehension is indexed on k by OPA
# (comprehension indexing), which keeps the group-by linear.
_first_access_entry := {k: min(ids) |
	some k in _access_entry_keys
	ids := {x.id |
		some x in input.access_entries
		[x.cluster, _canonical(x.principal_arn)] == k
	}
}

_access_entry_keys := {[x.cluster, _canonical(x.principal_arn)] | some x in input.access_entries}

_canonical(arn) := regex.replace(lower(arn), `^(arn:[^:]+:iam::[^:]*:role/)(?:[^/]*/)*([^/]+)$`, "${1}${2}")

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

_arr(v) := v if {
	is_array(v)
} else := []
