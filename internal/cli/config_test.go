package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/rolecall/rolecall/internal/golden"
)

const configTestdata = "internal/cli/testdata/config"

// runAt runs the CLI in-process from the module root with suppressions' expiry checked
// against the given day (YYYY-MM-DD), so goldens do not depend on the day they run.
func runAt(t *testing.T, day string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	now, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(moduleRoot(t))
	var out, errb bytes.Buffer
	code = Run(withNow(t.Context(), now), append([]string{"rolecall"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// TestConfigGoldens scans the configuration scenarios under testdata/config and compares the
// report, the diagnostics on stderr and the exit code with want/<case>.*:
//   - example: the README's .rolecall.yaml (accounts, disable, severity, a cluster with issuer,
//     mode and manifest globs, suppressions by rule+resource glob and by fingerprint) and inline
//     comments inside an aws-auth mapRoles block (one without a reason);
//   - expiry: the same on the day after a suppression's expires date;
//   - inline: rolecall:ignore comments above the data key, inside the block scalar (own line and
//     trailing), above a whole manifest, with an unknown rule and with no rule.
func TestConfigGoldens(t *testing.T) {
	tests := []struct {
		name, day, dir string
		args           []string
	}{
		{"example.txt", "2027-03-01", "example", []string{"--include-suppressed"}},
		{"example.json", "2027-03-01", "example", []string{"--format", "json"}},
		{"example.sarif", "2027-03-01", "example", []string{"--format", "sarif"}},
		{"expired.txt", "2027-07-01", "example", []string{"--include-suppressed"}},
		{"expired.json", "2027-07-01", "example", []string{"--format", "json", "--include-suppressed"}},
		{"inline.txt", "2027-03-01", "inline", []string{"--include-suppressed"}},
		{"inline.json", "2027-03-01", "inline", []string{"--format", "json"}},
		{"inline.sarif", "2027-03-01", "inline", []string{"--format", "sarif"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"scan", configTestdata + "/" + tt.dir}, tt.args...)
			out, stderr, code := runAt(t, tt.day, args...)
			want := filepath.Join(moduleRoot(t), configTestdata, "want", tt.name)
			golden.Check(t, want, []byte(out))
			golden.Check(t, want+".stderr", []byte(stderr))
			golden.Check(t, want+".exit-code", []byte(strconv.Itoa(code)+"\n"))
			if strings.HasSuffix(tt.name, ".sarif") {
				rep, err := sarif.FromBytes([]byte(out))
				if err != nil {
					t.Fatalf("SARIF does not parse: %v", err)
				}
				if err := rep.Validate(); err != nil {
					t.Errorf("SARIF fails validation: %v", err)
				}
				if !strings.Contains(out, `"justification"`) {
					t.Error("suppressed findings carry no suppressions[].justification")
				}
			}
		})
	}
}

// TestConfigExpiryChangesTheOutcome: the same scan passes while the suppression holds and fails
// the day after it expires, with a warning naming the config line.
func TestConfigExpiryChangesTheOutcome(t *testing.T) {
	dir := configTestdata + "/example"
	_, stderr, code := runAt(t, "2027-06-30", "scan", "--fail-on", "critical", dir)
	if code != ExitOK || strings.Contains(stderr, "expired") {
		t.Errorf("on the last day: exit %d, stderr %q; want 0 and no expiry warning", code, stderr)
	}
	_, stderr, code = runAt(t, "2027-07-01", "scan", "--fail-on", "critical", dir)
	want := "warning: " + dir + "/.rolecall.yaml:24:5: suppression of github-oidc-missing-sub (owner platform-team) expired on 2027-06-30"
	if code != ExitFindings || !strings.Contains(stderr, want) {
		t.Errorf("the day after: exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
}

// TestMalformedConfig: each mistake is an error at file:line:col saying what was expected, exit 2.
func TestMalformedConfig(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string // "line:col: message"
	}{
		{"unknown key", "accounts: [\"111122223333\"]\nsupressions: []\n",
			[]string{`2:1: unknown key "supressions" (expected one of accounts, clusters, disable, policy, severity, suppressions)`}},
		{"wrong type", "disable: RC104\n",
			[]string{`1:10: disable: expected a list of rule ids or names, e.g. [RC104], got a string`}},
		{"missing reason", "suppressions:\n  - rule: RC101\n    resource: arn:aws:iam::*:role/x\n",
			[]string{`2:5: suppressions[0]: reason is required: say why this finding is accepted`}},
		{"empty reason", "suppressions:\n  - rule: RC101\n    reason: \"  \"\n",
			[]string{`2:5: suppressions[0]: reason is required: say why this finding is accepted`}},
		{"bad date", "suppressions:\n  - rule: RC101\n    reason: accepted\n    expires: 30/06/2027\n",
			[]string{`4:14: suppressions[0].expires: "30/06/2027" is not a date; expected YYYY-MM-DD, e.g. 2026-06-30 (the last day the suppression applies)`}},
		{"impossible date", "suppressions:\n  - rule: RC101\n    reason: accepted\n    expires: 2027-02-30\n",
			[]string{`4:14: suppressions[0].expires: "2027-02-30" is not a date; expected YYYY-MM-DD, e.g. 2026-06-30 (the last day the suppression applies)`}},
		{"neither rule nor fingerprint", "suppressions:\n  - resource: arn:aws:iam::*:role/x\n    reason: accepted\n",
			[]string{`2:5: suppressions[0]: rule is required (an id like RC104 or a name), unless fingerprint names the finding`}},
		{"unknown suppression key", "suppressions:\n  - rule: RC101\n    reason: accepted\n    until: 2027-01-01\n",
			[]string{`4:5: suppressions[0]: unknown key "until" (expected one of expires, fingerprint, owner, path, reason, resource, rule)`}},
		{"bad fingerprint", "suppressions:\n  - fingerprint: abc\n    reason: accepted\n",
			[]string{`2:18: suppressions[0].fingerprint: "abc" is not a finding fingerprint (64 lower-case hex digits, as in the JSON report)`}},
		{"bad authentication mode", "clusters:\n  prod:\n    authentication_mode: IAM\n",
			[]string{`3:26: clusters.prod.authentication_mode: "IAM" is not an authentication mode (expected one of API, API_AND_CONFIG_MAP, CONFIG_MAP)`}},
		{"unknown cluster key", "clusters:\n  prod:\n    oidc: https://oidc.eks.us-east-1.amazonaws.com/id/X\n",
			[]string{`3:5: clusters.prod: unknown key "oidc" (expected one of authentication_mode, issuer, manifests)`}},
		{"clusters as a list", "clusters: [prod]\n",
			[]string{`1:11: clusters: expected a mapping of cluster name to its settings, e.g. {prod: {issuer: https://oidc.eks…}}, got a list`}},
		{"repeated key", "disable: [RC104]\ndisable: [RC105]\n",
			[]string{`2:1: key "disable" is repeated (first at line 1)`}},
		{"missing policy folder", "policy: [no-such-rules]\n",
			[]string{`1:10: policy[0]: %DIR%/no-such-rules is not a folder (relative folders are taken from the configuration file's folder)`}},
		{"severity that is not one", "severity:\n  RC104: urgent\n",
			[]string{`2:10: severity.RC104: unknown severity "urgent" (want one of info, low, medium, high, critical, none)`}},
		{"invalid YAML", "disable: [RC104\n",
			[]string{`1:1: invalid YAML: did not find expected ',' or ']'`}},
		{"every problem at once", "disable: RC104\nsuppressions:\n  - rule: RC101\n",
			[]string{`1:10: disable: expected a list`, `3:5: suppressions[0]: reason is required`}},
		{"unknown rule in a suppression", "suppressions:\n  - rule: RC9999\n    reason: accepted\n",
			[]string{`2:5: suppressions[0]: rule RC9999: no such rule id or name`}},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(dir, fmt.Sprintf("config-%d.yaml", i))
			if err := os.WriteFile(cfg, []byte(tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			out, stderr, code := runAt(t, "2027-03-01", "scan", "--config", cfg, configTestdata+"/example")
			if code != ExitError {
				t.Errorf("exit %d, want 2", code)
			}
			if out != "" {
				t.Errorf("a report was written despite the bad configuration: %.200q", out)
			}
			for _, w := range tt.want {
				w = cfg + ":" + strings.ReplaceAll(w, "%DIR%", dir)
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q\nlacks %q", stderr, w)
				}
			}
		})
	}
}

func TestConfigFoundUpwardAndPolicyRelativeToIt(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "infra", "trust"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, configFileName), []byte("policy: [rules]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	found := findConfig([]string{filepath.Join(dir, "infra", "trust")})
	if found != filepath.Join(dir, configFileName) {
		t.Fatalf("findConfig = %q", found)
	}
	cfg, err := loadConfig("", []string{filepath.Join(dir, "infra", "trust")})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, "rules")}; len(cfg.Policy) != 1 || cfg.Policy[0] != want[0] {
		t.Errorf("policy = %q, want %q", cfg.Policy, want)
	}
}

// TestConfigClustersAssignManifests: without the configuration the example's manifests belong to
// no known cluster; with it, clusters.prod.manifests claims them and its issuer ties the IRSA
// trust to prod.
func TestConfigClustersAssignManifests(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.yaml")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, _ := runAt(t, "2027-03-01", "scan", "--config", empty, "--fail-on", "none", configTestdata+"/example")
	if strings.Contains(out, "cluster prod") {
		t.Fatalf("cluster prod is known without the configuration:\n%s", out)
	}
	out, _, _ = runAt(t, "2027-03-01", "scan", "--fail-on", "none", "--include-suppressed", configTestdata+"/example")
	for _, want := range []string{"aws-auth ConfigMap of cluster prod", "any ServiceAccount of cluster prod can assume"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestREADMEConfigExample keeps the README's configuration example equal to the file the
// example goldens load.
func TestREADMEConfigExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "config", "example", configFileName))
	if err != nil {
		t.Fatal(err)
	}
	checkREADMESection(t, "<!-- config-example:begin -->\n", "<!-- config-example:end -->", "```yaml\n"+string(b)+"```\n")
}

// TestPolicyFolderNamedTwice: the same rule folder reached twice — from the configuration's
// policy: and from --policy (as the GitHub Action passes its policy input), or twice on the
// command line in another spelling — is loaded once, not refused as a duplicate rule.
func TestPolicyFolderNamedTwice(t *testing.T) {
	root := moduleRoot(t)
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "rules"), os.DirFS(filepath.Join(root, "examples", "policy"))); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(dir, "inputs"), os.DirFS(filepath.Join(root, "fixtures", "seed-s3admin"))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, configFileName), []byte("policy: [rules]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rules := filepath.Join(dir, "rules")
	inputs := filepath.Join(dir, "inputs")
	tests := []struct {
		name string
		args []string
	}{
		{"scan: config policy and --policy name the same folder", []string{"scan", "--policy", rules, inputs}},
		{"scan: --policy twice, once with a trailing slash", []string{"scan", "--config", filepath.Join(dir, configFileName), "--policy", rules + "/", "--policy", rules, inputs}},
		{"diff: config policy and --policy name the same folder", []string{"diff", "--policy", rules, inputs, inputs}},
		{"rules: --policy twice", []string{"rules", "--policy", rules, "--policy", rules}},
		{"test: the same folder twice", []string{"test", rules, rules + "/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runAt(t, "2027-03-01", tt.args...)
			if code != 0 {
				t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
			}
		})
	}
}
