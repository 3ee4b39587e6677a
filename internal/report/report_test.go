package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/golden"
)

const (
	acct       = "arn:aws:iam::111122223333:"
	roleApp    = acct + "role/app"
	roleDeploy = acct + "role/deployer"
	roleBreak  = acct + "role/breakglass"
	roleWorker = acct + "role/worker"
	awsAuth    = "configmap/kube-system/aws-auth"
)

// catalog is deliberately out of ID order: formatters sort it.
func catalog() []result.Rule {
	return []result.Rule{
		{
			ID: "RC501", Name: "workload-to-cluster-admin", Slug: "workload_to_cluster_admin", Severity: result.Critical,
			Title:       "A workload can reach cluster-admin through a chain of roles",
			Description: "A ServiceAccount can assume a role that, directly or through further role assumptions, is mapped to system:masters.",
			Remediation: "Break the chain: tighten the trust policy of an intermediate role, or map the final role to a less privileged group.",
			HelpURI:     "https://github.com/rolecall/rolecall/blob/main/docs/rules.md#rc501",
			References:  []string{"https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html"},
			Tags:        []string{"eks", "kubernetes", "escalation"},
		},
		{
			ID: "RC101", Name: "irsa-missing-sub", Slug: "irsa_missing_sub", Severity: result.Critical,
			Title:       "IRSA trust policy does not restrict the service account",
			Description: "The role trusts a cluster's OIDC provider without a condition on the :sub claim, so every ServiceAccount in the cluster can assume it.",
			Remediation: "Add StringEquals on <provider>:sub = system:serviceaccount:NAMESPACE:NAME.",
			HelpURI:     "https://github.com/rolecall/rolecall/blob/main/docs/rules.md#rc101",
			Tags:        []string{"irsa", "eks"},
		},
		{
			ID: "RC010", Name: "trust-account-root", Slug: "trust_account_root", Severity: result.Info,
			Title:       "Trust policy names an account root",
			Description: "Naming arn:aws:iam::ACCOUNT:root delegates the decision to that account's identity policies.",
			Remediation: "Name the roles or users that need access instead of the account.",
			Tags:        []string{"trust"},
		},
		{
			ID: "RC401", Name: "aws-auth-system-masters", Slug: "aws_auth_system_masters", Severity: result.High,
			Title:       "aws-auth maps an identity to system:masters",
			Description: "system:masters bypasses RBAC and cannot be revoked by editing ClusterRoleBindings.",
			Remediation: "Map the identity to a dedicated group bound to the ClusterRole it needs.",
			Tags:        []string{"eks", "aws-auth", "eks"}, // duplicate tag on purpose
		},
		{
			ID: "RC103", Name: "irsa-sub-wildcard-name", Slug: "irsa_sub_wildcard_name", Severity: result.Medium,
			Title:       "IRSA :sub pins the namespace but admits several service accounts",
			Description: "A StringLike :sub pattern such as system:serviceaccount:apps:* gives the role to every workload in the namespace.",
			Remediation: "Use StringEquals with the exact ServiceAccount | or list each one.",
		},
		{
			ID: "RC302", Name: "sa-role-unknown", Slug: "sa_role_unknown", Severity: result.Low,
			Title:       "ServiceAccount annotation names an unknown role",
			Description: "The eks.amazonaws.com/role-arn annotation names a role absent from the loaded inventory of its account.",
			Remediation: "Fix the ARN or create the role.",
		},
		{
			ID: "RC002", Name: "trust-cross-account-no-external-id", Slug: "trust_cross_account_no_external_id", Severity: result.Medium,
			Title:       "Cross-account trust without sts:ExternalId",
			Description: "A third party can be tricked into using its access on your behalf (the confused deputy).",
			Remediation: "Require sts:ExternalId in a StringEquals condition.",
		},
	}
}

// fullScan has findings of every severity, file and live (Ref-only) locations, one suppressed
// finding, one multi-hop finding, and an input error and warning.
func fullScan() *result.Scan {
	return &result.Scan{
		Tool:  result.Tool{Name: "rolecall", Version: "dev"},
		Rules: catalog(),
		Findings: []result.Finding{
			{
				RuleID: "RC501", Rule: "workload-to-cluster-admin", Severity: result.Critical,
				Title:   "A workload can reach cluster-admin through a chain of roles",
				Message: "ServiceAccount ci/deployer in cluster prod becomes system:masters via " + roleDeploy + " -> " + roleBreak,
				Target:  roleBreak, Subject: "k8s:prod/serviceaccount/ci/deployer",
				Locations: []result.Location{
					{File: "k8s/aws-auth.yaml", Line: 14, Column: 7, Ref: "awsauth:prod/mapRoles/1", Resource: awsAuth},
					{File: "aws/roles.json", Line: 40, Column: 9, Ref: roleBreak + "#trust/0", Resource: roleBreak},
				},
				Path: []result.Location{
					{File: "aws/roles.json", Line: 22, Column: 9, Ref: "k8s:prod/serviceaccount/ci/deployer->" + roleDeploy, Resource: roleDeploy},
					{File: "aws/roles.json", Line: 40, Column: 9, Ref: roleDeploy + "->" + roleBreak, Resource: roleBreak},
					{File: "k8s/aws-auth.yaml", Line: 14, Column: 7, Ref: roleBreak + "->k8s:prod/group/system:masters", Resource: awsAuth},
				},
				Remediation: "Break the chain: tighten the trust policy of an intermediate role, or map the final role to a less privileged group.",
				Fingerprint: "5f0c7c1a9b3e2d4f6a8b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f",
			},
			{
				RuleID: "RC101", Rule: "irsa-missing-sub", Severity: result.Critical,
				Title:   "IRSA trust policy does not restrict the service account",
				Message: "any service account in cluster prod can assume role/legacy: statement 0 has no condition on oidc.eks.us-east-1.amazonaws.com/id/ABC:sub",
				Target:  acct + "role/legacy",
				Locations: []result.Location{
					{File: "aws/roles.json", Line: 61, Column: 9, Ref: acct + "role/legacy#trust/0", Resource: acct + "role/legacy"},
				},
				Remediation: "Add StringEquals on <provider>:sub = system:serviceaccount:NAMESPACE:NAME.",
				Suppression: &result.Suppression{Reason: "legacy batch role, removal tracked in SEC-142", By: "config"},
				Fingerprint: "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
			},
			{
				RuleID: "RC401", Rule: "aws-auth-system-masters", Severity: result.High,
				Title:   "aws-auth maps an identity to system:masters",
				Message: "mapRoles entry 1 of cluster prod maps " + roleBreak + " to group system:masters",
				Target:  roleBreak,
				Locations: []result.Location{
					{File: "k8s/aws-auth.yaml", Line: 14, Column: 7, Ref: "awsauth:prod/mapRoles/1", Resource: awsAuth},
				},
				Remediation: "Map the identity to a dedicated group bound to the ClusterRole it needs.",
				Fingerprint: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d",
			},
			{
				RuleID: "RC103", Rule: "irsa-sub-wildcard-name", Severity: result.Medium,
				Title:   "IRSA :sub pins the namespace but admits several service accounts",
				Message: `role/app (live) admits every ServiceAccount in namespace "apps" & its pods: StringLike sub = "system:serviceaccount:apps:*"`,
				Target:  roleApp,
				Locations: []result.Location{
					{Ref: roleApp, Resource: roleApp},
				},
				Remediation: "Use StringEquals with the exact ServiceAccount | or list each one.",
				Fingerprint: "1111111111111111111111111111111111111111111111111111111111111111",
			},
			{
				RuleID: "RC302", Rule: "sa-role-unknown", Severity: result.Low,
				Title:   "ServiceAccount annotation names an unknown role",
				Message: "ServiceAccount apps/worker is annotated with " + roleWorker + ", which is not among the 14 roles loaded for account 111122223333",
				Target:  roleWorker, Subject: "k8s:prod/serviceaccount/apps/worker",
				Locations: []result.Location{
					{File: "k8s/apps/worker.yaml", Line: 6, Column: 5, Ref: "k8s:prod/serviceaccount/apps/worker/annotation/eks.amazonaws.com/role-arn", Resource: "serviceaccount/apps/worker"},
				},
				Remediation: "Fix the ARN or create the role.",
				Fingerprint: "2222222222222222222222222222222222222222222222222222222222222222",
			},
			{
				RuleID: "RC010", Rule: "trust-account-root", Severity: result.Info,
				Title:   "Trust policy names an account root",
				Message: "statement 2 of role/ops trusts arn:aws:iam::444455556666:root",
				Target:  acct + "role/ops",
				Locations: []result.Location{
					{File: "aws/legacy roles.json", Line: 3, Column: 5, Ref: acct + "role/ops#trust/2", Resource: acct + "role/ops"},
				},
				Remediation: "Name the roles or users that need access instead of the account.",
				Fingerprint: "3333333333333333333333333333333333333333333333333333333333333333",
			},
		},
		Diagnostics: []result.Diagnostic{
			{Severity: result.DiagError, File: "aws/broken.json", Line: 3, Column: 1, Message: "unexpected end of JSON input"},
			{Severity: result.DiagWarning, File: "k8s/notes.yaml", Message: "no recognised Kubernetes or AWS document; skipped"},
		},
		Summary: result.Summary{Files: 7, Roles: 14, ServiceAccounts: 30},
	}
}

func emptyScan() *result.Scan {
	return &result.Scan{
		Tool:    result.Tool{Name: "rolecall", Version: "dev"},
		Rules:   catalog()[:2],
		Summary: result.Summary{Files: 1, Roles: 1},
	}
}

func render(t *testing.T, format string, opts Options, s *result.Scan) []byte {
	t.Helper()
	f, err := New(format, opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Format(&buf, s); err != nil {
		t.Fatalf("Format(%s): %v", format, err)
	}
	return buf.Bytes()
}

func TestFormatGolden(t *testing.T) {
	tests := []struct {
		name   string
		format string
		opts   Options
		scan   *result.Scan
		golden string
	}{
		{"text hides suppressed findings", "text", Options{}, fullScan(), "scan.golden.txt"},
		{"text shows suppressed findings when asked", "text", Options{IncludeSuppressed: true}, fullScan(), "scan.include-suppressed.golden.txt"},
		{"text in colour", "text", Options{Color: true, IncludeSuppressed: true}, fullScan(), "scan.color.golden.txt"},
		{"json hides suppressed findings", "json", Options{}, fullScan(), "scan.golden.json"},
		{"json shows suppressed findings when asked", "json", Options{IncludeSuppressed: true}, fullScan(), "scan.include-suppressed.golden.json"},
		{"sarif always carries suppressed findings", "sarif", Options{}, fullScan(), "scan.golden.sarif"},
		{"empty scan as text", "text", Options{}, emptyScan(), "empty.golden.txt"},
		{"empty scan as json", "json", Options{}, emptyScan(), "empty.golden.json"},
		{"empty scan as sarif", "sarif", Options{}, emptyScan(), "empty.golden.sarif"},
		{"markdown hides suppressed findings", "markdown", Options{}, fullScan(), "scan.golden.md"},
		{"markdown shows suppressed findings when asked", "markdown", Options{IncludeSuppressed: true}, fullScan(), "scan.include-suppressed.golden.md"},
		{"empty scan as markdown", "markdown", Options{}, emptyScan(), "empty.golden.md"},
		{"github annotations hide suppressed findings", "github", Options{}, fullScan(), "scan.golden.github"},
		{"github annotations show suppressed findings as notices when asked", "github", Options{IncludeSuppressed: true}, fullScan(), "scan.include-suppressed.golden.github"},
		{"empty scan as github annotations", "github", Options{}, emptyScan(), "empty.golden.github"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(t, tt.format, tt.opts, tt.scan)
			golden.Check(t, filepath.Join("testdata", tt.golden), got)
			if again := render(t, tt.format, tt.opts, tt.scan); !bytes.Equal(got, again) {
				t.Error("two renderings of the same scan differ")
			}
		})
	}
}

func TestColorOnlyWhenAsked(t *testing.T) {
	for _, format := range Formats() {
		out := render(t, format, Options{IncludeSuppressed: true}, fullScan())
		if bytes.Contains(out, []byte("\x1b[")) {
			t.Errorf("%s without Color contains an escape sequence", format)
		}
	}
	for _, format := range []string{"json", "sarif"} {
		out := render(t, format, Options{Color: true}, fullScan())
		if bytes.Contains(out, []byte("\x1b[")) {
			t.Errorf("%s with Color contains an escape sequence; colour is for text only", format)
		}
	}
}

func TestSARIFGoldensValidate(t *testing.T) {
	for _, name := range []string{"scan.golden.sarif", "empty.golden.sarif"} {
		t.Run(name, func(t *testing.T) {
			data := readFile(t, filepath.Join("testdata", name))
			rep, err := sarif.FromBytes(data, sarif.WithStrictValidation())
			if err != nil {
				t.Fatal(err)
			}
			if err := rep.Validate(); err != nil {
				t.Fatalf("schema validation: %v", err)
			}
		})
	}
	for _, s := range []*result.Scan{fullScan(), emptyScan()} {
		rep, err := SARIF(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := rep.Validate(); err != nil {
			t.Fatalf("schema validation of the built report: %v", err)
		}
	}
}

// sarifDoc is the part of a SARIF log the contract checks below look at.
type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name, Version, InformationURI string
				Rules                         []struct {
					ID, Name             string
					DefaultConfiguration struct{ Level string }
					Properties           map[string]any
				}
			}
		}
		Results []struct {
			RuleID              string
			RuleIndex           int
			Level               string
			PartialFingerprints map[string]string
			Locations           []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct{ URI string }
					Region           struct{ StartLine, StartColumn int }
				}
				LogicalLocations []struct{ FullyQualifiedName, Kind string }
			}
			RelatedLocations []struct{ ID int }
			Suppressions     []struct{ Kind, Justification string }
		}
		Invocations []struct {
			ExecutionSuccessful        bool
			ToolExecutionNotifications []struct {
				Level   string
				Message struct{ Text string }
			}
		}
	}
}

func TestSARIFContract(t *testing.T) {
	var doc sarifDoc
	if err := json.Unmarshal(render(t, "sarif", Options{}, fullScan()), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(doc.Runs))
	}
	run := doc.Runs[0]
	d := run.Tool.Driver
	if d.Name != "rolecall" || d.Version != "dev" || d.InformationURI != InformationURI {
		t.Errorf("driver = %q %q %q", d.Name, d.Version, d.InformationURI)
	}
	var ids []string
	for _, r := range d.Rules {
		ids = append(ids, r.ID)
	}
	wantIDs := []string{"RC002", "RC010", "RC101", "RC103", "RC302", "RC401", "RC501"}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("rules not the sorted catalogue (-want +got):\n%s", diff)
	}
	wantSev := map[string]any{"RC501": "9.5", "RC401": "8.0", "RC103": "5.5", "RC302": "2.0", "RC010": nil}
	wantLevel := map[string]string{"RC501": "error", "RC401": "error", "RC103": "warning", "RC302": "note", "RC010": "note"}
	for _, r := range d.Rules {
		if want, ok := wantSev[r.ID]; ok && r.Properties["security-severity"] != want {
			t.Errorf("%s security-severity = %v, want %v", r.ID, r.Properties["security-severity"], want)
		}
		if want, ok := wantLevel[r.ID]; ok && r.DefaultConfiguration.Level != want {
			t.Errorf("%s default level = %q, want %q", r.ID, r.DefaultConfiguration.Level, want)
		}
		tags, _ := r.Properties["tags"].([]any)
		if len(tags) == 0 || tags[0] != "security" {
			t.Errorf("%s tags = %v, want security first", r.ID, tags)
		}
	}
	if d.Rules[5].Name != "aws-auth-system-masters" {
		t.Errorf("rule name = %q, want the kebab-case name", d.Rules[5].Name)
	}

	if len(run.Results) != len(fullScan().Findings) {
		t.Fatalf("%d results, want every finding including the suppressed one", len(run.Results))
	}
	for i, r := range run.Results {
		if r.RuleIndex < 0 || r.RuleIndex >= len(d.Rules) || d.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %d: ruleIndex %d does not point at %s", i, r.RuleIndex, r.RuleID)
		}
		if want := wantLevel[r.RuleID]; want != "" && r.Level != want {
			t.Errorf("result %d (%s): level %q, want %q", i, r.RuleID, r.Level, want)
		}
		if r.PartialFingerprints[FingerprintKey] != fullScan().Findings[i].Fingerprint {
			t.Errorf("result %d: partialFingerprints = %v", i, r.PartialFingerprints)
		}
		if len(r.Locations) != 1 || len(r.Locations[0].LogicalLocations) != 1 || r.Locations[0].LogicalLocations[0].Kind != "resource" {
			t.Errorf("result %d: want one location with one resource logical location, got %+v", i, r.Locations)
		}
	}
	if got := run.Results[0].Locations[0].LogicalLocations[0].FullyQualifiedName; got != awsAuth {
		t.Errorf("multi-hop primary logical location = %q, want %q", got, awsAuth)
	}
	if got := len(run.Results[0].RelatedLocations); got != 4 {
		t.Errorf("multi-hop result has %d related locations, want 1 other cause + 3 hops", got)
	}
	// GitHub rejects an upload with a result whose location has no artifact URI: a live finding
	// points at a pseudo-path named after its resource, and keeps the resource's real name.
	if pl := run.Results[3].Locations[0].PhysicalLocation; pl == nil || pl.ArtifactLocation.URI != "live/aws/iam/111122223333/role/app" || pl.Region.StartLine != 1 {
		t.Errorf("live finding's physical location = %+v, want live/aws/iam/111122223333/role/app at line 1", pl)
	}
	if got := run.Results[3].Locations[0].LogicalLocations[0].FullyQualifiedName; got != roleApp {
		t.Errorf("live finding's logical location = %q, want %q", got, roleApp)
	}
	for i, r := range run.Results {
		if pl := r.Locations[0].PhysicalLocation; pl == nil || pl.ArtifactLocation.URI == "" {
			t.Errorf("result %d has no artifact URI; GitHub code scanning would reject the whole file", i)
		}
	}
	if pl := run.Results[5].Locations[0].PhysicalLocation; pl == nil || pl.ArtifactLocation.URI != "aws/legacy%20roles.json" || pl.Region.StartLine != 3 || pl.Region.StartColumn != 5 {
		t.Errorf("file location = %+v", pl)
	}
	if s := run.Results[1].Suppressions; len(s) != 1 || s[0].Kind != "external" || s[0].Justification == "" {
		t.Errorf("suppressed finding: suppressions = %+v", s)
	}
	for i, r := range run.Results {
		if i != 1 && len(r.Suppressions) != 0 {
			t.Errorf("result %d is not suppressed but has %+v", i, r.Suppressions)
		}
	}
	inv := run.Invocations
	if len(inv) != 1 || inv[0].ExecutionSuccessful || len(inv[0].ToolExecutionNotifications) != 2 ||
		inv[0].ToolExecutionNotifications[0].Level != "error" || inv[0].ToolExecutionNotifications[1].Level != "warning" {
		t.Errorf("invocations = %+v", inv)
	}
}

func TestSARIFEmptyResultsIsArray(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(render(t, "sarif", Options{}, &result.Scan{}), &doc); err != nil {
		t.Fatal(err)
	}
	run := doc["runs"].([]any)[0].(map[string]any)
	if res, ok := run["results"].([]any); !ok || len(res) != 0 {
		t.Errorf("results = %#v, want []", run["results"])
	}
}

func TestSARIFRuleMissingFromCatalog(t *testing.T) {
	s := fullScan()
	s.Rules = s.Rules[:1] // only RC501
	rep, err := SARIF(s)
	if err != nil {
		t.Fatal(err)
	}
	rules := rep.Runs[0].Tool.Driver.Rules
	for _, r := range rep.Runs[0].Results {
		if r.RuleIndex < 0 || *rules[r.RuleIndex].ID != *r.RuleID {
			t.Errorf("result %s has ruleIndex %d", *r.RuleID, r.RuleIndex)
		}
	}
	if len(rules) != 6 {
		t.Errorf("%d rules, want the catalogue's one plus five taken from findings", len(rules))
	}
}

func TestSuppressionKind(t *testing.T) {
	s := fullScan()
	s.Findings[1].Suppression.By = "inline"
	rep, err := SARIF(s)
	if err != nil {
		t.Fatal(err)
	}
	if k := *rep.Runs[0].Results[1].Suppressions[0].Kind; k != "inSource" {
		t.Errorf("inline suppression kind = %q, want inSource", k)
	}
}

// TestJSONContract checks the field names docs/cli.md fixes, independently of the golden.
func TestJSONContract(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(render(t, "json", Options{IncludeSuppressed: true}, fullScan()), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "tool", "findings", "diagnostics", "summary"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("top level lacks %q", k)
		}
	}
	if doc["version"] != float64(1) {
		t.Errorf("version = %v", doc["version"])
	}
	findings := doc["findings"].([]any)
	if len(findings) != 6 {
		t.Fatalf("%d findings with IncludeSuppressed, want 6", len(findings))
	}
	for i, f := range findings {
		f := f.(map[string]any)
		for _, k := range []string{"rule_id", "rule", "severity", "title", "message", "resource", "location", "remediation", "fingerprint"} {
			if _, ok := f[k]; !ok {
				t.Errorf("finding %d lacks %q", i, k)
			}
		}
		_, suppressed := f["suppressed"]
		if suppressed != (i == 1) {
			t.Errorf("finding %d: suppressed present = %v", i, suppressed)
		}
	}
	first := findings[0].(map[string]any)
	if diff := cmp.Diff(map[string]any{"path": "k8s/aws-auth.yaml", "line": float64(14), "column": float64(7),
		"ref": "awsauth:prod/mapRoles/1", "resource": awsAuth}, first["location"]); diff != "" {
		t.Errorf("location (-want +got):\n%s", diff)
	}
	if first["severity"] != "critical" {
		t.Errorf("severity = %v, want lower-case name", first["severity"])
	}
	sup := findings[1].(map[string]any)["suppressed"].(map[string]any)
	if sup["by"] != "config" || sup["reason"] == "" {
		t.Errorf("suppressed = %v", sup)
	}
	summary := doc["summary"].(map[string]any)
	for k, want := range map[string]float64{"critical": 1, "high": 1, "medium": 1, "low": 1, "info": 1, "files": 7, "roles": 14, "service_accounts": 30} {
		if summary[k] != want {
			t.Errorf("summary.%s = %v, want %v (suppressed findings are not counted)", k, summary[k], want)
		}
	}
	diag := doc["diagnostics"].([]any)[0].(map[string]any)
	if diff := cmp.Diff(map[string]any{"severity": "error", "path": "aws/broken.json", "line": float64(3), "column": float64(1),
		"message": "unexpected end of JSON input"}, diag); diff != "" {
		t.Errorf("diagnostic (-want +got):\n%s", diff)
	}
}

func TestSummaryLine(t *testing.T) {
	one := func(sev result.Severity, sup *result.Suppression) result.Finding {
		return result.Finding{Severity: sev, Suppression: sup}
	}
	tests := []struct {
		name string
		scan result.Scan
		want string
	}{
		{"nothing found", result.Scan{Summary: result.Summary{Roles: 14}}, "no findings in 14 roles"},
		{"singulars", result.Scan{Findings: []result.Finding{one(result.High, nil)}, Summary: result.Summary{Roles: 1}}, "1 finding (1 high) in 1 role"},
		{"the style guide's example", result.Scan{
			Findings: []result.Finding{one(result.High, nil), one(result.Critical, nil), one(result.High, nil), one(result.Low, &result.Suppression{})},
			Summary:  result.Summary{Roles: 14},
		}, "3 findings (1 critical, 2 high) in 14 roles; 1 suppressed"},
		{"input problems counted", result.Scan{
			Diagnostics: []result.Diagnostic{{Severity: "error"}, {Severity: "error"}, {Severity: "warning"}},
		}, "no findings in 0 roles; 2 input errors; 1 input warning"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summaryLine(&tt.scan); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	if diff := cmp.Diff([]string{"text", "json", "sarif", "markdown", "github"}, Formats()); diff != "" {
		t.Error(diff)
	}
	for _, f := range Formats() {
		if _, err := New(f, Options{}); err != nil {
			t.Errorf("New(%q): %v", f, err)
		}
	}
	_, err := New("xml", Options{})
	if err == nil || !strings.Contains(err.Error(), "text, json, sarif, markdown, github") {
		t.Errorf("New(xml) error = %v, want one listing the formats", err)
	}
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

var errWrite = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errWrite
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteErrorsReturned(t *testing.T) {
	for _, format := range Formats() {
		for _, after := range []int{0, 100} {
			f, _ := New(format, Options{IncludeSuppressed: true})
			if err := f.Format(&failWriter{n: after}, fullScan()); !errors.Is(err, errWrite) {
				t.Errorf("%s failing after %d bytes: err = %v, want the write error", format, after, err)
			}
		}
	}
	for _, format := range RuleFormats() {
		for _, after := range []int{0, 100} {
			if err := FormatRules(&failWriter{n: after}, format, catalog()); !errors.Is(err, errWrite) {
				t.Errorf("rules %s failing after %d bytes: err = %v, want the write error", format, after, err)
			}
		}
	}
}

func TestFormatRulesGolden(t *testing.T) {
	ext := map[string]string{"text": "txt", "json": "json", "markdown": "md"}
	for _, format := range RuleFormats() {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := FormatRules(&buf, format, catalog()); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "rules.golden."+ext[format]), buf.Bytes())
		})
	}
	if err := FormatRules(&bytes.Buffer{}, "html", catalog()); err == nil {
		t.Error("FormatRules(html) succeeded")
	}
}

func TestFormatRulesDoesNotReorderInput(t *testing.T) {
	rules := catalog()
	before := slices.Clone(rules)
	if err := FormatRules(&bytes.Buffer{}, "markdown", rules); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, rules); diff != "" {
		t.Errorf("caller's slice changed:\n%s", diff)
	}
}

func TestFormatRulesEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := FormatRules(&buf, "json", nil); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "[]\n" {
		t.Errorf("empty catalogue as json = %q, want []", buf.String())
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestArtifactURI(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"relative path kept", "aws/roles.json", "aws/roles.json"},
		{"leading ./ dropped", "./aws/roles.json", "aws/roles.json"},
		{"space percent-encoded", "aws/legacy roles.json", "aws/legacy%20roles.json"},
		{"parent directory kept", "../infra/roles.json", "../infra/roles.json"},
		{"colon in first segment not read as a scheme", "c:roles.json", "./c:roles.json"},
		{"absolute path becomes a file URI", "/repo/aws/roles.json", "file:///repo/aws/roles.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := artifactURI(tt.in); got != tt.want {
				t.Errorf("artifactURI(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLiveURI(t *testing.T) {
	tests := []struct{ name, resource, rule, want string }{
		{"role ARN split at colons, arn prefix dropped", roleApp, "RC103", "live/aws/iam/111122223333/role/app"},
		{"role path kept", acct + "role/ci/deployer", "RC103", "live/aws/iam/111122223333/role/ci/deployer"},
		{"kubernetes object", "k8s:prod/serviceaccount/ci/deployer", "RC301", "live/k8s/prod/serviceaccount/ci/deployer"},
		{"dot segments dropped", "a/../../b/./c", "RC1", "live/a/b/c"},
		{"odd characters percent-encoded", "role/a b%c", "RC1", "live/role/a%20b%25c"},
		{"no resource falls back to the rule", "", "RC103", "live/RC103"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := liveURI(tt.resource, tt.rule); got != tt.want {
				t.Errorf("liveURI(%q) = %q, want %q", tt.resource, got, tt.want)
			}
		})
	}
}

func TestMarkdownCell(t *testing.T) {
	var buf bytes.Buffer
	rules := []result.Rule{{ID: "RC900", Name: "odd-title", Severity: result.Low, Title: "a | b\nc"}}
	if err := FormatRules(&buf, "markdown", rules); err != nil {
		t.Fatal(err)
	}
	want := "| id | name | severity | title |\n| --- | --- | --- | --- |\n| RC900 | odd-title | low | a \\| b c |\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
