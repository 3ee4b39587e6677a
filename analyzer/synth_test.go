package analyzer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// synthSpec sizes a generated environment.
type synthSpec struct {
	Roles, ServiceAccounts int
}

const (
	synthAcct    = "111122223333"
	synthGitHub  = "token.actions.githubusercontent.com"
	synthFiles   = 100 // ServiceAccount manifest files, split over the clusters
	synthNSPerCl = 100 // namespaces per cluster
	synthUsers   = 50
)

var synthClusters = []struct{ name, region, oidcID string }{
	{"prod-east", "us-east-1", "1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D"},
	{"prod-west", "us-west-2", "6D5C4B3A2F1E0D9C8B7A6F5E4D3C2B1A"},
}

func synthIssuer(c int) string {
	return "oidc.eks." + synthClusters[c].region + ".amazonaws.com/id/" + synthClusters[c].oidcID
}

// synthSA places ServiceAccount i: cluster i%2, one of 100 namespaces per cluster.
func synthSA(i int) (cluster int, ns, name string) {
	return i % len(synthClusters), fmt.Sprintf("ns-%03d", (i/len(synthClusters))%synthNSPerCl), fmt.Sprintf("sa-%05d", i)
}

// synthRole is what kind of role i is: most are IRSA pinned to ServiceAccount i; every 50th
// uses Pod Identity for ServiceAccount i; every 25th (offset 1) is an ops role that trusts the
// account root (users may assume it); every 500th (offset 2) trusts GitHub Actions.
func synthRole(i int) (kind, name string) {
	switch {
	case i%50 == 0:
		return "pod-identity", fmt.Sprintf("pi-%05d", i)
	case i%25 == 1:
		return "root", fmt.Sprintf("ops-%05d", i)
	case i%500 == 2:
		return "github", fmt.Sprintf("gha-%05d", i)
	}
	return "irsa", fmt.Sprintf("irsa-%05d", i)
}

func synthRoleARN(name string) string { return "arn:aws:iam::" + synthAcct + ":role/" + name }

// writeSynthetic writes a generated environment in the native formats into dir:
// aws/iam/account-authorization-details.json (users, a group, roles, managed policies),
// the OIDC provider list and get-open-id-connect-provider per cluster, describe-cluster and
// describe-pod-identity-association per cluster, and per cluster k8s/CLUSTER/ with the
// ServiceAccounts split over files, aws-auth and RBAC.
func writeSynthetic(tb testing.TB, dir string, spec synthSpec) {
	tb.Helper()
	write := func(rel string, v any) {
		var b []byte
		switch v := v.(type) {
		case string:
			b = []byte(v)
		default:
			var err error
			if b, err = json.MarshalIndent(v, "", "    "); err != nil {
				tb.Fatal(err)
			}
		}
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	doc := func(stmts ...map[string]any) map[string]any {
		return map[string]any{"Version": "2012-10-17", "Statement": stmts}
	}
	attached := func(arns ...string) []map[string]any {
		out := []map[string]any{}
		for _, a := range arns {
			out = append(out, map[string]any{"PolicyName": a[strings.LastIndex(a, "/")+1:], "PolicyArn": a})
		}
		return out
	}

	// IAM.
	var roles []map[string]any
	annotation := map[int]string{} // ServiceAccount index → role ARN
	var pods []int                 // ServiceAccount indexes with a Pod Identity association
	mapped := map[int][]map[string]any{}
	for c := range synthClusters {
		mapped[c] = append(mapped[c], map[string]any{"rolearn": synthRoleARN("node-" + synthClusters[c].name),
			"username": "system:node:{{EC2PrivateDNSName}}", "groups": []string{"system:bootstrappers", "system:nodes"}})
	}
	for c := range synthClusters {
		roles = append(roles, map[string]any{"Path": "/", "RoleName": "node-" + synthClusters[c].name, "RoleId": fmt.Sprintf("AROASYNTHNODE%07d", c),
			"Arn": synthRoleARN("node-" + synthClusters[c].name), "CreateDate": "2025-01-01T00:00:00Z",
			"AssumeRolePolicyDocument": doc(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
			"InstanceProfileList":      []any{}, "RolePolicyList": []any{}, "Tags": []any{},
			"AttachedManagedPolicies": attached("arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly")})
	}
	for i := 0; i < spec.Roles; i++ {
		kind, name := synthRole(i)
		c, ns, sa := synthSA(i % max(spec.ServiceAccounts, 1))
		var trust map[string]any
		var pols []string
		inline := []map[string]any{}
		switch kind {
		case "irsa":
			host := synthIssuer(c)
			trust = doc(map[string]any{"Effect": "Allow",
				"Principal": map[string]any{"Federated": "arn:aws:iam::" + synthAcct + ":oidc-provider/" + host},
				"Action":    "sts:AssumeRoleWithWebIdentity",
				"Condition": map[string]any{"StringEquals": map[string]any{host + ":sub": "system:serviceaccount:" + ns + ":" + sa, host + ":aud": "sts.amazonaws.com"}}})
			annotation[i%max(spec.ServiceAccounts, 1)] = synthRoleARN(name)
			pols = []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}
			switch i % 1000 {
			case 3: // a few workloads mapped into their cluster, one of them to system:masters
				mapped[c] = append(mapped[c], map[string]any{"rolearn": synthRoleARN(name), "username": name, "groups": []string{"system:masters"}})
			case 103, 203, 303:
				mapped[c] = append(mapped[c], map[string]any{"rolearn": synthRoleARN(name), "username": name, "groups": []string{"team-" + ns}})
			case 403:
				mapped[c] = append(mapped[c], map[string]any{"rolearn": synthRoleARN(name), "username": name, "groups": []string{"platform-admins"}})
			case 5: // a workload that may chain into the ops roles (one of them admin)
				inline = append(inline, map[string]any{"PolicyName": "assume-ops", "PolicyDocument": doc(map[string]any{
					"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": synthRoleARN("ops-*")})})
			}
		case "pod-identity":
			trust = doc(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "pods.eks.amazonaws.com"},
				"Action":    []string{"sts:AssumeRole", "sts:TagSession"},
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:RequestTag/kubernetes-namespace": ns}}})
			pods = append(pods, i%max(spec.ServiceAccounts, 1))
			pols = []string{"arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"}
		case "root":
			trust = doc(map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + synthAcct + ":root"}, "Action": "sts:AssumeRole"})
			pols = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}
			if i%1000 == 1 {
				pols = []string{"arn:aws:iam::aws:policy/AdministratorAccess"}
			}
		case "github":
			trust = doc(map[string]any{"Effect": "Allow",
				"Principal": map[string]any{"Federated": "arn:aws:iam::" + synthAcct + ":oidc-provider/" + synthGitHub},
				"Action":    "sts:AssumeRoleWithWebIdentity",
				"Condition": map[string]any{"StringEquals": map[string]any{synthGitHub + ":aud": "sts.amazonaws.com"},
					"StringLike": map[string]any{synthGitHub + ":sub": fmt.Sprintf("repo:acme/app-%d:ref:refs/heads/main", i)}}})
			pols = []string{"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"}
		}
		roles = append(roles, map[string]any{"Path": "/", "RoleName": name, "RoleId": fmt.Sprintf("AROASYNTH%011d", i),
			"Arn": synthRoleARN(name), "CreateDate": "2025-01-01T00:00:00Z", "AssumeRolePolicyDocument": trust,
			"InstanceProfileList": []any{}, "RolePolicyList": inline, "AttachedManagedPolicies": attached(pols...), "Tags": []any{}, "RoleLastUsed": map[string]any{}})
	}
	var users []map[string]any
	for j := 0; j < synthUsers; j++ {
		u := map[string]any{"Path": "/", "UserName": fmt.Sprintf("user-%02d", j), "UserId": fmt.Sprintf("AIDASYNTH%011d", j),
			"Arn": fmt.Sprintf("arn:aws:iam::%s:user/user-%02d", synthAcct, j), "CreateDate": "2025-01-01T00:00:00Z",
			"UserPolicyList": []any{}, "GroupList": []string{}, "AttachedManagedPolicies": []any{}, "Tags": []any{}}
		if j%2 == 0 {
			u["GroupList"] = []string{"operators"}
		} else {
			u["AttachedManagedPolicies"] = attached("arn:aws:iam::" + synthAcct + ":policy/assume-ops")
		}
		users = append(users, u)
	}
	groups := []map[string]any{{"Path": "/", "GroupName": "operators", "GroupId": "AGPASYNTH00000000001",
		"Arn": "arn:aws:iam::" + synthAcct + ":group/operators", "CreateDate": "2025-01-01T00:00:00Z",
		"GroupPolicyList":         []map[string]any{{"PolicyName": "assume-ops", "PolicyDocument": doc(map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": synthRoleARN("ops-*")})}},
		"AttachedManagedPolicies": []any{}}}
	policies := []map[string]any{{"PolicyName": "assume-ops", "PolicyId": "ANPASYNTH00000000001", "Arn": "arn:aws:iam::" + synthAcct + ":policy/assume-ops",
		"Path": "/", "DefaultVersionId": "v2", "AttachmentCount": synthUsers / 2, "IsAttachable": true,
		"PolicyVersionList": []map[string]any{
			{"VersionId": "v2", "IsDefaultVersion": true, "Document": doc(map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": synthRoleARN("ops-*")})},
			{"VersionId": "v1", "IsDefaultVersion": false, "Document": doc(map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})},
		}}}
	write("aws/iam/account-authorization-details.json", map[string]any{"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies})
	provs := []map[string]any{{"Arn": "arn:aws:iam::" + synthAcct + ":oidc-provider/" + synthGitHub}}
	for c := range synthClusters {
		provs = append(provs, map[string]any{"Arn": "arn:aws:iam::" + synthAcct + ":oidc-provider/" + synthIssuer(c)})
		write(fmt.Sprintf("aws/iam/get-open-id-connect-provider-%s.json", synthClusters[c].name),
			map[string]any{"Url": synthIssuer(c), "ClientIDList": []string{"sts.amazonaws.com"}, "ThumbprintList": []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}})
	}
	write("aws/iam/list-open-id-connect-providers.json", map[string]any{"OpenIDConnectProviderList": provs})

	// EKS.
	for c, cl := range synthClusters {
		write("aws/eks/"+cl.name+"/describe-cluster.json", map[string]any{"cluster": map[string]any{
			"name": cl.name, "arn": "arn:aws:eks:" + cl.region + ":" + synthAcct + ":cluster/" + cl.name, "version": "1.33",
			"identity": map[string]any{"oidc": map[string]any{"issuer": "https://" + synthIssuer(c)}}, "status": "ACTIVE",
			"accessConfig": map[string]any{"bootstrapClusterCreatorAdminPermissions": false, "authenticationMode": "API_AND_CONFIG_MAP"}}})
	}
	for _, i := range pods {
		c, ns, sa := synthSA(i)
		_, name := synthRole(i)
		cl := synthClusters[c]
		id := fmt.Sprintf("a-%017d", i)
		write(fmt.Sprintf("aws/eks/%s/pod-identity/%s-%s.json", cl.name, ns, sa), map[string]any{"association": map[string]any{
			"clusterName": cl.name, "namespace": ns, "serviceAccount": sa, "roleArn": synthRoleARN(name),
			"associationArn": "arn:aws:eks:" + cl.region + ":" + synthAcct + ":podidentityassociation/" + cl.name + "/" + id,
			"associationId":  id, "tags": map[string]any{}, "createdAt": "2025-01-01T00:00:00Z", "modifiedAt": "2025-01-01T00:00:00Z"}})
	}

	// Kubernetes: ServiceAccounts over synthFiles files, then aws-auth and RBAC per cluster.
	files := make([]strings.Builder, synthFiles)
	for i := 0; i < spec.ServiceAccounts; i++ {
		c, ns, sa := synthSA(i)
		f := &files[(i/len(synthClusters))%(synthFiles/len(synthClusters))*len(synthClusters)+c]
		if f.Len() > 0 {
			f.WriteString("---\n")
		}
		fmt.Fprintf(f, "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: %s\n  namespace: %s\n", sa, ns)
		if arn, ok := annotation[i]; ok {
			fmt.Fprintf(f, "  annotations:\n    eks.amazonaws.com/role-arn: %s\n", arn)
		}
	}
	for k := range files {
		if files[k].Len() > 0 {
			write(fmt.Sprintf("k8s/%s/serviceaccounts-%03d.yaml", synthClusters[k%len(synthClusters)].name, k/len(synthClusters)), files[k].String())
		}
	}
	for c, cl := range synthClusters {
		var auth strings.Builder
		auth.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n")
		for _, m := range mapped[c] {
			fmt.Fprintf(&auth, "    - rolearn: %s\n      username: %s\n      groups:\n", m["rolearn"], m["username"])
			for _, g := range m["groups"].([]string) {
				fmt.Fprintf(&auth, "        - %s\n", g)
			}
		}
		write("k8s/"+cl.name+"/aws-auth.yaml", auth.String())
		var rbac strings.Builder
		rbac.WriteString(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cluster-admin
rules:
  - apiGroups: ["*"]
    resources: ["*"]
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
`)
		for n := 0; n < synthNSPerCl; n += 10 {
			fmt.Fprintf(&rbac, `---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: ns-%03[1]d
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["create", "update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: team
  namespace: ns-%03[1]d
subjects:
  - kind: Group
    name: team-ns-%03[1]d
    apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: Role
  name: deployer
  apiGroup: rbac.authorization.k8s.io
`, n)
		}
		write("k8s/"+cl.name+"/rbac.yaml", rbac.String())
	}
}
