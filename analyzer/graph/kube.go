package graph

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/analyzer/clusterauth"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/rbac"
)

// identInfo is what the builder knows about a Kubernetes identity node.
type identInfo struct {
	id, cluster string
	subject     rbac.Subject
	policies    []inventory.AccessPolicy
	// entries are the aws-auth entries / access entries / ServiceAccounts the identity is
	// reached through: the evidence of what its groups (system:masters, system:nodes) give it.
	entries []string
	// admin is the evidence of the identity's cluster-admin edge (nil when not admin).
	admin []string
}

// Sentinel session names: a role session's name is chosen by the caller and unknown, so
// usernames and groups keep their templates as written (D6.1, D6.3). The "@" tells
// {{SessionName}} (where "@" becomes "-") from {{SessionNameRaw}}; the instance-ID form is
// needed for {{EC2PrivateDNSName}} entries, which require one (D6.2).
const (
	sessionSentinel  = "{{Session@}}"
	instanceSentinel = "i-SESSNAME"
)

var sentinelRenderer = strings.NewReplacer(
	"{{Session-}}", "{{SessionName}}",
	"{{Session@}}", "{{SessionNameRaw}}",
	instanceSentinel, "{{SessionName}}",
)

// clusterNames lists every cluster any input names, sorted.
func (b *builder) clusterNames() []string {
	set := map[string]bool{}
	for _, c := range b.inv.Clusters {
		set[c.Name] = true
	}
	for _, a := range b.inv.AWSAuth {
		set[a.Cluster] = true
	}
	for _, e := range b.inv.AccessEntries {
		set[e.Cluster] = true
	}
	for cl := range b.saByCluster {
		set[cl] = true
	}
	for _, r := range b.inv.RBACBindings {
		set[r.Cluster] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ---- IAM → Kubernetes identity (§D, §E) ----

// clusterAuthEdges maps, per cluster, every IAM principal that an aws-auth entry, an access
// entry or mapAccounts could match to the Kubernetes identity clusterauth.Resolve gives it in
// the cluster's authentication mode. Principals no mapping names are not even resolved.
func (b *builder) clusterAuthEdges() {
	for _, cl := range b.clusterNames() {
		var sources []*inventory.AWSAuth
		for _, a := range b.inv.AWSAuth {
			if a.Cluster == cl {
				sources = append(sources, a)
			}
		}
		var entries []*inventory.AccessEntry
		for _, e := range b.inv.AccessEntries {
			if e.Cluster == cl {
				entries = append(entries, e)
			}
		}
		if len(sources) == 0 && len(entries) == 0 {
			continue
		}
		mode := ""
		if c := b.clusters[cl]; c != nil {
			mode = c.AuthenticationMode
		}
		named := map[string]bool{}     // lower-cased ARNs of entries
		roleNames := map[string]bool{} // account/lower-cased role name of access entries
		accounts := map[string]bool{}
		var arns []string
		for _, a := range sources {
			for _, e := range slices.Concat(a.MapRoles, a.MapUsers) {
				if e.ARN != "" {
					named[strings.ToLower(e.ARN)] = true
					arns = append(arns, e.ARN)
				}
			}
			for _, m := range a.MapAccounts {
				accounts[m.Account] = true
			}
		}
		for _, e := range entries {
			named[strings.ToLower(e.PrincipalARN)] = true
			arns = append(arns, e.PrincipalARN)
			if name, ok := iampolicy.RoleNameOf(e.PrincipalARN); ok {
				acct, _ := iampolicy.AccountOfARN(e.PrincipalARN)
				roleNames[acct+"/"+strings.ToLower(name)] = true
			}
		}
		slices.Sort(arns)
		cands := map[string]*caller{}
		for _, arn := range slices.Compact(arns) {
			if id := b.principalNode(arn, false); id != "" && cands[id] == nil {
				if c := b.callerByID[id]; c != nil {
					cands[id] = c
				} else {
					cands[id] = b.unloadedCaller(b.nodes[id])
				}
			}
		}
		for _, c := range b.callers {
			canon := c.arn
			if c.kind == iampolicy.CallerRoleSession {
				canon, _, _ = clusterauth.Canonicalize(sessionARN(c.arn, sessionSentinel))
			}
			name, _ := iampolicy.RoleNameOf(c.arn)
			if named[strings.ToLower(canon)] || accounts[c.account] ||
				(c.kind == iampolicy.CallerRoleSession && roleNames[c.account+"/"+strings.ToLower(name)]) {
				cands[c.id] = c
			}
		}
		ids := make([]string, 0, len(cands))
		for id := range cands {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			b.authEdge(cl, mode, sources, entries, cands[id])
		}
	}
}

// sessionARN is the STS session ARN of a role with the given session name.
func sessionARN(roleARN, session string) string {
	a, _ := iampolicy.ParseARN(roleARN)
	name, _ := iampolicy.RoleNameOf(roleARN)
	return "arn:" + a.Partition + ":sts::" + a.Account + ":assumed-role/" + name + "/" + session
}

func (b *builder) authEdge(cl, mode string, sources []*inventory.AWSAuth, entries []*inventory.AccessEntry, c *caller) {
	ca := clusterauth.Caller{ARN: c.arn, Account: c.account}
	role := c.kind == iampolicy.CallerRoleSession
	if role {
		ca.ARN, ca.RoleARN, ca.RoleUniqueID = sessionARN(c.arn, sessionSentinel), c.arn, c.uniqueID
	}
	id := clusterauth.Resolve(mode, sources, entries, ca, clusterauth.Options{})
	if role && !id.Authenticated && id.EntryID != "" {
		// The entry needs an instance ID as session name ({{EC2PrivateDNSName}}); whoever can
		// assume the role may pass one (D6.3).
		ca.ARN = sessionARN(c.arn, instanceSentinel)
		id = clusterauth.Resolve(mode, sources, entries, ca, clusterauth.Options{})
	}
	if !id.Authenticated {
		return
	}
	id.Username = sentinelRenderer.Replace(id.Username)
	id.Groups = slices.Clone(id.Groups)
	for i, g := range id.Groups {
		id.Groups[i] = sentinelRenderer.Replace(g)
	}
	info := b.identity(cl, id.Username, id.Groups, id.AccessPolicies)
	if !slices.Contains(info.entries, id.EntryID) {
		info.entries = append(info.entries, id.EntryID)
	}
	reason := fmt.Sprintf("authenticates to cluster %s through %s: %s", clusterLabel(cl), id.Source, sentinelRenderer.Replace(id.Reason))
	if id.UsernameChosenByCaller {
		reason += "; the username comes from the role session name, which the caller chooses (D6.3)"
	}
	b.addEdge(&Edge{From: c.id, To: info.id, Mechanism: MechClusterAuth, Evidence: []string{id.EntryID}, Reason: reason})
	if role && slices.Contains(id.Groups, rbac.GroupNodes) {
		b.nodes[c.id].NodeRole = true
	}
}

// identity returns the node of a Kubernetes identity, creating it.
func (b *builder) identity(cl, username string, groups []string, policies []inventory.AccessPolicy) *identInfo {
	var keys []string
	for _, p := range policies {
		k := p.PolicyARN + "@" + p.ScopeType
		if len(p.Namespaces) > 0 {
			k += ":" + strings.Join(p.Namespaces, ",")
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	id := inventory.IdentityNodeID(cl, username, groups, keys)
	if info := b.idents[id]; info != nil {
		return info
	}
	g := slices.Clone(groups)
	slices.Sort(g)
	b.node(&Node{ID: id, Kind: KindIdentity, Label: username, Cluster: cl, Username: username,
		Groups: slices.Compact(g), AccessPolicies: keys})
	info := &identInfo{id: id, cluster: cl, policies: policies,
		subject: rbac.Subject{Username: username, Groups: slices.Clone(groups)}.WithAccessPolicies(policies)}
	b.idents[id] = info
	return info
}

// ---- the Kubernetes side (§G) ----

// kubeCluster holds one cluster's RBAC indexes.
type kubeCluster struct {
	name string
	// namespaces are those with ServiceAccounts, sorted.
	namespaces []string
	authz      *rbac.Authorizer
	roles      map[[3]string][]*inventory.RBACRole
	byUser     map[string][]*inventory.RBACBinding
	byGroup    map[string][]*inventory.RBACBinding
	single     map[*inventory.RBACBinding]*rbac.Authorizer
	grants     map[string][]nsGrant // see builder.grants
	wide       map[string][]nsGrant // see builder.wideGrants
}

func (b *builder) kubeCluster(cl string) *kubeCluster {
	k := &kubeCluster{name: cl, roles: map[[3]string][]*inventory.RBACRole{},
		byUser: map[string][]*inventory.RBACBinding{}, byGroup: map[string][]*inventory.RBACBinding{},
		single: map[*inventory.RBACBinding]*rbac.Authorizer{}, grants: map[string][]nsGrant{},
		wide: map[string][]nsGrant{}}
	var roles []*inventory.RBACRole
	var bindings []*inventory.RBACBinding
	for _, r := range b.inv.RBACRoles {
		if r.Cluster == cl {
			roles = append(roles, r)
			ns := r.Namespace
			if r.Kind == "ClusterRole" {
				ns = ""
			}
			key := [3]string{r.Kind, ns, r.Name}
			k.roles[key] = append(k.roles[key], r)
		}
	}
	for _, bd := range b.inv.RBACBindings {
		if bd.Cluster != cl {
			continue
		}
		bindings = append(bindings, bd)
		for _, s := range bd.Subjects {
			switch s.Kind {
			case "User":
				k.byUser[s.Name] = append(k.byUser[s.Name], bd)
			case "Group":
				k.byGroup[s.Name] = append(k.byGroup[s.Name], bd)
			case "ServiceAccount":
				ns := s.Namespace
				if ns == "" && bd.Kind == "RoleBinding" {
					ns = bd.Namespace
				}
				if ns != "" && s.Name != "" {
					u := rbac.ServiceAccountUsername(ns, s.Name)
					k.byUser[u] = append(k.byUser[u], bd)
				}
			}
		}
	}
	k.authz = rbac.New(roles, bindings)
	prefix := cl + "/"
	for key := range b.saByNS {
		if ns, ok := strings.CutPrefix(key, prefix); ok {
			k.namespaces = append(k.namespaces, ns)
		}
	}
	sort.Strings(k.namespaces)
	return k
}

// bindings are the bindings naming s (its username, its groups, system:authenticated), sorted
// by ID, each once. They only narrow where to look; rbac decides.
func (k *kubeCluster) bindings(s rbac.Subject) []*inventory.RBACBinding {
	var out []*inventory.RBACBinding
	out = append(out, k.byUser[s.Username]...)
	for _, g := range append(slices.Clone(s.Groups), rbac.GroupAuthenticated) {
		out = append(out, k.byGroup[g]...)
	}
	slices.SortFunc(out, func(x, y *inventory.RBACBinding) int { return strings.Compare(x.ID, y.ID) })
	return slices.Compact(out)
}

// authorizerOf is an authorizer holding binding bd alone, to tell which binding grants a
// permission.
func (k *kubeCluster) authorizerOf(bd *inventory.RBACBinding) *rbac.Authorizer {
	if a := k.single[bd]; a != nil {
		return a
	}
	var roles []*inventory.RBACRole
	if bd.RoleKind == "ClusterRole" {
		roles = k.roles[[3]string{"ClusterRole", "", bd.RoleName}]
	} else {
		roles = k.roles[[3]string{bd.RoleKind, bd.Namespace, bd.RoleName}]
	}
	a := rbac.New(roles, []*inventory.RBACBinding{bd})
	k.single[bd] = a
	return a
}

// plain is s without system:masters and access policies: what RBAC bindings alone grant it.
func plain(s rbac.Subject) rbac.Subject {
	return rbac.Subject{Username: s.Username, Groups: slices.DeleteFunc(slices.Clone(s.Groups), func(g string) bool { return g == rbac.GroupMasters })}
}

// kubernetesEdges adds, per cluster: ServiceAccount → its identity; identity → cluster-admin;
// identity → every ServiceAccount it can obtain (G2). Identities with no binding, no access
// policy and no special group are skipped (grantless), and an identity is only checked in the namespaces its
// bindings and access policies reach, so the work follows the RBAC data, not identities ×
// ServiceAccounts; what an identity obtains of a whole namespace is kept once (obtain.go).
func (b *builder) kubernetesEdges() {
	saIdent := map[string]string{}
	ownSA := map[string]string{} // identity → the ServiceAccount it is the identity of
	for _, cl := range b.clusterNames() {
		sas := slices.Clone(b.saByCluster[cl])
		slices.Sort(sas)
		for _, saID := range sas {
			n := b.nodes[saID]
			s := rbac.ServiceAccountSubject(n.Namespace, n.Name)
			info := b.identity(cl, s.Username, s.Groups, nil)
			if !slices.Contains(info.entries, b.saOrigin[saID]) {
				info.entries = append(info.entries, b.saOrigin[saID])
			}
			saIdent[saID] = info.id
			ownSA[info.id] = saID
			b.addEdge(&Edge{From: saID, To: info.id, Mechanism: MechServiceToken, Evidence: []string{b.saOrigin[saID]},
				Reason: "a pod or token of ServiceAccount " + n.Namespace + "/" + n.Name + " authenticates as " + s.Username + " (G1)"})
		}
	}
	b.buildHubs()
	var ids []string
	for id := range b.idents {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	clusters := map[string]*kubeCluster{}
	for _, id := range ids {
		info := b.idents[id]
		k := clusters[info.cluster]
		if k == nil {
			k = b.kubeCluster(info.cluster)
			clusters[info.cluster] = k
		}
		if k.grantless(info) {
			continue // most ServiceAccounts' identities
		}
		b.identityAdmin(k, info)
		b.identityObtain(k, info, ownSA[info.id])
	}
}

// grantless reports whether info can do nothing that matters here: no group that bypasses or
// replaces RBAC (system:masters, system:nodes), no access policy, no binding.
func (k *kubeCluster) grantless(info *identInfo) bool {
	g := info.subject.Groups
	return !slices.Contains(g, rbac.GroupMasters) && !slices.Contains(g, rbac.GroupNodes) &&
		len(info.policies) == 0 && len(k.bindings(plain(info.subject))) == 0
}

// hubKey names a hub: a namespace's ServiceAccounts of one kind (see saHub).
type hubKey struct {
	cluster, ns     string
	loaded, podOnly bool
}

// hubKeyOf is the hub of ServiceAccount node n.
func (b *builder) hubKeyOf(n *Node) hubKey {
	return hubKey{cluster: n.Cluster, ns: n.Namespace, loaded: n.Loaded, podOnly: b.podFrom[n.ID] && !b.webFrom[n.ID]}
}

// buildHubs sorts every ServiceAccount node into its hub; no ServiceAccount node is created
// after the web-identity and Pod Identity edges, which decide the hubs.
func (b *builder) buildHubs() {
	b.hubs, b.hubOf, b.groupsFrom = map[hubKey]*saHub{}, map[string]*saHub{}, map[string][]*obtainGroup{}
	var ids []string
	for _, l := range b.saByCluster {
		ids = append(ids, l...)
	}
	slices.Sort(ids)
	for _, id := range ids {
		key := b.hubKeyOf(b.nodes[id])
		h := b.hubs[key]
		if h == nil {
			h = &saHub{}
			b.hubs[key] = h
		}
		h.sas = append(h.sas, id)
		b.hubOf[id] = h
	}
}

func (b *builder) identityAdmin(k *kubeCluster, info *identInfo) {
	var ev, why []string
	if slices.Contains(info.subject.Groups, rbac.GroupMasters) {
		ev = append(ev, info.entries...)
		why = append(why, "member of "+rbac.GroupMasters+", which bypasses RBAC (D7.4)")
	}
	for _, p := range info.policies {
		if clusterauth.IsClusterAdmin(clusterauth.Identity{Authenticated: true, AccessPolicies: []inventory.AccessPolicy{p}}) {
			ev = append(ev, p.ID)
			why = append(why, "access policy "+rbac.PolicyName(p.PolicyARN)+" at cluster scope (E3.4)")
		}
	}
	s := plain(info.subject)
	if rbac.IsClusterAdmin(k.authz, s) {
		for _, bd := range k.bindings(s) {
			if rbac.IsClusterAdmin(k.authorizerOf(bd), s) {
				ev = append(ev, bd.ID)
				why = append(why, fmt.Sprintf("%s %s binds %s %s, which grants * on *", bd.Kind, bd.Name, bd.RoleKind, bd.RoleName))
			}
		}
	}
	if len(ev) == 0 {
		return
	}
	info.admin = ev
	b.addEdge(&Edge{From: info.id, To: b.clusterAdminNode(info.cluster), Mechanism: MechAdmin, Evidence: ev,
		Reason: info.subject.Username + " is cluster-admin of " + clusterLabel(info.cluster) + ": " + strings.Join(why, "; ")})
}

// identityObtain adds the edges from info to the ServiceAccounts it can obtain (own is its own
// ServiceAccount, if it is one's identity, which it does not obtain). The ways into a
// ServiceAccount depend on its name only through grants restricted by resourceNames (a token
// or impersonation of named ServiceAccounts): those ServiceAccounts get an edge each, and the
// rest of each hub one group, whose ways and evidence are those of any unnamed ServiceAccount.
func (b *builder) identityObtain(k *kubeCluster, info *identInfo, own string) {
	s := info.subject
	for _, gr := range b.grants(k, info) {
		ns, base, tokNames, impNames := gr.ns, gr.base, gr.tokNames, gr.impNames
		var named []string // ServiceAccount nodes of ns some grant names
		for _, name := range gr.named {
			if id := inventory.ServiceAccountID(k.name, ns, name); b.nodes[id] != nil && id != own {
				named = append(named, id)
			}
		}
		for _, saID := range named {
			n := b.nodes[saID]
			ways := base
			if slices.Contains(tokNames, n.Name) || slices.Contains(impNames, n.Name) {
				ways = rbac.CanObtainServiceAccount(k.authz, s, ns, n.Name)
			}
			ways = usableWays(ways, b.hubKeyOf(n))
			if len(ways) == 0 {
				continue
			}
			ev, why := b.obtainEvidence(k, info, ways, n.Name)
			b.addEdge(&Edge{From: info.id, To: saID, Mechanism: MechObtainSA, Evidence: ev, Reason: obtainReason(s.Username, n, why)})
		}
		if len(base) == 0 {
			continue
		}
		except := slices.Clone(named)
		if own != "" {
			except = append(except, own)
		}
		slices.Sort(except)
		for _, podOnly := range []bool{false, true} {
			for _, loaded := range []bool{false, true} {
				key := hubKey{cluster: k.name, ns: ns, loaded: loaded, podOnly: podOnly}
				h := b.hubs[key]
				if h == nil {
					continue
				}
				var mine []string
				for _, id := range except {
					if b.hubOf[id] == h {
						mine = append(mine, id)
					}
				}
				if len(mine) == len(h.sas) {
					continue
				}
				ways := usableWays(base, key)
				if len(ways) == 0 {
					continue
				}
				// An unnamed ServiceAccount: "" matches no resourceNames, as its name does not.
				ev, why := b.obtainEvidence(k, info, ways, "")
				o := &obtainGroup{from: info.id, hub: h, except: mine, evidence: ev, username: s.Username, why: why}
				h.groups = append(h.groups, o)
				b.groupsFrom[info.id] = append(b.groupsFrom[info.id], o)
			}
		}
	}
}

// nsGrant is what RBAC and access policies give an identity in one namespace towards
// obtaining its ServiceAccounts: the ways into any of them (base), the names a token or an
// impersonation is granted for, and the names whose ways or evidence differ (namedGrants).
type nsGrant struct {
	ns                        string
	base                      []rbac.Way
	tokNames, impNames, named []string
}

// grants returns info's nsGrants, for the namespaces (with ServiceAccounts) where it has any
// way in, sorted. Its RoleBindings and namespace-scoped access policies grant only in their
// namespaces; elsewhere only its cluster-wide grants count (ClusterRoleBindings,
// system:masters, system:nodes, cluster-scoped access policies). Both parts depend only on
// those grants, not on who holds them, so identities alike share one computation: a binding of
// system:authenticated, even a harmless one, reaches every identity of the cluster, and each
// would otherwise be checked in every namespace.
func (b *builder) grants(k *kubeCluster, info *identInfo) []nsGrant {
	s := info.subject
	special := slices.Contains(s.Groups, rbac.GroupMasters) || slices.Contains(s.Groups, rbac.GroupNodes)
	flags := fmt.Sprintf("|%t|%t|%t", slices.Contains(s.Groups, rbac.GroupMasters), slices.Contains(s.Groups, rbac.GroupNodes),
		s.Username == rbac.UserAnonymous)
	var key, wideKey strings.Builder
	local := map[string]bool{} // namespaces of its own namespaced grants
	allLocal := false          // a namespace pattern: its namespaced grants may apply anywhere
	var wide []*inventory.RBACBinding
	var widePolicies []inventory.AccessPolicy
	for _, bd := range k.bindings(plain(s)) {
		key.WriteString(bd.ID + "\x00")
		if bd.Kind == "RoleBinding" {
			local[bd.Namespace] = true
		} else {
			wide = append(wide, bd)
			wideKey.WriteString(bd.ID + "\x00")
		}
	}
	key.WriteString(flags)
	wideKey.WriteString(flags)
	for _, p := range info.policies {
		pk := fmt.Sprintf("|%s@%s:%s", p.PolicyARN, p.ScopeType, strings.Join(p.Namespaces, ","))
		key.WriteString(pk)
		if p.ScopeType != rbac.ScopeNamespace {
			widePolicies = append(widePolicies, p)
			wideKey.WriteString(pk)
			continue
		}
		for _, ns := range p.Namespaces {
			allLocal = allLocal || strings.ContainsAny(ns, "*?")
			local[ns] = true
		}
	}
	if out, ok := k.grants[key.String()]; ok {
		return out
	}
	var out []nsGrant
	full := func(ns string) {
		if g, ok := b.nsGrant(k, k.authz, s, k.bindings(plain(s)), ns); ok {
			out = append(out, g)
		}
	}
	if allLocal {
		for _, ns := range k.namespaces {
			full(ns)
		}
	} else {
		// Only the namespaces where something grants: not every namespace for every identity.
		for ns := range local {
			if _, ok := slices.BinarySearch(k.namespaces, ns); ok {
				full(ns)
			}
		}
		if special || len(wide) > 0 || len(widePolicies) > 0 {
			for _, g := range b.wideGrants(k, wideKey.String(), s, wide, widePolicies) {
				if !local[g.ns] {
					out = append(out, g)
				}
			}
		}
		slices.SortFunc(out, func(x, y nsGrant) int { return strings.Compare(x.ns, y.ns) })
	}
	k.grants[key.String()] = out
	return out
}

// wideGrants returns what cluster-wide grants alone give, in the namespaces where they give
// anything (memoised by key): evaluated with an authorizer of those bindings only, and the
// subject's cluster-scoped access policies only.
func (b *builder) wideGrants(k *kubeCluster, key string, s rbac.Subject, wide []*inventory.RBACBinding, policies []inventory.AccessPolicy) []nsGrant {
	if m, ok := k.wide[key]; ok {
		return m
	}
	var roles []*inventory.RBACRole
	for _, bd := range wide {
		roles = append(roles, k.roles[[3]string{"ClusterRole", "", bd.RoleName}]...)
	}
	a := rbac.New(roles, wide)
	s.AccessPolicies = policies
	var m []nsGrant
	for _, ns := range k.namespaces {
		if g, ok := b.nsGrant(k, a, s, wide, ns); ok {
			m = append(m, g)
		}
	}
	k.wide[key] = m
	return m
}

// nsGrant is what authorizer a gives s in ns through bindings; ok is false for nothing.
func (b *builder) nsGrant(k *kubeCluster, a *rbac.Authorizer, s rbac.Subject, bindings []*inventory.RBACBinding, ns string) (nsGrant, bool) {
	base := rbac.CanObtainServiceAccount(a, s, ns, "")
	_, tokNames := a.NamesAllowed(s, "create", "", "serviceaccounts", "token", ns)
	_, impNames := a.NamesAllowed(s, "impersonate", "", "serviceaccounts", "", ns)
	if len(base) == 0 && len(tokNames) == 0 && len(impNames) == 0 {
		return nsGrant{}, false
	}
	return nsGrant{ns: ns, base: base, tokNames: tokNames, impNames: impNames,
		named: namedGrants(k, plain(s), bindings, ns, tokNames, impNames)}, true
}

// namedGrants returns the names of the ServiceAccounts of ns for which a grant restricted by
// resourceNames gives s a token or impersonation (G2.3, G2.5) through one of bindings: the ways
// or the evidence of those differ from the namespace's other ServiceAccounts'.
func namedGrants(k *kubeCluster, s rbac.Subject, bindings []*inventory.RBACBinding, ns string, tokNames, impNames []string) []string {
	out := slices.Concat(tokNames, impNames)
	for _, bd := range bindings {
		a := k.authorizerOf(bd)
		if all, names := a.NamesAllowed(s, "create", "", "serviceaccounts", "token", ns); !all {
			out = append(out, names...)
		}
		if all, names := a.NamesAllowed(s, "impersonate", "", "serviceaccounts", "", ns); !all {
			out = append(out, names...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// obtainEvidence returns the evidence of ways into ServiceAccount saName and the reason's
// account of them.
func (b *builder) obtainEvidence(k *kubeCluster, info *identInfo, ways []rbac.Way, saName string) (ev []string, reason string) {
	var why, rules []string
	for _, w := range ways {
		for _, e := range b.wayEvidence(k, info, w, saName) {
			if !slices.Contains(ev, e) {
				ev = append(ev, e)
			}
		}
		// One way per G2 rule in the reason, the first in rbac's order.
		if !slices.Contains(rules, w.Rule) {
			rules = append(rules, w.Rule)
			why = append(why, describeWay(w))
		}
	}
	if len(ways) > len(why) {
		why = append(why, fmt.Sprintf("and %d more", len(ways)-len(why)))
	}
	if ev == nil {
		ev = []string{}
	}
	return ev, strings.Join(why, "; ")
}

// usableWays drops ways that do not apply to the ServiceAccounts of hub key: creating a
// ServiceAccount (G2.6) only matters for one that does not exist yet (not loaded), and a token
// alone (G2.3) gives no Pod Identity credentials (C1.3), so it is dropped for a ServiceAccount
// whose only AWS credentials are Pod Identity's.
func usableWays(ways []rbac.Way, key hubKey) []rbac.Way {
	var out []rbac.Way
	for _, w := range ways {
		if (w.Rule == "G2.6" && key.loaded) || (w.TokenOnly && key.podOnly) {
			continue
		}
		out = append(out, w)
	}
	return out
}

func describeWay(w rbac.Way) string {
	var s strings.Builder
	s.WriteString(w.Rule)
	if w.Verb != "" {
		s.WriteString(" " + w.Verb + " ")
		if w.APIGroup != "" {
			s.WriteString(w.APIGroup + "/")
		}
		s.WriteString(w.Resource)
		if w.Namespace != "" {
			s.WriteString(" in " + w.Namespace)
		}
		if len(w.ResourceNames) > 0 {
			s.WriteString(" (only " + strings.Join(w.ResourceNames, ", ") + ")")
		}
	}
	if w.Detail != "" {
		s.WriteString(" " + w.Detail)
	}
	if w.TokenOnly {
		s.WriteString(" (a token, no pod)")
	}
	return s.String()
}

// wayEvidence returns what grants way w: the access policies and bindings that allow its
// permission, or for a grant by group membership the entries the identity is reached through.
func (b *builder) wayEvidence(k *kubeCluster, info *identInfo, w rbac.Way, saName string) []string {
	if w.Verb == "" {
		if w.Rule == "G2.8" && len(info.admin) > 0 {
			return info.admin
		}
		return info.entries
	}
	resource, sub, _ := strings.Cut(w.Resource, "/")
	name := ""
	switch {
	case len(w.ResourceNames) > 0:
		name = w.ResourceNames[0]
	case w.Rule == "G2.3" || w.Rule == "G2.5":
		name = saName
	case resource == "groups":
		name = rbac.GroupMasters
	}
	req := rbac.Request{Verb: w.Verb, APIGroup: w.APIGroup, Resource: resource, Subresource: sub, Namespace: w.Namespace, Name: name}
	var ev []string
	if slices.Contains(info.subject.Groups, rbac.GroupMasters) {
		ev = append(ev, info.entries...)
	}
	for _, p := range info.policies {
		if rbac.AccessPolicyAllows(p.PolicyARN, p.ScopeType, p.Namespaces, req) {
			ev = append(ev, p.ID)
		}
	}
	s := plain(info.subject)
	for _, bd := range k.bindings(s) {
		if k.authorizerOf(bd).Allowed(s, req.Verb, req.APIGroup, req.Resource, req.Subresource, req.Namespace, req.Name) {
			ev = append(ev, bd.ID)
		}
	}
	if len(ev) == 0 {
		ev = append(ev, info.entries...)
	}
	return ev
}
