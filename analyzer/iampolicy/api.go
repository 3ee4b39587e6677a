package iampolicy

import "strings"

// ---- Requests and decisions (semantics.md §A.13, §A.15) ----

// CallerKind is what kind of principal makes a request.
type CallerKind int

// Caller kinds.
const (
	CallerIAMUser     CallerKind = iota // signed request by an IAM user
	CallerRoleSession                   // signed request by a session of an IAM role
	CallerService                       // an AWS service principal (e.g. pods.eks.amazonaws.com)
	CallerWebIdentity                   // AssumeRoleWithWebIdentity with a token of Provider
	CallerSAML                          // AssumeRoleWithSAML with an assertion of Provider
	CallerAnyAWS                        // "some principal of Account", used for symbolic questions
)

// Caller describes who makes the request.
type Caller struct {
	Kind CallerKind
	// ARN is the user ARN, or the role ARN (with path) for a role session.
	ARN     string
	Account string
	// SessionName is the role session name, when known ("" = caller-chosen, unknown).
	SessionName string
	// UniqueID is the AIDA…/AROA… id when known.
	UniqueID string
	// Service is the service principal name for CallerService.
	Service string
	// Provider is the federated provider ARN (oidc-provider/… or saml-provider/…) for
	// CallerWebIdentity / CallerSAML.
	Provider string
}

// Context is the request context: condition key → values. Keys are matched case-insensitively.
// A key that is absent is absent (A10.1). A key listed in Unknown has a value the tool cannot
// know (source IP, time, MFA, caller-chosen values): conditions on it make the answer Conditional.
type Context struct {
	Values  map[string][]string
	Unknown []string
	// Shared, when set, holds values and unknown keys common to many requests, prepared once
	// (see Prepare). Values and Unknown add to it: a key is looked up here first, then there.
	Shared *PreparedContext
}

// PreparedContext is a Context whose keys are lower-cased once, for a context shared by many
// evaluations (every edge of a graph is evaluated against the same environment).
type PreparedContext struct{ rc *reqCtx }

// Prepare lower-cases ctx once. A key both set in Values and listed in Unknown is unknown,
// as it is for an unprepared Context.
func Prepare(ctx Context) *PreparedContext {
	return &PreparedContext{rc: newReqCtx(Caller{}, ctx, false)}
}

// eachValue calls f for every key set by the context or its shared part, its own first.
func (c Context) eachValue(f func(lowerKey string, vals []string)) {
	for k, v := range c.Values {
		f(strings.ToLower(k), v)
	}
	if c.Shared != nil {
		for k, v := range c.Shared.rc.values {
			f(k, v)
		}
	}
}

// Request is one STS API call against a role.
type Request struct {
	Caller Caller
	// Action is the STS action evaluated, e.g. "sts:AssumeRoleWithWebIdentity".
	Action  string
	Context Context
}

// Decision is the outcome of evaluating one policy (or one request).
type Decision int

// Decisions. NotApplicable means no statement matched (implicit deny).
const (
	NotApplicable Decision = iota
	Deny                   // explicit deny
	Allow
	Conditional // allowed only for some values of keys the tool cannot know; see DependsOn
)

func (d Decision) String() string {
	switch d {
	case Deny:
		return "deny"
	case Allow:
		return "allow"
	case Conditional:
		return "conditional"
	}
	return "not-applicable"
}

// MatchKind says how the caller matched an allowing trust statement (A.15 trustMatchKind).
type MatchKind int

// Match kinds, from most to least permissive for the caller's own side.
const (
	MatchNone         MatchKind = iota
	MatchExplicit               // caller named by ARN/session ARN, or * in the same account
	MatchAccount                // caller's account named (ACCT or :root): identity grant needed
	MatchCrossAccount           // any match across accounts: identity grant needed
	MatchService                // service principal
	MatchFederated              // federated provider
)

func (m MatchKind) String() string {
	switch m {
	case MatchExplicit:
		return "explicit"
	case MatchAccount:
		return "account"
	case MatchCrossAccount:
		return "cross-account"
	case MatchService:
		return "service"
	case MatchFederated:
		return "federated"
	}
	return "none"
}

// Evaluation is the result of evaluating a policy for a request.
type Evaluation struct {
	Decision Decision
	// Allowing and Denying are the indexes of the statements that matched.
	Allowing []int
	Denying  []int
	Match    MatchKind
	// DependsOn lists the Unknown keys the decision turned on (sorted, as written in the policy).
	DependsOn []string
	// Reason is one sentence for humans: which statement allowed or denied, on which condition.
	Reason string
}

// ---- Symbolic analysis of one statement, for the rules' input document ----

// Pattern is one value of a condition on a claim key. Like is true for StringLike/ArnLike
// (where * and ? are wildcards); under StringEquals wildcards are literal text (A9.1).
type Pattern struct {
	Value      string
	Like       bool
	IgnoreCase bool
	// Condition is the index of the condition in Statement.Conditions.
	Condition int
}

// ClaimConstraint is the effective restriction a statement puts on one single-valued claim key
// (e.g. "PROV:sub") for tokens of the analysed provider, where that key is present.
type ClaimConstraint struct {
	// Restricted is false when nothing effectively limits the key's value.
	Restricted bool
	// Admits: the value must match one pattern of every inner slice (OR within, AND across),
	// one inner slice per positive condition on the key.
	Admits [][]Pattern
	// Excludes: the value must match none of these (negated conditions).
	Excludes []Pattern
	// SetOperator lists conditions on the key that use ForAllValues:/ForAnyValue: (A11.3).
	SetOperator []int
	// Conditions lists every condition (index) that names the key.
	Conditions []int
}

// Matches reports whether the constraint admits value (exact semantics, case rules of each operator).
func (c ClaimConstraint) Matches(value string) bool { return claimMatches(c, value) }

// WebIdentityAnalysis is a web-identity statement seen from one trusted OIDC provider.
type WebIdentityAnalysis struct {
	Provider string // provider ARN as written in Federated
	Host     string // issuer host/path: the condition-key prefix
	// Inferred is true when Provider is not an OIDC provider ARN (an unresolved template
	// such as "${oidc_arn}") and Host was taken from the statement's PREFIX:sub/aud keys
	// ("" when they name no single prefix).
	Inferred bool
	Sub      ClaimConstraint
	Aud      ClaimConstraint
	// NeverMatches is true when a positive condition on a key absent for this provider's
	// tokens makes the statement fail closed for them (X16a, X17).
	NeverMatches bool
}

// UnreachableKey is a condition key that is never present for the statement's callers.
type UnreachableKey struct {
	Condition int
	Key       string
	// Reason says why, e.g. "key names provider X but the statement trusts Y",
	// "condition keys are the provider host without https://".
	Reason string
	// FailsOpen is true when the operator is negated/IfExists/Null-true, so the condition is
	// always true and the intended restriction is not in force; false when it fails closed.
	FailsOpen bool
}

// ValueIssue points at one value of one condition.
type ValueIssue struct {
	Condition int
	Value     string
}

// StatementAnalysis is what the rules need to know about a statement, computed once.
type StatementAnalysis struct {
	// AssumeActions lists which of sts:AssumeRole, sts:AssumeRoleWithWebIdentity,
	// sts:AssumeRoleWithSAML, sts:TagSession, sts:SetSourceIdentity the statement's
	// Action/NotAction covers, in that order.
	AssumeActions []string
	// WebIdentity has one entry per Federated OIDC provider (not SAML, not well-known IdPs).
	WebIdentity []WebIdentityAnalysis
	Unreachable []UnreachableKey
	// WildcardInEquals lists * or ? inside StringEquals/StringNotEquals/StringEqualsIgnoreCase
	// (and their IfExists/set forms) values, where they are literal (Access Analyzer
	// WILDCARD_WITHOUT_LIKE_OPERATOR). Escapes like ${*} are not wildcards.
	WildcardInEquals []ValueIssue
	// SetOperatorOnSingleValue lists conditions using ForAllValues:/ForAnyValue: on a
	// single-valued key (web-identity :sub/:aud/:azp…, aws:PrincipalArn, sts:ExternalId, …).
	SetOperatorOnSingleValue []int
}
