# METADATA
# title: aws-auth entry parses but cannot work
# description: >-
#   The section parses, yet one entry silently fails: the authenticator drops an entry that fails
#   validation — no `rolearn`/`sso`, both, a bad `sso` block, no `userarn`; an ARN with `*` or `?` is compared literally and never matches (D4.6); an ARN that is
#   not an IAM role, user, root or federated-user ARN never equals a caller's canonical ARN (D4.2);
#   and a field of the wrong type (`groups: system:masters` as a string, a numeric `username`) is
#   left empty while the entry is still used, e.g. authenticating with no groups (D3.3, X36); an
#   `sso` matcher with `partition` set never matches (an authenticator quirk, D2.5). One
#   finding per entry, listing all its problems. Problems another rule reports more precisely are
#   left to it: a path in `rolearn` (aws-auth-role-arn-has-path), a session ARN
#   (aws-auth-session-arn), a missing ARN caused by a misspelled key (aws-auth-unrecognized-key),
#   an entry overridden by a later duplicate (aws-auth-duplicate-mapping). Sources of clusters in
#   `API` mode are skipped (E1.4).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
#   - ref: https://github.com/kubernetes-sigs/aws-iam-authenticator#full-configuration-format
# custom:
#   id: RC411
#   name: aws-auth-malformed-entry
#   severity: medium
#   remediation: >-
#     Make every entry complete and literal: one exact ARN per entry (list each role instead of
#     `role/team-*`), exactly one of `rolearn` or `sso` under `mapRoles`, `userarn` under
#     `mapUsers`, and `groups` as a list, e.g. `groups: [system:masters]` rather than
#     `groups: system:masters`.
#   tags: [aws-auth]
package rolecall.rules.aws_auth_malformed_entry

import data.rolecall.lib

deny contains lib.finding(e.id, auth.id, msg) if {
	some auth in input.aws_auth
	auth.authentication_mode != "API"
	some e in array.concat(auth.map_roles, auth.map_users)
	e.shadowed == ""
	problems := array.concat(
		array.concat(_dropped(e), _missing_arn(e)),
		array.concat(_unmatchable(e), _type_errors(e)),
	)
	count(problems) > 0
	msg := sprintf("%s of %s cannot work as written: %s", [_entry_label(e), _source_label(auth), concat("; ", problems)])
}

# _dropped: the entry fails Validate and is dropped, unless a misspelled ARN key explains it.
_dropped(e) := [sprintf("the authenticator rejects it (%s) and drops the entry", [e.invalid])] if {
	e.invalid != ""
	not _arn_key_typo(e)
} else := []

_arn_key_typo(e) if {
	e.arn == ""
	some k in e.unknown_keys
	n := regex.replace(lower(k.key), `[^a-z]`, "")
	_arn_like(e.section, n)
}

_arn_like(_, n) if contains(n, "arn")

_arn_like("mapRoles", n) if contains(n, "role")

_arn_like("mapUsers", n) if n in {"user", "users", "iamuser"}

_missing_arn(e) := [sprintf("it has no %s, so it never matches", [_arn_key(e)])] if {
	e.invalid == ""
	e.arn == ""
	not e.sso
} else := []

_unmatchable(e) := [sprintf("%s %s contains a wildcard, but ARNs are compared literally, so it never matches", [_arn_key(e), e.arn])] if {
	e.arn_wildcard
	e.arn_kind != "assumed-role"
} else := [sprintf("%s %s is not an IAM role, user, root or federated-user ARN, so no caller ever matches it", [_arn_key(e), e.arn])] if {
	e.arn_kind == "invalid"
} else := ["sso.partition is set, and the authenticator then builds a pattern with an empty partition that never matches (drop sso.partition)"] if {
	# sso_arn_like: the sso matcher's lower-cased ARN pattern (proposed input field, D2.5 quirk).
	e.sso
	startswith(object.get(e, "sso_arn_like", ""), "arn::")
} else := []

_type_errors(e) := [sprintf("%s (%s)", [te, _left_empty(te)]) | some te in e.type_errors]

_left_empty(te) := "left empty: the entry authenticates with no groups" if {
	startswith(te, "groups:")
} else := "left empty: the entry authenticates with an empty username" if {
	startswith(te, "username:")
} else := "the value is ignored"

_arn_key(e) := "rolearn" if e.section == "mapRoles"

else := "userarn"

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
