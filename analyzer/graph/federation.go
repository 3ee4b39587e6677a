package graph

import (
	"slices"
	"strings"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
)

// defaultAudience is the token audience the EKS Pod Identity Webhook requests (B2.3).
const defaultAudience = "sts.amazonaws.com"

const saPrefix = "system:serviceaccount:"

// webStatement is one OIDC provider of one web-identity trust statement.
type webStatement struct {
	role *inventory.Role
	stmt *iampolicy.Statement
	w    iampolicy.WebIdentityAnalysis
	auds []string // audiences(w), tried for every subject
	// audKey and subKey are the provider's aud and sub condition keys, lower-cased once
	// (keys match case-insensitively, and the provider id is upper-case).
	audKey, subKey string
	// bySubject holds, per audience, the trust evaluation prepared for varying subjects
	// (filled on first use; shared by the copies of this value).
	bySubject map[string]*iampolicy.VaryingAssume
}

// serviceAccounts creates the ServiceAccount nodes known before the edges: loaded ones, those
// named by opts.Principals, and those Pod Identity associations name.
func (b *builder) serviceAccounts() {
	for _, sa := range b.inv.ServiceAccounts {
		b.saNode(sa.Cluster, sa.Namespace, sa.Name, sa.ID, true)
	}
	for _, p := range b.opts.Principals {
		if ns, name, ok := splitSA(p); ok {
			id := inventory.ServiceAccountID(b.opts.Cluster, ns, name)
			b.saNode(b.opts.Cluster, ns, name, id, false)
		}
	}
	for _, a := range b.inv.PodIdentity {
		b.saNode(a.Cluster, a.Namespace, a.ServiceAccount, a.ID, false)
	}
}

// splitSA parses system:serviceaccount:NS:NAME.
func splitSA(sub string) (ns, name string, ok bool) {
	rest, ok := strings.CutPrefix(sub, saPrefix)
	if !ok {
		return "", "", false
	}
	ns, name, ok = strings.Cut(rest, ":")
	if !ok || ns == "" || name == "" || strings.Contains(name, ":") {
		return "", "", false
	}
	return ns, name, true
}

// federationEdges adds web-identity (IRSA and other OIDC federations) and SAML edges.
func (b *builder) federationEdges() {
	for _, r := range b.inv.Roles {
		if r.Trust == nil {
			continue
		}
		for _, s := range r.Trust.Statements {
			if s.Effect != "Allow" || s.Principal == nil || s.NotPrincipal || len(s.Principal.Federated) == 0 {
				continue
			}
			a := iampolicy.AnalyzeStatement(r.Trust, s)
			if slices.Contains(a.AssumeActions, iampolicy.ActionAssumeRoleWithWebIdentity) {
				for _, w := range a.WebIdentity {
					if w.Inferred || w.Host == "" {
						continue // an unresolved template, not a provider
					}
					host := strings.ToLower(w.Host)
					ws := webStatement{role: r, stmt: s, w: w, auds: b.audiences(w), audKey: host + ":aud", subKey: host + ":sub",
						bySubject: map[string]*iampolicy.VaryingAssume{}}
					b.webStatements = append(b.webStatements, ws)
					b.webIdentity(ws)
				}
			}
			for _, f := range s.Principal.Federated {
				switch {
				case iampolicy.IsSAMLProviderARN(f.Text) && slices.Contains(a.AssumeActions, iampolicy.ActionAssumeRoleWithSAML):
					b.otherFederation(r, s, f.Text, iampolicy.CallerSAML, "saml")
				case iampolicy.IsWellKnownIdP(f.Text) && slices.Contains(a.AssumeActions, iampolicy.ActionAssumeRoleWithWebIdentity):
					b.otherFederation(r, s, f.Text, iampolicy.CallerWebIdentity, f.Text)
				}
			}
		}
	}
	b.materialisedSubjects()
}

// registered reports whether STS would accept tokens of the provider for a role of its
// account: when the account's provider list is loaded, the provider must be in it (B1.2).
func (b *builder) registered(provider string) bool {
	acct, ok := iampolicy.AccountOfARN(provider)
	return !ok || !b.inv.ProviderListAccounts[acct] || b.providers[provider] != nil
}

// audiences are the token audiences to try, default first: opts.Audience alone when set; else
// the provider's client ID list when loaded (STS rejects any other audience, B2.3); else the
// default plus every literal audience the statement admits (whoever runs a pod as the
// ServiceAccount picks the projected token's audience, B4.1).
func (b *builder) audiences(w iampolicy.WebIdentityAnalysis) []string {
	if b.opts.Audience != "" {
		return []string{b.opts.Audience}
	}
	var out []string
	if p := b.providers[w.Provider]; p != nil && p.ClientIDs != nil {
		out = slices.Clone(p.ClientIDs)
	} else {
		out = []string{defaultAudience}
		for _, alts := range w.Aud.Admits {
			for _, p := range alts {
				if !p.Like || !strings.ContainsAny(p.Value, "*?") {
					out = append(out, p.Value)
				}
			}
		}
	}
	slices.SortFunc(out, func(x, y string) int {
		switch {
		case x == y:
			return 0
		case x == defaultAudience:
			return -1
		case y == defaultAudience:
			return 1
		}
		return strings.Compare(x, y)
	})
	return slices.Compact(out)
}

// assumeWeb evaluates the whole trust policy for a token of w's provider with subject sub
// ("" = any subject: the sub claim is Unknown), trying each audience; the first allowing
// evaluation wins.
func (b *builder) assumeWeb(ws webStatement, sub string) (iampolicy.Evaluation, string, bool) {
	var last iampolicy.Evaluation
	for _, aud := range ws.auds {
		var ev iampolicy.Evaluation
		if sub == "" {
			ev = iampolicy.Assume(ws.role.Trust, ws.role.ARN, nil, nil, b.webRequest(ws, aud, ws.subKey))
			if allowed(ev.Decision) {
				ev.DependsOn = withoutKey(ev.DependsOn, ws.subKey)
			}
		} else {
			v := ws.bySubject[aud]
			if v == nil {
				// Subjects are tried by the thousand against one statement: the evaluation is
				// prepared once and each subject only re-evaluates the conditions on it.
				v = iampolicy.PrepareVaryingAssume(ws.role.Trust, ws.role.ARN, nil, nil, b.webRequest(ws, aud), ws.subKey)
				ws.bySubject[aud] = v
			}
			ev = v.Assume(sub)
		}
		if allowed(ev.Decision) {
			return ev, aud, true
		}
		last = ev
	}
	return last, "", false
}

// webRequest is AssumeRoleWithWebIdentity with a token of ws's provider for audience aud;
// the subject is left to the caller, or marked unknown.
func (b *builder) webRequest(ws webStatement, aud string, unknown ...string) iampolicy.Request {
	return iampolicy.Request{
		Caller:  iampolicy.Caller{Kind: iampolicy.CallerWebIdentity, Provider: ws.w.Provider},
		Action:  iampolicy.ActionAssumeRoleWithWebIdentity,
		Context: b.context(map[string][]string{ws.audKey: {aud}}, unknown...),
	}
}

func withoutKey(keys []string, drop string) []string {
	var out []string
	for _, k := range keys {
		if !strings.EqualFold(k, drop) {
			out = append(out, k)
		}
	}
	return out
}

// webIdentity adds the edges of one OIDC provider of one statement.
func (b *builder) webIdentity(ws webStatement) {
	if !b.registered(ws.w.Provider) {
		return
	}
	if iampolicy.ProviderKind(ws.w.Host) != "eks" {
		b.patternEdge(ws, true)
		return
	}
	clusters := b.clustersByHost[ws.w.Host]
	// ServiceAccounts of clusters whose issuer is unknown (the unnamed cluster of bare
	// manifests, or a cluster without describe-cluster) may belong to any EKS provider.
	var tried []string
	tried = append(tried, clusters...)
	for cl := range b.saByCluster {
		if c := b.clusters[cl]; c == nil || c.Issuer == "" {
			tried = append(tried, cl)
		}
	}
	slices.Sort(tried)
	tried = slices.Compact(tried)
	exact, wide := subjectShape(ws.w.Sub)
	for _, cl := range tried {
		for _, id := range b.candidateSAs(cl, ws.w.Sub) {
			n := b.nodes[id]
			b.saWebEdge(ws, id, n.Namespace, n.Name)
		}
		if !slices.Contains(clusters, cl) {
			continue
		}
		// Exact subjects naming ServiceAccounts that are not loaded: whoever creates them
		// (G2.6) gets the role.
		for _, sub := range exact {
			ns, name, ok := splitSA(sub)
			if !ok || b.nodes[inventory.ServiceAccountID(cl, ns, name)] != nil {
				continue
			}
			if _, _, ok := b.assumeWeb(ws, sub); ok {
				id := b.saNode(cl, ns, name, inventory.TrustStatementID(ws.role.ID, ws.stmt.Index), false)
				b.saWebEdge(ws, id, ns, name)
			}
		}
	}
	if wide || len(clusters) == 0 {
		b.patternEdge(ws, len(clusters) == 0)
	}
}

// subjectShape returns the literal subjects a sub constraint admits (when it admits nothing
// else) and whether it admits more than literal values: no restriction, wildcards,
// case-insensitive values, or exclusions.
func subjectShape(c iampolicy.ClaimConstraint) (exact []string, wide bool) {
	if !c.Restricted || len(c.Excludes) > 0 || len(c.Admits) == 0 {
		return nil, true
	}
	for _, alts := range c.Admits {
		for _, p := range alts {
			if (p.Like && strings.ContainsAny(p.Value, "*?")) || p.IgnoreCase {
				wide = true
			}
		}
	}
	if wide {
		return nil, true
	}
	// Literal values: only those every AND-ed condition admits can match.
	for _, p := range c.Admits[0] {
		if c.Matches(p.Value) && !slices.Contains(exact, p.Value) {
			exact = append(exact, p.Value)
		}
	}
	slices.Sort(exact)
	return exact, false
}

// candidateSAs returns the ServiceAccount nodes of a cluster a sub constraint may admit: those
// its literal subjects name, or the namespaces its patterns pin, else all; sorted.
func (b *builder) candidateSAs(cluster string, c iampolicy.ClaimConstraint) []string {
	var out []string
	pinned := false
	if c.Restricted && len(c.Admits) > 0 {
		pinned = true
		for _, p := range c.Admits[0] {
			rest, ok := strings.CutPrefix(p.Value, saPrefix)
			ns, name, hasName := strings.Cut(rest, ":")
			switch {
			case !ok || p.IgnoreCase || !hasName || (p.Like && strings.ContainsAny(ns, "*?")):
				pinned = false
			case !p.Like || !strings.ContainsAny(name, "*?"):
				id := inventory.ServiceAccountID(cluster, ns, name)
				if n := b.nodes[id]; n != nil {
					out = append(out, id)
				}
			default:
				out = append(out, b.saByNS[cluster+"/"+ns]...)
			}
			if !pinned {
				break
			}
		}
	}
	if !pinned {
		out = slices.Clone(b.saByCluster[cluster])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// saWebEdge adds ServiceAccount → role when the trust admits the ServiceAccount's token.
func (b *builder) saWebEdge(ws webStatement, saID, ns, name string) {
	ev, aud, ok := b.assumeWeb(ws, saPrefix+ns+":"+name)
	if !ok {
		return
	}
	reason := ev.Reason
	if aud != defaultAudience {
		reason += "; with a token of audience " + aud
	}
	evidence := statementIDs(ws.role.ID, ev.Allowing)
	if ann := b.annotationFor(saID, ws.role.ARN); ann != "" {
		evidence = append(evidence, ann)
	}
	b.addEdge(&Edge{From: saID, To: b.roleNode(ws.role).ID, Mechanism: MechWebIdentity,
		Evidence: evidence, DependsOn: ev.DependsOn, Reason: reason})
}

// annotationFor returns the ID of the ServiceAccount's eks.amazonaws.com/role-arn annotation
// when it names roleARN.
func (b *builder) annotationFor(saID, roleARN string) string {
	for _, sa := range b.saLoaded(saID) {
		for i := len(sa.Annotations) - 1; i >= 0; i-- {
			a := sa.Annotations[i]
			if a.Key == "eks.amazonaws.com/role-arn" {
				if strings.TrimSpace(a.Value) == roleARN {
					return a.ID
				}
				break
			}
		}
	}
	return ""
}

// saLoaded returns the loaded ServiceAccount objects of a node (normally one).
func (b *builder) saLoaded(saID string) []*inventory.ServiceAccount {
	if b.saObjects == nil {
		b.saObjects = map[string][]*inventory.ServiceAccount{}
		for _, sa := range b.inv.ServiceAccounts {
			b.saObjects[sa.ID] = append(b.saObjects[sa.ID], sa)
		}
	}
	return b.saObjects[saID]
}

// patternEdge adds the federated pattern node of (provider, statement) → role, when some
// subject of the pattern is admitted.
func (b *builder) patternEdge(ws webStatement, external bool) {
	ev, aud, ok := b.assumeWeb(ws, "")
	if !ok {
		return
	}
	pattern := subjectPattern(ws.w.Sub)
	n := b.node(&Node{ID: inventory.FederatedNodeID(ws.w.Provider, pattern), Kind: KindFederated,
		Label: ws.w.Host + " " + pattern, Provider: ws.w.Provider, Pattern: pattern, External: external})
	if cl := b.clustersByHost[ws.w.Host]; len(cl) == 1 {
		n.Cluster = cl[0]
	}
	reason := ev.Reason + "; for token subjects matching " + pattern
	if aud != defaultAudience {
		reason += " with audience " + aud
	}
	b.addEdge(&Edge{From: n.ID, To: b.roleNode(ws.role).ID, Mechanism: MechWebIdentity,
		Evidence: statementIDs(ws.role.ID, ev.Allowing), DependsOn: ev.DependsOn, Reason: reason})
}

// subjectPattern renders a sub constraint: alternatives joined by "|", AND-ed conditions by
// " & ", exclusions after " except "; "*" when unrestricted. Patterns are never expanded.
func subjectPattern(c iampolicy.ClaimConstraint) string {
	var parts []string
	if c.Restricted {
		for _, alts := range c.Admits {
			var vs []string
			for _, p := range alts {
				vs = append(vs, p.Value)
			}
			slices.Sort(vs)
			parts = append(parts, strings.Join(slices.Compact(vs), "|"))
		}
	}
	p := strings.Join(parts, " & ")
	if p == "" {
		p = "*"
	}
	if len(c.Excludes) > 0 {
		var vs []string
		for _, e := range c.Excludes {
			vs = append(vs, e.Value)
		}
		slices.Sort(vs)
		p += " except " + strings.Join(slices.Compact(vs), "|")
	}
	return p
}

// otherFederation adds one External federated node per (SAML provider or well-known web IdP,
// statement): its subjects are outside every loaded inventory. prefix is the condition-key
// prefix of its claims ("saml", or the IdP name), all Unknown.
func (b *builder) otherFederation(r *inventory.Role, s *iampolicy.Statement, provider string, kind iampolicy.CallerKind, prefix string) {
	action, mech := iampolicy.ActionAssumeRoleWithWebIdentity, MechWebIdentity
	if kind == iampolicy.CallerSAML {
		action, mech = iampolicy.ActionAssumeRoleWithSAML, MechSAML
	}
	req := iampolicy.Request{Caller: iampolicy.Caller{Kind: kind, Provider: provider}, Action: action,
		Context: b.context(nil, prefix+":*")}
	ev := iampolicy.Assume(r.Trust, r.ARN, nil, nil, req)
	if !allowed(ev.Decision) {
		return
	}
	var deps []string
	for _, k := range ev.DependsOn {
		if !strings.HasPrefix(strings.ToLower(k), strings.ToLower(prefix)+":") {
			deps = append(deps, k)
		}
	}
	pattern := claimValues(s, prefix+":sub")
	n := b.node(&Node{ID: inventory.FederatedNodeID(provider, pattern), Kind: KindFederated,
		Label: labelOf(provider) + " " + pattern, Provider: provider, Pattern: pattern, External: true})
	b.addEdge(&Edge{From: n.ID, To: b.roleNode(r).ID, Mechanism: mech, Evidence: statementIDs(r.ID, ev.Allowing),
		DependsOn: deps, Reason: ev.Reason + "; for subjects matching " + pattern})
}

// claimValues renders the values positive string conditions of s put on key ("*" if none).
func claimValues(s *iampolicy.Statement, key string) string {
	var parts []string
	for _, c := range s.Conditions {
		if !strings.EqualFold(c.Key, key) || c.Negated || !strings.HasPrefix(c.Base, "String") {
			continue
		}
		var vs []string
		for _, v := range c.Values {
			vs = append(vs, v.Text)
		}
		parts = append(parts, strings.Join(vs, "|"))
	}
	if len(parts) == 0 {
		return "*"
	}
	return strings.Join(parts, " & ")
}

// materialisedSubjects adds the oidc:HOST:SUBJECT principals of opts.Principals: one node per
// subject, with an edge to every role whose web-identity statements for that host admit it.
func (b *builder) materialisedSubjects() {
	for _, p := range b.opts.Principals {
		rest, ok := strings.CutPrefix(p, "oidc:")
		if !ok {
			continue
		}
		host, sub, ok := cutHost(rest)
		if !ok {
			continue
		}
		id := inventory.FederatedNodeID(host, sub)
		b.node(&Node{ID: id, Kind: KindFederated, Label: host + " " + sub, Provider: host, Pattern: sub,
			External: iampolicy.ProviderKind(host) != "eks" || len(b.clustersByHost[host]) == 0})
		for _, ws := range b.webStatements {
			if ws.w.Host != host || !b.registered(ws.w.Provider) {
				continue
			}
			ev, _, ok := b.assumeWeb(ws, sub)
			if !ok {
				continue
			}
			b.addEdge(&Edge{From: id, To: b.roleNode(ws.role).ID, Mechanism: MechWebIdentity,
				Evidence: statementIDs(ws.role.ID, ev.Allowing), DependsOn: ev.DependsOn, Reason: ev.Reason})
		}
	}
}

// cutHost splits "HOST[/PATH]:SUBJECT" where the subject may contain colons: the host is
// everything before the first colon that follows the last "/" of a host path, i.e. the host
// has no colon itself.
func cutHost(s string) (host, sub string, ok bool) {
	i := strings.IndexByte(s, ':')
	if i <= 0 || i == len(s)-1 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}
