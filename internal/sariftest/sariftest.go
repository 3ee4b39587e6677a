// Package sariftest validates SARIF files in tests with Microsoft's SARIF multitool
// (npm @microsoft/sarif-multitool), including GitHub code scanning's ingestion rules:
//
//	Sarif.Multitool validate FILE... --rule-kind "Sarif;Gh" -o OUT --log ForceOverwrite -q
//
// The multitool exits 0 even when a file has errors, so Validate reads the multitool's own SARIF
// log and returns its results per input file; callers fail on Errors and print the rest.
//
// The self-contained binary is found, in order, at $ROLECALL_SARIF_MULTITOOL, as Sarif.Multitool
// on PATH, or under the user cache directory, where .ci/run installs the npm package:
//
//	${XDG_CACHE_HOME:-~/.cache}/rolecall-tools/sarif-multitool/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
//
// The npm wrapper script (`npx sarif`) is not used: it runs through a shell that splits
// "Sarif;Gh" at the ';'.
package sariftest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Version is the multitool release .ci/run installs and the tests are written against.
const Version = "5.7.0"

// EnvTool names the binary explicitly; EnvRequire=1 turns a missing tool into a test failure.
const (
	EnvTool    = "ROLECALL_SARIF_MULTITOOL"
	EnvRequire = "ROLECALL_REQUIRE_TOOLS"
)

// binaryName is the self-contained executable inside the npm platform package.
const binaryName = "Sarif.Multitool"

// InstallDir is where .ci/run installs the npm package (node_modules lives below it).
func InstallDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "rolecall-tools", "sarif-multitool"), nil
}

// Find returns the multitool binary. When it is missing the test is skipped, or fails when
// ROLECALL_REQUIRE_TOOLS=1 (CI). A ROLECALL_SARIF_MULTITOOL naming no file always fails.
func Find(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(EnvTool); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s: %v", EnvTool, err)
		}
		return p
	}
	if p, err := exec.LookPath(binaryName); err == nil {
		return p
	}
	dir, err := InstallDir()
	if err != nil {
		dir = "DIR"
	}
	p := filepath.Join(dir, "node_modules", "@microsoft", "sarif-multitool-"+platform(), binaryName)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	msg := fmt.Sprintf("SARIF multitool not found at %s nor on PATH (or set %s to the %s binary); install it with "+
		"`npm install --prefix %s --no-audit --no-fund @microsoft/sarif-multitool@%s`",
		p, EnvTool, binaryName, dir, Version)
	if os.Getenv(EnvRequire) == "1" {
		t.Fatal(msg + " (" + EnvRequire + "=1 requires it)")
	}
	t.Skip(msg)
	return ""
}

// platform is the suffix of the npm package that holds this platform's binary.
func platform() string {
	switch runtime.GOOS {
	case "darwin":
		return "darwin"
	case "windows":
		return "win32"
	}
	return "linux"
}

// Result is one problem the multitool reports.
type Result struct {
	RuleID  string // e.g. GH1013, SARIF2004, JSON0001
	Level   string // error, warning or note (the rule's default when the result names none)
	Message string
	Region  string // line:column in the validated file, when known
}

func (r Result) String() string {
	if r.Region != "" {
		return fmt.Sprintf("%s %s at %s: %s", r.Level, r.RuleID, r.Region, r.Message)
	}
	return fmt.Sprintf("%s %s: %s", r.Level, r.RuleID, r.Message)
}

// Errors returns the results at level error.
func Errors(rs []Result) []Result {
	var out []Result
	for _, r := range rs {
		if r.Level == "error" {
			out = append(out, r)
		}
	}
	return out
}

// Validate runs the multitool once over files with the SARIF and GitHub rule kinds and returns
// each file's results, keyed by the path as given (a clean file maps to nil). It fails the test
// when the multitool cannot run, its log says the analysis did not complete, or it reports a
// result for a file it was not given.
func Validate(ctx context.Context, t testing.TB, tool string, files ...string) map[string][]Result {
	t.Helper()
	if len(files) == 0 {
		t.Fatal("sariftest.Validate: no files")
	}
	byPath := make(map[string]string, len(files))
	args := []string{"validate"}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		byPath[filepath.ToSlash(abs)] = f
		args = append(args, abs)
	}
	out := filepath.Join(t.TempDir(), "validation.sarif")
	args = append(args, "--rule-kind", "Sarif;Gh", "-o", out, "--log", "ForceOverwrite", "-q")

	cmd := exec.CommandContext(ctx, tool, args...)
	var console bytes.Buffer
	cmd.Stdout, cmd.Stderr = &console, &console
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, console.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("the multitool wrote no log (%v); its output:\n%s", err, console.String())
	}
	got, err := parse(data, byPath)
	if err != nil {
		t.Fatalf("multitool log %s: %v\nits output:\n%s", out, err, console.String())
	}
	return got
}

// mtLog is the part of the multitool's own SARIF log that Validate reads.
type mtLog struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID             string `json:"id"`
					MessageStrings map[string]struct {
						Text string `json:"text"`
					} `json:"messageStrings"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			ExecutionSuccessful        bool           `json:"executionSuccessful"`
			ToolExecutionNotifications []notification `json:"toolExecutionNotifications"`
			ToolConfigNotifications    []notification `json:"toolConfigurationNotifications"`
		} `json:"invocations"`
		Results []struct {
			RuleID  string `json:"ruleId"`
			Level   string `json:"level"`
			Message struct {
				Text      string   `json:"text"`
				ID        string   `json:"id"`
				Arguments []string `json:"arguments"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

type notification struct {
	Level   string `json:"level"`
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
}

// parse reads the multitool's log; byPath maps each validated file's absolute, slash-separated
// path to the path the caller gave.
func parse(data []byte, byPath map[string]string) (map[string][]Result, error) {
	var l mtLog
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, err
	}
	if len(l.Runs) != 1 {
		return nil, fmt.Errorf("%d runs, want 1", len(l.Runs))
	}
	run := l.Runs[0]
	var errs []error
	if len(run.Invocations) == 0 {
		errs = append(errs, errors.New("the log has no invocation"))
	}
	for _, inv := range run.Invocations {
		if !inv.ExecutionSuccessful {
			errs = append(errs, errors.New("the multitool reports an unsuccessful execution"))
		}
		for _, n := range slices.Concat(inv.ToolExecutionNotifications, inv.ToolConfigNotifications) {
			if n.Level == "error" {
				errs = append(errs, fmt.Errorf("multitool notification: %s", n.Message.Text))
			}
		}
	}
	rules := make(map[string]int)
	for i, r := range run.Tool.Driver.Rules {
		rules[r.ID] = i
	}
	got := make(map[string][]Result, len(byPath))
	for _, f := range byPath {
		got[f] = nil
	}
	for _, r := range run.Results {
		var defaultLevel, format string
		if i, ok := rules[r.RuleID]; ok {
			rule := run.Tool.Driver.Rules[i]
			defaultLevel = rule.DefaultConfiguration.Level
			format = rule.MessageStrings[r.Message.ID].Text
		}
		// SARIF §3.27.10: a result without a level takes its rule's default, else "warning".
		res := Result{
			RuleID:  r.RuleID,
			Level:   cmpOr(r.Level, defaultLevel, "warning"),
			Message: cmpOr(r.Message.Text, formatMessage(format, r.Message.Arguments)),
		}
		file := ""
		if len(r.Locations) > 0 {
			pl := r.Locations[0].PhysicalLocation
			if u, err := url.Parse(pl.ArtifactLocation.URI); err == nil {
				file = byPath[u.Path]
			}
			if pl.Region.StartLine > 0 {
				res.Region = fmt.Sprintf("%d:%d", pl.Region.StartLine, pl.Region.StartColumn)
			}
		}
		if file == "" {
			errs = append(errs, fmt.Errorf("a result for no file given: %s", res))
			continue
		}
		got[file] = append(got[file], res)
	}
	return got, errors.Join(errs...)
}

// formatMessage fills a message string's {0}, {1}… placeholders; with no format it lists the arguments.
func formatMessage(format string, args []string) string {
	if format == "" {
		return strings.Join(args, "; ")
	}
	for i, a := range args {
		format = strings.ReplaceAll(format, "{"+strconv.Itoa(i)+"}", a)
	}
	return format
}

func cmpOr(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
