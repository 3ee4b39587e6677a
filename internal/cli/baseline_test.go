package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/golden"
)

// runIn runs the CLI in-process from dir.
func runIn(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Chdir(dir)
	var out, errb bytes.Buffer
	code = Run(t.Context(), append([]string{"rolecall"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// copyDir copies a testdata tree into a fresh temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// baselineExample is the README's baseline example, run verbatim by TestBaselineReadme.
var baselineExample = []string{
	"rolecall scan --format json --output rolecall-baseline.json .",
	"rolecall scan --baseline rolecall-baseline.json .",
}

// TestBaselineReadme runs the README's two commands verbatim in a checkout: the first run
// records every finding, the second reports none of them.
func TestBaselineReadme(t *testing.T) {
	dir := copyDir(t, filepath.Join(moduleRoot(t), diffNew))
	if _, stderr, code := runIn(t, dir, strings.Fields(baselineExample[0])[1:]...); code != ExitFindings {
		t.Fatalf("recording the baseline: exit %d, want 1 (the findings are still reported); stderr: %s", code, stderr)
	}
	out, stderr, code := runIn(t, dir, strings.Fields(baselineExample[1])[1:]...)
	if code != ExitOK || out != "no findings in 1 role; 3 baselined\n" {
		t.Errorf("exit %d, output %q, stderr %q: want exit 0 and every finding baselined", code, out, stderr)
	}
}

// TestREADMEBaselineExample keeps the README's baseline example equal to the commands
// TestBaselineReadme runs.
func TestREADMEBaselineExample(t *testing.T) {
	checkREADMESection(t, "<!-- baseline-example:begin -->\n", "<!-- baseline-example:end -->",
		"```sh\n"+strings.Join(baselineExample, "\n")+"\n```\n")
}

// TestBaselineGolden: the baseline holds the trust-policy finding of NEW's AWS data alone, so
// a scan of all of NEW reports only what the aws-auth change added.
func TestBaselineGolden(t *testing.T) {
	base := filepath.Join(t.TempDir(), "baseline.json")
	if _, stderr, code := run(t, "scan", "--format", "json", "--output", base, diffNew+"/aws"); code != ExitFindings {
		t.Fatalf("recording the baseline: exit %d; stderr: %s", code, stderr)
	}
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			out, stderr, code := run(t, "scan", "--format", format, "--baseline", base, diffNew)
			if code != ExitFindings {
				t.Errorf("exit %d, want 1; stderr: %s", code, stderr)
			}
			golden.Check(t, filepath.Join(moduleRoot(t), "internal/cli/testdata/baseline/want/scan."+formatExt[format]), []byte(out))
		})
	}
}

func TestBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		file    string
		wantErr string
	}{
		{"missing file", filepath.Join(dir, "nope.json"), "--baseline: open " + filepath.Join(dir, "nope.json")},
		{"truncated JSON", write("truncated.json", "{\"version\": 1,\n  \"findings\": [\n"), "truncated.json:3:1: unexpected end of JSON input"},
		{"not JSON", write("yaml.json", "version: 1\n"), "yaml.json:1:1: invalid character 'v'"},
		{"a trust policy instead of a report", write("policy.json", "{\"Version\": \"2012-10-17\", \"Statement\": []}\n"), `policy.json:1:1: no "version"`},
		{"version not a number", write("vs.json", "{\"version\": \"1\", \"findings\": []}\n"), `vs.json:1:2: "version" is not a number`},
		{"another report version", write("v2.json", "{\n  \"version\": 2,\n  \"findings\": []\n}\n"), "v2.json:2:3: report version 2, this rolecall reads version 1"},
		{"findings not an array", write("obj.json", "{\"version\": 1, \"findings\": {}}\n"), `obj.json:1:28: "findings" is not an array`},
		{"a finding without fingerprint", write("nofp.json", "{\"version\": 1, \"findings\": [\n  {\"rule_id\": \"RC001\"}\n]}\n"), "nofp.json:2:3: findings[0] has no fingerprint"},
		{"text after the report", write("trailing.json", "{\"version\": 1, \"findings\": []}\n{\"version\": 1, \"findings\": []}\n"), "trailing.json:2:1: text after the report"},
		{"a comma after the report", write("comma.json", "{\"version\": 1, \"findings\": []},\n"), "comma.json:1:31: text after the report"},
		{"a fingerprint that is not a string", write("num.json", "{\"version\": 1, \"findings\": [{\"fingerprint\": 7}]}\n"), "num.json:1:29: findings[0]: json: cannot unmarshal number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := run(t, "scan", "--baseline", tt.file, diffNew)
			if code != ExitError {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr %q does not say %q", stderr, tt.wantErr)
			}
			if out != "" {
				t.Errorf("a bad baseline still printed a report: %q", out)
			}
		})
	}
}
