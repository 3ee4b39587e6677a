package suppress

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/result"
)

// Marker is the word that starts an inline suppression comment.
const Marker = "rolecall:ignore"

// markerRE finds `# rolecall:ignore …` where a YAML comment can start: at the start of a line
// or after a blank. It also finds it on a line of a block scalar (aws-auth's mapRoles is YAML
// inside a YAML string), where it is a comment of the embedded document.
var markerRE = regexp.MustCompile(`(?:^|[ \t])(#[ \t]*rolecall:ignore)(?:[ \t]+(.*?))?[ \t]*\r?$`)

const example = "`# rolecall:ignore RC401 break-glass role, reviewed by security`"

// marker is one well-formed inline suppression: it covers findings of rule whose primary
// location lies on lines first..last of its file.
type marker struct {
	rule        string
	reason      string
	first, last int
}

type inline struct {
	rules   []result.Rule
	markers map[string][]marker // by file
	diags   []result.Diagnostic
}

// HasMarkers reports whether a file may hold inline suppression comments: it contains Marker
// and is not JSON, which has no comments. Apply needs only such files' bytes.
func HasMarkers(data []byte) bool {
	return bytes.Contains(data, []byte(Marker)) && !docnode.LooksLikeJSON(data)
}

// newInline reads the inline suppression comments of every YAML file (JSON has no comments).
func newInline(rules []result.Rule, files map[string][]byte) *inline {
	in := &inline{rules: rules, markers: map[string][]marker{}}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		data := files[name]
		if !HasMarkers(data) {
			continue
		}
		in.read(name, data)
	}
	return in
}

func (in *inline) find(f *result.Finding, loc result.Location) *marker {
	for i, m := range in.markers[loc.File] {
		if loc.Line >= m.first && loc.Line <= m.last && RefersTo(m.rule, f.RuleID, f.Rule) {
			return &in.markers[loc.File][i]
		}
	}
	return nil
}

// read collects the markers of one file. A comment after content on its line covers the
// element that starts on that line; a comment on a line of its own covers the element that
// starts on the next line. An element is the outermost YAML node starting on that line (a
// document, a key with its value, a list item) with everything inside it, block scalars that
// hold YAML (aws-auth mapRoles) included; where no element starts, the line alone. In a
// Terraform file (.tf) an element is an HCL block, argument or object item (see hclSpans),
// and only a real comment counts (not a # inside a string).
func (in *inline) read(file string, data []byte) {
	var sp spans // built on the first marker
	tf := isTerraform(file)
	var comments map[int]bool // .tf: byte offsets where comments start
	start := 0                // byte offset of the line
	for i, line := range strings.Split(string(data), "\n") {
		lineStart := start
		start += len(line) + 1
		bom := 0
		if i == 0 {
			trimmed := strings.TrimPrefix(line, "\ufeff") // a byte order mark is not content
			bom, line = len(line)-len(trimmed), trimmed
		}
		loc := markerRE.FindStringSubmatchIndex(line)
		if loc == nil {
			continue
		}
		if tf {
			if comments == nil {
				comments = hclComments(data)
			}
			if !comments[lineStart+bom+loc[2]] {
				continue
			}
		}
		n := i + 1
		hash := loc[2]
		col := utf8.RuneCountInString(line[:hash]) + 1
		rest := ""
		if loc[4] >= 0 {
			rest = line[loc[4]:loc[5]]
		}
		rule, reason := rest, ""
		if j := strings.IndexAny(rest, " \t"); j >= 0 {
			rule, reason = rest[:j], rest[j+1:]
		}
		rule, reason = strings.TrimSpace(rule), strings.TrimSpace(reason)
		warn := func(msg string) {
			in.diags = append(in.diags, result.Diagnostic{Severity: result.DiagWarning, File: file, Line: n, Column: col,
				Message: msg + "; this comment suppresses nothing"})
		}
		switch {
		case rule == "":
			warn(Marker + " needs a rule id or name and a reason, e.g. " + example)
			continue
		case !in.known(rule):
			warn(fmt.Sprintf("%s %s: no such rule id or name", Marker, rule))
			continue
		case reason == "":
			warn(fmt.Sprintf("%s %s has no reason: say why the finding is accepted after the rule, e.g. %s", Marker, rule, example))
			continue
		}
		if sp == nil {
			if tf {
				sp = hclSpans(data)
			} else {
				sp = newSpans(data)
			}
		}
		target := n + 1 // a comment on a line of its own: the element below
		if strings.TrimSpace(line[:hash]) != "" {
			target = n // a comment after content: the element on this line
		}
		in.markers[file] = append(in.markers[file], marker{rule: rule, reason: reason, first: target, last: sp.end(target)})
	}
}

func (in *inline) known(ref string) bool {
	for _, r := range in.rules {
		if RefersTo(ref, r.ID, r.Name) {
			return true
		}
	}
	return false
}

// spans maps a line to the last line of the outermost element starting on it.
type spans map[int]int

func newSpans(data []byte) spans {
	s := spans{}
	docs, _ := docnode.Parse("", data) // the documents that parse; a broken file keeps line-only markers
	for _, d := range docs {
		s.element(d.Root.Line, d.Root, 0)
		s.walk(d.Root, 0)
	}
	return s
}

func (s spans) end(line int) int {
	if e, ok := s[line]; ok && e > line {
		return e
	}
	return line
}

// element records an element starting at line (offset by off) unless an outer one starts there.
func (s spans) element(line int, n *yaml.Node, off int) {
	if _, ok := s[line+off]; !ok {
		s[line+off] = max(line, lastLine(n)) + off
	}
}

func (s spans) walk(n *yaml.Node, off int) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			s.element(k.Line, v, off)
			s.walk(v, off)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			s.element(c.Line, c, off)
			s.walk(c, off)
		}
	case yaml.ScalarNode:
		if n.Style&yaml.LiteralStyle == 0 || !strings.Contains(n.Value, "\n") {
			return
		}
		// YAML inside a literal block scalar, whose lines are the file's: its line 1 is the
		// line after the | indicator.
		dec := yaml.NewDecoder(strings.NewReader(n.Value))
		for {
			var doc yaml.Node
			if err := dec.Decode(&doc); err != nil {
				return // io.EOF, or text that is not YAML: its lines stay line-only
			}
			if len(doc.Content) == 0 {
				continue
			}
			root := doc.Content[0]
			inner := off + n.Line
			if root.Kind == yaml.SequenceNode || root.Kind == yaml.MappingNode {
				s.walk(root, inner)
			}
		}
	}
}

// lastLine is the last line an element's value occupies.
func lastLine(n *yaml.Node) int {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			return n.Line + strings.Count(strings.TrimRight(n.Value, "\n"), "\n") + 1
		}
		return n.Line + strings.Count(n.Value, "\n")
	case yaml.MappingNode, yaml.SequenceNode, yaml.DocumentNode:
		last := n.Line
		for _, c := range n.Content {
			last = max(last, lastLine(c))
		}
		return last
	}
	return n.Line
}
