package analyzer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rolecall/rolecall/analyzer/policy"
	"github.com/rolecall/rolecall/rules"
)

// NewEngineDirs compiles the built-in rules (when a scan needs them) and the user rule
// directories (--policy DIR).
// Each directory's files are named by the directory as given (examples/policy/x.rego:3: …),
// so a mistake in a user rule points at the user's file. A folder named twice (by the
// configuration and by --policy, or in two spellings) is loaded once.
func NewEngineDirs(ctx context.Context, dirs []string) (*policy.Engine, error) {
	dirs = UniqueDirs(dirs)
	opts := make([]policy.Option, 0, len(dirs)+1)
	opts = append(opts, policy.CompileOnDemand())
	for _, dir := range dirs {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("--policy %s: not a directory", dir)
		}
		opts = append(opts, policy.WithNamedUserRules(dir, os.DirFS(dir)))
	}
	return policy.New(ctx, rules.FS, opts...)
}

// UniqueDirs drops the folders that name one already listed (compared as cleaned absolute
// paths), keeping the first spelling of each.
func UniqueDirs(dirs []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(dirs))
	for _, dir := range dirs {
		key := filepath.Clean(dir)
		if abs, err := filepath.Abs(dir); err == nil {
			key = abs
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, dir)
	}
	return out
}
