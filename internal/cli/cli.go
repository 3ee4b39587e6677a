// Package cli is the rolecall command line: commands, flags, and the mapping of outcomes to
// exit codes. main only calls Run.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// Exit codes (cli.md).
const (
	ExitOK       = 0 // nothing at or above --fail-on
	ExitFindings = 1 // findings at or above --fail-on
	ExitError    = 2 // usage error, input error, or internal error
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error // printed to stderr when set
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageError(err error) error { return &exitError{code: ExitError, err: err} }

// Run runs the command line args (args[0] is the program name) and returns the exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	if len(args) > 1 && !strings.HasPrefix(args[1], "-") && app.Command(args[1]) == nil {
		return exitCode(stderr, usageError(fmt.Errorf("unknown command %q (want one of %s)", args[1], strings.Join(commandNames(app), ", "))))
	}
	if len(args) > 2 {
		if cmd := app.Command(args[1]); cmd != nil {
			rest, err := reorderArgs(args[2:], cmd.Flags)
			if err != nil {
				return exitCode(stderr, err)
			}
			args = append(slices.Clone(args[:2]), rest...)
		}
	}
	return exitCode(stderr, app.RunContext(ctx, args))
}

func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "rolecall: %v\n", ee.err)
		}
		return ee.code
	}
	// urfave/cli's own parse errors (bad flag value, unknown command) are usage errors.
	fmt.Fprintf(stderr, "rolecall: %v\n", err)
	return ExitError
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *ucli.App {
	app := &ucli.App{
		Name:  "rolecall",
		Usage: "who can assume which IAM role, and what do they become inside an EKS cluster?",
		Description: "rolecall reads IAM trust policies, AWS CLI output, EKS data, Kubernetes manifests and the aws-auth\n" +
			"ConfigMap, evaluates them with exact IAM semantics, reports findings as text, JSON or SARIF, and answers\n" +
			"who can assume which role and what they become in each cluster (can-assume, who-can, what-can, graph).",
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: true,
		// Commands return errors; Run maps them to exit codes. urfave/cli must not exit itself.
		ExitErrHandler: func(*ucli.Context, error) {},
		OnUsageError: func(_ *ucli.Context, err error, _ bool) error {
			return usageError(err)
		},
		Commands: []*ucli.Command{scanCommand(), canAssumeCommand(), whoCanCommand(), whatCanCommand(), graphCommand(), collectCommand(), diffCommand(), rulesCommand(), testCommand(), versionCommand()},
	}
	return app
}

func commandNames(app *ucli.App) []string {
	var out []string
	for _, c := range app.Commands {
		out = append(out, c.Name)
	}
	return out
}
