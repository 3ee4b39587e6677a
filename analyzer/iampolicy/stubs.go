package iampolicy

// TEMPORARY: signatures the evaluator helper implements; each moves to its real file and is deleted here.

import yaml "go.yaml.in/yaml/v3"

// ParseNode decodes a policy document from a positioned node: a mapping (JSON object), or a
// string holding the document URL-encoded or as plain JSON (positions are then the string's).
// It never fails: problems become Issues (code "invalid-json" etc.). file is kept in Policy.File.
func ParseNode(n *yaml.Node, file string) *Policy { panic("unimplemented") }

// Parse decodes a policy document from JSON bytes (a whole file); positions are real.
func Parse(data []byte, file string) (*Policy, error) { panic("unimplemented") }

// EvaluateTrust evaluates a role's trust policy for req (semantics.md §A.15, trust side only):
// Allow/Conditional with the Match kind, Deny when an explicit Deny applies, NotApplicable otherwise.
func EvaluateTrust(p *Policy, roleARN string, req Request) Evaluation { panic("unimplemented") }

// EvaluateIdentity evaluates identity policies (all of one caller's, already collected) for
// action on resource.
func EvaluateIdentity(policies []*Policy, action, resource string, caller Caller, ctx Context) Evaluation {
	panic("unimplemented")
}

// AnalyzeStatement computes the statement's StatementAnalysis (p gives Version for variables).
func AnalyzeStatement(p *Policy, s *Statement) StatementAnalysis { panic("unimplemented") }

func claimMatches(c ClaimConstraint, value string) bool { panic("unimplemented") }

// MatchLike is StringLike matching: * any run (incl. empty), ? exactly one character, case-sensitive.
func MatchLike(pattern, value string) bool { panic("unimplemented") }

// MatchARNLike is ArnLike: six colon-separated parts matched separately (A9.7).
func MatchARNLike(pattern, value string) bool { panic("unimplemented") }

// ARN is a parsed ARN.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits an ARN into its parts; ok is false when s is not an ARN.
func ParseARN(s string) (a ARN, ok bool) { panic("unimplemented") }
