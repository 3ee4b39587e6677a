package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder captures failures instead of failing the enclosing test.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
	r.fatal = true
}

func TestCheck(t *testing.T) {
	if Updating() {
		t.Skip("meaningless under -update")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "x.golden")
	if err := os.WriteFile(path, []byte("line one\nline two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		path      string
		got       string
		wantError string // substring of the recorded failure; "" for none
	}{
		{"identical output passes", path, "line one\nline two\n", ""},
		{"changed line is reported with a diff", path, "line one\nline 2\n", `"line 2\n"`},
		{"missing trailing newline is a difference", path, "line one\nline two", "differs"},
		{"missing golden file fails and says how to create it", filepath.Join(dir, "none.golden"), "x", "-update"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			Check(r, tt.path, []byte(tt.got))
			if tt.wantError == "" {
				if len(r.errors) > 0 {
					t.Fatalf("unexpected failure: %s", r.errors)
				}
				return
			}
			if len(r.errors) == 0 || !strings.Contains(strings.Join(r.errors, "\n"), tt.wantError) {
				t.Fatalf("failure %q does not mention %q", r.errors, tt.wantError)
			}
		})
	}
}
