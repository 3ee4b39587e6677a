// Package iamjson reads IAM data from offline files: bare policy documents (a role's trust
// policy saved on its own) and the output of the AWS CLI's IAM commands (get-role, list-roles,
// get-account-authorization-details, list-policies, the OIDC provider commands), JSON or YAML.
// It recognises each document by content and fills the inventory; it never judges.
package iamjson

import (
	"path"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/node"
	"github.com/rolecall/rolecall/analyzer/result"
	yaml "go.yaml.in/yaml/v3"
)

// StdinRoleName names the role of a bare policy document read from standard input.
const StdinRoleName = "stdin"

// UnknownAccountRoleARN is the ARN given to a role known only from a bare policy file: the
// account is unknown, so the account field is empty (arn:aws:iam:::role/NAME).
func UnknownAccountRoleARN(name string) string { return UnknownAccountARN("role", name) }

// UnknownAccountARN is the ARN of an IAM entity of resource type kind (role, user, group,
// policy) whose account is unknown, such as one declared in infrastructure as code:
// arn:aws:iam:::KIND/PATHNAME, where pathName is the path without its leading "/" followed by
// the name ("teams/app" for path "/teams/" and name "app").
func UnknownAccountARN(kind, pathName string) string {
	return "arn:aws:iam:::" + kind + "/" + pathName
}

// UnknownAccountProviderARN is the ID used for an OIDC provider read from
// get-open-id-connect-provider whose ARN is not known (that output does not include it).
func UnknownAccountProviderARN(url string) string { return "arn:aws:iam:::oidc-provider/" + url }

// Load recognises doc by content and, when it is an IAM shape, adds what it holds to inv.
// recognized is false for documents that are not IAM data (they are left for other loaders).
// A recognised document that is broken yields positioned diagnostics; its good parts are kept.
func Load(doc *docnode.Document, inv *inventory.Inventory) (recognized bool, diags []result.Diagnostic) {
	if doc == nil || doc.Root == nil || inv == nil {
		return false, nil
	}
	root := docnode.Resolve(doc.Root)
	if root.Kind != yaml.MappingNode {
		return false, nil
	}
	r := &reader{Reader: node.Reader{File: doc.File}, inv: inv}
	switch {
	case isPolicyDocument(root):
		r.barePolicy(doc, root)
	case docnode.HasKeys(root, "Role") && node.OnlyKeys(root, with("Role")...):
		// get-role, create-role, update-role-description.
		_, v := docnode.Lookup(root, "Role")
		if v.Kind != yaml.MappingNode {
			r.Errorf(v, "get-role output: Role must be an object with Arn, RoleName and AssumeRolePolicyDocument")
			break
		}
		if role := r.role(v, "get-role output: Role"); role != nil {
			inv.Roles = append(inv.Roles, role)
		}
	case docnode.HasKeys(root, "Roles") && node.OnlyKeys(root, with("Roles")...):
		r.roleList(root)
	case isAuthorizationDetails(root):
		r.authorizationDetails(root)
	case docnode.HasKeys(root, "Policies") && node.OnlyKeys(root, with("Policies")...):
		// list-policies: managed policies without their documents.
		r.managedPolicies(root, "list-policies output")
	case docnode.HasKeys(root, "OpenIDConnectProviderList") && node.OnlyKeys(root, with("OpenIDConnectProviderList")...):
		r.providerList(root)
	case docnode.HasKeys(root, "Url") && (docnode.HasKeys(root, "ClientIDList") || docnode.HasKeys(root, "ThumbprintList")) &&
		node.OnlyKeys(root, with("Url", "ClientIDList", "ThumbprintList", "CreateDate", "Tags", "Arn")...):
		r.provider(root)
	default:
		return false, nil
	}
	return true, r.Diags
}

// isPolicyDocument: a policy document has a Statement, or at least a policy language Version.
func isPolicyDocument(m *yaml.Node) bool {
	if docnode.HasKeys(m, "Statement") {
		return true
	}
	v, ok := docnode.Str(docnode.Get(m, "Version"))
	return ok && (v == "2012-10-17" || v == "2008-10-17") && node.OnlyKeys(m, "Version", "Id", "Statement")
}

var gaadKeys = []string{"UserDetailList", "GroupDetailList", "RoleDetailList"}

func isAuthorizationDetails(m *yaml.Node) bool {
	has := false
	for _, k := range gaadKeys {
		has = has || docnode.HasKeys(m, k)
	}
	return has && node.OnlyKeys(m, with(append(gaadKeys, "Policies")...)...)
}

// RoleNameForFile is the role name a bare policy file stands for: the file name without its
// extension ("roles/app-trust.json" → "app-trust"); documents after the first of a YAML
// stream get "-INDEX" appended so each stays a distinct role.
func RoleNameForFile(file string, index int) string {
	name := StdinRoleName
	if file != "-" && file != "<stdin>" && file != "" {
		base := path.Base(strings.ReplaceAll(file, "\\", "/"))
		name = strings.TrimSuffix(base, path.Ext(base))
		if name == "" {
			name = base
		}
	}
	if index > 0 {
		name += "-" + strconv.Itoa(index)
	}
	return name
}

func (r *reader) barePolicy(doc *docnode.Document, root *yaml.Node) {
	name := RoleNameForFile(doc.File, doc.Index)
	arn := UnknownAccountRoleARN(name)
	r.inv.Roles = append(r.inv.Roles, &inventory.Role{
		ID:     inventory.RoleID(arn),
		ARN:    arn,
		Name:   name,
		Path:   "/",
		Trust:  iampolicy.ParseNode(root, r.File),
		Source: r.Src(root),
	})
}

// role reads a Role (get-role, list-roles) or RoleDetail (get-account-authorization-details).
func (r *reader) role(m *yaml.Node, what string) *inventory.Role {
	arn, a, ok := r.arn(m, "role", what, "an object with Arn, RoleName and AssumeRolePolicyDocument")
	if !ok {
		return nil
	}
	p, name := PathAndName(a.Resource)
	if n, nv := r.Str(m, "RoleName", what); nv != nil && n != "" {
		if n != name {
			r.Warnf(nv, "%s: RoleName %q does not match the name in Arn %q; using the Arn", what, n, arn)
		}
	}
	if pp, pv := r.Str(m, "Path", what); pv != nil && pp != "" && pp != p {
		r.Warnf(pv, "%s: Path %q does not match the path in Arn %q; using the Arn", what, pp, arn)
	}
	roleID, _ := r.Str(m, "RoleId", what)
	return &inventory.Role{
		ID:                  inventory.RoleID(arn),
		ARN:                 arn,
		Name:                name,
		Path:                p,
		Account:             a.Account,
		RoleID:              roleID,
		Trust:               r.policy(m, "AssumeRolePolicyDocument"),
		InlinePolicies:      r.inlinePolicies(m, "RolePolicyList", what),
		AttachedPolicies:    r.attached(m, what),
		PermissionsBoundary: r.boundary(m, what),
		Tags:                r.tags(m, what),
		Source:              r.Src(m),
	}
}

// complete reports whether a listing is whole: IsTruncated true means the dump stopped early
// (--max-items), so an absent element may exist. That is said once, as a warning.
func (r *reader) complete(root *yaml.Node, what string) bool {
	_, v := docnode.Lookup(root, "IsTruncated")
	if s, ok := docnode.Str(v); ok && s == "true" {
		r.Warnf(v, "%s is truncated (IsTruncated: true): elements not in it are not assumed absent; fetch every page (omit --max-items)", what)
		return false
	}
	return true
}

func (r *reader) markAccounts(m *map[string]bool, accounts []string) {
	if *m == nil {
		*m = map[string]bool{}
	}
	for _, a := range accounts {
		if a != "" {
			(*m)[a] = true
		}
	}
}

func (r *reader) roleList(root *yaml.Node) {
	_, v := docnode.Lookup(root, "Roles")
	if v.Kind != yaml.SequenceNode {
		r.Errorf(v, "list-roles output: Roles must be a list of role objects")
		return
	}
	var accounts []string
	for i, it := range docnode.Items(v) {
		what := "list-roles output: Roles[" + strconv.Itoa(i) + "]"
		if it.Kind != yaml.MappingNode {
			r.Errorf(it, "%s must be a role object with Arn, RoleName and AssumeRolePolicyDocument", what)
			continue
		}
		if role := r.role(it, what); role != nil {
			r.inv.Roles = append(r.inv.Roles, role)
			accounts = append(accounts, role.Account)
		}
	}
	if r.complete(root, "list-roles output") {
		r.markAccounts(&r.inv.RoleListAccounts, accounts)
	}
}

func (r *reader) authorizationDetails(root *yaml.Node) {
	const what = "get-account-authorization-details output"
	var roleAccounts, identityAccounts []string
	for i, it := range r.Objects(root, "RoleDetailList", what) {
		if role := r.role(it, what+": RoleDetailList["+strconv.Itoa(i)+"]"); role != nil {
			r.inv.Roles = append(r.inv.Roles, role)
			roleAccounts = append(roleAccounts, role.Account)
		}
	}
	for i, it := range r.Objects(root, "UserDetailList", what) {
		if u := r.user(it, what+": UserDetailList["+strconv.Itoa(i)+"]"); u != nil {
			r.inv.Users = append(r.inv.Users, u)
			identityAccounts = append(identityAccounts, u.Account)
		}
	}
	for i, it := range r.Objects(root, "GroupDetailList", what) {
		if g := r.group(it, what+": GroupDetailList["+strconv.Itoa(i)+"]"); g != nil {
			r.inv.Groups = append(r.inv.Groups, g)
			identityAccounts = append(identityAccounts, g.Account)
		}
	}
	r.managedPolicies(root, what)
	if r.complete(root, what) {
		r.markAccounts(&r.inv.RoleListAccounts, roleAccounts)
		r.markAccounts(&r.inv.IdentityAccounts, append(identityAccounts, roleAccounts...))
	}
}

func (r *reader) user(m *yaml.Node, what string) *inventory.User {
	arn, a, ok := r.arn(m, "user", what, "an object with Arn, UserName, UserPolicyList, GroupList")
	if !ok {
		return nil
	}
	p, name := PathAndName(a.Resource)
	userID, _ := r.Str(m, "UserId", what)
	return &inventory.User{
		ID:                  inventory.PrincipalID(arn),
		ARN:                 arn,
		Name:                name,
		Path:                p,
		Account:             a.Account,
		UserID:              userID,
		Groups:              r.StrOrList(m, "GroupList", what),
		InlinePolicies:      r.inlinePolicies(m, "UserPolicyList", what),
		AttachedPolicies:    r.attached(m, what),
		PermissionsBoundary: r.boundary(m, what),
		Tags:                r.tags(m, what),
		Source:              r.Src(m),
	}
}

func (r *reader) group(m *yaml.Node, what string) *inventory.Group {
	arn, a, ok := r.arn(m, "group", what, "an object with Arn, GroupName, GroupPolicyList")
	if !ok {
		return nil
	}
	_, name := PathAndName(a.Resource)
	return &inventory.Group{
		ID:               inventory.PrincipalID(arn),
		ARN:              arn,
		Name:             name,
		Account:          a.Account,
		InlinePolicies:   r.inlinePolicies(m, "GroupPolicyList", what),
		AttachedPolicies: r.attached(m, what),
		Source:           r.Src(m),
	}
}

// managedPolicies reads Policies[] (get-account-authorization-details or list-policies),
// keeping only the default version's document (F2.4).
func (r *reader) managedPolicies(root *yaml.Node, what string) {
	for i, p := range r.Objects(root, "Policies", what) {
		pw := what + ": Policies[" + strconv.Itoa(i) + "]"
		arn, a, ok := r.arn(p, "policy", pw, "an object with Arn, PolicyName, DefaultVersionId, PolicyVersionList")
		if !ok {
			continue
		}
		name, _ := r.Str(p, "PolicyName", pw)
		if name == "" {
			_, name = PathAndName(a.Resource)
		}
		defaultID, _ := r.Str(p, "DefaultVersionId", pw)
		mp := &inventory.ManagedPolicy{ID: inventory.PrincipalID(arn), ARN: arn, Name: name, Source: r.Src(p)}
		var byID *yaml.Node
		for _, v := range r.Objects(p, "PolicyVersionList", pw) {
			if d, _ := docnode.Str(docnode.Get(v, "IsDefaultVersion")); d == "true" {
				mp.Default = r.policy(v, "Document")
				byID = nil
				break
			}
			if id, _ := docnode.Str(docnode.Get(v, "VersionId")); id != "" && id == defaultID {
				byID = v
			}
		}
		if mp.Default == nil && byID != nil {
			mp.Default = r.policy(byID, "Document")
		}
		r.inv.ManagedPolicies = append(r.inv.ManagedPolicies, mp)
	}
}

func (r *reader) providerList(root *yaml.Node) {
	const what = "list-open-id-connect-providers output"
	var accounts []string
	for i, p := range r.Objects(root, "OpenIDConnectProviderList", what) {
		pw := what + ": OpenIDConnectProviderList[" + strconv.Itoa(i) + "]"
		arn, a, ok := r.arn(p, "oidc-provider", pw, "{\"Arn\": \"arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH\"}")
		if !ok {
			continue
		}
		r.inv.OIDCProviders = append(r.inv.OIDCProviders, &inventory.OIDCProvider{
			ID:      inventory.OIDCProviderID(arn),
			ARN:     arn,
			Account: a.Account,
			Source:  r.Src(p),
		})
		accounts = append(accounts, a.Account)
	}
	r.markAccounts(&r.inv.ProviderListAccounts, accounts)
}

// provider reads get-open-id-connect-provider output. The AWS CLI's output does not contain
// the provider's ARN: the provider is then recorded with ARN "" and ID
// UnknownAccountProviderARN(URL), and the loader's final merge attaches it to the one listed
// provider whose ARN ends in that URL, if any. rolecall's snapshots add the ARN ("Arn", the
// ARN the call was made with), which is then the provider's identity.
func (r *reader) provider(root *yaml.Node) {
	const what = "get-open-id-connect-provider output"
	url, _ := r.Str(root, "Url", what)
	url = strings.TrimPrefix(url, "https://")
	if url == "" {
		r.Errorf(docnode.Get(root, "Url"), "%s: Url is empty (expected HOST/PATH of the provider)", what)
		return
	}
	clientIDs := r.StrOrList(root, "ClientIDList", what)
	if clientIDs == nil {
		clientIDs = []string{}
	}
	p := &inventory.OIDCProvider{
		ID:          inventory.OIDCProviderID(UnknownAccountProviderARN(url)),
		URL:         url,
		ClientIDs:   clientIDs,
		Thumbprints: r.StrOrList(root, "ThumbprintList", what),
		Source:      r.Src(root),
	}
	// A wrong Arn is reported and the provider kept as if it had none.
	if _, av := docnode.Lookup(root, "Arn"); av != nil && !docnode.IsNull(av) {
		if av.Kind != yaml.ScalarNode {
			r.Errorf(av, "%s: Arn must be a string (expected arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST/PATH)", what)
		} else if arn, a, ok := r.arn(root, "oidc-provider", what, `"arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH"`); ok {
			if host, _ := iampolicy.OIDCProviderHost(arn); host != url {
				r.Warnf(docnode.Get(root, "Arn"), "%s: Arn %q names provider %s, not the Url %s; using the Arn", what, arn, host, url)
			}
			p.ID, p.ARN, p.Account = inventory.OIDCProviderID(arn), arn, a.Account
		}
	}
	r.inv.OIDCProviders = append(r.inv.OIDCProviders, p)
}
