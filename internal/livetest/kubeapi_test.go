package livetest

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/tools/clientcmd"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// The build script and the harness must agree on the version, or the harness looks for a binary
// the script never builds.
func TestKubeVersionMatchesBuildScript(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("..", "..", "scripts", "build-kube-apiserver.sh"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^version=(\S+)$`).FindSubmatch(script)
	if m == nil {
		t.Fatal("no version= line in scripts/build-kube-apiserver.sh")
	}
	if got := string(m[1]); got != KubeVersion {
		t.Errorf("scripts/build-kube-apiserver.sh builds %s, KubeVersion is %s", got, KubeVersion)
	}
}

// The kubeconfig written for a test reaches the apiserver over verified TLS with the token, and
// names the entries as asked.
func TestSharedKubeAPI(t *testing.T) {
	opts := KubeOptions{ContextName: "arn:aws:eks:us-east-1:123456789012:cluster/prod", ClusterName: "prod-entry"}
	k := SharedKubeAPI(t, opts)
	raw, err := clientcmd.LoadFromFile(k.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	if raw.CurrentContext != opts.ContextName || raw.Contexts[opts.ContextName] == nil || raw.Contexts[opts.ContextName].Cluster != opts.ClusterName {
		t.Fatalf("kubeconfig current context %q, contexts %v: want %q on cluster entry %q", raw.CurrentContext, raw.Contexts, opts.ContextName, opts.ClusterName)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", k.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	v, err := dc.ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.GitVersion != KubeVersion {
		t.Errorf("server version %s, want %s", v.GitVersion, KubeVersion)
	}
	if again := SharedKubeAPI(t, KubeOptions{}); again.Server != k.Server {
		t.Errorf("second SharedKubeAPI started another server: %s, then %s", k.Server, again.Server)
	}
}
