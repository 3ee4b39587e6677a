# METADATA
# title: Trust statement grants an action its principals cannot call
# description: >-
#   Each STS assume API is callable by one kind of principal only:
#   `sts:AssumeRole` by IAM users, role sessions and AWS services, `sts:AssumeRoleWithWebIdentity`
#   by holders of a token from a `Federated` OIDC provider, `sts:AssumeRoleWithSAML` by holders of
#   an assertion from a `Federated` SAML provider. When none of the statement's principals can
#   call any of the assume actions it grants, the statement cannot work as written: the role is
#   unusable for its intended caller, and someone will "fix" it by widening it under pressure.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_request.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
# custom:
#   id: RC006
#   name: trust-action-principal-mismatch
#   severity: medium
#   remediation: >-
#     Match the action to the principal type, e.g. `"Principal": {"Federated":
#     "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}` with
#     `"Action": "sts:AssumeRoleWithWebIdentity"`, and `"Principal": {"AWS":
#     "arn:aws:iam::111122223333:role/deployer"}` or `{"Service": "pods.eks.amazonaws.com"}` with
#     `"Action": "sts:AssumeRole"`.
#   tags: [trust-policy]
package rolecall.rules.trust_action_principal_mismatch

import data.rolecall.lib

deny contains lib.finding(stmt.id, role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	not stmt.not_principal
	not stmt.principal_star
	actions := {a | some a in stmt.assume_actions; _callers[a]}
	count(actions) > 0
	types := _types(stmt)
	count(types) > 0
	every a in actions {
		every t in types {
			not t in _callers[a]
		}
	}
	msg := sprintf(
		"%s of %s cannot work as written: it grants %s only to %s, but %s",
		[
			_stmt_label(stmt), _role_name(role), concat(", ", sort(actions)),
			concat(", ", sort({_type_label[t] | some t in types})),
			concat("; ", sort({sprintf("%s needs %s", [a, _needs[a]]) | some a in actions})),
		],
	)
}

# _callers: which principal types can call each assume API.
_callers := {
	"sts:AssumeRole": {"aws", "service"},
	"sts:AssumeRoleWithWebIdentity": {"oidc"},
	"sts:AssumeRoleWithSAML": {"saml"},
}

_needs := {
	"sts:AssumeRole": "an AWS or Service principal",
	"sts:AssumeRoleWithWebIdentity": "a Federated OIDC provider",
	"sts:AssumeRoleWithSAML": "a Federated SAML provider",
}

_type_label := {
	"aws": "AWS principals",
	"service": "Service principals",
	"oidc": "Federated OIDC providers",
	"saml": "Federated SAML providers",
}

_kind_type := {
	"account": "aws",
	"user": "aws",
	"role": "aws",
	"assumed-role": "aws",
	"unique-id": "aws",
	"service": "service",
	"oidc-provider": "oidc",
	"web-idp": "oidc",
	"saml-provider": "saml",
}

# _types: the types of the statement's valid principals (invalid values are RC003's).
_types(stmt) := {_kind_type[p.kind] |
	some key in ["aws", "federated", "service"]
	some p in object.get(stmt.principals, key, [])
	_kind_type[p.kind]
}

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])
