package rolecall.rules.github_oidc_pinned_ref_test

import data.rolecall.lib.testing
import data.rolecall.rules.github_oidc_pinned_ref

_role := "arn:aws:iam::111122223333:role/deploy"

_stmt := concat("", [_role, "#trust/0"])

_principal := concat("", [_stmt, "/principal/federated/0"])

_cond(i) := sprintf("%s/condition/%d", [_stmt, i])

# _input is one role trusting one web-identity provider; sub lists [condition index, value, like].
_input(kind, sub) := {"roles": [{
	"id": _role,
	"arn": _role,
	"trust": {"statements": [{
		"id": _stmt,
		"index": 0,
		"effect": "Allow",
		"not_principal": false,
		"assume_actions": ["sts:AssumeRoleWithWebIdentity"],
		"web_identity": [{
			"id": _principal,
			"kind": kind,
			"host": "token.actions.githubusercontent.com",
			"never_matches": false,
			"sub": {
				"restricted": count(sub) > 0,
				"conditions": sort({_cond(i) | some [i, _, _] in sub}),
				"admits": [{"condition": _cond(i), "value": v, "like": like} | some [i, v, like] in sub],
			},
		}],
	}]},
}]}

test_fires_when_sub_admits_a_release_branch_pattern if {
	findings := github_oidc_pinned_ref.deny with input as _input("github", [[0, "repo:acme/web:ref:refs/heads/release-*", true]])
	testing.assert_one_with(findings, _cond(0), _role)
	some f in findings
	contains(f.msg, `admits token.actions.githubusercontent.com:sub "repo:acme/web:ref:refs/heads/release-*"`)
}

test_fires_when_sub_admits_pull_requests if {
	findings := github_oidc_pinned_ref.deny with input as _input("github", [[0, "repo:acme/web:pull_request", false]])
	testing.assert_one_with(findings, _cond(0), _role)
}

test_fires_when_one_of_several_subjects_is_a_feature_branch if {
	sub := [[0, "repo:acme/web:environment:production", false], [0, "repo:acme/web:ref:refs/heads/feature-x", false]]
	findings := github_oidc_pinned_ref.deny with input as _input("github", sub)
	testing.assert_one_with(findings, _cond(0), _role)
}

test_fires_at_the_principal_when_there_is_no_sub_condition if {
	findings := github_oidc_pinned_ref.deny with input as _input("github", [])
	testing.assert_one_with(findings, _principal, _role)
	some f in findings
	contains(f.msg, "any subject (no :sub condition)")
}

test_quiet_when_pinned_to_main if {
	findings := github_oidc_pinned_ref.deny with input as _input("github", [[0, "repo:acme/web:ref:refs/heads/main", false]])
	testing.assert_empty(findings)
}

test_quiet_when_pinned_to_an_environment if {
	findings := github_oidc_pinned_ref.deny with input as _input("github", [[0, "repo:acme/web:environment:production", false]])
	testing.assert_empty(findings)
}

# A StringLike without a wildcard character is still exact.
test_quiet_when_like_condition_has_no_wildcard if {
	findings := github_oidc_pinned_ref.deny with input as _input("github", [[0, "repo:acme/web:ref:refs/heads/main", true]])
	testing.assert_empty(findings)
}

# Conditions are AND'ed: an exact environment pin narrows an org-wide pattern beside it.
test_quiet_when_another_condition_pins_the_environment if {
	sub := [[0, "repo:acme/*", true], [1, "repo:acme/web:environment:production", false]]
	findings := github_oidc_pinned_ref.deny with input as _input("github", sub)
	testing.assert_empty(findings)
}

test_quiet_for_other_providers if {
	findings := github_oidc_pinned_ref.deny with input as _input("eks", [[0, "system:serviceaccount:ci:*", true]])
	testing.assert_empty(findings)
}
