# METADATA
# title: ServiceAccount annotation key is a near-miss of an IRSA annotation
# description: >-
#   The EKS Pod Identity webhook reads exactly `eks.amazonaws.com/role-arn`, `…/audience`,
#   `…/token-expiration` and `…/sts-regional-endpoints` on a ServiceAccount;
#   Kubernetes annotation keys are case-sensitive. A key that differs by case, punctuation, a
#   mistyped prefix (`eks.amazon.com/role-arn`) or one or two characters is silently ignored, so
#   the pods run without the intended role, audience or setting and nothing reports why.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#   - ref: https://github.com/aws/amazon-eks-pod-identity-webhook
# custom:
#   id: RC304
#   name: sa-annotation-typo
#   severity: medium
#   remediation: >-
#     Rename the key to the exact annotation, e.g. `eks.amazonaws.com/role-arn:
#     arn:aws:iam::111122223333:role/payments-api`, then restart the pods (the webhook only
#     mutates new pods).
#   tags: [irsa, kubernetes]
package rolecall.rules.sa_annotation_typo

import data.rolecall.lib

# Close means: same key ignoring case and -_./ punctuation; or the same annotation name under
# a prefix that mentions eks or amazon (eks.amazon.com/role-arn, iam.amazonaws.com/role-arn);
# or at most two single-character edits of the whole key (lower-cased). kube2iam's
# iam.amazonaws.com/role is a different annotation name and is not close.
deny contains lib.finding(a.id, sa.id, msg) if {
	some sa in input.service_accounts
	some a in sa.annotations
	not a.key in _canonical
	near := {c | some c in _canonical; _close(a.key, c)}
	count(near) > 0
	intended := sort(near)[0]
	msg := sprintf(
		"annotation %q on ServiceAccount %s/%s (%s) is not %s and is ignored by the EKS Pod Identity webhook, %s; rename it to %s",
		[a.key, sa.namespace, sa.name, _cluster_name(sa.cluster), intended, _effect(sa, intended), intended],
	)
}

_canonical := {
	"eks.amazonaws.com/role-arn",
	"eks.amazonaws.com/audience",
	"eks.amazonaws.com/token-expiration",
	"eks.amazonaws.com/sts-regional-endpoints",
}

_effect(sa, intended) := sprintf("so it is dead config next to the real %s annotation", [intended]) if {
	some a in sa.annotations
	a.key == intended
} else := _effects[intended]

_effects := {
	"eks.amazonaws.com/role-arn": "so its pods get no IRSA credentials",
	"eks.amazonaws.com/audience": "so tokens keep the default audience sts.amazonaws.com",
	"eks.amazonaws.com/token-expiration": "so tokens keep the default lifetime (86400 s)",
	"eks.amazonaws.com/sts-regional-endpoints": "so AWS_STS_REGIONAL_ENDPOINTS is not set",
}

_close(key, c) if _norm(key) == _norm(c)

_close(key, c) if {
	parts := _split(key)
	_norm(parts[1]) == _norm(_split(c)[1])
	_awsish(lower(parts[0]))
}

_close(key, c) if _within2(lower(key), c)

_norm(s) := regex.replace(lower(s), `[-_./\s]`, "")

# [prefix, name] split at the last "/"; prefix "" when there is none.
_split(key) := [concat("/", array.slice(parts, 0, count(parts) - 1)), parts[count(parts) - 1]] if {
	parts := split(key, "/")
}

_awsish(prefix) if contains(prefix, "amazon")

_awsish(prefix) if contains(prefix, "eks")

# Levenshtein distance <= 2 without recursion: after at most two edits the strings are equal,
# so enumerate by length difference (a deletion from the longer string stands for an insertion
# into the shorter one).
_within2(a, b) if {
	count(a) == count(b)
	_hamming(a, b) <= 2
}

_within2(a, b) if {
	count(a) == count(b)
	deleted := {_del(b, j) | some j in _indexes(b)}
	some i in _indexes(a)
	_del(a, i) in deleted
}

_within2(a, b) if {
	[long, short] := _by_length(a, b)
	count(long) == count(short) + 1
	some i in _indexes(long)
	_hamming(_del(long, i), short) <= 1
}

_within2(a, b) if {
	[long, short] := _by_length(a, b)
	count(long) == count(short) + 2
	some i in _indexes(long)
	d := _del(long, i)
	some j in _indexes(d)
	_del(d, j) == short
}

_by_length(a, b) := [a, b] if {
	count(a) > count(b)
} else := [b, a]

_indexes(s) := numbers.range(0, count(s) - 1) if {
	count(s) > 0
} else := []

_del(s, i) := concat("", [substring(s, 0, i), substring(s, i + 1, -1)])

_hamming(a, b) := count([i |
	some i in _indexes(a)
	substring(a, i, 1) != substring(b, i, 1)
])

_cluster_name(c) := sprintf("cluster %s", [c]) if {
	c != ""
} else := "unnamed cluster"
