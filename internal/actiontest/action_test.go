// Package actiontest runs the repository's GitHub Action (action.yml) for real: nektos/act
// executes the workflows under testdata/workflows/ on the host, and the tests check what a user
// would see — the report file, the action's outputs, the step summary and the job's result.
//
// The runs need no network: Go comes from the host (the action's setup step is skipped by its
// setup-go input, or replaced by a local stand-in), act's caches live in temporary folders and
// the Go module proxy is turned off.
//
// act is found through ROLECALL_ACT, PATH or $(go env GOPATH)/bin; the action also needs jq and
// git. When one is missing the tests skip, unless ROLECALL_REQUIRE_TOOLS=1 (CI) makes them fail.
package actiontest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// actTimeout bounds one act run; the first one compiles rolecall, which takes a few minutes on
// a cold build cache with 2 cores.
const actTimeout = 8 * time.Minute

// TestActionOnFixtures runs the workflows that use the action from this checkout (uses: ./).
func TestActionOnFixtures(t *testing.T) {
	a := newActRunner(t)
	tests := []struct {
		name     string
		workflow string
		failOn   string // the workflow's fail-on input
		fixture  string // fixtures/<fixture>/want holds the reviewed report of the same scan
		// wantActExit is act's exit status (1 when the job failed); wantExitCode rolecall's.
		wantActExit, wantExitCode int
		wantOutputs               map[string]string // outputs but findings (from the golden) and exit-code
		// wantSummary are lines the step summary must hold (besides the computed ones).
		wantSummary []string
	}{
		{
			name:        "findings at or above fail-on fail the job and are reported",
			workflow:    "failing.yml",
			failOn:      "medium",
			fixture:     "irsa-pitfalls",
			wantActExit: 1, wantExitCode: 1,
			wantOutputs: map[string]string{"sarif-file": "rolecall.sarif", "report-file": "rolecall.sarif"},
		},
		{
			name:        "a clean scan passes the job",
			workflow:    "clean.yml",
			failOn:      "medium",
			fixture:     "seed-s3admin",
			wantActExit: 0, wantExitCode: 0,
			wantOutputs: map[string]string{"sarif-file": "rolecall.sarif", "report-file": "rolecall.sarif"},
		},
		{
			name:        "unreadable inputs fail the job with exit code 2 and inputs never run as code",
			workflow:    "input-errors.yml",
			failOn:      "none",
			fixture:     "broken-inputs",
			wantActExit: 1, wantExitCode: 2,
			wantOutputs: map[string]string{"sarif-file": "", "report-file": "report.json"},
			wantSummary: []string{
				"- error `$(touch${IFS}injected-subshell)`: cannot read input: no such file or directory",
				"- error `\";touch${IFS}injected-quote;\"`: cannot read input: no such file or directory",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run := a.run(t, a.root, "push", filepath.Join("testdata", "workflows", tt.workflow))
			// Nothing a path input held may have run: the workspace holds no file it would create.
			for _, name := range strings.Fields(string(run.file(t, "workspace.txt"))) {
				if strings.HasPrefix(name, "injected") {
					t.Errorf("the workspace holds %q: an input was executed as shell code", name)
				}
			}
			if run.exit != tt.wantActExit {
				t.Fatalf("act exit status = %d, want %d\n%s", run.exit, tt.wantActExit, run.log)
			}
			want := readGolden(t, filepath.Join(a.root, "fixtures", tt.fixture, "want", "findings.json"))

			outputs := run.outputs(t)
			wantOutputs := map[string]string{"findings": fmt.Sprint(len(want.Findings)), "exit-code": fmt.Sprint(tt.wantExitCode)}
			for k, v := range tt.wantOutputs {
				wantOutputs[k] = v
			}
			if diff := cmp.Diff(wantOutputs, outputs); diff != "" {
				t.Errorf("action outputs (-want +got):\n%s\n%s", diff, run.log)
			}

			report := run.file(t, "report")
			if outputs["sarif-file"] != "" {
				checkSARIF(t, report, filepath.Join(a.root, "fixtures", tt.fixture, "want", "findings.sarif"))
			} else {
				var got goldenJSON
				if err := json.Unmarshal(report, &got); err != nil {
					t.Fatalf("report %s is not JSON: %v", outputs["report-file"], err)
				}
				if len(got.Findings) != len(want.Findings) {
					t.Errorf("report has %d findings, want %d", len(got.Findings), len(want.Findings))
				}
			}

			summary := run.summary(t)
			checkSummary(t, summary, want, tt.failOn, tt.wantExitCode)
			for _, line := range tt.wantSummary {
				if !hasLine(summary, line) {
					t.Errorf("step summary lacks the line %q:\n%s", line, summary)
				}
			}
		})
	}
}

// TestReadmeWorkflows runs the README's workflows verbatim in a throwaway user repository that
// holds a fixture's files: `uses: rolecall/rolecall@main` resolves to this checkout, the pinned
// actions/setup-go and github/codeql-action/upload-sarif to local stand-ins.
func TestReadmeWorkflows(t *testing.T) {
	a := newActRunner(t)
	codeScanning := readFile(t, filepath.Join(a.root, "testdata", "workflows", "readme-code-scanning.yml"))
	failOnly := readFile(t, filepath.Join(a.root, "testdata", "workflows", "readme-fail-only.yml"))
	// The user repositories: a fixture's files laid out as a user might keep them.
	withFindings := map[string]string{"iam/aws": "irsa-pitfalls/aws", "iam/trust": "irsa-pitfalls/trust", "k8s": "irsa-pitfalls/k8s"}
	clean := map[string]string{"": "seed-s3admin"} // want/ too: its JSON counts among the scanned files

	t.Run("code scanning: findings above fail-on fail the job and are still uploaded", func(t *testing.T) {
		t.Parallel()
		repo := a.userRepo(t, withFindings, codeScanning)
		run := a.run(t, repo, "push", filepath.Join(".github", "workflows", "rolecall.yml"))
		if run.exit != 1 {
			t.Fatalf("act exit status = %d, want 1\n%s", run.exit, run.log)
		}
		want := readGolden(t, filepath.Join(a.root, "fixtures", "irsa-pitfalls", "want", "findings.json"))
		var sarif sarifLog
		if err := json.Unmarshal(run.file(t, "uploaded.sarif"), &sarif); err != nil {
			t.Fatalf("upload-sarif was not given a SARIF file: %v", err)
		}
		if got := sarifRuleIDs(sarif); !slices.Equal(got, goldenRuleIDs(want)) {
			t.Errorf("uploaded SARIF results = %v, want %v", got, goldenRuleIDs(want))
		}
		if got := strings.TrimSpace(string(run.file(t, "category.txt"))); got != "rolecall" {
			t.Errorf("upload-sarif category = %q, want rolecall", got)
		}
		checkSummary(t, run.summary(t), want, "high", 1)
		// The setup step ran (the stand-in, with the host's Go), asking for the action's go.mod.
		if !bytes.Equal(run.file(t, "go-version-file"), []byte(readFile(t, filepath.Join(a.root, "go.mod")))) {
			t.Errorf("setup-go's go-version-file is not the action's go.mod")
		}
		if got := strings.TrimSpace(string(run.file(t, "cache"))); got != "false" {
			t.Errorf("setup-go's cache = %q, want false", got)
		}
	})
	t.Run("fail only: findings fail the job", func(t *testing.T) {
		t.Parallel()
		repo := a.userRepo(t, withFindings, failOnly)
		run := a.run(t, repo, "pull_request", filepath.Join(".github", "workflows", "rolecall.yml"))
		if run.exit != 1 {
			t.Fatalf("act exit status = %d, want 1\n%s", run.exit, run.log)
		}
		want := readGolden(t, filepath.Join(a.root, "fixtures", "irsa-pitfalls", "want", "findings.json"))
		checkSummary(t, run.summary(t), want, "medium", 1)
	})
	t.Run("fail only: a clean repository passes", func(t *testing.T) {
		t.Parallel()
		repo := a.userRepo(t, clean, failOnly)
		run := a.run(t, repo, "pull_request", filepath.Join(".github", "workflows", "rolecall.yml"))
		if run.exit != 0 {
			t.Fatalf("act exit status = %d, want 0\n%s", run.exit, run.log)
		}
		want := readGolden(t, filepath.Join(a.root, "fixtures", "seed-s3admin", "want", "findings.json"))
		checkSummary(t, run.summary(t), want, "medium", 0)
	})
}

// TestReadmeShowsTestedWorkflows keeps the README's examples identical to the workflows that
// TestReadmeWorkflows runs.
func TestReadmeShowsTestedWorkflows(t *testing.T) {
	root := moduleRoot(t)
	readme := readFile(t, filepath.Join(root, "README.md"))
	for _, name := range []string{"readme-code-scanning.yml", "readme-fail-only.yml"} {
		wf := readFile(t, filepath.Join(root, "testdata", "workflows", name))
		if !strings.Contains(readme, "```yaml\n"+wf+"```\n") {
			t.Errorf("README.md has no ```yaml block equal to testdata/workflows/%s:\n%s", name, wf)
		}
	}
}

// TestActionPassesInputsThroughEnv checks action.yml's text: inputs reach run: scripts only
// through env:, and the setup step is pinned by commit SHA.
func TestActionPassesInputsThroughEnv(t *testing.T) {
	action := readFile(t, filepath.Join(moduleRoot(t), "action.yml"))
	inRun, indent := false, 0
	for i, line := range strings.Split(action, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		depth := len(line) - len(trimmed)
		if inRun && trimmed != "" && depth <= indent {
			inRun = false
		}
		if strings.HasPrefix(trimmed, "run:") {
			inRun, indent = true, depth
		}
		if inRun && strings.Contains(line, "${{") {
			t.Errorf("action.yml:%d: expression inside a run: script: %s", i+1, strings.TrimSpace(line))
		}
	}
	if setupGoPin.FindStringSubmatch(action) == nil {
		t.Errorf("action.yml does not pin actions/setup-go by a full commit SHA")
	}
}

var setupGoPin = regexp.MustCompile(`uses: actions/setup-go@([0-9a-f]{40})\b`)

// actRunner holds what every act run needs.
type actRunner struct {
	act     string
	root    string   // the module root: this repository's checkout
	setupGo string   // the commit SHA action.yml pins actions/setup-go to
	env     []string // the environment act runs with
}

func newActRunner(t *testing.T) *actRunner {
	t.Helper()
	act := findTool(t, "act", "ROLECALL_ACT")
	for _, name := range []string{"jq", "git"} {
		findTool(t, name, "")
	}
	root := moduleRoot(t)
	m := setupGoPin.FindStringSubmatch(readFile(t, filepath.Join(root, "action.yml")))
	if m == nil {
		t.Fatal("action.yml does not pin actions/setup-go by a full commit SHA")
	}
	return &actRunner{act: act, root: root, setupGo: m[1], env: hermeticEnv(t)}
}

// hermeticEnv is the test's environment for act: a throwaway HOME (no ~/.actrc, no git or act
// configuration), the host's Go caches (so a warm cache is reused), no module downloads, and
// nothing left over from a CI runner the test itself may run in.
func hermeticEnv(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "env", "-json", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	var goenv map[string]string
	if err := json.Unmarshal(out, &goenv); err != nil {
		t.Fatalf("go env: %v", err)
	}
	home := t.TempDir()
	set := map[string]string{
		"HOME":            home,
		"XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"XDG_CACHE_HOME":  filepath.Join(home, ".cache"),
		"XDG_DATA_HOME":   filepath.Join(home, ".local", "share"),
		"GOCACHE":         goenv["GOCACHE"],
		"GOMODCACHE":      goenv["GOMODCACHE"],
		"GOPATH":          goenv["GOPATH"],
		"GOPROXY":         "off",
		"GOSUMDB":         "off",
		"GOFLAGS":         "-mod=readonly",
		"GOTOOLCHAIN":     "local",
		"GOWORK":          "off",
		"NO_COLOR":        "1",
		// git commits in the throwaway user repositories
		"GIT_AUTHOR_NAME":     "actiontest",
		"GIT_AUTHOR_EMAIL":    "actiontest@example.com",
		"GIT_COMMITTER_NAME":  "actiontest",
		"GIT_COMMITTER_EMAIL": "actiontest@example.com",
		"GIT_CONFIG_NOSYSTEM": "1",
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; ok || strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "RUNNER_") ||
			strings.HasPrefix(k, "ACT") || strings.HasPrefix(k, "INPUT_") || strings.HasPrefix(k, "ROLECALL_") {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

type actRun struct {
	exit      int
	log       string   // act's log as text
	summaries []string // what the steps of composite actions wrote to GITHUB_STEP_SUMMARY
	results   string   // the folder the workflow's last step (or a stand-in action) copies results to
}

// run runs act for one workflow event in dir, on the host.
func (a *actRunner) run(t *testing.T, dir, event, workflow string) actRun {
	t.Helper()
	tmp := t.TempDir()
	results := filepath.Join(tmp, "results")
	if err := os.Mkdir(results, 0o755); err != nil {
		t.Fatal(err)
	}
	fakes := filepath.Join(a.root, "internal", "actiontest", "testdata")
	args := []string{event,
		"--json", // one JSON object per log line: step summaries come as {"command":"summary"}
		"-W", workflow,
		"-P", "ubuntu-latest=-self-hosted",
		"--action-cache-path", filepath.Join(tmp, "act-cache"),
		"--cache-server-path", filepath.Join(tmp, "cache-server"),
		"--no-cache-server",
		"--env", "ACTIONTEST_RESULTS=" + results,
		"--local-repository", "actions/setup-go@" + a.setupGo + "=" + filepath.Join(fakes, "fake-setup-go"),
		"--local-repository", "github/codeql-action@v4=" + filepath.Join(fakes, "fake-codeql-action"),
		"--local-repository", "rolecall/rolecall@main=" + a.root,
	}
	ctx, cancel := context.WithTimeout(t.Context(), actTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.act, args...)
	cmd.Dir = dir
	cmd.Env = a.env
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	r := parseActLog(out.Bytes())
	r.results = results
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return r
	case ctx.Err() != nil:
		t.Fatalf("act did not finish within %s:\n%s", actTimeout, r.log)
	case errors.As(err, &exitErr):
		r.exit = exitErr.ExitCode()
		return r
	}
	t.Fatalf("act: %v\n%s", err, r.log)
	return actRun{}
}

// parseActLog reads act's --json log: the text of every line, and the step summaries written by
// the steps of composite actions (stepID [outer, inner]; act repeats a summary for the outer
// step only when the action succeeded).
func parseActLog(b []byte) actRun {
	var r actRun
	var text strings.Builder
	for line := range strings.Lines(string(b)) {
		var entry struct {
			Msg     string   `json:"msg"`
			Command string   `json:"command"`
			Content string   `json:"content"`
			StepID  []string `json:"stepID"`
		}
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			text.WriteString(line)
			continue
		}
		text.WriteString(strings.TrimSuffix(entry.Msg, "\n") + "\n")
		if entry.Command == "summary" && len(entry.StepID) == 2 {
			r.summaries = append(r.summaries, entry.Content)
		}
	}
	r.log = text.String()
	return r
}

// summary is the one step summary of the job: the one rolecall's Scan step wrote.
func (r actRun) summary(t *testing.T) string {
	t.Helper()
	if len(r.summaries) != 1 {
		t.Fatalf("the job wrote %d step summaries, want 1:\n%s", len(r.summaries), r.log)
	}
	return r.summaries[0]
}

// file returns a file the run left in its results folder.
func (r actRun) file(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.results, name))
	if err != nil {
		t.Fatalf("the workflow left no %s: %v\n%s", name, err, r.log)
	}
	return b
}

// outputs parses the key=value lines the workflow recorded from the action's outputs.
func (r actRun) outputs(t *testing.T) map[string]string {
	t.Helper()
	got := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(r.file(t, "outputs.txt")))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			got[k] = v
		}
	}
	return got
}

// userRepo makes a throwaway git repository holding the given fixture folders (repo path →
// path under fixtures/) and the workflow as .github/workflows/rolecall.yml.
func (a *actRunner) userRepo(t *testing.T, layout map[string]string, workflow string) string {
	t.Helper()
	repo := t.TempDir()
	for dst, src := range layout {
		copyDir(t, filepath.Join(a.root, "fixtures", src), filepath.Join(repo, dst))
	}
	wf := filepath.Join(repo, ".github", "workflows", "rolecall.yml")
	if err := os.MkdirAll(filepath.Dir(wf), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wf, []byte(workflow), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "user repository"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = repo, a.env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return repo
}

// goldenJSON is the part of a `rolecall scan --format json` report the tests read.
type goldenJSON struct {
	Findings []struct {
		RuleID   string `json:"rule_id"`
		Severity string `json:"severity"`
	} `json:"findings"`
	Diagnostics []struct {
		Path    string `json:"path"`
		Line    int    `json:"line"`
		Column  int    `json:"column"`
		Message string `json:"message"`
	} `json:"diagnostics"`
	Summary map[string]int `json:"summary"`
}

func readGolden(t *testing.T, path string) goldenJSON {
	t.Helper()
	var g goldenJSON
	if err := json.Unmarshal([]byte(readFile(t, path)), &g); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return g
}

func goldenRuleIDs(g goldenJSON) []string {
	ids := []string{}
	for _, f := range g.Findings {
		ids = append(ids, f.RuleID)
	}
	slices.Sort(ids)
	return ids
}

type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Results []struct {
			RuleID string `json:"ruleId"`
		} `json:"results"`
	} `json:"runs"`
}

func sarifRuleIDs(s sarifLog) []string {
	ids := []string{}
	for _, r := range s.Runs {
		for _, res := range r.Results {
			ids = append(ids, res.RuleID)
		}
	}
	slices.Sort(ids)
	return ids
}

// checkSARIF compares the action's SARIF with the fixture's reviewed golden, but for the tool
// version (the action stamps the build's git version; the golden says dev).
func checkSARIF(t *testing.T, got []byte, goldenPath string) {
	t.Helper()
	norm := func(b []byte, what string) any {
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s is not JSON: %v", what, err)
		}
		runs, _ := doc["runs"].([]any)
		for _, r := range runs {
			if tool, ok := r.(map[string]any)["tool"].(map[string]any); ok {
				if driver, ok := tool["driver"].(map[string]any); ok {
					driver["version"] = "VERSION"
				}
			}
		}
		return doc
	}
	want := norm([]byte(readFile(t, goldenPath)), goldenPath)
	if diff := cmp.Diff(want, norm(got, "the action's SARIF")); diff != "" {
		t.Errorf("the action's SARIF differs from %s (-want +got):\n%s", goldenPath, diff)
	}
}

// checkSummary checks the step summary against the fixture's golden JSON report: the verdict
// line, the count per severity and one table row per finding.
func checkSummary(t *testing.T, summary string, want goldenJSON, failOn string, exitCode int) {
	t.Helper()
	if !hasLine(summary, "## rolecall") {
		t.Errorf("step summary has no heading:\n%s", summary)
	}
	var counts []string
	for _, sev := range []string{"critical", "high", "medium", "low", "info"} {
		if n := want.Summary[sev]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, sev))
			if !hasLine(summary, fmt.Sprintf("| %s | %d |", sev, n)) {
				t.Errorf("step summary lacks the count of %s findings:\n%s", sev, summary)
			}
		}
	}
	n := len(want.Findings)
	var verdict string
	switch {
	case exitCode == 2:
		verdict = ":warning: **The scan reported errors** (exit code 2): some inputs could not be read or the options were wrong; see the log of the Scan step."
	case n == 0:
		verdict = fmt.Sprintf(":white_check_mark: **No findings** in %s, %s, %s.",
			plural(want.Summary["files"], "file"), plural(want.Summary["roles"], "role"),
			plural(want.Summary["service_accounts"], "service account"))
	case exitCode == 1:
		verdict = fmt.Sprintf(":x: **%s** (%s): failing on `%s` or above.", plural(n, "finding"), strings.Join(counts, ", "), failOn)
	default:
		verdict = fmt.Sprintf(":white_check_mark: **%s** (%s), none at or above `%s`.", plural(n, "finding"), strings.Join(counts, ", "), failOn)
	}
	if !hasLine(summary, verdict) {
		t.Errorf("step summary lacks the verdict %q:\n%s", verdict, summary)
	}
	var rows []string
	for _, line := range strings.Split(summary, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Contains(line, " | RC") {
			rows = append(rows, line)
		}
	}
	if len(rows) != n {
		t.Errorf("step summary lists %d findings, want %d:\n%s", len(rows), n, summary)
	}
	for i, f := range want.Findings {
		if i < len(rows) && !strings.HasPrefix(rows[i], "| "+f.Severity+" | "+f.RuleID+" ") {
			t.Errorf("step summary row %d = %q, want severity %s and rule %s", i+1, rows[i], f.Severity, f.RuleID)
		}
	}
	for _, d := range want.Diagnostics {
		prefix := fmt.Sprintf("- error `%s:%d:%d`: %s", d.Path, d.Line, d.Column, d.Message)
		if !hasLine(summary, prefix) {
			t.Errorf("step summary lacks the input error %q:\n%s", prefix, summary)
		}
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func hasLine(text, line string) bool {
	return slices.Contains(strings.Split(text, "\n"), line)
}

// findTool finds an external program: the env var (when named) first, then PATH, then (for act)
// $(go env GOPATH)/bin. Missing, it skips the test — or fails it under ROLECALL_REQUIRE_TOOLS=1.
func findTool(t *testing.T, name, envVar string) string {
	t.Helper()
	if envVar != "" {
		if p := os.Getenv(envVar); p != "" {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if name == "act" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
				p := filepath.Join(dir, "bin", "act")
				if _, err := os.Stat(p); err == nil {
					return p
				}
			}
		}
	}
	msg := fmt.Sprintf("%s not found (install: see .ci/run", name)
	if envVar != "" {
		msg += "; or set " + envVar
	}
	msg += ")"
	if os.Getenv("ROLECALL_REQUIRE_TOOLS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
