package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/rolecall/rolecall/analyzer/docnode"
	yaml "go.yaml.in/yaml/v3"
)

// Issue codes. Codes are stable: rules and suppressions refer to them.
const (
	CodeInvalidJSON              = "invalid-json"       // not JSON / not an object
	CodeUndecodableString        = "undecodable-string" // string document that is not URL-encoded JSON
	CodeDuplicateKey             = "duplicate-key"      // warning: last duplicate wins (A1.6)
	CodeInvalidVersion           = "invalid-version"    // Version other than 2012-10-17 / 2008-10-17
	CodeInvalidID                = "invalid-id"         // Id is not a string
	CodeUnknownElement           = "unknown-element"    // element IAM does not know (e.g. "effect")
	CodeMissingStatement         = "missing-statement"  // no Statement
	CodeInvalidStatement         = "invalid-statement"  // Statement (or an item) not an object
	CodeMissingEffect            = "missing-effect"     //
	CodeInvalidEffect            = "invalid-effect"     // Effect other than "Allow"/"Deny"
	CodeMissingPrincipal         = "missing-principal"  // trust policy statement without Principal
	CodePrincipalInIdentity      = "principal-in-identity-policy"
	CodePrincipalAndNotPrincipal = "principal-and-notprincipal"
	CodeNotPrincipalInTrust      = "notprincipal-in-trust-policy" // A1.3: evaluated as non-matching
	CodeInvalidPrincipal         = "invalid-principal"            // malformed Principal element or value
	CodeInvalidAccountID         = "invalid-account-id"           // account field not 12 digits (placeholders)
	CodeWildcardInPrincipalARN   = "wildcard-in-principal-arn"    // X11, A2.3
	CodeGroupPrincipal           = "group-principal"              // A2.10
	CodeInvalidFederated         = "invalid-federated-principal"  // not an OIDC/SAML provider ARN or well-known IdP
	CodeCanonicalUserPrincipal   = "canonical-user-principal"     // warning: never matches in a trust policy (A2.9)
	CodeDanglingUniqueID         = "dangling-unique-id"           // warning: deleted principal (A2.6a)
	CodeMissingAction            = "missing-action"
	CodeActionAndNotAction       = "action-and-notaction"
	CodeInvalidAction            = "invalid-action" // not "*" or "service:action"
	CodeResourceInTrust          = "resource-in-trust-policy"
	CodeMissingResource          = "missing-resource" // identity policy statement without Resource
	CodeResourceAndNotResource   = "resource-and-notresource"
	CodeInvalidCondition         = "invalid-condition"          // Condition block not shaped operator → key → values
	CodeUnknownOperator          = "unknown-condition-operator" //
	CodeInvalidConditionValue    = "invalid-condition-value"    // object/null as a condition value
	CodeInvalidSid               = "invalid-sid"                // warning: Sid not alphanumeric
	CodeDuplicateSid             = "duplicate-sid"              // warning
	CodeInvalidElementType       = "invalid-element-type"       // e.g. Action is a number or an object
)

// warningCodes are the codes where IAM may accept the document (tool-policy warnings).
var warningCodes = map[string]bool{
	CodeDuplicateKey: true, CodeResourceInTrust: true, CodeInvalidSid: true, CodeDuplicateSid: true,
	CodeDanglingUniqueID: true, CodeCanonicalUserPrincipal: true,
}

// IsWarningCode reports whether issues with code are warnings (IAM may accept the document)
// rather than certain rejections.
func IsWarningCode(code string) bool { return warningCodes[code] }

// parser holds the state of one document decode.
type parser struct {
	p        *Policy
	identity bool // identity (permissions) policy rules instead of trust policy rules
	encoded  bool
	base     Pos // the encoded string's position, used for every element when encoded
}

func (ps *parser) pos(n *yaml.Node) Pos {
	if ps.encoded || n == nil {
		return ps.base
	}
	return Pos{Line: n.Line, Column: n.Column}
}

func (ps *parser) issue(code string, stmt int, n *yaml.Node, format string, args ...any) {
	pos := ps.pos(n)
	if pos.Line == 0 {
		pos = ps.p.Pos
	}
	ps.p.Issues = append(ps.p.Issues, Issue{
		Code: code, Message: fmt.Sprintf(format, args...), Statement: stmt, Pos: pos, Warning: warningCodes[code],
	})
}

// ParseNode decodes a policy document from a positioned node: a mapping (JSON object), or a
// string holding the document URL-encoded or as plain JSON (positions are then the string's).
// It never fails: problems become Issues (code "invalid-json" etc.). file is kept in Policy.File.
// The document is validated as a role trust policy (Principal required, no NotPrincipal,
// Resource warned about: semantics A1.2, A1.3).
func ParseNode(n *yaml.Node, file string) *Policy { return parseNode(n, file, false) }

// ParseIdentityNode is ParseNode for identity-based (permissions) policies and permissions
// boundaries: Principal/NotPrincipal are not allowed and Resource/NotResource is required.
func ParseIdentityNode(n *yaml.Node, file string) *Policy { return parseNode(n, file, true) }

// Parse decodes a trust policy document from JSON bytes (a whole file); positions are real.
// The returned Policy is never nil: when data is not a JSON document it has an
// "invalid-json" Issue at the error's position, and err is a *docnode.PosError with the
// same position (so callers that only need a yes/no can branch on it).
func Parse(data []byte, file string) (*Policy, error) { return parseBytes(data, file, false) }

// ParseIdentity is Parse for identity-based policies (see ParseIdentityNode).
func ParseIdentity(data []byte, file string) (*Policy, error) { return parseBytes(data, file, true) }

func parseBytes(data []byte, file string, identity bool) (*Policy, error) {
	fail := func(pe *docnode.PosError) (*Policy, error) {
		pe.File = file
		p := &Policy{File: file, Pos: Pos{Line: pe.Line, Column: pe.Column}}
		p.Issues = append(p.Issues, Issue{Code: CodeInvalidJSON, Message: pe.Msg, Statement: -1, Pos: p.Pos})
		return p, pe
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if !docnode.LooksLikeJSON(data) {
		// A whole file may also be one JSON string holding the document (an API value
		// saved as is); anything else is not a policy document.
		if len(trimmed) > 0 && trimmed[0] == '"' && json.Valid(trimmed) {
			var n yaml.Node
			if err := yaml.Unmarshal(trimmed, &n); err == nil && len(n.Content) == 1 {
				n.Content[0].Line += bytes.Count(data[:len(data)-len(trimmed)], []byte("\n"))
				return parseNode(n.Content[0], file, identity), nil
			}
		}
		return fail(jsonSyntaxError(data))
	}
	docs, err := docnode.Parse(file, data)
	if err != nil {
		var pe *docnode.PosError
		if errors.As(err, &pe) {
			return fail(pe)
		}
		return fail(&docnode.PosError{Line: 1, Column: 1, Msg: "invalid JSON: " + err.Error()})
	}
	if len(docs) == 0 {
		return fail(&docnode.PosError{Line: 1, Column: 1, Msg: "empty document: expected a JSON policy object"})
	}
	return parseNode(docs[0].Root, file, identity), nil
}

// jsonSyntaxError positions the first JSON syntax error of data.
func jsonSyntaxError(data []byte) *docnode.PosError {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	err := dec.Decode(&v)
	var se *json.SyntaxError
	switch {
	case err == nil:
		line, col := docnode.LineCol(data, int(dec.InputOffset()))
		if _, terr := dec.Token(); terr != io.EOF {
			return &docnode.PosError{Line: line, Column: col, Msg: "invalid JSON: unexpected content after the first value (the file looks like a fragment): expected one policy object starting with {"}
		}
		return &docnode.PosError{Line: line, Column: col, Msg: "invalid JSON: the document is a JSON value that is not an object: expected a policy object starting with {"}
	case errors.As(err, &se):
		line, col := docnode.LineCol(data, int(se.Offset)-1)
		return &docnode.PosError{Line: line, Column: col, Msg: "invalid JSON: " + se.Error() + " (expected a policy object starting with {)"}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		line, col := docnode.LineCol(data, len(data))
		return &docnode.PosError{Line: line, Column: col, Msg: "invalid JSON: unexpected end of input (expected a policy object)"}
	}
	return &docnode.PosError{Line: 1, Column: 1, Msg: "invalid JSON: " + err.Error()}
}

func parseNode(n *yaml.Node, file string, identity bool) *Policy {
	p := &Policy{File: file}
	ps := &parser{p: p, identity: identity}
	n = docnode.Resolve(n)
	if n == nil {
		p.Issues = append(p.Issues, Issue{Code: CodeInvalidJSON, Message: "no policy document: expected a JSON object or an encoded policy string", Statement: -1})
		return p
	}
	p.Pos = Pos{Line: n.Line, Column: n.Column}
	if n.Kind == yaml.ScalarNode {
		return ps.parseEncoded(n)
	}
	if n.Kind != yaml.MappingNode {
		ps.issue(CodeInvalidJSON, -1, n, "policy document is a %s: expected a JSON object with a Statement element", kindName(n))
		return p
	}
	ps.parseDocument(n)
	return p
}

// parseEncoded decodes a string document: URL-encoded JSON as IAM APIs return it (F1.1,
// decoded with url.PathUnescape like botocore's unquote, F1.3) or plain JSON text.
func (ps *parser) parseEncoded(n *yaml.Node) *Policy {
	p := ps.p
	ps.encoded = true
	ps.base = p.Pos
	p.Encoded = true
	if !docnode.IsString(n) {
		ps.issue(CodeInvalidJSON, -1, n, "policy document is the scalar %q: expected a JSON object or an encoded policy string", truncate(n.Value, 40))
		return p
	}
	text := strings.TrimSpace(n.Value)
	if !strings.HasPrefix(text, "{") {
		dec, err := url.PathUnescape(text)
		if err != nil {
			ps.issue(CodeUndecodableString, -1, n, "policy string is not URL-encoded JSON (%v): expected the URL-encoded form IAM APIs return, or a JSON object", err)
			return p
		}
		text = strings.TrimSpace(dec)
	}
	if !strings.HasPrefix(text, "{") {
		ps.issue(CodeUndecodableString, -1, n, "decoded policy string starts with %q: expected a JSON object starting with {", truncate(text, 20))
		return p
	}
	docs, err := docnode.Parse("", []byte(text))
	if err != nil {
		var pe *docnode.PosError
		msg := err.Error()
		if errors.As(err, &pe) {
			msg = fmt.Sprintf("%s (at line %d, column %d of the decoded document)", pe.Msg, pe.Line, pe.Column)
		}
		ps.issue(CodeInvalidJSON, -1, n, "%s", msg)
		return p
	}
	if len(docs) == 0 || !docnode.IsMap(docs[0].Root) {
		ps.issue(CodeInvalidJSON, -1, n, "decoded policy string is not a JSON object")
		return p
	}
	ps.parseDocument(docs[0].Root)
	return p
}

var topLevelElements = map[string]bool{"Version": true, "Id": true, "Statement": true}

var statementElements = map[string]bool{
	"Sid": true, "Effect": true, "Principal": true, "NotPrincipal": true, "Action": true, "NotAction": true,
	"Resource": true, "NotResource": true, "Condition": true,
}

func (ps *parser) parseDocument(m *yaml.Node) {
	p := ps.p
	ps.checkDuplicates(m, -1)
	for _, kv := range docnode.Pairs(m) {
		if !topLevelElements[kv[0].Value] {
			ps.issue(CodeUnknownElement, -1, kv[0], "unknown policy element %q: expected Version, Id or Statement (element names are case-sensitive)", kv[0].Value)
		}
	}
	if k, v := docnode.Lookup(m, "Version"); k != nil {
		p.VersionPos = ps.pos(v)
		s, ok := docnode.Str(v)
		if !ok || !docnode.IsString(v) {
			ps.issue(CodeInvalidVersion, -1, v, "Version is not a string: expected \"2012-10-17\"")
		} else {
			p.Version = s
			if s != "2012-10-17" && s != "2008-10-17" {
				ps.issue(CodeInvalidVersion, -1, v, "unknown Version %q: expected \"2012-10-17\" (or the legacy \"2008-10-17\")", s)
			}
		}
	}
	if k, v := docnode.Lookup(m, "Id"); k != nil {
		if s, ok := docnode.Str(v); ok && docnode.IsString(v) {
			p.ID = s
		} else {
			ps.issue(CodeInvalidID, -1, v, "Id is not a string")
		}
	}
	k, v := docnode.Lookup(m, "Statement")
	if k == nil {
		ps.issue(CodeMissingStatement, -1, m, "policy has no Statement element: expected \"Statement\": [ … ]")
		return
	}
	var items []*yaml.Node
	switch {
	case docnode.IsMap(v):
		items = []*yaml.Node{v}
	case v != nil && v.Kind == yaml.SequenceNode:
		items = docnode.Items(v)
		if len(items) == 0 {
			ps.issue(CodeInvalidStatement, -1, v, "Statement is an empty list: expected at least one statement object")
		}
	default:
		ps.issue(CodeInvalidStatement, -1, v, "Statement is a %s: expected a statement object or a list of them", kindName(v))
		return
	}
	sids := map[string]bool{}
	for i, it := range items {
		idx := len(p.Statements)
		if u := unknownsBelow(it); len(u) > 0 {
			p.Indeterminate = append(p.Indeterminate, IndeterminateStatement{Index: i, Pos: ps.pos(it), Unknowns: u})
			continue
		}
		if !docnode.IsMap(it) {
			ps.issue(CodeInvalidStatement, -1, it, "statement %d is a %s: expected an object with Effect, Principal, Action", idx, kindName(it))
			continue
		}
		s := ps.parseStatement(it, idx)
		if s.Sid != "" {
			if sids[s.Sid] {
				ps.issue(CodeDuplicateSid, idx, it, "Sid %q is used by an earlier statement: Sids must be unique within a policy", s.Sid)
			}
			sids[s.Sid] = true
		}
		p.Statements = append(p.Statements, s)
	}
}

// checkDuplicates reports duplicate keys in every mapping below m (A1.6: last wins, as
// botocore's json.loads and Go's encoding/json do).
func (ps *parser) checkDuplicates(m *yaml.Node, stmt int) {
	ps.checkDuplicatesIn(m, stmt, map[*yaml.Node]bool{})
}

// checkDuplicatesIn visits each node once: YAML aliases may repeat a subtree exponentially.
func (ps *parser) checkDuplicatesIn(m *yaml.Node, stmt int, visited map[*yaml.Node]bool) {
	m = docnode.Resolve(m)
	if m == nil || visited[m] {
		return
	}
	visited[m] = true
	switch m.Kind {
	case yaml.MappingNode:
		seen := map[string]bool{}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := m.Content[i]
			if seen[k.Value] {
				ps.issue(CodeDuplicateKey, stmt, k, "duplicate key %q: the last occurrence wins (IAM APIs and the AWS CLI keep the last), earlier values are ignored", k.Value)
			}
			seen[k.Value] = true
			ps.checkDuplicatesIn(m.Content[i+1], stmt, visited)
		}
	case yaml.SequenceNode:
		for _, c := range m.Content {
			ps.checkDuplicatesIn(c, stmt, visited)
		}
	}
}

func (ps *parser) parseStatement(m *yaml.Node, idx int) *Statement {
	s := &Statement{Index: idx, Pos: ps.pos(m)}
	for _, kv := range docnode.Pairs(m) {
		if !statementElements[kv[0].Value] {
			ps.issue(CodeUnknownElement, idx, kv[0], "unknown statement element %q: expected Sid, Effect, Principal, Action, Resource or Condition (element names are case-sensitive)", kv[0].Value)
		}
	}
	if k, v := docnode.Lookup(m, "Sid"); k != nil {
		if str, ok := docnode.Str(v); ok && docnode.IsString(v) {
			s.Sid = str
			if !isAlnum(str) {
				ps.issue(CodeInvalidSid, idx, v, "Sid %q contains characters other than A-Z, a-z, 0-9: IAM policies require an alphanumeric Sid", str)
			}
		} else {
			ps.issue(CodeInvalidSid, idx, v, "Sid is a %s: expected an alphanumeric string", kindName(v))
		}
	}
	if k, v := docnode.Lookup(m, "Effect"); k == nil {
		ps.issue(CodeMissingEffect, idx, m, "statement %d has no Effect: expected \"Effect\": \"Allow\" or \"Deny\"", idx)
	} else {
		str, _ := docnode.Str(v)
		s.Effect = str
		if !docnode.IsString(v) || (str != "Allow" && str != "Deny") {
			ps.issue(CodeInvalidEffect, idx, v, "invalid Effect %q: expected \"Allow\" or \"Deny\" (case-sensitive)", str)
		}
	}
	ps.parsePrincipals(m, s)
	s.Actions, s.NotAction = ps.parseActions(m, s)
	ps.parseResources(m, s)
	if k, v := docnode.Lookup(m, "Condition"); k != nil {
		s.Conditions = ps.parseConditions(v, idx)
	}
	return s
}

func (ps *parser) parsePrincipals(m *yaml.Node, s *Statement) {
	idx := s.Index
	pk, pv := docnode.Lookup(m, "Principal")
	nk, nv := docnode.Lookup(m, "NotPrincipal")
	if ps.identity {
		if pk != nil || nk != nil {
			k := pk
			if k == nil {
				k = nk
			}
			ps.issue(CodePrincipalInIdentity, idx, k, "identity-based policies must not name a Principal: the principal is the identity the policy is attached to")
		}
		return
	}
	switch {
	case pk == nil && nk == nil:
		ps.issue(CodeMissingPrincipal, idx, m, "statement %d has no Principal: a role trust policy must say who may assume the role", idx)
		return
	case pk != nil && nk != nil:
		ps.issue(CodePrincipalAndNotPrincipal, idx, nk, "statement has both Principal and NotPrincipal: expected exactly one")
	}
	if pk != nil {
		s.Principal = ps.parsePrincipal(pv, idx)
		return
	}
	// A1.3: NotPrincipal is not allowed in role trust policies; keep it (NotPrincipal=true)
	// so evaluation can treat the statement as non-matching.
	ps.issue(CodeNotPrincipalInTrust, idx, nk, "NotPrincipal cannot be used in a role trust policy: expected Principal (the statement is evaluated as matching nobody)")
	s.NotPrincipal = true
	s.Principal = ps.parsePrincipal(nv, idx)
}

func (ps *parser) parsePrincipal(v *yaml.Node, idx int) *Principal {
	pr := &Principal{Pos: ps.pos(v)}
	if str, ok := docnode.Str(v); ok && v.Kind == yaml.ScalarNode {
		if str == "*" {
			// F1.4: "Principal": "*" ≡ {"AWS": "*"} (A2.1).
			pr.Star = true
			pr.AWS = []Value{{Text: "*", Pos: ps.pos(v)}}
		} else {
			ps.issue(CodeInvalidPrincipal, idx, v, "Principal is the string %q: expected \"*\" or an object such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}", str)
		}
		return pr
	}
	if !docnode.IsMap(v) {
		ps.issue(CodeInvalidPrincipal, idx, v, "Principal is a %s: expected \"*\" or an object with AWS, Federated or Service", kindName(v))
		return pr
	}
	pairs := docnode.Pairs(v)
	if len(pairs) == 0 {
		ps.issue(CodeInvalidPrincipal, idx, v, "Principal is an empty object: expected AWS, Federated or Service")
	}
	for _, kv := range pairs {
		vals := ps.stringList(kv[1], idx, "Principal "+kv[0].Value)
		switch kv[0].Value {
		case "AWS":
			pr.AWS = vals
			for _, x := range vals {
				ps.checkAWSPrincipal(x, idx, kv[1])
			}
		case "Federated":
			pr.Federated = vals
			for _, x := range vals {
				ps.checkFederated(x, idx, kv[1])
			}
		case "Service":
			pr.Service = vals
			for _, x := range vals {
				if x.Text == "" || strings.ContainsAny(x.Text, " /:") {
					ps.issueAt(CodeInvalidPrincipal, idx, x.Pos, "invalid service principal %q: expected a service name such as \"pods.eks.amazonaws.com\"", x.Text)
				}
			}
		case "CanonicalUser":
			pr.CanonicalUser = vals
			ps.issue(CodeCanonicalUserPrincipal, idx, kv[0], "CanonicalUser principals are an S3 concept and never match in a role trust policy (A2.9)")
		default:
			ps.issue(CodeInvalidPrincipal, idx, kv[0], "unknown principal type %q: expected AWS, Federated, Service or CanonicalUser (case-sensitive)", kv[0].Value)
		}
	}
	return pr
}

func (ps *parser) issueAt(code string, stmt int, pos Pos, format string, args ...any) {
	if pos.Line == 0 {
		pos = ps.p.Pos
	}
	ps.p.Issues = append(ps.p.Issues, Issue{Code: code, Message: fmt.Sprintf(format, args...), Statement: stmt, Pos: pos, Warning: warningCodes[code]})
}

func (ps *parser) checkAWSPrincipal(x Value, idx int, _ *yaml.Node) {
	v := x.Text
	form, _ := ClassifyAWSPrincipal(v)
	switch form {
	case FormUniqueID:
		ps.issueAt(CodeDanglingUniqueID, idx, x.Pos, "principal %q is a unique ID, not an ARN: IAM shows this when the principal was deleted; it matches only that deleted principal, not a re-created one with the same name (A2.6)", v)
		return
	case FormInvalid:
	default:
		return
	}
	a, isARN := ParseARN(v)
	switch {
	case !isARN && strings.Contains(v, "*"):
		ps.issueAt(CodeWildcardInPrincipalARN, idx, x.Pos, "principal %q contains a wildcard: * is only allowed alone; use \"*\" with an ArnLike aws:PrincipalArn condition", v)
	case !isARN:
		ps.issueAt(CodeInvalidPrincipal, idx, x.Pos, "AWS principal %q is not an ARN or account ID: expected \"*\", a 12-digit account ID, or an IAM user/role/assumed-role ARN", v)
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "group/"):
		ps.issueAt(CodeGroupPrincipal, idx, x.Pos, "principal %q is an IAM group: groups cannot be principals; name the users or roles, or the account", v)
	case strings.ContainsAny(v, "*?"):
		ps.issueAt(CodeWildcardInPrincipalARN, idx, x.Pos, "principal ARN %q contains a wildcard: * is only allowed alone (\"*\"); to match a pattern use \"*\" with an ArnLike aws:PrincipalArn condition", v)
	case !IsAccountID(a.Account):
		ps.issueAt(CodeInvalidAccountID, idx, x.Pos, "principal ARN %q has account %q: expected a 12-digit account ID", v, a.Account)
	case !IsKnownPartition(a.Partition):
		ps.issueAt(CodeInvalidPrincipal, idx, x.Pos, "principal ARN %q has unknown partition %q: expected aws, aws-cn or aws-us-gov", v, a.Partition)
	default:
		ps.issueAt(CodeInvalidPrincipal, idx, x.Pos, "principal ARN %q is not a valid principal: expected arn:PARTITION:iam::ACCOUNT:root, …:user/NAME, …:role/NAME or arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION", v)
	}
}

func (ps *parser) checkFederated(x Value, idx int, _ *yaml.Node) {
	v := x.Text
	if IsWellKnownIdP(v) {
		return
	}
	a, ok := ParseARN(v)
	_, isOIDC := OIDCProviderHost(v)
	switch {
	case !ok || !(isOIDC || IsSAMLProviderARN(v)):
		ps.issueAt(CodeInvalidFederated, idx, x.Pos, "Federated principal %q is not an identity provider: expected arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST, …:saml-provider/NAME, or a well-known IdP such as accounts.google.com", v)
	case strings.ContainsAny(v, "*?"):
		ps.issueAt(CodeWildcardInPrincipalARN, idx, x.Pos, "Federated principal %q contains a wildcard: provider ARNs must be exact", v)
	case !IsAccountID(a.Account) && a.Account != "":
		// An empty account is the inventory's name for a provider declared in infrastructure
		// as code whose account is known only after deployment
		// (arn:aws:iam:::oidc-provider/HOST), not an account written wrong.
		ps.issueAt(CodeInvalidAccountID, idx, x.Pos, "Federated provider ARN %q has account %q: expected a 12-digit account ID", v, a.Account)
	case !IsKnownPartition(a.Partition):
		ps.issueAt(CodeInvalidFederated, idx, x.Pos, "Federated provider ARN %q has unknown partition %q: expected aws, aws-cn or aws-us-gov", v, a.Partition)
	}
}

// stringList reads a string-or-list element (A1.4) into Values; non-string scalars keep
// their JSON text (A8.5) and nested objects/lists are reported.
func (ps *parser) stringList(v *yaml.Node, idx int, what string) []Value {
	v = docnode.Resolve(v)
	if v == nil {
		return nil
	}
	switch v.Kind {
	case yaml.ScalarNode:
		if _, ok := docnode.Str(v); !ok {
			ps.issue(CodeInvalidElementType, idx, v, "%s is null: expected a string or a list of strings", what)
			return nil
		}
		return []Value{{Text: v.Value, Pos: ps.pos(v)}}
	case yaml.SequenceNode:
		var out []Value
		for _, it := range docnode.Items(v) {
			if it != nil && it.Kind == yaml.ScalarNode {
				if _, ok := docnode.Str(it); ok {
					out = append(out, Value{Text: it.Value, Pos: ps.pos(it)})
					continue
				}
			}
			ps.issue(CodeInvalidElementType, idx, it, "%s contains a %s: expected strings", what, kindName(it))
		}
		return out
	}
	ps.issue(CodeInvalidElementType, idx, v, "%s is a %s: expected a string or a list of strings", what, kindName(v))
	return nil
}

func (ps *parser) parseActions(m *yaml.Node, s *Statement) ([]Value, bool) {
	idx := s.Index
	ak, av := docnode.Lookup(m, "Action")
	nk, nv := docnode.Lookup(m, "NotAction")
	if ak == nil && nk == nil {
		ps.issue(CodeMissingAction, idx, m, "statement %d has no Action: expected e.g. \"Action\": \"sts:AssumeRole\"", idx)
		return nil, false
	}
	if ak != nil && nk != nil {
		ps.issue(CodeActionAndNotAction, idx, nk, "statement has both Action and NotAction: expected exactly one")
	}
	not := ak == nil
	v, name := av, "Action"
	if not {
		v, name = nv, "NotAction"
	}
	vals := ps.stringList(v, idx, name)
	for _, x := range vals {
		if x.Text == "*" {
			continue
		}
		svc, act, ok := strings.Cut(x.Text, ":")
		if !ok || svc == "" || act == "" || strings.ContainsAny(svc, " ") || strings.Contains(act, ":") {
			ps.issueAt(CodeInvalidAction, idx, x.Pos, "%s %q is not an action: expected \"service:Action\" such as \"sts:AssumeRole\", or \"*\"", name, x.Text)
		}
	}
	return vals, not
}

func (ps *parser) parseResources(m *yaml.Node, s *Statement) {
	idx := s.Index
	rk, rv := docnode.Lookup(m, "Resource")
	nk, nv := docnode.Lookup(m, "NotResource")
	if !ps.identity {
		if rk != nil || nk != nil {
			k := rk
			if k == nil {
				k = nk
			}
			ps.issue(CodeResourceInTrust, idx, k, "Resource is not used in a role trust policy (the resource is the role itself); IAM may reject it, and it is ignored here")
		}
	} else {
		switch {
		case rk == nil && nk == nil:
			ps.issue(CodeMissingResource, idx, m, "statement %d has no Resource: identity-based policies need \"Resource\" (e.g. the role ARN or \"*\")", idx)
		case rk != nil && nk != nil:
			ps.issue(CodeResourceAndNotResource, idx, nk, "statement has both Resource and NotResource: expected exactly one")
		}
	}
	if rk != nil {
		s.Resources = ps.stringList(rv, idx, "Resource")
	} else if nk != nil {
		s.Resources = ps.stringList(nv, idx, "NotResource")
		s.NotResource = true
	}
}

func (ps *parser) parseConditions(v *yaml.Node, idx int) []*Condition {
	if !docnode.IsMap(v) {
		ps.issue(CodeInvalidCondition, idx, v, "Condition is a %s: expected an object of operator → {key: value}", kindName(v))
		return nil
	}
	var out []*Condition
	for _, op := range docnode.Pairs(v) {
		info, known := parseOperator(op[0].Value)
		if !known {
			ps.issue(CodeUnknownOperator, idx, op[0], "unknown condition operator %q: expected e.g. StringEquals, StringLike, ArnLike, Bool, Null, optionally with ForAllValues:/ForAnyValue: and …IfExists", op[0].Value)
		}
		if !docnode.IsMap(op[1]) {
			ps.issue(CodeInvalidCondition, idx, op[1], "condition operator %q has a %s: expected an object of condition key → value(s)", op[0].Value, kindName(op[1]))
			continue
		}
		for _, kv := range docnode.Pairs(op[1]) {
			c := &Condition{
				Pos: ps.pos(op[0]), Operator: op[0].Value,
				Base: info.base, Qualifier: info.qualifier, IfExists: info.ifExists, Negated: info.negated,
				Key: kv[0].Value, KeyPos: ps.pos(kv[0]), keyLower: strings.ToLower(kv[0].Value),
			}
			c.Values = ps.conditionValues(kv[1], idx, c)
			out = append(out, c)
		}
	}
	return out
}

func (ps *parser) conditionValues(v *yaml.Node, idx int, c *Condition) []Value {
	v = docnode.Resolve(v)
	bad := func(n *yaml.Node) {
		ps.issue(CodeInvalidConditionValue, idx, n, "condition %s %q has a %s value: expected a string, number, boolean, or a list of them", c.Operator, c.Key, kindName(n))
	}
	scalar := func(n *yaml.Node) (Value, bool) {
		if n == nil || n.Kind != yaml.ScalarNode {
			return Value{}, false
		}
		if _, ok := docnode.Str(n); !ok {
			return Value{}, false
		}
		return Value{Text: n.Value, Pos: ps.pos(n)}, true
	}
	if v != nil && v.Kind == yaml.SequenceNode {
		var out []Value
		for _, it := range docnode.Items(v) {
			if x, ok := scalar(it); ok {
				out = append(out, x)
			} else {
				bad(it)
			}
		}
		return out
	}
	if x, ok := scalar(v); ok {
		return []Value{x}
	}
	bad(v)
	return nil
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func kindName(n *yaml.Node) string {
	n = docnode.Resolve(n)
	if n == nil {
		return "missing value"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "object"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!bool":
			return "boolean"
		case "!!int", "!!float":
			return "number"
		}
		return "string"
	}
	return "value"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
