package iampolicy

import (
	"strings"
)

var assumeActions = []string{ActionAssumeRole, ActionAssumeRoleWithWebIdentity, ActionAssumeRoleWithSAML, ActionTagSession, ActionSetSourceIdentity}

// STSAssumeActions returns the five STS actions StatementAnalysis.AssumeActions reports, in
// that order (a fresh slice).
func STSAssumeActions() []string { return append([]string(nil), assumeActions...) }

func claimMatches(c ClaimConstraint, value string) bool {
	for _, alts := range c.Admits {
		ok := false
		for _, p := range alts {
			if p.matches(value) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, p := range c.Excludes {
		if p.matches(value) {
			return false
		}
	}
	return true
}

func (p Pattern) matches(v string) bool {
	switch {
	case p.Like:
		return MatchLike(p.Value, v)
	case p.IgnoreCase:
		return strings.EqualFold(p.Value, v)
	}
	return p.Value == v
}

// principalKeys are condition keys that exist only for signed requests (A13.1); an
// AssumeRoleWithWebIdentity/SAML call is unsigned, so they are absent there (A13.2:
// "Anonymous requests do not include this key", IAM-GKEYS aws:PrincipalArn).
var principalKeys = map[string]bool{
	"aws:principalarn": true, "aws:principalaccount": true, "aws:principalorgid": true,
	"aws:principalorgpaths": true, "aws:username": true,
}

func isPrincipalKey(lk string) bool {
	return principalKeys[lk] || strings.HasPrefix(lk, "aws:principaltag/")
}

// singleValuedKeys are keys whose request value is a single value (IAM-GKEYS, IAM-STSKEYS
// key types); set operators on them are a misconfiguration (A11.3).
var singleValuedKeys = map[string]bool{
	"aws:principalarn": true, "aws:principalaccount": true, "aws:principalorgid": true,
	"aws:principaltype": true, "aws:username": true, "aws:userid": true, "aws:sourcearn": true,
	"aws:sourceaccount": true, "aws:sourceowner": true, "aws:sourceorgid": true, "aws:sourceip": true,
	"aws:sourcevpc": true, "aws:sourcevpce": true, "aws:vpcsourceip": true, "aws:securetransport": true,
	"aws:multifactorauthpresent": true, "aws:multifactorauthage": true, "aws:currenttime": true,
	"aws:epochtime": true, "aws:tokenissuetime": true, "aws:useragent": true, "aws:referer": true,
	"aws:requestedregion": true, "aws:sourceidentity": true, "aws:federatedprovider": true,
	"aws:principalservicename": true, "aws:principalisawsservice": true, "aws:viaawsservice": true,
	"aws:resourceaccount": true, "aws:resourceorgid": true,
	"sts:externalid": true, "sts:rolesessionname": true, "sts:sourceidentity": true,
	"saml:sub": true, "saml:aud": true, "saml:iss": true, "saml:sub_type": true, "saml:namequalifier": true,
}

// isSingleValued reports whether a key is known to be single-valued. Web-identity claim
// keys PROVIDER:sub, :aud, :azp, :oaud are single-valued; :amr (Cognito) is multivalued
// (IAM-STSKEYS). Unknown keys are not reported.
func isSingleValued(lk string) bool {
	if singleValuedKeys[lk] {
		return true
	}
	for _, p := range []string{"aws:requesttag/", "aws:principaltag/", "aws:resourcetag/"} {
		if strings.HasPrefix(lk, p) {
			return true
		}
	}
	if prefix, claim, ok := cutClaim(lk); ok && !isServicePrefix(prefix) {
		switch claim {
		case "sub", "aud", "azp", "oaud", "id", "user_id", "app_id":
			return true
		}
	}
	return false
}

// cutClaim splits "PREFIX:claim" at the last colon.
func cutClaim(key string) (prefix, claim string, ok bool) {
	i := strings.LastIndexByte(key, ':')
	if i <= 0 || i == len(key)-1 {
		return "", "", false
	}
	return key[:i], key[i+1:], true
}

// isServicePrefix: global and service condition-key prefixes have no dot ("aws", "sts",
// "saml", "ec2"); web identity keys are prefixed by the issuer host, which has one.
func isServicePrefix(prefix string) bool {
	return !strings.ContainsAny(prefix, "./{}$<>")
}

// looksLikeSubject is a value shaped like a token subject (EKS service account or GitHub repo).
func looksLikeSubject(v string) bool {
	return strings.HasPrefix(v, "system:serviceaccount:") || strings.HasPrefix(v, "repo:")
}

// The literal characters written as policy variables (${*} ${?} ${$}, A12.6): removed, to
// tell a real wildcard, and rendered, to read a value as IAM compares it.
var (
	dropLiteralWildcards = strings.NewReplacer("${*}", "", "${?}", "")
	unescapeVariables    = strings.NewReplacer("${*}", "*", "${?}", "?", "${$}", "$")
)

// AnalyzeStatement computes the statement's StatementAnalysis (p gives Version for variables).
func AnalyzeStatement(p *Policy, s *Statement) StatementAnalysis {
	var a StatementAnalysis
	if s == nil {
		return a
	}
	version := ""
	if p != nil {
		version = p.Version
	}
	for _, act := range assumeActions {
		if actionMatches(s, act) {
			a.AssumeActions = append(a.AssumeActions, act)
		}
	}
	a.WebIdentity = analyzeWebIdentity(s, version, a.AssumeActions)
	a.Unreachable = unreachableKeys(s)
	for i, c := range s.Conditions {
		switch c.Base {
		case "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
			for _, v := range c.Values {
				t := dropLiteralWildcards.Replace(v.Text)
				if strings.ContainsAny(t, "*?") {
					a.WildcardInEquals = append(a.WildcardInEquals, ValueIssue{Condition: i, Value: v.Text})
				}
			}
		}
		if c.Qualifier != "" && isSingleValued(strings.ToLower(c.Key)) {
			a.SetOperatorOnSingleValue = append(a.SetOperatorOnSingleValue, i)
		}
	}
	return a
}

// federatedProviders returns the statement's OIDC provider hosts, whether every Federated
// value is a real provider/IdP, and the placeholder values (templated, not ARNs).
func federatedInfo(s *Statement) (oidc []WebIdentityAnalysis, placeholders []string, allReal bool) {
	allReal = true
	if s.Principal == nil || s.NotPrincipal {
		return nil, nil, true
	}
	for _, v := range s.Principal.Federated {
		switch {
		case IsWellKnownIdP(v.Text) || IsSAMLProviderARN(v.Text):
		default:
			if host, ok := OIDCProviderHost(v.Text); ok {
				oidc = append(oidc, WebIdentityAnalysis{Provider: v.Text, Host: host})
				if strings.ContainsAny(host, "${}<>") {
					allReal = false
				}
			} else {
				placeholders = append(placeholders, v.Text)
				allReal = false
			}
		}
	}
	return oidc, placeholders, allReal
}

func analyzeWebIdentity(s *Statement, version string, actions []string) []WebIdentityAnalysis {
	oidc, placeholders, _ := federatedInfo(s)
	webID := false
	for _, a := range actions {
		if a == ActionAssumeRoleWithWebIdentity {
			webID = true
		}
	}
	// A Federated value that is not a provider ARN (an unresolved template such as
	// "${oidc_arn}") in a web-identity statement: infer the host from the condition keys so
	// the rules can still judge the sub/aud restriction (Inferred marks it).
	if webID && len(placeholders) > 0 && len(oidc) == 0 {
		hosts := map[string]bool{}
		var order []string
		for _, c := range s.Conditions {
			if prefix, claim, ok := cutClaim(c.Key); ok && !isServicePrefix(prefix) {
				lc := strings.ToLower(claim)
				if (lc == "sub" || lc == "aud") && !hosts[strings.ToLower(prefix)] {
					hosts[strings.ToLower(prefix)] = true
					order = append(order, prefix)
				}
			}
		}
		host := ""
		if len(order) == 1 {
			host = order[0]
		}
		for _, pl := range placeholders {
			oidc = append(oidc, WebIdentityAnalysis{Provider: pl, Host: host, Inferred: true})
		}
	}
	for i := range oidc {
		analyzeProvider(&oidc[i], s, version)
	}
	return oidc
}

// analyzeProvider computes the sub/aud constraints of the statement for tokens of one provider.
func analyzeProvider(w *WebIdentityAnalysis, s *Statement, version string) {
	host := strings.ToLower(w.Host)
	for i, c := range s.Conditions {
		lk := strings.ToLower(c.Key)
		prefix, claim, ok := cutClaim(lk)
		own := ok && host != "" && prefix == host
		absent := false
		switch {
		case own:
		case isPrincipalKey(lk):
			absent = true // unsigned call (A13.2)
		case ok && !isServicePrefix(prefix) && (host != "" || !w.Inferred):
			absent = true // another provider's key is absent for this provider's tokens (B2.6)
		}
		if absent {
			if !trueWhenAbsent(c) {
				w.NeverMatches = true
			}
			continue
		}
		if !own {
			continue
		}
		var cc *ClaimConstraint
		switch claim {
		case "sub":
			cc = &w.Sub
		case "aud":
			cc = &w.Aud
		default:
			continue
		}
		cc.Conditions = append(cc.Conditions, i)
		if c.Qualifier != "" {
			cc.SetOperator = append(cc.SetOperator, i)
		}
		b, known := lookupBase(c.Base)
		if !known {
			w.NeverMatches = true
			continue
		}
		switch b.family {
		case famNull:
			// The claim is present: Null "true" fails, Null "false" holds.
			if nullWantsAbsent(c) {
				w.NeverMatches = true
			}
			continue
		case famString, famStringIC, famLike:
		default:
			// Other operator families on a string claim do not restrict by pattern; a
			// positive one is treated as a restriction the patterns cannot express.
			if !b.negated {
				cc.Restricted = true
			}
			continue
		}
		var pats []Pattern
		for _, v := range c.Values {
			val := v.Text
			if version == "2012-10-17" && b.family != famLike {
				val = unescapeVariables.Replace(val)
			}
			pats = append(pats, Pattern{Value: val, Like: b.family == famLike, IgnoreCase: b.family == famStringIC, Condition: i})
		}
		if b.negated {
			cc.Excludes = append(cc.Excludes, pats...)
			continue
		}
		// A positive operator (also …IfExists: the claim is present) limits the value,
		// unless one of its patterns is StringLike "*" (admits every value).
		cc.Admits = append(cc.Admits, pats)
		if !admitsAll(pats) {
			cc.Restricted = true
		}
	}
}

func admitsAll(pats []Pattern) bool {
	for _, p := range pats {
		if p.Like && p.Value != "" && strings.Trim(p.Value, "*") == "" {
			return true
		}
	}
	return false
}

// trueWhenAbsent is the value of a condition whose key is absent (A10.1, A9.9, A11).
func trueWhenAbsent(c *Condition) bool {
	b, known := lookupBase(c.Base)
	if !known {
		return false
	}
	if b.family == famNull {
		return nullWantsAbsent(c)
	}
	switch c.Qualifier {
	case "ForAllValues":
		return true
	case "ForAnyValue":
		return c.IfExists
	}
	return c.IfExists || b.negated
}

func nullWantsAbsent(c *Condition) bool {
	for _, v := range c.Values {
		if strings.EqualFold(v.Text, "true") {
			return true
		}
	}
	return false
}

// unreachableKeys finds condition keys that are never present (or never hold the written
// value) for the statement's callers (rule RC007).
func unreachableKeys(s *Statement) []UnreachableKey {
	oidc, placeholders, allReal := federatedInfo(s)
	var hosts, shown []string // lower-cased for matching (A8.4), as written for messages
	for _, w := range oidc {
		hosts = append(hosts, strings.ToLower(w.Host))
		shown = append(shown, w.Host)
	}
	pr := s.Principal
	federatedOnly := pr != nil && !s.NotPrincipal && !pr.Star && len(pr.Federated) > 0 &&
		len(pr.AWS) == 0 && len(pr.Service) == 0 && len(pr.CanonicalUser) == 0
	noFederated := pr != nil && !pr.Star && len(pr.Federated) == 0 && !hasStar(pr.AWS)
	var out []UnreachableKey
	for i, c := range s.Conditions {
		lk := strings.ToLower(c.Key)
		add := func(reason string) {
			out = append(out, UnreachableKey{Condition: i, Key: c.Key, Reason: reason, FailsOpen: trueWhenAbsent(c)})
		}
		switch {
		case strings.HasPrefix(lk, "https://") || strings.HasPrefix(lk, "http://"):
			add("condition keys are the provider host without https://, so this key is never present")
			continue
		case strings.HasPrefix(lk, "arn:") && strings.Contains(lk, ":oidc-provider/"):
			add("the key names the provider ARN; condition keys are the provider host (without arn:…:oidc-provider/), so this key is never present")
			continue
		}
		prefix, claim, ok := cutClaim(lk)
		if ok && claim == "aud" {
			for _, v := range c.Values {
				if looksLikeSubject(v.Text) {
					out = append(out, UnreachableKey{Condition: i, Key: c.Key, FailsOpen: conditionTrueForOtherValues(c),
						Reason: "the value " + v.Text + " is a subject (sub) claim but the key is :aud, so the audience never has it"})
					break
				}
			}
		}
		if ok && !isServicePrefix(prefix) && !strings.ContainsAny(prefix, "${}<>") {
			switch {
			case noFederated:
				add("the key is a web identity claim but the statement trusts no identity provider")
			case allReal && len(placeholders) == 0 && len(oidc) > 0 && !containsStr(hosts, prefix) && !IsWellKnownIdP(prefix):
				shownPrefix, _, _ := cutClaim(c.Key)
				add("key names provider " + shownPrefix + " but the statement trusts " + strings.Join(shown, ", "))
			}
			continue
		}
		if federatedOnly && isPrincipalKey(lk) {
			add("principal keys are absent for web identity and SAML callers (the AssumeRoleWith… request is unsigned)")
		}
	}
	return out
}

// conditionTrueForOtherValues: for a present key whose value never matches the written
// values, the condition is true iff the operator is negated (A8.3).
func conditionTrueForOtherValues(c *Condition) bool {
	b, ok := lookupBase(c.Base)
	return ok && b.negated && b.family != famNull
}

func hasStar(vs []Value) bool {
	for _, v := range vs {
		if v.Text == "*" {
			return true
		}
	}
	return false
}

func containsStr(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
