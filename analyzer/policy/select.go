package policy

import (
	"cmp"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Compiling the rules dominates a run on one file (a ServiceAccount manifest, a trust policy),
// and compile time grows with the number of rules. So on demand the engine compiles only the
// rules that can fire: a rule's findings cite elements of the input it reads, and a rule that
// reads only empty parts of the input cites nothing. What each module reads is taken from its
// syntax, before compilation.

// entrypointPackage is the package of Query, which gathers every rule's deny set.
const entrypointPackage = "rolecall.main"

var (
	inputRoot = ast.InputRootDocument.Value.(ast.Var)
	dataRoot  = ast.DefaultRootDocument.Value.(ast.Var)
)

// reads is what one module refers to outside itself.
type reads struct {
	// input are the top-level keys of the input document the module reads.
	input map[string]bool
	// anyInput: the whole input, a key computed at run time, or input replaced with `with`.
	anyInput bool
	// otherRules: the module reads rule packages other than its own (another rule's deny,
	// data.rolecall.rules, data itself): rules then depend on each other.
	otherRules bool
}

// analyzeReads collects what m reads; slug is its rule slug ("" for other modules).
func analyzeReads(m *ast.Module, slug string) reads {
	r := reads{input: map[string]bool{}}
	var vis *ast.GenericVisitor
	ref := func(x ast.Ref) {
		head, _ := x[0].Value.(ast.Var)
		switch head {
		case inputRoot:
			if len(x) < 2 {
				r.anyInput = true
				return
			}
			if k, ok := x[1].Value.(ast.String); ok {
				r.input[string(k)] = true
			} else {
				r.anyInput = true
			}
		case dataRoot:
			if readsRules(x, slug) {
				r.otherRules = true
			}
		}
	}
	vis = ast.NewGenericVisitor(func(x any) bool {
		switch x := x.(type) {
		case ast.Ref:
			ref(x)
			for _, t := range x[1:] {
				vis.Walk(t)
			}
			return true
		case ast.Var:
			// A bare root document (`x := input`) is not a Ref before compilation.
			switch x {
			case inputRoot:
				r.anyInput = true
			case dataRoot:
				r.otherRules = true
			}
		case *ast.With:
			if t, ok := x.Target.Value.(ast.Ref); ok && t[0].Value.Compare(inputRoot) == 0 {
				r.anyInput = true
			}
		case *ast.Head:
			// The visitor skips rule head references (p[input.x] := …).
			for _, t := range x.Reference {
				vis.Walk(t)
			}
		}
		return false
	})
	// Not the package clause: it names data.rolecall.rules.<slug> itself.
	for _, imp := range m.Imports {
		vis.Walk(imp)
	}
	for _, rule := range m.Rules {
		vis.Walk(rule)
	}
	return r
}

// rulesPath is data.rolecall.rules as path segments.
var rulesPath = strings.Split(RulesPackage, ".")

// readsRules reports whether data reference x may reach a rule package other than slug's:
// it overlaps data.rolecall.rules (run-time segments match anything) and is not under
// data.rolecall.rules.<slug>.
func readsRules(x ast.Ref, slug string) bool {
	for i, seg := range rulesPath {
		if i+1 >= len(x) {
			return true // a prefix of data.rolecall.rules
		}
		if s, ok := x[i+1].Value.(ast.String); ok && string(s) != seg {
			return false
		}
	}
	if len(x) <= len(rulesPath)+1 {
		return true
	}
	s, ok := x[len(rulesPath)+1].Value.(ast.String)
	return !ok || string(s) != slug || slug == ""
}

// selection plans compilation: which rule modules an input needs, and in which groups they
// are compiled side by side.
type selection struct {
	base  []*loadedModule // compiled with every group: entrypoint, libraries, helper packages
	rules []*loadedModule
	// together: rules must be compiled as one group (some module reads other rules).
	together bool
	// helpers is what the non-rule modules read; any rule may call them.
	helpers reads
}

func newSelection(mods []loadedModule) *selection {
	s := &selection{helpers: reads{input: map[string]bool{}}}
	for i := range mods {
		m := &mods[i]
		slug, isRule := ruleSlug(m.module)
		if !isRule {
			s.base = append(s.base, m)
			if !m.user && strings.Join(packagePath(m.module), ".") == entrypointPackage {
				continue
			}
		} else {
			s.rules = append(s.rules, m)
		}
		m.reads = analyzeReads(m.module, slug)
		s.together = s.together || m.reads.otherRules
		if !isRule {
			s.helpers.anyInput = s.helpers.anyInput || m.reads.anyInput
			for k := range m.reads.input {
				s.helpers.input[k] = true
			}
		}
	}
	return s
}

// needed returns the rule modules that can fire on input: those reading a non-empty part (all
// of them when rules read each other).
func (s *selection) needed(input ast.Value) []*loadedModule {
	obj, ok := input.(ast.Object)
	if !ok || s.together || s.helpers.anyInput {
		return s.rules
	}
	present := map[string]bool{}
	obj.Foreach(func(k, v *ast.Term) {
		if key, ok := k.Value.(ast.String); ok && !emptyValue(v.Value) {
			present[string(key)] = true
		}
	})
	for k := range s.helpers.input {
		if present[k] {
			return s.rules
		}
	}
	var out []*loadedModule
	for _, m := range s.rules {
		if m.reads.anyInput || anyKey(m.reads.input, present) {
			out = append(out, m)
		}
	}
	return out
}

func anyKey(keys, present map[string]bool) bool {
	for k := range keys {
		if present[k] {
			return true
		}
	}
	return false
}

// emptyValue: nothing a rule could cite — null, false, 0, "", or collections of those
// (object keys are field names, not elements).
func emptyValue(v ast.Value) bool {
	switch v := v.(type) {
	case ast.Null:
		return true
	case ast.Boolean:
		return !bool(v)
	case ast.String:
		return v == ""
	case ast.Number:
		i, ok := v.Int64()
		return ok && i == 0
	case *ast.Array:
		for i := range v.Len() {
			if !emptyValue(v.Elem(i).Value) {
				return false
			}
		}
		return true
	case ast.Object:
		empty := true
		v.Foreach(func(_, t *ast.Term) { empty = empty && emptyValue(t.Value) })
		return empty
	case ast.Set:
		return v.Len() == 0
	}
	return false
}

// groups splits rules into at most n groups of similar compile cost (source size), each
// compiled by its own compiler, so that compilation uses every core.
func (s *selection) groups(rules []*loadedModule, n int) [][]*loadedModule {
	if s.together || n < 1 {
		n = 1
	}
	n = min(n, len(rules))
	if n <= 1 {
		return [][]*loadedModule{rules}
	}
	sorted := slices.Clone(rules)
	slices.SortStableFunc(sorted, func(a, b *loadedModule) int { return cmp.Compare(b.size, a.size) })
	out := make([][]*loadedModule, n)
	load := make([]int, n)
	for _, m := range sorted {
		i := slices.Index(load, slices.Min(load))
		out[i] = append(out[i], m)
		load[i] += m.size
	}
	return out
}
