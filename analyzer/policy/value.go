package policy

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"
)

// toValue converts the input document into an OPA value, directly from the Go values: the
// same value as encoding it to JSON (json tags, omitempty, nil as null) and letting OPA decode
// that, without the text in between — at 5,000 roles the round trip took seconds.
func toValue(input any) (ast.Value, error) {
	if v, ok := input.(ast.Value); ok {
		return v, nil
	}
	c := converter{types: map[reflect.Type]*typeInfo{}}
	return c.value(reflect.ValueOf(input))
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// converter caches, per type, what encoding/json would do with it.
type converter struct {
	types map[reflect.Type]*typeInfo
}

type typeInfo struct {
	// marshals: the type encodes itself (json.Marshaler, encoding.TextMarshaler);
	// addrMarshals: its pointer does, which encoding/json uses when the value is addressable.
	marshals, addrMarshals bool
	fields                 []structField
	// viaJSON: a struct encoding/json treats in a way the converter does not copy (embedded
	// fields, ",string", omitzero, clashing or unusual names); it goes through JSON.
	viaJSON bool
}

type structField struct {
	index     int
	key       *ast.Term
	omitEmpty bool
}

func (c *converter) value(v reflect.Value) (ast.Value, error) {
	if !v.IsValid() {
		return ast.NullValue, nil
	}
	t := v.Type()
	info := c.typeInfo(t)
	switch {
	case info.marshals:
		return viaJSON(v)
	case info.addrMarshals && v.CanAddr():
		return viaJSON(v)
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.NullValue, nil
		}
		return c.value(v.Elem())
	case reflect.Struct:
		if info.viaJSON {
			return viaJSON(v)
		}
		return c.object(v, info.fields)
	case reflect.Slice:
		if v.IsNil() {
			return ast.NullValue, nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return viaJSON(v) // base64
		}
		return c.array(v)
	case reflect.Array:
		return c.array(v)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return viaJSON(v)
		}
		if v.IsNil() {
			return ast.NullValue, nil
		}
		obj := ast.NewObjectWithCapacity(v.Len())
		for it := v.MapRange(); it.Next(); {
			x, err := c.value(it.Value())
			if err != nil {
				return nil, err
			}
			obj.Insert(ast.InternedTerm(it.Key().String()), ast.NewTerm(x))
		}
		return obj, nil
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) {
			return viaJSON(v) // JSON replaces invalid bytes
		}
		return ast.InternedValue(s), nil
	case reflect.Bool:
		return ast.InternedValue(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ast.InternedValue(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return ast.Number(strconv.FormatUint(v.Uint(), 10)), nil
	}
	return viaJSON(v) // floats (JSON's number format), and what JSON rejects
}

func (c *converter) array(v reflect.Value) (ast.Value, error) {
	terms := util.NewPtrSlice[ast.Term](v.Len())
	for i, t := range terms {
		x, err := c.value(v.Index(i))
		if err != nil {
			return nil, err
		}
		t.Value = x
	}
	return ast.NewArray(terms...), nil
}

func (c *converter) object(v reflect.Value, fields []structField) (ast.Value, error) {
	obj := ast.NewObjectWithCapacity(len(fields))
	terms := util.NewPtrSlice[ast.Term](len(fields))
	for i, f := range fields {
		fv := v.Field(f.index)
		if f.omitEmpty && isEmptyValue(fv) {
			continue
		}
		x, err := c.value(fv)
		if err != nil {
			return nil, err
		}
		terms[i].Value = x
		obj.Insert(f.key, terms[i])
	}
	return obj, nil
}

func (c *converter) typeInfo(t reflect.Type) *typeInfo {
	if info, ok := c.types[t]; ok {
		return info
	}
	info := &typeInfo{marshals: t.Implements(jsonMarshaler) || t.Implements(textMarshaler)}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		p := reflect.PointerTo(t)
		info.addrMarshals = p.Implements(jsonMarshaler) || p.Implements(textMarshaler)
	}
	c.types[t] = info
	if t.Kind() == reflect.Struct {
		info.fields, info.viaJSON = structFields(t)
	}
	return info
}

// structFields lists the fields encoding/json writes, or says the struct needs encoding/json.
func structFields(t reflect.Type) (fields []structField, viaJSON bool) {
	seen := map[string]bool{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return nil, true
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		if seen[name] || strings.ContainsFunc(name, unusualKeyRune) {
			return nil, true
		}
		seen[name] = true
		f := structField{index: i, key: ast.StringTerm(name)}
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "omitempty":
				f.omitEmpty = true
			case "string", "omitzero":
				return nil, true
			}
		}
		fields = append(fields, f)
	}
	return fields, false
}

// unusualKeyRune: encoding/json may refuse such a tag name and use the field's name.
func unusualKeyRune(r rune) bool {
	return !(r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r))
}

// isEmptyValue is encoding/json's omitempty test.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// viaJSON converts v as OPA converts a Go value it does not know: through its JSON form.
func viaJSON(v reflect.Value) (ast.Value, error) {
	if !v.IsValid() {
		return ast.NullValue, nil
	}
	if v.CanAddr() {
		v = v.Addr() // as encoding/json sees it: pointer methods apply
	}
	bs, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, err
	}
	var x any
	if err := util.UnmarshalJSON(bs, &x); err != nil {
		return nil, err
	}
	return ast.InterfaceToValue(x)
}
