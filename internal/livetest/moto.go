// Package livetest is live mode's test harness. AWS side (this file, fakeeks.go): moto_server (an
// AWS emulator) on loopback, SDK configs that point at it, and a small fake speaking EKS
// REST-JSON for the operations moto lacks (access entries, Pod Identity associations).
// Kubernetes side (kubeapi.go): a real etcd and kube-apiserver. Only loopback servers are used.
//
// Tests that need an external program (moto_server, aws) skip when it is missing, or fail when
// ROLECALL_REQUIRE_TOOLS=1 (CI), like internal/sariftest and internal/actiontest.
package livetest

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// EnvRequire=1 turns a missing tool into a test failure instead of a skip.
const EnvRequire = "ROLECALL_REQUIRE_TOOLS"

// Static test identity: moto accepts any credentials and reports account 123456789012.
const (
	AccessKeyID     = "AKIDEXAMPLE"
	SecretAccessKey = "rolecall-test-secret-access-key"
	Region          = "us-east-1"
	Account         = "123456789012"
)

// RequireTools reports whether ROLECALL_REQUIRE_TOOLS=1, i.e. tool-driven tests must fail
// instead of skip when a tool is missing.
func RequireTools() bool { return os.Getenv(EnvRequire) == "1" }

// NeedTool returns the path of the named program on PATH. Missing, it skips the test, or fails
// it under ROLECALL_REQUIRE_TOOLS=1.
func NeedTool(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	Missing(t, name+" not found on PATH (the machine image ships it; see .ci/run)")
	return ""
}

// Missing skips the test with msg, or fails it when RequireTools() is true.
func Missing(t testing.TB, msg string) {
	t.Helper()
	if RequireTools() {
		t.Fatal(msg + " (" + EnvRequire + "=1 requires it)")
	}
	t.Skip(msg)
}

// Moto is a running moto_server.
type Moto struct {
	URL string // http://127.0.0.1:PORT
}

// StartMoto starts moto_server for this test alone on a free loopback port and waits until it
// answers (about 2 s); its process group is killed when the test ends.
func StartMoto(t testing.TB) *Moto {
	t.Helper()
	p, url, err := startMoto()
	if err != nil {
		failStart(t, err)
	}
	t.Cleanup(p.kill)
	return &Moto{URL: url}
}

// sharedMoto is the one moto_server SharedMoto starts per test binary.
var sharedMoto struct {
	once sync.Once
	url  string
	err  error
}

// SharedMoto returns the test binary's one moto_server, starting it on first use, after
// resetting it: each caller starts from an empty account. Tests that use it must not run in
// parallel with each other. It runs until the test binary exits, which kills it (Pdeathsig).
func SharedMoto(t testing.TB) *Moto {
	t.Helper()
	sharedMoto.once.Do(func() {
		_, sharedMoto.url, sharedMoto.err = startMoto()
	})
	if sharedMoto.err != nil {
		failStart(t, sharedMoto.err)
	}
	m := &Moto{URL: sharedMoto.url}
	m.Reset(t)
	return m
}

func startMoto() (*process, string, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, "", missingToolError{"moto_server not found on PATH (moto 5.2.1 ships on the machine image; " +
			"elsewhere: pip install 'moto[server]==5.2.1')"}
	}
	ports, err := freePorts(1)
	if err != nil {
		return nil, "", err
	}
	p, err := startProcess(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(ports[0]))
	if err != nil {
		return nil, "", err
	}
	url := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	if err := waitReady(p, "moto_server", url+"/moto-api/", &http.Client{Timeout: 2 * time.Second}, nil); err != nil {
		p.kill()
		return nil, "", err
	}
	return p, url, nil
}

// Reset clears every service's state in moto (POST /moto-api/reset).
func (m *Moto) Reset(t testing.TB) {
	t.Helper()
	resp, err := http.Post(m.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("moto reset: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("moto reset: %s", resp.Status)
	}
}

// AWSConfig is an SDK config for a loopback endpoint: static credentials, region us-east-1,
// BaseEndpoint for every service (iam, sts, eks), and a retryer with few attempts and a short
// backoff so throttling tests stay fast. It reads nothing from the environment or ~/.aws.
func AWSConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:           Region,
		Credentials:      credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 3,
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.MaxBackoff = 50 * time.Millisecond
			})
		},
	}
}

// syncBuffer collects a child's output, read while the child may still write.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
