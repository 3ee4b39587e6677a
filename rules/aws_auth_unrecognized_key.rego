# METADATA
# title: aws-auth key is not read by the authenticator
# description: >-
#   The authenticator reads exactly the data keys `mapRoles`, `mapUsers` and `mapAccounts`,
#   case-sensitively: `mapusers` or `MapRoles` is silently ignored with every
#   mapping under it. Inside an entry, keys are matched case-insensitively but anything else —
#   `rolArn`, `group`, `user_name` — is dropped by the JSON decoder without an error (D1.5), so the
#   entry loses its ARN (and is then dropped, D3.4) or its groups. One finding per key, on the key;
#   when the key cost the entry its ARN, this finding says so and aws-auth-malformed-entry does not
#   repeat it (most specific rule wins). Sources of clusters in `API` mode are skipped (E1.4).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
#   - ref: https://github.com/kubernetes-sigs/aws-iam-authenticator#full-configuration-format
# custom:
#   id: RC410
#   name: aws-auth-unrecognized-key
#   severity: medium
#   remediation: >-
#     Rename the key to the one the authenticator reads: data keys `mapRoles`, `mapUsers`,
#     `mapAccounts` (exact case); entry keys `rolearn`/`userarn`, `username`, `groups` (a list, e.g.
#     `groups: [deployers]`) and, for `mapRoles`, `sso` with `permissionSetName`, `accountID`,
#     `partition`.
#   tags: [aws-auth]
package rolecall.rules.aws_auth_unrecognized_key

import data.rolecall.lib

deny contains lib.finding(k.id, auth.id, msg) if {
	some auth in input.aws_auth
	auth.authentication_mode != "API"
	some k in auth.unrecognized_keys
	msg := sprintf(
		"data key %q of %s is not read by the authenticator (it reads only mapRoles, mapUsers and mapAccounts, case-sensitively), so everything under it is silently ignored%s",
		[k.key, _source_label(auth), _meant_hint(_section_meant(k.key))],
	)
}

deny contains lib.finding(k.id, auth.id, msg) if {
	some auth in input.aws_auth
	auth.authentication_mode != "API"
	some e in array.concat(auth.map_roles, auth.map_users)
	some k in e.unknown_keys
	meant := _entry_meant(e.section, k.key)
	msg := sprintf(
		"%s of %s has key %q, which the authenticator does not read, so its value is silently ignored%s%s",
		[_entry_label(e), _source_label(auth), k.key, _meant_hint(meant), _consequence(e, meant)],
	)
}

_meant_hint(meant) := sprintf("; it was probably meant to be %q", [meant]) if meant != ""

else := ""

# _consequence: what the entry lost because of the ignored key.
_consequence(e, meant) := sprintf(" (without it the entry has no %s and is dropped: %s)", [meant, e.invalid]) if {
	meant in {"rolearn", "userarn"}
	e.invalid != ""
} else := " (without it the entry authenticates with no groups)" if {
	meant == "groups"
	count(e.groups) == 0
} else := ""

_section_meant(key) := "mapRoles" if {
	contains(_norm(key), "role")
} else := "mapUsers" if {
	contains(_norm(key), "user")
} else := "mapAccounts" if {
	contains(_norm(key), "ccount")
} else := ""

_entry_meant(section, key) := _sso_meant(_norm(substring(key, 4, -1))) if {
	startswith(lower(key), "sso.")
} else := "groups" if {
	contains(_norm(key), "group")
} else := _arn_key(section) if {
	contains(_norm(key), "arn")
} else := "rolearn" if {
	section == "mapRoles"
	contains(_norm(key), "role")
} else := "sso" if {
	section == "mapRoles"
	_norm(key) in {"ss", "so", "ssos", "permissionset", "identitycenter"}
} else := "userarn" if {
	section == "mapUsers"
	_norm(key) in {"user", "users", "iamuser"}
} else := "username" if {
	contains(_norm(key), "name")
} else := "username" if {
	contains(_norm(key), "user")
} else := ""

_sso_meant(n) := "sso.permissionSetName" if {
	contains(n, "permission")
} else := "sso.permissionSetName" if {
	contains(n, "set")
} else := "sso.accountID" if {
	contains(n, "account")
} else := "sso.partition" if {
	contains(n, "partition")
} else := ""

_arn_key(section) := "rolearn" if section == "mapRoles"

else := "userarn"

# _norm: lower-case letters only ("Role_ARN" -> "rolearn").
_norm(key) := regex.replace(lower(key), `[^a-z]`, "")

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
