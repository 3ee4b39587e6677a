package iampolicy

import (
	"encoding/base64"
	"math/big"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ---- operators (semantics A9) ----

type opFamily int

const (
	famString opFamily = iota
	famStringIC
	famLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

type baseOp struct {
	name    string // canonical name
	family  opFamily
	negated bool
	cmp     string // "eq", "lt", "le", "gt", "ge" for numeric/date
}

// baseOps lists every condition operator IAM documents (IAM-CONDOPS), keyed by lower-case
// name. Names are matched case-insensitively so that a differently-cased operator is
// evaluated rather than silently dropped.
var baseOps = func() map[string]baseOp {
	ops := []baseOp{
		{"StringEquals", famString, false, ""}, {"StringNotEquals", famString, true, ""},
		{"StringEqualsIgnoreCase", famStringIC, false, ""}, {"StringNotEqualsIgnoreCase", famStringIC, true, ""},
		{"StringLike", famLike, false, ""}, {"StringNotLike", famLike, true, ""},
		{"NumericEquals", famNumeric, false, "eq"}, {"NumericNotEquals", famNumeric, true, "eq"},
		{"NumericLessThan", famNumeric, false, "lt"}, {"NumericLessThanEquals", famNumeric, false, "le"},
		{"NumericGreaterThan", famNumeric, false, "gt"}, {"NumericGreaterThanEquals", famNumeric, false, "ge"},
		{"DateEquals", famDate, false, "eq"}, {"DateNotEquals", famDate, true, "eq"},
		{"DateLessThan", famDate, false, "lt"}, {"DateLessThanEquals", famDate, false, "le"},
		{"DateGreaterThan", famDate, false, "gt"}, {"DateGreaterThanEquals", famDate, false, "ge"},
		{"Bool", famBool, false, ""}, {"BinaryEquals", famBinary, false, ""},
		{"IpAddress", famIP, false, ""}, {"NotIpAddress", famIP, true, ""},
		{"ArnEquals", famARN, false, ""}, {"ArnLike", famARN, false, ""},
		{"ArnNotEquals", famARN, true, ""}, {"ArnNotLike", famARN, true, ""},
		{"Null", famNull, false, ""},
	}
	m := make(map[string]baseOp, len(ops))
	for _, o := range ops {
		m[strings.ToLower(o.name)] = o
	}
	return m
}()

// canonicalOps is baseOps keyed by canonical name (Condition.Base), looked up per evaluation
// without lower-casing.
var canonicalOps = func() map[string]baseOp {
	m := make(map[string]baseOp, len(baseOps))
	for _, o := range baseOps {
		m[o.name] = o
	}
	return m
}()

type opInfo struct {
	base, qualifier   string
	ifExists, negated bool
}

// parseOperator splits "ForAllValues:StringLikeIfExists" into its parts. known is false for
// operators IAM does not have (including NullIfExists: Null takes no IfExists, A9.9).
func parseOperator(op string) (opInfo, bool) {
	var info opInfo
	rest := op
	if q, r, ok := strings.Cut(op, ":"); ok {
		switch strings.ToLower(q) {
		case "forallvalues":
			info.qualifier = "ForAllValues"
		case "foranyvalue":
			info.qualifier = "ForAnyValue"
		default:
			return opInfo{}, false
		}
		rest = r
	}
	lower := strings.ToLower(rest)
	if b, ok := baseOps[lower]; ok {
		info.base, info.negated = b.name, b.negated
		return info, true
	}
	if trimmed, ok := strings.CutSuffix(lower, "ifexists"); ok {
		if b, ok := baseOps[trimmed]; ok && b.family != famNull {
			info.base, info.negated, info.ifExists = b.name, b.negated, true
			return info, true
		}
	}
	return opInfo{}, false
}

func lookupBase(name string) (baseOp, bool) {
	if b, ok := canonicalOps[name]; ok {
		return b, true
	}
	b, ok := baseOps[strings.ToLower(name)]
	return b, ok
}

// varsAllowed says whether policy variables are substituted in values of the family
// (A12.1: String, ARN and Bool operators; not Numeric, Date, Binary, IP, Null).
func varsAllowed(f opFamily) bool {
	return f == famString || f == famStringIC || f == famLike || f == famARN || f == famBool
}

// ---- request context ----

type tri int

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

// reqCtx is the request context with case-insensitive keys (A8.4). A key is looked up in the
// context's own level first, then in shared (a prepared context common to many requests).
type reqCtx struct {
	values  map[string][]string
	unknown map[string]bool
	// unknownPrefix holds Unknown entries written as "prefix*" (e.g. "aws:RequestTag/*").
	unknownPrefix []string
	shared        *reqCtx
}

func newReqCtx(caller Caller, ctx Context, fillCaller bool) *reqCtx {
	rc := &reqCtx{values: make(map[string][]string, len(ctx.Values)), unknown: map[string]bool{}}
	if ctx.Shared != nil {
		rc.shared = ctx.Shared.rc
	}
	for k, v := range ctx.Values {
		rc.values[strings.ToLower(k)] = v
	}
	for _, k := range ctx.Unknown {
		lk := strings.ToLower(k)
		if p, ok := strings.CutSuffix(lk, "*"); ok {
			rc.unknownPrefix = append(rc.unknownPrefix, p)
		} else {
			rc.unknown[lk] = true
		}
	}
	if fillCaller {
		rc.fillCaller(caller)
	}
	return rc
}

// fillCaller adds the principal keys AWS derives from the caller of a signed request
// (A13.1), unless the context already sets them or marks them unknown. Unsigned callers
// (web identity, SAML) get none (A13.2).
func (rc *reqCtx) fillCaller(c Caller) {
	set := func(k, v string) {
		lk := strings.ToLower(k)
		if _, set, unknown := rc.lookup(lk); v == "" || set || unknown {
			return
		}
		rc.values[lk] = []string{v}
	}
	acct := callerAccount(c)
	switch c.Kind {
	case CallerIAMUser:
		set("aws:PrincipalArn", c.ARN)
		set("aws:PrincipalAccount", acct)
		set("aws:PrincipalType", "User")
		// aws:username exists for IAM users only (IAM-GKEYS aws:username).
		if a, ok := ParseARN(c.ARN); ok && strings.HasPrefix(a.Resource, "user/") {
			set("aws:username", lastSegment(a.Resource))
		}
		set("aws:userid", c.UniqueID)
	case CallerRoleSession:
		// aws:PrincipalArn of a role session is the role ARN, not the session ARN (A13.1).
		set("aws:PrincipalArn", c.ARN)
		set("aws:PrincipalAccount", acct)
		set("aws:PrincipalType", "AssumedRole")
		if c.UniqueID != "" && c.SessionName != "" {
			set("aws:userid", c.UniqueID+":"+c.SessionName)
		}
	case CallerAnyAWS:
		set("aws:PrincipalAccount", acct)
		// "Some principal of the account": who exactly is not known.
		for _, k := range []string{"aws:principalarn", "aws:username", "aws:userid", "aws:principaltype"} {
			if _, set, _ := rc.lookup(k); !set {
				rc.unknown[k] = true
			}
		}
		rc.unknownPrefix = append(rc.unknownPrefix, "aws:principaltag/")
	case CallerService:
		// C2.3 (tool policy): present when a service principal makes the call.
		set("aws:PrincipalServiceName", c.Service)
	case CallerWebIdentity:
		// A13.2: whether sts:RoleSessionName and aws:PrincipalType exist for
		// AssumeRoleWithWebIdentity is UNVERIFIED, so they are unknown unless set.
		for _, k := range []string{"sts:rolesessionname", "aws:principaltype"} {
			if _, set, _ := rc.lookup(k); !set {
				rc.unknown[k] = true
			}
		}
	}
}

func callerAccount(c Caller) string {
	if c.Account != "" {
		return c.Account
	}
	if a, ok := AccountOfARN(c.ARN); ok {
		return a
	}
	return ""
}

// lookup finds a lower-cased key: its values when set (present even if empty), or unknown.
// An exact Unknown mark wins over a value on the same level; otherwise a value on any level
// (the own level first) wins, and only then do "prefix*" marks make the key unknown.
func (rc *reqCtx) lookup(lk string) (vals []string, set, unknown bool) {
	for c := rc; c != nil; c = c.shared {
		if c.unknown[lk] {
			return nil, false, true
		}
		if v, ok := c.values[lk]; ok {
			return v, true, false
		}
	}
	for c := rc; c != nil; c = c.shared {
		for _, p := range c.unknownPrefix {
			if strings.HasPrefix(lk, p) {
				return nil, false, true
			}
		}
	}
	return nil, false, false
}

// get returns the key's values; unknown is true when the tool cannot know them.
func (rc *reqCtx) get(key string) (vals []string, present, unknown bool) {
	return rc.getLower(strings.ToLower(key))
}

func (rc *reqCtx) getLower(lk string) (vals []string, present, unknown bool) {
	v, _, unknown := rc.lookup(lk)
	return v, len(v) > 0, unknown
}

// ---- policy variables (A12) ----

// expandValue compiles one policy value. With vars, ${key} is substituted from the request
// context (substituted text is literal, A12.6 tool policy), ${key, 'default'} falls back to
// the default, and ${*} ${?} ${$} are literal characters. like selects whether the
// remaining * and ? are wildcards. ok is false when a variable has no value (A12.4);
// deps lists variables whose value is unknown.
func (rc *reqCtx) expandValue(v string, vars, like bool) (p []pchar, ok bool, deps []string) {
	ok = true
	appendText := func(s string, wild bool) {
		if wild {
			p = append(p, compileLike(s)...)
		} else {
			p = append(p, literalPattern(s)...)
		}
	}
	if !vars {
		appendText(v, like)
		return p, true, nil
	}
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i+2:], '}')
		if j < 0 {
			break
		}
		appendText(v[:i], like)
		inner := v[i+2 : i+2+j]
		v = v[i+2+j+1:]
		switch inner {
		case "*", "?", "$":
			p = append(p, pchar{r: rune(inner[0])})
			continue
		}
		name, def, hasDef := strings.Cut(inner, ",")
		name = strings.TrimSpace(name)
		if hasDef {
			def = strings.TrimSpace(def)
			if len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'' {
				def = def[1 : len(def)-1]
			} else {
				hasDef = false
			}
		}
		vals, present, unknown := rc.get(name)
		switch {
		case unknown:
			deps = append(deps, name)
		case present && len(vals) == 1:
			appendText(vals[0], false)
		case hasDef:
			appendText(def, false)
		default:
			// Only single-valued keys can be variables (A12.2); absent or multivalued → no value.
			ok = false
		}
	}
	appendText(v, like)
	return p, ok, deps
}

func patternText(p []pchar) string {
	var b strings.Builder
	for _, c := range p {
		switch c.kind {
		case starChar:
			b.WriteByte('*')
		case oneChar:
			b.WriteByte('?')
		default:
			b.WriteRune(c.r)
		}
	}
	return b.String()
}

// ---- evaluating one condition ----

// evalCondition evaluates one (operator, key) condition against the request context.
// version is the policy Version (variables only under 2012-10-17, A1.5).
func evalCondition(c *Condition, version string, rc *reqCtx) (tri, []string) {
	b, known := lookupBase(c.Base)
	if !known {
		// Unknown operator: IAM rejects the document (an Issue is recorded); never matches.
		return triFalse, nil
	}
	vals, present, unknown := rc.getLower(c.lowerKey())
	if unknown {
		return triUnknown, []string{c.Key}
	}
	if b.family == famNull {
		// A9.8: "true" ⇔ absent, "false" ⇔ present.
		for _, pv := range c.Values {
			if want, err := strconv.ParseBool(strings.ToLower(pv.Text)); err == nil && want == !present {
				return triTrue, nil
			}
		}
		return triFalse, nil
	}
	if !present {
		switch c.Qualifier {
		case "ForAllValues":
			return triTrue, nil // A11.1
		case "ForAnyValue":
			return boolTri(c.IfExists), nil // A11.2
		}
		// A10.1 and A9.9: IfExists and negated operators are true on a missing key.
		return boolTri(c.IfExists || b.negated), nil
	}
	vars := version == "2012-10-17" && varsAllowed(b.family)
	like := b.family == famLike || b.family == famARN
	var pats [][]pchar
	var deps []string
	for _, pv := range c.Values {
		p, ok, d := rc.expandValue(pv.Text, vars, like)
		deps = append(deps, d...)
		if ok {
			pats = append(pats, p)
		}
	}
	if len(deps) > 0 {
		return triUnknown, deps
	}
	matchOne := func(rv string) bool {
		for _, p := range pats {
			if matchBase(b, p, rv) {
				return true
			}
		}
		return false
	}
	switch c.Qualifier {
	case "ForAllValues":
		// A11.4: a negated base is applied per request value, then the quantifier.
		for _, rv := range vals {
			if matchOne(rv) == b.negated {
				return triFalse, nil
			}
		}
		return triTrue, nil
	case "ForAnyValue":
		for _, rv := range vals {
			if matchOne(rv) != b.negated {
				return triTrue, nil
			}
		}
		return triFalse, nil
	}
	matched := false
	for _, rv := range vals {
		if matchOne(rv) {
			matched = true
			break
		}
	}
	// A8.3: a negated operator is true only if no policy value matches (NOR).
	return boolTri(matched != b.negated), nil
}

func boolTri(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// matchBase is the positive form of the operator applied to one policy value and one
// request value.
func matchBase(b baseOp, p []pchar, rv string) bool {
	switch b.family {
	case famString:
		return patternText(p) == rv
	case famStringIC:
		return strings.EqualFold(patternText(p), rv)
	case famLike:
		return matchPattern(p, rv)
	case famARN:
		// A9.7: ArnEquals ≡ ArnLike, per-segment wildcard match, case-sensitive.
		return matchARNPattern(p, rv)
	case famBool:
		// A9.4 (tool policy): case-insensitive "true"/"false".
		return strings.EqualFold(patternText(p), rv)
	case famNumeric:
		x, ok1 := parseNumber(patternText(p))
		y, ok2 := parseNumber(rv)
		return ok1 && ok2 && compare(y.Cmp(x), b.cmp)
	case famDate:
		x, ok1 := parseDate(patternText(p))
		y, ok2 := parseDate(rv)
		return ok1 && ok2 && compare(y.Compare(x), b.cmp)
	case famBinary:
		pv := patternText(p)
		if pv == rv {
			return true
		}
		dec, err := base64.StdEncoding.DecodeString(pv)
		return err == nil && string(dec) == rv
	case famIP:
		return ipMatch(patternText(p), rv)
	}
	return false
}

// compare applies a comparison to cmp = request value compared with policy value.
func compare(cmp int, op string) bool {
	switch op {
	case "eq":
		return cmp == 0
	case "lt":
		return cmp < 0
	case "le":
		return cmp <= 0
	case "gt":
		return cmp > 0
	case "ge":
		return cmp >= 0
	}
	return false
}

func parseNumber(s string) (*big.Float, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 400 {
		return nil, false
	}
	f, _, err := big.ParseFloat(s, 10, 128, big.ToNearestEven)
	if err != nil || f.IsInf() {
		return nil, false
	}
	return f, true
}

// parseDate accepts the W3C ISO-8601 forms and epoch seconds (A9.3).
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > 1e13 || n < -1e13 {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ipMatch: a policy value is a CIDR, or an address meaning /32 (/128) (A9.6).
func ipMatch(policy, request string) bool {
	addr, err := netip.ParseAddr(strings.TrimSpace(request))
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	policy = strings.TrimSpace(policy)
	if pfx, err := netip.ParsePrefix(policy); err == nil {
		a, bits := pfx.Addr(), pfx.Bits()
		if a.Is4In6() {
			if bits < 96 {
				return addr.Is4() || pfx.Contains(addr)
			}
			a, bits = a.Unmap(), bits-96
		}
		return netip.PrefixFrom(a, bits).Contains(addr)
	}
	if a, err := netip.ParseAddr(policy); err == nil {
		return a.Unmap() == addr
	}
	return false
}

func sortedUnique(xs []string) []string {
	if len(xs) == 0 {
		return nil
	}
	out := append([]string(nil), xs...)
	sort.Strings(out)
	j := 0
	for i, x := range out {
		if i == 0 || x != out[j-1] {
			out[j] = x
			j++
		}
	}
	return out[:j]
}
