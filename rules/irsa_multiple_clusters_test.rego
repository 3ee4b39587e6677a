package rolecall.rules.irsa_multiple_clusters_test

import data.rolecall.lib.testing
import data.rolecall.rules.irsa_multiple_clusters

_role := "arn:aws:iam::111122223333:role/app"

_prov_a := "oidc.eks.us-east-1.amazonaws.com/id/AAAA0000AAAA0000AAAA0000AAAA0000"

_prov_b := "oidc.eks.us-east-1.amazonaws.com/id/BBBB1111BBBB1111BBBB1111BBBB1111"

_wi(stmt, host, clusters, never_matches) := {
	"id": concat("", [_role, "#trust/", stmt, "/principal/federated/0"]),
	"host": host,
	"kind": "eks",
	"clusters": clusters,
	"never_matches": never_matches,
}

_stmt(i, wi) := {
	"id": concat("", [_role, "#trust/", i]),
	"index": to_number(i),
	"effect": "Allow",
	"not_principal": false,
	"assume_actions": ["sts:AssumeRoleWithWebIdentity"],
	"web_identity": [wi],
}

_input(stmts) := {"roles": [{"id": _role, "arn": _role, "trust": {"statements": stmts}}]}

test_fires_when_role_trusts_two_clusters if {
	findings := irsa_multiple_clusters.deny with input as _input([
		_stmt("1", _wi("1", _prov_b, ["eks:dev"], false)),
		_stmt("0", _wi("0", _prov_a, ["eks:prod"], false)),
	])
	findings == {{
		"msg": "arn:aws:iam::111122223333:role/app can be assumed by ServiceAccounts of 2 clusters: it trusts clusters eks:dev, eks:prod",
		"cause": [
			"arn:aws:iam::111122223333:role/app#trust/0/principal/federated/0",
			"arn:aws:iam::111122223333:role/app#trust/1/principal/federated/0",
		],
		"target": _role,
	}}
}

test_fires_on_two_issuers_without_cluster_data if {
	findings := irsa_multiple_clusters.deny with input as _input([
		_stmt("0", _wi("0", _prov_a, [], false)),
		_stmt("1", _wi("1", _prov_b, [], false)),
	])
	testing.assert_count(findings, 1)
	some f in findings
	contains(f.msg, concat("", ["it trusts issuers ", _prov_a, ", ", _prov_b]))
}

# Two statements for the same provider (e.g. one per ServiceAccount) are one cluster.
test_quiet_when_statements_share_one_provider if {
	findings := irsa_multiple_clusters.deny with input as _input([
		_stmt("0", _wi("0", _prov_a, ["eks:prod"], false)),
		_stmt("1", _wi("1", _prov_a, ["eks:prod"], false)),
	])
	testing.assert_empty(findings)
}

# The second provider's tokens can never satisfy the statement (RC007), so only one cluster can.
test_quiet_when_second_provider_never_matches if {
	findings := irsa_multiple_clusters.deny with input as _input([
		_stmt("0", _wi("0", _prov_a, ["eks:prod"], false)),
		_stmt("1", _wi("1", _prov_b, ["eks:dev"], true)),
	])
	testing.assert_empty(findings)
}
