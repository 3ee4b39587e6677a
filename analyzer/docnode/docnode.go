// Package docnode parses input files into positioned document trees (YAML and strict JSON)
// and offers the small lookups every loader needs. Values are decoded from the node tree so
// every element keeps its line and column.
package docnode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Document is one document of a file: the whole file for JSON, one of possibly many for YAML.
type Document struct {
	File  string
	Index int // 0-based position in a multi-document stream
	// Root is the document's content node (a mapping, sequence or scalar); never a DocumentNode.
	Root *yaml.Node
	// JSON is true when the bytes were JSON (checked strictly with encoding/json).
	JSON bool
	// Data is the whole file's bytes (BOM removed), shared by every document of the file;
	// node lines and columns index into it. Loaders use it to map positions inside block
	// scalars (YAML-in-YAML such as aws-auth mapRoles).
	Data []byte
}

// PosError is a parse error at a position.
type PosError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *PosError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// LooksLikeJSON reports whether data starts (after whitespace and a BOM) with { or [.
func LooksLikeJSON(data []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// Parse splits data into documents. JSON (by content) must be exactly one valid JSON value,
// as AWS accepts it; anything else is read as a YAML stream. Empty documents are dropped.
// The error is a *PosError naming the offending line and column.
func Parse(file string, data []byte) ([]*Document, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if LooksLikeJSON(data) {
		if json.Valid(data) {
			return []*Document{{File: file, Root: jsonTree(data), JSON: true, Data: data}}, nil
		}
		err := checkJSON(data)
		if err == nil { // json.Valid and a decoder agree; this is for safety
			err = &PosError{Line: 1, Column: 1, Msg: "invalid JSON"}
		}
		var pe *PosError
		if errors.As(err, &pe) {
			pe.File = file
		}
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*Document
	for i := 0; ; i++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, yamlError(file, data, err)
		}
		if len(n.Content) == 0 || IsNull(n.Content[0]) {
			continue
		}
		docs = append(docs, &Document{File: file, Index: i, Root: n.Content[0], Data: data})
	}
}

// IsNull reports whether n (aliases followed) is a null scalar: null, ~ or an empty value.
func IsNull(n *yaml.Node) bool {
	n = Resolve(n)
	return n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// checkJSON validates data as exactly one JSON value and positions the first error.
func checkJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	err := dec.Decode(&v)
	if err == nil {
		// Anything but whitespace after the value is an error, positioned at its first byte
		// (dec.Token would consume a delimiter before InputOffset could point at it).
		off := int(dec.InputOffset())
		rest := bytes.TrimLeft(data[off:], " \t\r\n")
		if len(rest) == 0 {
			return nil
		}
		line, col := LineCol(data, len(data)-len(rest))
		return &PosError{Line: line, Column: col, Msg: "unexpected content after the JSON value (expected end of file)"}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := LineCol(data, int(se.Offset)-1)
		return &PosError{Line: line, Column: col, Msg: "invalid JSON: " + se.Error()}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		line, col := LineCol(data, len(data))
		return &PosError{Line: line, Column: col, Msg: "invalid JSON: unexpected end of input (unclosed object, array or string)"}
	}
	return &PosError{Line: 1, Column: 1, Msg: "invalid JSON: " + err.Error()}
}

// LineCol converts a byte offset into a 1-based line and column (columns count runes).
func LineCol(data []byte, off int) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > len(data) {
		off = len(data)
	}
	line = 1 + bytes.Count(data[:off], []byte("\n"))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	col = 1 + len([]rune(string(data[start:off])))
	return line, col
}

// yamlError turns a yaml.v3 error ("yaml: line N: msg") into a PosError. yaml.v3 gives no
// column, so the column is the line's first non-blank character.
func yamlError(file string, data []byte, err error) error {
	msg := err.Error()
	line := 1
	if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
		if i := strings.Index(rest, ":"); i > 0 {
			if _, serr := fmt.Sscanf(rest[:i], "%d", &line); serr == nil {
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return &PosError{File: file, Line: line, Column: firstNonBlank(data, line), Msg: "invalid YAML: " + msg}
}

// firstNonBlank is the 1-based column of the first non-blank character of line (1 if none).
func firstNonBlank(data []byte, line int) int {
	lines := bytes.Split(data, []byte("\n"))
	if line < 1 || line > len(lines) {
		return 1
	}
	l := lines[line-1]
	trimmed := bytes.TrimLeft(l, " \t")
	if len(trimmed) == 0 {
		return 1
	}
	return len(l) - len(trimmed) + 1
}

// Lookup returns the key and value nodes of key in mapping m (exact match; last duplicate wins,
// as encoding/json and Python do). Both are nil when absent or m is not a mapping.
func Lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	return lookup(m, func(s string) bool { return s == key })
}

// LookupFold is Lookup with ASCII case-insensitive key matching (encoding/json's field rule).
func LookupFold(m *yaml.Node, key string) (k, v *yaml.Node) {
	return lookup(m, func(s string) bool { return strings.EqualFold(s, key) })
}

func lookup(m *yaml.Node, match func(string) bool) (k, v *yaml.Node) {
	m = Resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if match(m.Content[i].Value) {
			k, v = m.Content[i], Resolve(m.Content[i+1])
		}
	}
	return k, v
}

// Get returns the value node of key in m, or nil.
func Get(m *yaml.Node, key string) *yaml.Node {
	_, v := Lookup(m, key)
	return v
}

// Resolve follows aliases.
func Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// Str returns a scalar's text; ok is false for non-scalars and null.
func Str(n *yaml.Node) (string, bool) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || IsNull(n) {
		return "", false
	}
	return n.Value, true
}

// IsString reports whether n is a string scalar (not a number, bool or null).
func IsString(n *yaml.Node) bool {
	n = Resolve(n)
	return n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!str"
}

// Pairs iterates a mapping's key/value nodes in document order.
func Pairs(m *yaml.Node) [][2]*yaml.Node {
	m = Resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, [2]*yaml.Node{m.Content[i], Resolve(m.Content[i+1])})
	}
	return out
}

// Items returns a sequence's elements, or nil.
func Items(n *yaml.Node) []*yaml.Node {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = Resolve(c)
	}
	return out
}

// IsMap reports whether n is a mapping.
func IsMap(n *yaml.Node) bool { n = Resolve(n); return n != nil && n.Kind == yaml.MappingNode }

// HasKeys reports whether mapping m has every key.
func HasKeys(m *yaml.Node, keys ...string) bool {
	for _, k := range keys {
		if kn, _ := Lookup(m, k); kn == nil {
			return false
		}
	}
	return true
}
