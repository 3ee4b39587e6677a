package terraform

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
)

// loadConfig is LoadConfig: evaluate, then map the resources into the inventory.
func loadConfig(files []File, opts Options, inv *inventory.Inventory) []result.Diagnostic {
	resources, read, diags := evaluate(files, opts)
	listed := map[string]bool{}
	for _, f := range inv.Files {
		listed[f] = true
	}
	for _, f := range read {
		if !listed[f] { // a .tfvars.json may have been read as a JSON input too
			inv.Files = append(inv.Files, f)
		}
	}
	return append(diags, mapResources(resources, inv)...)
}

// evaluate reads the root modules of files and returns the resources rolecall maps (see
// relevant), the names of every file read, and the diagnostics.
func evaluate(files []File, opts Options) ([]Resource, []string, []result.Diagnostic) {
	return newLoader(opts).run(files)
}

func (l *loader) run(files []File) (out []Resource, read []string, diags []result.Diagnostic) {
	defer func() {
		// Each root recovers on its own (evalRoot); this is for reading the folders.
		if r := recover(); r != nil {
			out, read, diags = nil, l.read, append(l.diags, errorf("", hcl.Pos{}, "internal error reading the Terraform configuration: %v", r))
		}
	}()
	l.parseVarInputs()
	for _, m := range l.roots(files) {
		out = append(out, l.evalRoot(m)...)
	}
	l.checkVarInputs()
	return out, l.read, l.diags
}

// evalRoot evaluates one root module and the local modules it calls. A panic (a bug, or a
// library's on odd input) costs this root only.
func (l *loader) evalRoot(m *module) (out []Resource) {
	defer func() {
		if r := recover(); r != nil {
			out = nil
			l.diag(errorf(firstFile(m), hcl.Pos{}, "internal error evaluating the Terraform module in %s: %v; its resources are not read", m.dir, r))
		}
	}()
	if m.broken {
		return nil
	}
	mi := l.newRoot(m)
	l.collect(mi, &out)
	// Kubernetes resources of a root belong to its EKS cluster when it declares exactly one.
	cluster, clusters := "", 0
	for _, r := range out {
		if r.Mode == modeManaged && r.Type == "aws_eks_cluster" {
			clusters++
			cluster, _ = docnode.Str(docnode.Get(r.Attrs, "name"))
		}
	}
	if clusters == 1 {
		for i := range out {
			if strings.HasPrefix(out[i].Type, "kubernetes_") {
				out[i].Cluster = cluster
			}
		}
	}
	return out
}

func firstFile(m *module) string {
	if len(m.files) > 0 {
		return m.files[0]
	}
	return m.dir
}

// relevant reports whether a resource type is one rolecall maps: the AWS IAM and EKS and the
// Kubernetes resources. Others are evaluated only when something refers to them, so a
// configuration's unrelated parts add no work and no warnings.
func relevant(typ string) bool {
	return strings.HasPrefix(typ, "aws_iam_") || strings.HasPrefix(typ, "aws_eks_") || strings.HasPrefix(typ, "kubernetes_")
}

// collect adds the relevant resources of mi and of the local modules it calls.
func (l *loader) collect(mi *modInst, out *[]Resource) {
	if mi.mod.broken {
		return
	}
	for _, rb := range mi.mod.resources {
		if !l.all && !relevant(rb.typ) {
			continue
		}
		for _, ri := range l.resExpansion(mi, rb).insts {
			*out = append(*out, l.resource(ri))
		}
	}
	for _, name := range mi.mod.callOrder {
		for _, child := range l.callExpansion(mi, mi.mod.calls[name]).children {
			l.collect(child, out)
		}
	}
}

// resource is an instance as a Resource.
func (l *loader) resource(ri *resInst) Resource {
	rb := ri.rb
	attrs := l.attrsNode(ri)
	r := Resource{Mode: rb.mode, Type: rb.typ, Name: rb.name, Address: ri.addr, Attrs: attrs,
		Source: inventory.At(rb.file, rb.block.TypeRange.Start.Line, rb.block.TypeRange.Start.Column)}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if f := l.fileOf[n]; f != "" && f != rb.file {
			if r.Files == nil {
				r.Files = map[*yaml.Node]string{}
			}
			r.Files[n] = f
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(attrs)
	return r
}

// derive computes the attributes a provider derives from the configuration, so references
// to them link: a role's or policy's arn (account unknown: arn:aws:iam:::role/PATH/NAME, the
// convention for IAM entities without a known account) and an OIDC provider's. A name
// Terraform leaves to the provider is iampolicy.Unknown(ADDRESS.name), and an ARN built on a
// name known only after apply carries that name's marker (nameText): the mapper knows the
// entity by that same ARN (iamEntity), so references to it still name it. Everything else a
// provider computes is unknown.
func derive(rb *resBlock, addr string, vals map[string]cty.Value, nameText func() string) map[string]cty.Value {
	if rb.mode != modeManaged {
		return nil
	}
	get := func(k string) cty.Value {
		v, ok := vals[k]
		if !ok || v.IsNull() {
			return cty.UnknownVal(cty.String)
		}
		return v
	}
	out := map[string]cty.Value{}
	switch rb.typ {
	case "aws_iam_role", "aws_iam_policy":
		name, set := vals["name"]
		if !set || name.IsNull() {
			name = cty.StringVal(iampolicy.Unknown(addr + ".name"))
			out["name"] = name
		}
		forARN := name
		if !name.IsKnown() {
			forARN = cty.StringVal(nameText())
		}
		p := cty.StringVal("/")
		if v, ok := vals["path"]; ok && !v.IsNull() {
			p = v
		}
		kind := strings.TrimPrefix(rb.typ, "aws_iam_")
		arn := concat(cty.StringVal("arn:aws:iam:::"+kind), p, forARN)
		out["arn"] = arn
		if rb.typ == "aws_iam_role" {
			out["id"] = name
		} else {
			out["id"] = arn
		}
	case "aws_iam_openid_connect_provider":
		url := get("url")
		arn := cty.UnknownVal(cty.String)
		if s, ok := knownString(url); ok {
			arn = cty.StringVal("arn:aws:iam:::oidc-provider/" + strings.TrimPrefix(s, "https://"))
		}
		out["arn"], out["id"] = arn, arn
	case "aws_eks_cluster":
		out["id"] = get("name")
	case "aws_iam_role_policy":
		out["id"] = concat(get("role"), cty.StringVal(":"), get("name"))
	}
	return out
}

func knownString(v cty.Value) (string, bool) {
	if v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
		return v.AsString(), true
	}
	return "", false
}

// concat joins strings; unknown when one is.
func concat(parts ...cty.Value) cty.Value {
	var b strings.Builder
	for _, p := range parts {
		s, ok := knownString(p)
		if !ok {
			return cty.UnknownVal(cty.String)
		}
		b.WriteString(s)
	}
	return cty.StringVal(b.String())
}

// Diagnostics.

func errorf(file string, p hcl.Pos, format string, a ...any) result.Diagnostic {
	return result.Diagnostic{Severity: result.DiagError, File: file, Line: p.Line, Column: p.Column, Message: fmt.Sprintf(format, a...)}
}

func warnf(file string, p hcl.Pos, format string, a ...any) result.Diagnostic {
	return result.Diagnostic{Severity: result.DiagWarning, File: file, Line: p.Line, Column: p.Column, Message: fmt.Sprintf(format, a...)}
}

// diag reports d once (an expression may be evaluated more than once).
func (l *loader) diag(d result.Diagnostic) {
	key := fmt.Sprintf("%s\x00%s:%d:%d\x00%s", d.Severity, d.File, d.Line, d.Column, d.Message)
	if l.seen[key] {
		return
	}
	l.seen[key] = true
	l.diags = append(l.diags, d)
}

// addHCL reports hcl's diagnostics, positioned at their subject.
func (l *loader) addHCL(ds hcl.Diagnostics) {
	for _, d := range ds {
		sev := result.DiagError
		if d.Severity == hcl.DiagWarning {
			sev = result.DiagWarning
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		var file string
		var p hcl.Pos
		if d.Subject != nil {
			file, p = d.Subject.Filename, d.Subject.Start
		}
		l.diag(result.Diagnostic{Severity: sev, File: file, Line: p.Line, Column: p.Column, Message: msg})
	}
}
