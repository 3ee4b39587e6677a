package graph

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
)

// explainer keeps what Build knew, so a query can say why an edge is missing.
type explainer struct{ b *builder }

// Explain says why there is no direct edge from a node into a role. For an IAM user or role it
// is the evaluation of that one request (trust side, then the caller's own identity policies,
// permissions boundary and explicit denies, A.15); for a ServiceAccount, the Pod Identity
// associations of its cluster that name the role. trustAdmits is true when the role's trust
// policy admits the caller and the denial comes from elsewhere (the caller's own side, a
// Deny, the association); ok is false when there is nothing more to say than that no trust
// statement admits the caller.
func (g *Graph) Explain(from, role string) (reason string, trustAdmits, ok bool) {
	if g.explain == nil {
		return "", false, false
	}
	return g.explain.explain(from, role)
}

func (x *explainer) explain(from, roleID string) (string, bool, bool) {
	b := x.b
	fn, rn := b.nodes[from], b.nodes[roleID]
	if fn == nil || rn == nil || rn.Kind != KindRole {
		return "", false, false
	}
	r := b.findRole(rn.ARN)
	if r == nil || r.Trust == nil {
		return "", false, false
	}
	if fn.Kind == KindServiceAccount {
		return x.explainPodIdentity(fn, rn.ARN)
	}
	c := b.callerByID[from]
	if c == nil {
		return "", false, false
	}
	req := iampolicy.Request{Caller: c.iam(), Action: iampolicy.ActionAssumeRole, Context: b.callerContext(c.kind)}
	var ev iampolicy.Evaluation
	if c.identityLoaded {
		ev = iampolicy.Assume(r.Trust, r.ARN, c.identity, c.boundary, req)
	} else {
		ev = iampolicy.EvaluateTrust(r.Trust, r.ARN, req)
	}
	if allowed(ev.Decision) {
		return "", false, false
	}
	return ev.Reason, ev.Match != iampolicy.MatchNone, true
}

// explainPodIdentity: the associations of the ServiceAccount's cluster naming the role.
func (x *explainer) explainPodIdentity(sa *Node, roleARN string) (string, bool, bool) {
	var others []string
	for _, a := range x.b.inv.PodIdentity {
		if !strings.EqualFold(a.RoleARN, roleARN) && !strings.EqualFold(a.TargetRoleARN, roleARN) {
			continue
		}
		if a.Cluster == sa.Cluster && a.Namespace == sa.Namespace && a.ServiceAccount == sa.Name {
			if v := x.b.verdicts[a.ID]; !v.Assumable {
				return "Pod Identity association " + a.ID + " does not work: " + v.Reason, true, true
			}
			continue
		}
		others = append(others, fmt.Sprintf("%s/%s in cluster %s", a.Namespace, a.ServiceAccount, clusterLabel(a.Cluster)))
	}
	if len(others) == 0 {
		return "", false, false
	}
	slices.Sort(others)
	return fmt.Sprintf("no Pod Identity association gives ServiceAccount %s/%s of cluster %s the role %s (its associations are for %s)",
		sa.Namespace, sa.Name, clusterLabel(sa.Cluster), roleARN, strings.Join(slices.Compact(others), ", ")), false, true
}

// callerContext is the request context of a user or role-session caller (cached).
func (b *builder) callerContext(kind iampolicy.CallerKind) iampolicy.Context {
	if b.callerCtx == nil {
		b.callerCtx = map[iampolicy.CallerKind]iampolicy.Context{
			iampolicy.CallerIAMUser: b.context(nil),
			// aws:userid carries the caller-chosen session name of a role session.
			iampolicy.CallerRoleSession: b.context(nil, "aws:userid"),
		}
	}
	return b.callerCtx[kind]
}
