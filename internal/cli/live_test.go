package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/rolecall/rolecall/analyzer/live"
	"github.com/rolecall/rolecall/internal/golden"
	"github.com/rolecall/rolecall/internal/livetest"
	"github.com/rolecall/rolecall/internal/sariftest"
)

// TestMain stops the kube-apiserver the live tests share.
func TestMain(m *testing.M) { os.Exit(livetest.Main(m)) }

// TestLiveEndToEnd is the end-to-end check: collect from moto, the EKS fake and a real
// kube-apiserver; scan the snapshot (a reviewed golden); scan --live gives the same findings;
// the queries and diff read the snapshot like any input.
func TestLiveEndToEnd(t *testing.T) {
	s := livetest.StartScenario(t)
	for k, v := range s.Env {
		t.Setenv(k, v)
	}
	snapPath := filepath.Join(t.TempDir(), "snapshot.json")

	stdout, stderr, code := run(t, "collect", "--live", "-o", snapPath)
	if code != ExitOK {
		t.Fatalf("collect: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	for _, want := range []string{"read eks:DescribeCluster", "read iam:GetAccountAuthorizationDetails", "read k8s:serviceaccounts", "wrote " + snapPath} {
		if !strings.Contains(stderr, want) {
			t.Errorf("collect stderr lacks %q:\n%s", want, stderr)
		}
	}
	data, err := os.ReadFile(snapPath)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(snapPath); st.Mode().Perm() != 0o600 {
		t.Errorf("snapshot mode %v, want 0600 (it maps who can become what)", st.Mode().Perm())
	}
	checkSnapshot(t, data)

	// The snapshot, scanned offline: the reviewed golden (paths made independent of the temp dir).
	norm := func(s string) string { return strings.ReplaceAll(s, filepath.Dir(snapPath)+"/", "") }
	textOut, stderr, code := run(t, "scan", snapPath, "--no-color", "--fail-on", "none")
	if code != ExitOK {
		t.Fatalf("scan snapshot: exit %d\n%s", code, stderr)
	}
	golden.Check(t, filepath.Join(moduleRoot(t), "internal", "cli", "testdata", "live", "scan.txt"), []byte(norm(textOut)))
	jsonOut, _, _ := run(t, "scan", snapPath, "--format", "json", "--fail-on", "none")
	golden.Check(t, filepath.Join(moduleRoot(t), "internal", "cli", "testdata", "live", "scan.json"), []byte(norm(jsonOut)))

	// scan --live: the same findings, named by API and ARN instead of snapshot lines.
	liveOut, stderr, code := run(t, "scan", "--live", "--format", "json", "--fail-on", "none", "--quiet")
	if code != ExitOK || stderr != "" {
		t.Fatalf("scan --live --quiet: exit %d, want 0 and nothing on stderr:\n%s", code, stderr)
	}
	fromFile, fromLive := comparableFindings(t, jsonOut), comparableFindings(t, liveOut)
	if len(fromFile) == 0 {
		t.Fatal("the scenario's snapshot gave no findings")
	}
	if diff := cmp.Diff(fromFile, fromLive); diff != "" {
		t.Errorf("scan --live and scan snapshot.json differ (-snapshot +live):\n%s", diff)
	}
	if strings.Contains(liveOut, `"path"`) {
		t.Errorf("scan --live findings carry a file path:\n%s", liveOut)
	}

	// SARIF of live findings: valid, each result named by its resource and where it was read.
	sarifOut, _, _ := run(t, "scan", "--live", "--format", "sarif", "--fail-on", "none", "--quiet")
	report, err := sarif.FromString(sarifOut)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.Validate(); err != nil {
		t.Errorf("scan --live SARIF does not validate: %v", err)
	}
	t.Run("SARIF multitool", func(t *testing.T) { // a subtest: a missing multitool skips only this
		sarifPath := filepath.Join(t.TempDir(), "live.sarif")
		if err := os.WriteFile(sarifPath, []byte(sarifOut), 0o644); err != nil {
			t.Fatal(err)
		}
		if errs := sariftest.Errors(sariftest.Validate(t.Context(), t, sariftest.Find(t), sarifPath)[sarifPath]); len(errs) > 0 {
			t.Errorf("the SARIF multitool (with GitHub's ingestion rules) rejects scan --live SARIF: %v", errs)
		}
	})
	for _, res := range report.Runs[0].Results {
		loc := res.Locations[0]
		if loc.Message == nil || !strings.HasPrefix(*loc.Message.Text, "read from ") || len(loc.LogicalLocations) == 0 {
			t.Errorf("%s: location does not say where it was read: %+v", *res.RuleID, loc)
		}
	}

	// Queries and diff read the snapshot.
	admin := "arn:aws:iam::" + livetest.Account + ":role/platform-admin"
	who, _, code := run(t, "who-can", admin, snapPath, "--format", "json")
	if code != ExitOK || !strings.Contains(who, "arn:aws:iam::"+livetest.Account+":user/alice") {
		t.Errorf("who-can %s from the snapshot: exit %d, want alice:\n%s", admin, code, who)
	}
	whoLive, _, _ := run(t, "who-can", admin, "--live", "--format", "json", "--quiet")
	if whoLive != who {
		t.Errorf("who-can --live differs from who-can snapshot.json:\n%s\nvs\n%s", whoLive, who)
	}
	if out, _, code := run(t, "diff", snapPath, snapPath, "--format", "json"); code != ExitOK || !strings.Contains(out, `"added": []`) {
		t.Errorf("diff of a snapshot with itself: exit %d\n%s", code, out)
	}
}

// checkSnapshot asserts what a snapshot must and must not hold.
func checkSnapshot(t *testing.T, data []byte) {
	t.Helper()
	if strings.Contains(string(data), livetest.ScenarioSecretValue) || strings.Contains(string(data), "not-aws-auth") {
		t.Error("the snapshot holds a Secret or a ConfigMap other than aws-auth")
	}
	if strings.Contains(string(data), livetest.SecretAccessKey) || strings.Contains(string(data), livetest.AccessKeyID) {
		t.Error("the snapshot holds the credentials")
	}
	var snap live.Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		t.Fatal(err)
	}
	if snap.Version != live.SnapshotVersion || snap.Account != livetest.Account {
		t.Errorf("snapshot version %d account %q", snap.Version, snap.Account)
	}
	apis := map[string]int{}
	for _, r := range snap.Records {
		apis[r.API]++
	}
	for _, api := range []string{"iam:GetAccountAuthorizationDetails", "iam:ListOpenIDConnectProviders", "iam:GetOpenIDConnectProvider",
		"eks:DescribeCluster", "eks:DescribeAccessEntry", "eks:ListAssociatedAccessPolicies", "eks:DescribePodIdentityAssociation",
		"k8s:configmaps", "k8s:serviceaccounts", "k8s:roles", "k8s:rolebindings"} {
		if apis[api] == 0 {
			t.Errorf("snapshot has no %s record (has %v)", api, apis)
		}
	}
	if len(snap.Clusters) != 1 || !snap.Clusters[0].ServiceAccountsComplete || !snap.Clusters[0].PodsRead {
		t.Errorf("cluster states: %+v", snap.Clusters)
	}
	if len(snap.Diagnostics) != 0 {
		t.Errorf("a full-permission collection warned: %+v", snap.Diagnostics)
	}
}

// comparableFindings is a JSON report's findings without file positions: what scan --live and
// a scan of the snapshot must agree on.
func comparableFindings(t *testing.T, report string) []map[string]any {
	t.Helper()
	var r struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal([]byte(report), &r); err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	var strip func(v any) any
	strip = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			out := map[string]any{}
			for k, e := range x {
				if k == "path" && isString(e) || k == "line" || k == "column" {
					continue
				}
				out[k] = strip(e)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = strip(e)
			}
			return out
		}
		return v
	}
	out := make([]map[string]any, len(r.Findings))
	for i, f := range r.Findings {
		out[i] = strip(f).(map[string]any)
	}
	return out
}

func isString(v any) bool { _, ok := v.(string); return ok }

// TestLiveDegrades: one API denied and a cluster without a kube context are warnings naming
// what is missing, and the scan goes on; nothing readable at all is exit 2.
func TestLiveDegrades(t *testing.T) {
	s := livetest.StartScenario(t)
	for k, v := range s.Env {
		t.Setenv(k, v)
	}
	s.EKS.Fail("ListPodIdentityAssociations", 403, "AccessDeniedException", -1)
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	out, stderr, code := run(t, "scan", "--live", "--format", "json", "--fail-on", "none")
	if code != ExitOK {
		t.Fatalf("scan --live with one API denied: exit %d, want 0\n%s", code, stderr)
	}
	for _, want := range []string{"eks:ListPodIdentityAssociations", "not evaluated"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(out, `"rule_id"`) {
		t.Errorf("no findings from what could be read:\n%s", out)
	}

	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_ENDPOINT_URL_EKS", "http://127.0.0.1:1")
	_, stderr, code = run(t, "scan", "--live", "--timeout", "20s")
	if code != ExitError || !strings.Contains(stderr, "nothing could be read") {
		t.Errorf("scan --live with nothing readable: exit %d, want 2\n%s", code, stderr)
	}
}

func TestLiveUsage(t *testing.T) {
	for _, args := range [][]string{
		{"collect", "-o", "x.json"},                         // no --live
		{"collect", "--live"},                               // no -o
		{"scan", "--profile", "p", "fixtures/seed-s3admin"}, // live flag without --live
		{"scan", "--cluster", "a", "--cluster", "b", "fixtures/seed-s3admin"},
	} {
		if _, stderr, code := run(t, args...); code != ExitError || stderr == "" {
			t.Errorf("%v: exit %d, want 2 with a message; stderr %q", args, code, stderr)
		}
	}
}
