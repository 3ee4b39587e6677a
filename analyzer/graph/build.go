package graph

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
)

// Options tune Build.
type Options struct {
	// KnownAccounts are the reviewer's accounts; principals of other accounts are External.
	// Empty means every account owning a loaded role, user, cluster or OIDC provider.
	KnownAccounts []string
	// Context holds extra request keys a query supplies (--context), e.g. aws:PrincipalOrgID,
	// sts:ExternalId, aws:MultiFactorAuthPresent; they apply to every evaluation. Absent keys
	// stay absent. Keys the tool cannot know (source IP, time, MFA, caller-chosen session
	// name…) are Unknown unless given here, so grants turning on them become edges with
	// DependsOn.
	Context iampolicy.Context
	// Principals are extra principals to materialise as nodes for a query, in the cli.md
	// PRINCIPAL forms: an IAM user/role ARN, an account id, system:serviceaccount:NS:NAME
	// (in Cluster), oidc:HOST:SUBJECT.
	Principals []string
	// Cluster is the cluster of system:serviceaccount principals.
	Cluster string
	// Audience, when set, is the only token audience web-identity edges are evaluated with;
	// otherwise every audience the trust admits that the provider accepts is tried (whoever
	// runs a pod as the ServiceAccount picks it, B4.1).
	Audience string
}

// Verdict is whether a Pod Identity association's pods get credentials (rule RC203).
type Verdict struct {
	Assumable bool
	// Checked is false when the role's (or target role's) trust policy is not loaded, so
	// Assumable is only presumed.
	Checked bool
	Reason  string
}

// Graph is the assume graph. It is immutable after Build.
type Graph struct {
	nodes    []*Node
	byID     map[string]*Node
	verdicts map[string]Verdict
	explain  *explainer
	// The stored edges (all but those of obtain groups), sorted by ID, and indexed.
	edges    []*Edge
	edgeByID map[string]*Edge
	out, in  map[string][]*Edge
	// The rbac-obtain-sa edges kept by group (obtain.go).
	hubOf      map[string]*saHub         // ServiceAccount node → its hub
	groupsFrom map[string][]*obtainGroup // identity node → its groups
	all        func() []*Edge            // every edge, materialised once
}

// Nodes returns every node, sorted by ID.
func (g *Graph) Nodes() []*Node { return g.nodes }

// Edges returns every edge, sorted by ID. In a large cluster this may be many more edges than
// a search ever looks at (see obtain.go); searches and queries use In, Out and the searches.
func (g *Graph) Edges() []*Edge { return g.all() }

// Node returns the node with id, or nil.
func (g *Graph) Node(id string) *Node { return g.byID[id] }

// Out returns the edges leaving id, sorted by ID.
func (g *Graph) Out(id string) []*Edge {
	if len(g.groupsFrom[id]) == 0 {
		return g.out[id]
	}
	return g.searchOut(id, &searchState{seen: map[string]bool{}, unseen: map[*saHub][]string{}})
}

// In returns the edges entering id, sorted by ID.
func (g *Graph) In(id string) []*Edge {
	if h := g.hubOf[id]; h != nil && len(h.groups) > 0 {
		return g.groupEdgesInto(id, h.groups, g.in[id])
	}
	return g.in[id]
}

// PodIdentityVerdicts returns, per Pod Identity association ID, whether the association's
// role (and target role) can be assumed with the association's session tags (C1.1, C2, C3).
func (g *Graph) PodIdentityVerdicts() map[string]Verdict {
	out := make(map[string]Verdict, len(g.verdicts))
	for k, v := range g.verdicts {
		out[k] = v
	}
	return out
}

// Sinks returns the cluster-admin and AWS-admin nodes, sorted by ID.
func (g *Graph) Sinks() []*Node {
	var out []*Node
	for _, n := range g.nodes {
		if n.Kind == KindClusterAdmin || n.Kind == KindAWSAdmin {
			out = append(out, n)
		}
	}
	return out
}

// builder holds the indexes Build works with.
type builder struct {
	inv  *inventory.Inventory
	opts Options

	known map[string]bool // accounts whose principals are not External

	nodes    map[string]*Node
	edges    map[string]*Edge
	verdicts map[string]Verdict

	// IAM.
	rolesByARN       map[string]*inventory.Role
	rolesByAcctName  map[string][]*inventory.Role // account + "/" + lower-cased name
	managed          map[string]*inventory.ManagedPolicy
	groups           map[string]*inventory.Group // account + "/" + name
	providers        map[string]*inventory.OIDCProvider
	callers          []*caller // loaded users and roles, then materialised principals, by ID
	callerByID       map[string]*caller
	callerByUnique   map[string]*caller
	callersByAcct    map[string][]*caller
	assumersByPrefix map[string][]*caller // callers whose identity policies may allow sts:AssumeRole, by caller.assumePrefixes

	// EKS.
	clusters       map[string]*inventory.Cluster
	clustersByHost map[string][]string // issuer host → cluster names
	saOrigin       map[string]string   // SA node → evidence of why it exists
	saByCluster    map[string][]string // cluster → SA node IDs (sorted at use)
	saByNS         map[string][]string // cluster + "/" + namespace → SA node IDs
	saObjects      map[string][]*inventory.ServiceAccount
	hubs           map[hubKey]*saHub
	hubOf          map[string]*saHub
	groupsFrom     map[string][]*obtainGroup
	webFrom        map[string]bool // nodes with a web-identity edge out
	podFrom        map[string]bool // nodes with a Pod Identity edge out
	webStatements  []webStatement  // every web-identity (role, statement, provider), for materialised subjects

	// Kubernetes identities.
	idents map[string]*identInfo

	// shared is opts.Context with unknownKeys, prepared once (see context).
	shared       *iampolicy.PreparedContext
	sharedValues map[string]bool // lower-cased keys opts.Context sets

	// callerCtx caches the request context of user and role-session callers (read-only).
	callerCtx map[iampolicy.CallerKind]iampolicy.Context
}

// Build computes the assume graph of inv (see the package documentation for what each node
// and edge means). It never fails: what cannot be decided is an edge with DependsOn,
// IdentityUnchecked or TrustUnchecked, or no edge with a reason in the verdicts.
func Build(inv *inventory.Inventory, opts Options) *Graph {
	g, b := build(inv, opts)
	b.release()
	return g
}

// build is Build keeping the builder whole (tests look inside it).
func build(inv *inventory.Inventory, opts Options) (*Graph, *builder) {
	if inv == nil {
		inv = &inventory.Inventory{}
	}
	b := &builder{
		inv: inv, opts: opts,
		nodes: map[string]*Node{}, edges: map[string]*Edge{}, verdicts: map[string]Verdict{},
		saOrigin: map[string]string{}, saByCluster: map[string][]string{}, saByNS: map[string][]string{},
		idents: map[string]*identInfo{}, webFrom: map[string]bool{}, podFrom: map[string]bool{},
	}
	b.sharedValues = map[string]bool{}
	for k := range opts.Context.Values {
		b.sharedValues[strings.ToLower(k)] = true
	}
	var unknown []string
	for _, k := range slices.Concat(opts.Context.Unknown, unknownKeys) {
		if !b.sharedValues[strings.ToLower(k)] {
			unknown = append(unknown, k)
		}
	}
	b.shared = iampolicy.Prepare(iampolicy.Context{Values: opts.Context.Values, Unknown: unknown})
	b.index()
	b.serviceAccounts()
	b.trustEdges()
	b.federationEdges()
	b.podIdentityEdges()
	b.clusterAuthEdges()
	b.kubernetesEdges()
	b.awsAdminEdges()
	return b.finish(), b
}

// index builds the lookup tables and the callers (every loaded user and role, and the IAM
// principals of opts.Principals).
func (b *builder) index() {
	inv := b.inv
	b.known = map[string]bool{}
	for _, a := range b.opts.KnownAccounts {
		b.known[a] = true
	}
	if len(b.known) == 0 {
		for _, a := range inv.OwnedAccounts() {
			b.known[a] = true
		}
	}

	b.rolesByARN = map[string]*inventory.Role{}
	b.rolesByAcctName = map[string][]*inventory.Role{}
	for _, r := range inv.Roles {
		b.rolesByARN[r.ARN] = r
		k := r.Account + "/" + strings.ToLower(r.Name)
		b.rolesByAcctName[k] = append(b.rolesByAcctName[k], r)
	}
	b.managed = map[string]*inventory.ManagedPolicy{}
	for _, m := range inv.ManagedPolicies {
		b.managed[m.ARN] = m
	}
	b.groups = map[string]*inventory.Group{}
	for _, g := range inv.Groups {
		b.groups[g.Account+"/"+g.Name] = g
	}
	b.providers = map[string]*inventory.OIDCProvider{}
	for _, p := range inv.OIDCProviders {
		if p.ARN != "" {
			b.providers[p.ARN] = p
		}
	}
	b.clusters = map[string]*inventory.Cluster{}
	b.clustersByHost = map[string][]string{}
	for _, c := range inv.Clusters {
		b.clusters[c.Name] = c
		if h := c.ProviderHost(); h != "" {
			b.clustersByHost[h] = append(b.clustersByHost[h], c.Name)
		}
	}

	b.callerByID = map[string]*caller{}
	b.callerByUnique = map[string]*caller{}
	b.callersByAcct = map[string][]*caller{}
	b.assumersByPrefix = map[string][]*caller{}
	for _, u := range inv.Users {
		b.addCaller(b.userCaller(u))
	}
	for _, r := range inv.Roles {
		b.addCaller(b.roleCaller(r))
	}
	for _, p := range b.opts.Principals {
		if _, ok := iampolicy.ParseARN(p); ok {
			if id := b.principalNode(p, true); id != "" && b.callerByID[id] == nil {
				n := b.nodes[id]
				b.addCaller(b.unloadedCaller(n))
			}
		} else if iampolicy.IsAccountID(p) {
			b.accountNode(p)
		}
	}
}

// ---- nodes ----

func (b *builder) node(n *Node) *Node {
	if old := b.nodes[n.ID]; old != nil {
		return old
	}
	b.nodes[n.ID] = n
	return n
}

// external reports whether account is outside the reviewer's accounts. With no account known at
// all (inputs that name none of their own, such as an eksctl ClusterConfig alone, whose cluster's
// account is assigned at deployment) nothing can be called outside them.
func (b *builder) external(account string) bool {
	return len(b.known) > 0 && (account == "" || !b.known[account])
}

// roleNode returns the node of a loaded role.
func (b *builder) roleNode(r *inventory.Role) *Node {
	return b.node(&Node{ID: r.ID, Kind: KindRole, Label: labelOf(r.ARN), ARN: r.ARN, Account: r.Account,
		External: r.Account != "" && b.external(r.Account), Loaded: true})
}

// userNode returns the node of a loaded user.
func (b *builder) userNode(u *inventory.User) *Node {
	return b.node(&Node{ID: u.ID, Kind: KindUser, Label: labelOf(u.ARN), ARN: u.ARN, Account: u.Account,
		External: u.Account != "" && b.external(u.Account), Loaded: true})
}

// findRole finds a loaded role by exact ARN, else by account and name (case-insensitive,
// as aws-auth and STS session ARNs carry no path, F3.3) when that is unambiguous.
func (b *builder) findRole(arn string) *inventory.Role {
	if r := b.rolesByARN[arn]; r != nil {
		return r
	}
	name, ok := iampolicy.RoleNameOf(arn)
	if !ok {
		return nil
	}
	acct, _ := iampolicy.AccountOfARN(arn)
	if l := b.rolesByAcctName[acct+"/"+strings.ToLower(name)]; len(l) == 1 {
		return l[0]
	}
	return nil
}

// principalNode returns the node of an IAM user, role or role-session ARN, creating a node
// for a principal that is not loaded (External when its account is not known). A session ARN
// maps to its role. Without materialise, a principal that cannot exist — absent from an
// account whose complete role list (roles) or authorization details (users) were loaded — gets
// no node and "" is returned; "" also for anything that is not a user/role/session ARN.
func (b *builder) principalNode(arn string, materialise bool) string {
	a, ok := iampolicy.ParseARN(arn)
	if !ok {
		return ""
	}
	switch {
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "role/"):
		if r := b.findRole(arn); r != nil {
			return b.roleNode(r).ID
		}
		if !materialise && b.inv.RoleListAccounts[a.Account] {
			return ""
		}
		return b.node(&Node{ID: inventory.RoleID(arn), Kind: KindRole, Label: labelOf(arn), ARN: arn,
			Account: a.Account, External: b.external(a.Account)}).ID
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "user/"):
		for _, c := range b.callersByAcct[a.Account] {
			if c.user != nil && c.arn == arn {
				return c.id
			}
		}
		if !materialise && b.inv.IdentityAccounts[a.Account] {
			return ""
		}
		return b.node(&Node{ID: inventory.PrincipalID(arn), Kind: KindUser, Label: labelOf(arn), ARN: arn,
			Account: a.Account, External: b.external(a.Account)}).ID
	case a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/"):
		role, _, _ := strings.Cut(strings.TrimPrefix(a.Resource, "assumed-role/"), "/")
		return b.principalNode("arn:"+a.Partition+":iam::"+a.Account+":role/"+role, materialise)
	}
	return ""
}

func (b *builder) accountNode(account string) string {
	return b.node(&Node{ID: inventory.AccountNodeID(account), Kind: KindAccount, Label: "account " + account,
		Account: account, External: b.external(account)}).ID
}

func (b *builder) publicNode() string {
	return b.node(&Node{ID: inventory.PublicNodeID(), Kind: KindPublic, Label: "any AWS principal (*)", External: true}).ID
}

func (b *builder) serviceNode(name string) string {
	return b.node(&Node{ID: inventory.ServiceNodeID(name), Kind: KindService, Label: name}).ID
}

// saNode returns the node of a ServiceAccount, creating one for a ServiceAccount that is not
// loaded; origin is the evidence of why it exists (its own ID when loaded).
func (b *builder) saNode(cluster, ns, name, origin string, loaded bool) string {
	id := inventory.ServiceAccountID(cluster, ns, name)
	if b.nodes[id] != nil {
		if loaded {
			b.nodes[id].Loaded = true
			b.saOrigin[id] = id
		}
		return id
	}
	b.node(&Node{ID: id, Kind: KindServiceAccount, Label: "system:serviceaccount:" + ns + ":" + name,
		Cluster: cluster, Namespace: ns, Name: name, Loaded: loaded})
	b.saOrigin[id] = origin
	b.saByCluster[cluster] = append(b.saByCluster[cluster], id)
	b.saByNS[cluster+"/"+ns] = append(b.saByNS[cluster+"/"+ns], id)
	return id
}

func (b *builder) clusterAdminNode(cluster string) string {
	return b.node(&Node{ID: inventory.ClusterAdminID(cluster), Kind: KindClusterAdmin,
		Label: "cluster-admin of " + clusterLabel(cluster), Cluster: cluster}).ID
}

func (b *builder) awsAdminNode(account string) string {
	return b.node(&Node{ID: inventory.AWSAdminID(account), Kind: KindAWSAdmin,
		Label: "administrator of account " + cmp.Or(account, "(unknown)"), Account: account}).ID
}

func clusterLabel(name string) string { return cmp.Or(name, "(unnamed cluster)") }

// labelOf is the short form of an ARN: "user/NAME", "role/NAME".
func labelOf(arn string) string {
	if a, ok := iampolicy.ParseARN(arn); ok {
		return a.Resource
	}
	return arn
}

// ---- edges ----

// addEdge adds an edge; a second edge with the same ends and mechanism only adds its evidence.
func (b *builder) addEdge(e *Edge) *Edge {
	e.ID = inventory.EdgeID(e.From, e.To, string(e.Mechanism))
	if old := b.edges[e.ID]; old != nil {
		for _, ev := range e.Evidence {
			if !slices.Contains(old.Evidence, ev) {
				old.Evidence = append(old.Evidence, ev)
			}
		}
		return old
	}
	if e.Evidence == nil {
		e.Evidence = []string{}
	}
	switch e.Mechanism {
	case MechWebIdentity:
		b.webFrom[e.From] = true
	case MechPodIdentity:
		b.podFrom[e.From] = true
	}
	b.edges[e.ID] = e
	return e
}

// release lets go of what only building needed: the graph keeps its builder for Explain,
// and these indexes would stay in memory through the rules' evaluation (a fifth of the
// graph's memory at 5k roles).
func (b *builder) release() {
	b.saOrigin, b.saByCluster, b.saByNS, b.saObjects = nil, nil, nil, nil
	b.hubs, b.webFrom, b.podFrom, b.webStatements, b.idents = nil, nil, nil, nil, nil
}

func (b *builder) finish() *Graph {
	g := &Graph{byID: b.nodes, out: map[string][]*Edge{}, in: map[string][]*Edge{}, verdicts: b.verdicts, explain: &explainer{b},
		edgeByID: b.edges, hubOf: b.hubOf, groupsFrom: b.groupsFrom}
	g.all = sync.OnceValue(g.allEdges)
	g.nodes = make([]*Node, 0, len(b.nodes))
	for _, n := range b.nodes {
		g.nodes = append(g.nodes, n)
	}
	slices.SortFunc(g.nodes, func(a, b *Node) int { return strings.Compare(a.ID, b.ID) })
	g.edges = make([]*Edge, 0, len(b.edges))
	for _, e := range b.edges {
		g.edges = append(g.edges, e)
	}
	slices.SortFunc(g.edges, func(a, b *Edge) int { return strings.Compare(a.ID, b.ID) })
	for _, e := range g.edges {
		g.out[e.From] = append(g.out[e.From], e)
		g.in[e.To] = append(g.in[e.To], e)
	}
	return g
}

// ---- request contexts ----

// unknownKeys are keys whose value the tool cannot know offline: environment (A13.5) and the
// role session name, which the caller chooses.
var unknownKeys = []string{
	"aws:SourceIp", "aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp", "aws:CurrentTime",
	"aws:EpochTime", "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge", "aws:TokenIssueTime",
	"aws:SecureTransport", "aws:UserAgent", "aws:RequestedRegion", "aws:Referer", "sts:RoleSessionName",
}

// context is opts.Context plus values, with every unknownKeys entry and extraUnknown marked
// Unknown unless a value is supplied for it. It is built for every evaluation, so the shared
// part is prepared once and only values and extraUnknown are new.
func (b *builder) context(values map[string][]string, extraUnknown ...string) iampolicy.Context {
	var unknown []string
	for _, k := range extraUnknown {
		set := b.sharedValues[strings.ToLower(k)]
		for vk := range values {
			set = set || strings.EqualFold(vk, k)
		}
		if !set {
			unknown = append(unknown, k)
		}
	}
	return iampolicy.Context{Values: values, Unknown: unknown, Shared: b.shared}
}

func statementIDs(roleID string, idx []int) []string {
	out := make([]string, 0, len(idx))
	for _, i := range idx {
		out = append(out, inventory.TrustStatementID(roleID, i))
	}
	if len(out) == 0 {
		out = append(out, roleID)
	}
	return out
}

func allowed(d iampolicy.Decision) bool {
	return d == iampolicy.Allow || d == iampolicy.Conditional
}
