# METADATA
# title: IRSA trust admits a ServiceAccount that does not exist
# description: >-
#   A role's trust policy allows `sts:AssumeRoleWithWebIdentity` for an exact
#   `system:serviceaccount:NAMESPACE:NAME` subject of an EKS cluster whose ServiceAccounts were all
#   read (live inventory), and that ServiceAccount does not exist; or it exists in a cluster whose
#   pods were all read, and no running pod uses it. Either way the trust is latent access:
#   whoever can create a ServiceAccount (and a namespace) with that name, or a pod running as it,
#   obtains the role, and the IRSA annotation is not a gate (B4.1, G2.6). Often it is left over
#   from a deleted workload or a typo. Offline inputs never prove absence, so the rule is quiet
#   unless the cluster inventory is complete (for missing ServiceAccounts) or its pods were read
#   (for unused ones).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
#   - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# custom:
#   id: RC305
#   name: irsa-trusts-missing-service-account
#   severity: info
#   remediation: >-
#     Remove the subject from the `:sub` condition (or the statement) if the workload is gone, or
#     correct it to the ServiceAccount that exists, e.g. `"StringEquals":
#     {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api"}`.
#   tags: [irsa, trust-policy, kubernetes]
package rolecall.rules.irsa_trusts_missing_service_account

import data.rolecall.lib

# One finding per (statement, provider): its :sub condition, listing every missing subject and
# every unused one.
deny contains lib.finding(_cause(stmt, wi), role.id, _message(role, stmt, wi, missing, unused)) if {
	some [role, stmt, wi] in _trusted
	missing := _missing(wi)
	unused := _unused(wi)
	count(missing) + count(unused) > 0
}

_message(role, stmt, wi, missing, unused) := msg if {
	count(unused) == 0
	msg := sprintf(
		"%s trusts %s (%s, provider %s), but no such ServiceAccount exists in the cluster: whoever creates it, or runs a pod as it, gets the role; remove or correct the subject",
		[_role_name(role), concat(", ", sort(missing)), _stmt_label(stmt), wi.host],
	)
} else := msg if {
	count(missing) == 0
	msg := sprintf(
		"%s trusts %s (%s, provider %s), %s",
		[_role_name(role), concat(", ", sort(unused)), _stmt_label(stmt), wi.host, _unused_clause(unused)],
	)
} else := sprintf(
	"%s trusts %s (%s, provider %s), but no such ServiceAccount exists in the cluster: whoever creates it, or runs a pod as it, gets the role; remove or correct the subject. It also trusts %s, %s",
	[_role_name(role), concat(", ", sort(missing)), _stmt_label(stmt), wi.host, concat(", ", sort(unused)), _unused_clause(unused)],
)

_unused_clause(unused) := "which exists but no running pod uses it: the grant is latent; remove it if the workload is gone" if {
	count(unused) == 1
} else := "each of which exists but no running pod uses it: the grant is latent; remove them if the workloads are gone"

# _missing: "system:serviceaccount:NS:NAME of cluster C" for each literal subject absent from a
# complete cluster served by this provider.
_missing(wi) := {sprintf("system:serviceaccount:%s:%s of cluster %s", [ns, name, cluster.name]) |
	some cluster in input.clusters
	cluster.complete == true
	cluster.name in _arr(wi.clusters)
	some subject in _literal_subjects(wi)
	[ns, name] := _ns_name(subject)
	not [cluster.name, ns, name] in _sa_keys
}

# _unused: "system:serviceaccount:NS:NAME of cluster C" for each literal subject that exists in
# a cluster served by this provider whose pods were all read, with no pod running as it.
_unused(wi) := {sprintf("system:serviceaccount:%s:%s of cluster %s", [ns, name, cluster.name]) |
	some cluster in input.clusters
	cluster.pods_read == true
	cluster.name in _arr(wi.clusters)
	some subject in _literal_subjects(wi)
	[ns, name] := _ns_name(subject)
	[cluster.name, ns, name] in _unused_sa_keys
}

# ServiceAccount lookups, built once per evaluation (complete rules are cached) so that each
# subject costs a hash lookup instead of a scan of every ServiceAccount: [cluster, namespace,
# name] of every ServiceAccount, and of those no running pod uses. Sets, so that duplicate
# ServiceAccounts are harmless.
_sa_keys := {[sa.cluster, sa.namespace, sa.name] | some sa in input.service_accounts}

_unused_sa_keys := {[sa.cluster, sa.namespace, sa.name] |
	some sa in input.service_accounts
	sa.used_by_pods == false
}

# _trusted: (role, statement, provider) where the statement allows web identity from an EKS
# provider with an effective :sub restriction (no restriction is irsa-missing-sub's business,
# never matching is trust-condition-key-unreachable's).
_trusted contains [role, stmt, wi] if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.effect == "Allow"
	not stmt.not_principal
	"sts:AssumeRoleWithWebIdentity" in stmt.assume_actions
	some wi in stmt.web_identity
	wi.kind == "eks"
	not wi.never_matches
	wi.sub.restricted == true
}

# _literal_subjects: exact subjects the whole :sub constraint admits. Conditions on the claim
# are AND'ed and the admitted patterns are flattened, so a literal counts only when every
# condition contributing patterns lists it (an exact value besides a Like pattern is not
# re-matched here) and no negated condition excludes it. Values with wildcards or policy
# variables are not literal subjects.
_literal_subjects(wi) := {v |
	some a in _arr(wi.sub.admits)
	v := a.value
	not regex.match(`[*?]|\$\{`, v)
	every c in _admit_conditions(wi) {
		some b in wi.sub.admits
		b.condition == c
		b.value == v
	}
	not _excluded(wi, v)
}

_admit_conditions(wi) := {a.condition | some a in _arr(wi.sub.admits)}

_excluded(wi, v) if {
	some x in _arr(wi.sub.excludes)
	x.value == v
}

_ns_name(subject) := [parts[2], parts[3]] if {
	parts := split(subject, ":")
	count(parts) == 4
	parts[0] == "system"
	parts[1] == "serviceaccount"
	parts[2] != ""
	parts[3] != ""
}

_cause(stmt, wi) := wi.sub.conditions[0] if {
	count(_arr(wi.sub.conditions)) > 0
} else := stmt.id

_role_name(role) := role.arn if {
	role.arn != ""
} else := role.id

_stmt_label(stmt) := sprintf("statement %d (Sid %s)", [stmt.index, stmt.sid]) if {
	stmt.sid != ""
} else := sprintf("statement %d", [stmt.index])

_arr(v) := v if {
	is_array(v)
} else := []
