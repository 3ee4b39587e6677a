package docnode

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v3"
)

// doc is a compact view of a parsed document.
type doc struct {
	Index     int
	JSON      bool
	Kind      yaml.Kind
	Line, Col int
	Data      string
}

func views(docs []*Document) []doc {
	var out []doc
	for _, d := range docs {
		out = append(out, doc{d.Index, d.JSON, d.Root.Kind, d.Root.Line, d.Root.Column, string(d.Data)})
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []doc
	}{
		{"JSON object is one JSON document", `{"a": 1}`, []doc{{0, true, yaml.MappingNode, 1, 1, `{"a": 1}`}}},
		{"JSON array after whitespace", "\n  [1, 2]", []doc{{0, true, yaml.SequenceNode, 2, 3, "\n  [1, 2]"}}},
		{"JSON with a BOM: BOM removed from Data", "\xef\xbb\xbf{\"a\":1}", []doc{{0, true, yaml.MappingNode, 1, 1, `{"a":1}`}}},
		{"YAML with a BOM", "\xef\xbb\xbfa: 1\n", []doc{{0, false, yaml.MappingNode, 1, 1, "a: 1\n"}}},
		{"multi-document YAML keeps stream indexes", "a: 1\n---\n- x\n", []doc{
			{0, false, yaml.MappingNode, 1, 1, "a: 1\n---\n- x\n"},
			{1, false, yaml.SequenceNode, 3, 1, "a: 1\n---\n- x\n"},
		}},
		{"empty documents are dropped, indexes keep counting", "---\n---\na: 1\n---\n", []doc{{1, false, yaml.MappingNode, 3, 1, "---\n---\na: 1\n---\n"}}},
		{"explicit null document is dropped", "---\nnull\n---\nb: 2\n", []doc{{1, false, yaml.MappingNode, 4, 1, "---\nnull\n---\nb: 2\n"}}},
		{"empty input", "", nil},
		{"whitespace only", "  \n\n", nil},
		{"comment only", "# nothing here\n", nil},
		{"scalar document", "hello\n", []doc{{0, false, yaml.ScalarNode, 1, 1, "hello\n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := Parse("f", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			for _, d := range docs {
				if d.File != "f" {
					t.Errorf("File = %q, want f", d.File)
				}
			}
			if diff := cmp.Diff(tt.want, views(docs)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		file, in string
		want     PosError
		docs     int // documents returned before the error
	}{
		{"JSON trailing garbage right after the value", "p.json", `{"a":1}x`,
			PosError{"p.json", 1, 8, "unexpected content after the JSON value (expected end of file)"}, 0},
		{"JSON trailing garbage after a space", "p.json", `{"a":1} x`,
			PosError{"p.json", 1, 9, "unexpected content after the JSON value (expected end of file)"}, 0},
		{"JSON truncated input points at the end", "p.json", `{"a": [1, 2`,
			PosError{"p.json", 1, 12, "invalid JSON: unexpected end of input (unclosed object, array or string)"}, 0},
		{"JSON truncated over several lines", "p.json", "{\n  \"a\": [1,\n",
			PosError{"p.json", 3, 1, "invalid JSON: unexpected end of input (unclosed object, array or string)"}, 0},
		{"JSON invalid token in a literal", "p.json", `{"a": tru}`,
			PosError{"p.json", 1, 10, "invalid JSON: invalid character '}' in literal true (expecting 'e')"}, 0},
		{"JSON invalid token on a later line", "p.json", "{\n  \"a\": x\n}",
			PosError{"p.json", 2, 8, "invalid JSON: invalid character 'x' looking for beginning of value"}, 0},
		{"JSON trailing comma is rejected (strict)", "p.json", "[1,]",
			PosError{"p.json", 1, 4, "invalid JSON: invalid character ']' looking for beginning of value"}, 0},
		{"JSON error column counts runes", "p.json", `{"é": x}`,
			PosError{"p.json", 1, 7, "invalid JSON: invalid character 'x' looking for beginning of value"}, 0},
		{"YAML error line with the first non-blank column", "p.yaml", "a: 1\n  b: 2\n",
			PosError{"p.yaml", 2, 3, "invalid YAML: mapping values are not allowed in this context"}, 0},
		{"YAML error in a later document returns the earlier ones", "p.yaml", "a: 1\n---\nb: 1\n  c: 2\n",
			PosError{"p.yaml", 4, 3, "invalid YAML: mapping values are not allowed in this context"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := Parse(tt.file, []byte(tt.in))
			var pe *PosError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *PosError", err)
			}
			if diff := cmp.Diff(tt.want, *pe); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if len(docs) != tt.docs {
				t.Errorf("%d documents returned, want %d", len(docs), tt.docs)
			}
		})
	}
}

func TestPosErrorFormat(t *testing.T) {
	e := &PosError{File: "a/b.json", Line: 3, Column: 7, Msg: "invalid JSON: x"}
	if got, want := e.Error(), "a/b.json:3:7: invalid JSON: x"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestLooksLikeJSON(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`{}`, true}, {" \n\t[1]", true}, {"\xef\xbb\xbf {}", true}, {"a: {}", false}, {"", false}, {"- [1]", false},
	}
	for _, tt := range tests {
		if got := LooksLikeJSON([]byte(tt.in)); got != tt.want {
			t.Errorf("LooksLikeJSON(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncdé f\n\nx")
	tests := []struct {
		name      string
		off       int
		line, col int
	}{
		{"start", 0, 1, 1},
		{"middle of the first line", 1, 1, 2},
		{"the newline itself", 2, 1, 3},
		{"start of the second line", 3, 2, 1},
		{"after a multi-byte rune counts one column", 7, 2, 4}, // "cdé" is 4 bytes
		{"empty line", 10, 3, 1},
		{"last byte", 11, 4, 1},
		{"end of data", 12, 4, 2},
		{"negative offset clamps to the start", -5, 1, 1},
		{"offset past the end clamps to the end", 99, 4, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, col := LineCol(data, tt.off)
			if line != tt.line || col != tt.col {
				t.Errorf("LineCol(%d) = %d:%d, want %d:%d", tt.off, line, col, tt.line, tt.col)
			}
		})
	}
}

func parseRoot(t *testing.T, src string) *yaml.Node {
	t.Helper()
	docs, err := Parse("f", []byte(src))
	if err != nil || len(docs) != 1 {
		t.Fatalf("Parse: %v (%d docs)", err, len(docs))
	}
	return docs[0].Root
}

func TestLookup(t *testing.T) {
	type kv struct {
		Key, Value string
		KeyLine    int
		KeyCol     int
		Found      bool
	}
	view := func(k, v *yaml.Node) kv {
		if k == nil {
			return kv{}
		}
		return kv{k.Value, v.Value, k.Line, k.Column, true}
	}
	jsonRoot := `{"rolearn": "first", "RoleArn": "mixed", "rolearn": "last"}`
	yamlRoot := "a: 1\nb: 2\nA: 3\n"
	tests := []struct {
		name string
		src  string
		fold bool
		key  string
		want kv
	}{
		{"JSON duplicate key: the last wins", jsonRoot, false, "rolearn", kv{"rolearn", "last", 1, 42, true}},
		{"exact lookup is case-sensitive", jsonRoot, false, "RoleArn", kv{"RoleArn", "mixed", 1, 22, true}},
		{"absent key", jsonRoot, false, "ROLEARN", kv{}},
		{"fold lookup matches any case, last wins", jsonRoot, true, "ROLEARN", kv{"rolearn", "last", 1, 42, true}},
		{"YAML exact lookup", yamlRoot, false, "a", kv{"a", "1", 1, 1, true}},
		{"YAML fold lookup takes the last of a and A", yamlRoot, true, "a", kv{"A", "3", 3, 1, true}},
		{"lookup in a sequence finds nothing", "[1, 2]", false, "a", kv{}},
		{"fold lookup in a scalar finds nothing", "hello", true, "a", kv{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := parseRoot(t, tt.src)
			var k, v *yaml.Node
			if tt.fold {
				k, v = LookupFold(root, tt.key)
			} else {
				k, v = Lookup(root, tt.key)
			}
			if diff := cmp.Diff(tt.want, view(k, v)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("nil mapping", func(t *testing.T) {
		if k, v := Lookup(nil, "a"); k != nil || v != nil {
			t.Errorf("Lookup(nil) = %v, %v", k, v)
		}
	})
}

func TestAccessors(t *testing.T) {
	root := parseRoot(t, "base: &b {x: 1}\nref: *b\nlist: [a, 2]\nnum: 3\nstr: '3'\nnothing: null\n")
	t.Run("Get resolves aliases", func(t *testing.T) {
		ref := Get(root, "ref")
		if !IsMap(ref) || Get(ref, "x").Value != "1" {
			t.Errorf("Get(ref) = %+v, want the aliased mapping", ref)
		}
	})
	t.Run("Str", func(t *testing.T) {
		type sv struct {
			S  string
			OK bool
		}
		var got []sv
		for _, k := range []string{"num", "str", "nothing", "list", "absent"} {
			s, ok := Str(Get(root, k))
			got = append(got, sv{s, ok})
		}
		want := []sv{{"3", true}, {"3", true}, {"", false}, {"", false}, {"", false}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("IsString tells strings from numbers", func(t *testing.T) {
		if IsString(Get(root, "num")) || !IsString(Get(root, "str")) || IsString(nil) {
			t.Errorf("IsString: num %v, str %v", IsString(Get(root, "num")), IsString(Get(root, "str")))
		}
	})
	t.Run("Pairs in document order", func(t *testing.T) {
		var keys []string
		for _, p := range Pairs(root) {
			keys = append(keys, p[0].Value)
		}
		if diff := cmp.Diff([]string{"base", "ref", "list", "num", "str", "nothing"}, keys); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if Pairs(Get(root, "list")) != nil {
			t.Errorf("Pairs of a sequence should be nil")
		}
	})
	t.Run("Items", func(t *testing.T) {
		var vals []string
		for _, it := range Items(Get(root, "list")) {
			vals = append(vals, it.Value)
		}
		if diff := cmp.Diff([]string{"a", "2"}, vals); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if Items(root) != nil {
			t.Errorf("Items of a mapping should be nil")
		}
	})
	t.Run("HasKeys", func(t *testing.T) {
		if !HasKeys(root, "base", "num") || HasKeys(root, "base", "absent") {
			t.Errorf("HasKeys wrong")
		}
	})
}

func TestParseTrailingDelimiterPosition(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		line, col int
	}{
		{"object after object", `{"a":1}{}`, 1, 8},
		{"array after object on a later line", "{\n \"a\": 1\n}\n[]", 4, 1},
		{"closing bracket after object", `{"a":1} ]`, 1, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.json", []byte(tt.data))
			var pe *PosError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *PosError", err)
			}
			if pe.Line != tt.line || pe.Column != tt.col {
				t.Errorf("position %d:%d, want %d:%d", pe.Line, pe.Column, tt.line, tt.col)
			}
		})
	}
}

// FuzzParse: any bytes either parse or yield a positioned error; never a panic.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{`{"a":1}`, "a: 1\n---\nb: [1, 2]\n", `{"a":`, "\xef\xbb\xbf{}", "k: v\n  bad: indent\n", "[1,]"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Parse("fuzz", data)
		if err != nil {
			var pe *PosError
			if !errors.As(err, &pe) || pe.Line < 1 || pe.Column < 1 {
				t.Fatalf("unpositioned error %v", err)
			}
		}
		for _, d := range docs {
			if d.Root == nil {
				t.Fatal("document without a root")
			}
		}
	})
}
