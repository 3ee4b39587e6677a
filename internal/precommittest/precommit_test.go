package precommittest

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/rolecall/rolecall/internal/corpus"
	"github.com/rolecall/rolecall/internal/golden"
)

// Environment variables: envTool names the pre-commit executable; envRequire=1 (CI) turns a
// missing tool into a failure instead of a skip.
const (
	envTool    = "ROLECALL_PRE_COMMIT"
	envRequire = "ROLECALL_REQUIRE_TOOLS"
)

// The hooks' display names, as pre-commit prints them in its status lines.
const (
	nameFiles = "rolecall"
	nameRepo  = "rolecall (whole repository)"
)

// configExample is the README's copy-paste .pre-commit-config.yaml; upstreamRepo and
// exampleRev are the two values the tests replace with the local snapshot and its commit.
const (
	configExample = "testdata/pre-commit-config.yaml"
	upstreamRepo  = "https://github.com/rolecall/rolecall"
	exampleRev    = "rev: v0.1.0"
)

// tools returns the pre-commit executable, after checking that git and go are there too (the
// golang hook language builds with the go on PATH). A missing tool skips the test, or fails
// it under ROLECALL_REQUIRE_TOOLS=1.
func tools(t *testing.T) string {
	t.Helper()
	preCommit := os.Getenv(envTool)
	if preCommit != "" {
		if _, err := os.Stat(preCommit); err != nil {
			t.Fatalf("%s: %v", envTool, err)
		}
	} else if p, err := exec.LookPath("pre-commit"); err == nil {
		preCommit = p
	} else {
		missing(t, "pre-commit not found on PATH (or set "+envTool+" to it); install it with "+
			"`apt-get install -y --no-install-recommends pre-commit`")
	}
	for _, tool := range []string{"git", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing(t, tool+" not found on PATH: pre-commit needs it to clone and build the hooks")
		}
	}
	return preCommit
}

func missing(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv(envRequire) == "1" {
		t.Fatal(msg + " (" + envRequire + "=1 requires it)")
	}
	t.Skip(msg)
}

// environ is the environment of every git and pre-commit command: the test's own, without
// anything that would point git at another repository (GIT_DIR from an outer hook, …), a
// user's git configuration, or an outer pre-commit's settings (SKIP, PRE_COMMIT_HOME, …).
func environ(t *testing.T, home string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GIT_") || strings.HasPrefix(k, "PRE_COMMIT") || k == "SKIP" {
			continue
		}
		env = append(env, kv)
	}
	gitconfig := filepath.Join(t.TempDir(), "gitconfig")
	if err := os.WriteFile(gitconfig, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env = append(env,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+gitconfig,
		"GIT_AUTHOR_NAME=rolecall test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=rolecall test", "GIT_COMMITTER_EMAIL=test@example.com",
		"PRE_COMMIT_HOME="+home, "PRE_COMMIT_COLOR=never",
	)
	// pre-commit builds golang hooks with GOPATH set to the hook's own environment, which
	// moves the module cache there too and downloads every dependency again (about two
	// minutes). Reuse this machine's module cache: same build, no download. And every
	// install builds from a new clone in pre-commit's store: -trimpath keeps the build cache
	// valid across those paths, so this module's packages are not compiled again each time.
	goenv, err := exec.Command("go", "env", "GOMODCACHE", "GOFLAGS").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	modcache, goflags, _ := strings.Cut(strings.TrimSpace(string(goenv)), "\n")
	env = append(env, "GOMODCACHE="+modcache, "GOFLAGS="+strings.TrimSpace(goflags+" -trimpath"))
	return env
}

// run runs a command in dir and returns its combined output and exit code; failing to start
// it fails the test.
func run(t *testing.T, dir string, env []string, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	}
	t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	return "", -1
}

// git runs git in dir and fails the test unless it succeeds.
func git(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	out, code := run(t, dir, env, "git", args...)
	if code != 0 {
		t.Fatalf("git %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return strings.TrimSpace(out)
}

// hookRepo snapshots this module's working tree — tracked files as they are on disk plus
// untracked files git does not ignore — into a new git repository with one commit, and
// returns its path and that commit. pre-commit installs hooks from committed files only, and
// try-repo's own shadow copy leaves untracked files out; the snapshot tests exactly what a
// commit of the working tree would publish (in CI, HEAD) without touching the module's .git.
func hookRepo(t *testing.T, env []string) (dir, rev string) {
	t.Helper()
	root := corpus.ModuleRoot(t)
	dir = filepath.Join(t.TempDir(), "rolecall")
	list := git(t, root, env, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	for _, name := range strings.Split(list, "\x00") {
		// Empty: the list's end. A trailing slash: a nested repository, listed as a folder.
		if name == "" || strings.HasSuffix(name, "/") {
			continue
		}
		copyFile(t, filepath.Join(root, name), filepath.Join(dir, name))
	}
	if _, err := os.Stat(filepath.Join(dir, ".pre-commit-hooks.yaml")); err != nil {
		t.Fatalf("snapshot of %s: %v", root, err)
	}
	git(t, dir, env, "init", "-q")
	git(t, dir, env, "add", "-A")
	git(t, dir, env, "commit", "-q", "--no-verify", "-m", "snapshot")
	return dir, git(t, dir, env, "rev-parse", "HEAD")
}

// copyFile copies one file (a symbolic link as a link); a tracked file deleted from the
// working tree is left out, as a commit of the working tree would.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	fi, err := os.Lstat(src)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err == nil {
			err = os.Symlink(target, dst)
		}
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// newRepo makes an empty throwaway git repository (the user's project).
func newRepo(t *testing.T, env []string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "project")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, dir, env, "init", "-q")
	return dir
}

// place copies testdata files into repo at the same relative paths and stages them.
func place(t *testing.T, repo string, env []string, names ...string) {
	t.Helper()
	for _, name := range names {
		copyFile(t, filepath.Join("testdata", name), filepath.Join(repo, name))
	}
	git(t, repo, env, append([]string{"add", "--"}, names...)...)
}

// status returns a hook's result from pre-commit's output: "Passed", "Failed", "Skipped"
// (no files to check) or "" when the hook did not report.
func status(out, name string) string {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\.+(\(no files to check\))?(Passed|Failed|Skipped)$`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		return ""
	}
	return m[2]
}

// check compares the exit code and the hooks' results, and looks for texts in the output.
func check(t *testing.T, out string, code, wantCode int, wantStatus map[string]string, wantText []string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("exit code %d, want %d", code, wantCode)
	}
	for name, want := range wantStatus {
		if got := status(out, name); got != want {
			t.Errorf("hook %q: %q, want %q", name, got, want)
		}
	}
	for _, s := range wantText {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q", s)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

// TestTryRepo runs each hook with `pre-commit try-repo` from a throwaway repository holding a
// staged bad and a staged good trust policy (or ServiceAccount), as a hook author checks a
// hook before publishing it. try-repo installs the hook afresh on every run (`go install`).
func TestTryRepo(t *testing.T) {
	preCommit := tools(t)
	env := environ(t, t.TempDir())
	hooks, rev := hookRepo(t, env)

	tests := []struct {
		name     string
		hook     string
		staged   []string // testdata files staged in the project
		files    []string // try-repo --files
		wantCode int
		want     map[string]string // hook name → result
		wantText []string
	}{
		{
			name:     "rolecall blocks a staged trust policy that admits any AWS principal",
			hook:     "rolecall",
			staged:   []string{"trust/public.json", "trust/ci-deploy.json"},
			files:    []string{"trust/public.json"},
			wantCode: 1,
			want:     map[string]string{nameFiles: "Failed"},
			wantText: []string{"- hook id: rolecall\n- exit code: 1", "RC001", "trust/public.json:7:16"},
		},
		{
			name:     "rolecall passes a staged trust policy that names one role",
			hook:     "rolecall",
			staged:   []string{"trust/public.json", "trust/ci-deploy.json"},
			files:    []string{"trust/ci-deploy.json"},
			wantCode: 0,
			want:     map[string]string{nameFiles: "Passed"},
		},
		{
			name:     "rolecall blocks a staged Terraform role whose jsonencode'd trust has no sub condition",
			hook:     "rolecall",
			staged:   []string{"terraform/reports.tf", "terraform-good/api.tf"},
			files:    []string{"terraform/reports.tf"},
			wantCode: 1,
			want:     map[string]string{nameFiles: "Failed"},
			wantText: []string{"RC101", "terraform/reports.tf:12:33"},
		},
		{
			name:     "rolecall passes a staged Terraform role that trusts one ServiceAccount",
			hook:     "rolecall",
			staged:   []string{"terraform/reports.tf", "terraform-good/api.tf"},
			files:    []string{"terraform-good/api.tf"},
			wantCode: 0,
			want:     map[string]string{nameFiles: "Passed"},
		},
		{
			name:     "rolecall-repo blocks on a bad trust policy anywhere in the repository when a good one changes",
			hook:     "rolecall-repo",
			staged:   []string{"trust/public.json", "trust/ci-deploy.json"},
			files:    []string{"trust/ci-deploy.json"},
			wantCode: 1,
			want:     map[string]string{nameRepo: "Failed"},
			wantText: []string{"- hook id: rolecall-repo\n- exit code: 1", "RC001", "trust/public.json:7:16"},
		},
		{
			name:     "rolecall-repo passes a repository of good files",
			hook:     "rolecall-repo",
			staged:   []string{"trust/ci-deploy.json", "aws/get-role-payments-api.json", "aws/describe-cluster-prod.json", "k8s/serviceaccount-api.yaml"},
			files:    []string{"k8s/serviceaccount-api.yaml"},
			wantCode: 0,
			want:     map[string]string{nameRepo: "Passed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project := newRepo(t, env)
			place(t, project, env, tt.staged...)
			args := append([]string{"try-repo", "--color", "never", "--ref", rev, hooks, tt.hook, "--files"}, tt.files...)
			start := time.Now()
			out, code := run(t, project, env, preCommit, args...)
			t.Logf("pre-commit try-repo %s (with go install): %s", tt.hook, time.Since(start).Round(100*time.Millisecond))
			check(t, out, code, tt.wantCode, tt.want, tt.wantText)
		})
	}
}

// TestConfigExample installs the README's .pre-commit-config.yaml (pointed at the local
// snapshot) as a git hook in a throwaway repository and commits through it: good files
// commit, a bad trust policy is refused, a ServiceAccount whose role does not trust it is
// refused by the whole-repository hook alone, and files the hooks do not read never run them.
func TestConfigExample(t *testing.T) {
	preCommit := tools(t)
	env := environ(t, t.TempDir())
	hooks, rev := hookRepo(t, env)
	project := newRepo(t, env)

	example, err := os.ReadFile(configExample)
	if err != nil {
		t.Fatal(err)
	}
	config := string(example)
	for _, r := range [][2]string{{upstreamRepo, hooks}, {exampleRev, "rev: " + rev}} {
		if n := strings.Count(config, r[0]); n != 1 {
			t.Fatalf("%s: %q occurs %d times, want once (the test points it at the local snapshot)", configExample, r[0], n)
		}
		config = strings.Replace(config, r[0], r[1], 1)
	}
	if err := os.WriteFile(filepath.Join(project, ".pre-commit-config.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, project, env, "add", ".pre-commit-config.yaml")
	if out, code := run(t, project, env, preCommit, "install"); code != 0 {
		t.Fatalf("pre-commit install: exit %d\n%s", code, out)
	}

	// commit stages the testdata files, commits, and on refusal unstages and removes them
	// again, checking that HEAD did not move.
	commit := func(t *testing.T, files ...string) (string, int) {
		t.Helper()
		place(t, project, env, files...)
		head, _ := run(t, project, env, "git", "rev-parse", "-q", "--verify", "HEAD")
		start := time.Now()
		out, code := run(t, project, env, "git", "commit", "-m", "change")
		t.Logf("git commit through the hooks: %s", time.Since(start).Round(100*time.Millisecond))
		if code != 0 {
			if after, _ := run(t, project, env, "git", "rev-parse", "-q", "--verify", "HEAD"); after != head {
				t.Errorf("refused commit moved HEAD from %q to %q", head, after)
			}
			git(t, project, env, append([]string{"rm", "-q", "-f", "--"}, files...)...)
		}
		return out, code
	}

	steps := []struct {
		name     string
		files    []string
		wantCode int
		want     map[string]string
		wantText []string
	}{
		{
			name:     "good trust policy, role and ServiceAccount commit (first run installs the hooks)",
			files:    []string{"trust/ci-deploy.json", "aws/get-role-payments-api.json", "aws/describe-cluster-prod.json", "k8s/serviceaccount-api.yaml"},
			wantCode: 0,
			want:     map[string]string{nameFiles: "Passed", nameRepo: "Passed"},
		},
		{
			name:     "trust policy that admits any AWS principal is refused",
			files:    []string{"trust/public.json"},
			wantCode: 1,
			want:     map[string]string{nameFiles: "Failed", nameRepo: "Failed"},
			wantText: []string{"RC001", "trust/public.json:7:16"},
		},
		{
			name:     "ServiceAccount whose committed role does not trust it is refused by the whole-repository hook alone",
			files:    []string{"k8s/serviceaccount-worker.yaml"},
			wantCode: 1,
			want:     map[string]string{nameFiles: "Passed", nameRepo: "Failed"},
			wantText: []string{"- hook id: rolecall-repo\n- exit code: 1", "RC301", "payments/worker", "k8s/serviceaccount-worker.yaml:8:5"},
		},
		{
			name:     "Helm template and Markdown commit without running rolecall",
			files:    []string{"chart/templates/serviceaccount.yaml", "chart/README.md"},
			wantCode: 0,
			want:     map[string]string{nameFiles: "Skipped", nameRepo: "Skipped"},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			out, code := commit(t, st.files...)
			check(t, out, code, st.wantCode, st.want, st.wantText)
		})
	}
}

// TestHookFilters keeps the two hooks' file selection identical, as .pre-commit-hooks.yaml
// promises, and checks the fields pre-commit and the README rely on.
func TestHookFilters(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpus.ModuleRoot(t), ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	type hook struct {
		ID            string   `json:"id"`
		Name          string   `json:"name"`
		Entry         string   `json:"entry"`
		Language      string   `json:"language"`
		LangVersion   string   `json:"language_version"`
		Files         string   `json:"files"`
		Exclude       string   `json:"exclude"`
		TypesOr       []string `json:"types_or"`
		PassFilenames *bool    `json:"pass_filenames"`
		AlwaysRun     bool     `json:"always_run"`
	}
	var hooks []hook
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatal(err)
	}
	byID := map[string]hook{}
	for _, h := range hooks {
		byID[h.ID] = h
	}
	files, repo := byID["rolecall"], byID["rolecall-repo"]
	if files.ID == "" || repo.ID == "" {
		t.Fatalf("want hooks rolecall and rolecall-repo, got %+v", hooks)
	}
	if files.Name != nameFiles || repo.Name != nameRepo {
		t.Errorf("names %q and %q, want %q and %q (the tests read pre-commit's status lines by name)", files.Name, repo.Name, nameFiles, nameRepo)
	}
	for _, h := range hooks {
		if h.Language != "golang" || h.LangVersion != "" {
			t.Errorf("%s: language %q, language_version %q; want golang without a version (a version makes pre-commit download Go)", h.ID, h.Language, h.LangVersion)
		}
	}
	if files.PassFilenames == nil || !*files.PassFilenames || repo.PassFilenames == nil || *repo.PassFilenames || repo.AlwaysRun {
		t.Errorf("rolecall must take the staged file names, rolecall-repo none and only when such a file changes: %+v, %+v", files, repo)
	}
	type selection struct {
		Files, Exclude string
		TypesOr        []string
	}
	if diff := cmp.Diff(selection{files.Files, files.Exclude, files.TypesOr}, selection{repo.Files, repo.Exclude, repo.TypesOr}); diff != "" {
		t.Errorf("rolecall and rolecall-repo select different files (-rolecall +rolecall-repo):\n%s", diff)
	}

	for _, typ := range []string{"json", "yaml", "terraform"} {
		if !slices.Contains(files.TypesOr, typ) {
			t.Errorf("types_or %v lacks %s: rolecall reads those files", files.TypesOr, typ)
		}
	}

	// The exclude pattern on paths pre-commit passes (relative, with /).
	exclude := regexp.MustCompile(files.Exclude)
	for path, excluded := range map[string]bool{
		"trust/public.json":                      false,
		"aws/iam/get-account-authorization.json": false,
		"clusters/prod/aws-auth.yaml":            false,
		"k8s/templates-not/sa.yaml":              false,
		"deploy/vendor-policies/trust.json":      false,
		"my-package.json":                        false,
		"charts/app/templates/sa.yaml":           true,
		"templates/sa.yaml":                      true,
		".github/workflows/ci.yml":               true,
		"k8s/.cache/sa.yaml":                     true,
		"web/node_modules/x/package.json":        true,
		"vendor/github.com/x/y/policy.json":      true,
		"package.json":                           true,
		"web/package-lock.json":                  true,
		"web/tsconfig.build.json":                true,
		"pnpm-lock.yaml":                         true,
	} {
		if got := exclude.MatchString(path); got != excluded {
			t.Errorf("exclude matches %s: %v, want %v", path, got, excluded)
		}
	}
}

// The README's pre-commit example sits between these markers, as a yaml code block.
const (
	readmeBegin = "<!-- pre-commit:begin -->\n"
	readmeEnd   = "<!-- pre-commit:end -->"
)

// TestREADMEConfigExample keeps the README's .pre-commit-config.yaml equal to the one
// TestConfigExample commits through; `go test -update` (make golden) rewrites the README's.
func TestREADMEConfigExample(t *testing.T) {
	example, err := os.ReadFile(configExample)
	if err != nil {
		t.Fatal(err)
	}
	golden.CheckSection(t, filepath.Join(corpus.ModuleRoot(t), "README.md"), readmeBegin, readmeEnd,
		"```yaml\n"+string(example)+"```\n")
}
