package cfn

import (
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
)

// Positions inside strings. A policy document written as a JSON string (a literal block, or a
// !Sub building one) is parsed on its own; its nodes are then moved to the file positions of
// the characters they start at, so a finding points at the statement's own line.

// pos is a 1-based file line and column.
type pos struct{ line, col int }

// positionsOf gives the file position of each byte of an evaluated string: recorded for a
// !Sub result, computed for a string copied from the template; nil when the string has no
// such map (a !Join result, a parameter default), and its positions are then the node's.
func (t *template) positionsOf(n *yaml.Node) []pos {
	if p, ok := t.texts[n]; ok {
		return p
	}
	if t.fromSource[n] {
		return t.sourcePositions(n)
	}
	return nil
}

// sourcePositions maps the bytes of the value of template scalar n to the file: exactly for a
// literal block (|, |-, |+ with automatic indentation) and for a one-line scalar whose text
// appears as written (plain, or quoted without escapes); nil otherwise (folded, escaped or
// multi-line flow scalars).
func (t *template) sourcePositions(n *yaml.Node) []pos {
	if n.Line < 1 || n.Line > len(t.lines) || n.Value == "" {
		return nil
	}
	if n.Style&yaml.LiteralStyle != 0 {
		return t.literalPositions(n)
	}
	if strings.Contains(n.Value, "\n") {
		return nil
	}
	line := strings.TrimRight(t.lines[n.Line-1], "\r")
	start := runeOffset(line, n.Column-1)
	if start < 0 {
		return nil
	}
	i := strings.Index(line[start:], n.Value)
	if i < 0 {
		return nil
	}
	i += start
	out := make([]pos, 0, len(n.Value))
	col := utf8.RuneCountInString(line[:i]) + 1
	for _, r := range n.Value {
		for range utf8.RuneLen(r) {
			out = append(out, pos{n.Line, col})
		}
		col++
	}
	if len(out) != len(n.Value) {
		return nil
	}
	return out
}

// literalPositions maps a literal block scalar: its value's line L is file line n.Line+L
// (the header line holds the tag and the indicator), its text starts at the block's
// indentation. Every value line is checked against the file; any difference gives nil.
func (t *template) literalPositions(n *yaml.Node) []pos {
	header := t.lines[n.Line-1]
	bar := strings.IndexByte(header[max(runeOffset(header, n.Column-1), 0):], '|')
	if bar < 0 {
		return nil
	}
	for _, c := range header[max(runeOffset(header, n.Column-1), 0)+bar+1:] {
		if c >= '1' && c <= '9' {
			return nil // an explicit indentation indicator: rare, not mapped
		}
		if c != '+' && c != '-' {
			break
		}
	}
	indent := -1
	for _, l := range t.lines[n.Line:] {
		l = strings.TrimRight(l, "\r")
		if strings.TrimSpace(l) == "" {
			continue
		}
		indent = len(l) - len(strings.TrimLeft(l, " "))
		break
	}
	if indent < 0 {
		return nil
	}
	vlines := strings.Split(n.Value, "\n")
	out := make([]pos, 0, len(n.Value))
	for i, vl := range vlines {
		fi := n.Line + i // 0-based index of the file line
		if vl == "" && i == len(vlines)-1 {
			break // after the final line break: nothing to map
		}
		if fi >= len(t.lines) {
			return nil
		}
		fl := strings.TrimRight(t.lines[fi], "\r")
		text := ""
		if len(fl) > indent {
			text = fl[indent:]
		}
		if text != vl {
			return nil
		}
		col := indent + 1
		for _, r := range vl {
			for range utf8.RuneLen(r) {
				out = append(out, pos{fi + 1, col})
			}
			col++
		}
		if i < len(vlines)-1 {
			out = append(out, pos{fi + 1, col}) // the line break
		}
	}
	if len(out) != len(n.Value) {
		return nil
	}
	return out
}

// runeOffset converts a 0-based rune column of line into a byte offset (-1 when out of range).
func runeOffset(line string, col int) int {
	off := 0
	for range col {
		if off >= len(line) {
			return -1
		}
		_, n := utf8.DecodeRuneInString(line[off:])
		off += n
	}
	return off
}

// jsonDocument parses string n as a JSON object (a policy document written as text) and moves
// every node to the file position of its first character; without a position map every node
// is at n. ok is false when the text is not a JSON object.
func (t *template) jsonDocument(n *yaml.Node) (*yaml.Node, bool) {
	text := n.Value
	if !docnode.LooksLikeJSON([]byte(text)) {
		return nil, false
	}
	docs, err := docnode.Parse("", []byte(text))
	if err != nil || len(docs) == 0 || !docs[0].JSON || !docnode.IsMap(docs[0].Root) {
		return nil, false
	}
	ps := t.positionsOf(n)
	starts := []int{0}
	for i := range len(text) {
		if text[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	var walk func(*yaml.Node)
	walk = func(d *yaml.Node) {
		p := pos{n.Line, n.Column}
		if ps != nil && d.Line >= 1 && d.Line <= len(starts) {
			lineText := text[starts[d.Line-1]:]
			if off := runeOffset(lineText, d.Column-1); off >= 0 && starts[d.Line-1]+off < len(ps) {
				p = ps[starts[d.Line-1]+off]
			}
		}
		d.Line, d.Column = p.line, p.col
		for _, c := range d.Content {
			walk(c)
		}
	}
	root := docs[0].Root
	walk(root)
	return root, true
}

// render writes an expression as the author would in YAML short form (!Sub …, !GetAtt R.A,
// [a, b]), shortened, for unknown-value markers and messages.
func render(n *yaml.Node) string {
	var b strings.Builder
	renderTo(&b, n, 0)
	s := strings.NewReplacer("⟨", "<", "⟩", ">").Replace(b.String())
	if utf8.RuneCountInString(s) > 120 {
		s = string([]rune(s)[:119]) + "…"
	}
	return s
}

func renderTo(b *strings.Builder, n *yaml.Node, depth int) {
	n = docnode.Resolve(n)
	if n == nil {
		return
	}
	if b.Len() > 200 || depth > 8 {
		b.WriteString("…")
		return
	}
	if name, arg, ok := intrinsic(n, true); ok {
		short := strings.TrimPrefix(name, "Fn::")
		b.WriteString("!" + short + " ")
		if short == "GetAtt" && arg.Kind == yaml.SequenceNode && len(arg.Content) == 2 {
			if r, ok := scalar(arg.Content[0]); ok {
				if a, ok := scalar(arg.Content[1]); ok {
					b.WriteString(r + "." + a)
					return
				}
			}
		}
		renderTo(b, arg, depth+1)
		return
	}
	switch n.Kind {
	case yaml.ScalarNode:
		v := n.Value
		if v == "" || strings.ContainsAny(v, "\n,[]{}\"") || strings.TrimSpace(v) != v {
			v = strconv.Quote(v)
		}
		b.WriteString(v)
	case yaml.SequenceNode:
		b.WriteString("[")
		for i, c := range n.Content {
			if i > 0 {
				b.WriteString(", ")
			}
			renderTo(b, c, depth+1)
		}
		b.WriteString("]")
	case yaml.MappingNode:
		b.WriteString("{")
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteString(", ")
			}
			renderTo(b, n.Content[i], depth+1)
			b.WriteString(": ")
			renderTo(b, n.Content[i+1], depth+1)
		}
		b.WriteString("}")
	}
}
