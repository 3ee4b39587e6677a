package terraform

import (
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
)

// File is one .tf file to read.
type File struct {
	Name string // as reported (relative as the user typed it, forward slashes)
	Path string // on disk
}

// Options configure LoadConfig.
type Options struct {
	// Vars are -var values, "NAME=VALUE" (VALUE parsed as Terraform does for the variable's type).
	Vars []string
	// VarFiles are .tfvars (or .tfvars.json) files given on the command line.
	VarFiles []string
	// OnRead, when set, receives every file read (the .tf files of each module, var files) under
	// its reported name, for inline suppression comments.
	OnRead func(name string, data []byte)
}

// LoadConfig evaluates the Terraform root modules the files belong to (every .tf file of
// their folders; local modules they call are followed, registry modules are not fetched) and
// adds the resources rolecall understands to inv.
func LoadConfig(files []File, opts Options, inv *inventory.Inventory) []result.Diagnostic {
	return loadConfig(files, opts, inv)
}
