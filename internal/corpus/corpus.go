// Package corpus locates, for tests, the module root and the shared real-world input corpus
// beside it at ../shared/corpus/realworld.
package corpus

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// ModuleRoot returns the directory holding go.mod above the test's directory.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("corpus: working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("corpus: no go.mod above the test's directory; cannot locate the module root")
		}
		dir = parent
	}
}

// Dir returns the real-world corpus folder: ../shared/corpus/realworld beside the module root,
// else $ROLECALL_CORPUS, else /work/shared/corpus/realworld (a checkout elsewhere on a machine
// of this workplace). It fails the test clearly when none exists: corpus tests never skip.
func Dir(t testing.TB) string {
	t.Helper()
	candidates := []string{filepath.Join(ModuleRoot(t), "..", "shared", "corpus", "realworld")}
	if env := os.Getenv("ROLECALL_CORPUS"); env != "" {
		candidates = append(candidates, env)
	}
	candidates = append(candidates, "/work/shared/corpus/realworld")
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
	}
	t.Fatalf("corpus: real-world corpus not found at any of %v (set ROLECALL_CORPUS)", candidates)
	return ""
}

// File returns the path of a corpus file given relative to the corpus folder.
func File(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join(Dir(t), filepath.FromSlash(rel))
}

// Files lists every regular file under the corpus with one of exts (all files when empty),
// relative to the corpus folder with forward slashes, sorted.
func Files(t testing.TB, exts ...string) []string {
	t.Helper()
	root := Dir(t)
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if len(exts) > 0 {
			ok := false
			for _, e := range exts {
				ok = ok || filepath.Ext(p) == e
			}
			if !ok {
				return nil
			}
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatalf("corpus: walk %s: %v", root, err)
	}
	sort.Strings(out)
	return out
}
