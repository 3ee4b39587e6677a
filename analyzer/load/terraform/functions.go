package terraform

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	yaml "go.yaml.in/yaml/v3"
)

// maxAuxFile bounds what file() and templatefile() read.
const maxAuxFile = 4 << 20

// notEvaluated are Terraform's built-in functions rolecall does not compute: a call's result
// is unknown (and said so), never an error. Names Terraform does not know are errors, as in
// Terraform.
var notEvaluated = map[string]bool{
	"abspath": true, "base64gzip": true, "base64sha256": true, "base64sha512": true, "bcrypt": true,
	"cidrhost": true, "cidrnetmask": true, "cidrsubnet": true, "cidrsubnets": true, "ephemeralasnull": true,
	"filebase64": true, "filebase64sha256": true, "filebase64sha512": true, "filemd5": true, "fileset": true,
	"filesha1": true, "filesha256": true, "filesha512": true, "issensitive": true, "matchkeys": true,
	"pathexpand": true, "rsadecrypt": true, "templatestring": true, "textdecodebase64": true,
	"textencodebase64": true, "timecmp": true, "transpose": true, "type": true, "uuidv5": true,
	"list": true, "map": true,
}

// functions is Terraform's function table for the modules of a root (file paths are relative
// to the root's folder, as Terraform's working directory).
func (l *loader) functions(root *modInst) map[string]function.Function {
	if f, ok := l.funcs[root]; ok {
		return f
	}
	f := map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc, "log": stdlib.LogFunc,
		"max": stdlib.MaxFunc, "min": stdlib.MinFunc, "parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc,
		"signum": stdlib.SignumFunc,
		"chomp":  stdlib.ChompFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc, "upper": stdlib.UpperFunc,
		"regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc, "split": stdlib.SplitFunc,
		"strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc, "title": stdlib.TitleFunc, "trim": stdlib.TrimFunc,
		"trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc, "trimspace": stdlib.TrimSpaceFunc,
		"chunklist": stdlib.ChunklistFunc, "coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
		"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc,
		"element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc, "index": stdlib.IndexFunc, "keys": stdlib.KeysFunc,
		"lookup": lookupFunc, "merge": stdlib.MergeFunc, "range": stdlib.RangeFunc,
		"reverse": stdlib.ReverseListFunc, "setintersection": stdlib.SetIntersectionFunc,
		"setproduct": stdlib.SetProductFunc, "setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc,
		"slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
		"jsondecode": stdlib.JSONDecodeFunc, "jsonencode": stdlib.JSONEncodeFunc, "csvdecode": stdlib.CSVDecodeFunc,
		"formatdate": stdlib.FormatDateFunc, "timeadd": stdlib.TimeAddFunc,
		"tobool": stdlib.MakeToFunc(cty.Bool), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tostring": stdlib.MakeToFunc(cty.String), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"try": tryfunc.TryFunc, "can": tryfunc.CanFunc,

		"replace": replaceFunc, "length": lengthFunc, "coalesce": coalesceFunc,
		"startswith": strPredicate(strings.HasPrefix), "endswith": strPredicate(strings.HasSuffix),
		"strcontains": strPredicate(strings.Contains),
		"one":         oneFunc, "alltrue": boolsFunc(true), "anytrue": boolsFunc(false), "sum": sumFunc,
		"base64encode": strFunc(func(s string) (string, error) { return base64.StdEncoding.EncodeToString([]byte(s)), nil }),
		"base64decode": strFunc(base64Decode),
		"urlencode":    strFunc(func(s string) (string, error) { return url.QueryEscape(s), nil }),
		"md5":          hashFunc(md5.New), "sha1": hashFunc(sha1.New), "sha256": hashFunc(sha256.New), "sha512": hashFunc(sha512.New),
		"basename":   strFunc(func(s string) (string, error) { return filepath.Base(s), nil }),
		"dirname":    strFunc(func(s string) (string, error) { return filepath.Dir(s), nil }),
		"yamlencode": yamlEncodeFunc, "yamldecode": yamlDecodeFunc,
		"sensitive": identityFunc, "nonsensitive": identityFunc,
		"timestamp": unknownFunc(cty.String), "plantimestamp": unknownFunc(cty.String), "uuid": unknownFunc(cty.String),
	}
	for n := range notEvaluated {
		f[n] = unknownFunc(cty.DynamicPseudoType)
	}
	f["file"] = l.fileFunc(root)
	f["fileexists"] = l.fileExistsFunc(root)
	l.funcs[root] = f
	f["templatefile"] = l.templateFileFunc(root, f)
	return f
}

// warnFunctions says, once per call, that a function's result is not computed.
func (l *loader) warnFunctions(in *exprInfo) {
	for _, c := range in.funcs {
		if notEvaluated[c.Name] || strings.Contains(c.Name, "::") {
			r := c.NameRange
			l.diag(warnf(r.Filename, r.Start, "function %s is not evaluated by rolecall: its result is unknown", c.Name))
		}
	}
}

// providerFunctions adds placeholders for provider-defined functions (provider::aws::…) an
// expression calls: their result is unknown.
func addProviderFuncs(f map[string]function.Function, in *exprInfo) map[string]function.Function {
	var out map[string]function.Function
	for _, c := range in.funcs {
		if strings.Contains(c.Name, "::") {
			if out == nil {
				out = make(map[string]function.Function, len(f)+1)
				for k, v := range f {
					out[k] = v
				}
			}
			out[c.Name] = unknownFunc(cty.DynamicPseudoType)
		}
	}
	if out == nil {
		return f
	}
	return out
}

func unknownFunc(t cty.Type) function.Function {
	return function.New(&function.Spec{
		VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowNull: true,
			AllowUnknown: true, AllowDynamicType: true, AllowMarked: true},
		Type: function.StaticReturnType(t),
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) { return cty.UnknownVal(t), nil },
	})
}

var identityFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowNull: true,
		AllowUnknown: true, AllowDynamicType: true, AllowMarked: true}},
	Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) { return args[0], nil },
})

// replaceFunc is Terraform's replace: a substring in /slashes/ is a regular expression.
var replaceFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "substr", Type: cty.String}, {Name: "replace", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		sub := args[1].AsString()
		if len(sub) > 1 && strings.HasPrefix(sub, "/") && strings.HasSuffix(sub, "/") {
			return stdlib.RegexReplaceFunc.Call([]cty.Value{args[0], cty.StringVal(sub[1 : len(sub)-1]), args[2]})
		}
		return stdlib.ReplaceFunc.Call(args)
	},
})

// lookupFunc is Terraform's lookup, whose default is optional (without it, a missing key is
// an error).
var lookupFunc = function.New(&function.Spec{
	Params:   []function.Parameter{{Name: "inputMap", Type: cty.DynamicPseudoType, AllowMarked: true}, {Name: "key", Type: cty.String, AllowMarked: true}},
	VarParam: &function.Parameter{Name: "default", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true},
	Type: func(args []cty.Value) (cty.Type, error) {
		if len(args) > 3 {
			return cty.NilType, errors.New("lookup takes at most three arguments")
		}
		if len(args) == 3 {
			return stdlib.LookupFunc.ReturnTypeForValues(args)
		}
		return cty.DynamicPseudoType, nil
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if len(args) == 3 {
			return stdlib.LookupFunc.Call(args)
		}
		m, k := args[0], args[1]
		if !m.IsKnown() {
			return cty.DynamicVal, nil
		}
		if !(m.Type().IsMapType() || m.Type().IsObjectType()) {
			return cty.NilVal, errors.New("the first argument must be a map or an object")
		}
		if v, ok := element(m, k.AsString()); ok {
			return v, nil
		}
		return cty.NilVal, fmt.Errorf("lookup failed to find key %q", k.AsString())
	},
})

// lengthFunc is Terraform's length: of a collection, or of a string in characters.
var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true, AllowMarked: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		switch {
		case v.Type() == cty.DynamicPseudoType:
			return cty.UnknownVal(cty.Number), nil
		case v.Type() == cty.String:
			return stdlib.StrlenFunc.Call(args)
		}
		return stdlib.LengthFunc.Call(args)
	},
})

// coalesceFunc is Terraform's coalesce: the first argument that is neither null nor "".
var coalesceFunc = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "vals", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true},
	Type: func(args []cty.Value) (cty.Type, error) {
		return cty.DynamicPseudoType, nil
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		for _, a := range args {
			if !a.IsKnown() {
				return cty.DynamicVal, nil
			}
			if a.IsNull() || (a.Type() == cty.String && a.AsString() == "") {
				continue
			}
			return a, nil
		}
		return cty.NilVal, errors.New("no non-null, non-empty-string arguments")
	},
})

func strPredicate(f func(s, sub string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "sub", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(f(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

func strFunc(f func(string) (string, error)) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			s, err := f(args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(s), nil
		},
	})
}

func base64Decode(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("invalid base64: %w", err)
	}
	if !utf8.Valid(b) {
		return "", errors.New("the decoded bytes are not UTF-8 text")
	}
	return string(b), nil
}

func hashFunc(h func() hash.Hash) function.Function {
	return strFunc(func(s string) (string, error) {
		x := h()
		x.Write([]byte(s))
		return hex.EncodeToString(x.Sum(nil)), nil
	})
}

// oneFunc is Terraform's one: the only element of a collection, null when empty.
var oneFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty.IsListType() || ty.IsSetType():
			return ty.ElementType(), nil
		case ty.IsTupleType():
			if n := len(ty.TupleElementTypes()); n == 1 {
				return ty.TupleElementTypes()[0], nil
			} else if n == 0 {
				return cty.DynamicPseudoType, nil
			}
			return cty.NilType, errors.New("must be a list, set or tuple with at most one element")
		}
		return cty.NilType, errors.New("must be a list, set or tuple")
	},
	Impl: func(args []cty.Value, ret cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.IsKnown() {
			return cty.UnknownVal(ret), nil
		}
		switch n := v.LengthInt(); n {
		case 0:
			return cty.NullVal(ret), nil
		case 1:
			it := v.ElementIterator()
			it.Next()
			_, e := it.Element()
			return e, nil
		}
		return cty.NilVal, errors.New("must have at most one element")
	},
})

func boolsFunc(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			for it := args[0].ElementIterator(); it.Next(); {
				_, e := it.Element()
				if !e.IsKnown() {
					return cty.UnknownVal(cty.Bool), nil
				}
				if e.IsNull() || e.True() != all {
					return cty.BoolVal(!all), nil
				}
			}
			return cty.BoolVal(all), nil
		},
	})
}

var sumFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Number)}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].LengthInt() == 0 {
			return cty.NilVal, errors.New("cannot sum an empty list")
		}
		total := cty.Zero
		for it := args[0].ElementIterator(); it.Next(); {
			_, e := it.Element()
			if !e.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			if e.IsNull() {
				return cty.NilVal, errors.New("cannot sum null")
			}
			total = total.Add(e)
		}
		return total, nil
	},
})

var yamlEncodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowNull: true, AllowDynamicType: true}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.IsWhollyKnown() {
			return cty.UnknownVal(cty.String), nil
		}
		b, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			return cty.NilVal, err
		}
		var x yaml.Node
		if err := yaml.Unmarshal(b, &x); err != nil {
			return cty.NilVal, err
		}
		blockStyle(&x)
		out, err := yaml.Marshal(&x)
		if err != nil {
			return cty.NilVal, err
		}
		return cty.StringVal(string(out)), nil
	},
})

// blockStyle clears the flow style JSON text parses with, so the YAML is written in block style.
func blockStyle(n *yaml.Node) {
	n.Style &^= yaml.FlowStyle
	for _, c := range n.Content {
		blockStyle(c)
	}
}

var yamlDecodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "src", Type: cty.String}},
	Type:   function.StaticReturnType(cty.DynamicPseudoType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var x any
		if err := yaml.Unmarshal([]byte(args[0].AsString()), &x); err != nil {
			return cty.NilVal, err
		}
		b, err := json.Marshal(x)
		if err != nil {
			return cty.NilVal, fmt.Errorf("unsupported YAML: %w", err)
		}
		ty, err := ctyjson.ImpliedType(b)
		if err != nil {
			return cty.NilVal, err
		}
		return ctyjson.Unmarshal(b, ty)
	},
})

// auxFile is a file read by file() or templatefile().
type auxFile struct {
	name string // reported
	data []byte
	err  error
}

// auxFile reads p (relative to the root's folder, as Terraform's working directory) once.
func (l *loader) auxFile(root *modInst, p string) *auxFile {
	disk := p
	if !filepath.IsAbs(p) {
		disk = filepath.Join(root.mod.disk, filepath.FromSlash(p))
	}
	disk = filepath.Clean(disk)
	if f, ok := l.aux[disk]; ok {
		return f
	}
	f := &auxFile{name: l.shownName(disk, relPath(root.mod.dir, filepath.ToSlash(p)))}
	l.aux[disk] = f
	st, err := os.Stat(disk)
	switch {
	case err != nil:
		f.err = unwrapPath(err)
	case !st.Mode().IsRegular():
		f.err = errors.New("not a regular file")
	case st.Size() > maxAuxFile:
		f.err = fmt.Errorf("larger than %d bytes", maxAuxFile)
	}
	if f.err != nil {
		return f
	}
	f.data, f.err = os.ReadFile(disk)
	if f.err != nil {
		f.err = unwrapPath(f.err)
		return f
	}
	if !utf8.Valid(f.data) {
		f.err = errors.New("not UTF-8 text")
		return f
	}
	l.noteRead(f.name, f.data)
	return f
}

func (l *loader) fileFunc(root *modInst) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			f := l.auxFile(root, args[0].AsString())
			if f.err != nil {
				return cty.NilVal, fmt.Errorf("cannot read %s: %w", f.name, f.err)
			}
			return cty.StringVal(string(f.data)), nil
		},
	})
}

func (l *loader) fileExistsFunc(root *modInst) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			if !filepath.IsAbs(p) {
				p = filepath.Join(root.mod.disk, filepath.FromSlash(p))
			}
			st, err := os.Stat(p)
			return cty.BoolVal(err == nil && st.Mode().IsRegular()), nil
		},
	})
}

// templateFileFunc renders a template file with the given variables and the same functions
// (templatefile itself excepted, as in Terraform).
func (l *loader) templateFileFunc(root *modInst, funcs map[string]function.Function) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "vars", Type: cty.DynamicPseudoType}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			f := l.auxFile(root, args[0].AsString())
			if f.err != nil {
				return cty.NilVal, fmt.Errorf("cannot read %s: %w", f.name, f.err)
			}
			vars := args[1]
			if !vars.IsWhollyKnown() {
				return cty.UnknownVal(cty.String), nil
			}
			if !(vars.Type().IsObjectType() || vars.Type().IsMapType()) {
				return cty.NilVal, errors.New("vars must be an object or a map")
			}
			expr, diags := hclsyntax.ParseTemplate(f.data, f.name, hcl.InitialPos)
			if diags.HasErrors() {
				return cty.NilVal, fmt.Errorf("%s: %s", f.name, diags[0].Error())
			}
			ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: map[string]function.Function{}}
			for k, fn := range funcs {
				if k != "templatefile" {
					ctx.Functions[k] = fn
				}
			}
			for it := vars.ElementIterator(); it.Next(); {
				k, v := it.Element()
				ctx.Variables[k.AsString()] = v
			}
			v, diags := expr.Value(ctx)
			if diags.HasErrors() {
				return cty.NilVal, fmt.Errorf("%s", diags[0].Error())
			}
			s, err := stdlib.MakeToFunc(cty.String).Call([]cty.Value{v})
			if err != nil {
				return cty.NilVal, fmt.Errorf("the template's result is not a string: %w", err)
			}
			return s, nil
		},
	})
}
