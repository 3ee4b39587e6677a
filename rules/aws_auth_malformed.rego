# METADATA
# title: aws-auth section does not parse and is dropped whole
# description: >-
#   A `mapRoles`, `mapUsers` or `mapAccounts` value that is not valid YAML (bad indentation, an
#   unquoted value starting with `{{` such as `username: {{SessionName}}`) or not a list makes the
#   authenticator drop the **whole section**, and after a bad edit it does
#   not keep the previous good version (D3.5). For `mapRoles` that includes the node group and
#   Fargate role mappings, so nodes stop joining the cluster and administrators can lose access.
#   Sections are independent (D3.1): only the broken one is lost. Sources of clusters in `API` mode
#   are skipped (none of aws-auth applies, E1.4).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
#   - ref: https://github.com/kubernetes-sigs/aws-iam-authenticator#full-configuration-format
# custom:
#   id: RC403
#   name: aws-auth-malformed
#   severity: high
#   remediation: >-
#     Fix the YAML inside the section and validate it before applying: quote templates
#     (`username: "system:node:{{SessionName}}"`), indent every list item the same way, and keep the
#     value a list, e.g. `mapRoles: |` followed by `- rolearn: arn:aws:iam::111122223333:role/node`.
#     Prefer `eksctl create iamidentitymapping` or access entries over hand edits.
#   tags: [aws-auth]
package rolecall.rules.aws_auth_malformed

import data.rolecall.lib

deny contains lib.finding(s.id, auth.id, msg) if {
	some auth in input.aws_auth
	auth.authentication_mode != "API"
	some s in auth.sections
	s.error != ""
	msg := sprintf(
		"%s of %s does not parse, so the authenticator drops the whole section, %s (%s)",
		[s.name, _source_label(auth), _lost(s.name), _detail(s.error)],
	)
}

# _detail: the parser error without the consequence this message already states.
_detail(err) := replace(err, ", so aws-iam-authenticator drops the whole section", "")

_lost(name) := "node role mappings included: nodes stop authenticating and every role mapped there loses access" if {
	name == "mapRoles"
} else := "and every IAM user mapped there loses access" if {
	name == "mapUsers"
} else := "and none of its accounts is auto-mapped (the other sections still apply)" if {
	name == "mapAccounts"
} else := "with every mapping in it"

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
