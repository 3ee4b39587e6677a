package clusterauth

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
)

// Template placeholders (D6.1); any other {{…}} is left literally.
const (
	tmplAccountID      = "{{AccountID}}"
	tmplSessionName    = "{{SessionName}}"
	tmplSessionNameRaw = "{{SessionNameRaw}}"
	tmplAccessKeyID    = "{{AccessKeyID}}"
	tmplEC2PrivateDNS  = "{{EC2PrivateDNSName}}"
)

// instanceIDRE is what the session name must look like for {{EC2PrivateDNSName}} (D6.2; AUTHN
// pkg/server/server.go renderTemplate).
var instanceIDRE = regexp.MustCompile(`^i-(\w{8}|\w{17})$`)

// identity is the caller as the authenticator's token.Identity holds it (D4.5).
type identity struct {
	arn, canonical, account, session, accessKeyID, instanceDNS string
	roleSession                                                bool
}

// newIdentity canonicalizes c; reason is set when the authenticator would reject it.
func newIdentity(c Caller) (id identity, reason string) {
	canonical, session, ok := Canonicalize(c.ARN)
	if !ok {
		return id, fmt.Sprintf("caller ARN %q is not a user, role, root, assumed-role or federated-user ARN of a known partition, so the authenticator rejects it (D4.2)", c.ARN)
	}
	id = identity{arn: c.ARN, canonical: canonical, account: c.Account, accessKeyID: c.AccessKeyID,
		instanceDNS: c.InstancePrivateDNS, roleSession: isRoleSession(c.ARN)}
	if id.account == "" {
		a, _ := iampolicy.ParseARN(c.ARN)
		id.account = a.Account
	}
	if id.roleSession {
		// D4.5: the session name is the text after ":" in the STS UserId (AROA…:SESSION); the
		// session ARN carries the same text, used when UserID is not known.
		id.session = session
		if _, s, ok := strings.Cut(c.UserID, ":"); ok {
			id.session = s
		}
	}
	return id, ""
}

// render applies the templates of D6.1 in the order of the authenticator's renderTemplate.
// Values unknown offline ({{AccessKeyID}} without Caller.AccessKeyID, {{EC2PrivateDNSName}}
// without Caller.InstancePrivateDNS) keep their placeholder, so the result shows which part
// depends on facts the tool does not have. ok is false when the authenticator fails (D6.2).
func render(tmpl string, id identity) (string, bool) {
	if strings.Contains(tmpl, tmplEC2PrivateDNS) {
		// The raw session name must be an instance ID; the authenticator then calls
		// ec2:DescribeInstances, which fails for an instance that does not exist (not modelled).
		if !instanceIDRE.MatchString(id.session) {
			return "", false
		}
		if id.instanceDNS != "" {
			tmpl = strings.ReplaceAll(tmpl, tmplEC2PrivateDNS, id.instanceDNS)
		}
	}
	tmpl = strings.ReplaceAll(tmpl, tmplAccountID, id.account)
	tmpl = strings.ReplaceAll(tmpl, tmplSessionName, strings.ReplaceAll(id.session, "@", "-"))
	tmpl = strings.ReplaceAll(tmpl, tmplSessionNameRaw, id.session)
	if id.accessKeyID != "" {
		tmpl = strings.ReplaceAll(tmpl, tmplAccessKeyID, id.accessKeyID)
	}
	return tmpl, true
}

// callerChosen reports whether a username template lets a role-session caller choose its
// Kubernetes username through the session name it passes to AssumeRole (D6.3).
func callerChosen(tmpl string, id identity) bool {
	return id.roleSession && (strings.Contains(tmpl, tmplSessionName) ||
		strings.Contains(tmpl, tmplSessionNameRaw) || strings.Contains(tmpl, tmplEC2PrivateDNS))
}

// backendRank orders mapping sources as aws-iam-authenticator lists its backends
// (pkg/mapper/mapper.go BackendModeChoices: MountedFile, EKSConfigMap, CRD, DynamicFile). The
// real order is the server's --backend-mode flag, which is not in any input; EKS reads only
// the ConfigMap, so for EKS clusters the order never matters.
func backendRank(kind string) int {
	switch kind {
	case inventory.AuthServerFile:
		return 0
	case inventory.AuthConfigMap:
		return 1
	case inventory.AuthCRD:
		return 2
	case inventory.AuthDynamicFile:
		return 3
	}
	return 4
}

// backends groups sources into authenticator backends, in backendRank order (then by ID).
// All IAMIdentityMapping objects form one CRD backend.
func backends(sources []*inventory.AWSAuth) [][]*inventory.AWSAuth {
	sorted := slices.DeleteFunc(slices.Clone(sources), func(a *inventory.AWSAuth) bool { return a == nil })
	sort.SliceStable(sorted, func(i, j int) bool {
		ri, rj := backendRank(sorted[i].Kind), backendRank(sorted[j].Kind)
		if ri != rj {
			return ri < rj
		}
		return sorted[i].ID < sorted[j].ID
	})
	var out [][]*inventory.AWSAuth
	for _, a := range sorted {
		if n := len(out); n > 0 && a.Kind == inventory.AuthCRD && out[n-1][0].Kind == inventory.AuthCRD {
			out[n-1] = append(out[n-1], a)
			continue
		}
		out = append(out, []*inventory.AWSAuth{a})
	}
	return out
}

// effective reports whether the authenticator keeps e: entries failing Validate (D3.4) and
// earlier duplicates (D5.3) are marked by the loader.
func effective(e *inventory.AuthEntry) bool {
	return e != nil && e.Invalid == "" && e.Shadowed == ""
}

// matchRole reports whether role entry e matches canonical ARN (D4.6: case-insensitive; D5.2:
// no type check, so a user ARN under mapRoles matches too).
func matchRole(e *inventory.AuthEntry, canonical string, opts Options) (exact, sso bool) {
	if e.ARN != "" {
		return strings.EqualFold(e.ARN, canonical), false
	}
	if e.SSO != nil && opts.SSORoleMatch {
		return false, iampolicy.MatchARNLike(e.SSO.ARNLike(), strings.ToLower(canonical))
	}
	return false, false
}

// MapAWSAuth maps c through one cluster's aws-iam-authenticator mapping sources (normally the aws-auth
// ConfigMap) as the authenticator's doMapping does (D5.1): backend by backend (order: see
// backendRank), the first matching mapRoles entry, else the first matching mapUsers entry,
// else — when the caller's account is in that backend's mapAccounts — the canonical ARN with
// no groups (D5.4, X39); else the next backend. Only effective entries count (not Invalid,
// not Shadowed); a section that failed to parse has no entries (D3.2). The canonical ARN has
// no role path, so a rolearn written with a path never matches (D4.3, X34). Username and
// groups are rendered from templates (D6.1); a {{EC2PrivateDNSName}} template with a session
// name that is not an instance ID fails authentication without trying further backends (D6.2).
func MapAWSAuth(sources []*inventory.AWSAuth, c Caller, opts Options) Identity {
	id, bad := newIdentity(c)
	if bad != "" {
		return Identity{Reason: bad}
	}
	for _, backend := range backends(sources) {
		if e, note := lookupEntry(backend, id, opts); e != nil {
			return fromEntry(e, id, note)
		}
		for _, a := range backend {
			for _, acct := range a.MapAccounts {
				if acct.Account == id.account {
					return Identity{
						Authenticated: true, Username: id.canonical, Groups: []string{},
						Source: SourceAWSAuth, EntryID: acct.ID,
						Reason: fmt.Sprintf("no mapRoles or mapUsers entry matches %s but account %s is in mapAccounts, so the username is the canonical ARN with no groups (D5.1, D5.4)", id.canonical, id.account),
					}
				}
			}
		}
	}
	return Identity{Reason: notMappedReason(sources, id)}
}

// lookupEntry finds the entry of one backend that maps id: mapRoles first, then mapUsers. When
// several effective entries match (an sso and a rolearn entry for the same role; mapUsers
// entries differing only in case), the authenticator's choice depends on Go map iteration
// order (D5.3); the tool takes a rolearn match over an sso match, else the last one, and says so.
func lookupEntry(backend []*inventory.AWSAuth, id identity, opts Options) (*inventory.AuthEntry, string) {
	var exact, sso []*inventory.AuthEntry
	for _, a := range backend {
		for _, e := range a.MapRoles {
			if !effective(e) {
				continue
			}
			x, s := matchRole(e, id.canonical, opts)
			if x {
				exact = append(exact, e)
			} else if s {
				sso = append(sso, e)
			}
		}
	}
	if all := append(slices.Clone(exact), sso...); len(all) > 0 {
		pick := all[len(all)-1]
		if len(exact) > 0 {
			pick = exact[len(exact)-1]
		}
		return pick, ambiguity(all, pick)
	}
	var users []*inventory.AuthEntry
	for _, a := range backend {
		for _, e := range a.MapUsers {
			if effective(e) && strings.EqualFold(e.ARN, id.canonical) {
				users = append(users, e)
			}
		}
	}
	if len(users) > 0 {
		pick := users[len(users)-1]
		return pick, ambiguity(users, pick)
	}
	return nil, ""
}

func ambiguity(all []*inventory.AuthEntry, pick *inventory.AuthEntry) string {
	if len(all) < 2 {
		return ""
	}
	var others []string
	for _, e := range all {
		if e != pick {
			others = append(others, e.ID)
		}
	}
	return fmt.Sprintf(" (also matched by %s: the authenticator's pick is non-deterministic, D5.3)", strings.Join(others, ", "))
}

// fromEntry renders the identity entry e gives.
func fromEntry(e *inventory.AuthEntry, id identity, note string) Identity {
	out := Identity{Source: SourceAWSAuth, EntryID: e.ID}
	user, ok := render(e.Username, id)
	groups := []string{}
	for _, g := range e.Groups {
		if !ok {
			break
		}
		var r string
		r, ok = render(g, id)
		groups = append(groups, r)
	}
	if !ok {
		out.Reason = fmt.Sprintf("%s entry %s matches %s but uses {{EC2PrivateDNSName}} and the session name %q is not an EC2 instance ID, so authentication fails (D6.2)%s",
			e.Section, e.ID, id.canonical, id.session, note)
		return out
	}
	out.Authenticated, out.Username, out.Groups = true, user, groups
	out.UsernameChosenByCaller = callerChosen(e.Username, id)
	out.Reason = fmt.Sprintf("canonical ARN %s matches %s entry %s%s", id.canonical, e.Section, e.ID, note)
	return out
}

// notMappedReason explains a failed lookup, naming near misses: a rolearn with a path for the
// same role name (D4.3, X34) and sections dropped because they do not parse (D3.2).
func notMappedReason(sources []*inventory.AWSAuth, id identity) string {
	msg := fmt.Sprintf("no mapping matches canonical ARN %s and account %s is not in mapAccounts", id.canonical, id.account)
	name, isRole := iampolicy.RoleNameOf(id.canonical)
	var hints []string
	for _, a := range sources {
		if a == nil {
			continue
		}
		for _, s := range a.Sections {
			if s.Error != "" {
				hints = append(hints, fmt.Sprintf("%s of %s is dropped because it does not parse (D3.2)", s.Name, a.ID))
			}
		}
		if !isRole {
			continue
		}
		for _, e := range slices.Concat(a.MapRoles, a.MapUsers) {
			if !effective(e) || e.ARN == "" {
				continue
			}
			n, ok := iampolicy.RoleNameOf(e.ARN)
			ea, _ := iampolicy.ParseARN(e.ARN)
			if ok && strings.EqualFold(n, name) && ea.Account == id.account && strings.Count(ea.Resource, "/") > 1 {
				hints = append(hints, fmt.Sprintf("entry %s names the role with a path (%s), which never matches (D4.3)", e.ID, e.ARN))
			}
		}
	}
	if len(hints) > 0 {
		msg += "; " + strings.Join(hints, "; ")
	}
	return msg
}
