package eksctl

import (
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/awsauth"
	"github.com/rolecall/rolecall/analyzer/load/node"
)

// Fields of iamIdentityMappings entries (pkg/apis/eksctl.io/v1alpha5/identitymapping.go
// IAMIdentityMapping) and of access entries (access_entry.go AccessEntry, AccessPolicy,
// AccessScope).
var (
	mappingFields      = []string{"arn", "username", "groups", "account", "serviceName", "namespace", "noDuplicateARNs"}
	accessEntryFields  = []string{"principalARN", "type", "kubernetesGroups", "kubernetesUsername", "accessPolicies"}
	accessPolicyFields = []string{"policyARN", "accessScope"}
	accessScopeFields  = []string{"type", "namespaces"}
)

// identityMappings reads iamIdentityMappings. eksctl adds each to the cluster's aws-auth
// ConfigMap (pkg/actions/iamidentitymapping/create.go Create; pkg/authconfigmap): a role ARN
// to mapRoles and a user ARN to mapUsers as written (iam.NewIdentity), an account to
// mapAccounts, and serviceName emr-containers as a mapRoles entry for EMR's service-linked
// role (authconfigmap/service_access.go Grant). They are kept as a mapping source of their own
// (Kind configmap, ID awsauth:CLUSTER/eksctl): eksctl appends to whatever the ConfigMap holds,
// so the entries neither replace nor are replaced by an aws-auth ConfigMap read from a
// manifest of the same cluster.
func (r *reader) identityMappings(root *yaml.Node) {
	key, entries := r.list(root, "iamIdentityMappings", "ClusterConfig")
	if len(entries) == 0 {
		return
	}
	id := inventory.AWSAuthID(r.name, inventory.AuthConfigMap, "eksctl")
	var a *inventory.AWSAuth
	for _, old := range r.inv.AWSAuth {
		if old.ID == id {
			a = old // another file of the same cluster: eksctl appends its mappings too
		}
	}
	if a == nil {
		a = &inventory.AWSAuth{ID: id, Cluster: r.name, Kind: inventory.AuthConfigMap, Source: r.Src(key)}
		defer func() {
			if len(a.Sections) > 0 {
				r.inv.AWSAuth = append(r.inv.AWSAuth, a)
			}
		}()
	}
	for i, e := range entries {
		what := fmt.Sprintf("iamIdentityMappings[%d]", i)
		r.known(e, what, mappingFields...)
		arn, _ := r.str(e, "arn", what)
		user, _ := r.str(e, "username", what)
		groups := r.strs(e, "groups", what)
		account, _ := r.str(e, "account", what)
		service, serviceNode := r.str(e, "serviceName", what)
		ns, _ := r.str(e, "namespace", what)
		// identitymapping.go Validate.
		switch {
		case service != "" && arn != "" && user != "" && len(groups) > 0:
			r.Errorf(e, "%s: eksctl refuses it: cannot use arn, username, and groups with serviceName", what)
			continue
		case service != "" && ns == "":
			r.Errorf(e, "%s: eksctl refuses it: namespace is required when using serviceName", what)
			continue
		case service == "" && ns != "":
			r.Errorf(e, "%s: eksctl refuses it: serviceName is required when using namespace", what)
			continue
		case account != "" && (arn != "" || user != "" || len(groups) > 0 || service != "" || ns != ""):
			r.Errorf(e, "%s: eksctl refuses it: account cannot be configured with any other options", what)
			continue
		}
		switch {
		case service == "emr-containers":
			a.MapRoles = append(a.MapRoles, r.entry(a, awsauth.MapRoles, len(a.MapRoles), e,
				"arn:"+r.partition+":iam::"+iampolicy.Unknown("account of cluster "+plain(r.name))+":role/AWSServiceRoleForAmazonEMRContainers",
				"emr-containers", nil))
		case service != "":
			r.Warnf(serviceNode, "%s: serviceName %q: rolecall knows the aws-auth entry eksctl writes only for emr-containers; this mapping is not evaluated", what, service)
		case account != "":
			a.MapAccounts = append(a.MapAccounts, inventory.AccountRef{
				ID: inventory.AuthEntryID(a.ID, awsauth.MapAccounts, len(a.MapAccounts)), Account: account, Source: r.Src(e)})
		default:
			section, ok := r.mappingSection(e, what, arn, user, groups)
			if !ok {
				continue
			}
			if section == awsauth.MapRoles {
				a.MapRoles = append(a.MapRoles, r.entry(a, section, len(a.MapRoles), e, arn, user, groups))
			} else {
				a.MapUsers = append(a.MapUsers, r.entry(a, section, len(a.MapUsers), e, arn, user, groups))
			}
		}
	}
	awsauth.MarkShadowed(a.MapRoles)
	awsauth.MarkShadowed(a.MapUsers)
	a.Sections = nil
	for _, s := range []struct {
		name string
		n    int
	}{{awsauth.MapRoles, len(a.MapRoles)}, {awsauth.MapUsers, len(a.MapUsers)}, {awsauth.MapAccounts, len(a.MapAccounts)}} {
		if s.n > 0 {
			a.Sections = append(a.Sections, inventory.AuthSection{ID: inventory.AuthSectionID(a.ID, s.name), Name: s.name, Source: a.Source})
		}
	}
}

// mappingSection is the aws-auth section eksctl writes an ARN mapping to (pkg/iam
// NewIdentity: an ARN, and a username or groups, are required; user ARNs go to mapUsers, role
// ARNs to mapRoles, anything else is refused); ok is false when eksctl refuses the mapping or
// the ARN is too unknown to tell.
func (r *reader) mappingSection(e *yaml.Node, what, arn, user string, groups []string) (section string, ok bool) {
	if arn == "" {
		r.Errorf(e, "%s: eksctl refuses it: an arn (or account, or serviceName) is required", what)
		return "", false
	}
	if user == "" && len(groups) == 0 {
		r.Errorf(e, "%s: eksctl refuses it: a mapping needs a username or groups", what)
		return "", false
	}
	a, parsed := iampolicy.ParseARN(arn)
	switch {
	case parsed && strings.HasPrefix(a.Resource, "user/"):
		return awsauth.MapUsers, true
	case parsed && strings.HasPrefix(a.Resource, "role/"):
		return awsauth.MapRoles, true
	case iampolicy.HasUnknown(arn):
		r.Warnf(e, "%s: arn %s is unknown until the template is rendered, so whether it is a role or a user is too; the mapping is not evaluated", what, arn)
	default:
		r.Errorf(e, "%s: eksctl refuses it: arn %q is neither an IAM role nor an IAM user ARN", what, arn)
	}
	return "", false
}

func (r *reader) entry(a *inventory.AWSAuth, section string, index int, e *yaml.Node, arn, user string, groups []string) *inventory.AuthEntry {
	return &inventory.AuthEntry{
		ID: inventory.AuthEntryID(a.ID, section, index), Section: section, Index: index,
		ARN: arn, Username: user, Groups: groups, Source: r.Src(e),
	}
}

// Access entry types eksctl accepts (access_entry.go validateAccessEntries).
var (
	entryTypes  = []string{"STANDARD", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX"}
	scopeTypes  = []string{"cluster", "namespace"}
	clusterWide = "cluster"
)

// accessEntries reads accessConfig.accessEntries (ac: the accessConfig mapping), each with its
// access policies, checked as eksctl checks them (access_entry.go validateAccessEntries); an
// entry or policy eksctl refuses is reported and left out.
func (r *reader) accessEntries(ac *yaml.Node) {
	_, entries := r.list(ac, "accessEntries", "accessConfig")
	seen := map[string]bool{}
	for i, e := range entries {
		what := fmt.Sprintf("accessConfig.accessEntries[%d]", i)
		r.known(e, what, accessEntryFields...)
		principal, pNode := r.str(e, "principalARN", what)
		if _, ok := iampolicy.ParseARN(principal); !ok {
			r.Errorf(node.First(pNode, e), "%s: principalARN must be set to a valid AWS ARN", what)
			continue
		}
		typ, typeNode := r.str(e, "type", what)
		groups := r.strs(e, "kubernetesGroups", what)
		user, _ := r.str(e, "kubernetesUsername", what)
		_, policies := r.list(e, "accessPolicies", what)
		switch {
		case typ == "" || typ == "STANDARD" || iampolicy.HasUnknown(typ):
		case !slices.Contains(entryTypes, typ):
			r.Errorf(typeNode, "%s: invalid access entry type %q: expected %s", what, typ, strings.Join(entryTypes, ", "))
			continue
		case len(groups) > 0 || user != "":
			r.Errorf(typeNode, "%s: cannot specify kubernetesGroups nor kubernetesUsername when type is set to %s", what, typ)
			continue
		case len(policies) > 0:
			r.Errorf(typeNode, "%s: cannot specify accessPolicies when type is set to %s", what, typ)
			continue
		}
		if seen[principal] {
			r.Errorf(node.First(pNode, e), "%s: duplicate access entry with principal ARN %q", what, principal)
			continue
		}
		seen[principal] = true
		ae := &inventory.AccessEntry{
			ID: inventory.AccessEntryID(r.name, principal), Cluster: r.name, PrincipalARN: principal,
			Type: typ, Username: user, KubernetesGroups: groups, Policies: []inventory.AccessPolicy{}, Source: r.Src(e),
		}
		for j, p := range policies {
			if ap, ok := r.accessPolicy(ae.ID, p, fmt.Sprintf("%s.accessPolicies[%d]", what, j)); ok {
				ae.Policies = append(ae.Policies, ap)
			}
		}
		r.inv.AccessEntries = append(r.inv.AccessEntries, ae)
	}
}

func (r *reader) accessPolicy(entryID string, p *yaml.Node, what string) (inventory.AccessPolicy, bool) {
	r.known(p, what, accessPolicyFields...)
	arn, arnNode := r.str(p, "policyARN", what)
	a, ok := iampolicy.ParseARN(arn)
	switch {
	case !ok:
		r.Errorf(node.First(arnNode, p), "%s: policyARN must be set to a valid AWS ARN", what)
		return inventory.AccessPolicy{}, false
	case !strings.HasPrefix(a.Resource, "cluster-access-policy/") && !iampolicy.HasUnknown(a.Resource):
		r.Errorf(arnNode, "%s: policyARN must be a cluster-access-policy resource (arn:aws:eks::aws:cluster-access-policy/NAME)", what)
		return inventory.AccessPolicy{}, false
	}
	_, scope := r.mapping(p, "accessScope", what)
	r.known(scope, what+".accessScope", accessScopeFields...)
	typ, typeNode := r.str(scope, "type", what+".accessScope")
	namespaces := r.strs(scope, "namespaces", what+".accessScope")
	switch {
	case typ == "":
		r.Errorf(node.First(typeNode, scope, p), "%s: accessScope.type must be set to either \"namespace\" or \"cluster\"", what)
		return inventory.AccessPolicy{}, false
	case iampolicy.HasUnknown(typ):
	case !slices.Contains(scopeTypes, typ):
		r.Errorf(typeNode, "%s: invalid access scope type %q: expected \"namespace\" or \"cluster\"", what, typ)
		return inventory.AccessPolicy{}, false
	case typ == clusterWide && len(namespaces) > 0:
		r.Errorf(typeNode, "%s: cannot specify accessScope.namespaces when accessScope is set to cluster", what)
		return inventory.AccessPolicy{}, false
	case typ != clusterWide && len(namespaces) == 0:
		r.Errorf(typeNode, "%s: at least one namespace must be specified when accessScope is set to namespace", what)
		return inventory.AccessPolicy{}, false
	}
	return inventory.AccessPolicy{ID: inventory.AccessPolicyID(entryID, arn), PolicyARN: arn, ScopeType: typ,
		Namespaces: namespaces, Source: r.Src(p)}, true
}
