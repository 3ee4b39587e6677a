package iampolicy

import (
	"strings"
)

// ARN is a parsed ARN.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// String renders the ARN back into its text form.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// ParseARN splits an ARN into its parts; ok is false when s is not an ARN.
// An ARN has six colon-separated parts and the sixth (the resource) keeps any further
// colons (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
// Parts are not validated beyond being present: "arn:aws:iam::${acct}:root" parses.
func ParseARN(s string) (a ARN, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return ARN{}, false
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, true
}

// knownPartitions are the AWS partitions IAM accepts in principal ARNs.
var knownPartitions = map[string]bool{
	"aws": true, "aws-cn": true, "aws-us-gov": true, "aws-iso": true, "aws-iso-b": true,
	"aws-iso-e": true, "aws-iso-f": true, "aws-eusc": true,
}

// IsKnownPartition reports whether p is an AWS partition name (aws, aws-cn, aws-us-gov, …).
func IsKnownPartition(p string) bool { return knownPartitions[p] }

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsUniqueID reports whether s looks like an IAM unique ID (AIDA…, AROA…, AGPA…, …) as IAM
// shows it in a Principal when the principal it was bound to has been deleted
// (semantics A2.6a: ^A[A-Z0-9]{15,}$).
func IsUniqueID(s string) bool {
	if len(s) < 16 || s[0] != 'A' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// AWSPrincipalForm classifies a value of a Principal "AWS" element.
type AWSPrincipalForm int

// Forms of an "AWS" principal value (semantics A2.1–A2.6).
const (
	FormInvalid       AWSPrincipalForm = iota // not a valid principal (placeholder, group, wildcard inside an ARN, …)
	FormStar                                  // "*"
	FormAccount                               // "ACCT" or arn:P:iam::ACCT:root
	FormUser                                  // arn:P:iam::ACCT:user/[path/]NAME
	FormRole                                  // arn:P:iam::ACCT:role/[path/]NAME
	FormRoleSession                           // arn:P:sts::ACCT:assumed-role/ROLE/SESSION
	FormUniqueID                              // AIDA…/AROA…: a deleted principal (A2.6a)
	FormFederatedUser                         // arn:P:sts::ACCT:federated-user/NAME
)

func (f AWSPrincipalForm) String() string {
	switch f {
	case FormStar:
		return "star"
	case FormAccount:
		return "account"
	case FormUser:
		return "user"
	case FormRole:
		return "role"
	case FormRoleSession:
		return "role-session"
	case FormUniqueID:
		return "unique-id"
	case FormFederatedUser:
		return "federated-user"
	}
	return "invalid"
}

// ClassifyAWSPrincipal says which form an "AWS" principal value has and, for the ARN and
// account forms, the account it names. Invalid values (placeholders such as
// "arn:aws:iam::${acct}:root", group ARNs, ARNs with wildcards) are FormInvalid.
func ClassifyAWSPrincipal(v string) (form AWSPrincipalForm, account string) {
	if v == "*" {
		return FormStar, ""
	}
	if IsAccountID(v) {
		return FormAccount, v
	}
	if IsUniqueID(v) {
		return FormUniqueID, ""
	}
	a, ok := ParseARN(v)
	// An empty account is the inventory's name for a role or user declared in infrastructure
	// as code whose account is known only after deployment (arn:aws:iam:::role/NAME).
	codeDeclared := a.Account == "" && a.Service == "iam" &&
		(strings.HasPrefix(a.Resource, "role/") || strings.HasPrefix(a.Resource, "user/"))
	if !ok || !IsKnownPartition(a.Partition) || !(IsAccountID(a.Account) || codeDeclared) || a.Region != "" ||
		strings.ContainsAny(v, "*?") {
		return FormInvalid, ""
	}
	switch a.Service {
	case "iam":
		switch {
		case a.Resource == "root":
			return FormAccount, a.Account
		case strings.HasPrefix(a.Resource, "user/") && lastSegment(a.Resource) != "":
			return FormUser, a.Account
		case strings.HasPrefix(a.Resource, "role/") && lastSegment(a.Resource) != "":
			return FormRole, a.Account
		}
	case "sts":
		if rest, ok := strings.CutPrefix(a.Resource, "assumed-role/"); ok {
			if role, sess, ok := strings.Cut(rest, "/"); ok && role != "" && sess != "" && !strings.Contains(sess, "/") {
				return FormRoleSession, a.Account
			}
		}
		if name, ok := strings.CutPrefix(a.Resource, "federated-user/"); ok && name != "" {
			return FormFederatedUser, a.Account
		}
	}
	return FormInvalid, ""
}

// AccountOf returns the account an "AWS" principal value names ("ACCT", arn:…:root, user,
// role or session ARNs); ok is false for "*", unique IDs and invalid values.
func AccountOf(principalValue string) (string, bool) {
	_, acct := ClassifyAWSPrincipal(principalValue)
	return acct, acct != ""
}

// AccountOfARN returns the account field of any ARN when it is a 12-digit account ID.
func AccountOfARN(arn string) (string, bool) {
	a, ok := ParseARN(arn)
	if !ok || !IsAccountID(a.Account) {
		return "", false
	}
	return a.Account, true
}

// OIDCProviderHost returns HOST[/PATH] of an IAM OIDC provider ARN
// arn:P:iam::ACCT:oidc-provider/HOST[/PATH]: the prefix of that provider's condition keys
// (semantics B1.2, B2.4). The account is not validated, so templated ARNs still yield a host.
func OIDCProviderHost(arn string) (string, bool) {
	a, ok := ParseARN(arn)
	if !ok || a.Service != "iam" {
		return "", false
	}
	host, ok := strings.CutPrefix(a.Resource, "oidc-provider/")
	if !ok || host == "" {
		return "", false
	}
	return host, true
}

// IsSAMLProviderARN reports whether s is arn:P:iam::ACCT:saml-provider/NAME.
func IsSAMLProviderARN(s string) bool {
	a, ok := ParseARN(s)
	return ok && a.Service == "iam" && strings.HasPrefix(a.Resource, "saml-provider/") && len(a.Resource) > len("saml-provider/")
}

// wellKnownIdPs are the web identity providers named directly in Federated (A2.7).
var wellKnownIdPs = map[string]bool{
	"cognito-identity.amazonaws.com": true,
	"www.amazon.com":                 true,
	"graph.facebook.com":             true,
	"accounts.google.com":            true,
}

// IsWellKnownIdP reports whether s is a Federated web identity provider named without an
// ARN (cognito-identity.amazonaws.com, www.amazon.com, graph.facebook.com, accounts.google.com).
func IsWellKnownIdP(s string) bool { return wellKnownIdPs[s] }

// ProviderKind classifies an OIDC issuer host/path: "eks" for an EKS cluster issuer
// (oidc.eks.REGION.amazonaws.com[.cn]/id/ID), "github" for GitHub Actions
// (token.actions.githubusercontent.com, optionally with an enterprise path), else "other".
func ProviderKind(host string) string {
	h := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://"))
	if rest, ok := strings.CutPrefix(h, "oidc.eks."); ok {
		name, path, _ := strings.Cut(rest, "/")
		if (strings.HasSuffix(name, ".amazonaws.com") || strings.HasSuffix(name, ".amazonaws.com.cn")) &&
			strings.HasPrefix(path, "id/") {
			return "eks"
		}
	}
	if h == "token.actions.githubusercontent.com" || strings.HasPrefix(h, "token.actions.githubusercontent.com/") {
		return "github"
	}
	return "other"
}

// RoleNameOf returns the role name (without path) of a role ARN arn:P:iam::ACCT:role/[path/]NAME.
func RoleNameOf(roleARN string) (string, bool) {
	a, ok := ParseARN(roleARN)
	if !ok || !strings.HasPrefix(a.Resource, "role/") {
		return "", false
	}
	n := lastSegment(a.Resource)
	return n, n != ""
}

func lastSegment(resource string) string {
	if i := strings.LastIndexByte(resource, '/'); i >= 0 {
		return resource[i+1:]
	}
	return resource
}

// ---- wildcard matching ----

// pchar is one element of a compiled wildcard pattern.
type pchar struct {
	r    rune
	kind uint8 // litChar, starChar, oneChar
}

const (
	litChar uint8 = iota
	starChar
	oneChar
)

// compileLike turns a StringLike pattern into pattern elements: * and ? are wildcards.
func compileLike(pattern string) []pchar {
	out := make([]pchar, 0, len(pattern))
	for _, r := range pattern {
		switch r {
		case '*':
			out = append(out, pchar{kind: starChar})
		case '?':
			out = append(out, pchar{kind: oneChar})
		default:
			out = append(out, pchar{r: r})
		}
	}
	return out
}

func literalPattern(s string) []pchar {
	out := make([]pchar, 0, len(s))
	for _, r := range s {
		out = append(out, pchar{r: r})
	}
	return out
}

// matchPattern matches value against compiled pattern elements. It is the classic
// two-pointer glob match with single-star backtracking: linear in practice, O(n·m) worst
// case, never exponential (so adversarial policies cannot stall the tool).
func matchPattern(p []pchar, value string) bool {
	s := []rune(value)
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi].kind == starChar:
			starP, starS = pi, si
			pi++
		case pi < len(p) && (p[pi].kind == oneChar || p[pi].r == s[si]):
			pi++
			si++
		case starP >= 0:
			starS++
			si = starS
			pi = starP + 1
		default:
			return false
		}
	}
	for pi < len(p) && p[pi].kind == starChar {
		pi++
	}
	return pi == len(p)
}

// MatchLike is StringLike matching: * any run (incl. empty), ? exactly one character, case-sensitive.
// Wildcards span any character, including / and : (IAM condition operators, A9.1).
func MatchLike(pattern, value string) bool { return matchPattern(compileLike(pattern), value) }

// MatchARNLike is ArnLike: six colon-separated parts matched separately (A9.7), so a * in
// one part never spans a colon; the sixth part (resource) keeps its colons and is matched
// as a whole. A value that is not an ARN never matches; a pattern that is not an ARN is
// matched per part too. Exception (tool policy): the bare pattern "*" matches every value —
// the reading that grants, since a security tool must not under-report access.
// Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
// (reference split-and-match: kubernetes-sigs/aws-iam-authenticator pkg/arn/arnlike.go).
func MatchARNLike(pattern, value string) bool {
	return matchARNPattern(compileLike(pattern), value)
}

// splitPattern6 splits compiled pattern elements at literal colons into at most six parts.
func splitPattern6(p []pchar) [][]pchar {
	var parts [][]pchar
	start := 0
	for i, c := range p {
		if len(parts) == 5 {
			break
		}
		if c.kind == litChar && c.r == ':' {
			parts = append(parts, p[start:i])
			start = i + 1
		}
	}
	return append(parts, p[start:])
}

func matchARNPattern(p []pchar, value string) bool {
	if len(p) == 1 && p[0].kind == starChar {
		return true
	}
	vparts := strings.SplitN(value, ":", 6)
	pparts := splitPattern6(p)
	if len(vparts) != 6 || len(pparts) != 6 {
		return false
	}
	for i := range 6 {
		if !matchPattern(pparts[i], vparts[i]) {
			return false
		}
	}
	return true
}

// matchAction matches an IAM action pattern ("sts:Assume*", "*") against an action: the
// service prefix and name are case-insensitive (A3.2), * and ? are wildcards (A3.3).
func matchAction(pattern, action string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return strings.EqualFold(pattern, action)
	}
	return MatchLike(strings.ToLower(pattern), strings.ToLower(action))
}

// MatchAction reports whether an Action element value (e.g. "sts:Assume*") covers action.
func MatchAction(pattern, action string) bool { return matchAction(pattern, action) }
