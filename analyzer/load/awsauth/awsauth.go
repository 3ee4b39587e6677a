// Package awsauth reads IAM→Kubernetes identity mappings exactly as aws-iam-authenticator
// parses them: the aws-auth ConfigMap's data (FromConfigMap, called by package kube), the
// authenticator's server config file, IAMIdentityMapping custom resources, the dynamic-file
// JSON and bare mapRoles/mapUsers/mapAccounts fragments (Load).
//
// References are to kubernetes-sigs/aws-iam-authenticator at 81b1daba and to the rule numbers
// of docs/semantics.md §D.
package awsauth

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/node"
	"github.com/rolecall/rolecall/analyzer/result"
)

// FromConfigMap decodes the data of ConfigMap obj (a mapping node of doc) as the EKSConfigMap
// backend does (pkg/mapper/configmap/configmap.go ParseMap). The caller has checked that obj is
// kube-system/aws-auth. The result is nil when Kubernetes would reject the object (a data value
// that is not a string, e.g. a mapRoles list written without "|", D1.3): the authenticator
// never sees it.
func FromConfigMap(doc *docnode.Document, obj *yaml.Node, cluster string) (*inventory.AWSAuth, []result.Diagnostic) {
	a := &inventory.AWSAuth{
		ID:      inventory.AWSAuthID(cluster, inventory.AuthConfigMap, ""),
		Cluster: cluster,
		Kind:    inventory.AuthConfigMap,
		Source:  node.At(doc.File, obj),
	}
	_, data := docnode.Lookup(obj, "data")
	ok, diags := fromData(doc, data, a)
	if !ok {
		return nil, diags
	}
	return a, diags
}

// fromData fills a from a ConfigMap data mapping (nil or null: no sections). ok is false when
// the object could not be created.
func fromData(doc *docnode.Document, data *yaml.Node, a *inventory.AWSAuth) (ok bool, diags []result.Diagnostic) {
	data = docnode.Resolve(data)
	if data == nil || docnode.IsNull(data) {
		return true, nil
	}
	if data.Kind != yaml.MappingNode {
		return false, []result.Diagnostic{node.Diag(result.DiagError, node.At(doc.File, data),
			"ConfigMap data must be a mapping of strings (mapRoles: |, mapUsers: |, mapAccounts: |); Kubernetes rejects this object")}
	}
	// ConfigMap.data is map[string]string: any other value makes the API server (and kubectl)
	// reject the whole object, so nothing of it reaches the authenticator (yaml_test.go
	// "missing-bar": create fails).
	for _, p := range docnode.Pairs(data) {
		v := p[1]
		if v.Kind == yaml.ScalarNode && (v.Tag == "!!str" || v.Tag == "!!null") {
			continue
		}
		diags = append(diags, node.Diag(result.DiagError, node.At(doc.File, v), fmt.Sprintf(
			"ConfigMap data value %q must be a string, not a %s; write %q followed by the indented YAML (Kubernetes rejects this object, so the authenticator never reads it)",
			p[0].Value, node.KindName(v), p[0].Value+": |")))
	}
	if len(diags) > 0 {
		return false, diags
	}
	for _, p := range docnode.Pairs(data) {
		diags = append(diags, dataKey(doc, a, p[0], p[1])...)
	}
	return true, diags
}

// FromData decodes the data of an aws-auth ConfigMap declared in infrastructure as code (the
// Terraform kubernetes_config_map and kubernetes_config_map_v1_data resources), whose checks
// on the object (kube-system/aws-auth) the caller has made; at is where it is declared. A data
// value is the string the ConfigMap will hold (numbers and bools are their text: the
// attribute is a map of strings), or the structured value of a yamlencode(...) (or
// jsonencode) call, which the authenticator receives as the text yamlencode renders from it:
// that text is decoded exactly as a string value would be, while entries keep the positions
// of the structure.
func FromData(file string, data *yaml.Node, at inventory.Source, cluster string) (*inventory.AWSAuth, []result.Diagnostic) {
	a := &inventory.AWSAuth{
		ID:      inventory.AWSAuthID(cluster, inventory.AuthConfigMap, ""),
		Cluster: cluster,
		Kind:    inventory.AuthConfigMap,
		Source:  at,
	}
	data = docnode.Resolve(data)
	if data == nil || docnode.IsNull(data) {
		return a, nil
	}
	doc := &docnode.Document{File: file}
	if data.Kind != yaml.MappingNode {
		return nil, []result.Diagnostic{node.Diag(result.DiagError, node.At(file, data),
			"ConfigMap data must be a map of strings (mapRoles, mapUsers, mapAccounts)")}
	}
	var diags []result.Diagnostic
	for _, p := range docnode.Pairs(data) {
		diags = append(diags, dataKey(doc, a, p[0], p[1])...)
	}
	return a, append(diags, setAsideUnknown(a)...)
}

// setAsideUnknown removes the entries that hold a value known only after deployment
// (iampolicy.Unknown, e.g. a rolearn from a module output): what they map is not known, so no
// rule may judge them. The others keep their IDs (entry indexes are the authenticator's).
func setAsideUnknown(a *inventory.AWSAuth) []result.Diagnostic {
	var diags []result.Diagnostic
	warn := func(what string, at inventory.Source, unknowns []string) {
		diags = append(diags, node.Diag(result.DiagWarning, at, fmt.Sprintf(
			"%s depends on %s, known only after deployment; it is not analysed", what, strings.Join(unknowns, ", "))))
	}
	keep := func(entries []*inventory.AuthEntry) []*inventory.AuthEntry {
		out := entries[:0]
		for _, e := range entries {
			parts := append([]string{e.ARN, e.Username}, e.Groups...)
			if e.SSO != nil {
				parts = append(parts, e.SSO.PermissionSetName, e.SSO.AccountID, e.SSO.Partition)
			}
			if u := iampolicy.UnknownsIn(strings.Join(parts, "\n")); len(u) > 0 {
				warn(fmt.Sprintf("%s entry %d", e.Section, e.Index), e.Source, u)
				continue
			}
			out = append(out, e)
		}
		return out
	}
	a.MapRoles, a.MapUsers = keep(a.MapRoles), keep(a.MapUsers)
	accounts := a.MapAccounts[:0]
	for i, r := range a.MapAccounts {
		if u := iampolicy.UnknownsIn(r.Account); len(u) > 0 {
			warn(fmt.Sprintf("%s entry %d", MapAccounts, i), r.Source, u)
			continue
		}
		accounts = append(accounts, r)
	}
	a.MapAccounts = accounts
	return diags
}

// dataKey decodes one key of ConfigMap data into a.
func dataKey(doc *docnode.Document, a *inventory.AWSAuth, k, v *yaml.Node) []result.Diagnostic {
	switch k.Value {
	case MapRoles, MapUsers, MapAccounts:
		if v.Kind == yaml.SequenceNode || v.Kind == yaml.MappingNode {
			return encodedSection(doc.File, a, k, v)
		}
		return stringSection(doc, a, k, v)
	}
	a.UnrecognizedKeys = append(a.UnrecognizedKeys, inventory.KeyRef{
		ID: inventory.AuthSectionID(a.ID, k.Value), Key: k.Value, Source: node.At(doc.File, k),
	})
	msg := fmt.Sprintf("aws-auth data key %q is not read by aws-iam-authenticator (keys are case-sensitive: mapRoles, mapUsers, mapAccounts)", k.Value)
	return []result.Diagnostic{node.Diag(result.DiagWarning, node.At(doc.File, k), msg)}
}

// encodedSection decodes a section given as the structure yamlencode(...) renders (see
// FromData): rendered to YAML text and decoded like a string value, positioned by v's nodes.
func encodedSection(file string, a *inventory.AWSAuth, k, v *yaml.Node) []result.Diagnostic {
	name := k.Value
	sec := inventory.AuthSection{ID: inventory.AuthSectionID(a.ID, name), Name: name, Source: node.At(file, k)}
	pm := identity(file, v)
	var res sectionResult
	text, err := renderYAML(v)
	switch {
	case err != nil:
		res.err, res.errAt = fmt.Sprintf("%s cannot be rendered as YAML: %s", name, cleanYAMLError(err)), pm.at(v)
	case name == MapAccounts:
		res = decodeAccountsTree(a.ID, string(text), v, pm)
	default:
		raw, err := toJSON(text)
		if err != nil {
			res.err, res.errAt = fmt.Sprintf("%s cannot be converted to JSON: %s", name, cleanYAMLError(err)), pm.at(v)
			break
		}
		res = decodeEntries(a.ID, name, raw, v, pm, modeConfigMap)
		if res.err != "" {
			res.err += "; aws-iam-authenticator drops the whole section"
		}
	}
	return commit(a, sec, res)
}

// stringSection decodes one mapRoles/mapUsers/mapAccounts string value (YAML-in-YAML).
func stringSection(doc *docnode.Document, a *inventory.AWSAuth, k, v *yaml.Node) []result.Diagnostic {
	name := k.Value
	sec := inventory.AuthSection{ID: inventory.AuthSectionID(a.ID, name), Name: name, Source: node.At(doc.File, k)}
	s := v.Value
	if v.Tag == "!!null" {
		s = ""
	}
	pm := blockMap(doc.File, doc.Data, k, v)
	var res sectionResult
	switch {
	case isSkippable(s):
		// D1.4: skipped without error.
	case name == MapAccounts:
		res = decodeAccounts(a.ID, s, pm)
	default:
		raw, err := toJSON([]byte(s))
		if err != nil {
			// D3.2: ToJSON fails, the whole section is dropped.
			res.err = fmt.Sprintf("%s does not parse as YAML, so aws-iam-authenticator drops the whole section: %s",
				name, cleanYAMLError(err))
			res.errAt = pm.atLine(errLine(err))
			if bad := complexKey(parseInner(s)); bad != nil && errLine(err) == 0 {
				// go-yaml v2 cannot use a mapping as a map key and says so without a line;
				// yaml.v3 builds the tree, so point at the offending value.
				res.err = fmt.Sprintf("%s does not parse as YAML, so aws-iam-authenticator drops the whole section: a mapping or list is used as a key (an unquoted value starting with \"{{\"? quote it, e.g. \"{{SessionName}}\")", name)
				res.errAt = pm.at(bad)
			}
			break
		}
		res = decodeEntries(a.ID, name, raw, parseInner(s), pm, modeConfigMap)
		if res.err != "" {
			res.err += "; aws-iam-authenticator drops the whole section"
		}
	}
	return commit(a, sec, res)
}

// commit stores a decoded section in a and returns its diagnostics.
func commit(a *inventory.AWSAuth, sec inventory.AuthSection, res sectionResult) []result.Diagnostic {
	var diags []result.Diagnostic
	if res.err != "" {
		sec.Error = res.err
		if res.errAt.Line > 0 {
			sec.Source = res.errAt
		}
		diags = append(diags, node.Diag(result.DiagWarning, sec.Source, res.err))
		res.entries, res.accounts = nil, nil
	}
	a.Sections = append(a.Sections, sec)
	for _, w := range res.warnings {
		diags = append(diags, node.Diag(result.DiagWarning, w.at, w.msg))
	}
	for _, e := range res.entries {
		for _, te := range e.TypeErrors {
			diags = append(diags, node.Diag(result.DiagWarning, e.Source, fmt.Sprintf(
				"%s entry %d: %s; the field is left empty and the entry is still used", e.Section, e.Index, te)))
		}
		if e.Invalid != "" {
			diags = append(diags, node.Diag(result.DiagWarning, e.Source, fmt.Sprintf(
				"%s entry %d is ignored by aws-iam-authenticator: %s", e.Section, e.Index, e.Invalid)))
		}
	}
	switch sec.Name {
	case MapRoles:
		a.MapRoles = append(a.MapRoles, res.entries...)
	case MapUsers:
		a.MapUsers = append(a.MapUsers, res.entries...)
	case MapAccounts:
		a.MapAccounts = append(a.MapAccounts, res.accounts...)
	}
	return diags
}

func cleanYAMLError(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "error converting YAML to JSON: ")
	s = strings.TrimPrefix(s, "yaml: ")
	return s
}

// Add stores a in inv. A mapping source with the same ID loaded earlier (another aws-auth
// ConfigMap for the same cluster, e.g. a second document or file) is replaced — the last one
// applied is what the cluster holds — and a warning names both.
func Add(inv *inventory.Inventory, a *inventory.AWSAuth) []result.Diagnostic {
	for i, old := range inv.AWSAuth {
		if old.ID == a.ID {
			inv.AWSAuth[i] = a
			return []result.Diagnostic{node.Diag(result.DiagWarning, a.Source, fmt.Sprintf(
				"a second mapping source %s for the same cluster replaces the one at %s (the last one applied wins)",
				a.ID, old.Source))}
		}
	}
	inv.AWSAuth = append(inv.AWSAuth, a)
	return nil
}

// MarkShadowed marks the entries of one aws-auth ConfigMap section that a later entry for
// the same ARN overrides (D5.3), for callers that build entries themselves (eksctl writes its
// iamIdentityMappings into the ConfigMap).
func MarkShadowed(entries []*inventory.AuthEntry) { shadow(entries, modeConfigMap) }

// complexKey returns the first mapping (depth-first) that has a non-scalar key, e.g. the value
// of "username: {{SessionName}}", which YAML reads as a flow mapping keyed by a flow mapping.
func complexKey(n *yaml.Node) *yaml.Node {
	return complexKeyDepth(n, 0)
}

func complexKeyDepth(n *yaml.Node, depth int) *yaml.Node {
	if n == nil || depth > 100 {
		return nil
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.MappingNode || k.Kind == yaml.SequenceNode {
				return n
			}
		}
	}
	for _, c := range n.Content {
		if bad := complexKeyDepth(c, depth+1); bad != nil {
			return bad
		}
	}
	return nil
}
