package awsauth

import (
	"bytes"
	"regexp"
	"strconv"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/node"
)

// posMap maps positions of a tree parsed from a string value (YAML-in-YAML) back to the file.
// For a literal block scalar (|, |-, |+, |2) inner line L is file line line0+L and inner column
// C is file column indent+C. For any other scalar style (double-quoted, plain, folded) the
// inner text does not line up with the file, so every position falls back to the value node.
// For structured input (server config, dynamic file, bare list) the map is the identity.
type posMap struct {
	file     string
	fallback inventory.Source
	mapped   bool
	line0    int
	indent   int
}

// identity maps nodes of the file's own tree.
func identity(file string, fallback *yaml.Node) posMap {
	return posMap{file: file, fallback: node.At(file, fallback), mapped: true}
}

// at returns the file position of inner node n (the fallback when n is nil or unmapped).
func (p posMap) at(n *yaml.Node) inventory.Source {
	if n == nil || !p.mapped || n.Line < 1 {
		return p.fallback
	}
	return inventory.At(p.file, p.line0+n.Line, p.indent+n.Column)
}

// atLine returns the file position of the start of inner line l.
func (p posMap) atLine(l int) inventory.Source {
	if !p.mapped || l < 1 {
		return p.fallback
	}
	return inventory.At(p.file, p.line0+l, p.indent+1)
}

// blockMap builds the map for string value node val (key is its mapping key) from the raw
// file bytes. Without the bytes, or for a non-literal style, positions fall back to val.
func blockMap(file string, data []byte, key, val *yaml.Node) posMap {
	pm := posMap{file: file, fallback: node.At(file, val)}
	if val == nil || val.Style&yaml.LiteralStyle == 0 || len(data) == 0 || val.Line < 1 {
		return pm
	}
	lines := bytes.Split(data, []byte("\n"))
	if val.Line > len(lines) {
		return pm
	}
	// The header is "|" plus optional chomping and indentation indicators, in either order.
	header := lines[val.Line-1]
	start := runeOffset(header, val.Column-1)
	explicit := 0
	if start >= 0 && start < len(header) && header[start] == '|' {
		for _, c := range header[start+1:] {
			if c >= '1' && c <= '9' {
				explicit = int(c - '0')
			} else if c != '+' && c != '-' {
				break
			}
		}
	}
	indent := -1
	if explicit > 0 && key != nil {
		// YAML 1.2 §8.1.1.1: content indentation = parent indentation + indicator; the parent
		// block mapping is indented like its key.
		indent = key.Column - 1 + explicit
	} else {
		// Auto-detected indentation: that of the first non-empty content line.
		for _, l := range lines[val.Line:] {
			t := bytes.TrimRight(l, " \r")
			if len(t) == 0 {
				continue
			}
			indent = len(l) - len(bytes.TrimLeft(l, " "))
			break
		}
	}
	if indent < 0 {
		return pm
	}
	pm.mapped, pm.line0, pm.indent = true, val.Line, indent
	return pm
}

// runeOffset converts a 0-based rune column into a byte offset of line (-1 when out of range).
func runeOffset(line []byte, col int) int {
	off := 0
	for i := 0; i < col; i++ {
		if off >= len(line) {
			return -1
		}
		_, n := utf8.DecodeRune(line[off:])
		off += n
	}
	return off
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// errLine extracts the 1-based line from a go-yaml error ("yaml: line 5: ..."); 0 when absent.
func errLine(err error) int {
	m := yamlLineRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n, convErr := strconv.Atoi(m[1])
	if convErr != nil {
		return 0
	}
	return n
}
