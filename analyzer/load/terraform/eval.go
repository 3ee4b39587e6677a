package terraform

import (
	"math/big"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/result"
)

// Limits that keep a hostile or mistaken configuration from exhausting memory or time.
const (
	maxInstances  = 1000  // count / for_each instances read per block
	maxCallDepth  = 16    // nested local module calls
	maxSeeThrough = 64    // references followed to find where a value was written
	maxBlocks     = 20000 // instances and generated blocks read in one LoadConfig
)

// loader evaluates the configurations of one LoadConfig call.
type loader struct {
	opts  Options
	mods  map[string]*module  // by absolute folder
	given map[string]string   // absolute path → reported name, of the files to read
	data  map[string][]byte   // file bytes by reported name
	read  []string            // reported names of the files read, in order
	diags []result.Diagnostic // in the order found
	seen  map[string]bool     // diagnostics already reported

	fileOf map[*yaml.Node]string // the file each node was written in
	exact  map[*yaml.Node]bool   // nodes parsed from JSON text: already the author's exact document
	site   map[*yaml.Node]site   // values written in another file: where they are referred to

	memos  map[memoKey]*memo
	stack  []string // what is being evaluated, for cycle messages
	active map[activeKey]bool
	nodes  map[activeKey]*yaml.Node // see-through results
	depth  int
	funcs  map[*modInst]map[string]function.Function
	infos  map[hcl.Expression]*exprInfo
	lines  map[string][]int        // line starts by file
	attrs  map[*resInst]*yaml.Node // Resource.Attrs, nil while being built
	docs   map[*resInst]*yaml.Node // policy documents, nil while being built
	aux    map[string]*auxFile     // files read by file() / templatefile(), by absolute path

	varFiles []*varFile // parsed opts.VarFiles
	cliVars  []cliVar   // parsed opts.Vars
	declared map[string]bool
	all      bool // collect every resource, not only the relevant ones (tests)
	blocks   int  // instances and dynamic blocks expanded so far (maxBlocks)
}

// spend takes n instances from the budget and returns how many may be read; the first
// refusal is reported at r.
func (l *loader) spend(n int, r hcl.Range, what string) int {
	left := maxBlocks - l.blocks
	if n > left {
		l.diag(warnf(r.Filename, r.Start, "%s: more than %d instances and blocks in this configuration; the rest is not read", what, maxBlocks))
		n = max(left, 0)
	}
	l.blocks += n
	return n
}

func newLoader(opts Options) *loader {
	return &loader{opts: opts, mods: map[string]*module{}, given: map[string]string{}, data: map[string][]byte{},
		seen: map[string]bool{}, fileOf: map[*yaml.Node]string{}, exact: map[*yaml.Node]bool{}, site: map[*yaml.Node]site{},
		memos: map[memoKey]*memo{}, active: map[activeKey]bool{}, nodes: map[activeKey]*yaml.Node{},
		funcs: map[*modInst]map[string]function.Function{}, infos: map[hcl.Expression]*exprInfo{},
		aux: map[string]*auxFile{}, declared: map[string]bool{}, attrs: map[*resInst]*yaml.Node{},
		docs: map[*resInst]*yaml.Node{}}
}

// noteRead records a file read: listed once in the inventory and handed to OnRead.
func (l *loader) noteRead(name string, data []byte) {
	if _, ok := l.data[name]; ok {
		return
	}
	l.data[name] = data
	l.read = append(l.read, name)
	if l.opts.OnRead != nil {
		l.opts.OnRead(name, data)
	}
}

// scope is where an expression is evaluated: a module instance, with the count or each of
// the block instance and the iterators of dynamic blocks around it.
type scope struct {
	mi    *modInst // nil for literal values (.tfvars)
	count cty.Value
	each  *eachVal
	iters map[string]cty.Value
}

type eachVal struct{ key, value cty.Value }

// withIter is sc with a dynamic block's iterator bound.
func (sc *scope) withIter(name string, v cty.Value) *scope {
	n := *sc
	n.iters = make(map[string]cty.Value, len(sc.iters)+1)
	for k, x := range sc.iters {
		n.iters[k] = x
	}
	n.iters[name] = v
	return &n
}

// modInst is one instance of a module: a root, or a local module called (once per count /
// for_each key of the call).
type modInst struct {
	mod    *module
	addr   string // "" for a root; "module.a", "module.a[0].module.b"
	root   *modInst
	call   *callBlock
	callSc *scope // the caller's scope for this instance's arguments
	sc     *scope
	vars   map[string]varVal // roots: every variable's value
	chain  map[string]bool   // folders of this instance and its callers
	depth  int
}

// varVal is a variable's value and, when it was written in a file, the expression that gave it.
type varVal struct {
	val  cty.Value
	expr hcl.Expression
	sc   *scope
}

// prefix is the address prefix of what the instance declares.
func (mi *modInst) prefix() string {
	if mi.addr == "" {
		return ""
	}
	return mi.addr + "."
}

type memoKey struct {
	mi         *modInst
	kind, name string
}

type memo struct {
	active bool
	val    any
}

// activeKey identifies a see-through in progress: an expression in a scope.
type activeKey struct {
	expr hcl.Expression
	sc   *scope
	doc  bool
}

// memoize computes a value once. A value whose computation needs itself is a cycle: it is
// reported (what names the value) and onCycle's value used.
func (l *loader) memoize(k memoKey, what string, at hcl.Range, compute func() any, onCycle func() any) any {
	if m, ok := l.memos[k]; ok {
		if !m.active {
			return m.val
		}
		i := len(l.stack) - 1
		for i > 0 && l.stack[i] != what {
			i--
		}
		l.diag(errorf(at.Filename, at.Start, "cycle: %s refers to itself through %s", what, strings.Join(append(l.stack[i:], what), " → ")))
		return onCycle()
	}
	m := &memo{active: true}
	l.memos[k] = m
	l.stack = append(l.stack, what)
	v := compute()
	l.stack = l.stack[:len(l.stack)-1]
	m.active, m.val = false, v
	return v
}

// exprInfo is what evaluation needs to know about an expression, found once.
type exprInfo struct {
	traversals []hcl.Traversal
	attrNames  map[string]bool // every attribute name any traversal in it reads
	funcs      []*hclsyntax.FunctionCallExpr
}

func (l *loader) info(expr hcl.Expression) *exprInfo {
	if in, ok := l.infos[expr]; ok {
		return in
	}
	in := &exprInfo{traversals: expr.Variables(), attrNames: map[string]bool{}}
	addSteps := func(t hcl.Traversal) {
		for _, s := range t {
			if a, ok := s.(hcl.TraverseAttr); ok {
				in.attrNames[a.Name] = true
			}
		}
	}
	if se, ok := expr.(hclsyntax.Expression); ok {
		hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
			switch x := n.(type) {
			case *hclsyntax.ScopeTraversalExpr:
				addSteps(x.Traversal)
			case *hclsyntax.RelativeTraversalExpr:
				addSteps(x.Traversal)
			case *hclsyntax.FunctionCallExpr:
				in.funcs = append(in.funcs, x)
			}
			return nil
		})
	} else {
		for _, t := range in.traversals {
			addSteps(t)
		}
	}
	l.infos[expr] = in
	return in
}

// eval evaluates expr in sc; diagnostics are reported. The value may be unknown (cty) where it
// depends on values known only after apply.
func (l *loader) eval(expr hcl.Expression, sc *scope) cty.Value {
	v, diags := l.evalDiags(expr, sc)
	l.addHCL(diags)
	return v
}

// evalDiags evaluates expr, returning the expression's own diagnostics (reference errors are
// reported already).
func (l *loader) evalDiags(expr hcl.Expression, sc *scope) (cty.Value, hcl.Diagnostics) {
	if expr == nil {
		return cty.NullVal(cty.DynamicPseudoType), nil
	}
	ctx := l.evalCtx(expr, sc)
	v, diags := expr.Value(ctx)
	if v == cty.NilVal {
		v = cty.DynamicVal
	}
	return v, diags
}

// evalCtx builds the variables expr refers to (and only those, so a value that is not needed
// is never computed) and the functions.
func (l *loader) evalCtx(expr hcl.Expression, sc *scope) *hcl.EvalContext {
	if sc == nil || sc.mi == nil {
		return nil
	}
	in := l.info(expr)
	mi := sc.mi
	l.warnFunctions(in)
	vars := map[string]cty.Value{}
	groups := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	add := func(group, name string, v cty.Value) {
		g := groups[group]
		if g == nil {
			g = map[string]cty.Value{}
			groups[group] = g
		}
		g[name] = v
	}
	for _, t := range in.traversals {
		root := t.RootName()
		r := t.SourceRange()
		name, _ := step(t, 1)
		switch root {
		case "var":
			if name == "" {
				continue
			}
			if _, done := groups["var"][name]; done {
				continue
			}
			add("var", name, l.varValue(mi, name, r))
		case "local":
			if name == "" {
				continue
			}
			if _, done := groups["local"][name]; done {
				continue
			}
			add("local", name, l.localValue(mi, name, r))
		case "module":
			if name == "" {
				continue
			}
			if _, done := groups["module"][name]; done {
				continue
			}
			add("module", name, l.moduleValue(mi, name, in, r))
		case "data":
			rname, _ := step(t, 2)
			if name == "" || rname == "" {
				continue
			}
			if data[name] == nil {
				data[name] = map[string]cty.Value{}
			}
			if _, done := data[name][rname]; done {
				continue
			}
			data[name][rname] = l.resourceValue(mi, "data."+name+"."+rname, in, r)
		case "count":
			if sc.count == cty.NilVal {
				l.diag(errorf(r.Filename, r.Start, "reference to \"count\" in a block without count"))
				vars["count"] = cty.DynamicVal
				continue
			}
			vars["count"] = cty.ObjectVal(map[string]cty.Value{"index": sc.count})
		case "each":
			if sc.each == nil {
				l.diag(errorf(r.Filename, r.Start, "reference to \"each\" in a block without for_each"))
				vars["each"] = cty.DynamicVal
				continue
			}
			vars["each"] = cty.ObjectVal(map[string]cty.Value{"key": sc.each.key, "value": sc.each.value})
		case "path":
			vars["path"] = cty.ObjectVal(map[string]cty.Value{
				"module": cty.StringVal(mi.modulePath()), "root": cty.StringVal("."), "cwd": cty.StringVal(mi.root.mod.disk)})
		case "terraform":
			vars["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")})
		case "self":
			vars["self"] = cty.DynamicVal
		default:
			if v, ok := sc.iters[root]; ok {
				vars[root] = v
				continue
			}
			if name == "" {
				continue // a lone name: hcl reports the unknown variable
			}
			if _, done := groups[root][name]; done {
				continue
			}
			add(root, name, l.resourceValue(mi, root+"."+name, in, r))
		}
	}
	for g, m := range groups {
		vars[g] = cty.ObjectVal(m)
	}
	if len(data) > 0 {
		d := map[string]cty.Value{}
		for t, m := range data {
			d[t] = cty.ObjectVal(m)
		}
		vars["data"] = cty.ObjectVal(d)
	}
	return &hcl.EvalContext{Variables: vars, Functions: addProviderFuncs(l.functions(mi.root), in)}
}

// step is the attribute name of t's step i ("" when that step is not an attribute).
func step(t hcl.Traversal, i int) (string, bool) {
	if i >= len(t) {
		return "", false
	}
	switch s := t[i].(type) {
	case hcl.TraverseAttr:
		return s.Name, true
	case hcl.TraverseRoot:
		return s.Name, true
	}
	return "", false
}

// modulePath is path.module: the module's folder relative to its root's.
func (mi *modInst) modulePath() string {
	rel, err := filepath.Rel(mi.root.mod.disk, mi.mod.disk)
	if err != nil {
		return mi.mod.dir
	}
	return filepath.ToSlash(rel)
}

// undeclared reports a reference to something not declared, unless the module has files
// rolecall does not read (they may declare it).
func (l *loader) undeclared(mi *modInst, r hcl.Range, format string, a ...any) cty.Value {
	if !mi.mod.hasJSON {
		l.diag(errorf(r.Filename, r.Start, format, a...))
	}
	return cty.DynamicVal
}

// varValue is var.NAME in mi.
func (l *loader) varValue(mi *modInst, name string, r hcl.Range) cty.Value {
	v, ok := mi.mod.vars[name]
	if !ok {
		return l.undeclared(mi, r, "reference to undeclared input variable: no variable %q is declared in this module", name)
	}
	if mi.vars != nil {
		return mi.vars[name].val
	}
	return l.childVar(mi, v).val
}

// childVar is the value of a variable of a called module: the call's argument, else the default.
func (l *loader) childVar(mi *modInst, v *variable) varVal {
	what := mi.prefix() + "var." + v.name
	return l.memoize(memoKey{mi, "var", v.name}, what, v.block.TypeRange, func() any {
		if a, ok := mi.call.args[v.name]; ok {
			val := l.eval(a.Expr, mi.callSc)
			return varVal{val: l.convertVar(val, v, a.Expr.Range()), expr: a.Expr, sc: mi.callSc}
		}
		if v.def != nil {
			val, diags := v.def.Value(nil)
			l.addHCL(diags)
			return varVal{val: l.convertVar(val, v, v.def.Range()), expr: v.def, sc: &scope{}}
		}
		l.diag(errorf(mi.call.file, mi.call.block.TypeRange.Start, "module %s: missing required argument %q (variable %s has no default): its value is unknown", mi.call.name, v.name, v.name))
		return varVal{val: cty.UnknownVal(v.typ)}
	}, func() any { return varVal{val: cty.DynamicVal} }).(varVal)
}

// convertVar converts a variable's value to its declared type, with the type's defaults.
func (l *loader) convertVar(val cty.Value, v *variable, r hcl.Range) cty.Value {
	if v.defaults != nil && !val.IsNull() {
		val = v.defaults.Apply(val)
	}
	out, err := convert.Convert(val, v.typ)
	if err != nil {
		l.diag(errorf(r.Filename, r.Start, "invalid value for variable %q: %v", v.name, err))
		return cty.UnknownVal(v.typ)
	}
	return out
}

// localValue is local.NAME in mi.
func (l *loader) localValue(mi *modInst, name string, r hcl.Range) cty.Value {
	a, ok := mi.mod.locals[name]
	if !ok {
		return l.undeclared(mi, r, "reference to undeclared local value: no local value %q is declared in this module", name)
	}
	return l.memoize(memoKey{mi, "local", name}, mi.prefix()+"local."+name, a.NameRange, func() any {
		return l.eval(a.Expr, mi.sc)
	}, func() any { return cty.DynamicVal }).(cty.Value)
}

// outputValue is the value of output name of a called module instance.
func (l *loader) outputValue(mi *modInst, name string) cty.Value {
	a := mi.mod.outputs[name]
	return l.memoize(memoKey{mi, "output", name}, mi.prefix()+"output."+name, a.NameRange, func() any {
		return l.eval(a.Expr, mi.sc)
	}, func() any { return cty.DynamicVal }).(cty.Value)
}

// moduleValue is module.NAME in mi: an object of its outputs (a tuple or object of such objects
// for a call with count or for_each); unknown for modules rolecall does not read.
func (l *loader) moduleValue(mi *modInst, name string, in *exprInfo, r hcl.Range) cty.Value {
	c, ok := mi.mod.calls[name]
	if !ok {
		return l.undeclared(mi, r, "reference to undeclared module: no module call %q is declared in this module", name)
	}
	exp := l.callExpansion(mi, c)
	obj := func(child *modInst) cty.Value {
		if child.mod.broken {
			return cty.DynamicVal
		}
		outs := map[string]cty.Value{}
		for n := range child.mod.outputs {
			if in.attrNames[n] {
				outs[n] = l.outputValue(child, n)
			}
		}
		for n := range in.attrNames {
			if _, ok := outs[n]; !ok && child.mod.hasJSON {
				outs[n] = cty.DynamicVal // may be declared where rolecall does not read
			}
		}
		return cty.ObjectVal(outs)
	}
	return exp.value(func(i int) cty.Value { return obj(exp.children[i]) })
}

// expansion is how many instances a block with count or for_each has.
type expansion struct {
	kind     int
	each     bool        // expUnknown: for_each (else count) is unknown
	keys     []cty.Value // count: numbers; for_each: strings
	values   []cty.Value // for_each: each.value
	insts    []*resInst
	children []*modInst
}

const (
	expSingle = iota
	expCount
	expForEach
	expUnknown // count or for_each unknown: one instance with an unknown key
	expNone    // not evaluated (an error, or a module rolecall does not read)
)

// value is the value of the whole block given each instance's value.
func (e *expansion) value(inst func(i int) cty.Value) cty.Value {
	switch e.kind {
	case expSingle:
		return inst(0)
	case expCount:
		if len(e.keys) == 0 {
			return cty.EmptyTupleVal
		}
		vals := make([]cty.Value, len(e.keys))
		for i := range e.keys {
			vals[i] = inst(i)
		}
		return cty.TupleVal(vals)
	case expForEach:
		m := make(map[string]cty.Value, len(e.keys))
		for i, k := range e.keys {
			m[k.AsString()] = inst(i)
		}
		return cty.ObjectVal(m)
	}
	return cty.DynamicVal
}

// expand evaluates count / for_each. what names the block in messages.
func (l *loader) expand(count, forEach *hclsyntax.Attribute, sc *scope, what string) *expansion {
	e := &expansion{kind: expSingle}
	switch {
	case count != nil:
		v := l.eval(count.Expr, sc)
		r := count.Expr.Range()
		if !v.IsKnown() {
			l.diag(warnf(r.Filename, r.Start, "count of %s is %s, known only after apply: it is read as one instance whose count.index is unknown", what, exprText(l, count.Expr)))
			e.kind = expUnknown
			return e
		}
		n, err := convert.Convert(v, cty.Number)
		if err != nil || n.IsNull() {
			l.diag(errorf(r.Filename, r.Start, "invalid count of %s: expected a whole number", what))
			e.kind = expNone
			return e
		}
		bf := n.AsBigFloat()
		i, acc := bf.Int64()
		if acc != big.Exact || i < 0 {
			l.diag(errorf(r.Filename, r.Start, "invalid count of %s: expected a whole number ≥ 0", what))
			e.kind = expNone
			return e
		}
		if i > maxInstances {
			l.diag(warnf(r.Filename, r.Start, "count of %s is %d: only the first %d instances are read", what, i, maxInstances))
			i = maxInstances
		}
		e.kind = expCount
		i = int64(l.spend(int(i), r, what))
		for k := range i {
			e.keys = append(e.keys, cty.NumberIntVal(k))
		}
	case forEach != nil:
		v := l.eval(forEach.Expr, sc)
		r := forEach.Expr.Range()
		unknown := func() *expansion {
			l.diag(warnf(r.Filename, r.Start, "for_each of %s is %s, known only after apply: it is read as one instance whose each.key and each.value are unknown", what, exprText(l, forEach.Expr)))
			e.kind, e.each = expUnknown, true
			return e
		}
		if !v.IsKnown() {
			return unknown()
		}
		if v.IsNull() {
			l.diag(errorf(r.Filename, r.Start, "invalid for_each of %s: null (expected a map, or a set of strings)", what))
			e.kind = expNone
			return e
		}
		ty := v.Type()
		switch {
		case ty.IsMapType() || ty.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				k, val := it.Element()
				e.keys, e.values = append(e.keys, k), append(e.values, val)
			}
		case ty.IsSetType():
			if !v.IsWhollyKnown() {
				return unknown()
			}
			for it := v.ElementIterator(); it.Next(); {
				_, val := it.Element()
				s, err := convert.Convert(val, cty.String)
				if err != nil || s.IsNull() {
					l.diag(errorf(r.Filename, r.Start, "invalid for_each of %s: a set's elements must be strings", what))
					e.kind = expNone
					return e
				}
				e.keys, e.values = append(e.keys, s), append(e.values, val)
			}
		default:
			l.diag(errorf(r.Filename, r.Start, "invalid for_each of %s: a %s (expected a map, or a set of strings: convert a list with toset())", what, ty.FriendlyName()))
			e.kind = expNone
			return e
		}
		if len(e.keys) > maxInstances {
			l.diag(warnf(r.Filename, r.Start, "for_each of %s has %d elements: only the first %d are read", what, len(e.keys), maxInstances))
			e.keys, e.values = e.keys[:maxInstances], e.values[:maxInstances]
		}
		n := l.spend(len(e.keys), r, what)
		e.keys, e.values = e.keys[:n], e.values[:n]
		e.kind = expForEach
	}
	return e
}

// instScope is the scope of instance i of an expansion in sc.
func (e *expansion) instScope(sc *scope, i int) *scope {
	n := &scope{mi: sc.mi, count: cty.NilVal, iters: sc.iters}
	switch e.kind {
	case expCount:
		n.count = e.keys[i]
	case expForEach:
		n.each = &eachVal{key: e.keys[i], value: e.values[i]}
	case expUnknown:
		if e.each {
			n.each = &eachVal{key: cty.UnknownVal(cty.String), value: cty.DynamicVal}
		} else {
			n.count = cty.UnknownVal(cty.Number)
		}
	}
	return n
}

// keySuffix is instance i's key in an address: [0], ["a"], [*] when unknown.
func (e *expansion) keySuffix(i int) string {
	switch e.kind {
	case expCount:
		bf := e.keys[i].AsBigFloat()
		n, _ := bf.Int64()
		return "[" + strconv.FormatInt(n, 10) + "]"
	case expForEach:
		return "[" + strconv.Quote(e.keys[i].AsString()) + "]"
	case expUnknown:
		return "[*]"
	}
	return ""
}

// count returns how many instances there are.
func (e *expansion) count() int {
	switch e.kind {
	case expSingle, expUnknown:
		return 1
	case expCount, expForEach:
		return len(e.keys)
	}
	return 0
}

// resInst is one instance of a resource or data block.
type resInst struct {
	rb   *resBlock
	mi   *modInst
	addr string
	sc   *scope
}

// expansion of a resource block in mi.
func (l *loader) resExpansion(mi *modInst, rb *resBlock) *expansion {
	return l.memoize(memoKey{mi, "expand", rb.addr()}, mi.prefix()+rb.addr(), rb.block.TypeRange, func() any {
		e := l.expand(rb.count, rb.forEach, mi.sc, mi.prefix()+rb.addr())
		for i := range e.count() {
			e.insts = append(e.insts, &resInst{rb: rb, mi: mi, addr: mi.prefix() + rb.addr() + e.keySuffix(i), sc: e.instScope(mi.sc, i)})
		}
		return e
	}, func() any { return &expansion{kind: expNone} }).(*expansion)
}

// resourceValue is a reference to the resource (or data source) addr of mi: the object of an
// instance, or a tuple / object of them. Attributes the configuration does not set are
// unknown (computed): every attribute name the referring expression reads is present.
func (l *loader) resourceValue(mi *modInst, addr string, in *exprInfo, r hcl.Range) cty.Value {
	rb, ok := mi.mod.resByAddr[addr]
	if !ok {
		kind, rest := "managed resource", addr
		if s, ok := strings.CutPrefix(addr, "data."); ok {
			kind, rest = "data source", s
		}
		typ, name, _ := strings.Cut(rest, ".")
		return l.undeclared(mi, r, "reference to undeclared resource: a %s %q %q is not declared in this module", kind, typ, name)
	}
	exp := l.resExpansion(mi, rb)
	return exp.value(func(i int) cty.Value { return l.instShape(exp.insts[i]).value(in.attrNames) })
}

// shape is an object's attributes and nested blocks, turned into a value per reference.
type shape struct {
	vals   map[string]cty.Value
	blocks map[string][]*shape
}

// value is the object, with every name of extra that is not set present as an unknown
// (attributes a provider computes), in nested blocks too.
func (s *shape) value(extra map[string]bool) cty.Value {
	m := make(map[string]cty.Value, len(s.vals)+len(s.blocks)+len(extra))
	for k, v := range s.vals {
		m[k] = v
	}
	for k, bs := range s.blocks {
		vals := make([]cty.Value, len(bs))
		for i, b := range bs {
			vals[i] = b.value(extra)
		}
		m[k] = cty.TupleVal(vals)
	}
	for k := range extra {
		if _, ok := m[k]; !ok {
			m[k] = cty.DynamicVal
		}
	}
	return cty.ObjectVal(m)
}

// instShape evaluates an instance's configuration (and what can be derived from it).
func (l *loader) instShape(ri *resInst) *shape {
	return l.memoize(memoKey{ri.mi, "shape", ri.addr}, ri.addr, ri.rb.block.TypeRange, func() any {
		s := l.bodyShape(ri.rb.block.Body, ri.sc, true)
		nameText := func() string {
			if a, ok := ri.rb.block.Body.Attributes["name"]; ok {
				if n := l.nodeFor(a.Expr, ri.sc, false); n.Kind == yaml.ScalarNode {
					return n.Value
				}
			}
			return iampolicy.Unknown(ri.addr + ".name")
		}
		for k, v := range derive(ri.rb, ri.addr, s.vals, nameText) {
			if _, set := s.vals[k]; !set {
				s.vals[k] = v
			}
		}
		if ri.rb.mode == modeData && ri.rb.typ == policyDocType {
			js := l.docJSON(ri)
			s.vals["json"], s.vals["minified_json"] = js, js
		}
		return s
	}, func() any { return &shape{vals: map[string]cty.Value{}} }).(*shape)
}

// bodyShape evaluates a block body's attributes and nested blocks.
func (l *loader) bodyShape(body *hclsyntax.Body, sc *scope, top bool) *shape {
	s := &shape{vals: map[string]cty.Value{}, blocks: map[string][]*shape{}}
	for _, a := range sortedAttrs(body) {
		if top && metaArgs[a.Name] {
			continue
		}
		s.vals[a.Name] = l.eval(a.Expr, sc)
	}
	for _, b := range l.blocksOf(body, sc) {
		if top && metaBlocks[b.typ] {
			continue
		}
		s.blocks[b.typ] = append(s.blocks[b.typ], l.bodyShape(b.body, b.sc, false))
	}
	return s
}

// blockInst is a nested block as evaluated: a written block, or one generated by a dynamic block.
type blockInst struct {
	typ  string
	body *hclsyntax.Body
	sc   *scope
	rng  hcl.Range // where the block (or the dynamic block generating it) starts
}

// blocksOf lists the nested blocks of body in source order, dynamic blocks expanded.
func (l *loader) blocksOf(body *hclsyntax.Body, sc *scope) []blockInst {
	var out []blockInst
	for _, b := range body.Blocks {
		if b.Type != "dynamic" || len(b.Labels) != 1 {
			out = append(out, blockInst{typ: b.Type, body: b.Body, sc: sc, rng: b.TypeRange})
			continue
		}
		out = append(out, l.dynamic(b, sc)...)
	}
	return out
}

// dynamic expands a dynamic block: one block per element of its for_each, with the iterator
// (named by iterator, else the block's label) bound to {key, value}.
func (l *loader) dynamic(b *hclsyntax.Block, sc *scope) []blockInst {
	label := b.Labels[0]
	file := b.TypeRange.Filename
	var content *hclsyntax.Block
	for _, c := range b.Body.Blocks {
		if c.Type == "content" {
			content = c
			break
		}
	}
	fe, ok := b.Body.Attributes["for_each"]
	if content == nil || !ok {
		l.diag(errorf(file, b.TypeRange.Start, "dynamic %q needs a for_each argument and a content block", label))
		return nil
	}
	iter := label
	if it, ok := b.Body.Attributes["iterator"]; ok {
		if kw := hcl.ExprAsKeyword(it.Expr); kw != "" {
			iter = kw
		}
	}
	inst := func(k, v cty.Value) blockInst {
		return blockInst{typ: label, body: content.Body, rng: b.TypeRange,
			sc: sc.withIter(iter, cty.ObjectVal(map[string]cty.Value{"key": k, "value": v}))}
	}
	coll := l.eval(fe.Expr, sc)
	r := fe.Expr.Range()
	if !coll.IsKnown() || (coll.Type().IsSetType() && !coll.IsWhollyKnown()) {
		l.diag(warnf(r.Filename, r.Start, "for_each of dynamic %q is %s, known only after apply: one %s block is read, with %s.key and %s.value unknown", label, exprText(l, fe.Expr), label, iter, iter))
		return []blockInst{inst(cty.DynamicVal, cty.DynamicVal)}
	}
	if coll.IsNull() {
		l.diag(errorf(r.Filename, r.Start, "for_each of dynamic %q is null: expected a collection", label))
		return nil
	}
	if !coll.CanIterateElements() {
		l.diag(errorf(r.Filename, r.Start, "for_each of dynamic %q is a %s: expected a collection", label, coll.Type().FriendlyName()))
		return nil
	}
	var out []blockInst
	for it := coll.ElementIterator(); it.Next(); {
		k, v := it.Element()
		if coll.Type().IsSetType() {
			k = v
		}
		if l.spend(1, r, "dynamic "+label) == 0 {
			break
		}
		out = append(out, inst(k, v))
		if len(out) == maxInstances {
			l.diag(warnf(r.Filename, r.Start, "for_each of dynamic %q: only the first %d elements are read", label, maxInstances))
			break
		}
	}
	return out
}

// callExpansion expands a module call of mi into the called module's instances.
func (l *loader) callExpansion(mi *modInst, c *callBlock) *expansion {
	what := mi.prefix() + "module." + c.name
	return l.memoize(memoKey{mi, "call", c.name}, what, c.block.TypeRange, func() any {
		if c.sourceAttr == nil || c.source == "" {
			return &expansion{kind: expNone}
		}
		at := c.sourceAttr.Expr.Range()
		if !c.local {
			l.diag(warnf(at.Filename, at.Start, "module %s: source %q is not read (only local modules, ./ or ../, are followed): its outputs are unknown", c.name, c.source))
			return &expansion{kind: expNone}
		}
		if mi.chain[c.disk] {
			l.diag(errorf(at.Filename, at.Start, "module %s calls %s, which is already being evaluated: a module cannot call itself", c.name, c.source))
			return &expansion{kind: expNone}
		}
		if mi.depth >= maxCallDepth {
			l.diag(warnf(at.Filename, at.Start, "module %s: more than %d nested modules; this one is not read and its outputs are unknown", c.name, maxCallDepth))
			return &expansion{kind: expNone}
		}
		if st, err := os.Stat(c.disk); err != nil || !st.IsDir() {
			l.diag(errorf(at.Filename, at.Start, "module %s: %s is not a folder", c.name, c.source))
			return &expansion{kind: expNone}
		}
		child := l.readModule(c.disk, c.dir)
		if len(child.files) == 0 && !child.broken {
			l.diag(errorf(at.Filename, at.Start, "module %s: no Terraform configuration files (.tf) in %s", c.name, c.source))
			child.broken = true
		}
		e := l.expand(c.count, c.forEach, mi.sc, what)
		for i := range e.count() {
			chain := map[string]bool{c.disk: true}
			for k := range mi.chain {
				chain[k] = true
			}
			ci := &modInst{mod: child, addr: what + e.keySuffix(i), root: mi.root, call: c,
				callSc: e.instScope(mi.sc, i), chain: chain, depth: mi.depth + 1}
			ci.sc = &scope{mi: ci, count: cty.NilVal}
			l.checkArgs(ci)
			e.children = append(e.children, ci)
		}
		return e
	}, func() any { return &expansion{kind: expNone} }).(*expansion)
}

// checkArgs reports arguments of a module call that the module does not declare.
func (l *loader) checkArgs(ci *modInst) {
	if ci.mod.broken || ci.mod.hasJSON {
		return
	}
	names := make([]string, 0, len(ci.call.args))
	for n := range ci.call.args {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, ok := ci.mod.vars[n]; !ok {
			a := ci.call.args[n]
			l.diag(errorf(a.NameRange.Filename, a.NameRange.Start, "module %s: unsupported argument %q (%s declares no such variable)", ci.call.name, n, ci.call.source))
		}
	}
}

// newRoot is the instance of a root module with its variables' values.
func (l *loader) newRoot(m *module) *modInst {
	mi := &modInst{mod: m, chain: map[string]bool{m.disk: true}}
	mi.root = mi
	mi.sc = &scope{mi: mi, count: cty.NilVal}
	mi.vars = l.rootVars(mi)
	return mi
}

// exprText is the source text of expr, on one line, for messages and unknown markers.
func exprText(l *loader, expr hcl.Expression) string {
	return rangeText(l, expr.Range())
}

func rangeText(l *loader, r hcl.Range) string {
	data := l.data[r.Filename]
	if r.Start.Byte < 0 || r.End.Byte > len(data) || r.Start.Byte > r.End.Byte {
		return "?"
	}
	s := strings.Join(strings.Fields(string(data[r.Start.Byte:r.End.Byte])), " ")
	if rs := []rune(s); len(rs) > 120 {
		s = string(rs[:119]) + "…"
	}
	return s
}

// relPath joins a reported folder with a relative path (both with forward slashes).
func relPath(dir, p string) string {
	if path.IsAbs(p) {
		return p
	}
	return path.Clean(path.Join(dir, p))
}
