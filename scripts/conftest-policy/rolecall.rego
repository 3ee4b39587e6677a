# The checks of the mistakes internal/gen plants, written for `conftest test --combine` as an
# expert conftest user would: `input` is every document of every file ({"path", "contents"}),
# cross-file facts are computed once into lookup sets and objects, and each check walks its
# documents once. Every message starts with the rolecall rule id it corresponds to, so
# scripts/compare-conftest.sh can count them against planted.json.
#
# Simplified on purpose where rolecall is exact: IAM condition semantics beyond the operator
# names, role chains longer than one hop, and RBAC paths are not modelled.
package main

# --- documents ---------------------------------------------------------------------------

_roles := [r | some f in input; some r in _arr(f.contents.RoleDetailList)]

_role_by_arn := {r.Arn: r | some r in _roles}

# Accounts whose whole role list was loaded (get-account-authorization-details).
_listed_accounts := {split(r.Arn, ":")[4] | some r in _roles}

_service_accounts := [{"cluster": _cluster_of(f.path), "sa": f.contents} |
	some f in input
	f.contents.kind == "ServiceAccount"
]

_aws_auth := [{"cluster": _cluster_of(f.path), "cm": f.contents} |
	some f in input
	f.contents.kind == "ConfigMap"
	f.contents.metadata.name == "aws-auth"
]

# aws-auth mapRoles and mapUsers entries, decoded once.
_auth_entries := [{"cluster": a.cluster, "section": s, "index": i, "entry": e} |
	some a in _aws_auth
	some s in ["mapRoles", "mapUsers"]
	text := a.cm.data[s]
	some i, e in yaml.unmarshal(text)
]

_cluster_admin_policies := [{"cluster": f.contents.clusterName, "principal": f.contents.principalArn, "policy": p} |
	some f in input
	some p in _arr(f.contents.associatedAccessPolicies)
	endswith(p.policyArn, "/AmazonEKSClusterAdminPolicy")
	lower(p.accessScope.type) == "cluster"
]

# Groups bound to cluster-admin by a ClusterRoleBinding, per cluster.
_admin_groups contains [_cluster_of(f.path), s.name] if {
	some f in input
	f.contents.kind == "ClusterRoleBinding"
	f.contents.roleRef.name == "cluster-admin"
	some s in f.contents.subjects
	s.kind == "Group"
}

# [cluster, lower-case ARN] of every IAM principal that is cluster-admin in a cluster.
_cluster_admin_arns contains [e.cluster, lower(e.entry.rolearn)] if {
	some e in _auth_entries
	"system:masters" in e.entry.groups
}

_cluster_admin_arns contains [e.cluster, lower(e.entry.rolearn)] if {
	some e in _auth_entries
	some g in e.entry.groups
	[e.cluster, g] in _admin_groups
}

_cluster_admin_arns contains [p.cluster, lower(p.principal)] if {
	some p in _cluster_admin_policies
}

# ARNs of roles with AdministratorAccess.
_admin_roles contains r.Arn if {
	some r in _roles
	some p in _arr(r.AttachedManagedPolicies)
	p.PolicyArn == "arn:aws:iam::aws:policy/AdministratorAccess"
}

# --- helpers -----------------------------------------------------------------------------

_arr(x) := x if is_array(x)

else := [] if x == null

else := [x]

_cluster_of(path) := parts[i + 1] if {
	parts := split(path, "/")
	some i, p in parts
	p == "k8s"
}

_statements(role) := _arr(role.AssumeRolePolicyDocument.Statement)

_allows(st, action) if {
	some a in _arr(st.Action)
	_action_match(lower(a), lower(action))
}

_action_match(pattern, action) if pattern == action

_action_match(pattern, _) if pattern in {"*", "sts:*"}

_action_match(pattern, action) if {
	endswith(pattern, "*")
	startswith(action, trim_suffix(pattern, "*"))
}

_principals(st, kind) := _arr(st.Principal[kind]) if is_object(st.Principal)

else := [st.Principal] if st.Principal == "*"

else := []

_public(st) if st.Principal == "*"

_public(st) if "*" in _arr(st.Principal.AWS)

# A web-identity statement of provider host kind ("eks" or "github") in role.
_web_identity(role, kind) := [[st, host] |
	some st in _statements(role)
	st.Effect == "Allow"
	_allows(st, "sts:AssumeRoleWithWebIdentity")
	some fed in _principals(st, "Federated")
	host := split(fed, ":oidc-provider/")[1]
	_provider_kind(host) == kind
]

_provider_kind(host) := "github" if host == "token.actions.githubusercontent.com"

else := "eks" if startswith(host, "oidc.eks.")

# Values of positive string conditions on KEY (StringEquals, StringLike), lower-cased key match.
_positive_values(st, key) := [v |
	some op, kv in st.Condition
	op in {"StringEquals", "StringLike"}
	some k, vals in kv
	lower(k) == lower(key)
	some v in _arr(vals)
]

_sub_admits(st, host, sub) if {
	some v in _positive_values(st, concat("", [host, ":sub"]))
	glob.match(v, null, sub)
}

_fence_keys := {"aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn", "aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid"}

_fenced(st) if {
	some op, kv in st.Condition
	not contains(op, "Not")
	not endswith(op, "IfExists")
	some k, _ in kv
	lower(k) in _fence_keys
}

_pods_allow(st, action) if {
	st.Effect == "Allow"
	"pods.eks.amazonaws.com" in _principals(st, "Service")
	_allows(st, action)
}

# The role a ServiceAccount gets, when its trust admits it (IRSA) or by Pod Identity.
_sa_role contains [x.cluster, x.sa.metadata.namespace, x.sa.metadata.name, arn] if {
	some x in _service_accounts
	arn := x.sa.metadata.annotations["eks.amazonaws.com/role-arn"]
	role := _role_by_arn[arn]
	sub := sprintf("system:serviceaccount:%s:%s", [x.sa.metadata.namespace, x.sa.metadata.name])
	some [st, host] in _web_identity(role, "eks")
	_sub_admits(st, host, sub)
}

_sa_role contains [f.contents.association.clusterName, f.contents.association.namespace, f.contents.association.serviceAccount, arn] if {
	some f in input
	arn := f.contents.association.roleArn
	role := _role_by_arn[arn]
	some st in _statements(role)
	_pods_allow(st, "sts:AssumeRole")
}

# --- checks ------------------------------------------------------------------------------

deny contains sprintf("RC001: any AWS principal can assume %s", [role.Arn]) if {
	some role in _roles
	some st in _statements(role)
	st.Effect == "Allow"
	_public(st)
	_allows(st, "sts:AssumeRole")
	not _fenced(st)
}

deny contains sprintf("RC005: statement %d of %s allows every STS action", [i, role.Arn]) if {
	some role in _roles
	some i, st in _statements(role)
	st.Effect == "Allow"
	some a in _arr(st.Action)
	lower(a) in {"*", "sts:*"}
}

deny contains sprintf("RC101: any ServiceAccount of %s can assume %s", [host, role.Arn]) if {
	some role in _roles
	some [st, host] in _web_identity(role, "eks")
	count(_positive_values(st, concat("", [host, ":sub"]))) == 0
}

deny contains sprintf("RC102: %s admits ServiceAccounts of any namespace (%s)", [role.Arn, v]) if {
	some role in _roles
	some [st, host] in _web_identity(role, "eks")
	some v in _positive_values(st, concat("", [host, ":sub"]))
	parts := split(v, ":")
	count(parts) == 4
	regex.match(`[*?]`, parts[2])
}

deny contains sprintf("RC151: any GitHub Actions workflow can assume %s", [role.Arn]) if {
	some role in _roles
	some [st, host] in _web_identity(role, "github")
	count(_positive_values(st, concat("", [host, ":sub"]))) == 0
}

deny contains sprintf("RC201: Pod Identity cannot assume %s: no sts:TagSession", [role.Arn]) if {
	some role in _roles
	some st in _statements(role)
	_pods_allow(st, "sts:AssumeRole")
	not _tag_session(role)
}

_tag_session(role) if {
	some st in _statements(role)
	_pods_allow(st, "sts:TagSession")
}

deny contains sprintf("RC302: ServiceAccount %s/%s of %s is annotated with the unknown role %s", [x.sa.metadata.namespace, x.sa.metadata.name, x.cluster, arn]) if {
	some x in _service_accounts
	arn := x.sa.metadata.annotations["eks.amazonaws.com/role-arn"]
	not _role_by_arn[arn]
	split(arn, ":")[4] in _listed_accounts
}

deny contains sprintf("RC401: aws-auth of %s %s entry %d maps %s into system:masters", [e.cluster, e.section, e.index, _entry_arn(e.entry)]) if {
	some e in _auth_entries
	"system:masters" in e.entry.groups
}

_entry_arn(e) := e.rolearn if e.rolearn

else := e.userarn

deny contains sprintf("RC420: access entry of %s in %s has AmazonEKSClusterAdminPolicy at cluster scope", [p.principal, p.cluster]) if {
	some p in _cluster_admin_policies
}

deny contains sprintf("RC501: ServiceAccount %s/%s of %s reaches cluster-admin through %s", [ns, name, cluster, arn]) if {
	some [cluster, ns, name, arn] in _sa_role
	[cluster, lower(arn)] in _cluster_admin_arns
}

deny contains sprintf("RC505: ServiceAccount %s/%s of %s reaches the administrator role %s through %s", [ns, name, cluster, admin, arn]) if {
	some [cluster, ns, name, arn] in _sa_role
	some admin in _assumable_admins(_role_by_arn[arn])
}

# Administrator roles a role's own policies let it assume and whose trust admits it (its ARN
# or its account).
_assumable_admins(role) := {admin |
	some p in _arr(role.RolePolicyList)
	some st in _arr(p.PolicyDocument.Statement)
	st.Effect == "Allow"
	_allows(st, "sts:AssumeRole")
	some res in _arr(st.Resource)
	some admin in _admin_roles
	glob.match(res, null, admin)
	_trusts(_role_by_arn[admin], role.Arn)
}

_trusts(target, arn) if {
	some st in _statements(target)
	st.Effect == "Allow"
	_allows(st, "sts:AssumeRole")
	some p in _principals(st, "AWS")
	p in {arn, sprintf("arn:aws:iam::%s:root", [split(arn, ":")[4]]), split(arn, ":")[4]}
}
