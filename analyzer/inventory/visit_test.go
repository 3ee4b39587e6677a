package inventory

import (
	"reflect"
	"testing"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
)

var (
	sourceType = reflect.TypeFor[Source]()
	policyType = reflect.TypeFor[*iampolicy.Policy]()
)

// fill gives every slice of v one element and every pointer a value, recursively, so that
// every place a Source or policy document can live exists once.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == sourceType {
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i))
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		if v.Type() != policyType {
			fill(v.Elem())
		}
	}
}

// reachable lists the address of every Source and every policy document reachable from v.
func reachable(v reflect.Value, sources map[*Source]bool, policies map[*iampolicy.Policy]bool) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == sourceType {
			sources[v.Addr().Interface().(*Source)] = true
			return
		}
		for i := range v.NumField() {
			reachable(v.Field(i), sources, policies)
		}
	case reflect.Slice:
		for i := range v.Len() {
			reachable(v.Index(i), sources, policies)
		}
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if v.Type() == policyType {
			policies[v.Interface().(*iampolicy.Policy)] = true
			return
		}
		reachable(v.Elem(), sources, policies)
	}
}

// TestEachElementVisitsEverySource fails when a field holding a Source or a policy document
// is added to the inventory without EachElement learning about it.
func TestEachElementVisitsEverySource(t *testing.T) {
	inv := &Inventory{}
	fill(reflect.ValueOf(inv).Elem())
	wantSources, wantPolicies := map[*Source]bool{}, map[*iampolicy.Policy]bool{}
	reachable(reflect.ValueOf(inv).Elem(), wantSources, wantPolicies)

	gotSources, gotPolicies := map[*Source]bool{}, map[*iampolicy.Policy]bool{}
	elements := 0
	inv.EachElement(func(e Element) {
		elements++
		for _, s := range e.Sources {
			if gotSources[s] {
				t.Errorf("element %d: a Source is visited twice", elements)
			}
			gotSources[s] = true
		}
		for _, p := range e.Policies {
			gotPolicies[p] = true
		}
	})
	// One element per slice of Inventory.
	slices := 0
	it := reflect.TypeFor[Inventory]()
	for i := range it.NumField() {
		if f := it.Field(i); f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Pointer {
			slices++
		}
	}
	if elements != slices {
		t.Errorf("visited %d elements, want one per element slice (%d)", elements, slices)
	}
	for s := range wantSources {
		if !gotSources[s] {
			t.Errorf("a Source (%p) is not visited", s)
		}
	}
	if len(gotSources) != len(wantSources) {
		t.Errorf("visited %d sources, want %d", len(gotSources), len(wantSources))
	}
	for p := range wantPolicies {
		if !gotPolicies[p] {
			t.Errorf("a policy document (%p) is not visited", p)
		}
	}
}

func TestEachElementGivesOwnARNs(t *testing.T) {
	inv := &Inventory{
		Roles:         []*Role{{ID: "r", ARN: "arn:aws:iam::1:role/r"}},
		Clusters:      []*Cluster{{ID: "eks:c", ARN: "arn:aws:eks:r:1:cluster/c"}},
		AccessEntries: []*AccessEntry{{ID: "eks:c/accessentry/p", PrincipalARN: "p"}},
		PodIdentity:   []*PodIdentityAssociation{{ID: "eks:c/podidentity/ns/sa", AssociationARN: "arn:aws:eks:r:1:podidentityassociation/c/a-1"}},
		RBACRoles:     []*RBACRole{{ID: "k8s:c/clusterrole/x"}},
	}
	var got [][2]string
	inv.EachElement(func(e Element) { got = append(got, [2]string{e.ID, e.ARN}) })
	want := [][2]string{
		{"r", "arn:aws:iam::1:role/r"},
		{"eks:c", "arn:aws:eks:r:1:cluster/c"},
		{"eks:c/accessentry/p", ""},
		{"eks:c/podidentity/ns/sa", "arn:aws:eks:r:1:podidentityassociation/c/a-1"},
		{"k8s:c/clusterrole/x", ""},
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("elements = %v, want %v", got, want)
	}
}
