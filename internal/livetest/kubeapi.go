package livetest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// The Kubernetes side of the harness: a real etcd and kube-apiserver on loopback.
//
// kube-apiserver is built from the module proxy by scripts/build-kube-apiserver.sh, which
// caches it by version; etcd is Debian's etcd-server (or any etcd on PATH).
const (
	// EnvKubeAPIServer names the kube-apiserver binary (.ci/run sets it from the build script).
	EnvKubeAPIServer = "ROLECALL_KUBE_APISERVER"
	// EnvEtcd names the etcd binary; unset, etcd is looked up on PATH.
	EnvEtcd = "ROLECALL_ETCD"
	// KubeVersion is the kube-apiserver release scripts/build-kube-apiserver.sh builds.
	KubeVersion = "v1.37.2"
)

// kubeStartTimeout bounds the wait for /readyz; the apiserver is ready in about 4 s on an idle
// machine, much later on a busy one.
const kubeStartTimeout = 2 * time.Minute

// KubeOptions name the entries of the kubeconfig written for a test ("test" when empty).
type KubeOptions struct {
	ContextName string
	ClusterName string
}

// KubeAPI is a running kube-apiserver and a kubeconfig for it.
type KubeAPI struct {
	Server     string // https://127.0.0.1:PORT
	Token      string // bearer token of a user in system:masters
	Kubeconfig string // kubeconfig file: the KubeOptions' context (current) and cluster, Token as user
	CAFile     string // PEM CA that signed the serving certificate
}

// StartKubeAPI starts etcd and kube-apiserver for this test alone; both are killed when the test
// ends. Prefer SharedKubeAPI: a start costs seconds.
func StartKubeAPI(t testing.TB, opts KubeOptions) *KubeAPI {
	t.Helper()
	srv, err := startKubeServer()
	if err != nil {
		failStart(t, err)
	}
	t.Cleanup(srv.stop)
	t.Logf("kube-apiserver %s ready in %s", KubeVersion, srv.startTime.Round(time.Millisecond))
	return srv.forTest(t, opts)
}

// shared is the one kube-apiserver SharedKubeAPI starts per test binary.
var shared struct {
	once sync.Once
	srv  *kubeServer
	err  error
}

// SharedKubeAPI returns a kubeconfig (written for this test) for the test binary's one
// kube-apiserver, starting it on first use. It runs until Main stops it or the test binary exits
// (the processes are killed with the binary). Tests sharing it see each other's objects, so each
// works in namespaces and cluster-scoped names of its own.
func SharedKubeAPI(t testing.TB, opts KubeOptions) *KubeAPI {
	t.Helper()
	shared.once.Do(func() {
		shared.srv, shared.err = startKubeServer()
		if shared.err == nil {
			t.Logf("kube-apiserver %s ready in %s", KubeVersion, shared.srv.startTime.Round(time.Millisecond))
		}
	})
	if shared.err != nil {
		failStart(t, shared.err)
	}
	return shared.srv.forTest(t, opts)
}

// Main runs the tests, then stops the kube-apiserver SharedKubeAPI started and removes its
// files: func TestMain(m *testing.M) { os.Exit(livetest.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	if shared.srv != nil {
		shared.srv.stop()
	}
	return code
}

// RESTConfig is a client-go config for the apiserver as the system:masters user.
func (k *KubeAPI) RESTConfig(t testing.TB) *rest.Config {
	t.Helper()
	ca, err := os.ReadFile(k.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	return &rest.Config{Host: k.Server, BearerToken: k.Token, TLSClientConfig: rest.TLSClientConfig{CAData: ca},
		QPS: -1} // no client-side rate limit: fixtures are created in bursts
}

// WriteKubeconfig writes a kubeconfig for the apiserver with token as the user, in the test's
// temporary directory, and returns its path.
func (k *KubeAPI) WriteKubeconfig(t testing.TB, token string, opts KubeOptions) string {
	t.Helper()
	if opts.ContextName == "" {
		opts.ContextName = "test"
	}
	if opts.ClusterName == "" {
		opts.ClusterName = "test"
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[opts.ClusterName] = &clientcmdapi.Cluster{Server: k.Server, CertificateAuthority: k.CAFile}
	cfg.AuthInfos["tester"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts[opts.ContextName] = &clientcmdapi.Context{Cluster: opts.ClusterName, AuthInfo: "tester"}
	cfg.CurrentContext = opts.ContextName
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// ServiceAccountToken creates namespace/name (and the namespace) when missing and returns a
// token the apiserver issues for it (TokenRequest): an identity with only the RBAC a test gives
// it, unique to the test, with no restart of the apiserver.
func (k *KubeAPI) ServiceAccountToken(t testing.TB, namespace, name string) string {
	t.Helper()
	ctx := context.Background()
	c, err := corev1client.NewForConfig(k.RESTConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if _, err := c.Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}}
	if _, err := c.ServiceAccounts(namespace).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	tr, err := c.ServiceAccounts(namespace).CreateToken(ctx, name, &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tr.Status.Token
}

// failStart skips the test when a tool is missing (fails under ROLECALL_REQUIRE_TOOLS=1) and
// fails it on any other start error.
func failStart(t testing.TB, err error) {
	t.Helper()
	var m missingToolError
	if errors.As(err, &m) {
		Missing(t, m.msg)
	}
	t.Fatal(err)
}

type missingToolError struct{ msg string }

func (e missingToolError) Error() string { return e.msg }

// KubeAPIServerPath returns the kube-apiserver binary: $ROLECALL_KUBE_APISERVER, else the path
// scripts/build-kube-apiserver.sh caches it at.
func KubeAPIServerPath() (string, error) {
	if p := os.Getenv(EnvKubeAPIServer); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s: %w", EnvKubeAPIServer, err) // named explicitly: always an error
		}
		return p, nil
	}
	p, err := cachedKubeAPIServer()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(p); err != nil {
		return "", missingToolError{fmt.Sprintf("kube-apiserver not found at %s (build it with scripts/build-kube-apiserver.sh, "+
			"about 9 minutes cold, or set %s)", p, EnvKubeAPIServer)}
	}
	return p, nil
}

// cachedKubeAPIServer is the script's cache path:
// ${ROLECALL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rolecall-tools}/kube-apiserver-VERSION/kube-apiserver.
func cachedKubeAPIServer() (string, error) {
	cache := os.Getenv("ROLECALL_TOOLS_CACHE")
	if cache == "" {
		base, err := os.UserCacheDir() // $XDG_CACHE_HOME or $HOME/.cache, as the script
		if err != nil {
			return "", missingToolError{"kube-apiserver: no cache directory: " + err.Error()}
		}
		cache = filepath.Join(base, "rolecall-tools")
	}
	return filepath.Join(cache, "kube-apiserver-"+KubeVersion, "kube-apiserver"), nil
}

// EtcdPath returns the etcd binary: $ROLECALL_ETCD, else etcd on PATH.
func EtcdPath() (string, error) {
	if p := os.Getenv(EnvEtcd); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s: %w", EnvEtcd, err)
		}
		return p, nil
	}
	p, err := exec.LookPath("etcd")
	if err != nil {
		return "", missingToolError{"etcd not found on PATH (apt-get install etcd-server, or set " + EnvEtcd + ")"}
	}
	return p, nil
}

// kubeServer is a running etcd + kube-apiserver pair.
type kubeServer struct {
	server, token, caFile string
	startTime             time.Duration
	dir                   string
	procs                 []*process
	stopOnce              sync.Once
}

func (s *kubeServer) forTest(t testing.TB, opts KubeOptions) *KubeAPI {
	k := &KubeAPI{Server: s.server, Token: s.token, CAFile: s.caFile}
	k.Kubeconfig = k.WriteKubeconfig(t, s.token, opts)
	return k
}

// stop kills both process groups and removes the files.
func (s *kubeServer) stop() {
	s.stopOnce.Do(func() {
		for i := len(s.procs) - 1; i >= 0; i-- {
			s.procs[i].kill()
		}
		_ = os.RemoveAll(s.dir)
	})
}

func startKubeServer() (_ *kubeServer, err error) {
	apiserverBin, err := KubeAPIServerPath()
	if err != nil {
		return nil, err
	}
	etcdBin, err := EtcdPath()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "rolecall-kubeapi-")
	if err != nil {
		return nil, err
	}
	s := &kubeServer{dir: dir}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	begin := time.Now()
	files, err := writeKubeFiles(dir)
	if err != nil {
		return nil, err
	}
	s.token, s.caFile = files.token, files.ca

	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	client, peer, secure := ports[0], ports[1], ports[2]
	clientURL := "http://127.0.0.1:" + strconv.Itoa(client)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peer)
	etcd, err := startProcess(etcdBin,
		"--name=rolecall", "--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+clientURL, "--advertise-client-urls="+clientURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=rolecall="+peerURL,
		"--logger=zap", "--log-outputs=stderr", "--log-level=warn")
	if err != nil {
		return nil, err
	}
	s.procs = append(s.procs, etcd)
	if err := waitReady(etcd, "etcd", clientURL+"/health", &http.Client{Timeout: 2 * time.Second}, nil); err != nil {
		return nil, err
	}

	s.server = "https://127.0.0.1:" + strconv.Itoa(secure)
	apiserver, err := startProcess(apiserverBin,
		"--etcd-servers="+clientURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+strconv.Itoa(secure),
		"--cert-dir="+filepath.Join(dir, "certs"),
		"--tls-cert-file="+files.cert, "--tls-private-key-file="+files.key,
		"--service-cluster-ip-range=10.96.0.0/24", "--endpoint-reconciler-type=none",
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file="+files.saPub, "--service-account-signing-key-file="+files.saKey,
		"--token-auth-file="+files.tokens, "--authorization-mode=RBAC",
		"--profiling=false")
	if err != nil {
		return nil, err
	}
	s.procs = append(s.procs, apiserver)
	caPEM, err := os.ReadFile(files.ca)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if err := waitReady(apiserver, "kube-apiserver", s.server+"/readyz", hc, http.Header{"Authorization": {"Bearer " + s.token}}); err != nil {
		return nil, err
	}
	s.startTime = time.Since(begin)
	return s, nil
}

// waitReady polls url until it answers 200, the process exits, or kubeStartTimeout passes.
func waitReady(p *process, name, url string, hc *http.Client, h http.Header) error {
	deadline := time.Now().Add(kubeStartTimeout)
	last := ""
	for {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before it was ready: %s", name, p.out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready at %s within %s (last answer: %s):\n%s", name, url, kubeStartTimeout, last, p.out.String())
		}
	}
}

// process is a started child in its own process group.
type process struct {
	cmd    *exec.Cmd
	out    syncBuffer
	exited chan struct{}
}

func startProcess(bin string, args ...string) (*process, error) {
	p := &process{cmd: exec.Command(bin, args...), exited: make(chan struct{})}
	p.cmd.Stdout = &p.out
	p.cmd.Stderr = &p.out
	// Own process group so the kill reaches children; Pdeathsig so a test binary that dies
	// (-timeout, panic) takes the servers with it.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	return p, nil
}

func (p *process) kill() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.exited
}

// freePorts returns n distinct free loopback ports (held open together so they differ).
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// kubeFiles are the files the apiserver is started with.
type kubeFiles struct {
	ca, cert, key, saKey, saPub, tokens, token string
}

// writeKubeFiles writes a CA and a serving certificate for 127.0.0.1, the ServiceAccount
// signing key pair, and a static token file with one system:masters user.
func writeKubeFiles(dir string) (kubeFiles, error) {
	f := kubeFiles{
		ca: filepath.Join(dir, "ca.crt"), cert: filepath.Join(dir, "apiserver.crt"), key: filepath.Join(dir, "apiserver.key"),
		saKey: filepath.Join(dir, "sa.key"), saPub: filepath.Join(dir, "sa.pub"), tokens: filepath.Join(dir, "tokens.csv"),
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return f, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rolecall-test-ca"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(7 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return f, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return f, err
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return f, err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "kube-apiserver"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(7 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return f, err
	}
	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return f, err
	}
	srvKeyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		return f, err
	}
	saKeyDER, err := x509.MarshalECPrivateKey(saKey)
	if err != nil {
		return f, err
	}
	saPubDER, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return f, err
	}
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return f, err
	}
	f.token = hex.EncodeToString(tok)
	writes := []struct {
		path string
		data []byte
	}{
		{f.ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})},
		{f.cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER})},
		{f.key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: srvKeyDER})},
		{f.saKey, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: saKeyDER})},
		{f.saPub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: saPubDER})},
		{f.tokens, []byte(f.token + `,rolecall-admin,uid-admin,"system:masters"` + "\n")},
	}
	for _, w := range writes {
		if err := os.WriteFile(w.path, w.data, 0o600); err != nil {
			return f, err
		}
	}
	return f, nil
}
