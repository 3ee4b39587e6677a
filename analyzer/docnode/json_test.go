package docnode

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/internal/corpus"
)

// view is what loaders read of a node.
type view struct {
	Kind         yaml.Kind
	Style        yaml.Style
	Tag, Value   string
	Line, Column int
	Content      []view
}

func viewOf(n *yaml.Node) view {
	v := view{Kind: n.Kind, Style: n.Style, Tag: n.Tag, Value: n.Value, Line: n.Line, Column: n.Column}
	for _, c := range n.Content {
		v.Content = append(v.Content, viewOf(c))
	}
	return v
}

// yamlTree is the tree yaml.v3 builds for data (ok false when it cannot read it).
func yamlTree(data []byte) (view, bool) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil || len(n.Content) == 0 {
		return view{}, false
	}
	return viewOf(n.Content[0]), true
}

// TestJSONTreeAsYAML: for JSON, the one-pass tree is the tree yaml.v3 builds (kinds, tags,
// styles, values, positions), on hand-made edge cases and on every JSON file of the real-world
// corpus and the fixtures; where yaml.v3 cannot read valid JSON, the values are encoding/json's.
func TestJSONTreeAsYAML(t *testing.T) {
	cases := map[string]string{
		"numbers":            `[0, -0, 1, -1, 9223372036854775807, 9223372036854775808, 18446744073709551616, 1.5, -1.5e-3, 1E5, 1e400, 0.0]`,
		"literals":           `{"t": true, "f": false, "n": null, "e": "", "a": [], "o": {}}`,
		"escapes":            `{"q": "a\"b\\c\n\t\u00e9\u0041"}`,
		"non-ASCII columns":  `{"é": "ünï", "k": "日本語", "x": 1}`,
		"CRLF and CR":        "{\r\n  \"a\": 1,\r  \"b\": [\r\n\t2 ,\n 3 ]\r\n}\r\n",
		"tabs and spaces":    "{\n\t\"a\" :\t{ \"b\":\"c\" } ,\n\t\"d\": [ ] }",
		"duplicate keys":     `{"a": 1, "a": 2}`,
		"nested arrays":      `[[[]], [{"a": [1, {"b": null}]}]]`,
		"minified one line":  `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}],"Version":"2012-10-17"}`,
		"number then spaces": `{"a": 12 , "b": 3.5	}`,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			want, ok := yamlTree([]byte(in))
			if !ok {
				t.Fatalf("yaml.v3 cannot read the case")
			}
			if diff := cmp.Diff(want, viewOf(jsonTree([]byte(in)))); diff != "" {
				t.Errorf("tree (-yaml.v3 +jsonTree):\n%s", diff)
			}
		})
	}

	t.Run("values yaml.v3 rejects are encoding/json's", func(t *testing.T) {
		// An escaped surrogate pair, invalid UTF-8 and the escape \/ (which PHP's json_encode
		// writes for every slash).
		in := "{\"pair\": \"\\ud83d\\ude00\", \"bad\": \"a\xffb\", \"slash\": \"a\\/b\"}"
		var want map[string]string
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		n := jsonTree([]byte(in))
		got := map[string]string{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			got[n.Content[i].Value] = n.Content[i+1].Value
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("values (-encoding/json +jsonTree):\n%s", diff)
		}
	})

	var files []string
	for _, rel := range corpus.Files(t, ".json") {
		files = append(files, corpus.File(t, rel))
	}
	err := filepath.WalkDir(filepath.Join(corpus.ModuleRoot(t), "fixtures"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") && !strings.Contains(p, "/want/") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data = []byte(strings.TrimPrefix(string(data), "\xef\xbb\xbf"))
		if !LooksLikeJSON(data) || !json.Valid(data) {
			continue
		}
		want, ok := yamlTree(data)
		if !ok {
			continue
		}
		compared++
		if diff := cmp.Diff(want, viewOf(jsonTree(data))); diff != "" {
			t.Errorf("%s: tree (-yaml.v3 +jsonTree):\n%s", f, diff)
		}
	}
	if compared < 50 {
		t.Errorf("compared only %d JSON files", compared)
	}
}
