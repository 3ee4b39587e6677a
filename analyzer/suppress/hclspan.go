package suppress

import (
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// isTerraform reports whether a file is Terraform configuration (HCL), by its extension.
func isTerraform(name string) bool { return strings.EqualFold(filepath.Ext(name), ".tf") }

// hclComments lists the byte offsets at which the comments of an HCL file start.
func hclComments(data []byte) (out map[int]bool) {
	out = map[int]bool{}
	defer func() {
		if recover() != nil { // hcl is not expected to panic; markers then count nowhere
			out = map[int]bool{}
		}
	}()
	toks, _ := hclsyntax.LexConfig(data, "", hcl.InitialPos) // what lexes; the rest has none
	for _, t := range toks {
		if t.Type == hclsyntax.TokenComment {
			out[t.Range.Start.Byte] = true
		}
	}
	return out
}

// hclSpans maps the first line of each HCL element of a .tf file — a block, an argument, an
// item of an object or tuple constructor (jsonencode({...}) documents) — to its last line,
// the outermost element winning. A file that does not parse keeps what parsed.
func hclSpans(data []byte) (s spans) {
	s = spans{}
	defer func() {
		if recover() != nil { // hcl is not expected to panic; markers then cover their line
			s = spans{}
		}
	}()
	f, _ := hclsyntax.ParseConfig(data, "", hcl.InitialPos)
	if f == nil {
		return s
	}
	if body, ok := f.Body.(*hclsyntax.Body); ok {
		s.body(body)
	}
	return s
}

// add records an element from line first to line last unless an outer one starts there.
func (s spans) add(first, last int) {
	if _, ok := s[first]; !ok && first > 0 {
		s[first] = last
	}
}

func (s spans) body(b *hclsyntax.Body) {
	for _, a := range b.Attributes {
		s.add(a.SrcRange.Start.Line, a.SrcRange.End.Line)
	}
	for _, blk := range b.Blocks {
		s.add(blk.TypeRange.Start.Line, blk.CloseBraceRange.End.Line)
	}
	// Nested elements after their parents, so that the outermost wins.
	for _, a := range b.Attributes {
		s.expr(a.Expr)
	}
	for _, blk := range b.Blocks {
		s.body(blk.Body)
	}
}

func (s spans) expr(e hclsyntax.Expression) {
	switch x := e.(type) {
	case *hclsyntax.ObjectConsExpr:
		for _, it := range x.Items {
			s.add(it.KeyExpr.Range().Start.Line, it.ValueExpr.Range().End.Line)
		}
		for _, it := range x.Items {
			s.expr(it.ValueExpr)
		}
	case *hclsyntax.TupleConsExpr:
		for _, it := range x.Exprs {
			r := it.Range()
			s.add(r.Start.Line, r.End.Line)
		}
		for _, it := range x.Exprs {
			s.expr(it)
		}
	case *hclsyntax.FunctionCallExpr:
		for _, a := range x.Args {
			s.expr(a)
		}
	case *hclsyntax.ParenthesesExpr:
		s.expr(x.Expression)
	case *hclsyntax.TemplateWrapExpr:
		s.expr(x.Wrapped)
	}
}
