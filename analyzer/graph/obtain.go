package graph

import (
	"slices"
	"strings"

	"github.com/rolecall/rolecall/analyzer/inventory"
)

// An identity that may run pods in a namespace (a cluster-admin, a node, a wildcard grant)
// obtains every ServiceAccount there by the same ways, with the same evidence. Kept as one
// edge per pair, a cluster with many such identities and many ServiceAccounts would hold
// identities × ServiceAccounts edges; they are kept once per (identity, hub) instead, and
// materialised only when asked for (In, Out, Edges, Edge, paths). The graph answers exactly
// as if every edge were stored.

// saHub is the ServiceAccounts of one namespace of one cluster that every way of obtaining one
// treats alike: all loaded or all not (G2.6), all with or all without Pod Identity as their
// only AWS credentials (G2.3's token is no use then).
type saHub struct {
	sas    []string       // node IDs, sorted
	groups []*obtainGroup // sorted by from
}

// obtainGroup is the rbac-obtain-sa edges from one identity to every ServiceAccount of a hub
// but the excepted ones: its own, and those a grant names (resourceNames), whose edges are
// stored one by one.
type obtainGroup struct {
	from   string
	hub    *saHub
	except []string // sorted
	// evidence and the reason's parts, shared by every edge of the group.
	evidence      []string
	username, why string
}

func (o *obtainGroup) covers(sa string) bool {
	_, found := slices.BinarySearch(o.except, sa)
	return !found
}

// edge materialises the group's edge into ServiceAccount node n, as the pairwise edge would be.
func (o *obtainGroup) edge(n *Node) *Edge {
	return &Edge{ID: inventory.EdgeID(o.from, n.ID, string(MechObtainSA)), From: o.from, To: n.ID,
		Mechanism: MechObtainSA, Evidence: slices.Clip(o.evidence),
		Reason: obtainReason(o.username, n, o.why)}
}

func obtainReason(username string, n *Node, why string) string {
	return username + " can obtain ServiceAccount " + n.Namespace + "/" + n.Name + ": " + why
}

func sortEdges(es []*Edge) {
	slices.SortFunc(es, func(x, y *Edge) int { return strings.Compare(x.ID, y.ID) })
}

// groupEdgesInto returns the edges into ServiceAccount id of the hub's groups for which keep is
// true, appended to explicit (copied) and sorted by ID.
func (g *Graph) groupEdgesInto(id string, groups []*obtainGroup, explicit []*Edge) []*Edge {
	n := g.byID[id]
	out := slices.Clone(explicit)
	for _, o := range groups {
		if o.covers(id) {
			out = append(out, o.edge(n))
		}
	}
	sortEdges(out)
	return out
}

// Edge returns the edge with id, or nil.
func (g *Graph) Edge(id string) *Edge {
	if e := g.edgeByID[id]; e != nil {
		return e
	}
	// An ID is FROM -[rbac-obtain-sa]-> TO; node IDs may contain the separator, so every cut
	// is tried.
	sep := " -[" + string(MechObtainSA) + "]-> "
	for off := 0; ; {
		j := strings.Index(id[off:], sep)
		if j < 0 {
			break
		}
		from, to := id[:off+j], id[off+j+len(sep):]
		if h := g.hubOf[to]; h != nil {
			for _, o := range g.groupsFrom[from] {
				if o.hub == h && o.covers(to) {
					return o.edge(g.byID[to])
				}
			}
		}
		off += j + 1
	}
	return nil
}

// allEdges materialises every edge, sorted by ID.
func (g *Graph) allEdges() []*Edge {
	if len(g.groupsFrom) == 0 {
		return g.edges
	}
	out := slices.Clone(g.edges)
	for _, groups := range g.groupsFrom {
		for _, o := range groups {
			for _, sa := range o.hub.sas {
				if o.covers(sa) {
					out = append(out, o.edge(g.byID[sa]))
				}
			}
		}
	}
	sortEdges(out)
	return out
}

// searchState is what one breadth-first search knows of the groups, so that each group and
// each hub costs it a bounded amount of work however many nodes lead through them.
type searchState struct {
	seen map[string]bool
	// live are, per hub, its groups whose identity is not yet seen (reverse searches).
	live map[*saHub][]*obtainGroup
	// unseen are, per hub, its ServiceAccounts not yet seen (forward searches).
	unseen map[*saHub][]string
}

// in returns the edges into id that a reverse search still has to look at: the stored ones and
// the groups' edges from identities not yet seen, sorted by ID (edges from seen nodes change
// nothing in a breadth-first search, so leaving them out keeps its result).
func (g *Graph) searchIn(id string, st *searchState) []*Edge {
	h := g.hubOf[id]
	if h == nil || len(h.groups) == 0 {
		return g.in[id]
	}
	groups, ok := st.live[h]
	if !ok {
		groups = slices.Clone(h.groups)
	}
	k := 0
	for _, o := range groups {
		if !st.seen[o.from] {
			groups[k] = o
			k++
		}
	}
	st.live[h] = groups[:k]
	return g.groupEdgesInto(id, groups[:k], g.in[id])
}

// searchOut is searchIn's forward counterpart: the stored edges out of id and its groups'
// edges into ServiceAccounts not yet seen, sorted by ID.
func (g *Graph) searchOut(id string, st *searchState) []*Edge {
	groups := g.groupsFrom[id]
	if len(groups) == 0 {
		return g.out[id]
	}
	out := slices.Clone(g.out[id])
	for _, o := range groups {
		sas, ok := st.unseen[o.hub]
		if !ok {
			sas = slices.Clone(o.hub.sas)
		}
		k := 0
		for _, sa := range sas {
			if st.seen[sa] {
				continue
			}
			sas[k] = sa
			k++
			if o.covers(sa) {
				out = append(out, o.edge(g.byID[sa]))
			}
		}
		st.unseen[o.hub] = sas[:k]
	}
	sortEdges(out)
	return out
}
