package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	rbacv1client "k8s.io/client-go/kubernetes/typed/rbac/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/kube"
	"github.com/rolecall/rolecall/analyzer/policy"
	"github.com/rolecall/rolecall/internal/livetest"
	"github.com/rolecall/rolecall/rules"
)

const (
	prodARN  = "arn:aws:eks:eu-west-1:123456789012:cluster/prod"
	stageARN = "arn:aws:eks:eu-west-1:123456789012:cluster/stage"
	irsaKey  = "eks.amazonaws.com/role-arn"
)

var (
	prod  = ClusterInfo{Name: "prod", ARN: prodARN, Endpoint: "https://ABC123.gr7.eu-west-1.eks.amazonaws.com"}
	stage = ClusterInfo{Name: "stage", ARN: stageARN, Endpoint: "https://DEF456.gr7.eu-west-1.eks.amazonaws.com"}
)

// kctx is one kubeconfig context with its own cluster entry.
type kctx struct{ name, cluster, server string }

func kubeconfig(current string, ctxs ...kctx) *clientcmdapi.Config {
	c := clientcmdapi.NewConfig()
	for _, x := range ctxs {
		c.Clusters[x.cluster] = &clientcmdapi.Cluster{Server: x.server}
		c.Contexts[x.name] = &clientcmdapi.Context{Cluster: x.cluster, AuthInfo: "u"}
	}
	c.AuthInfos["u"] = &clientcmdapi.AuthInfo{Token: "t"}
	c.CurrentContext = current
	return c
}

// noContext is the warning for an EKS cluster without a context (message checked in full once).
func noContext(cluster string) Diagnostic {
	return Diagnostic{Severity: "warning", Cluster: cluster, Permission: "kube context", NotEvaluated: kubeRules,
		Message: "no kubeconfig context for EKS cluster " + cluster}
}

func TestKubeTargets(t *testing.T) {
	other := kctx{"kind-dev", "kind-dev", "https://127.0.0.1:6443"}
	tests := []struct {
		name     string
		opts     Options
		clusters []ClusterInfo
		raw      *clientcmdapi.Config
		want     []kubeTarget
		// wantDiags match by Severity, Cluster, Permission, NotEvaluated and a Message prefix.
		wantDiags []Diagnostic
	}{
		{
			name:     "server matches despite case, default port and trailing slash",
			clusters: []ClusterInfo{prod, stage},
			raw:      kubeconfig("eks-prod", kctx{"eks-prod", "c1", "https://abc123.GR7.eu-west-1.eks.amazonaws.com:443/"}),
			want:     []kubeTarget{{"prod", "eks-prod"}},
			wantDiags: []Diagnostic{{Severity: "warning", Cluster: "stage", Permission: "kube context", NotEvaluated: kubeRules,
				Message: "no kubeconfig context for EKS cluster stage (server https://DEF456.gr7.eu-west-1.eks.amazonaws.com); " +
					"run aws eks update-kubeconfig --name stage --region eu-west-1; its aws-auth, ServiceAccounts and RBAC were not read"}},
		},
		{
			name:      "context named by the cluster ARN, as update-kubeconfig writes it",
			clusters:  []ClusterInfo{prod, stage},
			raw:       kubeconfig("", kctx{prodARN, prodARN, "https://10.0.0.1"}, kctx{stageARN, stageARN, "https://10.0.0.2"}),
			want:      []kubeTarget{{"prod", prodARN}, {"stage", stageARN}},
			wantDiags: []Diagnostic{},
		},
		{
			name:      "cluster entry named by the ARN",
			clusters:  []ClusterInfo{prod},
			raw:       kubeconfig("", kctx{"admin@prod", prodARN, "https://10.0.0.1"}),
			want:      []kubeTarget{{"prod", "admin@prod"}},
			wantDiags: []Diagnostic{},
		},
		{
			name:      "cluster entry named like the cluster as the last resort",
			clusters:  []ClusterInfo{prod},
			raw:       kubeconfig("", kctx{"x", "prod", "https://10.0.0.1"}),
			want:      []kubeTarget{{"prod", "x"}},
			wantDiags: []Diagnostic{},
		},
		{
			name:      "server match beats a name match",
			clusters:  []ClusterInfo{prod},
			raw:       kubeconfig("a", kctx{"a", "prod", "https://10.0.0.1"}, kctx{"b", "z", prod.Endpoint}),
			want:      []kubeTarget{{"prod", "b"}},
			wantDiags: []Diagnostic{},
		},
		{
			name:      "current context wins a tie",
			clusters:  []ClusterInfo{prod},
			raw:       kubeconfig("b", kctx{"a", "a", prod.Endpoint}, kctx{"b", "b", prod.Endpoint}, kctx{"c", "c", prod.Endpoint}),
			want:      []kubeTarget{{"prod", "b"}},
			wantDiags: []Diagnostic{},
		},
		{
			name:     "current context of no EKS cluster is read under its cluster entry's name",
			clusters: []ClusterInfo{prod},
			raw:      kubeconfig("kind-dev", kctx{"p", prodARN, prod.Endpoint}, other),
			want:     []kubeTarget{{"prod", "p"}, {"kind-dev", "kind-dev"}},
			wantDiags: []Diagnostic{{Severity: "warning", Cluster: "kind-dev", Permission: "kube context",
				Message: `current kube context "kind-dev" (server https://127.0.0.1:6443) matches no EKS cluster read; its objects are collected as cluster "kind-dev"`}},
		},
		{
			name:     "current context with another account's cluster ARN is named by the ARN's cluster name",
			clusters: nil,
			raw:      kubeconfig("o", kctx{"o", "arn:aws:eks:us-east-1:999999999999:cluster/other", "https://10.9.9.9"}),
			want:     []kubeTarget{{"other", "o"}},
			wantDiags: []Diagnostic{{Severity: "warning", Cluster: "other", Permission: "kube context",
				Message: `current kube context "o" (server https://10.9.9.9) matches no EKS cluster read`}},
		},
		{
			name:      "clusters asked for limit the EKS clusters and leave out an unrelated current context",
			opts:      Options{Clusters: []string{"stage"}},
			clusters:  []ClusterInfo{prod, stage},
			raw:       kubeconfig("kind-dev", kctx{"p", prodARN, prod.Endpoint}, kctx{"s", stageARN, stage.Endpoint}, other),
			want:      []kubeTarget{{"stage", "s"}},
			wantDiags: []Diagnostic{},
		},
		{
			name:     "chosen kube context: only it is read",
			opts:     Options{KubeContext: "s"},
			clusters: []ClusterInfo{prod, stage},
			raw:      kubeconfig("p", kctx{"p", prodARN, prod.Endpoint}, kctx{"s", stageARN, stage.Endpoint}),
			want:     []kubeTarget{{"stage", "s"}},
			wantDiags: []Diagnostic{{Severity: "warning", Cluster: "prod", Permission: "kube context", NotEvaluated: kubeRules,
				Message: `EKS cluster prod (server https://ABC123.gr7.eu-west-1.eks.amazonaws.com) was not read: the kube context chosen, "s", is not for it`}},
		},
		{
			name:     "chosen kube context of no EKS cluster is read under a derived name",
			opts:     Options{KubeContext: "kind-dev"},
			clusters: []ClusterInfo{prod},
			raw:      kubeconfig("p", kctx{"p", prodARN, prod.Endpoint}, other),
			want:     []kubeTarget{{"kind-dev", "kind-dev"}},
			wantDiags: []Diagnostic{
				{Severity: "warning", Cluster: "kind-dev", Permission: "kube context", Message: `kube context "kind-dev" (server https://127.0.0.1:6443) matches no EKS cluster read`},
				{Severity: "warning", Cluster: "prod", Permission: "kube context", NotEvaluated: kubeRules, Message: "EKS cluster prod "},
			},
		},
		{
			name:      "chosen kube context missing from the kubeconfig",
			opts:      Options{KubeContext: "nope"},
			clusters:  []ClusterInfo{prod},
			raw:       kubeconfig("p", kctx{"p", prodARN, prod.Endpoint}),
			want:      nil,
			wantDiags: []Diagnostic{{Severity: "warning", Permission: "kube context", NotEvaluated: kubeRules, Message: `kube context "nope" is not in the kubeconfig`}},
		},
		{
			name:      "no kubeconfig at all: one warning per EKS cluster",
			clusters:  []ClusterInfo{prod, stage},
			raw:       clientcmdapi.NewConfig(),
			want:      nil,
			wantDiags: []Diagnostic{noContext("prod"), noContext("stage")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Concurrency = 1
			st := newState(tt.opts)
			got := kubeTargets(tt.opts, tt.clusters, tt.raw, st)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(kubeTarget{})); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
			st.snap.Sort()
			checkDiags(t, tt.wantDiags, st.snap.Diagnostics)
		})
	}
}

// checkDiags compares diagnostics, each want Message being a prefix of the one got.
func checkDiags(t *testing.T, want, got []Diagnostic) {
	t.Helper()
	ok := len(want) == len(got)
	for i := 0; ok && i < len(want); i++ {
		w, g := want[i], got[i]
		ok = w.Severity == g.Severity && w.API == g.API && w.Cluster == g.Cluster && w.Permission == g.Permission &&
			slices.Equal(w.NotEvaluated, g.NotEvaluated) && strings.HasPrefix(g.Message, w.Message)
	}
	if !ok {
		t.Errorf("diagnostics (messages of want are prefixes):\nwant %s\ngot  %s", dump(want), dump(got))
	}
}

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func TestNormServer(t *testing.T) {
	tests := []struct{ a, b string }{
		{"https://ABC.gr7.eu-west-1.eks.amazonaws.com", "https://abc.gr7.eu-west-1.eks.amazonaws.com/"},
		{"https://abc.example.com:443", "HTTPS://abc.example.com"},
		{"abc.example.com", "https://abc.example.com"},
	}
	for _, tt := range tests {
		if normServer(tt.a) != normServer(tt.b) {
			t.Errorf("normServer(%q) = %q, normServer(%q) = %q: want equal", tt.a, normServer(tt.a), tt.b, normServer(tt.b))
		}
	}
	for _, pair := range [][2]string{
		{"https://abc.example.com:8443", "https://abc.example.com"},
		{"https://abc.example.com/a", "https://abc.example.com/b"},
		{"http://abc.example.com", "https://abc.example.com"},
	} {
		if normServer(pair[0]) == normServer(pair[1]) {
			t.Errorf("normServer(%q) == normServer(%q): want different", pair[0], pair[1])
		}
	}
}

// Every rule id a Kubernetes diagnostic lists exists, and the lists per read are part of the
// list for a cluster not read at all.
func TestKubeRulesExist(t *testing.T) {
	e, err := policy.New(t.Context(), rules.FS)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range e.Rules() {
		ids[r.ID] = true
	}
	for _, id := range kubeRules {
		if !ids[id] {
			t.Errorf("kubeRules names %s, which is no rule", id)
		}
	}
	for _, r := range kubeReads {
		for _, id := range r.notEvaluated {
			if !slices.Contains(kubeRules, id) {
				t.Errorf("%s lists %s, which kubeRules lacks", r.call(), id)
			}
		}
	}
}

func TestCollectKubeKubeconfigUnreadable(t *testing.T) {
	opts := Options{Concurrency: 1, Kubeconfig: filepath.Join(t.TempDir(), "missing")}
	st := newState(opts)
	collectKube(t.Context(), opts, []ClusterInfo{prod}, st)
	checkDiags(t, []Diagnostic{{Severity: "warning", Permission: "kubeconfig", NotEvaluated: kubeRules, Message: "cannot read the kubeconfig: "}},
		st.snap.Diagnostics)
	if len(st.snap.Records) != 0 || len(st.snap.Clusters) != 0 {
		t.Errorf("records %v, clusters %v: want none", st.snap.Records, st.snap.Clusters)
	}
}

// --- against a real kube-apiserver ---

// fixture creates objects in the shared apiserver as its system:masters user.
type fixture struct {
	t    *testing.T
	k    *livetest.KubeAPI
	core corev1client.CoreV1Interface
	rbac rbacv1client.RbacV1Interface
	dyn  dynamic.Interface
	// prefix makes this test's namespaces and cluster-scoped names its own.
	prefix string
}

func newFixture(t *testing.T, opts livetest.KubeOptions) *fixture {
	t.Helper()
	k := livetest.SharedKubeAPI(t, opts)
	cfg := k.RESTConfig(t)
	core, err := corev1client.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := rbacv1client.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, k: k, core: core, rbac: rb, dyn: dyn, prefix: "rc" + hex.EncodeToString(b)}
}

func (f *fixture) check(_ any, err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func meta(ns, name string) metav1.ObjectMeta { return metav1.ObjectMeta{Namespace: ns, Name: name} }

func (f *fixture) namespace(name string) {
	f.t.Helper()
	_, err := f.core.Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: meta("", name)}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		f.t.Fatal(err)
	}
}

func (f *fixture) serviceAccount(ns, name, roleARN string) {
	f.t.Helper()
	sa := &corev1.ServiceAccount{ObjectMeta: meta(ns, name)}
	if roleARN != "" {
		sa.Annotations = map[string]string{irsaKey: roleARN}
	}
	f.check(f.core.ServiceAccounts(ns).Create(context.Background(), sa, metav1.CreateOptions{}))
}

// pod creates a pod running as sa ("" leaves it to admission, which picks "default"). With no
// scheduler it stays Pending, which is enough: it exists and names its ServiceAccount.
func (f *fixture) pod(ns, name, sa string) {
	f.t.Helper()
	p := &corev1.Pod{ObjectMeta: meta(ns, name), Spec: corev1.PodSpec{ServiceAccountName: sa,
		Containers: []corev1.Container{{Name: "app", Image: "registry.invalid/app:1"}}}}
	f.check(f.core.Pods(ns).Create(context.Background(), p, metav1.CreateOptions{}))
}

// bindClusterRole creates a ClusterRole with rules and binds it to subject.
func (f *fixture) bindClusterRole(name string, subject rbacv1.Subject, rules ...rbacv1.PolicyRule) {
	f.t.Helper()
	ctx := context.Background()
	f.check(f.rbac.ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: meta("", name), Rules: rules}, metav1.CreateOptions{}))
	f.check(f.rbac.ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: meta("", name),
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects: []rbacv1.Subject{subject}}, metav1.CreateOptions{}))
}

// awsAuth creates kube-system/aws-auth for the test (the apiserver has one kube-system, so
// tests that need it never run at once) and deletes it afterwards.
func (f *fixture) awsAuth(mapRoles string) {
	f.t.Helper()
	f.namespace("kube-system")
	cm := &corev1.ConfigMap{ObjectMeta: meta("kube-system", "aws-auth"), Data: map[string]string{"mapRoles": mapRoles}}
	f.check(f.core.ConfigMaps("kube-system").Create(context.Background(), cm, metav1.CreateOptions{}))
	f.t.Cleanup(func() {
		_ = f.core.ConfigMaps("kube-system").Delete(context.Background(), "aws-auth", metav1.DeleteOptions{})
	})
}

// count lists every object of a resource as the admin, unpaged.
func (f *fixture) count(r kubeRead) int {
	f.t.Helper()
	l, err := f.dyn.Resource(r.gvr()).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(l.Items)
}

func readOf(resource string) kubeRead {
	for _, r := range kubeReads {
		if r.resource == resource {
			return r
		}
	}
	panic("no read of " + resource)
}

// smallPages makes every list take several pages for the rest of the test.
func smallPages(t *testing.T) {
	old := kubePageSize
	kubePageSize = 2
	t.Cleanup(func() { kubePageSize = old })
}

// collect runs collectKube and returns the sorted snapshot and the calls made.
func collect(t *testing.T, opts Options, clusters []ClusterInfo) (*Snapshot, map[string]int) {
	t.Helper()
	calls := map[string]int{}
	opts.OnCall = func(api string) { calls[api]++ }
	if opts.Concurrency == 0 {
		opts.Concurrency = 4
	}
	st := newState(opts)
	collectKube(t.Context(), opts, clusters, st)
	st.snap.Sort()
	return st.snap, calls
}

func mine(refs []string, prefix string) []string {
	var out []string
	for _, r := range refs {
		if strings.Contains(r, prefix) {
			out = append(out, r)
		}
	}
	return out
}

const mapRoles = `- rolearn: arn:aws:iam::123456789012:role/nodes
  username: system:node:{{EC2PrivateDNSName}}
  groups: [system:bootstrappers, system:nodes]
- rolearn: arn:aws:iam::123456789012:role/admins
  username: admin
  groups: [system:masters]
`

// The whole read of one cluster: its context found by the cluster ARN, every resource listed
// across pages, aws-auth and nothing else of ConfigMaps and Secrets, records in the loaders'
// shape, and a warning for the EKS cluster that has no context.
func TestCollectKubeFromAPIServer(t *testing.T) {
	f := newFixture(t, livetest.KubeOptions{ContextName: prodARN, ClusterName: "prod-entry"})
	p := f.prefix
	apps, team := p+"-apps", p+"-team"
	f.namespace(apps)
	f.namespace(team)
	f.serviceAccount(apps, "web", "arn:aws:iam::123456789012:role/web")
	f.serviceAccount(apps, "batch", "arn:aws:iam::123456789012:role/batch")
	f.serviceAccount(apps, "idle", "")
	f.serviceAccount(team, "default", "")
	f.pod(apps, "web-1", "web")
	f.pod(apps, "web-2", "web")
	f.pod(apps, "batch-1", "batch")
	f.pod(team, "tool", "")
	ctx := context.Background()
	f.check(f.rbac.Roles(apps).Create(ctx, &rbacv1.Role{ObjectMeta: meta(apps, "deployer"),
		Rules: []rbacv1.PolicyRule{{Verbs: []string{"create"}, APIGroups: []string{""}, Resources: []string{"pods"}}}}, metav1.CreateOptions{}))
	f.check(f.rbac.RoleBindings(apps).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: meta(apps, "deployer"),
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "deployer"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: apps, Name: "web"}}}, metav1.CreateOptions{}))
	f.bindClusterRole(p+"-reader", rbacv1.Subject{Kind: "Group", APIGroup: rbacv1.GroupName, Name: p + "-readers"},
		rbacv1.PolicyRule{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"serviceaccounts"}})
	const secretText, otherConfig = "hunter2-not-for-snapshots", "not-aws-auth-setting"
	f.check(f.core.ConfigMaps(apps).Create(ctx, &corev1.ConfigMap{ObjectMeta: meta(apps, "settings"),
		Data: map[string]string{"setting": otherConfig}}, metav1.CreateOptions{}))
	f.check(f.core.Secrets(apps).Create(ctx, &corev1.Secret{ObjectMeta: meta(apps, "creds"),
		StringData: map[string]string{"password": secretText}}, metav1.CreateOptions{}))
	f.awsAuth(mapRoles)
	smallPages(t)

	snap, calls := collect(t, Options{Kubeconfig: f.k.Kubeconfig}, []ClusterInfo{
		{Name: "prod", ARN: prodARN, Endpoint: "https://prod.invalid"}, // not the server: matched by the context's name
		stage,
	})

	checkDiags(t, []Diagnostic{noContext("stage")}, snap.Diagnostics)
	if len(snap.Clusters) != 1 {
		t.Fatalf("clusters %s: want prod only", dump(snap.Clusters))
	}
	cs := snap.Clusters[0]
	cs.PodServiceAccounts = mine(cs.PodServiceAccounts, p)
	wantCS := ClusterState{Name: "prod", Context: prodARN, Server: f.k.Server, ServiceAccountsComplete: true, PodsRead: true,
		PodServiceAccounts: []string{apps + "/batch", apps + "/web", team + "/default"}}
	if diff := cmp.Diff(wantCS, cs); diff != "" {
		t.Errorf("cluster state (-want +got; pod ServiceAccounts of this test only):\n%s", diff)
	}

	var refs []string
	perAPI := map[string]int{}
	for _, r := range snap.Records {
		perAPI[r.API]++
		if strings.Contains(r.Ref, p) || r.Ref == "ConfigMap/kube-system/aws-auth" {
			refs = append(refs, r.API+" "+r.Ref)
		}
		if r.Cluster != "prod" {
			t.Errorf("%s: cluster %q, want prod", r.Ref, r.Cluster)
		}
		if strings.Contains(string(r.Output), secretText) || strings.Contains(string(r.Output), otherConfig) {
			t.Errorf("%s: output holds data of a Secret or another ConfigMap", r.Ref)
		}
		checkOutput(t, r)
	}
	sort.Strings(refs)
	wantRefs := []string{
		"k8s:clusterrolebindings ClusterRoleBinding//" + p + "-reader",
		"k8s:clusterroles ClusterRole//" + p + "-reader",
		"k8s:configmaps ConfigMap/kube-system/aws-auth",
		"k8s:rolebindings RoleBinding/" + apps + "/deployer",
		"k8s:roles Role/" + apps + "/deployer",
		"k8s:serviceaccounts ServiceAccount/" + apps + "/batch",
		"k8s:serviceaccounts ServiceAccount/" + apps + "/idle",
		"k8s:serviceaccounts ServiceAccount/" + apps + "/web",
		"k8s:serviceaccounts ServiceAccount/" + team + "/default",
	}
	if diff := cmp.Diff(wantRefs, refs); diff != "" {
		t.Errorf("records of this test (-want +got):\n%s", diff)
	}
	// Every object of every listed resource, once: paging lost and repeated nothing. Only
	// aws-auth of the ConfigMaps; no Secrets, no pods.
	wantPerAPI := map[string]int{"k8s:configmaps": 1}
	for _, res := range []string{"serviceaccounts", "clusterroles", "clusterrolebindings", "roles", "rolebindings"} {
		wantPerAPI[kubeAPI(res)] = f.count(readOf(res))
	}
	if diff := cmp.Diff(wantPerAPI, perAPI); diff != "" {
		t.Errorf("records per API (-want +got):\n%s", diff)
	}
	if pods := f.count(readOf("pods")); snap.Counts["k8s:pods"] != pods {
		t.Errorf("counted %d pods, the cluster has %d", snap.Counts["k8s:pods"], pods)
	}

	// One get of aws-auth, and every list in pages of two.
	if calls["k8s:get configmaps"] != 1 {
		t.Errorf("aws-auth requested %d times, want once", calls["k8s:get configmaps"])
	}
	for _, r := range kubeReads {
		if r.verb != "list" {
			continue
		}
		n := f.count(r)
		if minPages := (n + 1) / 2; calls[r.call()] < minPages || calls[r.call()] < 2 {
			t.Errorf("%s: %d requests for %d objects in pages of 2", r.call(), calls[r.call()], n)
		}
	}
	var made []string
	for c := range calls {
		made = append(made, c)
	}
	sort.Strings(made)
	var documented []string
	for _, r := range KubeReads() {
		documented = append(documented, "k8s:"+r.Verb+" "+r.Resource)
	}
	sort.Strings(documented)
	if diff := cmp.Diff(documented, made); diff != "" {
		t.Errorf("calls made vs KubeReads (-documented +made):\n%s", diff)
	}

	// The offline loaders read the records: ServiceAccounts with their annotation, aws-auth
	// entries, RBAC roles and bindings.
	inv := &inventory.Inventory{}
	for _, r := range snap.Records {
		if !strings.Contains(r.Ref, p) && r.API != "k8s:configmaps" {
			continue
		}
		docs, err := docnode.Parse(r.Ref, r.Output)
		if err != nil || len(docs) != 1 {
			t.Fatalf("%s: parse: %v (%d documents)", r.Ref, err, len(docs))
		}
		if ok, diags := kube.Load(docs[0], r.Cluster, inv); !ok || len(diags) != 0 {
			t.Errorf("%s: loader recognised %v, diagnostics %v", r.Ref, ok, diags)
		}
	}
	var sas []string
	for _, sa := range inv.ServiceAccounts {
		for _, a := range sa.Annotations {
			sas = append(sas, sa.Cluster+"/"+sa.Namespace+"/"+sa.Name+" "+a.Key+"="+a.Value)
		}
	}
	wantSAs := []string{"prod/" + apps + "/batch " + irsaKey + "=arn:aws:iam::123456789012:role/batch",
		"prod/" + apps + "/web " + irsaKey + "=arn:aws:iam::123456789012:role/web"}
	sort.Strings(sas)
	if diff := cmp.Diff(wantSAs, sas); diff != "" {
		t.Errorf("loaded ServiceAccount annotations (-want +got):\n%s", diff)
	}
	if len(inv.AWSAuth) != 1 || len(inv.AWSAuth[0].MapRoles) != 2 || inv.AWSAuth[0].MapRoles[1].ARN != "arn:aws:iam::123456789012:role/admins" {
		t.Errorf("loaded aws-auth: %s", dump(inv.AWSAuth))
	}
	if len(inv.RBACRoles) != 2 || len(inv.RBACBindings) != 2 {
		t.Errorf("loaded %d RBAC roles and %d bindings, want 2 and 2", len(inv.RBACRoles), len(inv.RBACBindings))
	}
}

// checkOutput checks that a record is one object with apiVersion and kind, as its API and Ref
// say, and without managedFields.
func checkOutput(t *testing.T, r Record) {
	t.Helper()
	var obj struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Namespace     string          `json:"namespace"`
			Name          string          `json:"name"`
			ManagedFields json.RawMessage `json:"managedFields"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(r.Output, &obj); err != nil {
		t.Errorf("%s: output: %v", r.Ref, err)
		return
	}
	rd := readOf(strings.TrimPrefix(r.API, "k8s:"))
	if obj.APIVersion != rd.apiVersion() || obj.Kind != rd.kind {
		t.Errorf("%s: apiVersion %q kind %q, want %q %q", r.Ref, obj.APIVersion, obj.Kind, rd.apiVersion(), rd.kind)
	}
	if want := kubeRef(obj.Kind, obj.Metadata.Namespace, obj.Metadata.Name); r.Ref != want {
		t.Errorf("ref %q, output is %q", r.Ref, want)
	}
	if obj.Metadata.ManagedFields != nil {
		t.Errorf("%s: managedFields kept", r.Ref)
	}
}

// An identity without some permissions: a warning per refused request naming the permission
// (not the identity), the rest read, and ServiceAccountsComplete only when every
// ServiceAccount was listed.
func TestCollectKubeWithoutSomePermissions(t *testing.T) {
	all := []rbacv1.PolicyRule{
		{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{"aws-auth"}},
		{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"serviceaccounts", "pods"}},
		{Verbs: []string{"list"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterroles", "clusterrolebindings", "roles", "rolebindings"}},
	}
	tests := []struct {
		name       string
		rules      []rbacv1.PolicyRule
		awsAuth    bool
		wantDiags  []Diagnostic
		wantSAs    bool
		wantPods   bool
		wantAPIs   []string // APIs with records
		notWantAPI string
	}{
		{
			name: "no list on roles",
			rules: []rbacv1.PolicyRule{all[0], all[1],
				{Verbs: []string{"list"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterroles", "clusterrolebindings", "rolebindings"}}},
			awsAuth: true,
			wantDiags: []Diagnostic{{Severity: "warning", API: "k8s:list roles", Cluster: "prod", Permission: "list roles (rbac.authorization.k8s.io)",
				NotEvaluated: rbacRules, Message: "cluster prod: the kube identity may not list roles (rbac.authorization.k8s.io) (403 Forbidden); Roles were not read"}},
			wantSAs: true, wantPods: true,
			wantAPIs: []string{"k8s:clusterrolebindings", "k8s:clusterroles", "k8s:configmaps", "k8s:rolebindings", "k8s:serviceaccounts"},
		},
		{
			name:  "no list on ServiceAccounts or pods, no get on aws-auth",
			rules: []rbacv1.PolicyRule{all[2]},
			wantDiags: []Diagnostic{
				{Severity: "warning", API: "k8s:get configmaps", Cluster: "prod", Permission: "get configmaps kube-system/aws-auth", NotEvaluated: awsAuthRules,
					Message: "cluster prod: the kube identity may not get configmaps kube-system/aws-auth (403 Forbidden); kube-system/aws-auth was not read"},
				{Severity: "warning", API: "k8s:list pods", Cluster: "prod", Permission: "list pods",
					Message: "cluster prod: the kube identity may not list pods (403 Forbidden); the ServiceAccounts pods run as are unknown", NotEvaluated: []string{"RC305"}},
				{Severity: "warning", API: "k8s:list serviceaccounts", Cluster: "prod", Permission: "list serviceaccounts", NotEvaluated: serviceAccountRules,
					Message: "cluster prod: the kube identity may not list serviceaccounts (403 Forbidden); ServiceAccounts were not read"},
			},
			wantAPIs: []string{"k8s:clusterrolebindings", "k8s:clusterroles", "k8s:rolebindings", "k8s:roles"},
		},
		{
			name:      "every permission, no aws-auth: nothing to warn about",
			rules:     all,
			wantDiags: []Diagnostic{},
			wantSAs:   true, wantPods: true,
			wantAPIs: []string{"k8s:clusterrolebindings", "k8s:clusterroles", "k8s:rolebindings", "k8s:roles", "k8s:serviceaccounts"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, livetest.KubeOptions{})
			ns := f.prefix
			token := f.k.ServiceAccountToken(t, ns, "collector")
			f.bindClusterRole(f.prefix+"-collector", rbacv1.Subject{Kind: "ServiceAccount", Namespace: ns, Name: "collector"}, tt.rules...)
			f.pod(ns, "job", "collector")
			if tt.awsAuth {
				f.awsAuth(mapRoles)
			}
			kc := f.k.WriteKubeconfig(t, token, livetest.KubeOptions{ContextName: "restricted", ClusterName: "restricted"})
			waitAuthorized(t, kc)
			smallPages(t)

			snap, _ := collect(t, Options{Kubeconfig: kc}, []ClusterInfo{{Name: "prod", ARN: prodARN, Endpoint: f.k.Server}})

			checkDiags(t, tt.wantDiags, snap.Diagnostics)
			for _, d := range snap.Diagnostics {
				if strings.Contains(d.Message, "system:serviceaccount") || strings.Contains(d.Message, "collector") {
					t.Errorf("diagnostic names the identity: %s", d.Message)
				}
			}
			if len(snap.Clusters) != 1 {
				t.Fatalf("clusters %s", dump(snap.Clusters))
			}
			cs := snap.Clusters[0]
			if cs.Context != "restricted" || cs.ServiceAccountsComplete != tt.wantSAs || cs.PodsRead != tt.wantPods {
				t.Errorf("cluster state %s: want context restricted, ServiceAccountsComplete %v, PodsRead %v", dump(cs), tt.wantSAs, tt.wantPods)
			}
			if got := slices.Contains(cs.PodServiceAccounts, ns+"/collector"); got != tt.wantPods {
				t.Errorf("pod ServiceAccounts hold %s/collector: %v, want %v", ns, got, tt.wantPods)
			}
			apis := map[string]bool{}
			for _, r := range snap.Records {
				apis[r.API] = true
			}
			var got []string
			for a := range apis {
				got = append(got, a)
			}
			sort.Strings(got)
			if diff := cmp.Diff(tt.wantAPIs, got); diff != "" {
				t.Errorf("APIs with records (-want +got):\n%s", diff)
			}
		})
	}
}

// waitAuthorized waits until the apiserver's RBAC cache has the new binding: the identity can
// list clusterroles, which every case grants.
func waitAuthorized(t *testing.T, kubeconfigPath string) {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfigPath)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := dyn.Resource(readOf("clusterroles").gvr()).List(context.Background(), metav1.ListOptions{Limit: 1})
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("binding not in effect after 30 s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A cluster that does not answer, or refuses the credentials, gives one warning, not one per
// resource, and no further requests.
func TestCollectKubeUnreachableCluster(t *testing.T) {
	tests := []struct {
		name   string
		config func(t *testing.T) (kubeconfigPath, server string)
		reason string
	}{
		{
			name: "nothing listening",
			config: func(t *testing.T) (string, string) {
				l, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				server := "https://" + l.Addr().String()
				l.Close()
				c := kubeconfig("ctx", kctx{"ctx", "entry", server})
				c.Clusters["entry"].InsecureSkipTLSVerify = true
				path := filepath.Join(t.TempDir(), "kubeconfig")
				if err := clientcmd.WriteToFile(*c, path); err != nil {
					t.Fatal(err)
				}
				return path, server
			},
			reason: "connection refused",
		},
		{
			name: "token rejected",
			config: func(t *testing.T) (string, string) {
				k := livetest.SharedKubeAPI(t, livetest.KubeOptions{})
				return k.WriteKubeconfig(t, "not-a-token", livetest.KubeOptions{ContextName: "ctx"}), k.Server
			},
			reason: "Unauthorized",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, server := tt.config(t)
			snap, calls := collect(t, Options{Kubeconfig: path}, []ClusterInfo{{Name: "prod", ARN: prodARN, Endpoint: server}})
			checkDiags(t, []Diagnostic{{Severity: "warning", API: "k8s:get configmaps", Cluster: "prod", Permission: "kube context", NotEvaluated: kubeRules,
				Message: fmt.Sprintf(`cannot read the Kubernetes API of cluster prod at %s (kube context "ctx"): `, server)}}, snap.Diagnostics)
			if len(snap.Diagnostics) == 1 && !strings.Contains(snap.Diagnostics[0].Message, tt.reason) {
				t.Errorf("message %q does not say %q", snap.Diagnostics[0].Message, tt.reason)
			}
			if diff := cmp.Diff(map[string]int{"k8s:get configmaps": 1}, calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			want := []ClusterState{{Name: "prod", Context: "ctx", Server: server, PodServiceAccounts: []string{}}}
			if diff := cmp.Diff(want, snap.Clusters); diff != "" {
				t.Errorf("clusters (-want +got):\n%s", diff)
			}
			if len(snap.Records) != 0 {
				t.Errorf("records: %s", dump(snap.Records))
			}
		})
	}
}
