package iampolicy

import (
	"slices"
	"strings"
)

// VaryingAssume answers Assume for many requests that differ only in the value of one
// condition key (every ServiceAccount's token subject against one role, for instance).
//
// Only the conditions on that key, or with a policy variable in a value, can change from one
// request to the next; the rest of the evaluation (principals, actions, every other
// condition) is fixed. So the full evaluation is run once per distinct outcome of those
// conditions and reused for every value with the same outcomes: each statement is evaluated
// once, not once per value.
type VaryingAssume struct {
	trust    *Policy
	roleARN  string
	identity []*Policy
	boundary *Policy
	req      Request
	key      string // lower-cased
	varying  []*Condition
	// cacheable is false when the key also changes which actions are evaluated (session
	// tags, source identity) or identity policies are involved (resources may hold
	// variables): then every value is evaluated in full.
	cacheable bool
	seen      map[string]Evaluation
	// fixed is the request context without the key, built once; each value is a level above it.
	fixed *reqCtx
}

// PrepareVaryingAssume prepares Assume(trust, roleARN, identity, boundary, req) for values
// of key given later to Assume; req's own context must not set key.
func PrepareVaryingAssume(trust *Policy, roleARN string, identity []*Policy, boundary *Policy, req Request, key string) *VaryingAssume {
	lk := strings.ToLower(key)
	v := &VaryingAssume{trust: trust, roleARN: roleARN, identity: identity, boundary: boundary, req: req, key: lk,
		seen: map[string]Evaluation{}}
	v.cacheable = trust != nil && len(identity) == 0 && boundary == nil &&
		!strings.HasPrefix(lk, "aws:requesttag/") && lk != "aws:tagkeys" && lk != "sts:sourceidentity"
	if v.cacheable {
		v.fixed = newReqCtx(req.Caller, req.Context, true)
		for _, s := range trust.Statements {
			for _, c := range s.Conditions {
				if c.lowerKey() == lk || slices.ContainsFunc(c.Values, func(x Value) bool { return strings.Contains(x.Text, "${") }) {
					v.varying = append(v.varying, c)
				}
			}
		}
	}
	return v
}

// Assume is Assume of the prepared request with key set to value.
func (v *VaryingAssume) Assume(value string) Evaluation {
	full := func() Evaluation {
		req := v.req
		vals := make(map[string][]string, len(req.Context.Values)+1)
		for k, x := range req.Context.Values {
			vals[k] = x
		}
		vals[v.key] = []string{value}
		req.Context.Values = vals
		return Assume(v.trust, v.roleARN, v.identity, v.boundary, req)
	}
	if !v.cacheable {
		return full()
	}
	rc := &reqCtx{values: map[string][]string{v.key: {value}}, shared: v.fixed}
	var sig strings.Builder
	for _, c := range v.varying {
		r, deps := evalCondition(c, v.trust.Version, rc)
		sig.WriteByte(byte('0' + r))
		sig.WriteString(strings.Join(deps, "\x00"))
		sig.WriteByte('\x01')
	}
	if ev, ok := v.seen[sig.String()]; ok {
		return ev.clone()
	}
	ev := full()
	v.seen[sig.String()] = ev
	return ev.clone()
}

// clone copies the slices, so evaluations handed out share nothing.
func (ev Evaluation) clone() Evaluation {
	ev.Allowing = slices.Clone(ev.Allowing)
	ev.Denying = slices.Clone(ev.Denying)
	ev.DependsOn = slices.Clone(ev.DependsOn)
	return ev
}
