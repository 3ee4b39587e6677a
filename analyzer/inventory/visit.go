package inventory

import "github.com/rolecall/rolecall/analyzer/iampolicy"

// Element is one inventory element as EachElement shows it.
type Element struct {
	ID string
	// ARN is the element's own ARN: a role's, user's, group's, managed policy's, OIDC
	// provider's or cluster's, a Pod Identity association's; "" when it has none (access
	// entries, Kubernetes objects, node groups) or it is unknown.
	ARN string
	// Sources are every Source the element holds, its own first, then its parts' (inline
	// policies, access policies, annotations, aws-auth sections, keys and entries, add-on
	// policies), so a caller can rewrite them in place.
	Sources []*Source
	// Policies are the policy documents it holds (trust, inline, managed default version).
	Policies []*iampolicy.Policy
}

// EachElement calls fn for every element of inv (every slice, in order). It is the one place
// that knows which parts of an element carry a Source.
func (inv *Inventory) EachElement(fn func(Element)) {
	for _, r := range inv.Roles {
		e := Element{ID: r.ID, ARN: r.ARN, Sources: []*Source{&r.Source}}
		e.addPolicy(r.Trust)
		e.addNamed(r.InlinePolicies)
		fn(e)
	}
	for _, u := range inv.Users {
		e := Element{ID: u.ID, ARN: u.ARN, Sources: []*Source{&u.Source}}
		e.addNamed(u.InlinePolicies)
		fn(e)
	}
	for _, g := range inv.Groups {
		e := Element{ID: g.ID, ARN: g.ARN, Sources: []*Source{&g.Source}}
		e.addNamed(g.InlinePolicies)
		fn(e)
	}
	for _, p := range inv.ManagedPolicies {
		e := Element{ID: p.ID, ARN: p.ARN, Sources: []*Source{&p.Source}}
		e.addPolicy(p.Default)
		fn(e)
	}
	for _, p := range inv.OIDCProviders {
		fn(Element{ID: p.ID, ARN: p.ARN, Sources: []*Source{&p.Source}})
	}
	for _, c := range inv.Clusters {
		fn(Element{ID: c.ID, ARN: c.ARN, Sources: []*Source{&c.Source}})
	}
	for _, a := range inv.AccessEntries {
		e := Element{ID: a.ID, Sources: []*Source{&a.Source}}
		for i := range a.Policies {
			e.Sources = append(e.Sources, &a.Policies[i].Source)
		}
		fn(e)
	}
	for _, p := range inv.PodIdentity {
		fn(Element{ID: p.ID, ARN: p.AssociationARN, Sources: []*Source{&p.Source}})
	}
	for _, s := range inv.ServiceAccounts {
		e := Element{ID: s.ID, Sources: []*Source{&s.Source}}
		for i := range s.Annotations {
			e.Sources = append(e.Sources, &s.Annotations[i].Source)
		}
		fn(e)
	}
	for _, a := range inv.AWSAuth {
		e := Element{ID: a.ID, Sources: []*Source{&a.Source}}
		for i := range a.Sections {
			e.Sources = append(e.Sources, &a.Sections[i].Source)
		}
		e.addKeys(a.UnrecognizedKeys)
		for _, list := range [][]*AuthEntry{a.MapRoles, a.MapUsers} {
			for _, en := range list {
				e.Sources = append(e.Sources, &en.Source)
				e.addKeys(en.UnknownKeys)
			}
		}
		for i := range a.MapAccounts {
			e.Sources = append(e.Sources, &a.MapAccounts[i].Source)
		}
		fn(e)
	}
	for _, r := range inv.RBACRoles {
		fn(Element{ID: r.ID, Sources: []*Source{&r.Source}})
	}
	for _, b := range inv.RBACBindings {
		fn(Element{ID: b.ID, Sources: []*Source{&b.Source}})
	}
	for _, g := range inv.NodeGroups {
		e := Element{ID: g.ID, Sources: []*Source{&g.Source}}
		for i := range g.AddonPolicies {
			e.Sources = append(e.Sources, &g.AddonPolicies[i].Source)
		}
		fn(e)
	}
}

func (e *Element) addPolicy(p *iampolicy.Policy) {
	if p != nil {
		e.Policies = append(e.Policies, p)
	}
}

func (e *Element) addNamed(ps []NamedPolicy) {
	for i := range ps {
		e.Sources = append(e.Sources, &ps[i].Source)
		e.addPolicy(ps[i].Document)
	}
}

func (e *Element) addKeys(ks []KeyRef) {
	for i := range ks {
		e.Sources = append(e.Sources, &ks[i].Source)
	}
}
