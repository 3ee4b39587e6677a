# METADATA
# title: Role can be assumed by any AWS principal
# description: >-
#   An Allow statement trusts `"*"` (or `{"AWS": "*"}`, or everyone but a few via `NotPrincipal`)
#   for an `sts:AssumeRole*` action, and no condition fences the caller to an organization,
#   account or principal ARN. Anyone with an AWS account whose
#   own identity policy allows `sts:AssumeRole` on `*` can assume the role. Negated, `…IfExists`
#   and `ForAllValues:`/`ForAnyValue:` conditions, and patterns that wildcard the account, do
#   not fence the caller.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
# custom:
#   id: RC001
#   name: trust-public-principal
#   severity: critical
#   remediation: >-
#     Name the trusted principals explicitly (`"Principal": {"AWS":
#     "arn:aws:iam::111122223333:role/ci-deploy"}`), or keep `"*"` and add a positive condition
#     that fences the caller, e.g. `"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}` or
#     `"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ci-*"}`.
#   tags: [trust-policy]
package rolecall.rules.trust_public_principal

import data.rolecall.lib

deny contains lib.finding(_cause(stmt), role.id, msg) if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	_public(stmt)
	actions := sort([a | some a in stmt.assume_actions; startswith(a, "sts:AssumeRole")])
	count(actions) > 0
	not _fenced(stmt)
	not _denied_outside_fence(role.trust.statements, actions)
	msg := sprintf(
		"any AWS principal can assume %s: %s allows %s to %s with no condition on %s",
		[_role_name(role), _stmt_label(stmt), concat(", ", actions), _who(stmt), _fence_list],
	)
}

# _public: Principal "*" / {"AWS": "*"}, or NotPrincipal naming specific principals
# (NotPrincipal "*" excludes everyone).
_public(stmt) if {
	not stmt.not_principal
	stmt.principal_star
}

_public(stmt) if {
	stmt.not_principal
	not stmt.principal_star
}

_who(stmt) := "NotPrincipal (everyone but the listed principals)" if {
	stmt.not_principal
} else := "Principal \"*\""

# _cause: the "*" principal value when there is one, else the statement.
_cause(stmt) := p.id if {
	not stmt.not_principal
	some p in stmt.principals.aws
	p.kind == "star"
} else := stmt.id

_fence_keys := {
	"aws:principalorgid",
	"aws:principalorgpaths",
	"aws:principalaccount",
	"aws:principalarn",
	"aws:sourceaccount",
	"aws:sourcearn",
	"aws:sourceorgid",
}

_fence_list := "aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn or aws:SourceOrgID"

# _fenced: some condition that every admitted caller must satisfy pins its organization,
# account or ARN. Negated, IfExists and set-qualified conditions admit callers without the key.
_fenced(stmt) if {
	some c in stmt.conditions
	c.key_lower in _fence_keys
	not c.negated
	not c.if_exists
	c.qualifier == ""
	not c.base in {"", "Null"}
	_closed_values(c)
}

_closed_values(c) if {
	count(c.values) > 0
	every v in c.values {
		not _open_value(c, v)
	}
}

# _denied_outside_fence: a Deny statement for every principal and every one of the actions that
# applies whenever the caller is outside a fence (X6: StringNotEquals aws:PrincipalArn …) has
# the same effect as a fencing condition on the Allow.
_denied_outside_fence(stmts, actions) if {
	some d in stmts
	d.effect == "Deny"
	d.principal_star
	not d.not_principal
	every a in actions {
		a in d.assume_actions
	}
	count(d.conditions) > 0
	every c in d.conditions {
		c.key_lower in _fence_keys
		c.negated
		c.qualifier == ""
		_closed_values(c)
	}
}

_like_bases := {"StringLike", "ArnLike", "ArnEquals"}

# _open_value: a pattern that admits callers of any account.
_open_value(c, v) if {
	c.base in _like_bases
	regex.match(`^[*]+$`, v)
}

_open_value(c, v) if {
	c.base in _like_bases
	c.key_lower in {"aws:principalaccount", "aws:sourceaccount", "aws:principalorgid", "aws:sourceorgid"}
	regex.match(`[*?]`, v)
}

_open_value(c, v) if {
	c.base in _like_bases
	c.key_lower in {"aws:principalarn", "aws:sourcearn"}
	parts := split(v, ":")
	count(parts) >= 5
	regex.match(`[*?]`, parts[4])
}

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])
