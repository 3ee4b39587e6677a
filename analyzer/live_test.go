package analyzer

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/live"
	"github.com/rolecall/rolecall/analyzer/load"
	"github.com/rolecall/rolecall/analyzer/result"
)

// TestLiveScanMatchesSnapshotFile: scanning a snapshot collected in memory (scan --live) gives
// the findings of scanning the same snapshot saved to a file (scan snapshot.json), apart from
// file positions, which live data has none of.
func TestLiveScanMatchesSnapshotFile(t *testing.T) {
	const file = "load/testdata/snapshot.json"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	engine, err := NewEngine(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	fromFile, err := Run(t.Context(), Options{Paths: []string{file}, Version: "dev", Engine: engine, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	live, err := Run(t.Context(), Options{Live: []load.LiveInput{{Name: "live", Data: data}}, Version: "dev", Engine: engine, Now: now})
	if err != nil {
		t.Fatal(err)
	}

	// The snapshot holds findings of both kinds of evidence: IAM (a trust policy) and Kubernetes.
	var rules []string
	for _, f := range fromFile.Findings {
		rules = append(rules, f.RuleID)
	}
	for _, id := range []string{"RC305", "RC401"} {
		if !slices.Contains(rules, id) {
			t.Errorf("scanning the snapshot file gives no %s finding (rules: %v)", id, rules)
		}
	}

	type loc struct{ Ref, Resource string }
	type view struct {
		RuleID, Target, Subject, Message, Fingerprint string
		Locations, Path                               []loc
	}
	project := func(s *result.Scan, wantFile string) []view {
		var out []view
		for _, f := range s.Findings {
			v := view{RuleID: f.RuleID, Target: f.Target, Subject: f.Subject, Message: f.Message, Fingerprint: f.Fingerprint}
			for _, group := range []struct {
				in  []result.Location
				out *[]loc
			}{{f.Locations, &v.Locations}, {f.Path, &v.Path}} {
				for _, l := range group.in {
					if l.File != wantFile || (wantFile == "") != (l.Line == 0) {
						t.Errorf("%s location %s: file %q line %d, want file %q", f.RuleID, l.Ref, l.File, l.Line, wantFile)
					}
					*group.out = append(*group.out, loc{l.Ref, l.Resource})
				}
			}
			out = append(out, v)
		}
		return out
	}
	if diff := cmp.Diff(project(fromFile, file), project(live, "")); diff != "" {
		t.Errorf("findings of the snapshot file (-) and of the live snapshot (+) differ:\n%s", diff)
	}

	// The same diagnostics, without positions.
	var wantDiags []result.Diagnostic
	for _, d := range fromFile.Diagnostics {
		d.File, d.Line, d.Column = "", 0, 0
		wantDiags = append(wantDiags, d)
	}
	if diff := cmp.Diff(wantDiags, live.Diagnostics); diff != "" {
		t.Errorf("diagnostics (-file, positions dropped +live):\n%s", diff)
	}
	if fromFile.Summary.Files != 1 || live.Summary.Files != 0 {
		t.Errorf("files scanned: %d from the file, %d live; want 1 and 0", fromFile.Summary.Files, live.Summary.Files)
	}
}

// TestSnapshotFormatMatchesLive: load reads what analyzer/live writes — the snapshot key and
// version, and the JSON names of records, cluster states and diagnostics. (It lives here, not
// in analyzer/load, so that load's tests and fuzz target do not link the AWS SDK and client-go.)
func TestSnapshotFormatMatchesLive(t *testing.T) {
	snap := live.Snapshot{
		Version: live.SnapshotVersion, Tool: live.Tool{Name: "rolecall", Version: "dev"},
		CollectedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Account: "111122223333",
		Records: []live.Record{{
			API: "k8s:serviceaccounts", Ref: "ServiceAccount/payments/api", Cluster: "prod",
			Output: json.RawMessage(`{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"api","namespace":"payments"}}`),
		}},
		Clusters: []live.ClusterState{{Name: "prod", Context: "ctx", Server: "https://prod", ServiceAccountsComplete: true,
			PodsRead: true, PodServiceAccounts: []string{"payments/api"}}},
		Diagnostics: []live.Diagnostic{{Severity: "error", API: "eks:ListClusters", Permission: "eks:ListClusters",
			Message: "AccessDenied", NotEvaluated: []string{"RC101"}}},
		Counts: map[string]int{"k8s:serviceaccounts": 1},
	}
	data, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	inv, diags := load.Load(t.Context(), nil, load.Options{Live: []load.LiveInput{{Name: "live", Data: data}}})
	wantDiags := []result.Diagnostic{{Severity: result.DiagError,
		Message: "live collection: AccessDenied (missing eks:ListClusters) — not evaluated: RC101"}}
	if diff := cmp.Diff(wantDiags, diags); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	wantSA := []*inventory.ServiceAccount{{ID: "k8s:prod/serviceaccount/payments/api", Cluster: "prod", Namespace: "payments",
		Name: "api", Source: inventory.Source{Ref: "k8s:serviceaccounts ServiceAccount/payments/api"}}}
	if diff := cmp.Diff(wantSA, inv.ServiceAccounts); diff != "" {
		t.Errorf("service accounts (-want +got):\n%s", diff)
	}
	wantClusters := []*inventory.Cluster{{ID: "eks:prod", Name: "prod", ServiceAccountsComplete: true, PodsRead: true,
		PodServiceAccounts: []string{"payments/api"}, Source: inventory.Source{Ref: "k8s context ctx"}}}
	if diff := cmp.Diff(wantClusters, inv.Clusters); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
}
