package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/corpus"
	"github.com/rolecall/rolecall/internal/golden"
)

func moduleRoot(t *testing.T) string { return corpus.ModuleRoot(t) }

// run runs the CLI in-process from the module root.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Chdir(moduleRoot(t))
	var out, errb bytes.Buffer
	code = Run(t.Context(), append([]string{"rolecall"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

var formatExt = map[string]string{"text": "txt", "json": "json", "sarif": "sarif"}

// TestFixtures scans every fixtures/<scenario> with want/ goldens in every format and checks
// the report and the exit code.
func TestFixtures(t *testing.T) {
	root := moduleRoot(t)
	wants, err := filepath.Glob(filepath.Join(root, "fixtures", "*", "want"))
	if err != nil || len(wants) == 0 {
		t.Fatalf("no fixtures with want/ found: %v", err)
	}
	for _, want := range wants {
		scenario := filepath.Base(filepath.Dir(want))
		t.Run(scenario, func(t *testing.T) {
			codes := map[int]bool{}
			for format, ext := range formatExt {
				out, _, code := run(t, "scan", "--format", format, "fixtures/"+scenario)
				codes[code] = true
				golden.Check(t, filepath.Join(want, "findings."+ext), []byte(out))
				if format == "sarif" {
					rep, err := sarif.FromBytes([]byte(out))
					if err != nil {
						t.Fatalf("SARIF does not parse: %v", err)
					}
					if err := rep.Validate(); err != nil {
						t.Errorf("SARIF fails validation: %v", err)
					}
				}
			}
			if len(codes) != 1 {
				t.Fatalf("exit code depends on the format: %v", codes)
			}
			var code int
			for c := range codes {
				code = c
			}
			golden.Check(t, filepath.Join(want, "exit-code"), []byte(strconv.Itoa(code)+"\n"))
		})
	}
}

func TestShippedFixturesCoverEveryExitCode(t *testing.T) {
	root := moduleRoot(t)
	seen := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(root, "fixtures", "*", "want", "exit-code"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seen[strings.TrimSpace(string(b))] = true
	}
	for _, code := range []string{"0", "1", "2"} {
		if !seen[code] {
			t.Errorf("no fixture exits %s", code)
		}
	}
}

func TestFlagsInAnyOrder(t *testing.T) {
	tests := []orderCase{
		{"flags before the path", []string{"scan", "--format", "json", "--fail-on", "none", "fixtures/irsa-pitfalls"}},
		{"flags after the path", []string{"scan", "fixtures/irsa-pitfalls", "--format", "json", "--fail-on", "none"}},
		{"flags around the path with =", []string{"scan", "--format=json", "fixtures/irsa-pitfalls", "--fail-on=none"}},
	}
	sameJSONInEveryOrder(t, tests)
}

func TestHelpAndVersion(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"scan --help lists the flags", []string{"scan", "--help"}, "--fail-on"},
		{"help after a path", []string{"scan", "fixtures/seed-s3admin", "-h"}, "--format"},
		{"version names OPA", []string{"version"}, "opa 1."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := run(t, tt.args...)
			if code != ExitOK || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q: want %q", code, out, stderr, tt.want)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"unknown flag after the path", []string{"scan", "fixtures/seed-s3admin", "--frmat", "json"}, "unknown flag --frmat"},
		{"unknown format", []string{"scan", "--format", "xml", "fixtures/seed-s3admin"}, `unknown format "xml"`},
		{"unknown fail-on", []string{"scan", "--fail-on", "severe", "fixtures/seed-s3admin"}, `unknown severity "severe"`},
		{"unknown command", []string{"scna"}, `unknown command "scna"`},
		{"flag without value", []string{"scan", "fixtures/seed-s3admin", "--format"}, "needs a value"},
		{"unknown rule to disable", []string{"scan", "--disable", "RC999", "fixtures/seed-s3admin"}, "no such rule"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := run(t, tt.args...)
			if code != ExitError {
				t.Errorf("exit %d, want %d", code, ExitError)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr %q does not say %q", stderr, tt.wantErr)
			}
		})
	}
}

func TestFailOnThreshold(t *testing.T) {
	tests := []struct {
		failOn string
		want   int
	}{
		{"none", ExitOK},
		{"info", ExitFindings},
		{"critical", ExitFindings}, // irsa-pitfalls has critical findings
	}
	for _, tt := range tests {
		t.Run(tt.failOn, func(t *testing.T) {
			_, _, code := run(t, "scan", "--fail-on", tt.failOn, "fixtures/irsa-pitfalls")
			if code != tt.want {
				t.Errorf("exit %d, want %d", code, tt.want)
			}
		})
	}
	t.Run("clean fixture passes at info", func(t *testing.T) {
		if _, _, code := run(t, "scan", "--fail-on", "info", "fixtures/seed-s3admin"); code != ExitOK {
			t.Errorf("exit %d, want 0", code)
		}
	})
}

func TestStdin(t *testing.T) {
	t.Chdir(moduleRoot(t))
	policy, err := os.ReadFile("fixtures/broken-inputs/trust/public-role.json")
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := Run(t.Context(), []string{"rolecall", "scan", "-"}, bytes.NewReader(policy), &out, &errb)
	if code != ExitFindings || !strings.Contains(out.String(), "RC001") {
		t.Errorf("exit %d, output %q, stderr %q: want RC001 and exit 1", code, out.String(), errb.String())
	}
}

func TestConfigSuppressions(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("suppressed finding no longer fails the scan", func(t *testing.T) {
		cfg := write("ok.yaml", "suppressions:\n  - rule: trust-public-principal\n    reason: demo role, deleted next sprint\n")
		out, _, code := run(t, "scan", "--config", cfg, "--format", "json", "--include-suppressed", "fixtures/broken-inputs/trust/public-role.json")
		if code != ExitOK {
			t.Errorf("exit %d, want 0", code)
		}
		if !strings.Contains(out, `"reason": "demo role, deleted next sprint"`) {
			t.Errorf("suppression reason missing from JSON: %s", out)
		}
	})
	t.Run("a suppression without a reason is refused", func(t *testing.T) {
		cfg := write("noreason.yaml", "suppressions:\n  - rule: RC001\n")
		_, stderr, code := run(t, "scan", "--config", cfg, "fixtures/broken-inputs/trust/public-role.json")
		if code != ExitError || !strings.Contains(stderr, "reason is required") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("a misspelt config key is refused", func(t *testing.T) {
		cfg := write("typo.yaml", "supressions: []\n")
		_, stderr, code := run(t, "scan", "--config", cfg, "fixtures/broken-inputs/trust/public-role.json")
		if code != ExitError || !strings.Contains(stderr, "supressions") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
}

func TestConfigRuleReferences(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("a raised severity moves the finding up the report", func(t *testing.T) {
		cfg := write("raise.yaml", "severity:\n  RC012: critical\n")
		out, stderr, code := run(t, "scan", "--config", cfg, "--format", "json", "--fail-on", "none", "fixtures/irsa-pitfalls")
		if code != ExitOK {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		var rep struct {
			Findings []struct {
				RuleID   string `json:"rule_id"`
				Severity string `json:"severity"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) == 0 || rep.Findings[0].RuleID != "RC012" || rep.Findings[0].Severity != "critical" {
			t.Fatalf("first finding %+v, want RC012 raised to critical first", rep.Findings[:1])
		}
		for i := 1; i < len(rep.Findings); i++ {
			a, _ := result.ParseSeverity(rep.Findings[i-1].Severity)
			b, _ := result.ParseSeverity(rep.Findings[i].Severity)
			if a < b {
				t.Fatalf("finding %d (%s %s) sorts before a more severe one (%s %s)", i-1,
					rep.Findings[i-1].RuleID, rep.Findings[i-1].Severity, rep.Findings[i].RuleID, rep.Findings[i].Severity)
			}
		}
	})
	tests := []struct {
		name, body, wantErr string
	}{
		{"severity none is refused (use disable)", "severity:\n  RC012: none\n", "disable"},
		{"severity of an unknown rule is refused", "severity:\n  RC9999: low\n", "RC9999"},
		{"suppression of an unknown rule is refused", "suppressions:\n  - rule: trust-publik-principal\n    reason: typo\n", "trust-publik-principal"},
		{"two overrides of one rule are refused", "severity:\n  RC012: low\n  trust-wildcard-in-equals: high\n", "RC012"},
		{"disabling an unknown rule names the config file", "disable: [RC9999]\n", "disable[0]: RC9999"},
		{"an account that is not a 12-digit id is refused", "accounts: [\"1111\"]\n", "1111"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := write(strings.ReplaceAll(tt.name, " ", "_")+".yaml", tt.body)
			_, stderr, code := run(t, "scan", "--config", cfg, "fixtures/irsa-pitfalls")
			if code != ExitError || !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("exit %d, stderr %q: want exit 2 naming %q", code, stderr, tt.wantErr)
			}
		})
	}
}

func TestOutputFile(t *testing.T) {
	t.Run("report is readable like any created file", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "report.json")
		if _, stderr, code := run(t, "scan", "--format", "json", "--output", p, "fixtures/seed-s3admin"); code != ExitOK {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o044 == 0 {
			t.Errorf("report mode %v: group and others cannot read it", st.Mode().Perm())
		}
	})
	t.Run("missing directory is an error and leaves nothing behind", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "missing", "report.json")
		_, stderr, code := run(t, "scan", "--output", p, "fixtures/seed-s3admin")
		if code != ExitError || !strings.Contains(stderr, "--output") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Errorf("left behind: %v", left)
		}
	})
	t.Run("dump-input writes the input document", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "input.json")
		if _, stderr, code := run(t, "scan", "--dump-input", p, "fixtures/seed-s3admin"); code != ExitOK {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		b, err := os.ReadFile(p)
		if err != nil || !json.Valid(b) || !strings.Contains(string(b), `"schema_version"`) {
			t.Errorf("dump %q, err %v", b, err)
		}
	})
}

// orderCase is one spelling of a command line whose flags may come in any order.
type orderCase struct {
	name string
	args []string
}

// sameJSONInEveryOrder runs every spelling and checks each exits 0 with the same JSON output.
func sameJSONInEveryOrder(t *testing.T, tests []orderCase) {
	t.Helper()
	var first string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := run(t, tt.args...)
			if code != ExitOK {
				t.Fatalf("exit %d, stderr: %s", code, stderr)
			}
			if !strings.HasPrefix(out, "{") {
				t.Fatalf("--format json was not applied: %.80q", out)
			}
			if first == "" {
				first = out
			} else if out != first {
				t.Error("output differs with flag order")
			}
		})
	}
}

// TestStdinName: a chart rendered by helm template (or an overlay by kustomize build) piped in
// is located under --stdin-name, with its lines.
func TestStdinName(t *testing.T) {
	t.Chdir(moduleRoot(t))
	rendered := `---
# Source: payments/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: default
  namespace: payments
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/payments-api
`
	var out, errb bytes.Buffer
	code := Run(t.Context(), []string{"rolecall", "scan", "-", "--stdin-name", "charts/payments", "--format", "json", "--fail-on", "none"},
		strings.NewReader(rendered), &out, &errb)
	if code != ExitOK || !strings.Contains(out.String(), `"path": "charts/payments"`) || !strings.Contains(out.String(), `"line": 9`) {
		t.Errorf("exit %d, stderr %q: want findings located at charts/payments line 9:\n%s", code, errb.String(), out.String())
	}
}
