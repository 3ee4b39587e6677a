package docnode

import (
	"encoding/json"
	"regexp"
	"strconv"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// jsonTree builds, for data that json.Valid accepts, the node tree yaml.v3 builds for it
// (same kinds, tags, styles, lines and columns), in one pass: yaml.v3's general YAML scanner
// is several times slower, and JSON is most of a large account's bytes. Values are
// encoding/json's: where the two differ (escaped surrogate pairs, invalid UTF-8, which
// yaml.v3 rejects), the value is the one AWS reads.
func jsonTree(data []byte) *yaml.Node {
	p := &jsonParser{data: data, line: 1, col: 1}
	p.space()
	return p.value()
}

type jsonParser struct {
	data      []byte
	pos       int
	line, col int
	slab      []yaml.Node
}

// node allocates nodes in blocks: a large document has millions, a small one a few (the first
// block is sized by the input, about one node per 16 bytes).
func (p *jsonParser) node(kind yaml.Kind, tag string, style yaml.Style) *yaml.Node {
	if len(p.slab) == cap(p.slab) {
		n := 1024
		if p.slab == nil {
			n = min(max(len(p.data)/16, 16), n)
		}
		p.slab = make([]yaml.Node, 0, n)
	}
	p.slab = append(p.slab, yaml.Node{Kind: kind, Tag: tag, Style: style, Line: p.line, Column: p.col})
	return &p.slab[len(p.slab)-1]
}

// space skips whitespace, counting lines as yaml.v3 does ("\r\n", "\r" and "\n" end a line).
func (p *jsonParser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t':
			p.col++
		case '\n':
			p.line, p.col = p.line+1, 1
		case '\r':
			if p.pos+1 < len(p.data) && p.data[p.pos+1] == '\n' {
				p.pos++
			}
			p.line, p.col = p.line+1, 1
		default:
			return
		}
		p.pos++
	}
}

// advance moves over data[p.pos:end], which holds no JSON whitespace outside strings: columns
// count characters; NEL, LS and PS (raw in a string) end a line for yaml.v3, so here too.
func (p *jsonParser) advance(end int) {
	for p.pos < end {
		c := p.data[p.pos]
		if c < utf8.RuneSelf {
			p.pos++
			p.col++
			continue
		}
		r, w := utf8.DecodeRune(p.data[p.pos:])
		p.pos += w
		if r == '\u0085' || r == '\u2028' || r == '\u2029' {
			p.line, p.col = p.line+1, 1
		} else {
			p.col++
		}
	}
}

func (p *jsonParser) value() *yaml.Node {
	switch c := p.data[p.pos]; c {
	case '{':
		n := p.node(yaml.MappingNode, "!!map", yaml.FlowStyle)
		p.advance(p.pos + 1)
		p.space()
		for p.data[p.pos] != '}' {
			k := p.str()
			p.space()
			p.advance(p.pos + 1) // :
			p.space()
			n.Content = append(n.Content, k, p.value())
			p.space()
			if p.data[p.pos] == ',' {
				p.advance(p.pos + 1)
				p.space()
			}
		}
		p.advance(p.pos + 1)
		return n
	case '[':
		n := p.node(yaml.SequenceNode, "!!seq", yaml.FlowStyle)
		p.advance(p.pos + 1)
		p.space()
		for p.data[p.pos] != ']' {
			n.Content = append(n.Content, p.value())
			p.space()
			if p.data[p.pos] == ',' {
				p.advance(p.pos + 1)
				p.space()
			}
		}
		p.advance(p.pos + 1)
		return n
	case '"':
		return p.str()
	}
	// A literal: true, false, null or a number, up to the next delimiter or space.
	end := p.pos
	for end < len(p.data) {
		switch p.data[end] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
		default:
			end++
			continue
		}
		break
	}
	text := string(p.data[p.pos:end])
	n := p.node(yaml.ScalarNode, literalTag(text), 0)
	n.Value = text
	p.advance(end)
	return n
}

// str reads a string; data is valid JSON, so the closing quote is the first one not escaped.
func (p *jsonParser) str() *yaml.Node {
	n := p.node(yaml.ScalarNode, "!!str", yaml.DoubleQuotedStyle)
	start, end, escaped, ascii := p.pos, p.pos+1, false, true
	for ; p.data[end] != '"'; end++ {
		switch c := p.data[end]; {
		case c == '\\':
			escaped = true
			end++
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	end++
	raw := p.data[start:end]
	if !escaped && (ascii || utf8.Valid(raw)) {
		n.Value = string(raw[1 : len(raw)-1])
	} else {
		// Escapes and invalid UTF-8 as encoding/json reads them.
		_ = json.Unmarshal(raw, &n.Value)
	}
	p.advance(end)
	return n
}

// yamlFloat is yaml.v3's float syntax (resolve.go).
var yamlFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// literalTag is the tag yaml.v3 resolves a JSON literal to: a number too large for a float is
// a string to it.
func literalTag(s string) string {
	switch s {
	case "true", "false":
		return "!!bool"
	case "null":
		return "!!null"
	}
	if _, err := strconv.ParseInt(s, 0, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseUint(s, 0, 64); err == nil {
		return "!!int"
	}
	if yamlFloat.MatchString(s) {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return "!!float"
		}
	}
	return "!!str"
}
