// Package golden compares test output with golden files and rewrites them under -update.
//
//	go test ./... -update
//
// Goldens are reviewed in the diff like code; never regenerate one to turn a red test green
// without reading what changed.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Updating reports whether the test binary runs with -update.
func Updating() bool { return *update }

// Check compares got with the contents of the golden file at path (relative to the test's
// package directory). With -update it writes got to path instead, creating directories as needed.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("golden: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden: %v (run `go test -update` to create it)", err)
	}
	if bytes.Equal(want, got) {
		return
	}
	t.Errorf("%s differs from the output (-want +got); review, then rerun with -update if intended:\n%s",
		path, cmp.Diff(lines(want), lines(got)))
}

// lines splits b after each newline so that the diff is per line and shows a missing final newline.
func lines(b []byte) []string { return strings.SplitAfter(string(b), "\n") }

// CheckSection compares the text between the begin and end markers of the file at path with
// want; with -update it rewrites that section. The README's generated and tested examples use it.
func CheckSection(t testing.TB, path, begin, end, want string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden: %v", err)
	}
	before, rest, ok := strings.Cut(string(data), begin)
	_, after, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("golden: %s lacks the %q … %q markers", path, strings.TrimSpace(begin), end)
	}
	updated := before + begin + want + end + after
	if *update {
		if err := os.WriteFile(path, []byte(updated), 0o644); err != nil {
			t.Fatalf("golden: %v", err)
		}
		return
	}
	if updated != string(data) {
		t.Errorf("%s: the section %s is out of date (-want +got); review, then rerun with -update if intended:\n%s",
			path, strings.TrimSpace(begin), cmp.Diff(lines([]byte(updated)), lines(data)))
	}
}
