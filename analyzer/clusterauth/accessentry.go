package clusterauth

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
)

// Access entry types (E2.2).
const (
	TypeStandard      = "STANDARD"
	TypeEC2Linux      = "EC2_LINUX"
	TypeEC2Windows    = "EC2_WINDOWS"
	TypeFargateLinux  = "FARGATE_LINUX"
	TypeHybridLinux   = "HYBRID_LINUX"
	TypeEC2           = "EC2"
	TypeHyperPodLinux = "HYPERPOD_LINUX"
)

// entryStatus is the outcome of looking a caller up in the access entries.
type entryStatus int

const (
	entryNone    entryStatus = iota // no entry names the principal
	entryMatched                    // an entry applies (authentication may still fail, D6.2)
	entryStale                      // an entry names the ARN but is bound to a deleted principal (E2.6)
)

// ResolveAccessEntry maps c through a cluster's access entries (E2):
//
//   - An entry names one IAM user or role (E2.1). A user caller matches by its ARN, path
//     included (D4.4). A role-session caller matches by the role: against Caller.RoleARN (full
//     ARN with path) when known, else by partition, account and role name, because session
//     ARNs carry no path while entries may (E2.1, X44). ARNs compare case-insensitively: IAM
//     user and role names are unique regardless of case (IAM API reference, CreateRole and
//     CreateUser RoleName/UserName). Entries naming an STS session or a service-linked role
//     are not allowed (E2.1) and never match; root and federated users never match.
//   - The username is the entry's, else the default of its type (E2.3); templates render as in
//     aws-auth (D6.1, D6.2). kubernetesGroups are taken literally (the sources describe
//     templates only for usernames). Access policies are returned as associated (E3).
//   - An entry is bound to the principal's unique ID (E2.6). The unique ID an entry recorded is
//     not in the inventory (describe-access-entry does not print it), so the binding is only
//     checked through Caller.RecreatedPrincipal: when set, a matching entry is stale and
//     authenticates nobody (X43).
func ResolveAccessEntry(entries []*inventory.AccessEntry, c Caller) Identity {
	id, _ := resolveEntry(entries, c)
	return id
}

func resolveEntry(entries []*inventory.AccessEntry, c Caller) (Identity, entryStatus) {
	id, bad := newIdentity(c)
	if bad != "" {
		return Identity{Reason: bad}, entryNone
	}
	var match *inventory.AccessEntry
	how := ""
	for _, e := range entries {
		if e == nil {
			continue
		}
		// One entry per principal (E2.1): the first match is the entry.
		if ok, h := entryMatches(e, c, id); ok {
			match, how = e, h
			break
		}
	}
	if match == nil {
		return Identity{Reason: fmt.Sprintf("no access entry names %s", principalText(c, id))}, entryNone
	}
	if c.RecreatedPrincipal {
		return Identity{Source: SourceAccessEntry, EntryID: match.ID, Reason: fmt.Sprintf(
			"access entry %s names %s but is bound to the unique ID of the principal that was deleted and re-created, so it no longer matches (E2.6)",
			match.ID, match.PrincipalARN)}, entryStale
	}
	out := Identity{Source: SourceAccessEntry, EntryID: match.ID}
	tmpl, known := entryUsername(match)
	user, ok := render(tmpl, id)
	if !ok {
		out.Reason = fmt.Sprintf("access entry %s matches %s but its username %q needs an EC2 instance ID as session name and %q is not one, so authentication fails (E2.3, D6.2)",
			match.ID, how, tmpl, id.session)
		return out, entryMatched
	}
	out.Authenticated = true
	out.Username = user
	out.Groups = append([]string{}, match.KubernetesGroups...)
	out.AccessPolicies = slices.Clone(match.Policies)
	out.UsernameChosenByCaller = callerChosen(tmpl, id)
	out.Reason = fmt.Sprintf("access entry %s matches %s", match.ID, how)
	if !known {
		out.Reason += fmt.Sprintf("; the default username of type %s is not documented in the sources read, so it is left empty", match.Type)
	}
	return out, entryMatched
}

func principalText(c Caller, id identity) string {
	if id.roleSession && c.RoleARN != "" {
		return c.RoleARN
	}
	return id.canonical
}

// entryMatches reports whether entry e names the caller, and how it matched.
func entryMatches(e *inventory.AccessEntry, c Caller, id identity) (bool, string) {
	ea, ok := iampolicy.ParseARN(e.PrincipalARN)
	if !ok || ea.Service != "iam" {
		return false, ""
	}
	ca, _ := iampolicy.ParseARN(id.canonical)
	switch {
	case strings.HasPrefix(ca.Resource, "user/"):
		return strings.EqualFold(e.PrincipalARN, id.canonical), "user " + id.canonical
	case strings.HasPrefix(ca.Resource, "role/"):
		if !strings.HasPrefix(ea.Resource, "role/") || strings.HasPrefix(ea.Resource, "role/aws-service-role/") {
			return false, ""
		}
		if c.RoleARN != "" {
			return strings.EqualFold(e.PrincipalARN, c.RoleARN), "role " + c.RoleARN
		}
		name, _ := iampolicy.RoleNameOf(id.canonical)
		entryName, _ := iampolicy.RoleNameOf(e.PrincipalARN)
		same := ea.Partition == ca.Partition && ea.Account == ca.Account && strings.EqualFold(entryName, name)
		return same, fmt.Sprintf("role %s by account and role name (the role's path is unknown, so it was not compared)", id.canonical)
	}
	return false, ""
}

// entryUsername is the entry's username template: its own, else the default of its type
// (E2.3). known is false for types whose default the sources do not give (EC2, HYPERPOD_LINUX,
// unknown types); the template is then "".
func entryUsername(e *inventory.AccessEntry) (tmpl string, known bool) {
	if e.Username != "" {
		return e.Username, true
	}
	switch e.Type {
	case "", TypeStandard:
		a, _ := iampolicy.ParseARN(e.PrincipalARN)
		if name, ok := iampolicy.RoleNameOf(e.PrincipalARN); ok {
			// Role path removed (E2.3, X44).
			return "arn:" + a.Partition + ":sts::" + a.Account + ":assumed-role/" + name + "/" + tmplSessionName, true
		}
		return e.PrincipalARN, true
	case TypeEC2Linux, TypeEC2Windows:
		return "system:node:" + tmplEC2PrivateDNS, true
	case TypeFargateLinux, TypeHybridLinux:
		return "system:node:" + tmplSessionName, true
	}
	return "", false
}
