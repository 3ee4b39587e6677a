package analyzer

import (
	"context"
	"fmt"
	"os"

	"github.com/rolecall/rolecall/analyzer/policy"
	"github.com/rolecall/rolecall/rules"
)

// NewEngineDirs compiles the built-in rules and the user rule directories (--policy DIR).
// Each directory's files are named by the directory as given (examples/policy/x.rego:3: …),
// so a mistake in a user rule points at the user's file.
func NewEngineDirs(ctx context.Context, dirs []string) (*policy.Engine, error) {
	opts := make([]policy.Option, 0, len(dirs))
	for _, dir := range dirs {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("--policy %s: not a directory", dir)
		}
		opts = append(opts, policy.WithNamedUserRules(dir, os.DirFS(dir)))
	}
	return policy.New(ctx, rules.FS, opts...)
}
