package graph

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/load"
)

// TestSeedWhoCanS3Admin loads the shipped seed fixture: exactly user hugotse (trust statement
// 0) and ServiceAccount data/kevintse of cluster prod (web identity, trust statement 1) can
// assume S3Admin.
func TestSeedWhoCanS3Admin(t *testing.T) {
	inv, diags := load.Load(t.Context(), []string{"../../fixtures/seed-s3admin"}, load.Options{})
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	g := Build(inv, Options{})
	s3admin := "arn:aws:iam::111122223333:role/S3Admin"
	type in struct {
		Mechanism Mechanism
		Evidence  []string
	}
	got := map[string]in{}
	for _, e := range g.In(s3admin) {
		got[e.From] = in{e.Mechanism, e.Evidence}
	}
	want := map[string]in{
		"arn:aws:iam::111122223333:user/hugotse": {MechAssumeRole, []string{s3admin + "#trust/0"}},
		"k8s:prod/serviceaccount/data/kevintse": {MechWebIdentity, []string{s3admin + "#trust/1",
			"k8s:prod/serviceaccount/data/kevintse/annotation/eks.amazonaws.com/role-arn"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("who can assume S3Admin (-want +got):\n%s", diff)
	}
	id, ok := g.PrincipalNode("system:serviceaccount:data:kevintse", "prod")
	if !ok || g.Reachable(id)[s3admin] == nil {
		t.Errorf("data/kevintse (%s, %v) does not reach S3Admin", id, ok)
	}
}
