package policy

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/rolecall/rolecall/analyzer/load"
	"github.com/rolecall/rolecall/internal/corpus"
)

// TestToValueMatchesJSON: the direct conversion gives the value OPA decodes from the JSON
// form (what --dump-input writes), on every fixture.
func TestToValueMatchesJSON(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(corpus.ModuleRoot(t), "fixtures", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			inv, _ := load.Load(t.Context(), []string{dir}, load.Options{})
			in, _ := Build(inv, BuildOptions{})
			checkToValue(t, in)
		})
	}
}

type textKey string

func (k textKey) MarshalText() ([]byte, error) { return []byte("key:" + k), nil }

type selfEncoding struct{}

func (s selfEncoding) MarshalJSON() ([]byte, error) { return []byte(`{"self": true}`), nil }

type addrEncoding struct{}

func (*addrEncoding) MarshalJSON() ([]byte, error) { return []byte(`"by address"`), nil }

type Inner struct {
	A string `json:"a"`
}

type odd struct {
	Plain     string
	Renamed   string            `json:"renamed"`
	Skipped   string            `json:"-"`
	unexp     string            // unexported: never written
	Omitted   []string          `json:"omitted,omitempty"`
	Kept      []string          `json:"kept,omitempty"`
	NilSlice  []string          `json:"nil_slice"`
	NilPtr    *Inner            `json:"nil_ptr"`
	NilMap    map[string]int    `json:"nil_map"`
	Map       map[string]any    `json:"map"`
	TextKeys  map[textKey]int   `json:"text_keys"`
	Numbers   []any             `json:"numbers"`
	Float     float64           `json:"float"`
	Uint      uint64            `json:"uint"`
	Bytes     []byte            `json:"bytes"`
	AsString  int               `json:"as_string,string"`
	Time      time.Time         `json:"time"`
	Self      selfEncoding      `json:"self"`
	Addr      addrEncoding      `json:"addr"`
	Array     [2]bool           `json:"array"`
	Iface     any               `json:"iface"`
	BadUTF8   string            `json:"bad_utf8"`
	HTML      string            `json:"html"`
	Nested    map[string]*Inner `json:"nested"`
	Embedding embedding         `json:"embedding"`
}

type embedding struct {
	Inner
	B int `json:"b"`
}

func TestToValueOddShapes(t *testing.T) {
	v := odd{
		Plain: "p", Renamed: "r", Skipped: "s", unexp: "u",
		Kept:     []string{"k"},
		Map:      map[string]any{"z": 1, "a": []any{"x", nil, true, 2.5}},
		TextKeys: map[textKey]int{"t": 1},
		Numbers:  []any{0, -7, int64(1) << 60, uint8(3), 1e21, 0.1},
		Float:    3.25, Uint: 1 << 63, Bytes: []byte("hi"), AsString: 42,
		Time:    time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
		Array:   [2]bool{true, false},
		Iface:   &Inner{A: "i"},
		BadUTF8: "a\xffb\xfe\xfdc", HTML: "<a&b>",
		Nested:    map[string]*Inner{"n": {A: "x"}, "nil": nil},
		Embedding: embedding{Inner: Inner{A: "e"}, B: 2},
	}
	checkToValue(t, v)
	checkToValue(t, &v)
	checkToValue(t, []odd{v}) // addressable elements: *addrEncoding's MarshalJSON applies
	checkToValue(t, nil)
	checkToValue(t, map[string]any{"roles": []Role{{ID: "r"}}})
}

func checkToValue(t *testing.T, in any) {
	t.Helper()
	want, err := viaJSON(reflect.ValueOf(in))
	if err != nil {
		t.Fatal(err)
	}
	got, err := toValue(in)
	if err != nil {
		t.Fatal(err)
	}
	if ast.Compare(want, got) != 0 {
		t.Errorf("toValue(%T) =\n%v\nwant (through JSON)\n%v", in, got, want)
	}
}
