package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/golden"
)

func policyWant(t *testing.T, name string) string {
	return filepath.Join(moduleRoot(t), "internal/cli/testdata/policy/want", name)
}

// The fixture has three roles trusting GitHub Actions: one pinned to an environment, one to
// main, one to refs/heads/staging. Only the last breaks ACME's rule, and no built-in rule
// objects to a single pinned branch, so the example rule is the only finding.
func TestScanWithExamplePolicy(t *testing.T) {
	out, stderr, code := run(t, "scan", "--policy", "examples/policy", "internal/cli/testdata/policy/fixture")
	if code != ExitFindings {
		t.Errorf("exit %d, want 1; stderr: %s", code, stderr)
	}
	golden.Check(t, policyWant(t, "scan.txt"), []byte(out))

	out, _, code = run(t, "scan", "internal/cli/testdata/policy/fixture")
	if code != ExitOK || strings.Contains(out, "ACME001") {
		t.Errorf("without --policy: exit %d, output %q; want a clean scan", code, out)
	}
}

func TestRulesListsUserRules(t *testing.T) {
	out, stderr, code := run(t, "rules", "--policy", "examples/policy")
	if code != ExitOK || !strings.Contains(out, "ACME001  github-oidc-pinned-ref  [high]") {
		t.Errorf("exit %d, stderr %q: rules --policy does not list ACME001:\n%.400s", code, stderr, out)
	}
	out, _, _ = run(t, "rules", "--format", "json", "--policy", "examples/policy")
	var rules []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(out), &rules); err != nil {
		t.Fatalf("rules JSON: %v", err)
	}
	var ids []string
	for _, r := range rules {
		ids = append(ids, r.ID)
	}
	if len(ids) < 2 || ids[0] != "ACME001" || !strings.HasPrefix(ids[1], "RC") {
		t.Errorf("rule ids %v: want ACME001 beside the built-in RC rules", ids)
	}
	out, _, _ = run(t, "rules")
	if strings.Contains(out, "ACME001") {
		t.Error("rules without --policy lists the user rule")
	}
}

func TestTestCommand(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		golden string
		want   int
	}{
		{"the example rule's tests pass", []string{"test", "examples/policy"}, "test-examples.txt", ExitOK},
		{"a failing test is reported with its output", []string{"test", "internal/cli/testdata/policy/failing"}, "test-failing.txt", ExitFindings},
		{"--run selects tests", []string{"test", "internal/cli/testdata/policy/failing", "--run", "fires_on"}, "test-run.txt", ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := run(t, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.want, stderr)
			}
			golden.Check(t, policyWant(t, tt.golden), []byte(out))
		})
	}
}

// A user rule with bad metadata is refused, naming the file, by every command that loads it.
func TestBrokenUserRule(t *testing.T) {
	const dir = "internal/cli/testdata/policy/bad-metadata"
	wantErrs := []string{
		"invalid rule metadata:",
		dir + `/acme_no_public.rego:1: metadata custom.id "RC900": the RC prefix is reserved for built-in rules`,
		dir + `/acme_no_public.rego:1: metadata custom.severity "urgent": want one of critical, high, medium, low, info`,
	}
	tests := []struct {
		name string
		args []string
	}{
		{"scan", []string{"scan", "--policy", dir, "internal/cli/testdata/policy/fixture"}},
		{"rules", []string{"rules", "--policy", dir}},
		{"test", []string{"test", dir}},
		{"diff", []string{"diff", "--policy", dir, diffOld, diffNew}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := run(t, tt.args...)
			if code != ExitError {
				t.Errorf("exit %d, want 2", code)
			}
			for _, w := range wantErrs {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			if out != "" {
				t.Errorf("printed a report anyway: %.200q", out)
			}
		})
	}
}

func TestTestCommandErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    int
		wantErr string
	}{
		{"no directory", []string{"test"}, ExitError, "test needs at least one DIR"},
		{"not a directory", []string{"test", "examples/policy/github_oidc_pinned_ref.rego"}, ExitError, "not a directory"},
		{"no tests", []string{"test", "internal/cli/testdata/diff"}, ExitFindings, "no test ran"},
		{"bad --run", []string{"test", "examples/policy", "--run", "("}, ExitError, "error parsing regexp"},
		{"bad --run is named as the flag", []string{"test", "examples/policy", "--run", "("}, ExitError, "rolecall: --run: error parsing regexp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := run(t, tt.args...)
			if code != tt.want || !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("exit %d, stderr %q: want exit %d saying %q", code, stderr, tt.want, tt.wantErr)
			}
		})
	}
}

// TestREADMECustomRulesExample keeps the README's custom-rule example equal to what rolecall
// prints for the shipped example rule.
func TestREADMECustomRulesExample(t *testing.T) {
	var b strings.Builder
	for _, cmd := range []string{
		"rolecall test examples/policy",
		"rolecall scan --policy examples/policy internal/cli/testdata/policy/fixture",
	} {
		out, stderr, code := run(t, strings.Fields(cmd)[1:]...)
		if code == ExitError {
			t.Fatalf("%s: exit 2: %s", cmd, stderr)
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("$ " + cmd + "\n" + out)
	}
	checkREADMESection(t, "<!-- custom-rules-example:begin -->\n", "<!-- custom-rules-example:end -->",
		"```console\n"+b.String()+"```\n")
}
