package graph

import (
	"slices"
	"strings"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
)

// ShortestPathsTo runs one reverse breadth-first search from all targets at once and returns,
// for every node that reaches any target (the targets themselves excluded), its shortest path
// to the nearest target. Ties are broken by edge ID order, so the result is deterministic. The
// cost is linear in the stored edges and obtain groups (plus the length of the paths
// returned). Unknown target IDs are ignored.
func (g *Graph) ShortestPathsTo(targets []string) map[string]*Path {
	next := map[string]*Edge{} // node → first edge of its shortest path
	target := map[string]string{}
	var queue []string
	seen := map[string]bool{}
	ts := slices.Clone(targets)
	slices.Sort(ts)
	for _, t := range slices.Compact(ts) {
		if g.byID[t] != nil {
			seen[t] = true
			target[t] = t
			queue = append(queue, t)
		}
	}
	st := &searchState{seen: seen, live: map[*saHub][]*obtainGroup{}}
	for i := 0; i < len(queue); i++ {
		n := queue[i]
		for _, e := range g.searchIn(n, st) {
			if seen[e.From] {
				continue
			}
			seen[e.From] = true
			next[e.From] = e
			target[e.From] = target[n]
			queue = append(queue, e.From)
		}
	}
	out := make(map[string]*Path, len(next))
	for from := range next {
		p := &Path{From: from, To: target[from]}
		for n := from; next[n] != nil; n = next[n].To {
			p.Edges = append(p.Edges, next[n])
		}
		out[from] = p
	}
	return out
}

// Reachable runs a forward breadth-first search from a node and returns the shortest path to
// every node it reaches (from itself excluded); nil for an unknown node.
func (g *Graph) Reachable(from string) map[string]*Path {
	if g.byID[from] == nil {
		return nil
	}
	prev := map[string]*Edge{}
	seen := map[string]bool{from: true}
	queue := []string{from}
	st := &searchState{seen: seen, unseen: map[*saHub][]string{}}
	for i := 0; i < len(queue); i++ {
		for _, e := range g.searchOut(queue[i], st) {
			if seen[e.To] {
				continue
			}
			seen[e.To] = true
			prev[e.To] = e
			queue = append(queue, e.To)
		}
	}
	out := make(map[string]*Path, len(prev))
	for to := range prev {
		var edges []*Edge
		for n := to; n != from; n = prev[n].From {
			edges = append(edges, prev[n])
		}
		slices.Reverse(edges)
		out[to] = &Path{From: from, To: to, Edges: edges}
	}
	return out
}

// PrincipalNode maps a cli.md PRINCIPAL to its node: an IAM user or role ARN (a role also
// without its path, or as a role-session ARN), an account id, system:serviceaccount:NS:NAME
// of cluster (with cluster "", the one cluster that has it, if unique), or
// oidc:HOST:SUBJECT (the node Build materialised for it through Options.Principals). ok is
// false when the graph has no such node.
func (g *Graph) PrincipalNode(principal, cluster string) (string, bool) {
	switch {
	case strings.HasPrefix(principal, "arn:"):
		if g.byID[principal] != nil {
			return principal, true
		}
		a, ok := iampolicy.ParseARN(principal)
		if !ok {
			return "", false
		}
		name := ""
		switch {
		case a.Service == "iam" && strings.HasPrefix(a.Resource, "role/"):
			name, _ = iampolicy.RoleNameOf(principal)
		case a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/"):
			name, _, _ = strings.Cut(strings.TrimPrefix(a.Resource, "assumed-role/"), "/")
		default:
			return "", false
		}
		var found []string
		for _, n := range g.nodes {
			if n.Kind == KindRole && n.Account == a.Account {
				if nn, _ := iampolicy.RoleNameOf(n.ARN); nn == name {
					found = append(found, n.ID)
				}
			}
		}
		if len(found) == 1 {
			return found[0], true
		}
	case iampolicy.IsAccountID(principal):
		id := inventory.AccountNodeID(principal)
		return id, g.byID[id] != nil
	case strings.HasPrefix(principal, saPrefix):
		ns, name, ok := splitSA(principal)
		if !ok {
			return "", false
		}
		if id := inventory.ServiceAccountID(cluster, ns, name); g.byID[id] != nil {
			return id, true
		}
		if cluster != "" {
			return "", false
		}
		var found []string
		for _, n := range g.nodes {
			if n.Kind == KindServiceAccount && n.Namespace == ns && n.Name == name {
				found = append(found, n.ID)
			}
		}
		if len(found) == 1 {
			return found[0], true
		}
	case strings.HasPrefix(principal, "oidc:"):
		host, sub, ok := cutHost(strings.TrimPrefix(principal, "oidc:"))
		if !ok {
			return "", false
		}
		id := inventory.FederatedNodeID(host, sub)
		return id, g.byID[id] != nil
	}
	return "", false
}
