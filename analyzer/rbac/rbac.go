// Package rbac answers what a Kubernetes identity may do, as far as getting AWS credentials
// goes: Kubernetes RBAC authorization over loaded Roles/Bindings plus EKS access policies
// (semantics.md §G, §E.3), which ServiceAccounts' AWS identities a subject can obtain (G2), and
// which IAM role a pod of a ServiceAccount actually receives (B3.6).
package rbac

import (
	"slices"
	"strings"

	"github.com/rolecall/rolecall/analyzer/inventory"
)

// Well-known user and group names (https://kubernetes.io/docs/reference/access-authn-authz/rbac/).
const (
	// GroupMasters bypasses authorization: the API server's privileged-group authorizer allows
	// every request of its members before RBAC is consulted (G1).
	GroupMasters = "system:masters"
	// GroupAuthenticated is added by the API server to every authenticated request.
	GroupAuthenticated = "system:authenticated"
	// GroupNodes is the group kubelets authenticate in (G2.7, D7).
	GroupNodes = "system:nodes"
	// UserAnonymous is the user of unauthenticated requests; it is not in GroupAuthenticated.
	UserAnonymous = "system:anonymous"

	serviceAccountPrefix = "system:serviceaccount:"
	rbacAPIGroup         = "rbac.authorization.k8s.io"
)

// Subject is an authenticated Kubernetes identity.
type Subject struct {
	Username string
	Groups   []string
	// AccessPolicies are the EKS access policies associated with the access entry the subject
	// authenticated through. They grant in addition to RBAC (E3.2). Leave empty for
	// ServiceAccounts and for impersonated subjects: impersonation drops access-policy
	// permissions (E3.2, [EKS-AP]).
	AccessPolicies []inventory.AccessPolicy
}

// ServiceAccountSubject is the identity a pod or token of ServiceAccount ns/name authenticates
// as: user system:serviceaccount:NS:NAME in groups system:serviceaccounts,
// system:serviceaccounts:NS and system:authenticated (G1).
func ServiceAccountSubject(ns, name string) Subject {
	return Subject{
		Username: ServiceAccountUsername(ns, name),
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, GroupAuthenticated},
	}
}

// ServiceAccountUsername is "system:serviceaccount:NS:NAME" (the token's sub claim, B2.2).
func ServiceAccountUsername(ns, name string) string { return serviceAccountPrefix + ns + ":" + name }

// WithAccessPolicies returns a copy of s that also holds the given EKS access policies.
func (s Subject) WithAccessPolicies(policies []inventory.AccessPolicy) Subject {
	s.Groups = slices.Clone(s.Groups)
	s.AccessPolicies = append(slices.Clone(s.AccessPolicies), policies...)
	return s
}

// groups returns s's groups plus system:authenticated, which the API server adds to every
// authenticated user; the anonymous user does not get it.
func (s Subject) groups() []string {
	if s.Username == UserAnonymous || slices.Contains(s.Groups, GroupAuthenticated) {
		return s.Groups
	}
	return append(slices.Clone(s.Groups), GroupAuthenticated)
}

func (s Subject) isMaster() bool { return slices.Contains(s.Groups, GroupMasters) }

type roleKey struct{ kind, namespace, name string }

// Authorizer evaluates Kubernetes RBAC over a fixed set of roles and bindings. The zero value
// grants nothing (except to system:masters and through a subject's access policies).
type Authorizer struct {
	roles   map[roleKey][]*inventory.RBACRole
	byUser  map[string][]*inventory.RBACBinding
	byGroup map[string][]*inventory.RBACBinding
}

// New indexes roles by (kind, namespace, name) and bindings by the user and group names of
// their subjects, so a query reads only the bindings of the asking subject. A ServiceAccount
// subject is indexed under its username; without a namespace it takes the RoleBinding's
// namespace, as the RBAC authorizer does (appliesToUser in
// kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go). Subjects of an unknown kind match
// nobody. Duplicate roles with the same key (the same object in two input files) are united.
func New(roles []*inventory.RBACRole, bindings []*inventory.RBACBinding) *Authorizer {
	a := &Authorizer{
		roles:   map[roleKey][]*inventory.RBACRole{},
		byUser:  map[string][]*inventory.RBACBinding{},
		byGroup: map[string][]*inventory.RBACBinding{},
	}
	for _, r := range roles {
		if r == nil {
			continue
		}
		k := roleKey{r.Kind, r.Namespace, r.Name}
		if r.Kind == "ClusterRole" {
			k.namespace = ""
		}
		a.roles[k] = append(a.roles[k], r)
	}
	add := func(m map[string][]*inventory.RBACBinding, key string, b *inventory.RBACBinding) {
		// A binding listing the same subject twice is indexed once.
		if l := m[key]; len(l) == 0 || l[len(l)-1] != b {
			m[key] = append(l, b)
		}
	}
	for _, b := range bindings {
		if b == nil {
			continue
		}
		for _, s := range b.Subjects {
			switch s.Kind {
			case "User":
				add(a.byUser, s.Name, b)
			case "Group":
				add(a.byGroup, s.Name, b)
			case "ServiceAccount":
				ns := s.Namespace
				if ns == "" && b.Kind == "RoleBinding" {
					ns = b.Namespace
				}
				if ns == "" || s.Name == "" {
					continue // system:serviceaccount::NAME is nobody's username
				}
				add(a.byUser, ServiceAccountUsername(ns, s.Name), b)
			}
		}
	}
	return a
}

// bindings returns the bindings whose subjects include s (by username or any group), each once,
// in index order.
func (a *Authorizer) bindings(s Subject) []*inventory.RBACBinding {
	if a == nil {
		return nil
	}
	var out []*inventory.RBACBinding
	seen := map[*inventory.RBACBinding]bool{}
	take := func(l []*inventory.RBACBinding) {
		for _, b := range l {
			if !seen[b] {
				seen[b] = true
				out = append(out, b)
			}
		}
	}
	if s.Username != "" {
		take(a.byUser[s.Username])
	}
	for _, g := range s.groups() {
		take(a.byGroup[g])
	}
	return out
}

// rules returns the rules binding b grants and the namespace they apply in ("" = everywhere).
// A RoleBinding grants its role's rules (a Role of its namespace or a ClusterRole) only in its
// own namespace; a ClusterRoleBinding grants a ClusterRole everywhere and cannot reference a
// Role (the API server rejects it). A missing role grants nothing.
func (a *Authorizer) rules(b *inventory.RBACBinding) (rules []inventory.RBACRule, namespace string, ok bool) {
	var k roleKey
	switch {
	case b.Kind == "ClusterRoleBinding" && b.RoleKind == "ClusterRole":
		k = roleKey{"ClusterRole", "", b.RoleName}
	case b.Kind == "RoleBinding" && b.RoleKind == "ClusterRole" && b.Namespace != "":
		k, namespace = roleKey{"ClusterRole", "", b.RoleName}, b.Namespace
	case b.Kind == "RoleBinding" && b.RoleKind == "Role" && b.Namespace != "":
		k, namespace = roleKey{"Role", b.Namespace, b.RoleName}, b.Namespace
	default:
		return nil, "", false
	}
	roles := a.roles[k]
	if len(roles) == 0 {
		return nil, "", false
	}
	for _, r := range roles {
		rules = append(rules, r.Rules...)
	}
	return rules, namespace, true
}

// Request is a resource request as the RBAC authorizer sees it. Namespace is "" for
// cluster-scoped resources and for requests across all namespaces. Name is "" when the request
// names no object: create (the new object's name is not known at authorization time), list,
// watch, deletecollection.
type Request struct {
	Verb, APIGroup, Resource, Subresource, Namespace, Name string
}

// Allowed reports whether s may perform verb on apiGroup/resource[/subresource] in namespace
// (object name, "" if none), with Kubernetes RBAC semantics plus s's EKS access policies:
//   - system:masters is allowed everything (G1);
//   - a ClusterRoleBinding grants in every namespace and for cluster-scoped resources; a
//     RoleBinding only for requests in its own namespace;
//   - "*" in a rule's verbs, apiGroups or resources matches anything; "pods/exec" matches only
//     that subresource and "*/exec" the exec subresource of any resource;
//   - a rule with resourceNames matches only a request naming one of them, so it never matches
//     create, list or deletecollection (Kubernetes RBAC docs, "Referring to resources": create
//     cannot be restricted by name because the name is not known at authorization time).
//
// Non-resource URLs are not modelled.
func (a *Authorizer) Allowed(s Subject, verb, apiGroup, resource, subresource, namespace, name string) bool {
	return a.allowed(s, Request{verb, apiGroup, resource, subresource, namespace, name})
}

func (a *Authorizer) allowed(s Subject, r Request) bool {
	all, _ := a.names(s, r, false)
	return all
}

// names reports whether s may perform r on the object r.Name (r.Name "" = no object); with
// collect, it also returns the object names granted by rules restricted with resourceNames
// (sorted, deduplicated), which matters when the caller does not know the name it needs.
func (a *Authorizer) names(s Subject, r Request, collect bool) (all bool, names []string) {
	if s.isMaster() {
		return true, nil
	}
	for _, p := range s.AccessPolicies {
		if AccessPolicyAllows(p.PolicyARN, p.ScopeType, p.Namespaces, r) {
			return true, nil
		}
	}
	for _, b := range a.bindings(s) {
		rules, ns, ok := a.rules(b)
		if !ok || (ns != "" && ns != r.Namespace) {
			continue
		}
		for i := range rules {
			if !ruleMatches(&rules[i], r) {
				continue
			}
			switch {
			case len(rules[i].ResourceNames) == 0:
				return true, nil
			case r.Name != "" && slices.Contains(rules[i].ResourceNames, r.Name):
				return true, nil
			case collect:
				names = append(names, rules[i].ResourceNames...)
			}
		}
	}
	slices.Sort(names)
	return false, slices.Compact(names)
}

// NamesAllowed is Allowed for a request whose object the caller cannot name: all reports
// that any object is allowed, otherwise names lists the objects that rules restricted by
// resourceNames allow (nil when none).
func (a *Authorizer) NamesAllowed(s Subject, verb, apiGroup, resource, subresource, namespace string) (all bool, names []string) {
	return a.names(s, Request{verb, apiGroup, resource, subresource, namespace, ""}, true)
}

// ruleMatches is the RBAC rule match without resourceNames (VerbMatches, APIGroupMatches,
// ResourceMatches in kubernetes pkg/apis/rbac/v1/evaluation_helpers.go).
func ruleMatches(rule *inventory.RBACRule, r Request) bool {
	return matchesValue(rule.Verbs, r.Verb) &&
		matchesValue(rule.APIGroups, r.APIGroup) &&
		resourceMatches(rule.Resources, r.Resource, r.Subresource)
}

func matchesValue(list []string, v string) bool {
	return slices.Contains(list, "*") || slices.Contains(list, v)
}

func resourceMatches(ruleResources []string, resource, subresource string) bool {
	if resource == "" {
		return false
	}
	combined := resource
	if subresource != "" {
		combined += "/" + subresource
	}
	for _, rr := range ruleResources {
		if rr == "*" || rr == combined {
			return true
		}
		if subresource != "" && strings.HasPrefix(rr, "*/") && rr[2:] == subresource {
			return true
		}
	}
	return false
}
