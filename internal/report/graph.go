package report

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/rolecall/rolecall/analyzer/graph"
)

// This file renders the assume graph (dot, mermaid, json) and the answers of the query
// commands (can-assume, who-can, what-can) as text and JSON. The CLI computes the answers
// from the graph; everything here is presentation and deterministic.

// Graph formats.
const (
	GraphFormatDot     = "dot"
	GraphFormatMermaid = "mermaid"
	GraphFormatJSON    = "json"
)

// GraphFormats lists the accepted values of graph's --format, default first.
func GraphFormats() []string {
	return []string{GraphFormatDot, GraphFormatMermaid, GraphFormatJSON}
}

// QueryFormats lists the accepted values of a query's --format, default first.
func QueryFormats() []string { return []string{FormatText, FormatJSON} }

// NodeName is how a node is named to users, in the PRINCIPAL forms of cli.md where the node
// is a principal: an IAM ARN, an account id, system:serviceaccount:NS:NAME, oidc:HOST:SUBJECT.
func NodeName(n *graph.Node) string {
	switch n.Kind {
	case graph.KindUser, graph.KindRole:
		if n.ARN != "" {
			return n.ARN
		}
	case graph.KindAccount:
		if n.Account != "" {
			return n.Account
		}
	case graph.KindPublic:
		return "*"
	case graph.KindServiceAccount:
		if n.Name != "" {
			return "system:serviceaccount:" + n.Namespace + ":" + n.Name
		}
	case graph.KindFederated:
		if _, host, ok := strings.Cut(n.Provider, ":oidc-provider/"); ok {
			pattern := n.Pattern
			if pattern == "" {
				pattern = "*"
			}
			return "oidc:" + host + ":" + pattern
		}
	case graph.KindIdentity:
		if n.Username != "" || len(n.Groups) > 0 {
			s := n.Username
			if s == "" {
				s = "(no username)"
			}
			if len(n.Groups) > 0 {
				s += " [" + strings.Join(n.Groups, ", ") + "]"
			}
			return s
		}
	}
	if n.Label != "" {
		return n.Label
	}
	return n.ID
}

// ---- graph renderers ----

// WriteGraph renders nodes and edges (as Graph.Nodes and Graph.Edges return them) in format,
// one of GraphFormats().
func WriteGraph(w io.Writer, format string, nodes []*graph.Node, edges []*graph.Edge) error {
	switch format {
	case GraphFormatDot:
		return writeDot(w, nodes, edges)
	case GraphFormatMermaid:
		return writeMermaid(w, nodes, edges)
	case GraphFormatJSON:
		return writeGraphJSON(w, nodes, edges)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(GraphFormats(), ", "))
}

// isSink reports whether n is an admin sink.
func isSink(n *graph.Node) bool {
	return n.Kind == graph.KindClusterAdmin || n.Kind == graph.KindAWSAdmin
}

// clusterGroups splits nodes into those outside any cluster and, per cluster name in sorted
// order, the nodes of that cluster. Kubernetes nodes of the unnamed cluster ("") get a group
// too, so that every Kubernetes object is drawn inside a cluster box.
func clusterGroups(nodes []*graph.Node) (outside []*graph.Node, names []string, byCluster map[string][]*graph.Node) {
	byCluster = map[string][]*graph.Node{}
	for _, n := range nodes {
		if inCluster(n) {
			if _, ok := byCluster[n.Cluster]; !ok {
				names = append(names, n.Cluster)
			}
			byCluster[n.Cluster] = append(byCluster[n.Cluster], n)
			continue
		}
		outside = append(outside, n)
	}
	slices.Sort(names)
	return outside, names, byCluster
}

func inCluster(n *graph.Node) bool {
	switch n.Kind {
	case graph.KindServiceAccount, graph.KindIdentity, graph.KindClusterAdmin:
		return true
	}
	return false
}

func clusterTitle(name string) string {
	if name == "" {
		return "unnamed cluster"
	}
	return "EKS cluster " + name
}

// shortName is the label drawn in a graph: ARNs shortened to account + resource, since the
// full ARN is in the JSON rendering.
func shortName(n *graph.Node) string {
	switch n.Kind {
	case graph.KindUser, graph.KindRole:
		if n.ARN != "" {
			if i := strings.Index(n.ARN, ":iam::"); i >= 0 {
				rest := n.ARN[i+len(":iam::"):]
				acct, res, _ := strings.Cut(rest, ":")
				if acct == "" {
					return res
				}
				return res + "\n(" + acct + ")"
			}
			return n.ARN
		}
	case graph.KindAccount:
		return "any principal of\naccount " + NodeName(n)
	case graph.KindPublic:
		return "anyone (*)"
	case graph.KindServiceAccount:
		return "sa " + n.Namespace + "/" + n.Name
	case graph.KindIdentity:
		return NodeName(n)
	case graph.KindClusterAdmin:
		return "cluster-admin"
	case graph.KindAWSAdmin:
		if n.Account != "" {
			return "AWS admin\n(" + n.Account + ")"
		}
		return "AWS admin"
	}
	return NodeName(n)
}

// edgeLabel is the mechanism, with the keys a conditional grant depends on.
func edgeLabel(e *graph.Edge) string {
	s := string(e.Mechanism)
	if len(e.DependsOn) > 0 {
		s += "\nif " + strings.Join(e.DependsOn, ", ")
	}
	return s
}

func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func dotNodeAttrs(n *graph.Node) string {
	attrs := []string{"label=" + dotQuote(shortName(n))}
	switch {
	case isSink(n):
		attrs = append(attrs, "shape=doubleoctagon", `style="filled,bold"`, `fillcolor="#d62728"`, `fontcolor="white"`, `color="#8b0000"`)
	case n.Kind == graph.KindRole:
		style := `"rounded,filled"`
		if n.NodeRole {
			attrs = append(attrs, `fillcolor="#fde9c9"`)
		} else {
			attrs = append(attrs, `fillcolor="#e8f0fe"`)
		}
		if !n.Loaded {
			style = `"rounded,filled,dashed"`
		}
		attrs = append(attrs, "shape=box", "style="+style)
	case n.Kind == graph.KindServiceAccount:
		attrs = append(attrs, "shape=component", `style="filled"`, `fillcolor="#e6f4ea"`)
	case n.Kind == graph.KindIdentity:
		attrs = append(attrs, "shape=note")
	default: // principals: users, accounts, public, services, federated subjects
		style := "solid"
		if n.External {
			style = "dashed"
		}
		attrs = append(attrs, "shape=ellipse", "style="+style)
	}
	return strings.Join(attrs, ", ")
}

func writeDot(w io.Writer, nodes []*graph.Node, edges []*graph.Edge) error {
	ew := &errWriter{w: w}
	ew.write("digraph rolecall {\n")
	ew.write("  rankdir=LR;\n")
	ew.write(`  graph [fontname="Helvetica", fontsize=11];` + "\n")
	ew.write(`  node [fontname="Helvetica", fontsize=10];` + "\n")
	ew.write(`  edge [fontname="Helvetica", fontsize=9];` + "\n")
	outside, names, byCluster := clusterGroups(nodes)
	for _, n := range outside {
		ew.printf("  %s [%s];\n", dotQuote(n.ID), dotNodeAttrs(n))
	}
	for i, name := range names {
		ew.printf("  subgraph cluster_%d {\n", i)
		ew.printf("    label=%s;\n", dotQuote(clusterTitle(name)))
		ew.write("    style=\"rounded,dashed\";\n")
		for _, n := range byCluster[name] {
			ew.printf("    %s [%s];\n", dotQuote(n.ID), dotNodeAttrs(n))
		}
		ew.write("  }\n")
	}
	sinks := map[string]bool{}
	for _, n := range nodes {
		if isSink(n) {
			sinks[n.ID] = true
		}
	}
	for _, e := range edges {
		attrs := []string{"label=" + dotQuote(edgeLabel(e))}
		if len(e.DependsOn) > 0 {
			attrs = append(attrs, "style=dashed")
		}
		if sinks[e.To] {
			attrs = append(attrs, `color="#d62728"`, "penwidth=2")
		}
		ew.printf("  %s -> %s [%s];\n", dotQuote(e.From), dotQuote(e.To), strings.Join(attrs, ", "))
	}
	ew.write("}\n")
	return ew.err
}

// mermaidText escapes a label for a quoted Mermaid label.
func mermaidText(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "\n", "<br>", "<", "#lt;", ">", "#gt;", "|", "#124;")
	return r.Replace(s)
}

func mermaidNode(id string, n *graph.Node) string {
	label := `"` + mermaidText(shortName(n)) + `"`
	switch {
	case isSink(n):
		return id + "{{" + label + "}}"
	case n.Kind == graph.KindRole:
		return id + "[" + label + "]"
	case n.Kind == graph.KindServiceAccount:
		return id + "[[" + label + "]]"
	case n.Kind == graph.KindIdentity:
		return id + "[/" + label + "/]"
	}
	return id + "([" + label + "])"
}

func writeMermaid(w io.Writer, nodes []*graph.Node, edges []*graph.Edge) error {
	ew := &errWriter{w: w}
	ids := map[string]string{}
	for i, n := range nodes {
		ids[n.ID] = fmt.Sprintf("n%d", i)
	}
	sinks := map[string]bool{}
	for _, n := range nodes {
		if isSink(n) {
			sinks[n.ID] = true
		}
	}
	ew.write("flowchart LR\n")
	outside, names, byCluster := clusterGroups(nodes)
	for _, n := range outside {
		ew.printf("  %s\n", mermaidNode(ids[n.ID], n))
	}
	for i, name := range names {
		ew.printf("  subgraph c%d[\"%s\"]\n", i, mermaidText(clusterTitle(name)))
		for _, n := range byCluster[name] {
			ew.printf("    %s\n", mermaidNode(ids[n.ID], n))
		}
		ew.write("  end\n")
	}
	var sinkEdges []string
	drawn := 0
	for _, e := range edges {
		from, to := ids[e.From], ids[e.To]
		if from == "" || to == "" {
			continue // an edge to a node not listed: nothing to draw it between
		}
		arrow := "-->"
		if len(e.DependsOn) > 0 {
			arrow = "-.->"
		}
		ew.printf("  %s %s|\"%s\"| %s\n", from, arrow, mermaidText(edgeLabel(e)), to)
		if sinks[e.To] {
			sinkEdges = append(sinkEdges, fmt.Sprint(drawn)) // linkStyle counts drawn links
		}
		drawn++
	}
	ew.write("  classDef sink fill:#d62728,stroke:#8b0000,color:#fff,font-weight:bold\n")
	ew.write("  classDef role fill:#e8f0fe,stroke:#4a6fa5\n")
	ew.write("  classDef noderole fill:#fde9c9,stroke:#b7791f\n")
	ew.write("  classDef sa fill:#e6f4ea,stroke:#2f855a\n")
	ew.write("  classDef external stroke-dasharray:4 3\n")
	classes := map[string][]string{}
	var order []string
	add := func(class, id string) {
		if _, ok := classes[class]; !ok {
			order = append(order, class)
		}
		classes[class] = append(classes[class], id)
	}
	for _, n := range nodes {
		id := ids[n.ID]
		switch {
		case isSink(n):
			add("sink", id)
		case n.Kind == graph.KindRole && n.NodeRole:
			add("noderole", id)
		case n.Kind == graph.KindRole:
			add("role", id)
		case n.Kind == graph.KindServiceAccount:
			add("sa", id)
		case n.External:
			add("external", id)
		}
	}
	slices.Sort(order)
	for _, c := range order {
		ew.printf("  class %s %s\n", strings.Join(classes[c], ","), c)
	}
	if len(sinkEdges) > 0 {
		ew.printf("  linkStyle %s stroke:#d62728,stroke-width:2px\n", strings.Join(sinkEdges, ","))
	}
	return ew.err
}

type graphJSON struct {
	Nodes []*graph.Node `json:"nodes"`
	Edges []*graph.Edge `json:"edges"`
}

func writeGraphJSON(w io.Writer, nodes []*graph.Node, edges []*graph.Edge) error {
	doc := graphJSON{Nodes: nodes, Edges: edges}
	if doc.Nodes == nil {
		doc.Nodes = []*graph.Node{}
	}
	if doc.Edges == nil {
		doc.Edges = []*graph.Edge{}
	}
	return writeJSON(w, doc)
}

// ---- query answers ----

// Hop is one edge of a path, named for users.
type Hop struct {
	From      string   `json:"from"`
	To        string   `json:"to"`
	Mechanism string   `json:"mechanism"`
	Reason    string   `json:"reason"`
	Evidence  []string `json:"evidence"`
	DependsOn []string `json:"depends_on,omitempty"`
	// IdentityUnchecked: the caller's own identity policies were not loaded, so the hop was
	// taken as allowed on the caller's side.
	IdentityUnchecked bool `json:"identity_unchecked,omitempty"`
	// TrustUnchecked: the target role's trust policy was not loaded, so the hop is possible
	// rather than proven.
	TrustUnchecked bool `json:"trust_unchecked,omitempty"`
}

// CanAssume is the answer of can-assume (cli.md "JSON output of can-assume"; path and cluster
// are additive).
type CanAssume struct {
	Allowed   bool     `json:"allowed"`
	Role      string   `json:"role"`
	Principal string   `json:"principal"`
	Cluster   string   `json:"cluster,omitempty"`
	Reason    string   `json:"reason"`
	Via       []string `json:"via"`
	DependsOn []string `json:"depends_on"`
	Path      []Hop    `json:"path"`
}

// WhoCanEntry is one principal (or principal pattern) that can assume the role.
type WhoCanEntry struct {
	Principal string `json:"principal"`
	Kind      string `json:"kind"`
	Cluster   string `json:"cluster,omitempty"`
	// Via are the intermediate roles of the shortest chain (empty when direct).
	Via []string `json:"via"`
	// Reason and Evidence are those of the first hop: what lets this principal in.
	Reason    string   `json:"reason"`
	Evidence  []string `json:"evidence"`
	DependsOn []string `json:"depends_on"`
	// Conditional is true when the grant turns on keys the tool cannot know (DependsOn).
	Conditional       bool  `json:"conditional"`
	IdentityUnchecked bool  `json:"identity_unchecked,omitempty"`
	Path              []Hop `json:"path"`
}

// WhoCan is the answer of who-can.
type WhoCan struct {
	Role       string        `json:"role"`
	Principals []WhoCanEntry `json:"principals"`
	// NodeAccessOmitted counts principals left out because they reach the role only through
	// node-level access (listed with --include-nodes).
	NodeAccessOmitted int `json:"node_access_omitted,omitempty"`
}

// WhatCanRole is one role the principal can reach.
type WhatCanRole struct {
	Role      string   `json:"role"`
	Via       []string `json:"via"`
	DependsOn []string `json:"depends_on,omitempty"`
	// AWSAdmin is true when the role is an administrator of its account.
	AWSAdmin bool `json:"aws_admin,omitempty"`
}

// AccessPolicy is an EKS access policy associated with an access entry.
type AccessPolicy struct {
	Policy     string   `json:"policy"`
	Scope      string   `json:"scope"`
	Namespaces []string `json:"namespaces,omitempty"`
}

// KubernetesAccess is what one identity the principal is or becomes maps to in a cluster.
type KubernetesAccess struct {
	Cluster        string         `json:"cluster"`
	As             string         `json:"as"`
	Username       string         `json:"username"`
	Groups         []string       `json:"groups"`
	AccessPolicies []AccessPolicy `json:"access_policies"`
	// Source is aws-auth or access-entry (whichever the authentication mode makes effective),
	// or serviceaccount for a ServiceAccount's own token.
	Source       string `json:"source"`
	ClusterAdmin bool   `json:"cluster_admin"`
}

// WhatCan is the answer of what-can (cli.md "JSON output of what-can"; cluster, depends_on and
// aws_admin are additive).
type WhatCan struct {
	Principal  string             `json:"principal"`
	Cluster    string             `json:"cluster,omitempty"`
	Roles      []WhatCanRole      `json:"roles"`
	Kubernetes []KubernetesAccess `json:"kubernetes"`
}

// normalise replaces nil slices by empty ones, so JSON shows [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *CanAssume) normalise() {
	a.Via, a.DependsOn, a.Path = nonNil(a.Via), nonNil(a.DependsOn), nonNil(a.Path)
	for i := range a.Path {
		a.Path[i].Evidence = nonNil(a.Path[i].Evidence)
	}
}

// WriteCanAssume renders a can-assume answer as text or JSON.
func WriteCanAssume(w io.Writer, format string, a *CanAssume) error {
	c := *a
	c.normalise()
	switch format {
	case FormatJSON:
		return writeJSON(w, c)
	case FormatText:
		ew := &errWriter{w: w}
		who := c.Principal
		if c.Cluster != "" {
			who += " (cluster " + c.Cluster + ")"
		}
		if c.Allowed {
			ew.printf("yes: %s can assume %s\n", who, c.Role)
		} else {
			ew.printf("no: %s cannot assume %s\n", who, c.Role)
		}
		ew.printf("  reason: %s\n", c.Reason)
		if len(c.Via) > 0 {
			ew.printf("  via: %s\n", strings.Join(c.Via, " -> "))
		}
		if len(c.DependsOn) > 0 {
			ew.printf("  depends on: %s (not supplied; pass --context KEY=VALUE to decide)\n", strings.Join(c.DependsOn, ", "))
		}
		writeHops(ew, "  ", c.Path)
		return ew.err
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(QueryFormats(), ", "))
}

// writeHops writes a numbered path, one hop per entry with its reason and evidence.
func writeHops(ew *errWriter, indent string, hops []Hop) {
	if len(hops) == 0 {
		return
	}
	ew.printf("%spath:\n", indent)
	for i, h := range hops {
		ew.printf("%s  %d. %s --%s--> %s\n", indent, i+1, h.From, h.Mechanism, h.To)
		ew.printf("%s     %s\n", indent, h.Reason)
		if len(h.Evidence) > 0 {
			ew.printf("%s     evidence: %s\n", indent, strings.Join(h.Evidence, ", "))
		}
		if len(h.DependsOn) > 0 {
			ew.printf("%s     depends on: %s\n", indent, strings.Join(h.DependsOn, ", "))
		}
		if h.IdentityUnchecked {
			ew.printf("%s     caller's identity policies not loaded: taken as allowed on its side\n", indent)
		}
		if h.TrustUnchecked {
			ew.printf("%s     target's trust policy not loaded: possible, not proven\n", indent)
		}
	}
}

// WriteWhoCan renders a who-can answer: a table of principals, then the path of each.
func WriteWhoCan(w io.Writer, format string, a *WhoCan) error {
	c := *a
	c.Principals = nonNil(slices.Clone(c.Principals))
	for i := range c.Principals {
		p := &c.Principals[i]
		p.Via, p.Evidence, p.DependsOn, p.Path = nonNil(p.Via), nonNil(p.Evidence), nonNil(p.DependsOn), nonNil(p.Path)
	}
	switch format {
	case FormatJSON:
		return writeJSON(w, c)
	case FormatText:
		ew := &errWriter{w: w}
		omitted := ""
		if c.NodeAccessOmitted > 0 {
			verb := "principals reach"
			if c.NodeAccessOmitted == 1 {
				verb = "principal reaches"
			}
			omitted = fmt.Sprintf("%d more %s it only through node-level access (a node role can read the tokens of the pods on its nodes); --include-nodes lists them\n",
				c.NodeAccessOmitted, verb)
		}
		if len(c.Principals) == 0 {
			ew.printf("no principal can assume %s\n", c.Role)
			ew.write(omitted)
			return ew.err
		}
		ew.printf("%s can assume %s\n\n", plural(len(c.Principals), "principal"), c.Role)
		var tb bytes.Buffer
		tw := tabwriter.NewWriter(&tb, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "PRINCIPAL\tKIND\tCLUSTER\tVIA\tCONDITIONS")
		for _, p := range c.Principals {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Principal, p.Kind, dash(p.Cluster),
				dash(strings.Join(p.Via, " -> ")), dash(strings.Join(p.DependsOn, ", ")))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		ew.write(tb.String())
		for _, p := range c.Principals {
			ew.write("\n")
			head := p.Principal
			if p.Cluster != "" {
				head += " (cluster " + p.Cluster + ")"
			}
			ew.printf("%s\n", head)
			writeHops(ew, "  ", p.Path)
		}
		if omitted != "" {
			ew.write("\n" + omitted)
		}
		return ew.err
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(QueryFormats(), ", "))
}

// WriteWhatCan renders a what-can answer.
func WriteWhatCan(w io.Writer, format string, a *WhatCan) error {
	c := *a
	c.Roles = nonNil(slices.Clone(c.Roles))
	c.Kubernetes = nonNil(slices.Clone(c.Kubernetes))
	for i := range c.Roles {
		c.Roles[i].Via = nonNil(c.Roles[i].Via)
	}
	for i := range c.Kubernetes {
		k := &c.Kubernetes[i]
		k.Groups, k.AccessPolicies = nonNil(k.Groups), nonNil(k.AccessPolicies)
	}
	switch format {
	case FormatJSON:
		return writeJSON(w, c)
	case FormatText:
		ew := &errWriter{w: w}
		who := c.Principal
		if c.Cluster != "" {
			who += " (cluster " + c.Cluster + ")"
		}
		if len(c.Roles) == 0 {
			ew.printf("%s can assume no role\n", who)
		} else {
			ew.printf("%s can assume %s:\n", who, plural(len(c.Roles), "role"))
			var tb bytes.Buffer
			tw := tabwriter.NewWriter(&tb, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "  ROLE\tVIA\tCONDITIONS\tAWS ADMIN")
			for _, r := range c.Roles {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.Role, dash(strings.Join(r.Via, " -> ")),
					dash(strings.Join(r.DependsOn, ", ")), yesNo(r.AWSAdmin))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			ew.write(tb.String())
		}
		ew.write("\n")
		if len(c.Kubernetes) == 0 {
			ew.write("no Kubernetes access: no identity it is or can become is mapped into a cluster\n")
			return ew.err
		}
		ew.printf("Kubernetes access (%s):\n", countIdentities(len(c.Kubernetes)))
		var tb bytes.Buffer
		tw := tabwriter.NewWriter(&tb, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  CLUSTER\tAS\tUSERNAME\tGROUPS\tACCESS POLICIES\tSOURCE\tCLUSTER ADMIN")
		for _, k := range c.Kubernetes {
			var pols []string
			for _, p := range k.AccessPolicies {
				s := p.Policy
				if i := strings.LastIndex(s, "/"); i >= 0 {
					s = s[i+1:]
				}
				if p.Scope != "" {
					s += " (" + p.Scope
					if len(p.Namespaces) > 0 {
						s += ": " + strings.Join(p.Namespaces, ", ")
					}
					s += ")"
				}
				pols = append(pols, s)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", dash(k.Cluster), k.As, dash(k.Username),
				dash(strings.Join(k.Groups, ", ")), dash(strings.Join(pols, "; ")), k.Source, yesNo(k.ClusterAdmin))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		ew.write(tb.String())
		return ew.err
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(QueryFormats(), ", "))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func countIdentities(n int) string {
	if n == 1 {
		return "1 identity"
	}
	return fmt.Sprintf("%d identities", n)
}
