package terraform

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
)

// varFile is a .tfvars (or .tfvars.json) file: variable name → value expression.
type varFile struct {
	name  string
	attrs []*hcl.Attribute // in source order
}

// cliVar is a -var NAME=VALUE.
type cliVar struct{ name, value string }

// parseVarInputs reads the -var values and the var files given on the command line.
func (l *loader) parseVarInputs() {
	for _, p := range l.opts.VarFiles {
		if vf := l.readVarFile(p, filepath.ToSlash(p), true); vf != nil {
			l.varFiles = append(l.varFiles, vf)
		}
	}
	for _, s := range l.opts.Vars {
		name, val, ok := strings.Cut(s, "=")
		name = strings.TrimSpace(name)
		if !ok || !hclsyntax.ValidIdentifier(name) {
			l.diag(errorf("", hcl.Pos{}, "-var %q: expected NAME=VALUE with NAME a variable name", s))
			continue
		}
		l.cliVars = append(l.cliVars, cliVar{name: name, value: val})
	}
}

// readVarFile parses a variable definitions file; nil (reported) when it cannot be read.
// A missing file is an error only when the user named it.
func (l *loader) readVarFile(disk, shown string, named bool) *varFile {
	data, err := os.ReadFile(disk)
	if err != nil {
		if named || !os.IsNotExist(err) {
			l.diag(errorf(shown, hcl.Pos{}, "cannot read variable definitions file: %v", unwrapPath(err)))
		}
		return nil
	}
	l.noteRead(shown, data)
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(strings.ToLower(shown), ".json") {
		f, diags = hcljson.Parse(data, shown)
	} else {
		f, diags = hclsyntax.ParseConfig(data, shown, hcl.InitialPos)
	}
	l.addHCL(diags)
	if diags.HasErrors() {
		return nil
	}
	attrs, diags := f.Body.JustAttributes()
	l.addHCL(diags)
	vf := &varFile{name: shown}
	for _, a := range attrs {
		vf.attrs = append(vf.attrs, a)
	}
	sort.Slice(vf.attrs, func(i, j int) bool { return vf.attrs[i].Range.Start.Byte < vf.attrs[j].Range.Start.Byte })
	return vf
}

// rootVars gives every variable of a root module its value, as Terraform does: the default,
// then terraform.tfvars, terraform.tfvars.json and *.auto.tfvars(.json) of the root folder in
// lexical order, then the command line's var files and -var values (var files first: their
// relative order on the command line is not known here). A variable without a value is
// unknown.
func (l *loader) rootVars(mi *modInst) map[string]varVal {
	m := mi.mod
	vals := map[string]varVal{}
	for name, v := range m.vars {
		l.declared[name] = true
		if v.def == nil {
			vals[name] = varVal{val: cty.UnknownVal(v.typ)}
			continue
		}
		val, diags := v.def.Value(nil)
		l.addHCL(diags)
		vals[name] = varVal{val: l.convertVar(val, v, v.def.Range()), expr: v.def, sc: &scope{}}
	}
	apply := func(vf *varFile, warnUndeclared bool) {
		for _, a := range vf.attrs {
			v, ok := m.vars[a.Name]
			if !ok {
				if warnUndeclared && !m.hasJSON {
					l.diag(warnf(vf.name, a.NameRange.Start, "value for undeclared variable %q: the root module in %s declares no such variable", a.Name, m.dir))
				}
				continue
			}
			val, diags := a.Expr.Value(nil)
			l.addHCL(diags)
			vals[a.Name] = varVal{val: l.convertVar(val, v, a.Expr.Range()), expr: a.Expr, sc: &scope{}}
		}
	}
	for _, vf := range l.autoVarFiles(m) {
		apply(vf, true)
	}
	for _, vf := range l.varFiles {
		apply(vf, false)
	}
	for _, cv := range l.cliVars {
		v, ok := m.vars[cv.name]
		if !ok {
			continue
		}
		vals[cv.name] = varVal{val: l.convertVar(l.cliValue(cv, v), v, hcl.Range{})}
	}
	return vals
}

// cliValue parses a -var value as Terraform does: a literal string for variables of a
// primitive type or none, an HCL expression for the others.
func (l *loader) cliValue(cv cliVar, v *variable) cty.Value {
	if !v.typed || v.typ.IsPrimitiveType() {
		return cty.StringVal(cv.value)
	}
	expr, diags := hclsyntax.ParseExpression([]byte(cv.value), "-var "+cv.name, hcl.InitialPos)
	if diags.HasErrors() {
		l.diag(errorf("", hcl.Pos{}, "-var %s: the value is not a valid expression for a variable of type %s: %s", cv.name, typeName(v.typ), diags[0].Summary))
		return cty.UnknownVal(v.typ)
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		l.diag(errorf("", hcl.Pos{}, "-var %s: %s", cv.name, diags[0].Summary))
		return cty.UnknownVal(v.typ)
	}
	return val
}

func typeName(t cty.Type) string {
	if t == cty.DynamicPseudoType {
		return "any"
	}
	return t.FriendlyName()
}

// autoVarFiles reads the variable files Terraform loads by itself from a root folder.
func (l *loader) autoVarFiles(m *module) []*varFile {
	entries, err := os.ReadDir(m.disk)
	if err != nil {
		return nil
	}
	names := []string{"terraform.tfvars", "terraform.tfvars.json"}
	var auto []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && (strings.HasSuffix(n, ".auto.tfvars") || strings.HasSuffix(n, ".auto.tfvars.json")) {
			auto = append(auto, n)
		}
	}
	sort.Strings(auto)
	var out []*varFile
	for _, n := range append(names, auto...) {
		if vf := l.readVarFile(filepath.Join(m.disk, n), joinShown(m.dir, n), false); vf != nil {
			out = append(out, vf)
		}
	}
	return out
}

// checkVarInputs warns about command line values for variables no root module declares.
func (l *loader) checkVarInputs() {
	for _, vf := range l.varFiles {
		for _, a := range vf.attrs {
			if !l.declared[a.Name] {
				l.diag(warnf(vf.name, a.NameRange.Start, "value for undeclared variable %q: no root module read declares it", a.Name))
			}
		}
	}
	for _, cv := range l.cliVars {
		if !l.declared[cv.name] {
			l.diag(warnf("", hcl.Pos{}, "-var %s: no root module read declares variable %q", cv.name, cv.name))
		}
	}
}
