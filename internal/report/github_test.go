package report

import (
	"strings"
	"testing"

	"github.com/rolecall/rolecall/analyzer/result"
)

func TestGitHubCommandBySeverity(t *testing.T) {
	want := map[result.Severity]string{
		result.Critical: "error", result.High: "error", result.Medium: "warning", result.Low: "notice", result.Info: "notice",
	}
	for _, sev := range result.Severities() {
		out := string(render(t, "github", Options{}, &result.Scan{Findings: []result.Finding{{RuleID: "RC1", Severity: sev}}}))
		if !strings.HasPrefix(out, "::"+want[sev]+" ") {
			t.Errorf("%s: got %q, want a ::%s annotation", sev, out, want[sev])
		}
	}
}

func TestWorkflowCommand(t *testing.T) {
	tests := []struct {
		name       string
		at         result.Location
		title, msg string
		want       string
	}{
		{"file, line and column", result.Location{File: "aws/roles.json", Line: 3, Column: 5}, "RC1 t", "m",
			"::error file=aws/roles.json,line=3,col=5,title=RC1 t::m\n"},
		{"file without position", result.Location{File: "k8s/a.yaml"}, "RC1 t", "m",
			"::error file=k8s/a.yaml,title=RC1 t::m\n"},
		{"line without column", result.Location{File: "a.json", Line: 7}, "RC1 t", "m",
			"::error file=a.json,line=7,title=RC1 t::m\n"},
		{"live finding has no file", result.Location{Ref: "arn:aws:iam::1:role/a"}, "RC1 t", "m",
			"::error title=RC1 t::m\n"},
		{"leading ./ dropped", result.Location{File: "./aws/roles.json", Line: 1, Column: 1}, "RC1 t", "m",
			"::error file=aws/roles.json,line=1,col=1,title=RC1 t::m\n"},
		{"data escapes percent, CR and LF only", result.Location{}, "", "100% a:b,c\r\nd",
			"::error::100%25 a:b,c%0D%0Ad\n"},
		{"properties also escape colon and comma", result.Location{File: "a,b:c%.json", Line: 1}, "RC1 x:y, z\nw", "m",
			"::error file=a%2Cb%3Ac%25.json,line=1,title=RC1 x%3Ay%2C z%0Aw::m\n"},
		{"a message cannot start another command", result.Location{File: "a.json"}, "RC1", "ok\n::error file=x::forged",
			"::error file=a.json,title=RC1::ok%0A::error file=x::forged\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := workflowCommand("error", tt.at, tt.title, tt.msg); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestGitHubOneCommandPerLine checks that every finding and diagnostic is one line starting with
// "::", whatever the messages hold, and that the summary closes the output as plain text.
func TestGitHubOneCommandPerLine(t *testing.T) {
	s := fullScan()
	s.Findings[0].Message = "line one\nline two\r\n::warning::forged"
	out := string(render(t, "github", Options{IncludeSuppressed: true}, s))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if want := len(s.Findings) + len(s.Diagnostics) + 1; len(lines) != want {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), want, out)
	}
	for i, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, "::") {
			t.Errorf("line %d is not a workflow command: %q", i+1, l)
		}
	}
	if last := lines[len(lines)-1]; last != summaryLine(s) {
		t.Errorf("last line = %q, want the summary line", last)
	}
}
