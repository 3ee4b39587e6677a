package iamjson

import (
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
	yaml "go.yaml.in/yaml/v3"
)

// reader collects what one document yields: inventory elements go straight into inv,
// problems into diags.
type reader struct {
	file  string
	inv   *inventory.Inventory
	diags []result.Diagnostic
}

func (r *reader) src(n *yaml.Node) inventory.Source {
	if n == nil {
		return inventory.At(r.file, 0, 0)
	}
	return inventory.At(r.file, n.Line, n.Column)
}

func (r *reader) errorf(n *yaml.Node, format string, a ...any) {
	r.report(result.DiagError, n, format, a...)
}

func (r *reader) warnf(n *yaml.Node, format string, a ...any) {
	r.report(result.DiagWarning, n, format, a...)
}

func (r *reader) report(sev string, n *yaml.Node, format string, a ...any) {
	d := result.Diagnostic{Severity: sev, File: r.file, Message: fmt.Sprintf(format, a...)}
	if n != nil {
		d.Line, d.Column = n.Line, n.Column
	}
	r.diags = append(r.diags, d)
}

// onlyKeys reports whether every key of mapping m is one of allowed. AWS CLI outputs have a
// fixed set of top-level keys; checking it keeps a Helm values file that happens to have a
// "Roles" key from being taken for list-roles output.
func onlyKeys(m *yaml.Node, allowed ...string) bool {
	for _, kv := range docnode.Pairs(m) {
		ok := false
		for _, a := range allowed {
			if kv[0].Value == a {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Keys that may accompany any CLI or SDK response (pagination, boto3 response metadata).
var envelopeKeys = []string{"IsTruncated", "Marker", "ResponseMetadata"}

func with(keys ...string) []string { return append(keys, envelopeKeys...) }

// str returns the string value of key in m; present reports whether the key exists at all.
// A present non-string value is reported as an error at the value.
func (r *reader) str(m *yaml.Node, key, what string) (s string, v *yaml.Node) {
	_, v = docnode.Lookup(m, key)
	if v == nil {
		return "", nil
	}
	s, ok := docnode.Str(v)
	if !ok && !isNull(v) {
		r.errorf(v, "%s: %s must be a string", what, key)
	}
	return s, v
}

func isNull(n *yaml.Node) bool {
	n = docnode.Resolve(n)
	return n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// strList reads a list of strings (a lone string is taken as a one-element list).
// The result is non-nil when the key is present, so "loaded, empty" stays distinguishable.
func (r *reader) strList(m *yaml.Node, key, what string) []string {
	_, v := docnode.Lookup(m, key)
	if v == nil || isNull(v) {
		return nil
	}
	if s, ok := docnode.Str(v); ok {
		return []string{s}
	}
	if v.Kind != yaml.SequenceNode {
		r.errorf(v, "%s: %s must be a list of strings", what, key)
		return nil
	}
	out := []string{}
	for _, it := range docnode.Items(v) {
		s, ok := docnode.Str(it)
		if !ok {
			r.errorf(it, "%s: %s must be a list of strings", what, key)
			continue
		}
		out = append(out, s)
	}
	return out
}

// objects returns the mapping items of a list; a lone mapping is accepted as a one-element
// list (F2.5: the CLI example prints a group's AttachedManagedPolicies as an object).
func (r *reader) objects(m *yaml.Node, key, what string) []*yaml.Node {
	_, v := docnode.Lookup(m, key)
	if v == nil || isNull(v) {
		return nil
	}
	if v.Kind == yaml.MappingNode {
		return []*yaml.Node{v}
	}
	if v.Kind != yaml.SequenceNode {
		r.errorf(v, "%s: %s must be a list of objects", what, key)
		return nil
	}
	var out []*yaml.Node
	for _, it := range docnode.Items(v) {
		if it.Kind != yaml.MappingNode {
			r.errorf(it, "%s: %s entries must be objects", what, key)
			continue
		}
		out = append(out, it)
	}
	return out
}

// policy parses a policy document held at key of m (object or URL-encoded string); nil when absent.
func (r *reader) policy(m *yaml.Node, key string) *iampolicy.Policy {
	_, v := docnode.Lookup(m, key)
	if v == nil || isNull(v) {
		return nil
	}
	return iampolicy.ParseNode(v, r.file)
}

// tags reads [{Key, Value}] into a map; nil when absent.
func (r *reader) tags(m *yaml.Node, what string) map[string]string {
	items := r.objects(m, "Tags", what)
	if items == nil {
		return nil
	}
	out := make(map[string]string, len(items))
	for _, t := range items {
		k, _ := r.str(t, "Key", what+" tag")
		v, _ := r.str(t, "Value", what+" tag")
		out[k] = v
	}
	return out
}

// inlinePolicies reads [{PolicyName, PolicyDocument}].
func (r *reader) inlinePolicies(m *yaml.Node, key, what string) []inventory.NamedPolicy {
	var out []inventory.NamedPolicy
	for _, p := range r.objects(m, key, what) {
		name, _ := r.str(p, "PolicyName", what+" inline policy")
		doc := r.policy(p, "PolicyDocument")
		if doc == nil {
			r.errorf(p, "%s: inline policy %q has no PolicyDocument (expected {PolicyName, PolicyDocument})", what, name)
			continue
		}
		out = append(out, inventory.NamedPolicy{Name: name, Document: doc, Source: r.src(p)})
	}
	return out
}

// attached reads AttachedManagedPolicies [{PolicyName, PolicyArn}] into ARNs.
func (r *reader) attached(m *yaml.Node, what string) []string {
	var out []string
	for _, p := range r.objects(m, "AttachedManagedPolicies", what) {
		arn, v := r.str(p, "PolicyArn", what+" attached policy")
		if v == nil || arn == "" {
			r.errorf(p, "%s: attached managed policy has no PolicyArn (expected {PolicyName, PolicyArn})", what)
			continue
		}
		out = append(out, arn)
	}
	return out
}

// boundary reads PermissionsBoundary {PermissionsBoundaryType, PermissionsBoundaryArn}.
func (r *reader) boundary(m *yaml.Node, what string) string {
	_, v := docnode.Lookup(m, "PermissionsBoundary")
	if v == nil || isNull(v) {
		return ""
	}
	arn, _ := r.str(v, "PermissionsBoundaryArn", what+" permissions boundary")
	return arn
}

// iamARN parses an IAM ARN whose resource starts with kind + "/" (e.g. "role/").
func iamARN(s, kind string) (iampolicy.ARN, bool) {
	a, ok := iampolicy.ParseARN(s)
	if !ok || a.Service != "iam" || !strings.HasPrefix(a.Resource, kind+"/") {
		return a, false
	}
	return a, true
}

// pathAndName splits a resource "role/PATH/NAME" into "/PATH/" and NAME.
func pathAndName(resource string) (path, name string) {
	_, rest, _ := strings.Cut(resource, "/")
	i := strings.LastIndexByte(rest, '/')
	if i < 0 {
		return "/", rest
	}
	return "/" + rest[:i+1], rest[i+1:]
}
