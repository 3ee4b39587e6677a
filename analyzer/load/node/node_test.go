package node

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
)

const doc = `s: text
n: 5
null: ~
list: [a, b]
lone: solo
mixed: [a, {x: 1}, 3]
map: {k: v}
objs: [{a: 1}, x, {b: 2}]
alias: &anchor [p, q]
ref: *anchor
`

func root(t *testing.T) *yaml.Node {
	t.Helper()
	docs, err := docnode.Parse("f.yaml", []byte(doc))
	if err != nil || len(docs) != 1 {
		t.Fatalf("parse: %v (%d documents)", err, len(docs))
	}
	return docs[0].Root
}

func errAt(line, col int, msg string) result.Diagnostic {
	return result.Diagnostic{Severity: result.DiagError, File: "f.yaml", Line: line, Column: col, Message: msg}
}

func TestStr(t *testing.T) {
	m := root(t)
	tests := []struct {
		key      string
		want     string
		wantNode bool
		diags    []result.Diagnostic
	}{
		{key: "s", want: "text", wantNode: true},
		{key: "n", want: "5", wantNode: true}, // numbers are read as their text
		{key: "null"},
		{key: "absent"},
		{key: "list", diags: []result.Diagnostic{errAt(4, 7, "thing: list must be a string")}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			r := &Reader{File: "f.yaml"}
			got, v := r.Str(m, tt.key, "thing")
			if got != tt.want || (v != nil) != tt.wantNode {
				t.Errorf("Str(%q) = %q, node %v; want %q, node %v", tt.key, got, v != nil, tt.want, tt.wantNode)
			}
			if diff := cmp.Diff(tt.diags, r.Diags); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStrList(t *testing.T) {
	m := root(t)
	tests := []struct {
		key         string
		strict, any []string // StrList, StrOrList
		strictDiags []result.Diagnostic
		anyDiags    []result.Diagnostic
	}{
		{key: "absent"},
		{key: "null"},
		{key: "list", strict: []string{"a", "b"}, any: []string{"a", "b"}},
		{key: "ref", strict: []string{"p", "q"}, any: []string{"p", "q"}},
		{
			key: "lone", any: []string{"solo"},
			strictDiags: []result.Diagnostic{errAt(5, 7, "thing: lone must be a list of strings")},
		},
		{
			key: "mixed", strict: []string{"a", "3"}, any: []string{"a", "3"},
			strictDiags: []result.Diagnostic{errAt(6, 12, "thing: mixed must be a list of strings")},
			anyDiags:    []result.Diagnostic{errAt(6, 12, "thing: mixed must be a list of strings")},
		},
		{
			key:         "map",
			strictDiags: []result.Diagnostic{errAt(7, 6, "thing: map must be a list of strings")},
			anyDiags:    []result.Diagnostic{errAt(7, 6, "thing: map must be a list of strings")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			r := &Reader{File: "f.yaml"}
			if diff := cmp.Diff(tt.strict, r.StrList(m, tt.key, "thing")); diff != "" {
				t.Errorf("StrList (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.strictDiags, r.Diags); diff != "" {
				t.Errorf("StrList diagnostics (-want +got):\n%s", diff)
			}
			r = &Reader{File: "f.yaml"}
			if diff := cmp.Diff(tt.any, r.StrOrList(m, tt.key, "thing")); diff != "" {
				t.Errorf("StrOrList (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.anyDiags, r.Diags); diff != "" {
				t.Errorf("StrOrList diagnostics (-want +got):\n%s", diff)
			}
		})
	}
	// Present but empty stays distinguishable from absent.
	empty, err := docnode.Parse("e.yaml", []byte("l: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := &Reader{File: "e.yaml"}
	if got := r.StrList(empty[0].Root, "l", "thing"); got == nil || len(got) != 0 {
		t.Errorf("StrList of [] = %#v, want a non-nil empty slice", got)
	}
}

func TestObjects(t *testing.T) {
	m := root(t)
	r := &Reader{File: "f.yaml"}
	if got := r.Objects(m, "absent", "thing"); got != nil {
		t.Errorf("Objects(absent) = %v, want nil", got)
	}
	if got := r.Objects(m, "null", "thing"); got != nil {
		t.Errorf("Objects(null) = %v, want nil", got)
	}
	if got := r.Objects(m, "map", "thing"); len(got) != 1 || docnode.Get(got[0], "k") == nil {
		t.Errorf("Objects(lone mapping) = %v, want the mapping as one element", got)
	}
	got := r.Objects(m, "objs", "thing")
	if len(got) != 2 || got[0].Line != 8 || got[0].Column != 8 || got[1].Column != 19 {
		t.Errorf("Objects(objs) = %d mappings, want the two at 8:8 and 8:19", len(got))
	}
	if got := r.Objects(m, "s", "thing"); got != nil {
		t.Errorf("Objects(string) = %v, want nil", got)
	}
	want := []result.Diagnostic{
		errAt(8, 16, "thing: objs entries must be objects"),
		errAt(1, 4, "thing: s must be a list of objects"),
	}
	if diff := cmp.Diff(want, r.Diags); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestReport(t *testing.T) {
	m := root(t)
	r := &Reader{File: "f.yaml"}
	_, v := docnode.Lookup(m, "n")
	r.Errorf(v, "bad %d", 1)
	r.Warnf(nil, "whole file")
	want := []result.Diagnostic{
		errAt(2, 4, "bad 1"),
		{Severity: result.DiagWarning, File: "f.yaml", Message: "whole file"},
	}
	if diff := cmp.Diff(want, r.Diags); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if got, want := r.Src(v), inventory.At("f.yaml", 2, 4); got != want {
		t.Errorf("Src = %v, want %v", got, want)
	}
	if got, want := At("f.yaml", nil), (inventory.Source{File: "f.yaml"}); got != want {
		t.Errorf("At(nil) = %v, want %v", got, want)
	}
}

func TestHelpers(t *testing.T) {
	m := root(t)
	if !OnlyKeys(m, "s", "n", "null", "list", "lone", "mixed", "map", "objs", "alias", "ref") {
		t.Error("OnlyKeys with every key = false")
	}
	if OnlyKeys(m, "s", "n") {
		t.Error("OnlyKeys with some keys = true")
	}
	for key, want := range map[string]string{"s": "str", "n": "int", "null": "null", "list": "list", "map": "mapping"} {
		if got := KindName(docnode.Get(m, key)); got != want {
			t.Errorf("KindName(%s) = %q, want %q", key, got, want)
		}
	}
	a, b := docnode.Get(m, "s"), docnode.Get(m, "n")
	if First(nil, a, b) != a || First(nil, nil) != nil {
		t.Error("First does not return the first non-nil node")
	}
}
