package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/result"
)

// writeTree writes files (slash-separated paths relative to a new temporary folder) and
// returns the folder.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// tfFiles lists the .tf files of dir's top folder as the loader gets them: named relative to dir.
func tfFiles(t testing.TB, dir string, names ...string) []File {
	t.Helper()
	if len(names) == 0 {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".tf") {
				names = append(names, e.Name())
			}
		}
	}
	var out []File
	for _, n := range names {
		out = append(out, File{Name: n, Path: filepath.Join(dir, filepath.FromSlash(n))})
	}
	return out
}

// evalTree evaluates the configuration files in a temporary folder. Var files in opts are
// taken relative to that folder.
func evalTree(t testing.TB, files map[string]string, opts Options) ([]Resource, []result.Diagnostic) {
	t.Helper()
	dir := writeTree(t, files)
	for i, vf := range opts.VarFiles {
		opts.VarFiles[i] = filepath.Join(dir, vf)
	}
	rs, _, diags := evaluateAll(tfFiles(t, dir), opts)
	return rs, diags
}

// evaluateAll is evaluate with every resource (not only the relevant types) in address order.
func evaluateAll(files []File, opts Options) ([]Resource, []string, []result.Diagnostic) {
	l := newLoader(opts)
	l.all = true
	out, read, diags := l.run(files)
	sortResources(out)
	return out, read, diags
}

func find(t testing.TB, rs []Resource, addr string) Resource {
	t.Helper()
	for _, r := range rs {
		if r.Address == addr {
			return r
		}
	}
	var have []string
	for _, r := range rs {
		have = append(have, r.Address)
	}
	t.Fatalf("no resource %s; have %v", addr, have)
	return Resource{}
}

// get follows a path of keys (mapping keys, or [i] for sequence items) from n.
func get(t testing.TB, n *yaml.Node, path string) *yaml.Node {
	t.Helper()
	for _, p := range splitPath(path) {
		if strings.HasPrefix(p, "[") {
			var i int
			fmt.Sscanf(p, "[%d]", &i)
			items := docnode.Items(n)
			if i >= len(items) {
				t.Fatalf("%s: no item %d in\n%s", path, i, dump(n))
			}
			n = items[i]
			continue
		}
		v := docnode.Get(n, p)
		if v == nil {
			t.Fatalf("%s: no key %q in\n%s", path, p, dump(n))
		}
		n = v
	}
	return n
}

func splitPath(p string) []string {
	var out []string
	for _, part := range strings.Split(p, ".") {
		for part != "" {
			i := strings.Index(part[1:], "[")
			if i < 0 {
				out = append(out, part)
				break
			}
			out = append(out, part[:i+1])
			part = part[i+1:]
		}
	}
	return out
}

// dump renders a node tree with each node's position, for failure messages and debugging.
func dump(n *yaml.Node) string {
	var b strings.Builder
	var w func(n *yaml.Node, indent string)
	w = func(n *yaml.Node, indent string) {
		switch n.Kind {
		case yaml.MappingNode:
			fmt.Fprintf(&b, "%s{ @%d:%d\n", indent, n.Line, n.Column)
			for i := 0; i+1 < len(n.Content); i += 2 {
				fmt.Fprintf(&b, "%s  %q @%d:%d:\n", indent, n.Content[i].Value, n.Content[i].Line, n.Content[i].Column)
				w(n.Content[i+1], indent+"    ")
			}
			fmt.Fprintf(&b, "%s}\n", indent)
		case yaml.SequenceNode:
			fmt.Fprintf(&b, "%s[ @%d:%d\n", indent, n.Line, n.Column)
			for _, c := range n.Content {
				w(c, indent+"  ")
			}
			fmt.Fprintf(&b, "%s]\n", indent)
		default:
			fmt.Fprintf(&b, "%s%s %q @%d:%d\n", indent, n.Tag, n.Value, n.Line, n.Column)
		}
	}
	w(n, "")
	return b.String()
}

func diagStrings(ds []result.Diagnostic) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.Severity+": "+d.Error())
	}
	sort.Strings(out)
	return out
}

// sortResources orders resources by address.
func sortResources(rs []Resource) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Address < rs[j].Address })
}
