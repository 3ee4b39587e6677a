// Package precommittest tests the repository's pre-commit hooks (.pre-commit-hooks.yaml) with
// the real pre-commit: `pre-commit try-repo` and the README's .pre-commit-config.yaml, run in
// throwaway git repositories against a snapshot of this module. It has no non-test code.
package precommittest
