package awsauth

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/node"
	"github.com/rolecall/rolecall/analyzer/result"
)

// Load reads the mapping sources other than the aws-auth ConfigMap (which package kube reads
// through FromConfigMap) and adds them to inv:
//   - the aws-iam-authenticator server config file (top-level "server" with mapRoles, mapUsers,
//     mapAccounts as structured YAML), also when embedded in a ConfigMap data value (the
//     authenticator's own deploy/example.yaml);
//   - IAMIdentityMapping custom resources (iamauthenticator.k8s.aws);
//   - the dynamic-file JSON ({"mapRoles": [...], "mapUsers": [...], "mapAccounts": [...]});
//   - fragments: a document whose top level (or whose "data") holds mapRoles/mapUsers/mapAccounts
//     strings, or a bare list of rolearn/userarn entries; a fragment is read as aws-auth data.
//
// Anything else, including the aws-auth ConfigMap itself, is not recognised.
func Load(doc *docnode.Document, cluster string, inv *inventory.Inventory) (recognized bool, diags []result.Diagnostic) {
	if doc == nil || doc.Root == nil {
		return false, nil
	}
	root := docnode.Resolve(doc.Root)
	var a *inventory.AWSAuth
	switch root.Kind {
	case yaml.SequenceNode:
		if !isEntryList(root) {
			return false, nil
		}
		a, diags = bareList(doc, root, cluster)
	case yaml.MappingNode:
		var ok bool
		a, diags, ok = fromMapping(doc, root, cluster)
		if !ok {
			return false, nil
		}
	default:
		return false, nil
	}
	if a != nil {
		diags = append(diags, Add(inv, a)...)
	}
	return true, diags
}

func fromMapping(doc *docnode.Document, root *yaml.Node, cluster string) (*inventory.AWSAuth, []result.Diagnostic, bool) {
	kind, _ := docnode.Str(docnode.Get(root, "kind"))
	apiVersion, _ := docnode.Str(docnode.Get(root, "apiVersion"))
	switch {
	case kind == "IAMIdentityMapping" && strings.HasPrefix(apiVersion, "iamauthenticator.k8s.aws/"):
		a, diags := crd(doc, root, cluster)
		return a, diags, true
	case kind == "ConfigMap":
		return embeddedServerConfig(doc, root, cluster)
	case kind != "" || apiVersion != "":
		return nil, nil, false
	}
	if _, server := docnode.LookupFold(root, "server"); server != nil && hasSectionFold(server) {
		a := &inventory.AWSAuth{
			ID: inventory.AWSAuthID(cluster, inventory.AuthServerFile, ""), Cluster: cluster,
			Kind: inventory.AuthServerFile, Source: node.At(doc.File, root),
		}
		diags := structured(a, server, identity(doc.File, server), modeServer)
		return a, diags, true
	}
	if doc.JSON && hasSectionFold(root) {
		a := &inventory.AWSAuth{
			ID: inventory.AWSAuthID(cluster, inventory.AuthDynamicFile, ""), Cluster: cluster,
			Kind: inventory.AuthDynamicFile, Source: node.At(doc.File, root),
		}
		diags := structured(a, root, identity(doc.File, root), modeDynamic)
		return a, diags, true
	}
	data := root
	if !hasSection(data) {
		if _, d := docnode.Lookup(root, "data"); d != nil && hasSection(d) {
			data = d
		} else {
			return nil, nil, false
		}
	}
	// A fragment of aws-auth data (documentation snippets, issue reports).
	a := &inventory.AWSAuth{
		ID: inventory.AWSAuthID(cluster, inventory.AuthConfigMap, ""), Cluster: cluster,
		Kind: inventory.AuthConfigMap, Source: node.At(doc.File, root),
	}
	ok, diags := fromData(doc, data, a)
	if !ok {
		return nil, diags, true
	}
	return a, diags, true
}

func hasSection(m *yaml.Node) bool {
	for _, k := range []string{MapRoles, MapUsers, MapAccounts} {
		if kn, _ := docnode.Lookup(m, k); kn != nil {
			return true
		}
	}
	return false
}

func hasSectionFold(m *yaml.Node) bool {
	for _, k := range []string{MapRoles, MapUsers, MapAccounts} {
		if kn, _ := docnode.LookupFold(m, k); kn != nil {
			return true
		}
	}
	return false
}

// isEntryList reports whether seq looks like a bare mapRoles/mapUsers list.
func isEntryList(seq *yaml.Node) bool {
	for _, it := range seq.Content {
		for _, k := range []string{"rolearn", "userarn", "sso"} {
			if kn, _ := docnode.LookupFold(it, k); kn != nil {
				return true
			}
		}
	}
	return false
}

// bareList reads a top-level list of entries as the mapRoles section of aws-auth data (or
// mapUsers when its entries name userarn and none rolearn/sso).
func bareList(doc *docnode.Document, seq *yaml.Node, cluster string) (*inventory.AWSAuth, []result.Diagnostic) {
	section := MapUsers
	for _, it := range seq.Content {
		for _, k := range []string{"rolearn", "sso"} {
			if kn, _ := docnode.LookupFold(it, k); kn != nil {
				section = MapRoles
			}
		}
	}
	a := &inventory.AWSAuth{
		ID: inventory.AWSAuthID(cluster, inventory.AuthConfigMap, ""), Cluster: cluster,
		Kind: inventory.AuthConfigMap, Source: node.At(doc.File, seq),
	}
	sec := inventory.AuthSection{ID: inventory.AuthSectionID(a.ID, section), Name: section, Source: node.At(doc.File, seq)}
	pm := identity(doc.File, seq)
	raw, err := nodeJSON(seq)
	var res sectionResult
	if err != nil {
		res.err, res.errAt = fmt.Sprintf("%s cannot be converted to JSON: %s", section, cleanYAMLError(err)), pm.at(seq)
	} else {
		res = decodeEntries(a.ID, section, raw, seq, pm, modeConfigMap)
	}
	return a, commit(a, sec, res)
}

// nodeJSON converts a structured node to JSON the way the authenticator's YAML→JSON path does.
func nodeJSON(n *yaml.Node) ([]byte, error) {
	y, err := renderYAML(n)
	if err != nil {
		return nil, err
	}
	return toJSON(y)
}

// renderYAML renders a structured node as YAML text.
func renderYAML(n *yaml.Node) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return yaml.Marshal(n)
}

// structured reads mapRoles/mapUsers/mapAccounts given as structured lists below m (server
// config or dynamic file). Keys match case-insensitively (viper keys; encoding/json fields).
func structured(a *inventory.AWSAuth, m *yaml.Node, pm posMap, md mode) []result.Diagnostic {
	type secIn struct {
		key, val *yaml.Node
		name     string
	}
	var secs []secIn
	for _, p := range docnode.Pairs(m) {
		for _, name := range []string{MapRoles, MapUsers, MapAccounts} {
			if strings.EqualFold(p[0].Value, name) {
				// Last duplicate wins (viper map, encoding/json field assignment).
				for i := range secs {
					if secs[i].name == name {
						secs = append(secs[:i], secs[i+1:]...)
						break
					}
				}
				secs = append(secs, secIn{p[0], p[1], name})
			}
		}
	}
	results := make([]sectionResult, len(secs))
	reject := ""
	for i, s := range secs {
		var res sectionResult
		switch {
		case s.name == MapAccounts:
			res = decodeStructuredAccounts(a.ID, s.val, pm, md)
		case s.val == nil || docnode.IsNull(s.val):
		default:
			raw, err := nodeJSON(s.val)
			if err != nil {
				res.err, res.errAt = fmt.Sprintf("%s cannot be converted to JSON: %s", s.name, cleanYAMLError(err)), pm.at(s.val)
				break
			}
			res = decodeEntries(a.ID, s.name, raw, s.val, pm, md)
			for _, e := range res.entries {
				if res.err != "" {
					break
				}
				switch {
				case len(e.TypeErrors) > 0:
					res.err, res.errAt = fmt.Sprintf("%s entry %d: %s", s.name, e.Index, e.TypeErrors[0]), e.Source
				case e.Invalid != "":
					res.err, res.errAt = fmt.Sprintf("%s entry %d: %s", s.name, e.Index, e.Invalid), e.Source
				}
			}
		}
		if res.err != "" && reject == "" {
			reject = res.err
		}
		results[i] = res
	}
	var diags []result.Diagnostic
	for i, s := range secs {
		res := results[i]
		if reject != "" {
			// Server: viper.UnmarshalKey or NewFileMapper fails and the server does not start.
			// Dynamic file: CallBackForFileLoad returns before saving anything.
			what := "the aws-iam-authenticator server refuses to start"
			if md == modeDynamic {
				what = "aws-iam-authenticator rejects the whole dynamic file"
			}
			if res.err == "" {
				res.err, res.errAt = fmt.Sprintf("%s: %s", what, reject), inventory.Source{}
			} else {
				res.err = fmt.Sprintf("%s: %s", what, res.err)
			}
		}
		sec := inventory.AuthSection{ID: inventory.AuthSectionID(a.ID, s.name), Name: s.name, Source: pm.at(s.key)}
		diags = append(diags, commit(a, sec, res)...)
	}
	return diags
}

// embeddedServerConfig reads a ConfigMap (other than aws-auth) whose data value is an
// aws-iam-authenticator server config file (deploy/example.yaml: data."config.yaml").
func embeddedServerConfig(doc *docnode.Document, root *yaml.Node, cluster string) (*inventory.AWSAuth, []result.Diagnostic, bool) {
	meta := docnode.Get(root, "metadata")
	name, _ := docnode.Str(docnode.Get(meta, "name"))
	if name == "aws-auth" {
		return nil, nil, false
	}
	for _, p := range docnode.Pairs(docnode.Get(root, "data")) {
		if !docnode.IsString(p[1]) {
			continue
		}
		tree := parseInner(p[1].Value)
		_, server := docnode.LookupFold(tree, "server")
		if server == nil || !hasSectionFold(server) {
			continue
		}
		a := &inventory.AWSAuth{
			ID: inventory.AWSAuthID(cluster, inventory.AuthServerFile, ""), Cluster: cluster,
			Kind: inventory.AuthServerFile, Source: node.At(doc.File, root),
		}
		pm := blockMap(doc.File, doc.Data, p[0], p[1])
		return a, structured(a, server, pm, modeServer), true
	}
	return nil, nil, false
}

// crd reads an IAMIdentityMapping (pkg/mapper/crd: spec.arn, spec.username, spec.groups). The
// CRD backend looks the canonical ARN up regardless of type; the entry goes to mapRoles for a
// role ARN and to mapUsers otherwise so rules can tell them apart.
func crd(doc *docnode.Document, root *yaml.Node, cluster string) (*inventory.AWSAuth, []result.Diagnostic) {
	meta := docnode.Get(root, "metadata")
	nameKey, nameNode := docnode.Lookup(meta, "name")
	name, ok := docnode.Str(nameNode)
	if !ok || name == "" {
		at := node.At(doc.File, root)
		if nameKey != nil {
			at = node.At(doc.File, nameNode)
		}
		return nil, []result.Diagnostic{node.Diag(result.DiagError, at, "IAMIdentityMapping needs metadata.name (a string)")}
	}
	a := &inventory.AWSAuth{
		ID: inventory.AWSAuthID(cluster, inventory.AuthCRD, name), Cluster: cluster,
		Kind: inventory.AuthCRD, Source: node.At(doc.File, root),
	}
	_, spec := docnode.Lookup(root, "spec")
	if !docnode.IsMap(spec) {
		return a, []result.Diagnostic{node.Diag(result.DiagError, node.At(doc.File, node.First(spec, root)), "IAMIdentityMapping needs a spec mapping with arn, username and groups")}
	}
	var diags []result.Diagnostic
	arnNode := docnode.Get(spec, "arn")
	arn, _ := docnode.Str(arnNode)
	section := MapUsers
	if strings.Contains(arn, ":role/") || strings.Contains(arn, ":assumed-role/") {
		section = MapRoles
	}
	e := &inventory.AuthEntry{
		ID: inventory.AuthEntryID(a.ID, section, 0), Section: section, ARN: arn,
		Source: node.At(doc.File, spec),
	}
	if arn == "" {
		e.Invalid = "spec.arn must be supplied"
		diags = append(diags, node.Diag(result.DiagError, node.At(doc.File, node.First(arnNode, spec)), "IAMIdentityMapping spec.arn must be a non-empty string"))
	}
	if u := docnode.Get(spec, "username"); u != nil {
		if s, ok := docnode.Str(u); ok && u.Tag == "!!str" {
			e.Username = s
		} else if ok {
			e.TypeErrors = append(e.TypeErrors, "username: expected a string")
		}
	}
	if g := docnode.Get(spec, "groups"); g != nil {
		if g.Kind != yaml.SequenceNode {
			e.TypeErrors = append(e.TypeErrors, "groups: expected a list of strings")
		}
		for _, it := range docnode.Items(g) {
			if s, ok := docnode.Str(it); ok && it.Tag == "!!str" {
				e.Groups = append(e.Groups, s)
			} else {
				e.TypeErrors = append(e.TypeErrors, "groups: expected a list of strings")
				break
			}
		}
	}
	for _, te := range e.TypeErrors {
		// The API server validates the CRD schema and rejects the object.
		diags = append(diags, node.Diag(result.DiagError, e.Source, "IAMIdentityMapping spec."+te))
	}
	if section == MapRoles {
		a.MapRoles = []*inventory.AuthEntry{e}
	} else {
		a.MapUsers = []*inventory.AuthEntry{e}
	}
	return a, diags
}
