package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/analyzer/graph"
	"github.com/rolecall/rolecall/analyzer/inventory"
)

// buildGraph carries the assume graph into the input with the paths the reachability rules
// judge, and indexes every node and every edge the input carries, so findings citing them
// resolve to the evidence's position.
func (b *builder) buildGraph(g *graph.Graph) {
	b.indexKubernetes()

	verdicts := g.PodIdentityVerdicts()
	for i := range b.in.PodIdentity {
		pi := &b.in.PodIdentity[i]
		if v, ok := verdicts[pi.ID]; ok {
			pi.Evaluated, pi.Assumable, pi.Reason = v.Checked, v.Assumable, v.Reason
		}
	}

	admins := map[string]bool{}
	for _, s := range g.Sinks() {
		if s.Kind == graph.KindAWSAdmin {
			for _, e := range g.In(s.ID) {
				admins[e.From] = true
			}
		}
	}
	// The input carries only what the rules read: the paths, and the edges into node roles
	// (RC503). The whole graph is `rolecall graph`'s business; at 20k ServiceAccounts it is
	// hundreds of MB of input.
	for _, n := range g.Nodes() {
		b.indexNode(n)
	}
	out := Graph{Nodes: []GraphNode{}, Edges: []GraphEdge{}, Paths: b.paths(g)}
	keep := map[string]*graph.Edge{}
	for _, p := range out.Paths {
		for _, id := range p.Edges {
			keep[id] = g.Edge(id)
		}
	}
	for _, n := range g.Nodes() {
		if n.NodeRole {
			for _, e := range g.In(n.ID) {
				keep[e.ID] = e
			}
		}
	}
	edges := make([]*graph.Edge, 0, len(keep))
	keepNode := map[string]bool{}
	for _, e := range keep {
		edges = append(edges, e)
		keepNode[e.From], keepNode[e.To] = true, true
	}
	slices.SortFunc(edges, func(x, y *graph.Edge) int { return strings.Compare(x.ID, y.ID) })
	for _, n := range g.Nodes() {
		if !keepNode[n.ID] && !n.NodeRole {
			continue
		}
		out.Nodes = append(out.Nodes, GraphNode{
			ID: n.ID, Kind: string(n.Kind), Label: n.Label, ARN: n.ARN, Account: n.Account, Cluster: n.Cluster,
			Namespace: n.Namespace, Name: n.Name, Username: n.Username, Groups: nonNil(n.Groups),
			Provider: n.Provider, Pattern: n.Pattern, External: n.External, Loaded: n.Loaded,
			NodeRole: n.NodeRole, Admin: admins[n.ID],
		})
	}
	for _, e := range edges {
		b.idx[e.ID] = edgeEvidence(b.idx, g, e)
		out.Edges = append(out.Edges, GraphEdge{
			ID: e.ID, From: e.From, To: e.To, Mechanism: string(e.Mechanism), Evidence: b.knownIDs(e.Evidence),
			DependsOn: nonNil(e.DependsOn), Reason: e.Reason, IdentityUnchecked: e.IdentityUnchecked,
		})
	}
	b.in.Graph = out
}

// paths runs one reverse search per sink (clusters and accounts are few) and keeps the paths
// from the sources the rules judge: ServiceAccounts, node roles and external principals.
func (b *builder) paths(g *graph.Graph) []GraphPath {
	var out []GraphPath
	for _, sink := range g.Sinks() {
		found := g.ShortestPathsTo([]string{sink.ID})
		froms := make([]string, 0, len(found))
		for from := range found {
			froms = append(froms, from)
		}
		sort.Strings(froms)
		for _, from := range froms {
			src := g.Node(from)
			if src == nil || !(src.Kind == graph.KindServiceAccount || src.NodeRole || src.External) {
				continue
			}
			p := found[from]
			gp := GraphPath{From: from, To: sink.ID, FromKind: string(src.Kind), ToKind: string(sink.Kind),
				Edges: []string{}, Mechanisms: []string{}}
			hops := []string{src.Label}
			for _, e := range p.Edges {
				gp.Edges = append(gp.Edges, e.ID)
				gp.Mechanisms = append(gp.Mechanisms, string(e.Mechanism))
				to := e.To
				if n := g.Node(e.To); n != nil {
					to = n.Label
				}
				hops = append(hops, fmt.Sprintf("-[%s]-> %s", e.Mechanism, to))
			}
			gp.Description = strings.Join(hops, " ")
			out = append(out, gp)
		}
	}
	return out
}

// indexKubernetes registers the objects graph edges cite as evidence (users, RBAC).
func (b *builder) indexKubernetes() {
	for _, u := range b.inv.Users {
		b.add(u.ID, u.Source, u.ARN)
	}
	for _, r := range b.inv.RBACRoles {
		b.add(r.ID, r.Source, rbacResource(r.Kind, r.Namespace, r.Name))
	}
	for _, rb := range b.inv.RBACBindings {
		b.add(rb.ID, rb.Source, rbacResource(rb.Kind, rb.Namespace, rb.Name))
	}
}

func rbacResource(kind, namespace, name string) string {
	if namespace == "" {
		return strings.ToLower(kind) + "/" + name
	}
	return fmt.Sprintf("%s/%s/%s", strings.ToLower(kind), namespace, name)
}

// indexNode points a node at its inventory element when it has one; sinks and principals
// known only by name get a reference without a file.
func (b *builder) indexNode(n *graph.Node) {
	if _, ok := b.idx[n.ID]; ok {
		return
	}
	resource := n.ARN
	if resource == "" {
		resource = n.Label
	}
	src := inventory.Source{Ref: n.ID}
	if c, ok := b.idx[inventory.ClusterID(n.Cluster)]; ok && n.Kind == graph.KindClusterAdmin {
		src = c.Source
	}
	b.add(n.ID, src, resource)
}

// knownIDs keeps the evidence ids the index can resolve, in order.
func (b *builder) knownIDs(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		if _, ok := b.idx[id]; ok {
			out = append(out, id)
		}
	}
	return out
}
