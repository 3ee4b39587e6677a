package livetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Scenario is one account with one EKS cluster, served by moto (IAM, STS, the cluster), the EKS
// fake (access entries, Pod Identity) and a real kube-apiserver, seeded with the mistakes live
// mode exists to find. The end-to-end tests (collect → scan, scan --live) and the permission
// docs test read it.
type Scenario struct {
	Moto *Moto
	EKS  *FakeEKS
	Kube *KubeAPI
	// Kubeconfig has one context, named after the cluster's ARN as aws eks update-kubeconfig
	// names it, with a system:masters token.
	Kubeconfig string
	// Env points the AWS SDK (and CLI) at the fakes: static credentials, the region,
	// AWS_ENDPOINT_URL (moto) and AWS_ENDPOINT_URL_EKS (the fake), no shared config files.
	Env map[string]string
}

// Scenario facts the tests assert on.
const (
	ScenarioCluster    = "prod"
	ScenarioClusterARN = "arn:aws:eks:" + Region + ":" + Account + ":cluster/" + ScenarioCluster
	ScenarioIssuerHost = "oidc.eks." + Region + ".amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
)

// StartScenario starts moto, the EKS fake and (shared) kube-apiserver and seeds them:
//   - roles: orders-api (IRSA, exact sub; its ServiceAccount exists and a pod runs as it),
//     billing-reader (IRSA for a ServiceAccount that does not exist), batch-worker (IRSA for a
//     ServiceAccount no pod runs as), ci-deployer (IRSA without a sub condition),
//     platform-admin (assumable by the account, AdministratorAccess, mapped to system:masters
//     in aws-auth) and payments (Pod Identity trust without sts:TagSession);
//   - user alice, allowed to assume platform-admin, with an access entry bound to
//     AmazonEKSClusterAdminPolicy;
//   - cluster prod (API_AND_CONFIG_MAP, a fixed OIDC issuer) and its provider;
//   - in Kubernetes: those ServiceAccounts, a pod, RBAC letting group devs create pods in
//     orders, aws-auth, and a Secret and a ConfigMap that must never be read.
//
// Only one Scenario may run at a time in a test binary (moto and the apiserver are shared).
func StartScenario(t testing.TB) *Scenario {
	t.Helper()
	ctx := context.Background()
	m := SharedMoto(t)
	f := StartFakeEKS(t, m.URL)
	k := SharedKubeAPI(t, KubeOptions{ContextName: ScenarioClusterARN, ClusterName: ScenarioClusterARN})
	s := &Scenario{Moto: m, EKS: f, Kube: k, Kubeconfig: k.Kubeconfig, Env: map[string]string{
		"AWS_ACCESS_KEY_ID":           AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       SecretAccessKey,
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  Region,
		"AWS_DEFAULT_REGION":          Region,
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             "/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_ENDPOINT_URL":            m.URL,
		"AWS_ENDPOINT_URL_EKS":        f.URL,
		"KUBECONFIG":                  k.Kubeconfig,
	}}

	cfg := AWSConfig(m.URL)
	iamc := iam.NewFromConfig(cfg)
	provider := "arn:aws:iam::" + Account + ":oidc-provider/" + ScenarioIssuerHost
	must(t, "create OIDC provider", func() error {
		_, err := iamc.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
			Url: aws.String("https://" + ScenarioIssuerHost), ClientIDList: []string{"sts.amazonaws.com"},
			ThumbprintList: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}})
		return err
	})
	irsa := func(sub string) string {
		cond := map[string]any{ScenarioIssuerHost + ":aud": "sts.amazonaws.com"}
		if sub != "" {
			cond[ScenarioIssuerHost+":sub"] = sub
		}
		return trustJSON(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Federated": provider},
			"Action": "sts:AssumeRoleWithWebIdentity", "Condition": map[string]any{"StringEquals": cond}})
	}
	roles := []struct{ name, trust string }{
		{"orders-api", irsa("system:serviceaccount:orders:api")},
		{"billing-reader", irsa("system:serviceaccount:billing:reader")},
		{"batch-worker", irsa("system:serviceaccount:batch:worker")},
		{"ci-deployer", irsa("")},
		{"platform-admin", trustJSON(map[string]any{"Effect": "Allow",
			"Principal": map[string]any{"AWS": "arn:aws:iam::" + Account + ":root"}, "Action": "sts:AssumeRole"})},
		{"payments", trustJSON(map[string]any{"Effect": "Allow",
			"Principal": map[string]any{"Service": "pods.eks.amazonaws.com"}, "Action": "sts:AssumeRole"})},
	}
	for _, r := range roles {
		must(t, "create role "+r.name, func() error {
			_, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.name), AssumeRolePolicyDocument: aws.String(r.trust)})
			return err
		})
	}
	must(t, "attach AdministratorAccess", func() error {
		_, err := iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("platform-admin"), PolicyName: aws.String("admin"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
		return err
	})
	must(t, "create user alice", func() error {
		if _, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
			return err
		}
		_, err := iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume-admin"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::` + Account + `:role/platform-admin"}]}`)})
		return err
	})

	// The cluster lives in moto; the fake fixes what moto randomises or drops (issuer,
	// endpoint, access config) so findings are the same on every run.
	f.PatchCluster(ScenarioCluster, map[string]any{
		"endpoint":     k.Server,
		"identity":     map[string]any{"oidc": map[string]any{"issuer": "https://" + ScenarioIssuerHost}},
		"accessConfig": map[string]any{"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": false},
	})
	eksc := eks.NewFromConfig(AWSConfig(f.URL))
	must(t, "create cluster", func() error {
		_, err := eksc.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(ScenarioCluster),
			RoleArn:            aws.String("arn:aws:iam::" + Account + ":role/eks-cluster"),
			ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-1", "subnet-2"}}})
		return err
	})
	f.AddAccessEntry(ScenarioCluster, AccessEntry{PrincipalARN: "arn:aws:iam::" + Account + ":user/alice",
		Policies: []AssociatedPolicy{{PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"}}})
	f.AddPodIdentityAssociation(ScenarioCluster, PodIdentityAssociation{Namespace: "payments", ServiceAccount: "processor",
		RoleARN: "arn:aws:iam::" + Account + ":role/payments"})

	seedKube(t, k)
	return s
}

func seedKube(t testing.TB, k *KubeAPI) {
	t.Helper()
	ctx := context.Background()
	c, err := kubernetes.NewForConfig(k.RESTConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	// The apiserver is shared by the test binary: a second scenario finds the objects the
	// first created (without a controller-manager, deleted namespaces never go away).
	create := func(what string, fn func() error) {
		must(t, "create "+what, func() error {
			if err := fn(); err != nil && !apierrors.IsAlreadyExists(err) {
				return err
			}
			return nil
		})
	}
	for _, ns := range []string{"orders", "batch", "payments"} {
		create("namespace "+ns, func() error {
			_, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
			return err
		})
	}
	sas := []struct{ ns, name, role string }{
		{"orders", "api", "orders-api"}, {"batch", "worker", "batch-worker"}, {"payments", "processor", ""},
	}
	for _, sa := range sas {
		obj := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: sa.ns, Name: sa.name}}
		if sa.role != "" {
			obj.Annotations = map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::" + Account + ":role/" + sa.role}
		}
		create("serviceaccount "+sa.ns+"/"+sa.name, func() error {
			_, err := c.CoreV1().ServiceAccounts(sa.ns).Create(ctx, obj, metav1.CreateOptions{})
			return err
		})
	}
	create("pod orders/api-0", func() error {
		_, err := c.CoreV1().Pods("orders").Create(ctx, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "orders", Name: "api-0"},
			Spec: corev1.PodSpec{ServiceAccountName: "api", AutomountServiceAccountToken: aws.Bool(false),
				Containers: []corev1.Container{{Name: "api", Image: "registry.example/orders-api:1"}}},
		}, metav1.CreateOptions{})
		return err
	})
	create("role orders/pod-creator", func() error {
		_, err := c.RbacV1().Roles("orders").Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: "orders", Name: "pod-creator"},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"create", "get", "list"}}}}, metav1.CreateOptions{})
		return err
	})
	create("rolebinding orders/devs-create-pods", func() error {
		_, err := c.RbacV1().RoleBindings("orders").Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "orders", Name: "devs-create-pods"},
			RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "pod-creator"},
			Subjects: []rbacv1.Subject{{Kind: "Group", APIGroup: "rbac.authorization.k8s.io", Name: "devs"}}}, metav1.CreateOptions{})
		return err
	})
	mapRoles := "- rolearn: arn:aws:iam::" + Account + ":role/platform-admin\n  username: platform-admin\n  groups:\n    - system:masters\n"
	create("configmap kube-system/aws-auth", func() error {
		_, err := c.CoreV1().ConfigMaps("kube-system").Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "aws-auth"}, Data: map[string]string{"mapRoles": mapRoles}}, metav1.CreateOptions{})
		return err
	})
	// Never to be read: live mode must not touch other ConfigMaps or any Secret.
	create("configmap kube-system/not-aws-auth", func() error {
		_, err := c.CoreV1().ConfigMaps("kube-system").Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "not-aws-auth"}, Data: map[string]string{"password": ScenarioSecretValue}}, metav1.CreateOptions{})
		return err
	})
	create("secret orders/db", func() error {
		_, err := c.CoreV1().Secrets("orders").Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: "orders", Name: "db"}, StringData: map[string]string{"password": ScenarioSecretValue}}, metav1.CreateOptions{})
		return err
	})
}

// ScenarioSecretValue is stored in a Secret and a ConfigMap that must never reach a snapshot.
const ScenarioSecretValue = "s3cr3t-never-collected"

func trustJSON(statement map[string]any) string {
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{statement}})
	if err != nil {
		panic(err)
	}
	return string(b)
}

func must(t testing.TB, what string, fn func() error) {
	t.Helper()
	if err := fn(); err != nil {
		t.Fatalf("scenario: %s: %v", what, err)
	}
}
