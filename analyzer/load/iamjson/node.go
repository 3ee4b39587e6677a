package iamjson

import (
	"strings"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/node"
	yaml "go.yaml.in/yaml/v3"
)

// reader reads one document: inventory elements go straight into inv, problems into the
// embedded Reader's diagnostics.
type reader struct {
	node.Reader
	inv *inventory.Inventory
}

// Keys that may accompany any CLI or SDK response (pagination, boto3 response metadata).
var envelopeKeys = []string{"IsTruncated", "Marker", "ResponseMetadata"}

func with(keys ...string) []string { return append(keys, envelopeKeys...) }

// policy parses a policy document held at key of m (object or URL-encoded string); nil when absent.
func (r *reader) policy(m *yaml.Node, key string) *iampolicy.Policy {
	_, v := docnode.Lookup(m, key)
	if v == nil || docnode.IsNull(v) {
		return nil
	}
	return iampolicy.ParseNode(v, r.File)
}

// tags reads [{Key, Value}] into a map; nil when absent.
func (r *reader) tags(m *yaml.Node, what string) map[string]string {
	items := r.Objects(m, "Tags", what)
	if items == nil {
		return nil
	}
	out := make(map[string]string, len(items))
	for _, t := range items {
		k, _ := r.Str(t, "Key", what+" tag")
		v, _ := r.Str(t, "Value", what+" tag")
		out[k] = v
	}
	return out
}

// inlinePolicies reads [{PolicyName, PolicyDocument}].
func (r *reader) inlinePolicies(m *yaml.Node, key, what string) []inventory.NamedPolicy {
	var out []inventory.NamedPolicy
	for _, p := range r.Objects(m, key, what) {
		name, _ := r.Str(p, "PolicyName", what+" inline policy")
		doc := r.policy(p, "PolicyDocument")
		if doc == nil {
			r.Errorf(p, "%s: inline policy %q has no PolicyDocument (expected {PolicyName, PolicyDocument})", what, name)
			continue
		}
		out = append(out, inventory.NamedPolicy{Name: name, Document: doc, Source: r.Src(p)})
	}
	return out
}

// attached reads AttachedManagedPolicies [{PolicyName, PolicyArn}] into ARNs.
func (r *reader) attached(m *yaml.Node, what string) []string {
	var out []string
	for _, p := range r.Objects(m, "AttachedManagedPolicies", what) {
		arn, v := r.Str(p, "PolicyArn", what+" attached policy")
		if v == nil || arn == "" {
			r.Errorf(p, "%s: attached managed policy has no PolicyArn (expected {PolicyName, PolicyArn})", what)
			continue
		}
		out = append(out, arn)
	}
	return out
}

// boundary reads PermissionsBoundary {PermissionsBoundaryType, PermissionsBoundaryArn}.
func (r *reader) boundary(m *yaml.Node, what string) string {
	_, v := docnode.Lookup(m, "PermissionsBoundary")
	if v == nil || docnode.IsNull(v) {
		return ""
	}
	arn, _ := r.Str(v, "PermissionsBoundaryArn", what+" permissions boundary")
	return arn
}

// arn reads the Arn of m, which must be an IAM ARN of kind (role, user, group, policy,
// oidc-provider); expected describes the object in the error when Arn is missing.
func (r *reader) arn(m *yaml.Node, kind, what, expected string) (string, iampolicy.ARN, bool) {
	arn, av := r.Str(m, "Arn", what)
	if av == nil || arn == "" {
		r.Errorf(m, "%s has no Arn (expected %s)", what, expected)
		return "", iampolicy.ARN{}, false
	}
	a, ok := iampolicy.ParseARN(arn)
	if !ok || a.Service != "iam" || !strings.HasPrefix(a.Resource, kind+"/") {
		label, tail := "IAM "+kind, "NAME"
		if kind == "oidc-provider" {
			label, tail = "OIDC provider", "HOST/PATH"
		}
		r.Errorf(av, "%s: Arn %q is not an %s ARN (expected arn:PARTITION:iam::ACCOUNT:%s/%s)", what, arn, label, kind, tail)
		return arn, a, false
	}
	return arn, a, true
}

// PathAndName splits the resource of an IAM ARN ("role/PATH/NAME") into "/PATH/" and NAME.
func PathAndName(resource string) (path, name string) {
	_, rest, _ := strings.Cut(resource, "/")
	i := strings.LastIndexByte(rest, '/')
	if i < 0 {
		return "/", rest
	}
	return "/" + rest[:i+1], rest[i+1:]
}
