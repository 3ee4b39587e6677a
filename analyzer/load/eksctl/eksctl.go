// Package eksctl reads eksctl ClusterConfig files: the IAM roles eksctl will create for
// ServiceAccounts, identity mappings, Pod Identity associations, access entries and node groups.
//
// What eksctl does with each section is taken from its source, eksctl-io/eksctl (cited per
// function), and from its documentation at eksctl.io. Fields are matched as eksctl matches
// them: it decodes the file with sigs.k8s.io/yaml UnmarshalStrict (pkg/eks/api.go
// LoadConfigFromFile), i.e. encoding/json with unknown fields refused and field names matched
// case-insensitively. An unknown field in a section read here is reported as a warning, not
// an error: eksctl refuses such a file, but the field may be newer than the fields this
// loader knows, and a scan should not fail on what a newer eksctl accepts.
package eksctl

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/node"
	"github.com/rolecall/rolecall/analyzer/result"
)

const (
	apiVersion = "eksctl.io/v1alpha5"
	kind       = "ClusterConfig"
)

// Load recognises an eksctl ClusterConfig and adds what it declares to inv: the cluster, the
// roles and ServiceAccounts of iam.serviceAccounts, the Pod Identity associations (and their
// roles) of iam.podIdentityAssociations, the aws-auth entries of iamIdentityMappings, the
// access entries of accessConfig.accessEntries and the node groups with their add-on policies.
// Other documents are not recognised.
func Load(doc *docnode.Document, inv *inventory.Inventory) (bool, []result.Diagnostic) {
	if doc == nil || doc.Root == nil || inv == nil {
		return false, nil
	}
	root := docnode.Resolve(doc.Root)
	if root.Kind != yaml.MappingNode {
		return false, nil
	}
	k, _ := docnode.Str(docnode.Get(root, "kind"))
	av, _ := docnode.Str(docnode.Get(root, "apiVersion"))
	if k != kind || !strings.HasPrefix(av, "eksctl.io/") {
		return false, nil
	}
	r := &reader{Reader: node.Reader{File: doc.File}, inv: inv}
	if av != apiVersion {
		r.Errorf(docnode.Get(root, "apiVersion"), "apiVersion %q is not read by current eksctl releases: expected %s", av, apiVersion)
		return true, r.Diags
	}
	_, iam := r.mapping(root, "iam", "ClusterConfig")
	_, ac := r.mapping(root, "accessConfig", "ClusterConfig")
	if !r.cluster(root, ac) {
		return true, r.Diags
	}
	r.serviceAccounts(iam)
	r.podIdentityAssociations(iam)
	r.identityMappings(root)
	r.accessEntries(ac)
	r.nodeGroups(root)
	r.placeholderWarning()
	return true, r.Diags
}

// reader reads one ClusterConfig: inventory elements go straight into inv, problems into the
// embedded Reader's diagnostics.
type reader struct {
	node.Reader
	inv *inventory.Inventory

	name      string // cluster name (placeholders marked unknown)
	partition string
	// host is the stand-in for the cluster's OIDC issuer host/path (see providerHost).
	host string

	// placeholders are the template placeholders seen, in order; first is where the first was.
	placeholders []string
	first        *yaml.Node
}

// placeholderRE matches a template placeholder (${NAME}, as envsubst and Terraform's
// templatefile fill in). IAM policy variables always hold a colon (${aws:username}) or are
// the escapes ${*}, ${?}, ${$}, so they never match.
var placeholderRE = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*\}`)

// value marks the template placeholders of a value read at n as unknown: eksctl itself does
// not expand them, so the file is a template rendered before eksctl reads it, and what the
// placeholders become is not known here.
func (r *reader) value(s string, n *yaml.Node) string {
	return placeholderRE.ReplaceAllStringFunc(s, func(p string) string {
		if !slices.Contains(r.placeholders, p) {
			r.placeholders = append(r.placeholders, p)
		}
		if r.first == nil {
			r.first = n
		}
		return iampolicy.Unknown(p)
	})
}

func (r *reader) placeholderWarning() {
	if len(r.placeholders) == 0 {
		return
	}
	r.Warnf(r.first, "this ClusterConfig is a template: %s are filled in before eksctl reads it (envsubst, a Terraform template); values that use them are unknown here and not guessed",
		strings.Join(r.placeholders, ", "))
}

// field returns the key and value nodes of field key of mapping m, matched as encoding/json
// matches struct fields (case-insensitively; the last duplicate wins).
func field(m *yaml.Node, key string) (k, v *yaml.Node) {
	k, v = docnode.LookupFold(m, key)
	if v != nil && docnode.IsNull(v) {
		return k, nil
	}
	return k, v
}

// known warns about the fields of mapping m that eksctl does not know (what names m).
func (r *reader) known(m *yaml.Node, what string, fields ...string) {
	for _, kv := range docnode.Pairs(m) {
		k := kv[0].Value
		if slices.ContainsFunc(fields, func(f string) bool { return strings.EqualFold(f, k) }) {
			continue
		}
		hint := ""
		for _, f := range fields {
			if strings.EqualFold(strings.TrimSuffix(f, "s"), strings.TrimSuffix(k, "s")) {
				hint = fmt.Sprintf(" (did you mean %q?)", f)
			}
		}
		r.Warnf(kv[0], "%s: unknown field %q%s, not read; eksctl refuses a config file with fields it does not know (known here: %s)",
			what, k, hint, strings.Join(fields, ", "))
	}
}

// mapping returns the value of field key of m when it is a mapping; anything else but null is
// an error.
func (r *reader) mapping(m *yaml.Node, key, what string) (k, v *yaml.Node) {
	k, v = field(m, key)
	if v == nil {
		return k, nil
	}
	if v.Kind != yaml.MappingNode {
		r.Errorf(v, "%s: %s must be a mapping, not a %s", what, key, node.KindName(v))
		return k, nil
	}
	return k, v
}

// list returns the mappings of the list at field key of m; anything else, and elements that
// are not mappings, are errors.
func (r *reader) list(m *yaml.Node, key, what string) (*yaml.Node, []*yaml.Node) {
	k, v := field(m, key)
	if v == nil {
		return k, nil
	}
	if v.Kind != yaml.SequenceNode {
		r.Errorf(v, "%s: %s must be a list, not a %s", what, key, node.KindName(v))
		return k, nil
	}
	var out []*yaml.Node
	for _, it := range docnode.Items(v) {
		if it.Kind != yaml.MappingNode {
			r.Errorf(it, "%s: %s entries must be mappings, not a %s", what, key, node.KindName(it))
			continue
		}
		out = append(out, it)
	}
	return k, out
}

// str reads a scalar field (placeholders marked unknown); the node is nil when absent or null.
func (r *reader) str(m *yaml.Node, key, what string) (string, *yaml.Node) {
	_, v := field(m, key)
	if v == nil {
		return "", nil
	}
	s, ok := docnode.Str(v)
	if !ok {
		r.Errorf(v, "%s: %s must be a string, not a %s", what, key, node.KindName(v))
		return "", nil
	}
	return r.value(s, v), v
}

// strs reads a list of strings (placeholders marked unknown).
func (r *reader) strs(m *yaml.Node, key, what string) []string {
	_, v := field(m, key)
	if v == nil {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		r.Errorf(v, "%s: %s must be a list of strings, not a %s", what, key, node.KindName(v))
		return nil
	}
	var out []string
	for _, it := range docnode.Items(v) {
		s, ok := docnode.Str(it)
		if !ok {
			r.Errorf(it, "%s: %s must be a list of strings", what, key)
			continue
		}
		out = append(out, r.value(s, it))
	}
	return out
}

// yaml11Bools are the plain scalars go-yaml v2 — the parser behind sigs.k8s.io/yaml, which
// eksctl uses — reads as booleans besides true and false (YAML 1.1); yaml.v3 reads them as
// strings.
var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
}

// flag reads a boolean field. known is false when the field is absent, null, or a
// placeholder (unknown until the template is rendered); a value that is not a boolean is an
// error (eksctl cannot decode it).
func (r *reader) flag(m *yaml.Node, key, what string) (val, known bool, v *yaml.Node) {
	_, v = field(m, key)
	if v == nil {
		return false, false, nil
	}
	if v.Kind == yaml.ScalarNode {
		switch {
		case v.Tag == "!!bool":
			return strings.EqualFold(v.Value, "true"), true, v
		case v.Tag == "!!str" && v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0:
			if b, ok := yaml11Bools[v.Value]; ok {
				return b, true, v
			}
		}
		if placeholderRE.MatchString(v.Value) {
			r.value(v.Value, v)
			return false, false, v
		}
	}
	r.Errorf(v, "%s: %s must be true or false, not %s", what, key, describe(v))
	return false, false, v
}

func describe(v *yaml.Node) string {
	if v.Kind == yaml.ScalarNode {
		return fmt.Sprintf("%q", v.Value)
	}
	return "a " + node.KindName(v)
}

// Authentication modes eksctl accepts (accessConfig.authenticationMode).
var authModes = []string{inventory.ModeConfigMap, inventory.ModeAPIAndConfigMap, inventory.ModeAPI}

// cluster reads metadata and accessConfig.authenticationMode (ac: the accessConfig mapping)
// into the cluster; false when the config names no cluster (everything else belongs to it).
func (r *reader) cluster(root, ac *yaml.Node) bool {
	_, meta := r.mapping(root, "metadata", "ClusterConfig")
	nameKey, nameNode := field(meta, "name")
	raw, ok := docnode.Str(nameNode)
	if !ok || raw == "" {
		r.Errorf(node.First(nameNode, nameKey, meta, root), "ClusterConfig needs metadata.name, the cluster's name")
		return false
	}
	r.name = r.value(raw, nameNode)
	_, regionNode := field(meta, "region")
	rawRegion, _ := docnode.Str(regionNode)
	region, _ := r.str(meta, "region", "metadata")
	r.partition = partition(rawRegion)
	r.host = providerHost(rawRegion, raw)

	c := &inventory.Cluster{ID: inventory.ClusterID(r.name), Name: r.name, Region: region, Source: r.Src(nameKey)}
	mode, modeNode := r.str(ac, "authenticationMode", "accessConfig")
	switch {
	case modeNode == nil:
		// eksctl creates clusters in API_AND_CONFIG_MAP mode unless told otherwise ("default in
		// eksctl", https://eksctl.io/usage/access-entries/ and
		// https://docs.aws.amazon.com/eks/latest/eksctl/access-entries.html), while the EKS API's
		// own default is CONFIG_MAP (semantics E1.1).
		c.AuthenticationMode = inventory.ModeAPIAndConfigMap
	case slices.Contains(authModes, mode):
		c.AuthenticationMode, c.Source = mode, r.Src(modeNode)
	case iampolicy.HasUnknown(mode):
		// Unknown until the template is rendered: left "" (not described).
	default:
		r.Errorf(modeNode, "accessConfig.authenticationMode %q is not an authentication mode: expected %s", mode, strings.Join(authModes, ", "))
	}
	r.inv.Clusters = append(r.inv.Clusters, c)
	return true
}

// partition is the AWS partition of a region, as eksctl's api.Partition derives it.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// providerHost is the stand-in rolecall uses for the host/path of the cluster's OIDC issuer,
// oidc.eks.REGION.amazonaws.com/id/EKSCTL-NAME. EKS assigns the real one
// (oidc.eks.REGION.amazonaws.com/id/ID) when it creates the cluster, so the config cannot say
// it; but the trust eksctl writes for an iam.serviceAccounts role names exactly that issuer and
// that ServiceAccount, whatever the ID turns out to be. A consistent stand-in keeps those trust
// statements evaluable (the IRSA verdicts and the graph link the ServiceAccount to its role),
// where an unknown value would set them aside. The cluster's Issuer stays "" (unknown), so
// nothing claims the stand-in is the real issuer, and, as for any cluster whose issuer is
// unknown, the cluster's ServiceAccounts are matched against every EKS provider a role trusts.
func providerHost(region, cluster string) string {
	suffix := "amazonaws.com"
	if partition(region) == "aws-cn" {
		suffix = "amazonaws.com.cn"
	}
	return "oidc.eks." + symbol(region, "REGION") + "." + suffix + "/id/EKSCTL-" + symbol(cluster, "CLUSTER")
}

// symbol keeps the characters of s that may appear in a host or path segment ("${NAME}"
// becomes "NAME"); def when none is left.
func symbol(s, def string) string {
	var b strings.Builder
	for _, c := range s {
		if c == '-' || c == '_' || c == '.' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return def
	}
	return b.String()
}
