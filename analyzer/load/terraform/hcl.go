package terraform

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// module is one folder's configuration: every .tf file in it.
type module struct {
	dir   string // reported (forward slashes), "." for the working folder
	disk  string // absolute path on disk
	files []string
	// broken is set when a file does not parse: the module is not evaluated (Terraform refuses
	// it too), only its syntax errors are reported.
	broken bool
	// hasJSON is set when the folder also holds .tf.json files, which are not read: references
	// to what they may declare stay unknown instead of being reported as undeclared.
	hasJSON bool

	vars      map[string]*variable
	locals    map[string]*hclsyntax.Attribute
	outputs   map[string]*hclsyntax.Attribute
	resources []*resBlock
	resByAddr map[string]*resBlock // "aws_iam_role.x", "data.aws_iam_policy_document.y"
	types     map[string]bool      // managed resource types declared
	calls     map[string]*callBlock
	callOrder []string
}

// variable is a variable block.
type variable struct {
	name     string
	block    *hclsyntax.Block
	typ      cty.Type // cty.DynamicPseudoType when not declared
	typed    bool     // a type was declared
	defaults *typeexpr.Defaults
	def      hcl.Expression // nil without default
}

// resBlock is a resource or data block.
type resBlock struct {
	mode, typ, name string
	block           *hclsyntax.Block
	file            string
	count, forEach  *hclsyntax.Attribute
}

// addr is the block's address inside its module.
func (rb *resBlock) addr() string {
	if rb.mode == modeData {
		return "data." + rb.typ + "." + rb.name
	}
	return rb.typ + "." + rb.name
}

// callBlock is a module block.
type callBlock struct {
	name           string
	block          *hclsyntax.Block
	file           string
	source         string
	sourceAttr     *hclsyntax.Attribute
	local          bool
	disk           string // the called folder (local sources)
	dir            string // its reported name
	count, forEach *hclsyntax.Attribute
	args           map[string]*hclsyntax.Attribute
}

const (
	modeManaged = "managed"
	modeData    = "data"
)

// metaArgs are the arguments of resource and module blocks that are Terraform's, not the
// provider's or the module's.
var metaArgs = map[string]bool{"count": true, "for_each": true, "provider": true, "providers": true, "depends_on": true, "source": true, "version": true}

// metaBlocks are the nested blocks of a resource that are Terraform's.
var metaBlocks = map[string]bool{"lifecycle": true, "provisioner": true, "connection": true, "precondition": true, "postcondition": true}

// readModule parses the folder disk (reported as dir) once.
func (l *loader) readModule(disk, dir string) *module {
	if m, ok := l.mods[disk]; ok {
		return m
	}
	m := &module{dir: dir, disk: disk, vars: map[string]*variable{}, locals: map[string]*hclsyntax.Attribute{},
		outputs: map[string]*hclsyntax.Attribute{}, resByAddr: map[string]*resBlock{}, types: map[string]bool{},
		calls: map[string]*callBlock{}}
	l.mods[disk] = m
	entries, err := os.ReadDir(disk)
	if err != nil {
		l.diag(errorf(dir, hcl.Pos{}, "cannot read module folder: %v", unwrapPath(err)))
		m.broken = true
		return m
	}
	var bodies []*hclsyntax.Body
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		lower := strings.ToLower(name)
		if strings.HasSuffix(lower, ".tf.json") {
			m.hasJSON = true
			l.diag(warnf(joinShown(dir, name), hcl.Pos{}, "JSON configuration files (.tf.json) are not read: what this file declares is unknown"))
			continue
		}
		if !strings.HasSuffix(lower, ".tf") {
			continue
		}
		shown := l.shownName(filepath.Join(disk, name), joinShown(dir, name))
		if base := strings.TrimSuffix(lower, ".tf"); base == "override" || strings.HasSuffix(base, "_override") {
			l.diag(warnf(shown, hcl.Pos{}, "override files are not merged into the configuration: this file is not read"))
			continue
		}
		data, err := os.ReadFile(filepath.Join(disk, name))
		if err != nil {
			l.diag(errorf(shown, hcl.Pos{}, "read: %v", unwrapPath(err)))
			m.broken = true
			continue
		}
		l.noteRead(shown, data)
		m.files = append(m.files, shown)
		f, diags := hclsyntax.ParseConfig(data, shown, hcl.InitialPos)
		if diags.HasErrors() {
			l.addHCL(diags)
			m.broken = true
			continue
		}
		bodies = append(bodies, f.Body.(*hclsyntax.Body))
	}
	if m.broken {
		return m
	}
	for _, b := range bodies {
		l.declare(m, b)
	}
	return m
}

// shownName is the name under which a file on disk is reported: the name it was given under
// when it is one of the files to read, else def.
func (l *loader) shownName(disk, def string) string {
	if abs, err := filepath.Abs(disk); err == nil {
		if n, ok := l.given[abs]; ok {
			return n
		}
	}
	return def
}

// declare collects the top-level blocks of one file.
func (l *loader) declare(m *module, body *hclsyntax.Body) {
	for _, a := range sortedAttrs(body) {
		l.diag(warnf(a.NameRange.Filename, a.NameRange.Start, "unexpected argument %q at the top level of a configuration file (expected blocks such as resource, variable, locals): it is ignored", a.Name))
	}
	for _, b := range body.Blocks {
		file := b.TypeRange.Filename
		switch b.Type {
		case "variable":
			if len(b.Labels) != 1 {
				continue // the parser already requires the label; be safe
			}
			l.declareVariable(m, b)
		case "locals":
			for _, a := range sortedAttrs(b.Body) {
				if prev, dup := m.locals[a.Name]; dup {
					l.diag(errorf(file, a.NameRange.Start, "duplicate local value definition: local.%s was already defined at %s", a.Name, posText(prev.NameRange)))
					continue
				}
				m.locals[a.Name] = a
			}
		case "output":
			if len(b.Labels) != 1 {
				continue
			}
			if _, dup := m.outputs[b.Labels[0]]; dup {
				l.diag(errorf(file, b.TypeRange.Start, "duplicate output definition %q", b.Labels[0]))
				continue
			}
			if v, ok := b.Body.Attributes["value"]; ok {
				m.outputs[b.Labels[0]] = v
			} else {
				l.diag(errorf(file, b.TypeRange.Start, "output %q has no value argument", b.Labels[0]))
			}
		case "resource", "data":
			if len(b.Labels) != 2 {
				continue
			}
			rb := &resBlock{mode: modeManaged, typ: b.Labels[0], name: b.Labels[1], block: b, file: file,
				count: b.Body.Attributes["count"], forEach: b.Body.Attributes["for_each"]}
			if b.Type == "data" {
				rb.mode = modeData
			}
			if prev, dup := m.resByAddr[rb.addr()]; dup {
				l.diag(errorf(file, b.TypeRange.Start, "duplicate %s configuration: %s was already declared at %s", b.Type, rb.addr(), posText(prev.block.TypeRange)))
				continue
			}
			if rb.count != nil && rb.forEach != nil {
				l.diag(errorf(file, rb.forEach.NameRange.Start, "%s has both count and for_each: only one may be set", rb.addr()))
			}
			m.resByAddr[rb.addr()] = rb
			m.resources = append(m.resources, rb)
			if rb.mode == modeManaged {
				m.types[rb.typ] = true
			}
		case "module":
			if len(b.Labels) != 1 {
				continue
			}
			l.declareCall(m, b)
		}
		// terraform, provider, moved, import, removed and check blocks do not change values
		// rolecall reads.
	}
}

func (l *loader) declareVariable(m *module, b *hclsyntax.Block) {
	file := b.TypeRange.Filename
	name := b.Labels[0]
	if _, dup := m.vars[name]; dup {
		l.diag(errorf(file, b.TypeRange.Start, "duplicate variable declaration %q", name))
		return
	}
	v := &variable{name: name, block: b, typ: cty.DynamicPseudoType}
	if t, ok := b.Body.Attributes["type"]; ok {
		ty, defaults, diags := typeexpr.TypeConstraintWithDefaults(t.Expr)
		l.addHCL(diags)
		if !diags.HasErrors() {
			v.typ, v.defaults, v.typed = ty, defaults, true
		}
	}
	if d, ok := b.Body.Attributes["default"]; ok {
		v.def = d.Expr
	}
	m.vars[name] = v
}

func (l *loader) declareCall(m *module, b *hclsyntax.Block) {
	file := b.TypeRange.Filename
	name := b.Labels[0]
	if _, dup := m.calls[name]; dup {
		l.diag(errorf(file, b.TypeRange.Start, "duplicate module call %q", name))
		return
	}
	c := &callBlock{name: name, block: b, file: file, args: map[string]*hclsyntax.Attribute{},
		count: b.Body.Attributes["count"], forEach: b.Body.Attributes["for_each"]}
	for n, a := range b.Body.Attributes {
		if !metaArgs[n] {
			c.args[n] = a
		}
	}
	m.calls[name] = c
	m.callOrder = append(m.callOrder, name)
	src, ok := b.Body.Attributes["source"]
	if !ok {
		l.diag(errorf(file, b.TypeRange.Start, "module %s has no source argument", name))
		return
	}
	c.sourceAttr = src
	v, diags := src.Expr.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String || !v.IsKnown() || v.IsNull() {
		l.diag(errorf(file, src.Expr.Range().Start, "module %s: source must be a literal string", name))
		return
	}
	c.source = v.AsString()
	if strings.HasPrefix(c.source, "./") || strings.HasPrefix(c.source, "../") {
		c.local = true
		c.disk = filepath.Clean(filepath.Join(m.disk, filepath.FromSlash(c.source)))
		c.dir = path.Clean(path.Join(m.dir, c.source))
	}
}

// sortedAttrs lists a body's attributes in source order.
func sortedAttrs(b *hclsyntax.Body) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(b.Attributes))
	for _, a := range b.Attributes {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SrcRange.Start.Byte < out[j].SrcRange.Start.Byte })
	return out
}

// roots lists the folders of files that no other of those folders calls, directly or
// through other local modules, in sorted order, each with its reported name. Of folders that
// call each other, the first is the root.
func (l *loader) roots(files []File) []*module {
	dirs := map[string]string{} // absolute folder → reported folder
	for _, f := range files {
		abs, err := filepath.Abs(f.Path)
		if err != nil {
			abs = f.Path
		}
		l.given[abs] = f.Name
		d := filepath.Dir(abs)
		if _, ok := dirs[d]; !ok {
			dirs[d] = path.Dir(f.Name)
		}
	}
	keys := make([]string, 0, len(dirs))
	for d := range dirs {
		keys = append(keys, d)
	}
	sort.Slice(keys, func(i, j int) bool { return dirs[keys[i]] < dirs[keys[j]] })
	mods := make([]*module, len(keys))
	reach := make([]map[string]bool, len(keys))
	for i, d := range keys {
		mods[i] = l.readModule(d, dirs[d])
	}
	for i := range keys {
		reach[i] = l.reachable(mods[i])
	}
	var out []*module
	for i, d := range keys {
		root := true
		for j, e := range keys {
			if i != j && reach[j][d] && (!reach[i][e] || j < i) {
				root = false
				break
			}
		}
		if root {
			out = append(out, mods[i])
		}
	}
	return out
}

// reachable lists the folders m calls as local modules, directly or not.
func (l *loader) reachable(m *module) map[string]bool {
	seen := map[string]bool{}
	var walk func(m *module, depth int)
	walk = func(m *module, depth int) {
		if depth >= maxCallDepth {
			return
		}
		for _, name := range m.callOrder {
			c := m.calls[name]
			if !c.local || seen[c.disk] {
				continue
			}
			seen[c.disk] = true
			if st, err := os.Stat(c.disk); err == nil && st.IsDir() {
				walk(l.readModule(c.disk, c.dir), depth+1)
			}
		}
	}
	walk(m, 0)
	return seen
}

// posText is file:line:col of r's start.
func posText(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

// joinShown joins a reported folder with a name inside it.
func joinShown(dir, name string) string {
	if dir == "." || dir == "" {
		return name
	}
	return path.Join(dir, name)
}

// unwrapPath drops the *PathError wrapper, whose path the diagnostic already shows.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
