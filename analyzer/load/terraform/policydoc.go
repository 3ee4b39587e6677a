package terraform

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
)

// policyDocType is the data source that writes an IAM policy document from blocks.
const policyDocType = "aws_iam_policy_document"

// The document is built as the AWS provider builds it (terraform-provider-aws,
// internal/service/iam/policy_document_data_source.go and policy_model.go):
//   - source_policy_documents are merged first, in order; their Sids must be unique;
//   - then the statement blocks (Sids unique among them); a statement whose Sid a source
//     statement has replaces that statement (iamPolicyDoc.Merge);
//   - then override_policy_documents, in order, each statement replacing the one with its Sid
//     or added at the end;
//   - effect defaults to "Allow"; empty lists are left out; "&{" is written "${" in resources,
//     principals' identifiers and condition values (policy variables, version 2012-10-17);
//   - principals blocks of one type are merged into one list; a single block of type "*"
//     with identifiers ["*"] is the string "*";
//   - condition blocks with the same test are one operator, and blocks with the same test
//     and variable are ONE condition key whose values are appended
//     (iamPolicyStatementConditionSet.MarshalJSON): their values are OR'ed, not AND'ed.
// Every node is positioned where the author wrote it: a statement at its block, Principal
// and its types at the principals block, Condition and its operator and key at the
// condition block, each value at its expression.

// docNode is the document a policy document data source instance writes, built once: a
// mapping, or a string marker when it depends on a document unknown until apply. nil while
// being built (a document that refers to itself).
func (l *loader) docNode(ri *resInst) *yaml.Node {
	if n, ok := l.docs[ri]; ok {
		return n
	}
	l.docs[ri] = nil
	n := l.buildDoc(ri)
	l.markExact(n) // built from evaluated values: nothing to check again
	l.docs[ri] = n
	return n
}

func (l *loader) markExact(n *yaml.Node) {
	l.exact[n] = true
	for _, c := range n.Content {
		l.markExact(c)
	}
}

// docJSON is the json attribute's value: the document's text, unknown when it holds unknowns.
func (l *loader) docJSON(ri *resInst) cty.Value {
	n := l.docNode(ri)
	if n == nil || n.Kind != yaml.MappingNode {
		return cty.UnknownVal(cty.String)
	}
	s, ok := jsonText(n)
	if !ok {
		return cty.UnknownVal(cty.String)
	}
	return cty.StringVal(s)
}

type docBuilder struct {
	l        *loader
	file     string
	version  *yaml.Node
	id       *yaml.Node
	stmts    []*yaml.Node
	stmtsPos hcl.Pos
}

// merge adds statements as iamPolicyDoc.Merge does: a statement with a Sid replaces the one
// with the same Sid, others are appended.
func (b *docBuilder) merge(stmts []*yaml.Node) {
	for _, s := range stmts {
		sid := sidOf(s)
		replaced := false
		if sid != "" {
			for i, old := range b.stmts {
				if sidOf(old) == sid {
					b.stmts[i], replaced = s, true
					break
				}
			}
		}
		if !replaced {
			b.stmts = append(b.stmts, s)
		}
	}
}

// adopt takes a merged document's Id and (a later) Version.
func (b *docBuilder) adopt(doc *yaml.Node) {
	if v := docnode.Get(doc, "Version"); v != nil && (b.version == nil || v.Value > b.version.Value) {
		b.version = v
	}
	if id := docnode.Get(doc, "Id"); id != nil && id.Value != "" {
		b.id = id
	}
}

func sidOf(stmt *yaml.Node) string {
	if s, ok := docnode.Str(docnode.Get(stmt, "Sid")); ok {
		return s
	}
	return ""
}

// statementsOf lists a document's statements (a lone statement object counts as one).
func statementsOf(doc *yaml.Node) []*yaml.Node {
	st := docnode.Get(doc, "Statement")
	if st == nil {
		return nil
	}
	if st.Kind == yaml.MappingNode {
		return []*yaml.Node{st}
	}
	return docnode.Items(st)
}

// statementsFrom lists the statements of a merged document; those of a document written in
// another file remember where the document is referred to (see oneFile).
func (l *loader) statementsFrom(doc *yaml.Node) []*yaml.Node {
	ss := statementsOf(doc)
	if st, ok := l.site[doc]; ok {
		for _, s := range ss {
			if _, has := l.site[s]; !has && l.fileOf[s] != st.file {
				l.site[s] = st
			}
		}
	}
	return ss
}

func (l *loader) buildDoc(ri *resInst) *yaml.Node {
	rb, sc := ri.rb, ri.sc
	body := rb.block.Body
	at := rb.block.TypeRange.Start
	b := &docBuilder{l: l, file: rb.file, stmtsPos: at}

	if a, ok := body.Attributes["source_policy_documents"]; ok {
		sids := map[string]bool{}
		for _, d := range l.docList(a.Expr, sc) {
			if d.Kind != yaml.MappingNode {
				// Unknown until apply: its statements stand as one unknown statement, set
				// aside by the policy analysis. They come first and cannot replace the blocks'
				// statements, so what is known keeps its meaning.
				b.stmts = append(b.stmts, d)
				continue
			}
			b.adopt(d)
			ss := l.statementsFrom(d)
			for _, s := range ss {
				if sid := sidOf(s); sid != "" {
					if sids[sid] {
						l.diag(errorf(l.fileOf[s], nodePos(s), "duplicate Sid %q in source_policy_documents: the AWS provider refuses the document (Sids must be unique across source documents)", sid))
					}
					sids[sid] = true
				}
			}
			b.merge(ss)
		}
	}

	version := "2012-10-17"
	cur := l.mapping(rb.file, at)
	if a, ok := body.Attributes["version"]; ok {
		v := l.nodeFor(a.Expr, sc, false)
		cur.Content = append(cur.Content, l.str(rb.file, a.NameRange.Start, "Version"), v)
		version = v.Value
	} else {
		cur.Content = append(cur.Content, l.str(rb.file, at, "Version"), l.str(rb.file, at, version))
	}
	if a, ok := body.Attributes["policy_id"]; ok {
		cur.Content = append(cur.Content, l.str(rb.file, a.NameRange.Start, "Id"), l.nodeFor(a.Expr, sc, false))
	}
	b.adopt(cur)
	var stmts []*yaml.Node
	sids := map[string]bool{}
	for _, blk := range l.blocksOf(body, sc) {
		if blk.typ != "statement" {
			continue
		}
		if len(stmts) == 0 && len(b.stmts) == 0 {
			b.stmtsPos = blk.rng.Start
		}
		s := l.statementNode(blk, rb.file, version)
		if sid := sidOf(s); sid != "" {
			if sids[sid] {
				l.diag(errorf(rb.file, blk.rng.Start, "duplicate Sid %q: the AWS provider refuses the document (Sids must be unique among statement blocks)", sid))
			}
			sids[sid] = true
		}
		stmts = append(stmts, s)
	}
	b.merge(stmts)

	if a, ok := body.Attributes["override_policy_documents"]; ok {
		for _, d := range l.docList(a.Expr, sc) {
			if d.Kind != yaml.MappingNode {
				// Any statement may be replaced by an unknown one: nothing is known.
				return d
			}
			b.adopt(d)
			b.merge(l.statementsFrom(d))
		}
	}

	doc := l.mapping(rb.file, at)
	if b.version != nil {
		doc.Content = append(doc.Content, l.str(l.fileOf[b.version], nodePos(b.version), "Version"), b.version)
	}
	if b.id != nil {
		doc.Content = append(doc.Content, l.str(l.fileOf[b.id], nodePos(b.id), "Id"), b.id)
	}
	if len(b.stmts) > 0 {
		seq := l.seq(rb.file, b.stmtsPos)
		seq.Content = b.stmts
		doc.Content = append(doc.Content, l.str(rb.file, b.stmtsPos, "Statement"), seq)
	}
	return doc
}

// docList evaluates a list of policy documents (JSON text): each a document mapping, or a
// string marker for a document unknown until apply.
func (l *loader) docList(expr hcl.Expression, sc *scope) []*yaml.Node {
	var out []*yaml.Node
	if tc, ok := expr.(*hclsyntax.TupleConsExpr); ok {
		for _, e := range tc.Exprs {
			if n := l.docElem(l.nodeFor(e, sc, true), e); n != nil {
				out = append(out, n)
			}
		}
		return out
	}
	v := l.eval(expr, sc)
	r := expr.Range()
	if !v.IsKnown() {
		return []*yaml.Node{l.str(r.Filename, r.Start, l.unknownText(expr, sc))}
	}
	if v.IsNull() || !v.CanIterateElements() {
		return nil
	}
	n := l.reconcile(l.structNode(expr, sc, false), v, exprText(l, expr))
	for _, it := range docnode.Items(n) {
		if d := l.docElem(it, expr); d != nil {
			out = append(out, d)
		}
	}
	return out
}

// docElem is one element of a document list as a document: its mapping, its JSON text read
// (positioned at the element), or a marker when unknown. nil for null.
func (l *loader) docElem(n *yaml.Node, e hcl.Expression) *yaml.Node {
	switch {
	case n.Kind == yaml.MappingNode:
		return n
	case n.Kind != yaml.ScalarNode || n.Tag == "!!null":
		return nil
	case iampolicy.HasUnknown(n.Value):
		return n
	}
	file, p := l.fileOf[n], nodePos(n)
	docs, err := docnode.Parse("", []byte(n.Value))
	if err != nil || len(docs) != 1 || !docs[0].JSON || docs[0].Root.Kind != yaml.MappingNode {
		r := e.Range()
		l.diag(errorf(r.Filename, r.Start, "policy document %s is not a JSON object: the AWS provider refuses it", exprText(l, e)))
		return nil
	}
	var place func(x *yaml.Node)
	place = func(x *yaml.Node) {
		x.Line, x.Column = p.Line, p.Column
		l.fileOf[x] = file
		for _, c := range x.Content {
			place(c)
		}
	}
	place(docs[0].Root)
	return docs[0].Root
}

// statementNode builds one statement from a statement block.
func (l *loader) statementNode(blk blockInst, file, version string) *yaml.Node {
	body, sc := blk.body, blk.sc
	m := l.mapping(file, blk.rng.Start)
	add := func(key string, at hcl.Pos, val *yaml.Node) {
		m.Content = append(m.Content, l.str(file, at, key), val)
	}
	if a, ok := body.Attributes["sid"]; ok {
		if n := l.nodeFor(a.Expr, sc, false); !(n.Kind == yaml.ScalarNode && (n.Value == "" || n.Tag == "!!null")) {
			add("Sid", a.NameRange.Start, n)
		}
	}
	if a, ok := body.Attributes["effect"]; ok {
		add("Effect", a.NameRange.Start, l.nodeFor(a.Expr, sc, false))
	} else {
		add("Effect", blk.rng.Start, l.str(file, blk.rng.Start, "Allow"))
	}
	for _, f := range []struct {
		attr, key string
		vars      bool
	}{{"actions", "Action", false}, {"not_actions", "NotAction", false}, {"resources", "Resource", true}, {"not_resources", "NotResource", true}} {
		a, ok := body.Attributes[f.attr]
		if !ok {
			continue
		}
		n := l.nodeFor(a.Expr, sc, false)
		if n.Tag == "!!null" || (n.Kind == yaml.SequenceNode && len(n.Content) == 0) {
			continue
		}
		if f.vars {
			policyVars(n, version)
		}
		add(f.key, a.NameRange.Start, n)
	}
	var principals, notPrincipals, conditions []blockInst
	for _, b := range l.blocksOf(body, sc) {
		switch b.typ {
		case "principals":
			principals = append(principals, b)
		case "not_principals":
			notPrincipals = append(notPrincipals, b)
		case "condition":
			conditions = append(conditions, b)
		}
	}
	if len(principals) > 0 {
		add("Principal", principals[0].rng.Start, l.principalNode(principals, file, version))
	}
	if len(notPrincipals) > 0 {
		add("NotPrincipal", notPrincipals[0].rng.Start, l.principalNode(notPrincipals, file, version))
	}
	if len(conditions) > 0 {
		add("Condition", conditions[0].rng.Start, l.conditionNode(conditions, file, version))
	}
	return m
}

// attrNode evaluates a block's attribute; a marker-free null when absent.
func (l *loader) attrNode(b blockInst, name, file string) *yaml.Node {
	a, ok := b.body.Attributes[name]
	if !ok {
		return l.newNode(yaml.ScalarNode, "!!null", "null", file, b.rng.Start)
	}
	return l.nodeFor(a.Expr, b.sc, false)
}

// principalNode builds Principal from principals blocks.
func (l *loader) principalNode(blocks []blockInst, file, version string) *yaml.Node {
	if len(blocks) == 1 {
		typ, ids := l.attrNode(blocks[0], "type", file), l.attrNode(blocks[0], "identifiers", file)
		if typ.Value == "*" && isStar(ids) {
			return l.str(file, blocks[0].rng.Start, "*")
		}
	}
	m := l.mapping(file, blocks[0].rng.Start)
	for _, b := range blocks {
		typ, ids := l.attrNode(b, "type", file), l.attrNode(b, "identifiers", file)
		policyVars(ids, version)
		appendValues(l, m, typ.Value, b.rng.Start, ids, file)
	}
	return m
}

func isStar(ids *yaml.Node) bool {
	if ids.Kind == yaml.ScalarNode {
		return ids.Value == "*"
	}
	return ids.Kind == yaml.SequenceNode && len(ids.Content) == 1 && ids.Content[0].Kind == yaml.ScalarNode && ids.Content[0].Value == "*"
}

// appendValues adds values under key in mapping m (at p when the key is new), appending to
// the values already there.
func appendValues(l *loader, m *yaml.Node, key string, p hcl.Pos, vals *yaml.Node, file string) {
	items := []*yaml.Node{vals}
	if vals.Kind == yaml.SequenceNode {
		items = vals.Content
	} else if vals.Tag == "!!null" {
		items = nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1].Content = append(m.Content[i+1].Content, items...)
			return
		}
	}
	seq := l.seq(file, nodePos(vals))
	seq.Content = items
	m.Content = append(m.Content, l.str(file, p, key), seq)
}

// conditionNode builds Condition from condition blocks: {test: {variable: [values]}}.
func (l *loader) conditionNode(blocks []blockInst, file, version string) *yaml.Node {
	m := l.mapping(file, blocks[0].rng.Start)
	for _, b := range blocks {
		test, variable, vals := l.attrNode(b, "test", file), l.attrNode(b, "variable", file), l.attrNode(b, "values", file)
		policyVars(vals, version)
		var op *yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == test.Value {
				op = m.Content[i+1]
				break
			}
		}
		if op == nil {
			op = l.mapping(file, b.rng.Start)
			m.Content = append(m.Content, l.str(file, b.rng.Start, test.Value), op)
		}
		appendValues(l, op, variable.Value, b.rng.Start, vals, file)
	}
	return m
}

// policyVars writes "&{" as "${" in every string of n, as the provider does for version
// 2012-10-17 (Terraform would otherwise read ${...} as its own interpolation).
func policyVars(n *yaml.Node, version string) {
	if version != "2012-10-17" {
		return
	}
	if n.Kind == yaml.ScalarNode {
		n.Value = strings.ReplaceAll(n.Value, "&{", "${")
	}
	for _, c := range n.Content {
		policyVars(c, version)
	}
}
