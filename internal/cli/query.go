package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/rolecall/rolecall/analyzer/graph"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load"
	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/report"
)

// The query commands (cli.md): can-assume, who-can, what-can, and graph. Each loads the inputs,
// builds the assume graph once, and answers from it; input errors are printed to stderr and
// make the exit code 2 after the answer is written.

// defaultAudience is the token audience of --audience when not given (cli.md).
const defaultAudience = "sts.amazonaws.com"

// contextFlag collects --context KEY=VALUE. It is not a StringSliceFlag because that splits
// values on commas, and condition values (sts:ExternalId, aws:SourceIp lists…) may contain them.
type contextFlag struct{ values []string }

func (f *contextFlag) Set(v string) error { f.values = append(f.values, v); return nil }
func (f *contextFlag) String() string     { return strings.Join(f.values, " ") }

// queryFlags are the flags every query command shares.
func queryFlags(formats []string) []ucli.Flag {
	return append([]ucli.Flag{
		&ucli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: formats[0],
			Usage: "output format: " + strings.Join(formats, ", ")},
		&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the answer to `FILE` instead of stdout"},
		&ucli.StringFlag{Name: "cluster", Usage: "the EKS cluster `NAME` of a service account principal (and of manifests no cluster is known for)"},
		&ucli.StringFlag{Name: "audience", Value: defaultAudience, Usage: "token audience `AUD` of web identity requests"},
		&ucli.GenericFlag{Name: "context", Value: &contextFlag{},
			Usage: "extra request context `KEY=VALUE` (repeatable; a key given several times is multi-valued)"},
		&ucli.StringFlag{Name: "config", Usage: "configuration `FILE` (default: .rolecall.yaml found upward from the first path)"},
		&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing but the answer and errors"},
	}, append(inputFlags(), liveFlags()...)...)
}

func canAssumeCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "can-assume",
		Usage:     "may PRINCIPAL assume ROLE, and why (exit 0 yes, 1 no)",
		ArgsUsage: "ROLE --as PRINCIPAL [PATH...]",
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "as", Usage: "the `PRINCIPAL`: an IAM ARN, an account id, system:serviceaccount:NS:NAME, or oidc:HOST:SUBJECT"},
		}, queryFlags(report.QueryFormats())...),
		Action: runCanAssume,
	}
}

func whoCanCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "who-can",
		Usage:     "every principal that can assume ROLE, directly or through a chain, with the evidence (exit 1 when none)",
		ArgsUsage: "ROLE [PATH...]",
		Flags: append(queryFlags(report.QueryFormats()),
			&ucli.BoolFlag{Name: "include-nodes", Usage: "also list principals that reach ROLE only through node-level access " +
				"(a node role, or the system:nodes group, can read the tokens of the pods on its nodes)"}),
		Action: runWhoCan,
	}
}

func whatCanCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "what-can",
		Usage:     "every role PRINCIPAL can reach, and what it becomes in each cluster (exit 1 when nothing)",
		ArgsUsage: "PRINCIPAL [PATH...]",
		Flags:     queryFlags(report.QueryFormats()),
		Action:    runWhatCan,
	}
}

func graphCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "graph",
		Usage:     "the whole assume graph as dot, mermaid or json",
		ArgsUsage: "[PATH...]",
		Flags:     queryFlags(report.GraphFormats()),
		Action:    runGraph,
	}
}

// query is a loaded inventory and its graph.
type query struct {
	inv         *inventory.Inventory
	g           *graph.Graph
	cluster     string
	inputErrors bool
}

// parseContext turns --context KEY=VALUE values into a request context; a key given several
// times (in any case: condition keys are case-insensitive) is multi-valued.
func parseContext(values []string) (iampolicy.Context, error) {
	ctx := iampolicy.Context{}
	if len(values) == 0 {
		return ctx, nil
	}
	ctx.Values = map[string][]string{}
	spelled := map[string]string{} // lower-case key → first spelling
	for _, v := range values {
		k, val, ok := strings.Cut(v, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return ctx, usageError(fmt.Errorf("--context %q: want KEY=VALUE, e.g. aws:PrincipalOrgID=o-123", v))
		}
		lk := strings.ToLower(k)
		if first, seen := spelled[lk]; seen {
			k = first
		} else {
			spelled[lk] = k
		}
		ctx.Values[k] = append(ctx.Values[k], val)
	}
	return ctx, nil
}

// checkFormat validates --format against formats.
func checkFormat(c *ucli.Context, formats []string) error {
	if f := c.String("format"); !slices.Contains(formats, f) {
		return usageError(fmt.Errorf("--format: unknown format %q (want one of %s)", f, strings.Join(formats, ", ")))
	}
	return nil
}

// namedClusters lists the cluster names the inventory knows (AWS data and manifests).
func namedClusters(inv *inventory.Inventory) []string {
	var out []string
	add := func(n string) {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, c := range inv.Clusters {
		add(c.Name)
	}
	for _, e := range inv.AccessEntries {
		add(e.Cluster)
	}
	for _, p := range inv.PodIdentity {
		add(p.Cluster)
	}
	for _, sa := range inv.ServiceAccounts {
		add(sa.Cluster)
	}
	slices.Sort(out)
	return out
}

// serviceAccountCluster is the cluster of a system:serviceaccount principal given without
// --cluster: the cluster of the one loaded ServiceAccount of that name, else the only named
// cluster; "" (the unnamed cluster) when that does not decide it.
func serviceAccountCluster(inv *inventory.Inventory, principals []string) string {
	for _, p := range principals {
		parts := strings.Split(p, ":")
		if len(parts) != 4 || parts[0] != "system" || parts[1] != "serviceaccount" {
			continue
		}
		var clusters []string
		for _, sa := range inv.ServiceAccounts {
			if sa.Namespace == parts[2] && sa.Name == parts[3] && !slices.Contains(clusters, sa.Cluster) {
				clusters = append(clusters, sa.Cluster)
			}
		}
		if len(clusters) == 1 {
			return clusters[0]
		}
		if known := namedClusters(inv); len(clusters) == 0 && len(known) == 1 {
			return known[0]
		}
	}
	return ""
}

// loadQuery loads paths and builds the graph. For the queries --cluster chooses the cluster
// of a service account principal: manifests keep the cluster their folder or the AWS data gives
// them, and only when no cluster is named anywhere are they assigned to --cluster (as scan
// does). For graph (manifestCluster) --cluster assigns every manifest, as in scan.
func loadQuery(c *ucli.Context, paths []string, principals []string, manifestCluster bool) (*query, error) {
	if len(paths) == 0 && !c.Bool("live") {
		paths = []string{"."}
	}
	cfg, err := loadConfig(c.String("config"), configPaths(paths))
	if err != nil {
		return nil, usageError(err)
	}
	var ctxValues []string
	if f, ok := c.Generic("context").(*contextFlag); ok && f != nil {
		ctxValues = f.values
	}
	reqCtx, err := parseContext(ctxValues)
	if err != nil {
		return nil, err
	}
	cluster := c.String("cluster")
	// Queries read every cluster live; --cluster chooses among them as it does among files.
	liveIn, err := liveInputs(c, nil)
	if err != nil {
		return nil, err
	}
	opts := load.Options{Stdin: c.App.Reader, Live: liveIn, StdinName: c.String("stdin-name"),
		TerraformVars: c.StringSlice("var"), TerraformVarFiles: c.StringSlice("var-file")}
	if manifestCluster {
		opts.Cluster = cluster
	}
	inv, diags := load.Load(c.Context, paths, opts)
	if cluster != "" && !manifestCluster {
		if known := namedClusters(inv); !slices.Contains(known, cluster) {
			if len(known) > 0 {
				return nil, usageError(fmt.Errorf("--cluster %s: no such cluster in the inputs (known: %s)", cluster, strings.Join(known, ", ")))
			}
			// No cluster is named anywhere: the manifests belong to the one the user names.
			// Stdin cannot be read twice, so it is not offered again.
			if !slices.Contains(paths, "-") {
				opts.Cluster = cluster
				inv, diags = load.Load(c.Context, paths, opts)
			}
		}
	}
	if cluster == "" && !manifestCluster {
		cluster = serviceAccountCluster(inv, principals)
	}
	q := &query{inv: inv, cluster: cluster}
	for _, d := range diags {
		if d.Severity == result.DiagError {
			q.inputErrors = true
		}
		if d.Severity == result.DiagError || !c.Bool("quiet") {
			fmt.Fprintf(c.App.ErrWriter, "%s: %s\n", d.Severity, d.Error())
		}
	}
	q.g = graph.Build(inv, graph.Options{
		KnownAccounts: cfg.Accounts,
		Context:       reqCtx,
		Principals:    principals,
		Cluster:       cluster,
		Audience:      c.String("audience"),
	})
	return q, nil
}

// finish maps an answer's exit code (0 found/allowed, 1 none/denied) with input errors (2).
func (q *query) finish(found bool) error {
	switch {
	case q.inputErrors:
		return &exitError{code: ExitError}
	case !found:
		return &exitError{code: ExitFindings}
	}
	return nil
}

// checkPrincipal accepts the PRINCIPAL forms of cli.md.
func checkPrincipal(p string) error {
	switch {
	case strings.HasPrefix(p, "arn:"):
		if strings.Count(p, ":") >= 5 {
			return nil
		}
	case iampolicy.IsAccountID(p):
		return nil
	case strings.HasPrefix(p, "system:serviceaccount:"):
		parts := strings.Split(p, ":")
		if len(parts) == 4 && parts[2] != "" && parts[3] != "" {
			return nil
		}
	case strings.HasPrefix(p, "oidc:"):
		host, sub, ok := strings.Cut(strings.TrimPrefix(p, "oidc:"), ":")
		if ok && host != "" && sub != "" {
			return nil
		}
	}
	return usageError(fmt.Errorf("principal %q: want an IAM ARN (arn:aws:iam::ACCOUNT:user/NAME or role/NAME), an account id, "+
		"system:serviceaccount:NAMESPACE:NAME, or oidc:PROVIDER_HOST:SUBJECT", p))
}

// principalNode finds the node of PRINCIPAL.
func (q *query) principalNode(p string) (*graph.Node, error) {
	id, ok := q.g.PrincipalNode(p, q.cluster)
	n := q.g.Node(id)
	if !ok || n == nil {
		hint := ""
		if strings.HasPrefix(p, "system:serviceaccount:") && q.cluster == "" {
			if known := namedClusters(q.inv); len(known) > 1 {
				hint = fmt.Sprintf(" (name its cluster with --cluster: %s)", strings.Join(known, ", "))
			}
		}
		return nil, usageError(fmt.Errorf("principal %s: not found in the inputs%s", p, hint))
	}
	return n, nil
}

// roleNode resolves ROLE: a role ARN, or a role name unambiguous among the graph's roles.
func (q *query) roleNode(role string) (*graph.Node, error) {
	var roles []*graph.Node
	for _, n := range q.g.Nodes() {
		if n.Kind == graph.KindRole {
			roles = append(roles, n)
		}
	}
	match := func(eq func(n *graph.Node) bool) []*graph.Node {
		var out []*graph.Node
		for _, n := range roles {
			if eq(n) {
				out = append(out, n)
			}
		}
		return out
	}
	name := func(n *graph.Node) string {
		arn := n.ARN
		if arn == "" {
			arn = n.Label
		}
		return arn[strings.LastIndex(arn, "/")+1:]
	}
	// Most exact first: ARN, ARN in any case (role names are case-insensitive in IAM),
	// name, name in any case.
	for _, eq := range []func(n *graph.Node) bool{
		func(n *graph.Node) bool { return n.ARN == role },
		func(n *graph.Node) bool { return strings.EqualFold(n.ARN, role) },
		func(n *graph.Node) bool { return !strings.HasPrefix(role, "arn:") && name(n) == role },
		func(n *graph.Node) bool { return !strings.HasPrefix(role, "arn:") && strings.EqualFold(name(n), role) },
	} {
		switch found := match(eq); len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		default:
			return nil, usageError(fmt.Errorf("role %q is ambiguous: %s; give the ARN", role, strings.Join(arns(found), ", ")))
		}
	}
	var similar []*graph.Node
	key := strings.ToLower(role[strings.LastIndex(role, "/")+1:])
	for _, n := range roles {
		if key != "" && strings.Contains(strings.ToLower(name(n)), key) {
			similar = append(similar, n)
		}
	}
	if len(similar) == 0 {
		similar = roles
	}
	msg := fmt.Sprintf("role %q: no such role in the inputs", role)
	if len(similar) > 0 {
		list := arns(similar)
		if len(list) > 10 {
			list = append(list[:10], fmt.Sprintf("… %d more", len(list)-10))
		}
		msg += "; roles: " + strings.Join(list, ", ")
	}
	return nil, usageError(errors.New(msg))
}

func arns(nodes []*graph.Node) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, report.NodeName(n))
	}
	slices.Sort(out)
	return out
}

// hops names a path's edges for users.
func (q *query) hops(edges []*graph.Edge) []report.Hop {
	out := make([]report.Hop, 0, len(edges))
	for _, e := range edges {
		out = append(out, report.Hop{
			From: q.ref(e.From), To: q.ref(e.To), Mechanism: string(e.Mechanism), Reason: e.Reason,
			Evidence: slices.Clone(e.Evidence), DependsOn: slices.Clone(e.DependsOn), IdentityUnchecked: e.IdentityUnchecked,
			TrustUnchecked: e.TrustUnchecked,
		})
	}
	return out
}

// ref names a node in a path: Kubernetes nodes carry their cluster.
func (q *query) ref(id string) string {
	n := q.g.Node(id)
	if n == nil {
		return id
	}
	s := report.NodeName(n)
	switch n.Kind {
	case graph.KindServiceAccount, graph.KindIdentity, graph.KindClusterAdmin:
		c := n.Cluster
		if c == "" {
			c = "(unnamed)"
		}
		if n.Kind == graph.KindClusterAdmin {
			return "cluster-admin of cluster " + c
		}
		return s + " in cluster " + c
	}
	return s
}

// via lists the intermediate roles of a path (cli.md: empty for a direct assumption).
func (q *query) via(edges []*graph.Edge) []string {
	out := []string{}
	for _, e := range edges[:max(len(edges)-1, 0)] {
		if n := q.g.Node(e.To); n != nil && n.Kind == graph.KindRole {
			out = append(out, report.NodeName(n))
		}
	}
	return out
}

// dependsOn is the sorted union of the keys a path's grants depend on.
func dependsOn(edges []*graph.Edge) []string {
	out := []string{}
	for _, e := range edges {
		for _, k := range e.DependsOn {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}

func identityUnchecked(edges []*graph.Edge) bool {
	return slices.ContainsFunc(edges, func(e *graph.Edge) bool { return e.IdentityUnchecked })
}

// pathTo finds the shortest path from one node to another, where from may equal to (a role
// assuming itself needs an edge; being the role is not assuming it).
func (q *query) pathTo(reach map[string]*graph.Path, from, to string) []*graph.Edge {
	if from != to {
		if p, ok := reach[to]; ok && p != nil && len(p.Edges) > 0 {
			return p.Edges
		}
		return nil
	}
	var best []*graph.Edge
	for _, e := range q.g.In(to) {
		var prefix []*graph.Edge
		if e.From != from {
			// Reachable leaves out the start node itself: a direct self-edge has no prefix.
			p, ok := reach[e.From]
			if !ok || p == nil || len(p.Edges) == 0 {
				continue
			}
			prefix = p.Edges
		}
		cand := append(slices.Clone(prefix), e)
		if best == nil || len(cand) < len(best) {
			best = cand
		}
	}
	return best
}

func runCanAssume(c *ucli.Context) error {
	if err := checkFormat(c, report.QueryFormats()); err != nil {
		return err
	}
	args := c.Args().Slice()
	if len(args) == 0 {
		return usageError(errors.New("can-assume: missing ROLE (usage: rolecall can-assume ROLE --as PRINCIPAL [PATH...])"))
	}
	principal := c.String("as")
	if principal == "" {
		return usageError(errors.New("can-assume: --as PRINCIPAL is required"))
	}
	if err := checkPrincipal(principal); err != nil {
		return err
	}
	q, err := loadQuery(c, args[1:], []string{principal}, false)
	if err != nil {
		return err
	}
	role, err := q.roleNode(args[0])
	if err != nil {
		return err
	}
	from, err := q.principalNode(principal)
	if err != nil {
		return err
	}
	edges := q.pathTo(q.g.Reachable(from.ID), from.ID, role.ID)
	ans := &report.CanAssume{
		Allowed:   edges != nil,
		Role:      report.NodeName(role),
		Principal: principal,
		Via:       q.via(edges),
		DependsOn: dependsOn(edges),
		Path:      q.hops(edges),
	}
	if from.Kind == graph.KindServiceAccount {
		ans.Cluster = from.Cluster
	}
	if ans.Allowed {
		ans.Reason = q.allowedReason(edges, ans.Via, ans.DependsOn)
	} else {
		ans.Reason = q.deniedReason(from, role)
	}
	if err := writeAnswer(c, func(w io.Writer) error { return report.WriteCanAssume(w, c.String("format"), ans) }); err != nil {
		return err
	}
	return q.finish(ans.Allowed)
}

func (q *query) allowedReason(edges []*graph.Edge, via, deps []string) string {
	last := edges[len(edges)-1]
	reason := last.Reason
	if len(edges) > 1 {
		reason += fmt.Sprintf("; reached in %d steps", len(edges))
		if len(via) > 0 {
			reason += " through " + strings.Join(via, " -> ")
		}
	}
	if len(deps) > 0 {
		reason += fmt.Sprintf("; allowed only if the request satisfies the conditions on %s, which were not supplied (give them with --context KEY=VALUE)",
			strings.Join(deps, ", "))
	}
	if identityUnchecked(edges) && !strings.Contains(reason, "identity policies are not loaded") {
		reason += "; the caller's own identity policies are not loaded, so its side is taken as allowed"
	}
	if slices.ContainsFunc(edges, func(e *graph.Edge) bool { return e.TrustUnchecked }) {
		reason += "; a trust policy on the way is not loaded, so the path is possible rather than proven"
	}
	return reason
}

func (q *query) deniedReason(from, role *graph.Node) string {
	roleName := report.NodeName(role)
	for _, r := range q.inv.Roles {
		if r.ARN == role.ARN && r.Trust == nil {
			return fmt.Sprintf("the trust policy of %s is not in the inputs, so nothing is known to allow assuming it", roleName)
		}
	}
	if !role.Loaded {
		return fmt.Sprintf("%s is not in the inputs (only referenced), so nothing is known to allow assuming it", roleName)
	}
	var reached []string
	for id, p := range q.g.Reachable(from.ID) {
		if n := q.g.Node(id); n != nil && n.Kind == graph.KindRole && id != from.ID && p != nil && len(p.Edges) > 0 {
			reached = append(reached, report.NodeName(n))
		}
	}
	slices.Sort(reached)
	reason := fmt.Sprintf("no statement of the trust policy of %s admits %s", roleName, q.ref(from.ID))
	nor := ", nor"
	if why, trustAdmits, ok := q.g.Explain(from.ID, role.ID); ok && trustAdmits {
		// The trust admits the caller; its own side, a Deny or the association decided.
		reason, nor = why, "; nor can"
	} else if ok && from.Kind == graph.KindServiceAccount {
		reason += "; " + why
		nor = "; nor can"
	}
	switch {
	case len(reached) == 1:
		reason += nor + " the one role it can reach (" + reached[0] + ")"
	case len(reached) > 1 && len(reached) <= 3:
		reason += nor + " any of the roles it can reach (" + strings.Join(reached, ", ") + ")"
	case len(reached) > 3:
		reason += fmt.Sprintf("%s any of the %d roles it can reach", nor, len(reached))
	}
	var direct []string
	for _, e := range q.g.In(role.ID) {
		if name := q.ref(e.From); !slices.Contains(direct, name) {
			direct = append(direct, name)
		}
	}
	slices.Sort(direct)
	if len(direct) > 5 {
		direct = append(direct[:5], fmt.Sprintf("%d more", len(direct)-5))
	}
	if len(direct) > 0 {
		reason += "; " + roleName + " can be assumed directly by " + strings.Join(direct, ", ")
	} else {
		reason += "; nothing in the inputs can assume " + roleName
	}
	return reason
}

// principalKind reports whether a node can be listed by who-can: principals and principal
// patterns, not Kubernetes identities (listed through the IAM principals that become them) or sinks.
func principalKind(k graph.NodeKind) bool {
	switch k {
	case graph.KindUser, graph.KindRole, graph.KindAccount, graph.KindPublic, graph.KindService,
		graph.KindFederated, graph.KindServiceAccount:
		return true
	}
	return false
}

func runWhoCan(c *ucli.Context) error {
	if err := checkFormat(c, report.QueryFormats()); err != nil {
		return err
	}
	args := c.Args().Slice()
	if len(args) == 0 {
		return usageError(errors.New("who-can: missing ROLE (usage: rolecall who-can ROLE [PATH...])"))
	}
	q, err := loadQuery(c, args[1:], nil, false)
	if err != nil {
		return err
	}
	role, err := q.roleNode(args[0])
	if err != nil {
		return err
	}
	ans := &report.WhoCan{Role: report.NodeName(role)}
	skip := nodeAccess
	if c.Bool("include-nodes") {
		skip = nil
	}
	paths := q.pathsTo(role.ID, skip)
	for id, edges := range paths {
		n := q.g.Node(id)
		if n == nil || !principalKind(n.Kind) || len(edges) == 0 {
			continue
		}
		ans.Principals = append(ans.Principals, q.whoCanEntry(n, edges))
	}
	if skip != nil {
		for id, edges := range q.pathsTo(role.ID, nil) {
			if n := q.g.Node(id); n != nil && principalKind(n.Kind) && len(edges) > 0 && paths[id] == nil {
				ans.NodeAccessOmitted++
			}
		}
	}
	slices.SortFunc(ans.Principals, func(a, b report.WhoCanEntry) int {
		return cmpStrings(a.Principal, b.Principal, a.Cluster, b.Cluster, a.Kind, b.Kind)
	})
	if err := writeAnswer(c, func(w io.Writer) error { return report.WriteWhoCan(w, c.String("format"), ans) }); err != nil {
		return err
	}
	return q.finish(len(ans.Principals) > 0)
}

// nodeAccess reports whether n stands for node-level access (semantics G2.7): a node role, or a
// Kubernetes identity in system:nodes. Through it every IRSA role of the cluster is reachable,
// so who-can leaves such paths out unless --include-nodes (rules RC502/RC503 report node roles).
func nodeAccess(n *graph.Node) bool {
	return n.NodeRole || (n.Kind == graph.KindIdentity && slices.Contains(n.Groups, "system:nodes"))
}

// pathsTo is a reverse breadth-first search from target: for every node that reaches target,
// the edges of a shortest path (a self-path for target only when it can assume itself).
// Nodes for which skip is true are not passed through; target itself never is skipped.
// Linear in the edges; deterministic since In is sorted.
func (q *query) pathsTo(target string, skip func(*graph.Node) bool) map[string][]*graph.Edge {
	paths := map[string][]*graph.Edge{}
	var self []*graph.Edge
	seen := map[string]bool{target: true}
	queue := []string{target}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, e := range q.g.In(cur) {
			if e.From == target && self == nil {
				// A way back into the target: it can assume itself.
				self = append([]*graph.Edge{e}, paths[cur]...)
			}
			if seen[e.From] {
				continue
			}
			seen[e.From] = true
			if n := q.g.Node(e.From); n == nil || (skip != nil && skip(n)) {
				continue
			}
			paths[e.From] = append([]*graph.Edge{e}, paths[cur]...)
			queue = append(queue, e.From)
		}
	}
	if self != nil {
		paths[target] = self
	}
	return paths
}

func (q *query) whoCanEntry(n *graph.Node, edges []*graph.Edge) report.WhoCanEntry {
	first := edges[0]
	deps := dependsOn(edges)
	e := report.WhoCanEntry{
		Principal: report.NodeName(n), Kind: string(n.Kind), Via: q.via(edges),
		Reason: first.Reason, Evidence: slices.Clone(first.Evidence), DependsOn: deps,
		Conditional: len(deps) > 0, IdentityUnchecked: identityUnchecked(edges), Path: q.hops(edges),
	}
	if n.Kind == graph.KindServiceAccount {
		e.Cluster = n.Cluster
	}
	return e
}

// cmpStrings compares pairs (a1, b1), (a2, b2)… in order.
func cmpStrings(pairs ...string) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := strings.Compare(pairs[i], pairs[i+1]); c != 0 {
			return c
		}
	}
	return 0
}

func runWhatCan(c *ucli.Context) error {
	if err := checkFormat(c, report.QueryFormats()); err != nil {
		return err
	}
	args := c.Args().Slice()
	if len(args) == 0 {
		return usageError(errors.New("what-can: missing PRINCIPAL (usage: rolecall what-can PRINCIPAL [PATH...])"))
	}
	principal := args[0]
	if err := checkPrincipal(principal); err != nil {
		return err
	}
	q, err := loadQuery(c, args[1:], []string{principal}, false)
	if err != nil {
		return err
	}
	from, err := q.principalNode(principal)
	if err != nil {
		return err
	}
	ans := &report.WhatCan{Principal: principal}
	if from.Kind == graph.KindServiceAccount {
		ans.Cluster = from.Cluster
	}
	reach := q.g.Reachable(from.ID)
	// The identities the principal is or becomes: itself, and every node it reaches.
	sources := []string{from.ID}
	for id, p := range reach {
		if id != from.ID && p != nil && len(p.Edges) > 0 {
			sources = append(sources, id)
		}
	}
	slices.Sort(sources)
	for _, id := range sources {
		n := q.g.Node(id)
		if n == nil || n.Kind != graph.KindRole || id == from.ID {
			continue
		}
		edges := reach[id].Edges
		ans.Roles = append(ans.Roles, report.WhatCanRole{
			Role: report.NodeName(n), Via: q.via(edges), DependsOn: omitEmpty(dependsOn(edges)),
			AWSAdmin: q.isAdmin(id, graph.KindAWSAdmin),
		})
	}
	if self := q.pathTo(reach, from.ID, from.ID); self != nil && from.Kind == graph.KindRole {
		ans.Roles = append(ans.Roles, report.WhatCanRole{
			Role: report.NodeName(from), Via: q.via(self), DependsOn: omitEmpty(dependsOn(self)),
			AWSAdmin: q.isAdmin(from.ID, graph.KindAWSAdmin),
		})
	}
	slices.SortFunc(ans.Roles, func(a, b report.WhatCanRole) int { return strings.Compare(a.Role, b.Role) })
	ans.Kubernetes = q.kubernetes(sources)
	if err := writeAnswer(c, func(w io.Writer) error { return report.WriteWhatCan(w, c.String("format"), ans) }); err != nil {
		return err
	}
	return q.finish(len(ans.Roles) > 0 || len(ans.Kubernetes) > 0)
}

func omitEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// isAdmin reports whether node id has an admin edge into a sink of kind.
func (q *query) isAdmin(id string, kind graph.NodeKind) bool {
	for _, e := range q.g.Out(id) {
		if n := q.g.Node(e.To); e.Mechanism == graph.MechAdmin && n != nil && n.Kind == kind {
			return true
		}
	}
	return false
}

// kubernetes lists, for each source node, the Kubernetes identities it authenticates as: IAM
// principals through aws-auth or an access entry (cluster-auth edges), ServiceAccounts through
// their own token.
func (q *query) kubernetes(sources []string) []report.KubernetesAccess {
	entries := map[string]*inventory.AccessEntry{}
	for _, e := range q.inv.AccessEntries {
		entries[e.ID] = e
	}
	out := []report.KubernetesAccess{}
	for _, id := range sources {
		src := q.g.Node(id)
		if src == nil {
			continue
		}
		for _, e := range q.g.Out(id) {
			if e.Mechanism != graph.MechClusterAuth && e.Mechanism != graph.MechServiceToken {
				continue
			}
			ident := q.g.Node(e.To)
			if ident == nil {
				continue
			}
			k := report.KubernetesAccess{
				Cluster: ident.Cluster, As: report.NodeName(src), Username: ident.Username,
				Groups: slices.Clone(ident.Groups), AccessPolicies: []report.AccessPolicy{},
				ClusterAdmin: q.isAdmin(ident.ID, graph.KindClusterAdmin),
			}
			if e.Mechanism == graph.MechServiceToken {
				k.Source = "serviceaccount"
			} else {
				k.Source, k.AccessPolicies = authSource(e, entries)
			}
			if !slices.ContainsFunc(out, func(o report.KubernetesAccess) bool {
				return o.Cluster == k.Cluster && o.As == k.As && o.Username == k.Username && o.Source == k.Source &&
					slices.Equal(o.Groups, k.Groups)
			}) {
				out = append(out, k)
			}
		}
	}
	slices.SortFunc(out, func(a, b report.KubernetesAccess) int {
		return cmpStrings(a.Cluster, b.Cluster, a.As, b.As, a.Source, b.Source, a.Username, b.Username)
	})
	return out
}

// authSource tells from a cluster-auth edge's evidence whether an access entry or aws-auth
// made it, with the entry's access policies.
func authSource(e *graph.Edge, entries map[string]*inventory.AccessEntry) (string, []report.AccessPolicy) {
	pols := []report.AccessPolicy{}
	for _, ev := range e.Evidence {
		entry := entries[ev]
		if entry == nil {
			if base, _, ok := strings.Cut(ev, "/policy/"); ok {
				entry = entries[base]
			}
		}
		if entry != nil {
			for _, p := range entry.Policies {
				pols = append(pols, report.AccessPolicy{Policy: p.PolicyARN, Scope: p.ScopeType, Namespaces: slices.Clone(p.Namespaces)})
			}
			slices.SortFunc(pols, func(a, b report.AccessPolicy) int { return strings.Compare(a.Policy, b.Policy) })
			return "access-entry", pols
		}
	}
	for _, ev := range e.Evidence {
		if strings.HasPrefix(ev, "awsauth:") {
			return "aws-auth", pols
		}
	}
	if slices.ContainsFunc(e.Evidence, func(ev string) bool { return strings.Contains(ev, "/accessentry/") }) {
		return "access-entry", pols
	}
	return "aws-auth", pols
}

func runGraph(c *ucli.Context) error {
	if err := checkFormat(c, report.GraphFormats()); err != nil {
		return err
	}
	q, err := loadQuery(c, c.Args().Slice(), nil, true)
	if err != nil {
		return err
	}
	nodes, edges := q.g.Nodes(), q.g.Edges()
	if err := writeAnswer(c, func(w io.Writer) error { return report.WriteGraph(w, c.String("format"), nodes, edges) }); err != nil {
		return err
	}
	return q.finish(true)
}

// writeAnswer writes to stdout, or to --output (see writeFileAtomic).
func writeAnswer(c *ucli.Context, write func(io.Writer) error) error {
	path := c.String("output")
	var err error
	if path == "" {
		err = write(c.App.Writer)
	} else {
		if err = writeFileAtomic(path, 0o644, write); err != nil {
			err = fmt.Errorf("--output: %w", err)
		}
	}
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	return nil
}
