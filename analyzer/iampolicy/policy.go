// Package iampolicy owns IAM policy semantics: the policy document model, its validation,
// and exact evaluation of trust and identity policies (principals, actions, conditions, ARNs).
// Everything here is a pure function of its arguments; the spec is docs/semantics.md §A.
package iampolicy

import "strings"

// Pos is a 1-based line and column inside the policy's file (0 when unknown).
type Pos struct {
	Line   int
	Column int
}

// Policy is a decoded, normalised policy document. Elements keep their positions.
type Policy struct {
	// File is the file the document came from ("" for live data).
	File string
	// Pos is the position of the document itself (the object, or the encoded string holding it).
	Pos Pos
	// Encoded is true when the document was a URL-encoded (or plain JSON) string, so every
	// element's position is the string's position.
	Encoded    bool
	Version    string
	VersionPos Pos
	ID         string
	Statements []*Statement
	// Indeterminate are the statements that depend on values unknown until deployment
	// (infrastructure as code); they are not in Statements.
	Indeterminate []IndeterminateStatement
	// Issues are the problems IAM would reject the document for (or that make it not what
	// the author meant at the document level), in document order.
	Issues []Issue
}

// Issue is one validity problem of a document. Statement is the statement's index, or -1.
type Issue struct {
	Code      string // stable kebab-case code, e.g. "wildcard-in-principal-arn"
	Message   string // says what is wrong and what was expected
	Statement int
	Pos       Pos
	// Warning is true when IAM may well accept the document (a tool-policy warning such as
	// "duplicate-key", "resource-in-trust-policy", "invalid-sid", "dangling-unique-id"), false
	// when IAM rejects it. See the Code… constants and IsWarningCode.
	Warning bool
}

// Statement is one statement; string-or-list elements are always lists.
type Statement struct {
	Index  int
	Pos    Pos
	Sid    string
	Effect string // as written; "Allow" or "Deny" when valid
	// Principal is nil when the statement has neither Principal nor NotPrincipal.
	Principal    *Principal
	NotPrincipal bool
	Actions      []Value
	NotAction    bool
	Resources    []Value
	NotResource  bool
	Conditions   []*Condition
}

// Principal holds a Principal (or NotPrincipal) element.
type Principal struct {
	Pos Pos
	// Star is true for the bare form "Principal": "*".
	Star          bool
	AWS           []Value
	Federated     []Value
	Service       []Value
	CanonicalUser []Value
}

// Value is a string element with its position; non-string JSON scalars are kept as their JSON text.
type Value struct {
	Text string
	Pos  Pos
}

// Condition is one (operator, key) pair of a Condition block, with its values.
type Condition struct {
	Pos Pos
	// Operator as written, e.g. "ForAllValues:StringLikeIfExists".
	Operator string
	// Base is the canonical operator without qualifier or IfExists, e.g. "StringLike";
	// "" when the operator is unknown (an Issue is recorded).
	Base      string
	Qualifier string // "ForAllValues", "ForAnyValue" or ""
	IfExists  bool
	Negated   bool   // StringNotEquals, StringNotLike, ArnNotEquals, ArnNotLike, NumericNotEquals, DateNotEquals, NotIpAddress, StringNotEqualsIgnoreCase
	Key       string // as written
	KeyPos    Pos
	Values    []Value

	keyLower string // Key lower-cased at parse time; see lowerKey
}

// lowerKey is the key as the request context is looked up (case-insensitively, A8.4).
func (c *Condition) lowerKey() string {
	if c.keyLower != "" {
		return c.keyLower
	}
	return strings.ToLower(c.Key)
}
