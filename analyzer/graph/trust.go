package graph

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
)

// caller is an IAM user or role that may call sts:AssumeRole, with its identity side.
type caller struct {
	id, arn, account, uniqueID string
	kind                       iampolicy.CallerKind
	user                       *inventory.User
	role                       *inventory.Role
	// identity holds the caller's identity policies (inline, attached managed default
	// versions, and for users their groups'); boundary its permissions boundary (nil if none
	// or not loaded).
	identity []*iampolicy.Policy
	boundary *iampolicy.Policy
	// identityLoaded: the caller's account's identity policies were loaded
	// (get-account-authorization-details), so its own side is evaluated (A.15).
	identityLoaded bool
	// mayAssume: some identity Allow statement covers sts:AssumeRole; without one, grants
	// that need the caller's own side (A5.3, A5.5) are not even evaluated.
	mayAssume bool
	// assumePrefixes are the lower-cased literal beginnings of the resources of those
	// statements ("" for one that may match any role): a role whose ARN starts with none of
	// them is not allowed by the caller's own side.
	assumePrefixes []string
}

func (b *builder) addCaller(c *caller) {
	b.callers = append(b.callers, c)
	b.callerByID[c.id] = c
	if c.uniqueID != "" {
		b.callerByUnique[c.uniqueID] = c
	}
	b.callersByAcct[c.account] = append(b.callersByAcct[c.account], c)
	if c.mayAssume {
		for _, p := range c.assumePrefixes {
			if l := b.assumersByPrefix[p]; len(l) == 0 || l[len(l)-1] != c {
				b.assumersByPrefix[p] = append(l, c)
			}
		}
	}
}

// assumersOf returns the callers whose own policies may allow sts:AssumeRole on roleARN, in
// the order they were added, each once: the grants that need the caller's side (A5.3, A5.5)
// are evaluated for them only, not for every caller of the account against every role.
func (b *builder) assumersOf(roleARN string) []*caller {
	arn := strings.ToLower(roleARN)
	var out []*caller
	seen := map[*caller]bool{}
	for i := 0; i <= len(arn); i++ {
		for _, c := range b.assumersByPrefix[arn[:i]] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

func (b *builder) userCaller(u *inventory.User) *caller {
	n := b.userNode(u)
	c := &caller{id: n.ID, arn: u.ARN, account: u.Account, uniqueID: u.UserID, kind: iampolicy.CallerIAMUser,
		user: u, identityLoaded: b.inv.IdentityAccounts[u.Account]}
	c.identity = b.policies(u.InlinePolicies, u.AttachedPolicies)
	for _, gname := range u.Groups {
		if g := b.groups[u.Account+"/"+gname]; g != nil {
			c.identity = append(c.identity, b.policies(g.InlinePolicies, g.AttachedPolicies)...)
		}
	}
	c.boundary = b.boundary(u.PermissionsBoundary)
	c.mayAssume, c.assumePrefixes = mayAssume(c.identity)
	return c
}

func (b *builder) roleCaller(r *inventory.Role) *caller {
	n := b.roleNode(r)
	c := &caller{id: n.ID, arn: r.ARN, account: r.Account, uniqueID: r.RoleID, kind: iampolicy.CallerRoleSession,
		role: r, identityLoaded: b.inv.IdentityAccounts[r.Account]}
	c.identity = b.policies(r.InlinePolicies, r.AttachedPolicies)
	c.boundary = b.boundary(r.PermissionsBoundary)
	c.mayAssume, c.assumePrefixes = mayAssume(c.identity)
	return c
}

// unloadedCaller is a principal named by a query but not in the inventory: its identity
// policies are unknown (and, in an account whose policies were loaded, there are none).
func (b *builder) unloadedCaller(n *Node) *caller {
	kind := iampolicy.CallerRoleSession
	if n.Kind == KindUser {
		kind = iampolicy.CallerIAMUser
	}
	return &caller{id: n.ID, arn: n.ARN, account: n.Account, kind: kind, identityLoaded: b.inv.IdentityAccounts[n.Account]}
}

func (b *builder) policies(inline []inventory.NamedPolicy, attached []string) []*iampolicy.Policy {
	var out []*iampolicy.Policy
	for _, p := range inline {
		if p.Document != nil {
			out = append(out, p.Document)
		}
	}
	for _, arn := range attached {
		// A managed policy missing from the input is unknown, not empty (F2.5); it is left out
		// here and reported as a gap of the identity side.
		if m := b.managed[arn]; m != nil && m.Default != nil {
			out = append(out, m.Default)
		}
	}
	return out
}

func (b *builder) boundary(arn string) *iampolicy.Policy {
	if m := b.managed[arn]; arn != "" && m != nil {
		return m.Default
	}
	return nil
}

// mayAssume reports whether any Allow statement's Action could cover sts:AssumeRole, and the
// lower-cased literal beginnings of those statements' resources, up to the first wildcard or
// policy variable ("" when NotResource) — cheap pre-filters; iampolicy.Assume decides.
func mayAssume(policies []*iampolicy.Policy) (bool, []string) {
	var prefixes []string
	for _, p := range policies {
		for _, s := range p.Statements {
			if s.Effect != "Allow" {
				continue
			}
			covers := s.NotAction
			for _, a := range s.Actions {
				covers = covers || iampolicy.MatchAction(a.Text, iampolicy.ActionAssumeRole)
			}
			if !covers {
				continue
			}
			if s.NotResource {
				prefixes = append(prefixes, "")
			}
			for _, r := range s.Resources {
				lit := r.Text
				if i := strings.IndexAny(lit, "*?"); i >= 0 {
					lit = lit[:i]
				}
				if i := strings.Index(lit, "${"); i >= 0 {
					lit = lit[:i]
				}
				prefixes = append(prefixes, strings.ToLower(lit))
			}
		}
	}
	slices.Sort(prefixes)
	prefixes = slices.Compact(prefixes)
	return len(prefixes) > 0, prefixes
}

func (c *caller) iam() iampolicy.Caller {
	return iampolicy.Caller{Kind: c.kind, ARN: c.arn, Account: c.account, UniqueID: c.uniqueID}
}

// ---- trust side (A.5, A.6, A.15) ----

// trustEdges adds, per loaded role with a trust policy, the sts:AssumeRole edges from AWS
// principals and service principals. Federated principals are federationEdges'.
func (b *builder) trustEdges() {
	for _, r := range b.inv.Roles {
		if r.Trust == nil {
			continue
		}
		b.roleTrustEdges(r)
	}
}

func (b *builder) roleTrustEdges(r *inventory.Role) {
	var (
		cands    []*caller
		seen     = map[string]bool{}
		accounts []string
		star     bool
		services []string
		unloaded []string // principal node IDs of explicit ARNs that are not callers
	)
	add := func(c *caller) {
		if c != nil && !seen[c.id] {
			seen[c.id] = true
			cands = append(cands, c)
		}
	}
	for _, s := range r.Trust.Statements {
		if s.Effect != "Allow" || s.Principal == nil || s.NotPrincipal {
			continue
		}
		if !s.Covers(iampolicy.ActionAssumeRole) {
			continue
		}
		if s.Principal.Star {
			star = true
		}
		for _, v := range s.Principal.AWS {
			form, acct := iampolicy.ClassifyAWSPrincipal(v.Text)
			switch form {
			case iampolicy.FormStar:
				star = true
			case iampolicy.FormAccount:
				if !slices.Contains(accounts, acct) {
					accounts = append(accounts, acct)
				}
			case iampolicy.FormUser, iampolicy.FormRole, iampolicy.FormRoleSession:
				id := b.principalNode(v.Text, false)
				if id == "" {
					continue
				}
				if c := b.callerByID[id]; c != nil {
					add(c)
				} else if !slices.Contains(unloaded, id) {
					unloaded = append(unloaded, id)
				}
			case iampolicy.FormUniqueID:
				add(b.callerByUnique[v.Text])
			}
		}
		for _, v := range s.Principal.Service {
			if !slices.Contains(services, v.Text) {
				services = append(services, v.Text)
			}
		}
	}
	for _, acct := range accounts {
		if b.inv.IdentityAccounts[acct] {
			// A5.3/A5.5: every principal of the account whose own policies allow it.
			for _, c := range b.assumersOf(r.ARN) {
				if c.account == acct {
					add(c)
				}
			}
			continue
		}
		// Principals of the account are not loaded: one edge from the account, its own side
		// taken as allowed (cli.md).
		for _, c := range b.callersByAcct[acct] {
			if c.user == nil && c.role == nil {
				add(c) // a materialised query principal of that account
			}
		}
		b.accountTrustEdge(r, acct)
	}
	if star {
		b.publicTrustEdge(r)
		if r.Account != "" {
			for _, c := range b.callersByAcct[r.Account] {
				add(c) // A5.4: * acts as an explicit grant in the same account
			}
		}
		for _, c := range b.assumersOf(r.ARN) {
			if c.identityLoaded {
				add(c) // A5.5: cross account, the caller's own side must allow
			}
		}
		for _, c := range b.callers {
			if c.user == nil && c.role == nil {
				add(c) // a materialised query principal
			}
		}
	}
	slices.SortFunc(cands, func(x, y *caller) int { return strings.Compare(x.id, y.id) })
	for _, c := range cands {
		b.callerTrustEdge(r, c)
	}
	slices.Sort(unloaded)
	for _, id := range unloaded {
		b.callerTrustEdge(r, b.unloadedCaller(b.nodes[id]))
	}
	slices.Sort(services)
	for _, svc := range services {
		// Pod Identity is modelled exactly per association (podIdentityEdges), with its
		// session tags; a bare service edge would claim more than EKS does.
		if svc != podsService {
			b.serviceTrustEdge(r, svc)
		}
	}
}

// callerTrustEdge evaluates one concrete caller: iampolicy.Assume when its account's identity
// policies are loaded, else the trust side alone (its own side taken as allowed).
func (b *builder) callerTrustEdge(r *inventory.Role, c *caller) {
	req := iampolicy.Request{Caller: c.iam(), Action: iampolicy.ActionAssumeRole, Context: b.callerContext(c.kind)}
	var ev iampolicy.Evaluation
	unchecked := false
	if c.identityLoaded {
		ev = iampolicy.Assume(r.Trust, r.ARN, c.identity, c.boundary, req)
	} else {
		ev = iampolicy.EvaluateTrust(r.Trust, r.ARN, req)
		unchecked = ev.Match == iampolicy.MatchAccount || ev.Match == iampolicy.MatchCrossAccount
	}
	if !allowed(ev.Decision) {
		return
	}
	reason := ev.Reason
	if unchecked {
		reason += "; the caller's own identity policies are not loaded, so its side is taken as allowed"
	}
	if c.kind == iampolicy.CallerRoleSession {
		reason += "; role chaining: the new session lasts at most 1h (A6.2)"
	}
	b.addEdge(&Edge{From: c.id, To: b.roleNode(r).ID, Mechanism: MechAssumeRole,
		Evidence: statementIDs(r.ID, ev.Allowing), DependsOn: ev.DependsOn, Reason: reason, IdentityUnchecked: unchecked})
}

// accountTrustEdge: some principal of an account whose principals are not loaded.
func (b *builder) accountTrustEdge(r *inventory.Role, acct string) {
	req := iampolicy.Request{Caller: iampolicy.Caller{Kind: iampolicy.CallerAnyAWS, Account: acct},
		Action: iampolicy.ActionAssumeRole, Context: b.context(nil)}
	ev := iampolicy.EvaluateTrust(r.Trust, r.ARN, req)
	if !allowed(ev.Decision) {
		return
	}
	b.addEdge(&Edge{From: b.accountNode(acct), To: b.roleNode(r).ID, Mechanism: MechAssumeRole,
		Evidence: statementIDs(r.ID, ev.Allowing), DependsOn: ev.DependsOn, IdentityUnchecked: true,
		Reason: ev.Reason + "; the principals of account " + acct + " are not loaded, so their own side is taken as allowed"})
}

// publicTrustEdge: Principal "*" admits principals of every account (A2.1).
func (b *builder) publicTrustEdge(r *inventory.Role) {
	req := iampolicy.Request{Caller: iampolicy.Caller{Kind: iampolicy.CallerAnyAWS},
		Action: iampolicy.ActionAssumeRole, Context: b.context(nil, "aws:PrincipalAccount")}
	ev := iampolicy.EvaluateTrust(r.Trust, r.ARN, req)
	if !allowed(ev.Decision) {
		return
	}
	b.addEdge(&Edge{From: b.publicNode(), To: b.roleNode(r).ID, Mechanism: MechAssumeRole,
		Evidence: statementIDs(r.ID, ev.Allowing), DependsOn: ev.DependsOn, IdentityUnchecked: true,
		Reason: ev.Reason + "; any principal of any account whose own policies allow it (A2.1, A5.5)"})
}

// serviceTrustEdge: an AWS service principal (ec2.amazonaws.com for node roles, …). Whether the
// service passes aws:SourceArn/aws:SourceAccount is not known, so they are Unknown.
func (b *builder) serviceTrustEdge(r *inventory.Role, svc string) {
	req := iampolicy.Request{Caller: iampolicy.Caller{Kind: iampolicy.CallerService, Service: svc},
		Action: iampolicy.ActionAssumeRole, Context: b.context(nil, "aws:SourceArn", "aws:SourceAccount")}
	ev := iampolicy.EvaluateTrust(r.Trust, r.ARN, req)
	if !allowed(ev.Decision) {
		return
	}
	b.addEdge(&Edge{From: b.serviceNode(svc), To: b.roleNode(r).ID, Mechanism: MechAssumeRole,
		Evidence: statementIDs(r.ID, ev.Allowing), DependsOn: ev.DependsOn, Reason: ev.Reason})
}

// ---- AWS admin ----

// administratorAccess is the AWS-managed policy name that makes a principal AWS admin.
const administratorAccess = ":iam::aws:policy/AdministratorAccess"

// awsAdminEdges links every loaded user and role with administrator permissions to the
// aws-admin sink of its account: AdministratorAccess attached (directly or to a group), or an
// identity policy with an unconditional Allow of Action "*" on Resource "*".
func (b *builder) awsAdminEdges() {
	for _, c := range b.callers {
		if c.user == nil && c.role == nil {
			continue
		}
		var why []string
		var attached []string
		var inline []inventory.NamedPolicy
		if c.user != nil {
			attached, inline = slices.Clone(c.user.AttachedPolicies), slices.Clone(c.user.InlinePolicies)
			for _, gname := range c.user.Groups {
				if g := b.groups[c.account+"/"+gname]; g != nil {
					for _, a := range g.AttachedPolicies {
						if strings.HasSuffix(a, administratorAccess) {
							why = append(why, "group "+g.Name+" has "+a+" attached")
						}
					}
					for _, p := range g.InlinePolicies {
						if allowsAll(p.Document) {
							why = append(why, fmt.Sprintf("inline policy %s of group %s allows * on *", p.Name, g.Name))
						}
					}
					for _, a := range g.AttachedPolicies {
						if m := b.managed[a]; m != nil && !strings.HasSuffix(a, administratorAccess) && allowsAll(m.Default) {
							why = append(why, fmt.Sprintf("managed policy %s attached to group %s allows * on *", a, g.Name))
						}
					}
				}
			}
		} else {
			attached, inline = c.role.AttachedPolicies, c.role.InlinePolicies
		}
		for _, a := range attached {
			switch {
			case strings.HasSuffix(a, administratorAccess):
				why = append(why, a+" is attached")
			case b.managed[a] != nil && allowsAll(b.managed[a].Default):
				why = append(why, "attached managed policy "+a+" allows * on *")
			}
		}
		for _, p := range inline {
			if allowsAll(p.Document) {
				why = append(why, "inline policy "+p.Name+" allows * on *")
			}
		}
		if len(why) == 0 {
			continue
		}
		b.addEdge(&Edge{From: c.id, To: b.awsAdminNode(c.account), Mechanism: MechAdmin,
			Evidence: []string{c.id}, Reason: labelOf(c.arn) + " is an administrator: " + strings.Join(why, "; ")})
	}
}

// allowsAll reports an Allow statement with Action "*" and Resource "*" and no condition.
func allowsAll(p *iampolicy.Policy) bool {
	if p == nil {
		return false
	}
	for _, s := range p.Statements {
		if s.Effect != "Allow" || s.NotAction || s.NotResource || len(s.Conditions) > 0 {
			continue
		}
		if hasValue(s.Actions, "*") && hasValue(s.Resources, "*") {
			return true
		}
	}
	return false
}

func hasValue(vs []iampolicy.Value, want string) bool {
	for _, v := range vs {
		if v.Text == want {
			return true
		}
	}
	return false
}
