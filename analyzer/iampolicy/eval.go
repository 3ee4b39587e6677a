package iampolicy

import (
	"fmt"
	"strings"
)

// The STS actions a trust policy is evaluated for (A3.1).
const (
	ActionAssumeRole                = "sts:AssumeRole"
	ActionAssumeRoleWithWebIdentity = "sts:AssumeRoleWithWebIdentity"
	ActionAssumeRoleWithSAML        = "sts:AssumeRoleWithSAML"
	ActionTagSession                = "sts:TagSession"
	ActionSetSourceIdentity         = "sts:SetSourceIdentity"
)

// DepCallerSession is the DependsOn entry used when a role-session principal
// (arn:P:sts::ACCT:assumed-role/ROLE/SESSION) can only match if the caller's session name
// (unknown: Caller.SessionName == "") equals SESSION. aws:userid carries "ROLEID:SESSION".
const DepCallerSession = "aws:userid"

// stmtOutcome is how one statement relates to a request.
type stmtOutcome struct {
	index   int
	applies tri
	deps    []string
	match   MatchKind
	why     string // the principal/condition summary for Reason
}

// policyOutcome combines statements: explicit deny wins (A4.1).
type policyOutcome struct {
	ev       Evaluation
	denyDeps []string // keys a conditional Deny turned on
}

func combine(outs []stmtOutcome, effects []string, action, what string) policyOutcome {
	var defAllow, condAllow, defDeny, condDeny []stmtOutcome
	for i, o := range outs {
		switch {
		case o.applies == triFalse:
		case effects[i] == "Deny" && o.applies == triTrue:
			defDeny = append(defDeny, o)
		case effects[i] == "Deny":
			condDeny = append(condDeny, o)
		case o.applies == triTrue:
			defAllow = append(defAllow, o)
		default:
			condAllow = append(condAllow, o)
		}
	}
	idx := func(os []stmtOutcome) []int {
		var out []int
		for _, o := range os {
			out = append(out, o.index)
		}
		return out
	}
	deps := func(os []stmtOutcome) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.deps...)
		}
		return out
	}
	var r policyOutcome
	r.denyDeps = sortedUnique(deps(condDeny))
	switch {
	case len(defDeny) > 0:
		r.ev = Evaluation{Decision: Deny, Denying: idx(defDeny)}
		r.ev.Reason = fmt.Sprintf("statement %d of the %s explicitly denies %s%s", defDeny[0].index, what, action, defDeny[0].why)
		r.denyDeps = nil
	case len(defAllow) > 0:
		best := bestMatch(defAllow)
		r.ev = Evaluation{Decision: Allow, Allowing: idx(defAllow), Match: best.match, Denying: idx(condDeny)}
		r.ev.Reason = fmt.Sprintf("statement %d of the %s allows %s%s", best.index, what, action, best.why)
		if len(condDeny) > 0 {
			r.ev.Decision = Conditional
			r.ev.DependsOn = r.denyDeps
			r.ev.Reason += fmt.Sprintf(", unless deny statement %d applies (depends on %s)", condDeny[0].index, strings.Join(r.denyDeps, ", "))
		}
	case len(condAllow) > 0:
		best := bestMatch(condAllow)
		r.ev = Evaluation{Decision: Conditional, Allowing: idx(condAllow), Match: best.match, Denying: idx(condDeny)}
		r.ev.DependsOn = sortedUnique(append(deps(condAllow), r.denyDeps...))
		r.ev.Reason = fmt.Sprintf("statement %d of the %s allows %s%s only for some values of %s", best.index, what, action, best.why, strings.Join(r.ev.DependsOn, ", "))
	default:
		r.ev = Evaluation{Decision: NotApplicable, Reason: fmt.Sprintf("no statement of the %s allows %s for this caller (implicit deny)", what, action)}
		r.denyDeps = nil
	}
	return r
}

// matchRank orders match kinds by permissiveness for the caller (A.15: EXPLICIT ≻ ACCOUNT).
func matchRank(k MatchKind) int {
	switch k {
	case MatchExplicit:
		return 4
	case MatchService, MatchFederated:
		return 3
	case MatchAccount:
		return 2
	case MatchCrossAccount:
		return 1
	}
	return 0
}

func bestMatch(os []stmtOutcome) stmtOutcome {
	best := os[0]
	for _, o := range os[1:] {
		if matchRank(o.match) > matchRank(best.match) {
			best = o
		}
	}
	return best
}

// Covers reports whether the statement's Action (or NotAction) element covers action.
func (s *Statement) Covers(action string) bool { return actionMatches(s, action) }

// actionMatches applies Action / NotAction (A3.4: NotAction matches every action none of
// its patterns match).
func actionMatches(s *Statement, action string) bool {
	matched := false
	for _, a := range s.Actions {
		if matchAction(a.Text, action) {
			matched = true
			break
		}
	}
	if s.NotAction {
		return len(s.Actions) > 0 && !matched
	}
	return matched
}

// conditionsOf evaluates a statement's Condition block: all conditions AND'ed (A8.2).
func conditionsOf(p *Policy, s *Statement, rc *reqCtx) (tri, []string, string) {
	res := triTrue
	var deps []string
	for _, c := range s.Conditions {
		r, d := evalCondition(c, p.Version, rc)
		switch r {
		case triFalse:
			return triFalse, nil, ""
		case triUnknown:
			res = triUnknown
			deps = append(deps, d...)
		}
	}
	why := ""
	if len(s.Conditions) > 0 {
		var parts []string
		for _, c := range s.Conditions {
			parts = append(parts, c.Operator+" "+c.Key)
		}
		why = " (conditions: " + strings.Join(parts, "; ") + ")"
	}
	return res, deps, why
}

// ---- trust policies ----

// EvaluateTrust evaluates a role's trust policy for req (semantics.md §A.15, trust side only):
// Allow/Conditional with the Match kind, Deny when an explicit Deny applies, NotApplicable otherwise.
// The caller's principal keys (aws:PrincipalArn, aws:PrincipalAccount, aws:username for
// users, …) are filled from req.Caller unless req.Context sets them (A13.1); unsigned
// callers (web identity, SAML) have none (A13.2).
func EvaluateTrust(p *Policy, roleARN string, req Request) Evaluation {
	if p == nil {
		return Evaluation{Reason: "the role has no trust policy"}
	}
	action := req.Action
	if action == "" {
		action = ActionAssumeRole
	}
	return evaluateTrust(p, roleARN, req.Caller, action, newReqCtx(req.Caller, req.Context, true)).ev
}

func evaluateTrust(p *Policy, roleARN string, caller Caller, action string, rc *reqCtx) policyOutcome {
	roleAcct, _ := AccountOfARN(roleARN)
	outs := make([]stmtOutcome, len(p.Statements))
	effects := make([]string, len(p.Statements))
	for i, s := range p.Statements {
		outs[i] = stmtOutcome{index: s.Index}
		effects[i] = s.Effect
		if (s.Effect != "Allow" && s.Effect != "Deny") || !actionMatches(s, action) {
			continue
		}
		ok, kind, pdeps, pwhy := principalMatch(s, caller, roleAcct)
		if !ok {
			continue
		}
		r, cdeps, cwhy := conditionsOf(p, s, rc)
		if r == triFalse {
			continue
		}
		if len(pdeps) > 0 {
			r = triUnknown
		}
		outs[i] = stmtOutcome{index: s.Index, applies: r, deps: append(pdeps, cdeps...), match: kind, why: pwhy + cwhy}
	}
	return combine(outs, effects, action, "trust policy")
}

// principalMatch matches the caller against a trust statement's Principal (A2.11 table).
func principalMatch(s *Statement, c Caller, roleAcct string) (ok bool, kind MatchKind, deps []string, why string) {
	pr := s.Principal
	if pr == nil || s.NotPrincipal {
		// A1.3: NotPrincipal in a trust policy is invalid; the statement matches nobody.
		return false, MatchNone, nil, ""
	}
	callerAcct := callerAccount(c)
	signed := c.Kind == CallerIAMUser || c.Kind == CallerRoleSession || c.Kind == CallerAnyAWS
	awsKind := func(named MatchKind, acct string) MatchKind {
		if roleAcct != "" && acct == roleAcct {
			return named
		}
		// A5.5: any match across accounts needs the caller's identity grant too.
		return MatchCrossAccount
	}
	var best MatchKind
	var bestDeps []string
	var bestWhy string
	consider := func(k MatchKind, d []string, w string) {
		better := matchRank(k) > matchRank(best)
		if matchRank(k) == matchRank(best) && len(d) < len(bestDeps) {
			better = true
		}
		if best == MatchNone || better {
			best, bestDeps, bestWhy = k, d, w
		}
	}
	for _, v := range pr.AWS {
		form, acct := ClassifyAWSPrincipal(v.Text)
		switch {
		case form == FormStar:
			// A2.1/A5.4; A2.12 (tool policy): * matches every caller type.
			switch {
			case signed:
				consider(awsKind(MatchExplicit, callerAcct), nil, " to any principal (*)")
			case c.Kind == CallerService:
				consider(MatchService, nil, " to any principal (*)")
			default:
				consider(MatchFederated, nil, " to any principal (*)")
			}
		case !signed:
		case form == FormAccount:
			if acct == callerAcct {
				consider(awsKind(MatchAccount, acct), nil, " to account "+acct)
			}
		case form == FormUser:
			if (c.Kind == CallerIAMUser && c.ARN == v.Text) || (c.Kind == CallerAnyAWS && acct == callerAcct) {
				consider(awsKind(MatchExplicit, acct), nil, " to "+v.Text)
			}
		case form == FormRole:
			if (c.Kind == CallerRoleSession && c.ARN == v.Text) || (c.Kind == CallerAnyAWS && acct == callerAcct) {
				consider(awsKind(MatchExplicit, acct), nil, " to "+v.Text)
			}
		case form == FormRoleSession:
			// A2.5: only that exact session of that role.
			a, _ := ParseARN(v.Text)
			role, sess, _ := strings.Cut(strings.TrimPrefix(a.Resource, "assumed-role/"), "/")
			switch c.Kind {
			case CallerRoleSession:
				name, _ := RoleNameOf(c.ARN)
				if acct != callerAcct || name != role {
					continue
				}
				if c.SessionName == sess {
					consider(awsKind(MatchExplicit, acct), nil, " to session "+v.Text)
				} else if c.SessionName == "" {
					consider(awsKind(MatchExplicit, acct), []string{DepCallerSession}, " to session "+v.Text)
				}
			case CallerAnyAWS:
				if acct == callerAcct {
					consider(awsKind(MatchExplicit, acct), nil, " to session "+v.Text)
				}
			}
		case form == FormUniqueID:
			// A2.6a: a dangling unique ID matches only the principal that had it.
			if c.UniqueID != "" && c.UniqueID == v.Text {
				consider(awsKind(MatchExplicit, callerAcct), nil, " to unique ID "+v.Text)
			}
		}
	}
	if c.Kind == CallerService {
		for _, v := range pr.Service {
			if c.Service != "" && strings.EqualFold(v.Text, c.Service) {
				consider(MatchService, nil, " to service "+v.Text)
			}
		}
	}
	if c.Kind == CallerWebIdentity || c.Kind == CallerSAML {
		for _, v := range pr.Federated {
			// B1.3: provider URLs are case-sensitive; compare byte-for-byte.
			if c.Provider == "" || v.Text != c.Provider {
				continue
			}
			// B1.5 (tool policy, UNVERIFIED as STS behaviour): a provider ARN of another
			// account than the role's never matches (IRSA needs the provider in the role's
			// account, B1.2).
			if pa, ok := AccountOfARN(v.Text); ok && roleAcct != "" && pa != roleAcct {
				continue
			}
			consider(MatchFederated, nil, " to provider "+v.Text)
		}
	}
	return best != MatchNone, best, bestDeps, bestWhy
}

// ---- identity policies ----

// EvaluateIdentity evaluates identity policies (all of one caller's, already collected) for
// action on resource. Allowing/Denying index statements across all policies in order (the
// first statement of policies[1] follows the last of policies[0]). Statements that name a
// Principal are invalid in identity policies and are ignored.
func EvaluateIdentity(policies []*Policy, action, resource string, caller Caller, ctx Context) Evaluation {
	return evaluateIdentity(policies, action, resource, newReqCtx(caller, ctx, true)).ev
}

func evaluateIdentity(policies []*Policy, action, resource string, rc *reqCtx) policyOutcome {
	var outs []stmtOutcome
	var effects []string
	flat := 0
	for _, p := range policies {
		if p == nil {
			continue
		}
		for _, s := range p.Statements {
			o := stmtOutcome{index: flat}
			flat++
			outs = append(outs, o)
			effects = append(effects, s.Effect)
			if (s.Effect != "Allow" && s.Effect != "Deny") || s.Principal != nil || s.NotPrincipal {
				continue
			}
			if !actionMatches(s, action) || !resourceMatches(p, s, resource, rc) {
				continue
			}
			r, deps, why := conditionsOf(p, s, rc)
			if r == triFalse {
				continue
			}
			outs[len(outs)-1] = stmtOutcome{index: o.index, applies: r, deps: deps, why: " on " + resource + why}
		}
	}
	return combine(outs, effects, action, "identity policies")
}

// resourceMatches applies Resource / NotResource (A5.8): "*" matches everything; otherwise
// ARN patterns are matched per colon-separated part with * and ? wildcards (* spans /).
// Policy variables are substituted under Version 2012-10-17; one with no value makes that
// Resource entry match nothing (A12.4).
func resourceMatches(p *Policy, s *Statement, resource string, rc *reqCtx) bool {
	matched := false
	for _, r := range s.Resources {
		pat, ok, deps := rc.expandValue(r.Text, p.Version == "2012-10-17", true)
		if !ok || len(deps) > 0 {
			continue
		}
		if r.Text == "*" || matchARNPattern(pat, resource) {
			matched = true
			break
		}
	}
	if s.NotResource {
		return len(s.Resources) > 0 && !matched
	}
	return matched
}

// ---- the whole assume decision (A.15) ----

// Assume decides whether req.Caller can assume roleARN (semantics A.15): the trust policy
// must allow every action evaluated (req.Action, plus sts:TagSession when the context
// carries session tags — any aws:RequestTag/… or aws:TagKeys value — and
// sts:SetSourceIdentity when it carries sts:SourceIdentity, A14); for IAM users and role
// sessions (and CallerAnyAWS) the identity policies must not deny, a permissions boundary
// (if not nil) must allow, and when the trust match is ACCOUNT or CROSS_ACCOUNT the
// identity policies must allow (A5.3, A5.5). Service and federated callers have no
// identity side (A5.7). SCPs, RCPs and session policies are not modelled (A4.3).
func Assume(trust *Policy, roleARN string, identity []*Policy, boundary *Policy, req Request) Evaluation {
	if req.Action == "" {
		req.Action = ActionAssumeRole
	}
	actions := []string{req.Action}
	tags, srcID := false, false
	req.Context.eachValue(func(lk string, v []string) {
		if len(v) > 0 && (strings.HasPrefix(lk, "aws:requesttag/") || lk == "aws:tagkeys") {
			tags = true
		}
		if len(v) > 0 && lk == "sts:sourceidentity" {
			srcID = true
		}
	})
	if tags && !strings.EqualFold(req.Action, ActionTagSession) {
		actions = append(actions, ActionTagSession)
	}
	if srcID && !strings.EqualFold(req.Action, ActionSetSourceIdentity) {
		actions = append(actions, ActionSetSourceIdentity)
	}
	if trust == nil {
		return Evaluation{Decision: Deny, Reason: "the role has no trust policy"}
	}
	rc := newReqCtx(req.Caller, req.Context, true)
	signed := req.Caller.Kind == CallerIAMUser || req.Caller.Kind == CallerRoleSession || req.Caller.Kind == CallerAnyAWS
	var result Evaluation
	var deps []string
	for i, a := range actions {
		t := evaluateTrust(trust, roleARN, req.Caller, a, rc)
		switch t.ev.Decision {
		case Deny:
			t.ev.Reason = "denied: " + t.ev.Reason
			t.ev.DependsOn = nil
			return t.ev
		case NotApplicable:
			// A5.1: the trust policy must always allow the principal.
			return Evaluation{Decision: Deny, Reason: "denied: " + t.ev.Reason}
		}
		if i == 0 {
			result = t.ev
		}
		deps = append(deps, t.ev.DependsOn...)
		if !signed {
			continue
		}
		id := evaluateIdentity(identity, a, roleARN, rc)
		if id.ev.Decision == Deny {
			return Evaluation{Decision: Deny, Denying: id.ev.Denying, Match: t.ev.Match,
				Reason: "denied: " + id.ev.Reason + " (explicit deny wins)"}
		}
		deps = append(deps, id.denyDeps...)
		if boundary != nil {
			b := evaluateIdentity([]*Policy{boundary}, a, roleARN, rc)
			switch b.ev.Decision {
			case Deny, NotApplicable:
				return Evaluation{Decision: Deny, Match: t.ev.Match,
					Reason: fmt.Sprintf("denied: the caller's permissions boundary does not allow %s on %s", a, roleARN)}
			case Conditional:
				deps = append(deps, b.ev.DependsOn...)
			}
		}
		if t.ev.Match == MatchAccount || t.ev.Match == MatchCrossAccount {
			switch id.ev.Decision {
			case NotApplicable:
				what := "trusts the caller's account"
				if t.ev.Match == MatchCrossAccount {
					what = "is in another account"
				}
				return Evaluation{Decision: Deny, Match: t.ev.Match, Allowing: t.ev.Allowing,
					Reason: fmt.Sprintf("denied: the trust policy %s, so the caller's identity policies must also allow %s on %s, and none does", what, a, roleARN)}
			case Conditional:
				deps = append(deps, id.ev.DependsOn...)
			}
		}
	}
	result.DependsOn = sortedUnique(deps)
	result.Decision = Allow
	if len(result.DependsOn) > 0 {
		result.Decision = Conditional
	}
	result.Reason = "allowed: " + result.Reason
	if len(actions) > 1 {
		result.Reason += " (also evaluated " + strings.Join(actions[1:], ", ") + ")"
	}
	if signed && (result.Match == MatchAccount || result.Match == MatchCrossAccount) {
		result.Reason += "; the caller's identity policies allow it too"
	}
	return result
}
