package live_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/rolecall/rolecall/analyzer/live"
	"github.com/rolecall/rolecall/internal/corpus"
	"github.com/rolecall/rolecall/internal/livetest"
)

// TestDocumentedPermissions checks docs/iam-policy.json and docs/kubernetes-clusterrole.yaml
// against the calls a collection of the scenario makes: every call is documented, every
// documented permission is used, and an identity holding only the documented ClusterRole
// collects everything without a warning.
func TestDocumentedPermissions(t *testing.T) {
	s := livetest.StartScenario(t)
	for k, v := range s.Env {
		t.Setenv(k, v)
	}
	root := corpus.ModuleRoot(t)

	var mu sync.Mutex
	calls := map[string]bool{}
	collect := func(kubeconfig string) *live.Snapshot {
		snap, err := live.Collect(context.Background(), live.Options{Kubeconfig: kubeconfig, OnCall: func(api string) {
			mu.Lock()
			defer mu.Unlock()
			calls[api] = true
		}})
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}
	full := collect(s.Kubeconfig)

	var awsCalls, kubeCalls []string
	for c := range calls {
		switch {
		case c == "sts:GetCallerIdentity": // needs no permission
		case strings.HasPrefix(c, "k8s:"):
			kubeCalls = append(kubeCalls, c)
		default:
			awsCalls = append(awsCalls, c)
		}
	}
	sort.Strings(awsCalls)
	sort.Strings(kubeCalls)
	if diff := cmp.Diff(documentedActions(t, filepath.Join(root, "docs", "iam-policy.json")), awsCalls); diff != "" {
		t.Errorf("docs/iam-policy.json does not match the AWS calls made (-documented +called):\n%s", diff)
	}
	role := documentedClusterRole(t, filepath.Join(root, "docs", "kubernetes-clusterrole.yaml"))
	if diff := cmp.Diff(kubeCallsOf(role), kubeCalls); diff != "" {
		t.Errorf("docs/kubernetes-clusterrole.yaml does not match the Kubernetes calls made (-documented +called):\n%s", diff)
	}

	// Only the documented ClusterRole: the same Kubernetes records, no warning.
	ctx := context.Background()
	c, err := kubernetes.NewForConfig(s.Kube.RESTConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	role.Name = "rolecall-reader-docs-test"
	if _, err := c.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	token := s.Kube.ServiceAccountToken(t, "rolecall-docs-test", "reader")
	if _, err := c.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role.Name},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: "rolecall-docs-test", Name: "reader"}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	restricted := collect(s.Kube.WriteKubeconfig(t, token, livetest.KubeOptions{ContextName: livetest.ScenarioClusterARN, ClusterName: livetest.ScenarioClusterARN}))
	if len(restricted.Diagnostics) != 0 {
		t.Errorf("the documented ClusterRole is not enough: %+v", restricted.Diagnostics)
	}
	if got, want := kubeRecords(restricted), kubeRecords(full); got < want-2 || got == 0 {
		// The reader's own namespace and ServiceAccount were created in between.
		t.Errorf("with the documented ClusterRole %d Kubernetes records, with system:masters %d", got, want)
	}
}

func kubeRecords(s *live.Snapshot) int {
	n := 0
	for _, r := range s.Records {
		if strings.HasPrefix(r.API, "k8s:") {
			n++
		}
	}
	return n
}

func documentedActions(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Effect   string
			Action   []string
			Resource string
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []string
	for _, st := range doc.Statement {
		if st.Effect != "Allow" {
			t.Errorf("%s: a %s statement; the policy should only allow", path, st.Effect)
		}
		for _, a := range st.Action {
			if strings.ContainsAny(a, "*?") {
				t.Errorf("%s: wildcard action %s; list exactly the calls made", path, a)
			}
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

func documentedClusterRole(t *testing.T, path string) *rbacv1.ClusterRole {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var role rbacv1.ClusterRole
		if err := yaml.UnmarshalStrict([]byte(doc), &role); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if role.Kind == "ClusterRole" {
			return &role
		}
	}
	t.Fatalf("%s: no ClusterRole", path)
	return nil
}

// kubeCallsOf lists a ClusterRole's grants as the collector names its calls ("k8s:list pods").
func kubeCallsOf(role *rbacv1.ClusterRole) []string {
	var out []string
	for _, r := range role.Rules {
		for _, verb := range r.Verbs {
			for _, res := range r.Resources {
				out = append(out, "k8s:"+verb+" "+res)
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}
