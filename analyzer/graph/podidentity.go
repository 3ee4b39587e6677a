package graph

import (
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
)

// podsService is the service principal EKS Pod Identity assumes roles as (C1.1).
const podsService = "pods.eks.amazonaws.com"

// sessionTagKeys are the tags EKS Pod Identity adds unless disableSessionTags (C2.1).
var sessionTagKeys = []string{
	"eks-cluster-arn", "eks-cluster-name", "kubernetes-namespace",
	"kubernetes-pod-name", "kubernetes-pod-uid", "kubernetes-service-account",
}

// allowAllIdentity stands for a caller whose identity policies are not loaded: its own side is
// taken as allowed (cli.md), while the trust side is evaluated in full by iampolicy.Assume.
var allowAllIdentity = func() *iampolicy.Policy {
	p, _ := iampolicy.ParseIdentity([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), "")
	return p
}()

// podIdentityEdges adds, per association, ServiceAccount → role when the role's trust admits
// pods.eks.amazonaws.com for sts:AssumeRole and sts:TagSession with the association's session
// tags (C1.1, C2.3), and role → target role when the association chains (C3), and records the
// association's verdict.
func (b *builder) podIdentityEdges() {
	for _, a := range b.inv.PodIdentity {
		b.verdicts[a.ID] = b.podIdentity(a)
	}
}

// podContext is the request context of Pod Identity's AssumeRole (C2.3, tool policy): the
// session tags from the association (pod name and UID Unknown), aws:TagKeys, and
// aws:SourceAccount = the cluster's account; aws:SourceArn is Unknown (UNVERIFIED). With
// disableSessionTags no tag key exists.
func (b *builder) podContext(a *inventory.PodIdentityAssociation, extra map[string][]string) iampolicy.Context {
	vals := map[string][]string{}
	unknown := []string{"aws:SourceArn"}
	clusterARN, account := "", ""
	if c := b.clusters[a.Cluster]; c != nil {
		clusterARN, account = c.ARN, c.Account
	}
	if arn, ok := iampolicy.ParseARN(a.AssociationARN); ok {
		// arn:P:eks:REGION:ACCT:podidentityassociation/CLUSTER/ID (C4.2).
		if clusterARN == "" {
			if rest, ok := strings.CutPrefix(arn.Resource, "podidentityassociation/"); ok {
				name, _, _ := strings.Cut(rest, "/")
				clusterARN = "arn:" + arn.Partition + ":eks:" + arn.Region + ":" + arn.Account + ":cluster/" + name
			}
		}
		if account == "" {
			account = arn.Account
		}
	}
	if account != "" {
		vals["aws:SourceAccount"] = []string{account}
	} else {
		unknown = append(unknown, "aws:SourceAccount")
	}
	if !a.DisableSessionTags {
		vals["aws:RequestTag/eks-cluster-name"] = []string{a.Cluster}
		vals["aws:RequestTag/kubernetes-namespace"] = []string{a.Namespace}
		vals["aws:RequestTag/kubernetes-service-account"] = []string{a.ServiceAccount}
		vals["aws:TagKeys"] = sessionTagKeys
		unknown = append(unknown, "aws:RequestTag/kubernetes-pod-name", "aws:RequestTag/kubernetes-pod-uid")
		if clusterARN != "" {
			vals["aws:RequestTag/eks-cluster-arn"] = []string{clusterARN}
		} else {
			unknown = append(unknown, "aws:RequestTag/eks-cluster-arn")
		}
	}
	for k, v := range extra {
		vals[k] = v
	}
	return b.context(vals, unknown...)
}

func (b *builder) podIdentity(a *inventory.PodIdentityAssociation) Verdict {
	saID := inventory.ServiceAccountID(a.Cluster, a.Namespace, a.ServiceAccount)
	role := b.findRole(a.RoleARN)
	roleID := b.principalNode(a.RoleARN, false)
	if roleID == "" {
		return Verdict{Checked: true, Reason: fmt.Sprintf("role %s does not exist in the loaded role list of its account", a.RoleARN)}
	}
	var v Verdict
	if role == nil || role.Trust == nil {
		v = Verdict{Assumable: true, Reason: fmt.Sprintf("the trust policy of %s is not loaded, so the association is presumed to work", a.RoleARN)}
		b.addEdge(&Edge{From: saID, To: roleID, Mechanism: MechPodIdentity, Evidence: []string{a.ID},
			TrustUnchecked: true, Reason: "Pod Identity association " + a.ID + " names " + a.RoleARN + ", whose trust policy is not loaded"})
	} else {
		req := iampolicy.Request{Caller: iampolicy.Caller{Kind: iampolicy.CallerService, Service: podsService},
			Action: iampolicy.ActionAssumeRole, Context: b.podContext(a, nil)}
		ev := iampolicy.Assume(role.Trust, role.ARN, nil, nil, req)
		if !allowed(ev.Decision) {
			return Verdict{Checked: true, Reason: "the trust policy of " + role.ARN + " rejects the association: " + ev.Reason}
		}
		v = Verdict{Assumable: true, Checked: true, Reason: ev.Reason}
		b.addEdge(&Edge{From: saID, To: roleID, Mechanism: MechPodIdentity,
			Evidence: append([]string{a.ID}, statementIDs(role.ID, ev.Allowing)...), DependsOn: ev.DependsOn,
			Reason: "Pod Identity association " + a.ID + ": " + ev.Reason})
	}
	if a.TargetRoleARN == "" {
		return v
	}
	t := b.podTarget(a, roleID)
	if !t.Assumable {
		return Verdict{Checked: t.Checked, Reason: "role " + a.RoleARN + " cannot chain into target role " + a.TargetRoleARN + ": " + t.Reason}
	}
	return Verdict{Assumable: true, Checked: v.Checked && t.Checked, Reason: v.Reason + "; then " + t.Reason}
}

// podTarget evaluates EKS chaining from the association's role into its target role (C3.3):
// the target's trust must allow the first role for sts:AssumeRole (and sts:TagSession with the
// transitive session tags), with sts:ExternalId = the association's externalId; across
// accounts the first role's own policies must allow it too (A5.5).
func (b *builder) podTarget(a *inventory.PodIdentityAssociation, roleID string) Verdict {
	target := b.findRole(a.TargetRoleARN)
	targetID := b.principalNode(a.TargetRoleARN, false)
	if targetID == "" {
		return Verdict{Checked: true, Reason: "the target role does not exist in the loaded role list of its account"}
	}
	if target == nil || target.Trust == nil {
		b.addEdge(&Edge{From: roleID, To: targetID, Mechanism: MechPodIdentity, Evidence: []string{a.ID}, TrustUnchecked: true,
			Reason: "Pod Identity association " + a.ID + " chains into " + a.TargetRoleARN + ", whose trust policy is not loaded (chained, ≤1h)"})
		return Verdict{Assumable: true, Reason: "the target role's trust policy is not loaded"}
	}
	c := b.callerByID[roleID]
	if c == nil {
		c = b.unloadedCaller(b.nodes[roleID])
	}
	extra := map[string][]string{}
	if a.ExternalID != "" {
		extra["sts:ExternalId"] = []string{a.ExternalID}
	}
	req := iampolicy.Request{Caller: c.iam(), Action: iampolicy.ActionAssumeRole, Context: b.podContext(a, extra)}
	identity, boundary := c.identity, c.boundary
	unchecked := !c.identityLoaded
	if unchecked {
		identity, boundary = []*iampolicy.Policy{allowAllIdentity}, nil
	}
	ev := iampolicy.Assume(target.Trust, target.ARN, identity, boundary, req)
	if !allowed(ev.Decision) {
		return Verdict{Checked: true, Reason: ev.Reason}
	}
	unchecked = unchecked && (ev.Match == iampolicy.MatchAccount || ev.Match == iampolicy.MatchCrossAccount)
	reason := "Pod Identity association " + a.ID + " chains into " + target.ARN + " (chained, ≤1h): " + ev.Reason
	if unchecked {
		reason += "; the first role's identity policies are not loaded, so its side is taken as allowed"
	}
	b.addEdge(&Edge{From: roleID, To: targetID, Mechanism: MechPodIdentity,
		Evidence: append([]string{a.ID}, statementIDs(target.ID, ev.Allowing)...), DependsOn: ev.DependsOn,
		Reason: reason, IdentityUnchecked: unchecked})
	return Verdict{Assumable: true, Checked: true, Reason: ev.Reason}
}
