package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/analyzer/graph"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
)

// Evidence is what an input ID points at: where it is, and which resource it belongs to.
type Evidence struct {
	Source inventory.Source
	// Resource is the ARN or Kubernetes object the element belongs to.
	Resource string
}

// Index resolves the IDs findings cite to their evidence: every element of the input
// document, the graph's nodes and the edges the input carries included (an edge is located
// at its first evidence that has a position). Rules cite only what the input holds, so the
// rest of the graph, often far larger than the inventory, is not kept for them.
type Index struct {
	ids   map[string]Evidence
	graph *graph.Graph
}

// WithGraph returns an index that also locates every edge of g, as rolecall diff shows them.
func (x Index) WithGraph(g *graph.Graph) Index {
	x.graph = g
	return x
}

// Lookup returns the evidence of id; ok is false for an ID the index does not know.
func (x Index) Lookup(id string) (ev Evidence, ok bool) {
	if ev, ok := x.ids[id]; ok {
		return ev, true
	}
	if x.graph == nil {
		return Evidence{}, false
	}
	if e := x.graph.Edge(id); e != nil {
		return edgeEvidence(x.ids, x.graph, e), true
	}
	return Evidence{}, false
}

// edgeEvidence locates an edge at its first evidence that has a position.
func edgeEvidence(ids map[string]Evidence, g *graph.Graph, e *graph.Edge) Evidence {
	for _, id := range e.Evidence {
		if ev, ok := ids[id]; ok {
			return ev
		}
	}
	resource := e.From
	if n := g.Node(e.From); n != nil {
		resource = n.Label
	}
	return Evidence{Source: inventory.Source{Ref: e.ID}, Resource: resource}
}

// BuildOptions tunes the input document.
type BuildOptions struct {
	// Accounts are the reviewer's own accounts (config `accounts:`); empty = derive them.
	Accounts []string
}

// defaultAudience is the audience the EKS Pod Identity Webhook requests (semantics B2.3).
const defaultAudience = "sts.amazonaws.com"

// Annotation keys read by the EKS Pod Identity Webhook (semantics B3.3).
const (
	annotationRoleARN  = "eks.amazonaws.com/role-arn"
	annotationAudience = "eks.amazonaws.com/audience"
)

// Build turns an inventory into the rules' input document and the index that resolves the
// document's IDs to positions.
func Build(inv *inventory.Inventory, opts BuildOptions) (*Input, Index) {
	b := &builder{inv: inv, idx: map[string]Evidence{}, in: &Input{SchemaVersion: SchemaVersion}}
	b.indexInventory()
	b.in.KnownAccounts = b.knownAccounts(opts.Accounts)
	// The graph and the input's other parts both only read the inventory: built side by side.
	graphDone := make(chan *graph.Graph)
	go func() { graphDone <- graph.Build(inv, graph.Options{KnownAccounts: b.in.KnownAccounts}) }()
	b.buildClusters()
	b.buildProviders()
	b.buildRoles()
	b.buildPodIdentity()
	b.buildServiceAccounts()
	b.buildAccessEntries()
	b.buildAWSAuth()
	b.buildNodeGroups()
	b.buildGraph(<-graphDone)
	b.in.Loaded = Loaded{
		RoleListAccounts:     sortedKeys(inv.RoleListAccounts),
		ProviderListAccounts: sortedKeys(inv.ProviderListAccounts),
		Clusters:             b.anyDescribed,
	}
	return b.in, Index{ids: b.idx}
}

type builder struct {
	inv *inventory.Inventory
	idx map[string]Evidence
	in  *Input

	rolesByARN   map[string]*inventory.Role
	rolesByName  map[string][]*inventory.Role // account-less key: lower-cased name
	clusterHosts map[string][]string          // provider host → cluster names
	clusters     map[string]*inventory.Cluster
	providers    map[string]*inventory.OIDCProvider // by ARN
	anyDescribed bool
}

func (b *builder) add(id string, src inventory.Source, resource string) {
	b.idx[id] = Evidence{Source: src, Resource: resource}
}

func (b *builder) indexInventory() {
	b.rolesByARN = map[string]*inventory.Role{}
	b.rolesByName = map[string][]*inventory.Role{}
	for _, r := range b.inv.Roles {
		b.rolesByARN[r.ARN] = r
		key := strings.ToLower(r.Name)
		b.rolesByName[key] = append(b.rolesByName[key], r)
	}
	b.clusters = map[string]*inventory.Cluster{}
	b.clusterHosts = map[string][]string{}
	for _, c := range b.inv.Clusters {
		b.clusters[c.Name] = c
		if h := c.ProviderHost(); h != "" {
			b.clusterHosts[h] = append(b.clusterHosts[h], c.Name)
		}
	}
	b.providers = map[string]*inventory.OIDCProvider{}
	for _, p := range b.inv.OIDCProviders {
		if p.ARN != "" {
			b.providers[p.ARN] = p
		}
	}
}

// knownAccounts: config accounts, else every account owning a loaded element.
func (b *builder) knownAccounts(cfg []string) []string {
	if len(cfg) == 0 {
		return b.inv.OwnedAccounts()
	}
	set := map[string]bool{}
	for _, a := range cfg {
		set[a] = true
	}
	delete(set, "")
	return sortedKeys(set)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k, ok := range m {
		if ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func (b *builder) buildClusters() {
	b.in.Clusters = []Cluster{}
	for _, c := range b.inv.Clusters {
		described := c.ARN != "" || c.Issuer != "" || c.AuthenticationMode != ""
		mode := ""
		if described {
			b.anyDescribed = true
			// A cluster without accessConfig is CONFIG_MAP (semantics E4.5, tool policy).
			mode = c.AuthenticationMode
			if mode == "" {
				mode = inventory.ModeConfigMap
			}
		}
		b.add(c.ID, c.Source, c.ARN)
		b.in.Clusters = append(b.in.Clusters, Cluster{
			ID: c.ID, Name: c.Name, ARN: c.ARN, Account: c.Account,
			ProviderHost: c.ProviderHost(), AuthenticationMode: mode, Described: described,
			Complete: c.ServiceAccountsComplete, PodsRead: c.PodsRead,
		})
	}
}

func (b *builder) clusterMode(name string) string {
	c := b.clusters[name]
	if c == nil || (c.ARN == "" && c.Issuer == "" && c.AuthenticationMode == "") {
		return ""
	}
	if c.AuthenticationMode == "" {
		return inventory.ModeConfigMap
	}
	return c.AuthenticationMode
}

func (b *builder) buildProviders() {
	b.in.OIDCProviders = []OIDCProvider{}
	for _, p := range b.inv.OIDCProviders {
		url := p.URL
		if url == "" {
			url, _ = iampolicy.OIDCProviderHost(p.ARN)
		}
		b.add(p.ID, p.Source, p.ARN)
		b.in.OIDCProviders = append(b.in.OIDCProviders, OIDCProvider{
			ID: p.ID, ARN: p.ARN, Account: p.Account, URL: url,
			ClientIDs: nonNil(p.ClientIDs), Clusters: nonNil(b.clusterHosts[url]),
		})
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func posSource(file string, pos iampolicy.Pos, fallback inventory.Source) inventory.Source {
	if file == "" && fallback.File == "" {
		return fallback
	}
	if file == "" {
		file = fallback.File
	}
	if pos.Line == 0 {
		return inventory.Source{File: file, Line: fallback.Line, Column: fallback.Column, Ref: fallback.Ref}
	}
	return inventory.Source{File: file, Line: pos.Line, Column: pos.Column, Ref: fallback.Ref}
}

func (b *builder) buildRoles() {
	b.in.Roles = []Role{}
	for _, r := range b.inv.Roles {
		b.add(r.ID, r.Source, r.ARN)
		role := Role{ID: r.ID, ARN: r.ARN, Name: r.Name, Account: r.Account}
		if r.Trust != nil {
			role.Trust = b.trust(r)
			role.Workload = isWorkload(role.Trust)
		}
		b.in.Roles = append(b.in.Roles, role)
	}
}

func isWorkload(t *Trust) bool {
	for _, s := range t.Statements {
		if s.Effect != "Allow" {
			continue
		}
		for _, f := range s.Principals.Federated {
			if f.Kind == "oidc-provider" || f.Kind == "web-idp" {
				return true
			}
		}
		for _, v := range s.Principals.Service {
			if v.Value == "pods.eks.amazonaws.com" {
				return true
			}
		}
	}
	return false
}

func (b *builder) trust(r *inventory.Role) *Trust {
	p := r.Trust
	docID := inventory.TrustDocumentID(r.ID)
	b.add(docID, posSource(p.File, p.Pos, r.Source), r.ARN)
	t := &Trust{ID: docID, Version: p.Version, Issues: []Issue{}, Statements: []Statement{}}
	for i, is := range p.Issues {
		id := inventory.TrustIssueID(r.ID, i)
		pos := is.Pos
		if pos.Line == 0 {
			pos = p.Pos
		}
		b.add(id, posSource(p.File, pos, r.Source), r.ARN)
		issue := Issue{ID: id, Code: is.Code, Message: is.Message, Warning: iampolicy.IsWarningCode(is.Code)}
		if is.Statement >= 0 {
			issue.Statement = inventory.TrustStatementID(r.ID, is.Statement)
		}
		t.Issues = append(t.Issues, issue)
	}
	for _, s := range p.Statements {
		t.Statements = append(t.Statements, b.statement(r, p, s))
	}
	return t
}

func (b *builder) statement(r *inventory.Role, p *iampolicy.Policy, s *iampolicy.Statement) Statement {
	id := inventory.TrustStatementID(r.ID, s.Index)
	b.add(id, posSource(p.File, s.Pos, r.Source), r.ARN)
	st := Statement{
		ID: id, Index: s.Index, Sid: s.Sid, Effect: s.Effect,
		NotPrincipal: s.NotPrincipal, NotAction: s.NotAction,
		Actions: []string{}, Conditions: []Condition{}, WebIdentity: []WebIdentity{},
		Unreachable: []Unreachable{}, WildcardInEquals: []ValueRef{}, SetOperatorOnSingleValue: []string{},
		Principals: Principals{AWS: []PrincipalValue{}, Federated: []PrincipalValue{}, Service: []PrincipalValue{}, CanonicalUser: []PrincipalValue{}},
	}
	if pr := s.Principal; pr != nil {
		st.PrincipalStar = pr.Star
		st.Principals.AWS = b.principals(id, "aws", pr.AWS, p, r)
		st.Principals.Federated = b.principals(id, "federated", pr.Federated, p, r)
		st.Principals.Service = b.principals(id, "service", pr.Service, p, r)
		st.Principals.CanonicalUser = b.principals(id, "canonical_user", pr.CanonicalUser, p, r)
		for _, v := range pr.AWS {
			if v.Text == "*" {
				st.PrincipalStar = true
			}
		}
	}
	for _, a := range s.Actions {
		st.Actions = append(st.Actions, a.Text)
		if !s.NotAction && (a.Text == "*" || strings.EqualFold(a.Text, "sts:*")) {
			st.ActionWildcard = true
		}
	}
	condIDs := make([]string, len(s.Conditions))
	for i, c := range s.Conditions {
		cid := inventory.ConditionID(id, i)
		condIDs[i] = cid
		pos := c.Pos
		if c.KeyPos.Line != 0 {
			pos = c.KeyPos
		}
		b.add(cid, posSource(p.File, pos, r.Source), r.ARN)
		vals := make([]string, len(c.Values))
		for j, v := range c.Values {
			vals[j] = v.Text
		}
		st.Conditions = append(st.Conditions, Condition{
			ID: cid, Operator: c.Operator, Base: c.Base, Qualifier: c.Qualifier, IfExists: c.IfExists,
			Negated: c.Negated, Key: c.Key, KeyLower: strings.ToLower(c.Key), Values: vals,
		})
	}
	cond := func(i int) string {
		if i >= 0 && i < len(condIDs) {
			return condIDs[i]
		}
		return id
	}
	an := iampolicy.AnalyzeStatement(p, s)
	st.AssumeActions = nonNil(an.AssumeActions)
	for _, u := range an.Unreachable {
		st.Unreachable = append(st.Unreachable, Unreachable{Condition: cond(u.Condition), Key: u.Key, Reason: u.Reason, FailsOpen: u.FailsOpen})
	}
	for _, w := range an.WildcardInEquals {
		st.WildcardInEquals = append(st.WildcardInEquals, ValueRef{Condition: cond(w.Condition), Value: w.Value})
	}
	for _, c := range an.SetOperatorOnSingleValue {
		st.SetOperatorOnSingleValue = append(st.SetOperatorOnSingleValue, cond(c))
	}
	for _, w := range an.WebIdentity {
		st.WebIdentity = append(st.WebIdentity, b.webIdentity(st, w, cond))
	}
	return st
}

func (b *builder) principals(stmtID, typ string, vals []iampolicy.Value, p *iampolicy.Policy, r *inventory.Role) []PrincipalValue {
	out := make([]PrincipalValue, 0, len(vals))
	for i, v := range vals {
		id := inventory.PrincipalValueID(stmtID, typ, i)
		b.add(id, posSource(p.File, v.Pos, r.Source), r.ARN)
		kind, acct := classifyPrincipal(typ, v.Text)
		out = append(out, PrincipalValue{ID: id, Value: v.Text, Kind: kind, Account: acct})
	}
	return out
}

// classifyPrincipal names a principal value's kind (see PrincipalValue.Kind).
func classifyPrincipal(typ, v string) (kind, account string) {
	switch typ {
	case "aws":
		form, acct := iampolicy.ClassifyAWSPrincipal(v)
		switch form {
		case iampolicy.FormRoleSession:
			return "assumed-role", acct
		case iampolicy.FormInvalid:
			return "invalid", ""
		}
		return form.String(), acct
	case "federated":
		if _, ok := iampolicy.OIDCProviderHost(v); ok {
			acct, _ := iampolicy.AccountOfARN(v)
			return "oidc-provider", acct
		}
		if iampolicy.IsSAMLProviderARN(v) {
			acct, _ := iampolicy.AccountOfARN(v)
			return "saml-provider", acct
		}
		if iampolicy.IsWellKnownIdP(v) {
			return "web-idp", ""
		}
		return "invalid", ""
	case "service":
		return "service", ""
	}
	return "canonical-user", ""
}

func (b *builder) webIdentity(st Statement, w iampolicy.WebIdentityAnalysis, cond func(int) string) WebIdentity {
	wi := WebIdentity{
		Provider: w.Provider, Host: w.Host, Kind: iampolicy.ProviderKind(w.Host),
		NeverMatches: w.NeverMatches, Clusters: nonNil(slices.Clone(b.clusterHosts[w.Host])),
	}
	for _, f := range st.Principals.Federated {
		if f.Value == w.Provider {
			wi.ID = f.ID
			wi.Account = f.Account
			break
		}
	}
	if wi.ID == "" {
		wi.ID = st.ID
	}
	if wi.Account != "" && b.inv.ProviderListAccounts[wi.Account] {
		_, ok := b.providers[w.Provider]
		wi.Registered = &ok
	}
	wi.Sub = claim(w.Sub, cond, wi.Kind)
	wi.Aud = claim(w.Aud, cond, "")
	return wi
}

// claim flattens a ClaimConstraint and summarises EKS and GitHub subject patterns.
//
// Conditions on the claim are AND'ed (A8.2): the value must match one pattern of every group
// and none of the excludes. A subject component (namespace/name, repository/ref) is therefore
// wildcarded only when every group admits a wildcard there; a single exact group pins it.
// default_service_account and pull_request are decided by matching the concrete subject
// against the whole constraint, so an AND-ed or negated condition that rules it out counts.
func claim(c iampolicy.ClaimConstraint, cond func(int) string, kind string) Claim {
	out := Claim{Restricted: c.Restricted, Admits: []ClaimPattern{}, Excludes: []ClaimPattern{}, Conditions: []string{}, Namespaces: []string{}}
	for _, i := range c.Conditions {
		out.Conditions = append(out.Conditions, cond(i))
	}
	for _, p := range c.Excludes {
		out.Excludes = append(out.Excludes, ClaimPattern{Condition: cond(p.Condition), Value: p.Value, Like: p.Like})
	}
	groups := len(c.Admits) > 0
	wildAll, firstAll, secondAll := groups, groups, groups
	var nsSet map[string]bool // nil: no group pins the namespace
	for _, group := range c.Admits {
		var gWild, gFirst, gSecond, gAnyNS bool
		gNS := map[string]bool{}
		for _, p := range group {
			out.Admits = append(out.Admits, ClaimPattern{Condition: cond(p.Condition), Value: p.Value, Like: p.Like})
			wild := p.Like && strings.ContainsAny(p.Value, "*?")
			gWild = gWild || wild
			value := p.Value
			if p.IgnoreCase {
				// Kubernetes names and the fixed prefixes are lower case.
				value = strings.ToLower(value)
			}
			switch kind {
			case "eks":
				ns, nsWild, nameWild, name := eksSubject(value, wild)
				gFirst, gSecond = gFirst || nsWild, gSecond || nameWild
				switch {
				case nsWild || ns == "":
					gAnyNS = true
				case !strings.ContainsAny(ns, "*?"): // a literal * is in no real namespace
					gNS[ns] = true
					if !nameWild && strings.EqualFold(name, "default") && c.Matches(saPrefix+ns+":default") {
						out.DefaultServiceAccount = true
					}
				}
			case "github":
				repoWild, refWild, repo := githubSubject(value, wild)
				gFirst, gSecond = gFirst || repoWild, gSecond || refWild
				if repo != "" && c.Matches("repo:"+repo+":pull_request") {
					out.PullRequest = true
				}
			}
		}
		wildAll, firstAll, secondAll = wildAll && gWild, firstAll && gFirst, secondAll && gSecond
		if !gAnyNS {
			if nsSet == nil {
				nsSet = gNS
			} else {
				for ns := range nsSet {
					nsSet[ns] = gNS[ns]
				}
			}
		}
	}
	out.Wildcard = wildAll
	if kind == "eks" {
		out.AnyNamespace = firstAll
		out.AnyName = secondAll && !firstAll
		out.Namespaces = sortedKeys(nsSet)
	}
	if kind == "github" {
		out.AnyRepo = firstAll
		out.AnyRef = secondAll && !firstAll
	}
	return out
}

const saPrefix = "system:serviceaccount:"

// eksSubject reads a sub pattern system:serviceaccount:NS:NAME. A wildcard that may span the
// separator between namespace and name wildcards both.
func eksSubject(v string, wild bool) (ns string, nsWild, nameWild bool, name string) {
	rest, ok := strings.CutPrefix(v, saPrefix)
	if !ok {
		// "*", "system:*", …: a wildcard before the namespace admits every namespace.
		return "", wild, wild, ""
	}
	ns, name, found := strings.Cut(rest, ":")
	if !found {
		return "", wild, wild, ""
	}
	nsWild = wild && strings.ContainsAny(ns, "*?")
	nameWild = wild && strings.ContainsAny(name, "*?")
	return ns, nsWild, nameWild, name
}

// githubSubject reads a GitHub Actions sub pattern repo:OWNER/REPO:CONTEXT. A wildcard that
// may span the separator between repository and context ("repo:org/*") wildcards both.
func githubSubject(v string, wild bool) (repoWild, refWild bool, repo string) {
	rest, ok := strings.CutPrefix(v, "repo:")
	if !ok {
		return wild, wild, ""
	}
	repo, tail, found := strings.Cut(rest, ":")
	repoWild = wild && (strings.ContainsAny(repo, "*?") || !found)
	refWild = wild && ((found && strings.ContainsAny(tail, "*?") && admitsArbitraryContext(v, repo)) ||
		(!found && strings.HasSuffix(repo, "*")))
	return repoWild, refWild, repo
}

// probeName is a branch, tag or environment name nobody chose.
const probeName = "rolecall-probe-7f3a"

// admitsArbitraryContext reports whether a wildcard in the context part admits refs nobody
// pinned — any branch, tag or environment ("repo:o/r:*", "repo:o/r:ref:refs/heads/*") — rather
// than a narrowed family such as "repo:o/r:ref:refs/heads/release-*".
func admitsArbitraryContext(pattern, repo string) bool {
	for _, ctx := range []string{"ref:refs/heads/" + probeName, "ref:refs/tags/" + probeName, "environment:" + probeName} {
		if iampolicy.MatchLike(pattern, "repo:"+repo+":"+ctx) {
			return true
		}
	}
	return false
}

// declaredRole reports whether arn names, exactly, a loaded role whose account is unknown: a
// role declared in infrastructure as code, named arn:aws:iam:::role/NAME until deployment
// gives it an account. Such an ARN in an annotation is the reference to that role, not a typo.
func (b *builder) declaredRole(arn string) bool {
	r := b.rolesByARN[arn]
	return r != nil && r.Account == ""
}

// findRole finds a loaded role by ARN; failing that, a role from a bare policy file (account
// unknown) with the same name, so a ServiceAccount and its role's trust side by side in a PR
// are still judged.
func (b *builder) findRole(arn string) *inventory.Role { return b.lookupRole(arn, false) }

// mappedRole finds the loaded role an aws-auth rolearn maps: the authenticator compares the
// caller's canonical ARN with it case-insensitively (semantics D4.6).
func (b *builder) mappedRole(arn string) *inventory.Role {
	return b.lookupRole(strings.ToLower(arn), true)
}

func (b *builder) lookupRole(arn string, fold bool) *inventory.Role {
	if r := b.rolesByARN[arn]; r != nil {
		return r
	}
	name, ok := iampolicy.RoleNameOf(arn)
	if !ok {
		return nil
	}
	acct, _ := iampolicy.AccountOfARN(arn)
	// aws-auth and session ARNs carry no path (semantics F3.3): match on account + name, and
	// only failing that on a role of unknown account (a bare policy file).
	var inAccount, bare []*inventory.Role
	for _, r := range b.rolesByName[strings.ToLower(name)] {
		switch {
		case r.Name != name && !fold:
		case acct != "" && r.Account == acct:
			inAccount = append(inAccount, r)
		case r.Account == "":
			bare = append(bare, r)
		}
	}
	switch {
	case len(inAccount) == 1:
		return inAccount[0]
	case len(inAccount) == 0 && len(bare) == 1:
		return bare[0]
	}
	return nil // none, or ambiguous
}

func (b *builder) buildServiceAccounts() {
	b.in.ServiceAccounts = []ServiceAccount{}
	pi := map[string][]string{}
	for _, a := range b.in.PodIdentity {
		key := a.Cluster + "/" + a.Namespace + "/" + a.ServiceAccount
		pi[key] = append(pi[key], a.ID)
	}
	for _, sa := range b.inv.ServiceAccounts {
		resource := fmt.Sprintf("serviceaccount/%s/%s", sa.Namespace, sa.Name)
		b.add(sa.ID, sa.Source, resource)
		out := ServiceAccount{ID: sa.ID, Cluster: sa.Cluster, Namespace: sa.Namespace, Name: sa.Name,
			Annotations: []Annotation{}, PodIdentity: nonNil(pi[sa.Cluster+"/"+sa.Namespace+"/"+sa.Name])}
		if c := b.clusters[sa.Cluster]; c != nil && c.PodsRead {
			_, out.UsedByPods = slices.BinarySearch(c.PodServiceAccounts, sa.Namespace+"/"+sa.Name)
		}
		audience := defaultAudience
		var roleAnn *inventory.Annotation
		for i := range sa.Annotations {
			a := &sa.Annotations[i]
			b.add(a.ID, a.Source, resource)
			out.Annotations = append(out.Annotations, Annotation{ID: a.ID, Key: a.Key, Value: a.Value})
			switch a.Key {
			case annotationRoleARN:
				roleAnn = a
			case annotationAudience:
				audience = a.Value
			}
		}
		if roleAnn != nil {
			out.IRSA = b.irsa(sa, roleAnn, audience)
		}
		b.in.ServiceAccounts = append(b.in.ServiceAccounts, out)
	}
}

func (b *builder) irsa(sa *inventory.ServiceAccount, ann *inventory.Annotation, audience string) *IRSA {
	// The webhook injects the value as written (AWS_ROLE_ARN), so whitespace around it is
	// part of what STS receives: such a value is not a role ARN (RC303).
	arn := ann.Value
	v := &IRSA{Annotation: ann.ID, RoleARN: arn, Audience: audience}
	form, acct := iampolicy.ClassifyAWSPrincipal(arn)
	// An account-less ARN is a role declared in code (arn:aws:iam:::role/NAME); written by hand
	// in a manifest, it names no loaded role and is no ARN STS accepts.
	v.ARNValid = form == iampolicy.FormRole && (acct != "" || b.declaredRole(arn))
	if !v.ARNValid {
		return v
	}
	v.AccountListed = b.inv.RoleListAccounts[acct]
	role := b.findRole(arn)
	if role == nil {
		return v
	}
	v.Role = role.ID
	if role.Trust == nil {
		return v
	}
	providers, skipped := b.providersFor(sa, role)
	if len(providers) == 0 {
		v.Evaluated = true
		switch c := b.clusters[sa.Cluster]; {
		case c != nil && c.Issuer != "":
			v.Reason = fmt.Sprintf("the trust policy does not trust cluster %s's OIDC provider %s", sa.Cluster, c.ProviderHost())
		case skipped:
			v.Reason = "the trust policy trusts only GitHub Actions' OIDC provider, which never issues ServiceAccount tokens"
		default:
			v.Reason = "the trust policy trusts no OIDC provider"
		}
		return v
	}
	sub := saPrefix + sa.Namespace + ":" + sa.Name
	var reasons []string
	for _, prov := range providers {
		host, _ := iampolicy.OIDCProviderHost(prov)
		v.Evaluated = true
		if acct, ok := iampolicy.AccountOfARN(prov); ok && b.inv.ProviderListAccounts[acct] && b.providers[prov] == nil {
			// IRSA needs the OIDC provider registered in the role's account (B1.2): STS refuses
			// tokens of an issuer the account does not know.
			reasons = append(reasons, fmt.Sprintf("%s is not a registered OIDC provider of account %s", prov, acct))
			continue
		}
		if p := b.providers[prov]; p != nil && p.ClientIDs != nil && !slices.Contains(p.ClientIDs, audience) {
			// STS rejects an audience the provider does not list, whatever the trust says (B2.3).
			reasons = append(reasons, fmt.Sprintf("audience %q is not in the client ID list of %s", audience, prov))
			continue
		}
		ev := iampolicy.EvaluateTrust(role.Trust, role.ARN, iampolicy.Request{
			Caller: iampolicy.Caller{Kind: iampolicy.CallerWebIdentity, Provider: prov},
			Action: "sts:AssumeRoleWithWebIdentity",
			Context: iampolicy.Context{Values: map[string][]string{
				host + ":sub": {sub},
				host + ":aud": {audience},
			}},
		})
		if ev.Decision == iampolicy.Allow || ev.Decision == iampolicy.Conditional {
			v.Assumable = true
			v.Reason = ev.Reason
			return v
		}
		if ev.Reason != "" {
			reasons = append(reasons, ev.Reason)
		}
	}
	if len(reasons) == 0 {
		reasons = append(reasons, fmt.Sprintf("no statement admits sub %s with aud %s", sub, audience))
	}
	v.Reason = strings.Join(reasons, "; ")
	return v
}

// providersFor lists the Federated OIDC providers of role's trust that tokens of sa's cluster
// would come from: the cluster's issuer when known, else every OIDC provider the role trusts
// except GitHub Actions' (skipped reports that one was left out), whose tokens are never
// ServiceAccount tokens.
func (b *builder) providersFor(sa *inventory.ServiceAccount, role *inventory.Role) (out []string, skipped bool) {
	var host string
	if c := b.clusters[sa.Cluster]; c != nil {
		host = c.ProviderHost()
	}
	seen := map[string]bool{}
	for _, s := range role.Trust.Statements {
		if s.Principal == nil {
			continue
		}
		for _, f := range s.Principal.Federated {
			h, ok := iampolicy.OIDCProviderHost(f.Text)
			if !ok || seen[f.Text] || (host != "" && h != host) {
				continue
			}
			seen[f.Text] = true
			if host == "" && iampolicy.ProviderKind(h) == "github" {
				skipped = true
				continue
			}
			out = append(out, f.Text)
		}
	}
	sort.Strings(out)
	return out, skipped
}

func (b *builder) buildPodIdentity() {
	b.in.PodIdentity = []PodIdentity{}
	for _, a := range b.inv.PodIdentity {
		b.add(a.ID, a.Source, a.AssociationARN)
		role := ""
		if r := b.findRole(a.RoleARN); r != nil {
			role = r.ID
		}
		b.in.PodIdentity = append(b.in.PodIdentity, PodIdentity{
			ID: a.ID, Cluster: a.Cluster, Namespace: a.Namespace, ServiceAccount: a.ServiceAccount,
			RoleARN: a.RoleARN, Role: role, TargetRoleARN: a.TargetRoleARN, DisableSessionTags: a.DisableSessionTags,
		})
	}
}

func (b *builder) buildAccessEntries() {
	b.in.AccessEntries = []AccessEntry{}
	for _, e := range b.inv.AccessEntries {
		b.add(e.ID, e.Source, e.PrincipalARN)
		kind := "other"
		switch form, _ := iampolicy.ClassifyAWSPrincipal(e.PrincipalARN); form {
		case iampolicy.FormUser:
			kind = "user"
		case iampolicy.FormRole:
			kind = "role"
		}
		typ := e.Type
		if typ == "" {
			typ = "STANDARD"
		}
		ae := AccessEntry{ID: e.ID, Cluster: e.Cluster, PrincipalARN: e.PrincipalARN, PrincipalKind: kind,
			Type: typ, Username: e.Username, KubernetesGroups: nonNil(e.KubernetesGroups), Policies: []AccessPolicy{}}
		for _, p := range e.Policies {
			b.add(p.ID, p.Source, e.PrincipalARN)
			name := p.PolicyARN
			if i := strings.LastIndexByte(name, '/'); i >= 0 {
				name = name[i+1:]
			}
			ae.Policies = append(ae.Policies, AccessPolicy{ID: p.ID, PolicyARN: p.PolicyARN, Name: name,
				ScopeType: p.ScopeType, Namespaces: nonNil(p.Namespaces)})
		}
		b.in.AccessEntries = append(b.in.AccessEntries, ae)
	}
}

func (b *builder) buildAWSAuth() {
	b.in.AWSAuth = []AWSAuth{}
	for _, a := range b.inv.AWSAuth {
		resource := "configmap/kube-system/aws-auth"
		if a.Kind != inventory.AuthConfigMap {
			resource = a.Kind
		}
		b.add(a.ID, a.Source, resource)
		out := AWSAuth{ID: a.ID, Cluster: a.Cluster, Kind: a.Kind, AuthenticationMode: b.clusterMode(a.Cluster),
			Sections: []Section{}, UnrecognizedKeys: []KeyRef{}, MapRoles: []AuthEntry{}, MapUsers: []AuthEntry{}, MapAccounts: []AccountRef{}}
		for _, s := range a.Sections {
			b.add(s.ID, s.Source, resource)
			out.Sections = append(out.Sections, Section{ID: s.ID, Name: s.Name, Error: s.Error})
		}
		for _, k := range a.UnrecognizedKeys {
			b.add(k.ID, k.Source, resource)
			out.UnrecognizedKeys = append(out.UnrecognizedKeys, KeyRef{ID: k.ID, Key: k.Key})
		}
		for _, e := range a.MapRoles {
			out.MapRoles = append(out.MapRoles, b.authEntry(e, resource))
		}
		for _, e := range a.MapUsers {
			out.MapUsers = append(out.MapUsers, b.authEntry(e, resource))
		}
		for _, m := range a.MapAccounts {
			b.add(m.ID, m.Source, resource)
			out.MapAccounts = append(out.MapAccounts, AccountRef{ID: m.ID, Account: m.Account})
		}
		b.in.AWSAuth = append(b.in.AWSAuth, out)
	}
}

func (b *builder) buildNodeGroups() {
	b.in.NodeGroups = []NodeGroup{}
	for _, g := range b.inv.NodeGroups {
		resource := "nodegroup/" + g.Name
		b.add(g.ID, g.Source, resource)
		out := NodeGroup{ID: g.ID, Cluster: g.Cluster, Name: g.Name, AddonPolicies: []AddonPolicy{}}
		for _, p := range g.AddonPolicies {
			b.add(p.ID, p.Source, resource)
			out.AddonPolicies = append(out.AddonPolicies, AddonPolicy{ID: p.ID, Name: p.Name})
		}
		b.in.NodeGroups = append(b.in.NodeGroups, out)
	}
}

// nodeServices are the service principals of node and Fargate pod-execution roles (semantics D7.3).
var nodeServices = map[string]bool{"ec2.amazonaws.com": true, "eks-fargate-pods.amazonaws.com": true}

func (b *builder) authEntry(e *inventory.AuthEntry, resource string) AuthEntry {
	b.add(e.ID, e.Source, resource)
	out := AuthEntry{ID: e.ID, Section: e.Section, Index: e.Index, ARN: e.ARN, Username: e.Username,
		Groups: nonNil(e.Groups), SSO: e.SSO != nil, TypeErrors: nonNil(e.TypeErrors), UnknownKeys: []KeyRef{},
		Invalid: e.Invalid, Shadowed: e.Shadowed}
	if e.SSO != nil {
		out.SSOARNLike = e.SSO.ARNLike()
	}
	for _, k := range e.UnknownKeys {
		b.add(k.ID, k.Source, resource)
		out.UnknownKeys = append(out.UnknownKeys, KeyRef{ID: k.ID, Key: k.Key})
	}
	out.ARNWildcard = strings.ContainsAny(e.ARN, "*?")
	if e.ARN != "" {
		out.ARNKind = "invalid"
		// The authenticator compares ARNs case-insensitively (D4.6): classify a folded copy.
		if a, ok := iampolicy.ParseARN(strings.ToLower(e.ARN)); ok {
			switch {
			case a.Service == "iam" && strings.HasPrefix(a.Resource, "role/"):
				out.ARNKind = "role"
				res := strings.SplitN(e.ARN, ":", 6)[5] // as written
				if i := strings.LastIndexByte(res, '/'); i > len("role/")-1 {
					out.ARNPath = res[len("role") : i+1]
				}
			case a.Service == "iam" && strings.HasPrefix(a.Resource, "user/"):
				out.ARNKind = "user"
			case a.Service == "iam" && a.Resource == "root":
				out.ARNKind = "root"
			case a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/"):
				out.ARNKind = "assumed-role"
			case a.Service == "sts" && strings.HasPrefix(a.Resource, "federated-user/"):
				out.ARNKind = "federated-user"
			}
		}
	}
	if out.ARNKind == "role" {
		if r := b.mappedRole(e.ARN); r != nil && r.Trust != nil {
			out.RoleLoaded = true
			out.NodeRole = onlyNodeServices(r.Trust)
		}
	}
	return out
}

// onlyNodeServices reports whether every Allow statement of the trust admits only EC2 or
// Fargate service principals.
func onlyNodeServices(p *iampolicy.Policy) bool {
	found := false
	for _, s := range p.Statements {
		if s.Effect != "Allow" || s.Principal == nil {
			continue
		}
		pr := s.Principal
		if pr.Star || len(pr.AWS) > 0 || len(pr.Federated) > 0 || len(pr.CanonicalUser) > 0 || s.NotPrincipal {
			return false
		}
		for _, v := range pr.Service {
			if !nodeServices[v.Text] {
				return false
			}
			found = true
		}
	}
	return found
}
