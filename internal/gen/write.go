package gen

import (
	"fmt"
	"path/filepath"
	"strings"
)

// The AWS CLI shapes, fields in the order the CLI prints them.

type policyDoc struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal map[string]any            `json:"Principal,omitempty"`
	Action    any                       `json:"Action"`
	Resource  any                       `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

type inlinePolicy struct {
	PolicyName     string    `json:"PolicyName"`
	PolicyDocument policyDoc `json:"PolicyDocument"`
}

type attachedPolicy struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type instanceProfile struct {
	Path                string        `json:"Path"`
	InstanceProfileName string        `json:"InstanceProfileName"`
	InstanceProfileId   string        `json:"InstanceProfileId"`
	Arn                 string        `json:"Arn"`
	CreateDate          string        `json:"CreateDate"`
	Roles               []profileRole `json:"Roles"`
}

// profileRole is a role as an instance profile lists it.
type profileRole struct {
	Path                     string    `json:"Path"`
	RoleName                 string    `json:"RoleName"`
	RoleId                   string    `json:"RoleId"`
	Arn                      string    `json:"Arn"`
	CreateDate               string    `json:"CreateDate"`
	AssumeRolePolicyDocument policyDoc `json:"AssumeRolePolicyDocument"`
}

type roleDetail struct {
	Path                     string            `json:"Path"`
	RoleName                 string            `json:"RoleName"`
	RoleId                   string            `json:"RoleId"`
	Arn                      string            `json:"Arn"`
	CreateDate               string            `json:"CreateDate"`
	AssumeRolePolicyDocument policyDoc         `json:"AssumeRolePolicyDocument"`
	InstanceProfileList      []instanceProfile `json:"InstanceProfileList"`
	RolePolicyList           []inlinePolicy    `json:"RolePolicyList"`
	AttachedManagedPolicies  []attachedPolicy  `json:"AttachedManagedPolicies"`
	Tags                     []tag             `json:"Tags"`
	RoleLastUsed             map[string]string `json:"RoleLastUsed"`
}

type userDetail struct {
	Path                    string           `json:"Path"`
	UserName                string           `json:"UserName"`
	UserId                  string           `json:"UserId"`
	Arn                     string           `json:"Arn"`
	CreateDate              string           `json:"CreateDate"`
	UserPolicyList          []inlinePolicy   `json:"UserPolicyList"`
	GroupList               []string         `json:"GroupList"`
	AttachedManagedPolicies []attachedPolicy `json:"AttachedManagedPolicies"`
	Tags                    []tag            `json:"Tags"`
}

type groupDetail struct {
	Path                    string           `json:"Path"`
	GroupName               string           `json:"GroupName"`
	GroupId                 string           `json:"GroupId"`
	Arn                     string           `json:"Arn"`
	CreateDate              string           `json:"CreateDate"`
	GroupPolicyList         []inlinePolicy   `json:"GroupPolicyList"`
	AttachedManagedPolicies []attachedPolicy `json:"AttachedManagedPolicies"`
}

type policyVersion struct {
	Document         policyDoc `json:"Document"`
	VersionId        string    `json:"VersionId"`
	IsDefaultVersion bool      `json:"IsDefaultVersion"`
	CreateDate       string    `json:"CreateDate"`
}

type managedPolicy struct {
	PolicyName                    string          `json:"PolicyName"`
	PolicyId                      string          `json:"PolicyId"`
	Arn                           string          `json:"Arn"`
	Path                          string          `json:"Path"`
	DefaultVersionId              string          `json:"DefaultVersionId"`
	AttachmentCount               int             `json:"AttachmentCount"`
	PermissionsBoundaryUsageCount int             `json:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool            `json:"IsAttachable"`
	CreateDate                    string          `json:"CreateDate"`
	UpdateDate                    string          `json:"UpdateDate"`
	PolicyVersionList             []policyVersion `json:"PolicyVersionList"`
}

type authorizationDetails struct {
	UserDetailList  []userDetail    `json:"UserDetailList"`
	GroupDetailList []groupDetail   `json:"GroupDetailList"`
	RoleDetailList  []roleDetail    `json:"RoleDetailList"`
	Policies        []managedPolicy `json:"Policies"`
}

// write lays the environment out as a user would collect it:
//
//	aws/iam/account-authorization-details.json      aws iam get-account-authorization-details
//	aws/iam/list-open-id-connect-providers.json     aws iam list-open-id-connect-providers
//	aws/iam/oidc-providers/HOST.json                aws iam get-open-id-connect-provider
//	aws/eks/CLUSTER/describe-cluster.json           aws eks describe-cluster
//	aws/eks/CLUSTER/access-entries/ROLE.json        aws eks describe-access-entry
//	aws/eks/CLUSTER/access-entries/ROLE-policies.json  aws eks list-associated-access-policies
//	aws/eks/CLUSTER/pod-identity/NS-SA.json         aws eks describe-pod-identity-association
//	k8s/CLUSTER/NAMESPACE.yaml                      the namespace's ServiceAccounts, Roles, RoleBindings
//	k8s/CLUSTER/cluster-rbac.yaml                   ClusterRoles and ClusterRoleBindings
//	k8s/CLUSTER/aws-auth.yaml                       kubectl -n kube-system get configmap aws-auth -o yaml
//	planted.json                                    the planted finding counts
func (e *env) write(dir string) error {
	at := func(parts ...string) string { return filepath.Join(append([]string{dir}, parts...)...) }
	if err := writeJSON(at("aws", "iam", "account-authorization-details.json"), authorizationDetails{
		UserDetailList: e.users, GroupDetailList: e.groups, RoleDetailList: e.roles, Policies: e.policies}); err != nil {
		return err
	}
	hosts := []string{githubHost}
	for _, cl := range e.clusters {
		hosts = append(hosts, cl.issuerHost())
	}
	var provs []map[string]string
	for _, h := range hosts {
		provs = append(provs, map[string]string{"Arn": providerARN(h)})
		thumb := strings.ToLower(e.hex(40))
		if err := writeJSON(at("aws", "iam", "oidc-providers", strings.ReplaceAll(h, "/", "_")+".json"), map[string]any{
			"Url": h, "ClientIDList": []string{stsAudience}, "ThumbprintList": []string{thumb}, "CreateDate": createDate, "Tags": []tag{}}); err != nil {
			return err
		}
	}
	if err := writeJSON(at("aws", "iam", "list-open-id-connect-providers.json"), map[string]any{"OpenIDConnectProviderList": provs}); err != nil {
		return err
	}

	for _, cl := range e.clusters {
		if err := writeJSON(at("aws", "eks", cl.name, "describe-cluster.json"), map[string]any{"cluster": map[string]any{
			"name": cl.name, "arn": "arn:aws:eks:" + cl.region + ":" + Account + ":cluster/" + cl.name, "createdAt": createDate,
			"version": "1.33", "endpoint": "https://" + cl.oidcID + ".gr7." + cl.region + ".eks.amazonaws.com",
			"roleArn":  roleARN("eks-cluster-" + cl.name),
			"identity": map[string]any{"oidc": map[string]any{"issuer": "https://" + cl.issuerHost()}},
			"status":   "ACTIVE", "platformVersion": "eks.9", "tags": map[string]string{},
			"accessConfig": map[string]any{"bootstrapClusterCreatorAdminPermissions": false, "authenticationMode": "API_AND_CONFIG_MAP"}}}); err != nil {
			return err
		}
	}
	for _, ae := range e.entries {
		cl := e.clusters[ae.cluster]
		principal := roleARN(ae.principal)
		entry := map[string]any{"accessEntry": map[string]any{
			"clusterName": cl.name, "principalArn": principal, "kubernetesGroups": []string{},
			"accessEntryArn": fmt.Sprintf("arn:aws:eks:%s:%s:access-entry/%s/role/%s/%s/%s", cl.region, Account, cl.name, Account, ae.principal, e.uuid()),
			"createdAt":      createDate, "modifiedAt": createDate, "tags": map[string]string{},
			"username": "arn:aws:sts::" + Account + ":assumed-role/" + ae.principal + "/{{SessionName}}", "type": "STANDARD"}}
		if err := writeJSON(at("aws", "eks", cl.name, "access-entries", ae.principal+".json"), entry); err != nil {
			return err
		}
		scope := map[string]any{"type": ae.scope, "namespaces": []string{}}
		if ae.namespace != "" {
			scope["namespaces"] = []string{ae.namespace}
		}
		if err := writeJSON(at("aws", "eks", cl.name, "access-entries", ae.principal+"-policies.json"), map[string]any{
			"clusterName": cl.name, "principalArn": principal, "associatedAccessPolicies": []map[string]any{{
				"policyArn": "arn:aws:eks::aws:cluster-access-policy/" + ae.policy, "accessScope": scope,
				"associatedAt": createDate, "modifiedAt": createDate}}}); err != nil {
			return err
		}
	}
	for _, p := range e.pods {
		sa := e.sas[p.sa]
		cl := e.clusters[sa.cluster]
		id := "a-" + strings.ToLower(e.id("")[:17])
		if err := writeJSON(at("aws", "eks", cl.name, "pod-identity", sa.namespace+"-"+sa.name+".json"), map[string]any{"association": map[string]any{
			"clusterName": cl.name, "namespace": sa.namespace, "serviceAccount": sa.name, "roleArn": p.roleARN,
			"associationArn": "arn:aws:eks:" + cl.region + ":" + Account + ":podidentityassociation/" + cl.name + "/" + id,
			"associationId":  id, "tags": map[string]string{}, "createdAt": createDate, "modifiedAt": createDate}}); err != nil {
			return err
		}
	}

	for c, cl := range e.clusters {
		byNS := map[string]*strings.Builder{}
		for _, ns := range append(cl.namespaces, platformNS) {
			byNS[ns] = &strings.Builder{}
		}
		for _, sa := range e.sas {
			if sa.cluster != c {
				continue
			}
			b := byNS[sa.namespace]
			if b.Len() > 0 {
				b.WriteString("---\n")
			}
			fmt.Fprintf(b, "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: %s\n  namespace: %s\n  labels:\n    app.kubernetes.io/name: %s\n", sa.name, sa.namespace, sa.name)
			if sa.roleARN != "" {
				fmt.Fprintf(b, "  annotations:\n    eks.amazonaws.com/role-arn: %s\n", sa.roleARN)
			}
		}
		for _, ns := range cl.namespaces {
			b := byNS[ns]
			if b.Len() > 0 {
				b.WriteString("---\n")
			}
			fmt.Fprintf(b, namespaceRBAC, ns)
		}
		for _, ns := range append(cl.namespaces, platformNS) {
			if byNS[ns].Len() == 0 {
				continue
			}
			if err := writeFile(at("k8s", cl.name, ns+".yaml"), []byte(byNS[ns].String())); err != nil {
				return err
			}
		}
		if err := writeFile(at("k8s", cl.name, "cluster-rbac.yaml"), []byte(clusterRBAC)); err != nil {
			return err
		}
		var auth strings.Builder
		auth.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n")
		for _, m := range e.auth[c] {
			fmt.Fprintf(&auth, "    - rolearn: %s\n      username: %s\n      groups:\n", m.roleARN, m.username)
			for _, g := range m.groups {
				fmt.Fprintf(&auth, "        - %s\n", g)
			}
		}
		if err := writeFile(at("k8s", cl.name, "aws-auth.yaml"), []byte(auth.String())); err != nil {
			return err
		}
	}
	return writeJSON(at(PlantedFile), e.planted)
}

func (e *env) uuid() string {
	h := strings.ToLower(e.hex(32))
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// namespaceRBAC lets the namespace's team group deploy there, and its ServiceAccounts read
// its ConfigMaps.
const namespaceRBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: %[1]s
rules:
  - apiGroups: ["apps"]
    resources: ["deployments", "replicasets"]
    verbs: ["get", "list", "watch", "create", "update", "patch"]
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: team-deployers
  namespace: %[1]s
subjects:
  - kind: Group
    name: team-%[1]s
    apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: Role
  name: deployer
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: config-reader
  namespace: %[1]s
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: config-readers
  namespace: %[1]s
subjects:
  - kind: Group
    name: system:serviceaccounts:%[1]s
    apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: Role
  name: config-reader
  apiGroup: rbac.authorization.k8s.io
`

// clusterRBAC binds the platform-admins group (the platform-admin roles' mapping) to
// cluster-admin, and everyone authenticated to a read-only view.
const clusterRBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cluster-admin
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
  - nonResourceURLs: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: platform-admins
subjects:
  - kind: Group
    name: platform-admins
    apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: ClusterRole
  name: cluster-admin
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: namespace-viewer
rules:
  - apiGroups: [""]
    resources: ["namespaces"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: namespace-viewers
subjects:
  - kind: Group
    name: system:authenticated
    apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: ClusterRole
  name: namespace-viewer
  apiGroup: rbac.authorization.k8s.io
`
