package terraform

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/inventory"
)

// TestLoadConfig: the configuration is evaluated and mapped: elements in the inventory,
// positioned at the lines the author wrote, and references linked.
func TestLoadConfig(t *testing.T) {
	dir := filepath.Join("testdata", "config", "irsa")
	inv := &inventory.Inventory{}
	files := []File{{Name: "infra/main.tf", Path: filepath.Join(dir, "main.tf")}}
	diags := LoadConfig(files, Options{}, inv)
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diagStrings(diags))
	}
	if diff := cmp.Diff([]string{"infra/main.tf", "infra/modules/irsa/main.tf"}, inv.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}

	if len(inv.Roles) != 1 {
		t.Fatalf("roles: %d", len(inv.Roles))
	}
	role := inv.Roles[0]
	const arn = "arn:aws:iam:::role/payments"
	if role.ARN != arn || role.Source != inventory.At("infra/modules/irsa/main.tf", 21, 1) {
		t.Errorf("role %s at %v", role.ARN, role.Source)
	}
	trust := role.Trust
	if trust == nil || len(trust.Statements) != 1 || len(trust.Statements[0].Conditions) != 1 {
		t.Fatalf("trust: %+v", trust)
	}
	if trust.File != "infra/modules/irsa/main.tf" {
		t.Errorf("trust policy file = %q", trust.File)
	}
	st := trust.Statements[0]
	c := st.Conditions[0]
	if c.Key != "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub" || c.Pos.Line != 14 || c.Values[0].Text != "system:serviceaccount:*:*" || c.Values[0].Pos.Line != 17 {
		t.Errorf("condition %s %s at line %d, value %q at line %d", c.Operator, c.Key, c.Pos.Line, c.Values[0].Text, c.Values[0].Pos.Line)
	}
	if st.Pos.Line != 8 || st.Principal.Pos.Line != 10 {
		t.Errorf("statement at line %d, principal at line %d; want 8 and 10", st.Pos.Line, st.Principal.Pos.Line)
	}
	// The provider ARN passed through the module's variable is the provider's own ARN.
	if fed := st.Principal.Federated; len(fed) != 1 || fed[0].Text != "arn:aws:iam:::oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC" {
		t.Errorf("federated principal = %+v", fed)
	}
	// The value comes from the caller (main.tf); the document is the module's, so it stands
	// at the reference in the module's file.
	if p := st.Principal.Federated[0].Pos; p.Line != 12 || p.Column != 22 {
		t.Errorf("federated principal at %d:%d, want the module's var.provider_arn at 12:22", p.Line, p.Column)
	}
	if len(inv.OIDCProviders) != 1 || inv.OIDCProviders[0].ARN != st.Principal.Federated[0].Text {
		t.Errorf("providers: %+v", inv.OIDCProviders)
	}

	if len(inv.ServiceAccounts) != 1 {
		t.Fatalf("service accounts: %d", len(inv.ServiceAccounts))
	}
	sa := inv.ServiceAccounts[0]
	if sa.Cluster != "prod" || sa.Namespace != "payments" || sa.Name != "api" {
		t.Errorf("service account %s/%s in cluster %q", sa.Namespace, sa.Name, sa.Cluster)
	}
	if len(sa.Annotations) != 1 || sa.Annotations[0].Value != arn {
		t.Errorf("annotations: %+v; want the role's ARN, linking to it", sa.Annotations)
	}

	if len(inv.AWSAuth) != 1 || len(inv.AWSAuth[0].MapRoles) != 1 {
		t.Fatalf("aws-auth: %+v", inv.AWSAuth)
	}
	e := inv.AWSAuth[0].MapRoles[0]
	if e.ARN != arn || len(e.Groups) != 1 || e.Groups[0] != "system:masters" || inv.AWSAuth[0].Cluster != "prod" {
		t.Errorf("aws-auth entry %s %v in %q", e.ARN, e.Groups, inv.AWSAuth[0].Cluster)
	}
	// yamlencode's text is not the author's: its entries stand at the call.
	if e.Source != inventory.At("infra/main.tf", 30, 16) {
		t.Errorf("aws-auth entry at %v, want the yamlencode in infra/main.tf:30:16", e.Source)
	}
}
