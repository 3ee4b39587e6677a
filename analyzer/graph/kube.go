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
	name    string
	authz   *rbac.Authorizer
	roles   map[[3]string][]*inventory.RBACRole
	byUser  map[string][]*inventory.RBACBinding
	byGroup map[string][]*inventory.RBACBinding
	single  map[*inventory.RBACBinding]*rbac.Authorizer
}

func (b *builder) kubeCluster(cl string) *kubeCluster {
	k := &kubeCluster{name: cl, roles: map[[3]string][]*inventory.RBACRole{},
		byUser: map[string][]*inventory.RBACBinding{}, byGroup: map[string][]*inventory.RBACBinding{},
		single: map[*inventory.RBACBinding]*rbac.Authorizer{}}
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
// policy and no special group are skipped, and an identity is only checked in the namespaces its
// bindings and access policies reach, so the work follows the RBAC data, not identities ×
// ServiceAccounts.
func (b *builder) kubernetesEdges() {
	saIdent := map[string]string{}
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
			b.addEdge(&Edge{From: saID, To: info.id, Mechanism: MechServiceToken, Evidence: []string{b.saOrigin[saID]},
				Reason: "a pod or token of ServiceAccount " + n.Namespace + "/" + n.Name + " authenticates as " + s.Username + " (G1)"})
		}
	}
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
		b.identityAdmin(k, info)
		b.identityObtain(k, info, saIdent)
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

// namespaces returns the namespaces (with ServiceAccounts) in which info may obtain
// ServiceAccounts: all of them for system:masters, system:nodes, a ClusterRoleBinding, or a
// cluster-scoped or wildcard access policy; else those of its RoleBindings and access policies.
func (b *builder) namespaces(k *kubeCluster, info *identInfo) []string {
	var all []string
	prefix := k.name + "/"
	for key := range b.saByNS {
		if ns, ok := strings.CutPrefix(key, prefix); ok {
			all = append(all, ns)
		}
	}
	sort.Strings(all)
	g := info.subject.Groups
	if slices.Contains(g, rbac.GroupMasters) || slices.Contains(g, rbac.GroupNodes) {
		return all
	}
	want := map[string]bool{}
	for _, p := range info.policies {
		if p.ScopeType != "namespace" {
			return all
		}
		for _, ns := range p.Namespaces {
			if strings.ContainsAny(ns, "*?") {
				return all
			}
			want[ns] = true
		}
	}
	for _, bd := range k.bindings(plain(info.subject)) {
		if bd.Kind != "RoleBinding" {
			return all
		}
		want[bd.Namespace] = true
	}
	return slices.DeleteFunc(all, func(ns string) bool { return !want[ns] })
}

func (b *builder) identityObtain(k *kubeCluster, info *identInfo, saIdent map[string]string) {
	s := info.subject
	for _, ns := range b.namespaces(k, info) {
		base := rbac.CanObtainServiceAccount(k.authz, s, ns, "")
		_, tokNames := k.authz.NamesAllowed(s, "create", "", "serviceaccounts", "token", ns)
		_, impNames := k.authz.NamesAllowed(s, "impersonate", "", "serviceaccounts", "", ns)
		if len(base) == 0 && len(tokNames) == 0 && len(impNames) == 0 {
			continue
		}
		sas := slices.Clone(b.saByNS[k.name+"/"+ns])
		slices.Sort(sas)
		for _, saID := range sas {
			if saIdent[saID] == info.id {
				continue
			}
			n := b.nodes[saID]
			ways := base
			if slices.Contains(tokNames, n.Name) || slices.Contains(impNames, n.Name) {
				ways = rbac.CanObtainServiceAccount(k.authz, s, ns, n.Name)
			}
			ways = b.usableWays(ways, n)
			if len(ways) == 0 {
				continue
			}
			var ev, why []string
			var rules []string
			for _, w := range ways {
				for _, e := range b.wayEvidence(k, info, w, n.Name) {
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
			b.addEdge(&Edge{From: info.id, To: saID, Mechanism: MechObtainSA, Evidence: ev,
				Reason: info.subject.Username + " can obtain ServiceAccount " + ns + "/" + n.Name + ": " + strings.Join(why, "; ")})
		}
	}
}

// usableWays drops ways that do not apply to this ServiceAccount: creating a ServiceAccount
// (G2.6) only matters for one that does not exist yet (not loaded), and a token alone (G2.3)
// gives no Pod Identity credentials (C1.3), so it is dropped for a ServiceAccount whose only
// AWS credentials are Pod Identity's.
func (b *builder) usableWays(ways []rbac.Way, n *Node) []rbac.Way {
	podOnly := b.podFrom[n.ID] && !b.webFrom[n.ID]
	var out []rbac.Way
	for _, w := range ways {
		if (w.Rule == "G2.6" && n.Loaded) || (w.TokenOnly && podOnly) {
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
