package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/golden"
)

// The diff inputs: NEW widens role deploy's GitHub OIDC trust from one environment to every
// ref of repo:acme/web, maps the role to system:masters instead of web-deployers, and drops
// role legacy-ci (whose org-wide trust was a finding).
const (
	diffOld = "internal/cli/testdata/diff/old"
	diffNew = "internal/cli/testdata/diff/new"
)

func diffWant(t *testing.T, name string) string {
	return filepath.Join(moduleRoot(t), "internal/cli/testdata/diff/want", name)
}

func TestDiffGolden(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		golden string
		want   int
	}{
		{"widened trust and system:masters gain a path to cluster-admin", []string{"diff", diffOld, diffNew}, "diff.txt", ExitFindings},
		{"the same as JSON", []string{"diff", "--format", "json", diffOld, diffNew}, "diff.json", ExitFindings},
		{"reverting loses the paths; its one high finding passes --fail-on critical", []string{"diff", "--fail-on", "critical", diffNew, diffOld}, "reverse.txt", ExitOK},
		{"no change", []string{"diff", diffOld, diffOld}, "unchanged.txt", ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := run(t, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.want, stderr)
			}
			golden.Check(t, diffWant(t, tt.golden), []byte(out))
		})
	}
}

func TestDiffJSONShape(t *testing.T) {
	out, _, _ := run(t, "diff", "-f", "json", diffOld, diffNew)
	var doc struct {
		Version  int `json:"version"`
		Findings struct {
			Added []struct {
				RuleID      string `json:"rule_id"`
				Fingerprint string `json:"fingerprint"`
			} `json:"added"`
			Removed []struct {
				RuleID string `json:"rule_id"`
			} `json:"removed"`
		} `json:"findings"`
		Access struct {
			AdminPaths struct {
				Gained []struct {
					From        string `json:"from"`
					To          string `json:"to"`
					Description string `json:"description"`
					Hops        []struct {
						Mechanism string `json:"mechanism"`
					} `json:"hops"`
				} `json:"gained"`
				Lost []json.RawMessage `json:"lost"`
			} `json:"admin_paths"`
		} `json:"access"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("diff JSON does not parse: %v", err)
	}
	var added []string
	for _, f := range doc.Findings.Added {
		added = append(added, f.RuleID)
	}
	if got := strings.Join(added, ","); got != "RC504,RC401,RC153" {
		t.Errorf("added findings %s, want RC504,RC401,RC153", got)
	}
	if len(doc.Findings.Removed) != 1 || doc.Findings.Removed[0].RuleID != "RC152" {
		t.Errorf("removed findings %+v, want RC152 (legacy-ci is gone)", doc.Findings.Removed)
	}
	if len(doc.Access.AdminPaths.Gained) == 0 {
		t.Fatal("no admin path gained")
	}
	first := doc.Access.AdminPaths.Gained[0]
	const want = "token.actions.githubusercontent.com repo:acme/web:* -[web-identity]-> role/deploy -[cluster-auth]-> deploy:{{SessionName}} [system:masters] -[admin]-> cluster-admin of prod"
	if first.Description != want || first.To != "k8s:prod/cluster-admin" || len(first.Hops) != 3 {
		t.Errorf("first gained path %+v, want the external federation first: %s", first, want)
	}
	if len(doc.Access.AdminPaths.Lost) != 0 {
		t.Errorf("admin paths lost: %s", doc.Access.AdminPaths.Lost)
	}
}

func TestDiffExitCode(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"--fail-on none never fails", []string{"diff", "--fail-on", "none", diffOld, diffNew}, ExitOK},
		{"a gained admin path fails even above the added findings' severity", []string{"diff", diffOld, diffNew, "--fail-on", "critical", "--disable", "RC504"}, ExitFindings},
		{"one path is a usage error", []string{"diff", diffOld}, ExitError},
		{"stdin is refused", []string{"diff", "-", diffNew}, ExitError},
		{"unknown format", []string{"diff", "--format", "sarif", diffOld, diffNew}, ExitError},
		{"an unreadable input exits 2", []string{"diff", diffOld, "fixtures/broken-inputs"}, ExitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, stderr, code := run(t, tt.args...); code != tt.want {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.want, stderr)
			}
		})
	}
}

// TestREADMEDiffExample keeps the README's diff example equal to what rolecall prints.
func TestREADMEDiffExample(t *testing.T) {
	cmd := "rolecall diff " + diffOld + " " + diffNew
	out, stderr, code := run(t, strings.Fields(cmd)[1:]...)
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1; stderr: %s", code, stderr)
	}
	checkREADMESection(t, "<!-- diff-example:begin -->\n", "<!-- diff-example:end -->",
		"```console\n$ "+cmd+"\n"+out+"```\n")
}
