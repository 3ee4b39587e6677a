package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/cli"
)

// readmeCIExample is the README's example for a workflow step, verbatim: annotations on the pull
// request's files, then the Markdown summary appended to the run's page, failing the step on a
// high or critical finding.
const readmeCIExample = `rolecall scan --format github --fail-on none .
rolecall scan --format markdown --fail-on high . >> "$GITHUB_STEP_SUMMARY"`

// TestREADMECIExample runs readmeCIExample in-process from a fixture with findings, the way a
// workflow step runs it from the repository root.
func TestREADMECIExample(t *testing.T) {
	fixture, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "escalation"))
	if err != nil {
		t.Fatal(err)
	}
	summary := filepath.Join(t.TempDir(), "step-summary.md")
	if err := os.WriteFile(summary, []byte("previous step's summary\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(fixture)

	lines := strings.Split(readmeCIExample, "\n")
	outs := make([]string, len(lines))
	codes := make([]int, len(lines))
	for i, line := range lines {
		cmd, redirect, appending := strings.Cut(line, ` >> "$GITHUB_STEP_SUMMARY"`)
		args := strings.Fields(cmd)
		if args[0] != "rolecall" || (appending && redirect != "") {
			t.Fatalf("example line %q is not `rolecall …` with an optional summary redirect", line)
		}
		var stdout, stderr bytes.Buffer
		codes[i] = cli.Run(t.Context(), args, strings.NewReader(""), &stdout, &stderr)
		outs[i] = stdout.String()
		if stderr.Len() > 0 {
			t.Logf("%s: stderr:\n%s", line, stderr.String())
		}
		if appending {
			f, err := os.OpenFile(summary, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write(stdout.Bytes()); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}

	t.Run("annotations", func(t *testing.T) {
		if codes[0] != cli.ExitOK {
			t.Errorf("exit code %d with --fail-on none, want 0", codes[0])
		}
		annotation := regexp.MustCompile(`^::(error|warning|notice) file=[a-z0-9/._-]+\.(json|yaml),line=\d+,col=\d+,title=RC\d{3} [^:]*::.+$`)
		out := strings.TrimSuffix(outs[0], "\n")
		all := strings.Split(out, "\n")
		for _, l := range all[:len(all)-1] {
			if !annotation.MatchString(l) {
				t.Errorf("not a file annotation with a relative path: %q", l)
			}
		}
		if !strings.Contains(out, "::error file=k8s/prod/aws-auth.yaml,line=13,col=7,title=RC401 ") {
			t.Errorf("no RC401 error annotation on the aws-auth mapping:\n%s", out)
		}
		if last := all[len(all)-1]; !strings.HasSuffix(last, " in 6 roles") {
			t.Errorf("last line = %q, want the summary", last)
		}
	})
	t.Run("step summary", func(t *testing.T) {
		if codes[1] != cli.ExitFindings {
			t.Errorf("exit code %d with --fail-on high on critical findings, want 1", codes[1])
		}
		got, err := os.ReadFile(summary)
		if err != nil {
			t.Fatal(err)
		}
		s := string(got)
		if !strings.HasPrefix(s, "previous step's summary\n## rolecall\n") {
			t.Errorf("summary not appended after the previous content:\n%s", s)
		}
		details := strings.Count(s, "<details>")
		if details != strings.Count(s, "</details>") || details != strings.Count("\n"+outs[0], "\n::") {
			t.Errorf("%d <details> blocks, want one per finding (%d annotations)", details, strings.Count("\n"+outs[0], "\n::"))
		}
		if !strings.Contains(s, "| critical | 7 |") || !strings.Contains(s, "**Path**\n\n1. ") {
			t.Errorf("summary lacks the severity table or a numbered path:\n%s", s)
		}
	})
}

// TestREADMEShowsCIExample keeps the README's CI example equal to the one tested above.
func TestREADMEShowsCIExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```sh\n"+readmeCIExample+"\n```\n") {
		t.Error("README.md does not show readmeCIExample verbatim in a sh block")
	}
}
