# METADATA
# title: aws-auth rolearn contains an IAM path and never matches
# description: >-
#   The authenticator compares the caller's canonical ARN, derived from the STS assumed-role ARN,
#   which carries no role path: a `rolearn` written with a path such
#   as `role/teams/dev/deployer` never matches, so the mapping silently does nothing — typically a
#   team or an IAM Identity Center role (path `aws-reserved/sso.amazonaws.com/…`, X49) that cannot
#   reach the cluster. The same holds for a role ARN listed under `mapUsers`. Entries the
#   authenticator drops or that a later duplicate overrides, and wildcard ARNs, are left to
#   aws-auth-malformed-entry and aws-auth-duplicate-mapping. Such an entry grants nothing today, so
#   aws-auth-system-masters stays quiet on it; this rule's message says when removing the path
#   would grant `system:masters` (most specific rule wins). Sources of clusters in `API` mode are
#   skipped (none of aws-auth applies, E1.4).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
#   - ref: https://github.com/kubernetes-sigs/aws-iam-authenticator/blob/master/docs/sso_role_matcher.md
# custom:
#   id: RC402
#   name: aws-auth-role-arn-has-path
#   severity: medium
#   remediation: >-
#     Remove the path from the ARN: write `arn:aws:iam::111122223333:role/deployer` instead of
#     `arn:aws:iam::111122223333:role/teams/dev/deployer` (for IAM Identity Center roles,
#     `arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef`). Check the groups
#     before doing so: the mapping starts to apply as written.
#   tags: [aws-auth]
package rolecall.rules.aws_auth_role_arn_has_path

import data.rolecall.lib

deny contains lib.finding(e.id, auth.id, msg) if {
	some auth in input.aws_auth
	auth.authentication_mode != "API"
	some e in array.concat(auth.map_roles, auth.map_users)
	e.invalid == ""
	e.shadowed == ""
	e.arn_kind == "role"
	e.arn_path != ""
	not e.arn_wildcard
	msg := sprintf(
		"%s of %s maps %s, whose IAM path %s is never part of the caller's canonical ARN, so the mapping never matches; write %s%s",
		[_entry_label(e), _source_label(auth), e.arn, e.arn_path, _without_path(e), _masters_note(e)],
	)
}

# _without_path drops the path segment that follows "role" (arn_path starts and ends with "/").
_without_path(e) := replace(e.arn, concat("", ["role", e.arn_path]), "role/")

_masters_note(e) := " (note: with the path removed this entry grants system:masters, i.e. cluster-admin)" if {
	"system:masters" in e.groups
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
