# METADATA
# title: aws-auth maps the same ARN more than once
# description: >-
#   The authenticator stores entries in a map, so when two `mapRoles` entries name the same ARN
#   (compared case-insensitively) only the **last** one takes effect: the
#   earlier entry is dead config, and a reviewer reading it sees groups that do not apply. Worse
#   cases are reported too (tool policy, D5.3): `mapUsers` entries whose `userarn` differs only in
#   case are both kept and which one applies is non-deterministic; an `sso` matcher selecting the
#   same role as a `rolearn` entry is non-deterministic as well; and a `mapUsers` entry naming an ARN
#   that a `mapRoles` entry already maps never applies, because `mapRoles` is searched first
#   (D5.1, D5.2). The finding is on the entry that does not (reliably) apply and names the one
#   that does. Sources of clusters in `API` mode are skipped (E1.4).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
#   - ref: https://github.com/kubernetes-sigs/aws-iam-authenticator#full-configuration-format
# custom:
#   id: RC404
#   name: aws-auth-duplicate-mapping
#   severity: medium
#   remediation: >-
#     Keep exactly one entry per ARN: merge the groups you intend into that entry (e.g. one
#     `- rolearn: arn:aws:iam::111122223333:role/dev` with `groups: [view]`) and delete the other
#     entries, including `mapUsers` copies of ARNs already under `mapRoles` and `sso` matchers that
#     overlap a `rolearn` entry.
#   tags: [aws-auth]
package rolecall.rules.aws_auth_duplicate_mapping

import data.rolecall.lib

deny contains lib.finding(e.id, auth.id, msg) if {
	some i, auth in input.aws_auth
	auth.authentication_mode != "API"
	some e in array.concat(auth.map_roles, auth.map_users)
	e.invalid == ""
	msg := _duplicate(i, auth, e)
}

# _duplicate explains why e does not (reliably) apply; at most one reason per entry. i is the
# position of auth in input.aws_auth, the key of the per-source lookups below.
_duplicate(i, auth, e) := msg if {
	e.shadowed != ""
	some w in _lookup(_entries_by_id, [i, e.shadowed])
	msg := sprintf(
		"%s of %s maps the same ARN as %s (%s), which comes later and wins: only the last entry takes effect, so this one (groups %s) is dead config and %s grants groups %s",
		[_label(e), _source_label(auth), _label(w), w.arn, _groups(e), _label(w), _groups(w)],
	)
} else := msg if {
	e.shadowed != ""
	msg := sprintf(
		"%s of %s maps the same ARN as %s, which comes later and wins: only the last entry takes effect, so this one (groups %s) is dead config",
		[_label(e), _source_label(auth), e.shadowed, _groups(e)],
	)
} else := msg if {
	e.shadowed == ""
	e.arn != ""
	later := [o |
		some o in _lookup(_live_by_arn, [i, e.section, lower(e.arn)])
		o.index > e.index
		o.arn != e.arn
	]
	count(later) > 0
	o := _first(later)
	msg := sprintf(
		"%s of %s (%s) and %s (%s) name the same ARN in different case: the authenticator keeps both and which one applies is non-deterministic (groups %s vs %s)",
		[_label(e), _source_label(auth), e.arn, _label(o), o.arn, _groups(e), _groups(o)],
	)
} else := msg if {
	e.shadowed == ""
	e.section == "mapUsers"
	e.arn != ""
	roles := _lookup(_live_by_arn, [i, "mapRoles", lower(e.arn)])
	count(roles) > 0
	r := _first(roles)
	msg := sprintf(
		"%s of %s maps %s, which %s already maps: mapRoles is searched first, so this entry (groups %s) never applies and the caller gets groups %s",
		[_label(e), _source_label(auth), e.arn, _label(r), _groups(e), _groups(r)],
	)
} else := msg if {
	# sso_arn_like: the lower-cased ARN pattern of an sso matcher (proposed input field).
	e.shadowed == ""
	e.arn == ""
	e.sso
	pattern := object.get(e, "sso_arn_like", "")
	pattern != ""
	roles := [r |
		some r in auth.map_roles
		_live(r)
		r.arn != ""
		glob.match(pattern, [], lower(r.arn))
	]
	count(roles) > 0
	r := _first(roles)
	msg := sprintf(
		"%s of %s is an sso matcher (%s) that also selects %s, mapped by %s: which entry applies to that role is non-deterministic (groups %s vs %s)",
		[_label(e), _source_label(auth), pattern, r.arn, _label(r), _groups(e), _groups(r)],
	)
}

_live(e) if {
	e.invalid == ""
	e.shadowed == ""
}

# Lookups built once per evaluation, so that each entry costs a lookup instead of a scan of
# its whole source. Group-by values are arrays (duplicates are kept, as a scan would see them);
# the inner comprehensions are indexed on k by OPA (comprehension indexing), which keeps the
# grouping linear.

# _entries_by_id: [i, id] -> the mapRoles and mapUsers entries of input.aws_auth[i] with that id.
_entries_by_id := {k: ws |
	some k in {[i, w.id] | some i, auth in input.aws_auth; some w in _entries(auth)}
	ws := [w | some j, auth in input.aws_auth; some w in _entries(auth); [j, w.id] == k]
}

# _live_by_arn: [i, section, lower-cased ARN] -> the live entries of that section of
# input.aws_auth[i] with that ARN, ignoring case.
_live_by_arn := {k: es |
	some k in {[i, s, lower(o.arn)] | some i, auth in input.aws_auth; some [s, o] in _live_entries(auth)}
	es := [o | some j, auth in input.aws_auth; some [s, o] in _live_entries(auth); [j, s, lower(o.arn)] == k]
}

# _lookup: the group under key k, [] when there is none (object.get would read an array key as
# a path).
_lookup(groups, k) := groups[k] if {
	groups[k]
} else := []

_entries(auth) := array.concat(auth.map_roles, auth.map_users)

# _live_entries: [section, entry] pairs; the section is the list the entry is in.
_live_entries(auth) := [[s, o] |
	some [s, key] in [["mapRoles", "map_roles"], ["mapUsers", "map_users"]]
	some o in auth[key]
	_live(o)
]

# _first: the entry with the lowest index.
_first(entries) := e if {
	low := min([x.index | some x in entries])
	some e in entries
	e.index == low
}

_groups(e) := sprintf("[%s]", [concat(", ", e.groups)])

_label(e) := sprintf("%s entry %d", [e.section, e.index])

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
