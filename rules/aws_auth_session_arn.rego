# METADATA
# title: aws-auth maps an STS session ARN, which never matches
# description: >-
#   The authenticator canonicalizes the caller's `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION` to
#   `arn:aws:iam::ACCT:role/ROLE` before looking it up, so a `rolearn` or
#   `userarn` written as an assumed-role session ARN never matches: the mapping silently does
#   nothing, and whoever it was meant for falls through to `mapAccounts` or is rejected. This also
#   covers session ARNs with a wildcard session name (`…/ROLE/*`), since the role ARN is the fix.
#   Entries the authenticator drops or that a later duplicate overrides are left to
#   aws-auth-malformed-entry and aws-auth-duplicate-mapping; sources of clusters in `API` mode are
#   skipped (E1.4).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
# custom:
#   id: RC408
#   name: aws-auth-session-arn
#   severity: medium
#   remediation: >-
#     Map the role instead of the session: replace
#     `arn:aws:sts::111122223333:assumed-role/deployer/ci-run` with
#     `rolearn: arn:aws:iam::111122223333:role/deployer` under `mapRoles` (use a username template
#     such as `deployer:{{SessionName}}` to keep the session in audit logs).
#   tags: [aws-auth]
package rolecall.rules.aws_auth_session_arn

import data.rolecall.lib

deny contains lib.finding(e.id, auth.id, msg) if {
	some auth in input.aws_auth
	auth.authentication_mode != "API"
	some e in array.concat(auth.map_roles, auth.map_users)
	e.invalid == ""
	e.shadowed == ""
	e.arn_kind == "assumed-role"
	msg := sprintf(
		"%s of %s maps the STS session ARN %s: the authenticator matches the canonical role ARN, never a session ARN, so the mapping never applies; map %s",
		[_entry_label(e), _source_label(auth), e.arn, _role_arn(e.arn)],
	)
}

# _role_arn: arn:P:sts::ACCT:assumed-role/ROLE/SESSION -> arn:P:iam::ACCT:role/ROLE.
_role_arn(arn) := sprintf("rolearn arn:%s:iam::%s:role/%s under mapRoles", [parts[1], parts[4], role]) if {
	parts := split(arn, ":")
	count(parts) == 6
	role := split(parts[5], "/")[1]
	role != ""
} else := "the role's IAM ARN (arn:aws:iam::ACCOUNT:role/NAME) instead"

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
