package load

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/iamjson"
	"github.com/rolecall/rolecall/analyzer/result"
)

// finish attaches OIDC provider details to listed providers, merges elements loaded more than
// once (the same role from get-role and list-roles: the richer record wins, the other fills its
// gaps), sorts every slice by ID and makes the account maps non-nil.
func finish(inv *inventory.Inventory) []result.Diagnostic {
	var diags []result.Diagnostic
	dup := func(kind string) func(a, b inventory.Source, id string) {
		return func(a, b inventory.Source, id string) {
			diags = append(diags, result.Diagnostic{
				Severity: result.DiagWarning, File: b.File, Line: b.Line, Column: b.Column,
				Message: fmt.Sprintf("%s %s is also defined at %s; only that first definition is used", kind, id, a.String()),
			})
		}
	}

	inv.Roles = dedupe(inv.Roles, func(r *inventory.Role) string { return r.ID }, func(a, b *inventory.Role) *inventory.Role {
		if isBareRole(a) && isBareRole(b) && a.Source.File != b.Source.File {
			// Two policy files with the same name in different folders: they are different
			// roles that happen to get the same name, so merging them would be wrong.
			diags = append(diags, result.Diagnostic{
				Severity: result.DiagWarning, File: b.Source.File, Line: b.Source.Line, Column: b.Source.Column,
				Message: fmt.Sprintf("this policy file stands for role %q, as does %s; only the first is analysed (rename one of the files)", a.Name, a.Source.String()),
			})
			return a
		}
		return mergeRole(a, b)
	})
	inv.Users = dedupe(inv.Users, func(u *inventory.User) string { return u.ID }, keepFirst[*inventory.User])
	inv.Groups = dedupe(inv.Groups, func(g *inventory.Group) string { return g.ID }, keepFirst[*inventory.Group])
	inv.ManagedPolicies = dedupe(inv.ManagedPolicies, func(p *inventory.ManagedPolicy) string { return p.ID },
		func(a, b *inventory.ManagedPolicy) *inventory.ManagedPolicy {
			if a.Default == nil && b.Default != nil {
				return b
			}
			return a
		})
	inv.OIDCProviders = dedupe(attachProviders(inv.OIDCProviders), func(p *inventory.OIDCProvider) string { return p.ID }, mergeProvider)
	inv.Clusters = dedupe(inv.Clusters, func(c *inventory.Cluster) string { return c.ID }, mergeCluster)
	inv.AccessEntries = dedupe(inv.AccessEntries, func(e *inventory.AccessEntry) string { return e.ID }, mergeEntry)
	for _, e := range inv.AccessEntries {
		if e.Type == "" {
			e.Type = "STANDARD" // the API default (E2.2)
		}
		e.Policies = dedupe(e.Policies, func(p inventory.AccessPolicy) string { return p.ID }, keepFirst[inventory.AccessPolicy])
	}
	inv.PodIdentity = dedupe(inv.PodIdentity, func(p *inventory.PodIdentityAssociation) string { return p.ID }, mergePodIdentity)

	saDup, authDup, rbacDup := dup("ServiceAccount"), dup("aws-auth mapping"), dup("RBAC object")
	inv.ServiceAccounts = dedupe(inv.ServiceAccounts, func(s *inventory.ServiceAccount) string { return s.ID },
		func(a, b *inventory.ServiceAccount) *inventory.ServiceAccount {
			saDup(a.Source, b.Source, a.ID)
			return a
		})
	inv.AWSAuth = dedupe(inv.AWSAuth, func(s *inventory.AWSAuth) string { return s.ID },
		func(a, b *inventory.AWSAuth) *inventory.AWSAuth { authDup(a.Source, b.Source, a.ID); return a })
	inv.RBACRoles = dedupe(inv.RBACRoles, func(s *inventory.RBACRole) string { return s.ID },
		func(a, b *inventory.RBACRole) *inventory.RBACRole { rbacDup(a.Source, b.Source, a.ID); return a })
	inv.RBACBindings = dedupe(inv.RBACBindings, func(s *inventory.RBACBinding) string { return s.ID },
		func(a, b *inventory.RBACBinding) *inventory.RBACBinding { rbacDup(a.Source, b.Source, a.ID); return a })
	ngDup := dup("node group")
	inv.NodeGroups = dedupe(inv.NodeGroups, func(g *inventory.NodeGroup) string { return g.ID },
		func(a, b *inventory.NodeGroup) *inventory.NodeGroup { ngDup(a.Source, b.Source, a.ID); return a })

	sort.Strings(inv.Files)
	for _, m := range []*map[string]bool{&inv.RoleListAccounts, &inv.ProviderListAccounts, &inv.IdentityAccounts} {
		if *m == nil {
			*m = map[string]bool{}
		}
	}
	return diags
}

// dedupe sorts items by ID (stably, so load order decides among equals) and folds elements
// with the same ID into one with merge(first, next).
func dedupe[T any](items []T, id func(T) string, merge func(a, b T) T) []T {
	if len(items) == 0 {
		return items
	}
	sort.SliceStable(items, func(i, j int) bool { return id(items[i]) < id(items[j]) })
	out := items[:1]
	for _, it := range items[1:] {
		last := &out[len(out)-1]
		if id(*last) == id(it) {
			*last = merge(*last, it)
			continue
		}
		out = append(out, it)
	}
	return out
}

func keepFirst[T any](a, _ T) T { return a }

func isBareRole(r *inventory.Role) bool {
	return r.Account == "" && r.ARN == iamjson.UnknownAccountRoleARN(r.Name)
}

func roleRichness(r *inventory.Role) int {
	n := 0
	for _, b := range []bool{r.Trust != nil, r.RoleID != "", r.Account != "", r.InlinePolicies != nil,
		r.AttachedPolicies != nil, r.PermissionsBoundary != "", r.Tags != nil} {
		if b {
			n++
		}
	}
	return n
}

// mergeRole keeps the richer record (get-account-authorization-details over get-role over
// list-roles, by how many parts are present) and fills its missing parts from the other.
func mergeRole(a, b *inventory.Role) *inventory.Role {
	if roleRichness(b) > roleRichness(a) {
		a, b = b, a
	}
	m := *a
	if m.Trust == nil {
		m.Trust = b.Trust
	}
	fill(&m.RoleID, b.RoleID)
	fill(&m.Account, b.Account)
	fill(&m.Name, b.Name)
	fill(&m.Path, b.Path)
	fill(&m.PermissionsBoundary, b.PermissionsBoundary)
	if m.InlinePolicies == nil {
		m.InlinePolicies = b.InlinePolicies
	}
	if m.AttachedPolicies == nil {
		m.AttachedPolicies = b.AttachedPolicies
	}
	if m.Tags == nil {
		m.Tags = b.Tags
	}
	return &m
}

func fill(dst *string, src string) {
	if *dst == "" {
		*dst = src
	}
}

// attachProviders gives a provider read from get-open-id-connect-provider (URL, no ARN) the
// identity of the listed provider whose ARN ends in that URL, when exactly one does; with
// none or several (the same URL in several accounts) it stays on its own, ARN "".
func attachProviders(ps []*inventory.OIDCProvider) []*inventory.OIDCProvider {
	byURL := map[string][]*inventory.OIDCProvider{}
	for _, p := range ps {
		if p.ARN == "" {
			continue
		}
		if _, url, ok := strings.Cut(p.ARN, ":oidc-provider/"); ok {
			byURL[url] = append(byURL[url], p)
		}
	}
	out := ps[:0]
	for _, p := range ps {
		if p.ARN == "" {
			if listed := byURL[p.URL]; len(listed) == 1 {
				l := listed[0]
				l.URL, l.ClientIDs, l.Thumbprints = p.URL, p.ClientIDs, p.Thumbprints
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

func mergeProvider(a, b *inventory.OIDCProvider) *inventory.OIDCProvider {
	m := *a
	fill(&m.ARN, b.ARN)
	fill(&m.Account, b.Account)
	fill(&m.URL, b.URL)
	if m.ClientIDs == nil {
		m.ClientIDs, m.Thumbprints = b.ClientIDs, b.Thumbprints
	}
	return &m
}

// mergeCluster keeps the described cluster over a listed name and fills gaps; what was read
// of its Kubernetes API (a snapshot's cluster state) is joined in.
func mergeCluster(a, b *inventory.Cluster) *inventory.Cluster {
	if a.ARN == "" && b.ARN != "" {
		a, b = b, a
	}
	m := *a
	fill(&m.ARN, b.ARN)
	fill(&m.Account, b.Account)
	fill(&m.Region, b.Region)
	fill(&m.Issuer, b.Issuer)
	fill(&m.AuthenticationMode, b.AuthenticationMode)
	m.ServiceAccountsComplete = a.ServiceAccountsComplete || b.ServiceAccountsComplete
	if b.PodsRead {
		m.PodsRead = true
		m.PodServiceAccounts = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(a.PodServiceAccounts), b.PodServiceAccounts...))))
	}
	return &m
}

// mergeEntry joins a described access entry with access policies listed separately.
func mergeEntry(a, b *inventory.AccessEntry) *inventory.AccessEntry {
	described := func(e *inventory.AccessEntry) bool {
		return e.Type != "" || e.Username != "" || e.KubernetesGroups != nil
	}
	if !described(a) && described(b) {
		a, b = b, a
	}
	m := *a
	fill(&m.Type, b.Type)
	fill(&m.Username, b.Username)
	if m.KubernetesGroups == nil {
		m.KubernetesGroups = b.KubernetesGroups
	}
	if b.Policies != nil {
		m.Policies = append(append([]inventory.AccessPolicy{}, a.Policies...), b.Policies...)
	}
	return &m
}

// mergePodIdentity prefers a described association (with roleArn) over a list summary.
func mergePodIdentity(a, b *inventory.PodIdentityAssociation) *inventory.PodIdentityAssociation {
	if a.RoleARN == "" && b.RoleARN != "" {
		return b
	}
	return a
}
