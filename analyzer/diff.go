package analyzer

import (
	"context"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/analyzer/graph"
	"github.com/rolecall/rolecall/analyzer/load"
	"github.com/rolecall/rolecall/analyzer/policy"
	"github.com/rolecall/rolecall/analyzer/result"
)

// Snapshot is one side of a comparison (`rolecall diff`): the scan of some inputs and their
// assume graph, with every graph element located at its evidence.
type Snapshot struct {
	Scan  *result.Scan
	Graph *graph.Graph
	index policy.Index
}

// TakeSnapshot scans opts.Paths (as Run does) and builds their assume graph with the same
// known accounts the rules judged with.
func TakeSnapshot(ctx context.Context, opts Options) (*Snapshot, error) {
	scan, err := Run(ctx, opts)
	if err != nil {
		return nil, err
	}
	// Run keeps its inventory to itself, so the inputs are read a second time for the graph;
	// the diagnostics are those Run already reported. (stdin cannot be read twice: the CLI
	// does not offer "-" to diff.)
	inv, _ := load.Load(ctx, opts.Paths, load.Options{Stdin: opts.Stdin, Cluster: opts.Cluster, Clusters: opts.Clusters})
	in, index := policy.Build(inv, policy.BuildOptions{Accounts: opts.Accounts})
	g := graph.Build(inv, graph.Options{KnownAccounts: in.KnownAccounts})
	return &Snapshot{Scan: scan, Graph: g, index: index.WithGraph(g)}, nil
}

// Locate returns where a graph element (node or edge id) or inventory element is, as findings
// are located: its evidence's file position, or a reference when it has none.
func (s *Snapshot) Locate(id string) result.Location {
	ev, ok := s.index.Lookup(id)
	if !ok {
		return result.Location{Ref: id}
	}
	return locationOf(id, ev)
}

// FindingsDiff is the change in reported findings, matched by fingerprint.
type FindingsDiff struct {
	// Added are findings of the new side whose fingerprint the old side lacks.
	Added []result.Finding
	// Removed are findings of the old side whose fingerprint the new side lacks.
	Removed []result.Finding
}

// DiffFindings compares the unsuppressed findings of two scans by fingerprint. A finding
// suppressed on one side counts as not reported there.
func DiffFindings(old, new *result.Scan) FindingsDiff {
	fps := func(s *result.Scan) map[string]bool {
		m := map[string]bool{}
		for _, f := range s.Findings {
			if f.Suppression == nil {
				m[f.Fingerprint] = true
			}
		}
		return m
	}
	oldFP, newFP := fps(old), fps(new)
	var d FindingsDiff
	for _, f := range new.Findings {
		if f.Suppression == nil && !oldFP[f.Fingerprint] {
			d.Added = append(d.Added, f)
		}
	}
	for _, f := range old.Findings {
		if f.Suppression == nil && !newFP[f.Fingerprint] {
			d.Removed = append(d.Removed, f)
		}
	}
	SortFindings(d.Added)
	SortFindings(d.Removed)
	return d
}

// AccessDiff is the change in effective access between two assume graphs.
type AccessDiff struct {
	// EdgesGained and EdgesLost are edges (by ID) only in the new, resp. old, graph; sorted by ID.
	EdgesGained []EdgeChange
	EdgesLost   []EdgeChange
	// PathsGained are (source, admin sink) pairs where the source reaches the sink only in the
	// new graph, with its shortest path there; PathsLost the reverse, with the old path.
	// Sorted by sink, then external sources before the others, then source ID.
	PathsGained []PathChange
	PathsLost   []PathChange
}

// EdgeChange is one edge gained or lost.
type EdgeChange struct {
	Edge *graph.Edge
	// FromLabel and ToLabel are the end nodes' labels.
	FromLabel, ToLabel string
	// Location is where the edge's evidence is, on the side that has the edge.
	Location result.Location
}

// PathChange is a source that gained or lost a path to an admin sink.
type PathChange struct {
	Source, Sink *graph.Node
	// Edges are the shortest path from Source to Sink on the side that has it.
	Edges []*graph.Edge
	// Labels are the labels of the nodes along the path, Source first, Sink last.
	Labels []string
	// Locations are where each edge's evidence is, on the side that has the path.
	Locations []result.Location
}

// Description renders the path as "source -[mechanism]-> node … -[admin]-> sink".
func (p PathChange) Description() string {
	var b strings.Builder
	b.WriteString(p.Labels[0])
	for i, e := range p.Edges {
		b.WriteString(" -[" + string(e.Mechanism) + "]-> " + p.Labels[i+1])
	}
	return b.String()
}

// DiffAccess compares the assume graphs of two snapshots: edges by ID, and for every admin
// sink (cluster-admin of a cluster, administrator of an account) of either graph the sources
// that reach it, via Graph.ShortestPathsTo. Kubernetes identities (username+groups) are
// intermediate hops and are not reported as sources: the principals behind them are.
func DiffAccess(old, new *Snapshot) AccessDiff {
	var d AccessDiff
	d.EdgesGained = edgesOnlyIn(new, old.Graph)
	d.EdgesLost = edgesOnlyIn(old, new.Graph)

	sinks := map[string]bool{}
	for _, g := range []*graph.Graph{old.Graph, new.Graph} {
		for _, n := range g.Sinks() {
			sinks[n.ID] = true
		}
	}
	ids := make([]string, 0, len(sinks))
	for id := range sinks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, sink := range ids {
		oldReach := old.Graph.ShortestPathsTo([]string{sink})
		newReach := new.Graph.ShortestPathsTo([]string{sink})
		d.PathsGained = append(d.PathsGained, pathsOnlyIn(new, newReach, oldReach)...)
		d.PathsLost = append(d.PathsLost, pathsOnlyIn(old, oldReach, newReach)...)
	}
	return d
}

func edgesOnlyIn(s *Snapshot, other *graph.Graph) []EdgeChange {
	have := map[string]bool{}
	for _, e := range other.Edges() {
		have[e.ID] = true
	}
	var out []EdgeChange
	for _, e := range s.Graph.Edges() { // sorted by ID
		if have[e.ID] {
			continue
		}
		out = append(out, EdgeChange{Edge: e, FromLabel: s.label(e.From), ToLabel: s.label(e.To), Location: s.Locate(e.ID)})
	}
	return out
}

func pathsOnlyIn(s *Snapshot, reach, other map[string]*graph.Path) []PathChange {
	froms := make([]string, 0, len(reach))
	for from := range reach {
		if other[from] != nil {
			continue
		}
		if n := s.Graph.Node(from); n == nil || n.Kind == graph.KindIdentity {
			continue
		}
		froms = append(froms, from)
	}
	// Principals outside the loaded accounts (CI federations, other accounts, the public) first:
	// they are what a reviewer must not miss.
	slices.SortFunc(froms, func(a, b string) int {
		ea, eb := s.Graph.Node(a).External, s.Graph.Node(b).External
		if ea != eb {
			if ea {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	out := make([]PathChange, 0, len(froms))
	for _, from := range froms {
		p := reach[from]
		pc := PathChange{Source: s.Graph.Node(from), Sink: s.Graph.Node(p.To), Edges: p.Edges, Labels: []string{s.label(from)}}
		for _, e := range p.Edges {
			pc.Labels = append(pc.Labels, s.label(e.To))
			pc.Locations = append(pc.Locations, s.Locate(e.ID))
		}
		out = append(out, pc)
	}
	return out
}

// label is a node's label; a Kubernetes identity also shows its groups, which is what
// usually changes (deploy:{{SessionName}} mapped to system:masters instead of deployers).
func (s *Snapshot) label(id string) string {
	n := s.Graph.Node(id)
	switch {
	case n == nil || n.Label == "":
		return id
	case n.Kind == graph.KindIdentity && len(n.Groups) > 0:
		return n.Label + " [" + strings.Join(n.Groups, ", ") + "]"
	}
	return n.Label
}
