package rolecall.rules.workload_default_service_account_test

import data.rolecall.lib.testing
import data.rolecall.rules.workload_default_service_account

_role := "arn:aws:iam::111122223333:role/app"

_stmt_id := concat("", [_role, "#trust/0"])

_wi_id := concat("", [_stmt_id, "/principal/federated/0"])

_sub_cond := concat("", [_stmt_id, "/condition/0"])

_host := "oidc.eks.us-east-1.amazonaws.com/id/AAAA0000AAAA0000AAAA0000AAAA0000"

_sub(value, like, default_sa) := {
	"restricted": true,
	"admits": [{"condition": _sub_cond, "value": value, "like": like}],
	"excludes": [],
	"conditions": [_sub_cond],
	"any_namespace": false,
	"any_name": like,
	"namespaces": ["payments"],
	"wildcard": like,
	"default_service_account": default_sa,
}

_trust_input(sub) := {"roles": [{
	"id": _role,
	"arn": _role,
	"trust": {"id": concat("", [_role, "#trust"]), "statements": [{
		"id": _stmt_id,
		"index": 0,
		"sid": "",
		"effect": "Allow",
		"not_principal": false,
		"assume_actions": ["sts:AssumeRoleWithWebIdentity"],
		"web_identity": [{
			"id": _wi_id,
			"host": _host,
			"kind": "eks",
			"clusters": ["eks:prod"],
			"never_matches": false,
			"sub": sub,
			"aud": {"restricted": true, "conditions": []},
		}],
	}]},
}]}

_sa_id(name) := sprintf("k8s:prod/serviceaccount/payments/%s", [name])

_annotation(name) := concat("", [_sa_id(name), "/annotation/eks.amazonaws.com/role-arn"])

_sa(name, evaluated, assumable) := {
	"id": _sa_id(name),
	"cluster": "prod",
	"namespace": "payments",
	"name": name,
	"annotations": [{"id": _annotation(name), "key": "eks.amazonaws.com/role-arn", "value": _role}],
	"irsa": {
		"annotation": _annotation(name),
		"role_arn": _role,
		"arn_valid": true,
		"role": _role,
		"account_listed": true,
		"audience": "sts.amazonaws.com",
		"evaluated": evaluated,
		"assumable": assumable,
		"reason": "",
	},
	"pod_identity": [],
}

_pia(sa) := {
	"id": sprintf("eks:prod/podidentity/payments/%s", [sa]),
	"cluster": "prod",
	"namespace": "payments",
	"service_account": sa,
	"role_arn": "arn:aws:iam::111122223333:role/pi",
	"role": "",
	"target_role_arn": "",
	"disable_session_tags": false,
}

test_fires_when_trust_subject_is_default if {
	findings := workload_default_service_account.deny with input as _trust_input(_sub("system:serviceaccount:payments:default", false, true))
	testing.assert_one_with(findings, _sub_cond, _role)
	some f in findings
	contains(f.msg, "every pod without serviceAccountName in cluster eks:prod can assume arn:aws:iam::111122223333:role/app")
	contains(f.msg, `"system:serviceaccount:payments:default"`)
}

# system:serviceaccount:payments:* admits default too, but that is the name wildcard (RC103);
# a name merely ending in "default" (payments:not-default) is a different ServiceAccount.
test_quiet_when_trust_subject_only_resembles_default if {
	findings := workload_default_service_account.deny with input as _trust_input(_sub("system:serviceaccount:payments:not-default", false, false))
	testing.assert_empty(findings)
}

test_fires_when_default_serviceaccount_annotated if {
	findings := workload_default_service_account.deny with input as {"service_accounts": [_sa("default", true, true)]}
	f := {
		"msg": "every pod without serviceAccountName in namespace payments of cluster prod gets arn:aws:iam::111122223333:role/app: the default ServiceAccount is annotated eks.amazonaws.com/role-arn; annotate a dedicated ServiceAccount instead",
		"cause": [_annotation("default")],
		"target": _role,
		"subject": _sa_id("default"),
	}
	findings == {f}
}

test_quiet_when_dedicated_serviceaccount_annotated if {
	findings := workload_default_service_account.deny with input as {"service_accounts": [_sa("api", true, true)]}
	testing.assert_empty(findings)
}

# The role's trust rejects default: the binding is broken (RC301), pods get nothing.
test_quiet_when_role_does_not_admit_default if {
	findings := workload_default_service_account.deny with input as {"service_accounts": [_sa("default", true, false)]}
	testing.assert_empty(findings)
}

# The annotated role does not exist in the account's complete role list (RC302).
test_quiet_when_annotated_role_does_not_exist if {
	sa := json.patch(_sa("default", false, false), [{"op": "replace", "path": "/irsa/role", "value": ""}])
	findings := workload_default_service_account.deny with input as {"service_accounts": [sa]}
	testing.assert_empty(findings)
}

test_fires_when_pod_identity_association_names_default if {
	findings := workload_default_service_account.deny with input as {"pod_identity": [_pia("default"), _pia("api")]}
	testing.assert_one_with(findings, "eks:prod/podidentity/payments/default", "eks:prod/podidentity/payments/default")
}
