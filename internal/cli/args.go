package cli

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// reorderArgs moves a command's flags (with their values) ahead of its positional arguments,
// because urfave/cli v2 stops parsing flags at the first positional (urfave/cli #976, #1177,
// #1733) and cli.md promises flags in any order. args are the command's arguments (after the
// command name). "--" ends flags; a lone "-" is a positional (stdin). An unknown flag is a
// usage error naming it.
func reorderArgs(args []string, flags []ucli.Flag) ([]string, error) {
	// urfave/cli adds --help/-h to every command.
	takesValue := map[string]bool{"help": false, "h": false}
	for _, f := range flags {
		_, isBool := f.(*ucli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	var flagArgs, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if a == "-" || !strings.HasPrefix(a, "-") {
			positional = append(positional, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		value, known := takesValue[name]
		if !known {
			return nil, usageError(fmt.Errorf("unknown flag %s", a))
		}
		if name == "help" || name == "h" {
			// Help ignores the rest; positionals would be taken for a help topic.
			return []string{"--help"}, nil
		}
		flagArgs = append(flagArgs, a)
		if value && !hasValue {
			if i+1 >= len(args) {
				return nil, usageError(fmt.Errorf("flag %s needs a value", a))
			}
			i++
			flagArgs = append(flagArgs, args[i])
		}
	}
	out := append(flagArgs, "--")
	return append(out, positional...), nil
}
