package rolecall.rules.irsa_unknown_provider_test

import data.rolecall.lib.testing
import data.rolecall.rules.irsa_unknown_provider

_role := "arn:aws:iam::111122223333:role/app"

_stmt_id := concat("", [_role, "#trust/0"])

_wi_id := concat("", [_stmt_id, "/principal/federated/0"])

_host := "oidc.eks.us-east-1.amazonaws.com/id/AAAA0000AAAA0000AAAA0000AAAA0000"

_wi(registered, clusters) := {
	"id": _wi_id,
	"provider": concat("", ["arn:aws:iam::111122223333:oidc-provider/", _host]),
	"host": _host,
	"kind": "eks",
	"account": "111122223333",
	"registered": registered,
	"clusters": clusters,
	"never_matches": false,
	"sub": {"restricted": true, "conditions": []},
	"aud": {"restricted": true, "conditions": []},
}

_input(wi, clusters_loaded) := {
	"loaded": {"role_list_accounts": [], "provider_list_accounts": [], "clusters": clusters_loaded},
	"roles": [{
		"id": _role,
		"arn": _role,
		"trust": {"id": concat("", [_role, "#trust"]), "statements": [{
			"id": _stmt_id,
			"index": 0,
			"sid": "",
			"effect": "Allow",
			"not_principal": false,
			"assume_actions": ["sts:AssumeRoleWithWebIdentity"],
			"web_identity": [wi],
		}]},
	}],
}

test_fires_when_provider_not_registered if {
	findings := irsa_unknown_provider.deny with input as _input(_wi(false, []), false)
	testing.assert_one_with(findings, _wi_id, _role)
	some f in findings
	contains(f.msg, "is not a registered OIDC provider of account 111122223333")
	not contains(f.msg, "no loaded cluster")
}

test_fires_when_provider_matches_no_loaded_cluster if {
	findings := irsa_unknown_provider.deny with input as _input(_wi(true, []), true)
	testing.assert_one_with(findings, _wi_id, _role)
	some f in findings
	contains(f.msg, "is the issuer of no loaded cluster")
}

test_fires_once_with_both_reasons if {
	findings := irsa_unknown_provider.deny with input as _input(_wi(false, []), true)
	testing.assert_count(findings, 1)
	some f in findings
	contains(f.msg, "is not a registered OIDC provider of account 111122223333 and is the issuer of no loaded cluster")
}

# Neither the provider list nor any cluster was loaded: nothing is known, nothing is reported.
test_quiet_when_nothing_loaded if {
	findings := irsa_unknown_provider.deny with input as _input(_wi(null, []), false)
	testing.assert_empty(findings)
}

test_quiet_when_provider_registered_and_matches_a_cluster if {
	findings := irsa_unknown_provider.deny with input as _input(_wi(true, ["eks:prod"]), true)
	testing.assert_empty(findings)
}

# A described cluster (eksctl's ClusterConfig, a CloudFormation or Terraform cluster) whose
# issuer EKS has not assigned yet may be the provider's cluster.
test_quiet_on_no_cluster_when_a_described_cluster_has_no_known_issuer if {
	inp := object.union(_input(_wi(true, []), true), {"clusters": [
		{"id": "eks:prod", "name": "prod", "provider_host": _host, "described": true},
		{"id": "eks:new", "name": "new", "provider_host": "", "described": true},
	]})
	testing.assert_empty(irsa_unknown_provider.deny) with input as inp
}

test_fires_on_no_cluster_when_every_described_issuer_is_known if {
	inp := object.union(_input(_wi(true, []), true), {"clusters": [
		{"id": "eks:prod", "name": "prod", "provider_host": "oidc.eks.us-east-1.amazonaws.com/id/OTHER", "described": true},
		{"id": "eks:_", "name": "", "provider_host": "", "described": false},
	]})
	findings := irsa_unknown_provider.deny with input as inp
	testing.assert_one_with(findings, _wi_id, _role)
}
