package load

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/awsauth"
	"github.com/rolecall/rolecall/analyzer/load/node"
	"github.com/rolecall/rolecall/analyzer/result"
)

// The snapshot format of analyzer/live (live.SnapshotKey, live.SnapshotVersion; analyzer's
// TestSnapshotFormatMatchesLive checks that the two agree). load does not import live, which
// sits beside it in the pipeline.
const (
	snapshotKey     = "rolecall_snapshot"
	snapshotVersion = 1
)

// LiveInput is a snapshot collected in memory (`scan --live`): it is loaded like a snapshot
// file, but nothing it yields has a file position — every Source keeps only its live
// reference (API and ARN or Kubernetes object), and its diagnostics name the API instead.
type LiveInput struct {
	// Name names the input in diagnostics about the input as a whole.
	Name string
	// Data is the snapshot as JSON (analyzer/live.Snapshot).
	Data []byte
}

// loadLive loads a snapshot collected in memory; see LiveInput.
func loadLive(li LiveInput, inv *inventory.Inventory, l loaders) []result.Diagnostic {
	fail := func(msg string) []result.Diagnostic {
		return []result.Diagnostic{{Severity: result.DiagError, Message: "live snapshot " + li.Name + ": " + msg}}
	}
	docs, perr := parse(li.Name, li.Data)
	if perr != nil {
		return fail(fmt.Sprintf("%s (line %d, column %d)", perr.Message, perr.Line, perr.Column))
	}
	if len(docs) != 1 || !isSnapshot(docs[0]) {
		return fail("not a rolecall snapshot (expected one JSON object with \"" + snapshotKey + "\")")
	}
	return loadSnapshot(docs[0], inv, l, true)
}

// isSnapshot reports whether doc is a rolecall snapshot: a mapping with the snapshot key.
func isSnapshot(doc *docnode.Document) bool {
	k, _ := docnode.Lookup(doc.Root, snapshotKey)
	return k != nil
}

// snapshot loads one snapshot document into inv.
type snapshot struct {
	node.Reader
	doc  *docnode.Document
	inv  *inventory.Inventory
	l    loaders
	live bool
	// out are the diagnostics placed so far (see place).
	out []result.Diagnostic
}

// loadSnapshot loads the snapshot doc (isSnapshot) into inv: every record's output goes to the
// loaders a file of that shape would get (IAM and EKS answers to the AWS loaders, Kubernetes
// objects to the manifest loaders with the record's cluster), every element it yields is tagged
// with the record's API and its own reference, the clusters' collection state fills the
// inventory's clusters, and the collection's diagnostics become diagnostics. With live set,
// positions are dropped everywhere.
func loadSnapshot(doc *docnode.Document, inv *inventory.Inventory, l loaders, live bool) []result.Diagnostic {
	s := &snapshot{Reader: node.Reader{File: doc.File}, doc: doc, inv: inv, l: l, live: live}
	root := docnode.Resolve(doc.Root)
	label := "live snapshot " + doc.File
	if !s.version(root) {
		return s.place(label)
	}
	records := s.list(root, "records")
	s.place(label)
	for i, rec := range records {
		s.record(rec, i)
	}
	for _, c := range s.list(root, "clusters") {
		s.cluster(c)
	}
	s.place(label)
	for _, d := range s.list(root, "diagnostics") {
		s.diagnostic(d)
	}
	return s.place(label)
}

// place moves the reader's pending diagnostics to the output. Live diagnostics lose their
// position and say instead what they are about: label is the record's API and reference, or
// the snapshot's name.
func (s *snapshot) place(label string) []result.Diagnostic {
	for _, d := range s.Diags {
		s.out = append(s.out, s.strip(d, label))
	}
	s.Diags = nil
	return s.out
}

func (s *snapshot) strip(d result.Diagnostic, label string) result.Diagnostic {
	if !s.live {
		return d
	}
	if label != "" {
		d.Message = label + ": " + d.Message
	}
	d.File, d.Line, d.Column = "", 0, 0
	return d
}

// version checks the format version; a snapshot of another version is not read at all.
func (s *snapshot) version(root *yaml.Node) bool {
	k, v := docnode.Lookup(root, snapshotKey)
	if v != nil && v.Kind == yaml.ScalarNode && v.Tag == "!!int" && v.Value == strconv.Itoa(snapshotVersion) {
		return true
	}
	var got string
	switch {
	case v == nil || docnode.IsNull(v):
		got = "null"
	case v.Kind != yaml.ScalarNode:
		got = "a " + node.KindName(v)
	case v.Tag == "!!str":
		got = strconv.Quote(v.Value)
	default:
		got = v.Value
	}
	s.Errorf(k, "snapshot format version %s is not supported by this rolecall (expected %d); collect it again with this version", got, snapshotVersion)
	return false
}

// list returns the objects of the list at key of root; absent or null is an empty list.
func (s *snapshot) list(root *yaml.Node, key string) []*yaml.Node {
	_, v := docnode.Lookup(root, key)
	if v == nil || docnode.IsNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		s.Errorf(v, "snapshot: %s must be a list of objects", key)
		return nil
	}
	var out []*yaml.Node
	for i, it := range docnode.Items(v) {
		if it.Kind != yaml.MappingNode {
			s.Errorf(it, "snapshot: %s[%d] must be an object", key, i)
			continue
		}
		out = append(out, it)
	}
	return out
}

// need reads a required string field (one diagnostic when it is missing, empty or not a string).
func (s *snapshot) need(m *yaml.Node, key, what, expected string) (string, bool) {
	k, v := docnode.Lookup(m, key)
	if k == nil || docnode.IsNull(v) {
		s.Errorf(m, "%s has no %s (expected %s)", what, key, expected)
		return "", false
	}
	str, ok := docnode.Str(v)
	if !ok || !docnode.IsString(v) {
		s.Errorf(v, "%s: %s must be a string (expected %s)", what, key, expected)
		return "", false
	}
	if str == "" {
		s.Errorf(v, "%s: %s is empty (expected %s)", what, key, expected)
		return "", false
	}
	return str, true
}

// optional reads an optional string field ("" when absent or null); ok is false (and an error
// recorded) when it is not a string.
func (s *snapshot) optional(m *yaml.Node, key, what string) (string, bool) {
	_, v := docnode.Lookup(m, key)
	if v == nil || docnode.IsNull(v) {
		return "", true
	}
	str, ok := docnode.Str(v)
	if !ok || !docnode.IsString(v) {
		s.Errorf(v, "%s: %s must be a string", what, key)
		return "", false
	}
	return str, true
}

// flag reads an optional boolean field (false when absent or null).
func (s *snapshot) flag(m *yaml.Node, key, what string) bool {
	_, v := docnode.Lookup(m, key)
	if v == nil || docnode.IsNull(v) {
		return false
	}
	if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
		s.Errorf(v, "%s: %s must be true or false", what, key)
		return false
	}
	return v.Value == "true"
}

const recordExpected = `{"api": "SERVICE:Operation", "ref", "cluster", "output": {...}}`

// record loads one API answer.
func (s *snapshot) record(rec *yaml.Node, i int) {
	what := fmt.Sprintf("snapshot record %d", i)
	api, ok := s.need(rec, "api", what, recordExpected)
	ref, okRef := s.optional(rec, "ref", what)
	cluster, okCluster := s.optional(rec, "cluster", what)
	_, out := docnode.Lookup(rec, "output")
	switch {
	case out == nil || docnode.IsNull(out):
		s.Errorf(rec, "%s has no output (expected %s)", what, recordExpected)
		ok = false
	case out.Kind != yaml.MappingNode:
		s.Errorf(out, "%s: output must be an object (the API's answer), not a %s", what, node.KindName(out))
		ok = false
	}
	if !ok || !okRef || !okCluster {
		s.place("") // the messages name the record
		return
	}
	label := strings.TrimSpace(api + " " + ref)

	// The record is loaded on its own so that exactly what it yields is tagged, then moved
	// into the inventory.
	sub := &inventory.Inventory{}
	doc := &docnode.Document{File: s.doc.File, Index: s.doc.Index, Root: out, JSON: s.doc.JSON, Data: s.doc.Data}
	recognized := false
	if strings.HasPrefix(api, "k8s:") {
		for _, fn := range s.l.manifests {
			ok, ds := fn(doc, cluster, sub)
			s.Diags = append(s.Diags, ds...)
			if recognized = ok; ok {
				break
			}
		}
	} else {
		for _, fn := range s.l.aws {
			ok, ds := fn(doc, sub)
			s.Diags = append(s.Diags, ds...)
			if recognized = ok; ok {
				break
			}
		}
	}
	s.place(label)
	if !recognized {
		s.Warnf(rec, "%s (%s): rolecall does not read this answer; the record is skipped", what, label)
		s.place("")
		return
	}
	s.tag(sub, api, ref)
	s.Diags = append(s.Diags, absorb(s.inv, sub)...)
	s.place(label)
}

// tag sets every Source of sub's elements to "API REF", REF being the element's own ARN or,
// for elements without one (Kubernetes objects, access entries), the record's reference.
// Live elements lose their position, and their policy documents their file.
func (s *snapshot) tag(sub *inventory.Inventory, api, recordRef string) {
	sub.EachElement(func(e inventory.Element) {
		ref := api + " " + cmp.Or(e.ARN, recordRef, e.ID)
		for _, src := range e.Sources {
			src.Ref = ref
			if s.live {
				src.File, src.Line, src.Column = "", 0, 0
			}
		}
		if s.live {
			for _, p := range e.Policies {
				p.File = ""
			}
		}
	})
}

const clusterStateExpected = `{"name", "service_accounts_complete", "pods_read", "pod_service_accounts"}`

// cluster reads what was read of one cluster's Kubernetes API into the inventory's cluster of
// that name (created when no describe-cluster record named it; the final merge joins them).
func (s *snapshot) cluster(m *yaml.Node) {
	const what = "snapshot cluster"
	name, ok := s.need(m, "name", what, clusterStateExpected)
	if !ok {
		return
	}
	ctx, _ := s.optional(m, "context", what)
	c := &inventory.Cluster{
		ID: inventory.ClusterID(name), Name: name,
		ServiceAccountsComplete: s.flag(m, "service_accounts_complete", what),
		PodsRead:                s.flag(m, "pods_read", what),
		Source:                  s.Src(m),
	}
	if c.PodsRead {
		c.PodServiceAccounts = s.StrList(m, "pod_service_accounts", what+" "+name)
		slices.Sort(c.PodServiceAccounts)
		c.PodServiceAccounts = slices.Compact(c.PodServiceAccounts)
		if c.PodServiceAccounts == nil {
			c.PodServiceAccounts = []string{}
		}
	}
	c.Source.Ref = "k8s cluster " + name
	if ctx != "" {
		c.Source.Ref = "k8s context " + ctx
	}
	if s.live {
		c.Source.File, c.Source.Line, c.Source.Column = "", 0, 0
	}
	s.inv.Clusters = append(s.inv.Clusters, c)
}

// diagnostic turns one of the collection's diagnostics into a scan diagnostic, keeping the
// API, the missing permission and the rules that could not be evaluated in its text.
func (s *snapshot) diagnostic(m *yaml.Node) {
	const what = "snapshot diagnostic"
	msg, _ := s.optional(m, "message", what)
	sev, _ := s.optional(m, "severity", what)
	api, _ := s.optional(m, "api", what)
	cluster, _ := s.optional(m, "cluster", what)
	perm, _ := s.optional(m, "permission", what)
	notEvaluated := s.StrList(m, "not_evaluated", what)

	var about []string
	if api != "" && api != perm && !strings.Contains(msg, api) {
		about = append(about, api)
	}
	if perm != "" && !strings.Contains(msg, perm) {
		about = append(about, "missing "+perm)
	}
	if cluster != "" && !strings.Contains(msg, cluster) {
		about = append(about, "cluster "+cluster)
	}
	text := "live collection: " + msg
	if len(about) > 0 {
		text += " (" + strings.Join(about, "; ") + ")"
	}
	if len(notEvaluated) > 0 {
		text += " — not evaluated: " + strings.Join(notEvaluated, ", ")
	}
	d := node.Diag(result.DiagWarning, s.Src(m), text)
	if sev == result.DiagError {
		d.Severity = result.DiagError
	}
	s.out = append(s.out, s.strip(d, ""))
}

// absorb moves every element of src into dst as if it had been loaded there: mapping sources
// go through awsauth.Add (a later aws-auth of a cluster replaces an earlier one, with a warning).
func absorb(dst, src *inventory.Inventory) []result.Diagnostic {
	dst.Roles = append(dst.Roles, src.Roles...)
	dst.Users = append(dst.Users, src.Users...)
	dst.Groups = append(dst.Groups, src.Groups...)
	dst.ManagedPolicies = append(dst.ManagedPolicies, src.ManagedPolicies...)
	dst.OIDCProviders = append(dst.OIDCProviders, src.OIDCProviders...)
	dst.Clusters = append(dst.Clusters, src.Clusters...)
	dst.AccessEntries = append(dst.AccessEntries, src.AccessEntries...)
	dst.PodIdentity = append(dst.PodIdentity, src.PodIdentity...)
	dst.ServiceAccounts = append(dst.ServiceAccounts, src.ServiceAccounts...)
	dst.RBACRoles = append(dst.RBACRoles, src.RBACRoles...)
	dst.RBACBindings = append(dst.RBACBindings, src.RBACBindings...)
	dst.NodeGroups = append(dst.NodeGroups, src.NodeGroups...)
	dst.Files = append(dst.Files, src.Files...)
	var diags []result.Diagnostic
	for _, a := range src.AWSAuth {
		diags = append(diags, awsauth.Add(dst, a)...)
	}
	for _, m := range []struct {
		dst *map[string]bool
		src map[string]bool
	}{
		{&dst.RoleListAccounts, src.RoleListAccounts},
		{&dst.ProviderListAccounts, src.ProviderListAccounts},
		{&dst.IdentityAccounts, src.IdentityAccounts},
	} {
		for k, v := range m.src {
			if *m.dst == nil {
				*m.dst = map[string]bool{}
			}
			(*m.dst)[k] = (*m.dst)[k] || v
		}
	}
	return diags
}
