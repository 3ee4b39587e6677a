package terraform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
)

// Values become positioned nodes in two steps. structNode follows the author's structure —
// object and tuple constructors, jsonencode, JSON text in strings and heredocs, and references
// to locals, variables, module outputs and resource attributes, to where the value was
// written — so each node is positioned at the expression that wrote it. nodeFor then checks
// that structure against the value go-cty computed for the whole expression (reconcile): the
// value is authoritative, the structure only lends positions, so a construct structNode does
// not model can never change a value.

func (l *loader) newNode(kind yaml.Kind, tag, val, file string, p hcl.Pos) *yaml.Node {
	n := &yaml.Node{Kind: kind, Tag: tag, Value: val, Line: p.Line, Column: p.Column}
	l.fileOf[n] = file
	return n
}

func (l *loader) str(file string, p hcl.Pos, s string) *yaml.Node {
	return l.newNode(yaml.ScalarNode, "!!str", s, file, p)
}

func (l *loader) mapping(file string, p hcl.Pos) *yaml.Node {
	return l.newNode(yaml.MappingNode, "!!map", "", file, p)
}

func (l *loader) seq(file string, p hcl.Pos) *yaml.Node {
	return l.newNode(yaml.SequenceNode, "!!seq", "", file, p)
}

func nodePos(n *yaml.Node) hcl.Pos { return hcl.Pos{Line: n.Line, Column: n.Column} }

// copyNode copies a node tree, keeping files and exactness.
func (l *loader) copyNode(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = nil
	if len(n.Content) > 0 {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, x := range n.Content {
			c.Content[i] = l.copyNode(x)
		}
	}
	l.fileOf[&c] = l.fileOf[n]
	if l.exact[n] {
		l.exact[&c] = true
	}
	if st, ok := l.site[n]; ok {
		l.site[&c] = st
	}
	return &c
}

// site is where a value written in another file is referred to.
type site struct {
	file string
	pos  hcl.Pos
}

// oneFile keeps a policy document in the file of its root, as iampolicy positions a document
// in one file: a part written in another file (a .tfvars value, a module argument) stands
// where it is referred to from the root's file, or else at its nearest ancestor.
func (l *loader) oneFile(doc *yaml.Node) {
	f := l.fileOf[doc]
	var walk func(n *yaml.Node, at hcl.Pos)
	walk = func(n *yaml.Node, at hcl.Pos) {
		if l.fileOf[n] != f {
			if st, ok := l.site[n]; ok && st.file == f {
				at = st.pos
			}
			l.place(n, f, at)
			return
		}
		for _, c := range n.Content {
			walk(c, nodePos(n))
		}
	}
	walk(doc, nodePos(doc))
}

// place positions a whole tree at p in file.
func (l *loader) place(n *yaml.Node, file string, p hcl.Pos) {
	n.Line, n.Column = p.Line, p.Column
	l.fileOf[n] = file
	for _, c := range n.Content {
		l.place(c, file, p)
	}
}

// nodeFor is expr's value as a node positioned where the author wrote each part. doc says the
// value is a policy document: JSON text and jsonencode(...) become the document's own nodes.
func (l *loader) nodeFor(expr hcl.Expression, sc *scope, doc bool) *yaml.Node {
	s := l.structNode(expr, sc, doc)
	v := l.eval(expr, sc)
	if l.exact[s] {
		return l.copyNode(s)
	}
	if doc && (s.Kind == yaml.MappingNode || s.Kind == yaml.SequenceNode) && v.Type() == cty.String {
		v = decodeJSON(v)
	}
	return l.reconcile(s, v, exprText(l, expr))
}

// decodeJSON is the value of the JSON text v; cty.NilVal (nothing to check against) when v is
// unknown or not JSON.
func decodeJSON(v cty.Value) cty.Value {
	if !v.IsKnown() || v.IsNull() {
		return cty.NilVal
	}
	b := []byte(v.AsString())
	ty, err := ctyjson.ImpliedType(b)
	if err != nil {
		return cty.NilVal
	}
	out, err := ctyjson.Unmarshal(b, ty)
	if err != nil {
		return cty.NilVal
	}
	return out
}

// structNode is the author's structure of expr (see above). It may return shared nodes: never
// modify them, nodeFor copies.
func (l *loader) structNode(expr hcl.Expression, sc *scope, doc bool) *yaml.Node {
	r := expr.Range()
	switch x := expr.(type) {
	case *hclsyntax.ParenthesesExpr:
		return l.structNode(x.Expression, sc, doc)
	case *hclsyntax.TemplateWrapExpr:
		return l.structNode(x.Wrapped, sc, doc)
	case *hclsyntax.ScopeTraversalExpr:
		if n := l.refNode(x.Traversal, sc, doc); n != nil {
			return n
		}
	case *hclsyntax.ObjectConsExpr:
		m := l.mapping(r.Filename, r.Start)
		for _, it := range x.Items {
			m.Content = append(m.Content, l.keyNode(it.KeyExpr, sc), l.structNode(it.ValueExpr, sc, false))
		}
		return m
	case *hclsyntax.TupleConsExpr:
		s := l.seq(r.Filename, r.Start)
		for _, e := range x.Exprs {
			s.Content = append(s.Content, l.structNode(e, sc, false))
		}
		return s
	case *hclsyntax.TemplateExpr:
		return l.templateNode(x, sc, doc)
	case *hclsyntax.FunctionCallExpr:
		if n := l.callNode(x, sc, doc); n != nil {
			return n
		}
	case *hclsyntax.ConditionalExpr:
		c, _ := l.evalDiags(x.Condition, sc)
		if c.IsKnown() && !c.IsNull() && c.Type() == cty.Bool {
			if c.True() {
				return l.structNode(x.TrueResult, sc, doc)
			}
			return l.structNode(x.FalseResult, sc, doc)
		}
	}
	return l.leafNode(expr, sc)
}

// leafNode is expr's value at expr's start; unknown parts name expr.
func (l *loader) leafNode(expr hcl.Expression, sc *scope) *yaml.Node {
	v, _ := l.evalDiags(expr, sc) // nodeFor reports the whole expression's diagnostics
	r := expr.Range()
	return l.valueNode(v, r.Filename, r.Start, exprText(l, expr))
}

// valueNode is v as a node tree, every node at p. Unknown values are markers naming text (with
// the path inside it).
func (l *loader) valueNode(v cty.Value, file string, p hcl.Pos, text string) *yaml.Node {
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() {
		return l.str(file, p, iampolicy.Unknown(text))
	}
	if v.IsNull() {
		return l.newNode(yaml.ScalarNode, "!!null", "null", file, p)
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return l.str(file, p, v.AsString())
	case ty == cty.Number:
		tag, s := numText(v)
		return l.newNode(yaml.ScalarNode, tag, s, file, p)
	case ty == cty.Bool:
		return l.newNode(yaml.ScalarNode, "!!bool", strconv.FormatBool(v.True()), file, p)
	case ty.IsObjectType() || ty.IsMapType():
		m := l.mapping(file, p)
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			ks := k.AsString()
			m.Content = append(m.Content, l.str(file, p, ks), l.valueNode(ev, file, p, attrPath(text, ks)))
		}
		return m
	case ty.IsListType() || ty.IsTupleType() || ty.IsSetType():
		s := l.seq(file, p)
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			_, ev := it.Element()
			s.Content = append(s.Content, l.valueNode(ev, file, p, fmt.Sprintf("%s[%d]", text, i)))
		}
		return s
	}
	return l.str(file, p, iampolicy.Unknown(text))
}

// attrPath is text.name, or text["name"] when name is not an identifier.
func attrPath(text, name string) string {
	if hclsyntax.ValidIdentifier(name) {
		return text + "." + name
	}
	return text + "[" + strconv.Quote(name) + "]"
}

// numText is a number's YAML tag and JSON text.
func numText(v cty.Value) (tag, text string) {
	bf := v.AsBigFloat()
	if bf.IsInt() {
		return "!!int", bf.Text('f', 0)
	}
	return "!!float", bf.Text('g', -1)
}

// reconcile builds the node of value v on the structure s: s's positions, v's values. Where
// they disagree v wins, positioned at the nearest node of s. text names unknown values that s
// does not name.
func (l *loader) reconcile(s *yaml.Node, v cty.Value, text string) *yaml.Node {
	out := l.reconcileNode(s, v, text)
	if st, ok := l.site[s]; ok {
		l.site[out] = st
	}
	return out
}

func (l *loader) reconcileNode(s *yaml.Node, v cty.Value, text string) *yaml.Node {
	if v == cty.NilVal || l.exact[s] {
		return l.copyNode(s)
	}
	file, p := l.fileOf[s], nodePos(s)
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() {
		if s.Kind != yaml.ScalarNode || iampolicy.HasUnknown(s.Value) {
			return l.copyNode(s)
		}
		return l.str(file, p, iampolicy.Unknown(text))
	}
	if v.IsNull() {
		return l.valueNode(v, file, p, text)
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType() || ty.IsMapType():
		if s.Kind != yaml.MappingNode {
			return l.valueNode(v, file, p, text)
		}
		m := l.mapping(file, p)
		done := map[string]bool{}
		// A key written twice (merge) counts where it was written last.
		last := map[string]int{}
		for i := 0; i+1 < len(s.Content); i += 2 {
			last[s.Content[i].Value] = i
		}
		for i := 0; i+1 < len(s.Content); i += 2 {
			k := s.Content[i].Value
			if last[k] != i || done[k] {
				continue
			}
			ev, ok := element(v, k)
			if !ok {
				continue
			}
			done[k] = true
			m.Content = append(m.Content, l.copyNode(s.Content[i]), l.reconcile(s.Content[i+1], ev, attrPath(text, k)))
		}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			ks := k.AsString()
			if !done[ks] {
				m.Content = append(m.Content, l.str(file, p, ks), l.valueNode(ev, file, p, attrPath(text, ks)))
			}
		}
		return m
	case ty.IsListType() || ty.IsTupleType():
		if s.Kind != yaml.SequenceNode || len(s.Content) != v.LengthInt() {
			return l.valueNode(v, file, p, text)
		}
		out := l.seq(file, p)
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			_, ev := it.Element()
			out.Content = append(out.Content, l.reconcile(s.Content[i], ev, fmt.Sprintf("%s[%d]", text, i)))
		}
		return out
	case ty.IsSetType():
		// A set has no order of its own: keep the author's order when it holds the same values.
		if s.Kind == yaml.SequenceNode && sameSet(s, v) {
			return l.copyNode(s)
		}
		return l.valueNode(v, file, p, text)
	}
	n := l.valueNode(v, file, p, text)
	n.Style = s.Style
	return n
}

// element is the element of object or map v named k.
func element(v cty.Value, k string) (cty.Value, bool) {
	if v.Type().IsObjectType() {
		if !v.Type().HasAttribute(k) {
			return cty.NilVal, false
		}
		return v.GetAttr(k), true
	}
	kv := cty.StringVal(k)
	if !v.HasIndex(kv).True() {
		return cty.NilVal, false
	}
	return v.Index(kv), true
}

// sameSet reports whether the scalars of sequence s are exactly the known primitive elements of set v.
func sameSet(s *yaml.Node, v cty.Value) bool {
	if !v.IsWhollyKnown() || len(s.Content) != v.LengthInt() {
		return false
	}
	want := map[string]int{}
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		sv, err := convert.Convert(ev, cty.String)
		if err != nil || sv.IsNull() {
			return false
		}
		want[sv.AsString()]++
	}
	for _, c := range s.Content {
		if c.Kind != yaml.ScalarNode {
			return false
		}
		want[c.Value]--
		if want[c.Value] < 0 {
			return false
		}
	}
	return true
}

// keyNode is an object constructor key: a bare name, or an expression's string value.
func (l *loader) keyNode(key hcl.Expression, sc *scope) *yaml.Node {
	r := key.Range()
	inner := key
	if ke, ok := key.(*hclsyntax.ObjectConsKeyExpr); ok {
		if !ke.ForceNonLiteral {
			if kw := hcl.ExprAsKeyword(ke.Wrapped); kw != "" {
				return l.str(r.Filename, r.Start, kw)
			}
		}
		inner = ke.Wrapped
	}
	v, _ := l.evalDiags(inner, sc)
	if v.IsKnown() {
		if sv, err := convert.Convert(v, cty.String); err == nil && !sv.IsNull() {
			return l.str(r.Filename, r.Start, sv.AsString())
		}
	}
	return l.str(r.Filename, r.Start, l.unknownText(inner, sc))
}

// unknownText is the marker of an unknown expression: where it is a reference to a value
// written elsewhere that is (partly) unknown, that value's own text ("⟨module.eks.x⟩:sub"),
// else the expression's text as written.
func (l *loader) unknownText(expr hcl.Expression, sc *scope) string {
	if n := l.structNode(expr, sc, false); n.Kind == yaml.ScalarNode && iampolicy.HasUnknown(n.Value) {
		return n.Value
	}
	return iampolicy.Unknown(exprText(l, expr))
}

// seg is a part of a rendered template: where its text starts in the result and where it
// was written.
type seg struct {
	out, n int
	src    hcl.Range
	lit    bool
	quoted bool
	text   string
}

// templateNode renders a string template, keeping the known parts when others are unknown
// ("arn:aws:iam::⟨data.aws_caller_identity.current.account_id⟩:root"). In a policy document,
// JSON text becomes the document's nodes, positioned where each token was written.
func (l *loader) templateNode(x *hclsyntax.TemplateExpr, sc *scope, doc bool) *yaml.Node {
	r := x.SrcRange
	quoted := l.byteAt(r.Filename, r.Start.Byte) == '"'
	var b strings.Builder
	var segs []seg
	for _, p := range x.Parts {
		sg := seg{out: b.Len(), src: p.Range(), quoted: quoted}
		if lit, ok := p.(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String && lit.Val.IsKnown() && !lit.Val.IsNull() {
			sg.lit, sg.text = true, lit.Val.AsString()
		} else {
			sg.text = l.partText(p, sc)
		}
		sg.n = len(sg.text)
		b.WriteString(sg.text)
		segs = append(segs, sg)
	}
	s := b.String()
	if doc && docnode.LooksLikeJSON([]byte(s)) {
		if n := l.jsonNode(s, segs, r.Filename); n != nil {
			return n
		}
		if iampolicy.HasUnknown(s) {
			// Not JSON because an unknown value stands where JSON syntax was expected.
			return l.str(r.Filename, r.Start, iampolicy.Unknown(exprText(l, x)))
		}
	}
	return l.str(r.Filename, r.Start, s)
}

// partText is the text an interpolation contributes.
func (l *loader) partText(p hcl.Expression, sc *scope) string {
	v, _ := l.evalDiags(p, sc)
	if v.IsWhollyKnown() {
		if v.IsNull() {
			return ""
		}
		if sv, err := convert.Convert(v, cty.String); err == nil && !sv.IsNull() {
			return sv.AsString()
		}
		return "" // not a string: the template's evaluation reports it
	}
	return l.unknownText(p, sc)
}

func (l *loader) byteAt(file string, off int) byte {
	d := l.data[file]
	if off < 0 || off >= len(d) {
		return 0
	}
	return d[off]
}

// jsonNode parses JSON text rendered from segs and positions every node where its text was
// written in file. nil when the text is not exactly one JSON object or array.
func (l *loader) jsonNode(text string, segs []seg, file string) *yaml.Node {
	docs, err := docnode.Parse("", []byte(text))
	if err != nil || len(docs) != 1 || !docs[0].JSON {
		return nil
	}
	root := docs[0].Root
	if root.Kind != yaml.MappingNode && root.Kind != yaml.SequenceNode {
		return nil
	}
	lines := lineStarts([]byte(text))
	aligned := make([][]int, len(segs))
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		off := offsetOf([]byte(text), lines, n.Line, n.Column)
		src := l.srcOffset(segs, aligned, off, file)
		n.Line, n.Column = l.lineCol(file, src)
		l.fileOf[n] = file
		l.exact[n] = true
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	return root
}

// srcOffset maps a byte offset of rendered text to the byte offset in file where it was written:
// inside a literal part, the very character (escapes and a heredoc's stripped indentation
// accounted for); inside an interpolated value, the interpolation's start.
func (l *loader) srcOffset(segs []seg, aligned [][]int, off int, file string) int {
	for i := len(segs) - 1; i >= 0; i-- {
		sg := segs[i]
		if off < sg.out {
			continue
		}
		if !sg.lit || off-sg.out >= sg.n {
			if off-sg.out >= sg.n && sg.lit {
				return sg.src.End.Byte
			}
			return sg.src.Start.Byte
		}
		if aligned[i] == nil {
			d := l.data[file]
			start, end := max(sg.src.Start.Byte, 0), min(sg.src.End.Byte, len(d))
			if start > end {
				start = end
			}
			aligned[i] = align(d[start:end], sg.text, sg.quoted)
		}
		return sg.src.Start.Byte + aligned[i][off-sg.out]
	}
	if len(segs) > 0 {
		return segs[0].src.Start.Byte
	}
	return 0
}

// align maps each byte of val, a literal's value, to the offset in src (its source text) it
// was written at. A quoted string's escapes (\n, \", \uNNNN, $${) produce one character from
// several; a heredoc's value is its text with indentation stripped.
func align(src []byte, val string, quoted bool) []int {
	out := make([]int, len(val)+1)
	i := 0
	for j := 0; j < len(val); {
		_, rl := utf8.DecodeRuneInString(val[j:])
		switch {
		case i >= len(src):
			for ; j < len(val); j++ {
				out[j] = len(src)
			}
			continue
		case quoted && src[i] == '\\':
			k := 2
			if i+1 < len(src) {
				switch src[i+1] {
				case 'u':
					k = 6
				case 'U':
					k = 10
				}
			}
			for x := range rl {
				out[j+x] = i
			}
			i, j = min(i+k, len(src)), j+rl
			continue
		case bytes.HasPrefix(src[i:], []byte("$${")) || bytes.HasPrefix(src[i:], []byte("%%{")):
			if strings.HasPrefix(val[j:], "${") || strings.HasPrefix(val[j:], "%{") {
				out[j], out[j+1] = i, i+2
				i, j = i+3, j+2
				continue
			}
		}
		if bytes.HasPrefix(src[i:], []byte(val[j:j+rl])) {
			for x := range rl {
				out[j+x] = i + x
			}
			i, j = i+rl, j+rl
			continue
		}
		i++ // written but not in the value: indentation a heredoc strips
	}
	out[len(val)] = i
	return out
}

// lineStarts are the byte offsets at which each line of data starts.
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// offsetOf is the byte offset of a 1-based line and rune column.
func offsetOf(data []byte, starts []int, line, col int) int {
	if line < 1 {
		return 0
	}
	if line > len(starts) {
		return len(data)
	}
	off := starts[line-1]
	for c := 1; c < col && off < len(data) && data[off] != '\n'; c++ {
		_, n := utf8.DecodeRune(data[off:])
		off += n
	}
	return off
}

// lineCol is the 1-based line and rune column of byte offset off in file.
func (l *loader) lineCol(file string, off int) (int, int) {
	d := l.data[file]
	starts := l.lineIndex(file)
	off = max(0, min(off, len(d)))
	i := sort.Search(len(starts), func(i int) bool { return starts[i] > off }) - 1
	i = max(i, 0)
	return i + 1, 1 + utf8.RuneCount(d[starts[i]:off])
}

func (l *loader) lineIndex(file string) []int {
	if l.lines == nil {
		l.lines = map[string][]int{}
	}
	if s, ok := l.lines[file]; ok {
		return s
	}
	s := lineStarts(l.data[file])
	l.lines[file] = s
	return s
}

// callNode is the structure of the function calls that keep it: jsonencode in a policy
// document, merge of objects, concat of lists, conversions, try, and file in a policy
// document. nil for the others (their value is a leaf).
func (l *loader) callNode(x *hclsyntax.FunctionCallExpr, sc *scope, doc bool) *yaml.Node {
	if x.ExpandFinal {
		return nil
	}
	r := x.Range()
	switch x.Name {
	case "jsonencode":
		if doc && len(x.Args) == 1 {
			if n := l.structNode(x.Args[0], sc, false); n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
				return n
			}
		}
	case "merge":
		m := l.mapping(r.Filename, r.Start)
		for _, a := range x.Args {
			n := l.structNode(a, sc, false)
			if n.Kind != yaml.MappingNode {
				return nil
			}
			m.Content = append(m.Content, n.Content...)
		}
		return m
	case "concat":
		s := l.seq(r.Filename, r.Start)
		for _, a := range x.Args {
			n := l.structNode(a, sc, false)
			if n.Kind != yaml.SequenceNode {
				return nil
			}
			s.Content = append(s.Content, n.Content...)
		}
		return s
	case "tolist", "toset", "tomap", "sensitive", "nonsensitive":
		if len(x.Args) == 1 {
			return l.structNode(x.Args[0], sc, doc)
		}
	case "try":
		for _, a := range x.Args {
			v, diags := l.evalDiags(a, sc)
			if diags.HasErrors() {
				continue
			}
			if v.IsWhollyKnown() {
				return l.structNode(a, sc, doc)
			}
			return nil
		}
	case "file":
		if doc && len(x.Args) == 1 && sc.mi != nil {
			v, _ := l.evalDiags(x.Args[0], sc)
			if v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
				return l.fileDocNode(sc.mi.root, v.AsString())
			}
		}
	}
	return nil
}

// fileDocNode is the JSON document in a file read by file(), positioned in that file.
func (l *loader) fileDocNode(root *modInst, p string) *yaml.Node {
	f := l.auxFile(root, p)
	if f == nil || f.err != nil {
		return nil
	}
	docs, err := docnode.Parse(f.name, f.data)
	if err != nil || len(docs) != 1 || !docs[0].JSON {
		return nil
	}
	var mark func(n *yaml.Node)
	mark = func(n *yaml.Node) {
		l.fileOf[n] = f.name
		l.exact[n] = true
		for _, c := range n.Content {
			mark(c)
		}
	}
	mark(docs[0].Root)
	return docs[0].Root
}

// refNode follows a reference to where its value was written: a local's expression, a
// variable's default or argument, a module output's expression, a resource's configured
// attribute, a policy document data source's document. nil when the value was not written
// anywhere rolecall can point at (the value then stands at the reference).
func (l *loader) refNode(t hcl.Traversal, sc *scope, doc bool) *yaml.Node {
	mi := sc.mi
	if mi == nil || l.depth >= maxSeeThrough {
		return nil
	}
	name, _ := step(t, 1)
	var target hcl.Expression
	var tsc *scope
	var rest hcl.Traversal
	switch t.RootName() {
	case "local":
		a, ok := mi.mod.locals[name]
		if !ok {
			return nil
		}
		target, tsc, rest = a.Expr, mi.sc, t[2:]
	case "var":
		v, ok := mi.mod.vars[name]
		if !ok {
			return nil
		}
		vv, ok := mi.vars[name]
		if mi.vars == nil {
			vv, ok = l.childVar(mi, v), true
		}
		if !ok || vv.expr == nil {
			return nil
		}
		target, tsc, rest = vv.expr, vv.sc, t[2:]
	case "module":
		c, ok := mi.mod.calls[name]
		if !ok || !c.local {
			return nil
		}
		exp := l.callExpansion(mi, c)
		i, k := pickInstance(exp, t, 2)
		if k < 0 || exp.children[k].mod.broken {
			return nil
		}
		child := exp.children[k]
		out, _ := step(t, i)
		a, ok := child.mod.outputs[out]
		if !ok {
			return nil
		}
		target, tsc, rest = a.Expr, child.sc, t[i+1:]
	case "count", "each", "path", "terraform", "self":
		return nil
	default:
		if _, ok := sc.iters[t.RootName()]; ok {
			return nil
		}
		return l.resourceRefNode(mi, t)
	}
	key := activeKey{target, tsc, doc && len(rest) == 0}
	n, ok := l.nodes[key]
	if !ok {
		if l.active[key] {
			return nil
		}
		l.active[key] = true
		l.depth++
		n = l.structNode(target, tsc, key.doc)
		l.depth--
		delete(l.active, key)
		l.nodes[key] = n
	}
	return l.crossing(navigate(n, rest), t.SourceRange())
}

// crossing is n, the value a reference at r refers to; when it was written in another file,
// a copy that remembers the reference (see oneFile).
func (l *loader) crossing(n *yaml.Node, r hcl.Range) *yaml.Node {
	if n == nil || l.fileOf[n] == r.Filename {
		return n
	}
	c := l.copyNode(n)
	l.site[c] = site{file: r.Filename, pos: r.Start}
	return c
}

// resourceRefNode follows a reference to a resource's (or data source's) configured attribute.
func (l *loader) resourceRefNode(mi *modInst, t hcl.Traversal) *yaml.Node {
	first, _ := step(t, 1)
	addr, i := t.RootName()+"."+first, 2
	if t.RootName() == "data" {
		second, _ := step(t, 2)
		addr, i = "data."+first+"."+second, 3
	}
	rb, ok := mi.mod.resByAddr[addr]
	if !ok {
		return nil
	}
	exp := l.resExpansion(mi, rb)
	i, k := pickInstance(exp, t, i)
	if k < 0 {
		return nil
	}
	ri := exp.insts[k]
	attr, _ := step(t, i)
	if rb.mode == modeData && rb.typ == policyDocType && (attr == "json" || attr == "minified_json") {
		if i+1 != len(t) {
			return nil
		}
		return l.crossing(l.docNode(ri), t.SourceRange())
	}
	// Only what the configuration writes: a derived value (an arn) stands at the reference.
	if _, ok := rb.block.Body.Attributes[attr]; !ok && !hasBlock(rb.block.Body, attr) {
		return nil
	}
	n := l.attrsNode(ri)
	if n == nil {
		return nil
	}
	return l.crossing(navigate(n, t[i:]), t.SourceRange())
}

func hasBlock(b *hclsyntax.Body, typ string) bool {
	for _, x := range b.Blocks {
		if x.Type == typ || (x.Type == "dynamic" && len(x.Labels) == 1 && x.Labels[0] == typ) {
			return true
		}
	}
	return false
}

// pickInstance selects the instance a traversal names after its block address (at step i):
// the only one, or the one its index step names. It returns the next step and the instance
// (-1 when none).
func pickInstance(exp *expansion, t hcl.Traversal, i int) (int, int) {
	switch exp.kind {
	case expSingle:
		return i, 0
	case expCount, expForEach:
		if i >= len(t) {
			return i, -1
		}
		ix, ok := t[i].(hcl.TraverseIndex)
		if !ok || !ix.Key.IsKnown() || ix.Key.IsNull() {
			return i, -1
		}
		for k, key := range exp.keys {
			if eq, err := convert.Convert(ix.Key, key.Type()); err == nil && eq.Equals(key).True() {
				return i + 1, k
			}
		}
	}
	return i, -1
}

// navigate follows attribute and index steps through a node tree; nil when a step is not there.
func navigate(n *yaml.Node, rest hcl.Traversal) *yaml.Node {
	for _, s := range rest {
		if n == nil {
			return nil
		}
		switch x := s.(type) {
		case hcl.TraverseAttr:
			n = docnode.Get(n, x.Name)
		case hcl.TraverseIndex:
			k := x.Key
			if !k.IsKnown() || k.IsNull() {
				return nil
			}
			switch {
			case n.Kind == yaml.SequenceNode && k.Type() == cty.Number:
				bf := k.AsBigFloat()
				i, acc := bf.Int64()
				if acc != 0 || i < 0 || int(i) >= len(n.Content) {
					return nil
				}
				n = n.Content[i]
			case n.Kind == yaml.MappingNode && k.Type() == cty.String:
				n = docnode.Get(n, k.AsString())
			default:
				return nil
			}
		default:
			return nil
		}
	}
	return n
}

// attrsNode is an instance's attributes as a node (Resource.Attrs), built once. nil while it is
// being built (a reference back to the instance from its own attributes).
func (l *loader) attrsNode(ri *resInst) *yaml.Node {
	if n, ok := l.attrs[ri]; ok {
		return n // nil while in progress
	}
	l.attrs[ri] = nil
	rb := ri.rb
	tr := rb.block.TypeRange
	n := l.bodyNode(rb.block.Body, ri.sc, rb, "", tr.Start, rb.file)
	sh := l.instShape(ri)
	var derived []string
	for k := range sh.vals {
		if _, set := rb.block.Body.Attributes[k]; !set && k != "json" && k != "minified_json" {
			derived = append(derived, k)
		}
	}
	sort.Strings(derived)
	for _, k := range derived {
		n.Content = append(n.Content, l.str(rb.file, tr.Start, k), l.valueNode(sh.vals[k], rb.file, tr.Start, ri.addr+"."+k))
	}
	if rb.mode == modeData && rb.typ == policyDocType {
		if d := l.docNode(ri); d != nil {
			n.Content = append(n.Content, l.str(rb.file, tr.Start, "json"), l.copyNode(d))
		}
	}
	l.policiesOneFile(rb, n)
	l.attrs[ri] = n
	return n
}

// policiesOneFile keeps each policy document of a resource's attributes in one file (oneFile).
func (l *loader) policiesOneFile(rb *resBlock, attrs *yaml.Node) {
	for _, kv := range docnode.Pairs(attrs) {
		switch k, v := kv[0].Value, kv[1]; {
		case isPolicyAttr(rb, k) || (k == "json" && rb.mode == modeData && rb.typ == policyDocType):
			l.oneFile(v)
		case k == "inline_policy" && isPolicyAttr(rb, "inline_policy.policy"):
			for _, b := range docnode.Items(v) {
				if p := docnode.Get(b, "policy"); p != nil {
					l.oneFile(p)
				}
			}
		}
	}
}

// bodyNode is a block body as a mapping: attributes (in terraform show -json's shape) and
// nested blocks as lists of mappings, in the order written. path is the body's attribute
// path inside the resource ("" at the top, "inline_policy." inside that block).
func (l *loader) bodyNode(body *hclsyntax.Body, sc *scope, rb *resBlock, path string, p hcl.Pos, file string) *yaml.Node {
	type entry struct {
		at       int
		key, val *yaml.Node
	}
	var entries []entry
	top := path == ""
	for _, a := range sortedAttrs(body) {
		if top && metaArgs[a.Name] {
			continue
		}
		entries = append(entries, entry{a.SrcRange.Start.Byte, l.str(file, a.NameRange.Start, a.Name),
			l.nodeFor(a.Expr, sc, isPolicyAttr(rb, path+a.Name))})
	}
	groups := map[string]int{} // block type → its entry
	for _, b := range l.blocksOf(body, sc) {
		if top && metaBlocks[b.typ] {
			continue
		}
		g, ok := groups[b.typ]
		if !ok {
			g = len(entries)
			groups[b.typ] = g
			entries = append(entries, entry{b.rng.Start.Byte, l.str(file, b.rng.Start, b.typ), l.seq(file, b.rng.Start)})
		}
		seq := entries[g].val
		seq.Content = append(seq.Content, l.bodyNode(b.body, b.sc, rb, path+b.typ+".", b.rng.Start, file))
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].at < entries[j].at })
	m := l.mapping(file, p)
	for _, e := range entries {
		m.Content = append(m.Content, e.key, e.val)
	}
	return m
}

// isPolicyAttr reports whether an attribute holds an IAM policy document (JSON text), so its
// JSON is read as the document's own nodes.
func isPolicyAttr(rb *resBlock, path string) bool {
	if rb.mode != modeManaged || !strings.HasPrefix(rb.typ, "aws_") {
		return false
	}
	switch path {
	case "assume_role_policy", "policy", "inline_policy.policy":
		return true
	}
	return false
}

// jsonText renders a node tree as compact JSON; ok is false when it holds an unknown value.
func jsonText(n *yaml.Node) (string, bool) {
	var b strings.Builder
	ok := true
	var w func(n *yaml.Node)
	w = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.MappingNode:
			b.WriteByte('{')
			for i := 0; i+1 < len(n.Content); i += 2 {
				if i > 0 {
					b.WriteByte(',')
				}
				k, _ := json.Marshal(n.Content[i].Value)
				b.Write(k)
				b.WriteByte(':')
				w(n.Content[i+1])
			}
			b.WriteByte('}')
		case yaml.SequenceNode:
			b.WriteByte('[')
			for i, c := range n.Content {
				if i > 0 {
					b.WriteByte(',')
				}
				w(c)
			}
			b.WriteByte(']')
		default:
			if iampolicy.HasUnknown(n.Value) {
				ok = false
			}
			switch n.Tag {
			case "!!int", "!!float", "!!bool", "!!null":
				b.WriteString(n.Value)
			default:
				s, _ := json.Marshal(n.Value)
				b.Write(s)
			}
		}
	}
	w(n)
	return b.String(), ok
}
