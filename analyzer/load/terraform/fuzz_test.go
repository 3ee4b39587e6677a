package terraform

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/analyzer/inventory"
)

// FuzzLoadConfig: any main.tf is read without a panic (LoadConfig recovers from one, as an
// "internal error" diagnostic, which fails the target), and every diagnostic has a message.
func FuzzLoadConfig(f *testing.F) {
	_ = filepath.WalkDir(filepath.Join("testdata", "config"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".tf") {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b))
			}
		}
		return nil
	})
	for _, s := range []string{
		`locals { a = local.a }`,
		`resource "aws_iam_role" "r" { count = 3  name = "r${count.index}" assume_role_policy = jsonencode({Statement = [{Effect = "Allow"}]}) }`,
		"resource \"aws_iam_role\" \"r\" {\n  assume_role_policy = <<-EOF\n    {\"Statement\": [${var.x}]}\n  EOF\n}\nvariable \"x\" {}\n",
		`data "aws_iam_policy_document" "d" { dynamic "statement" { for_each = [1, 2] content { sid = "s${statement.key}" } } }`,
		`module "m" { source = "./" }`,
		`resource "kubernetes_config_map_v1_data" "a" { metadata { name = "aws-auth" namespace = "kube-system" } data = { mapRoles = yamlencode([{rolearn = "x", groups = ["system:masters"]}]) } }`,
		`resource "test" "t" { v = [for k, v in {a = 1} : "${k}${v}" if v > 0] }`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		dir := t.TempDir()
		p := filepath.Join(dir, "main.tf")
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		inv := &inventory.Inventory{}
		for _, d := range LoadConfig([]File{{Name: "main.tf", Path: p}}, Options{}, inv) {
			if d.Message == "" || strings.Contains(d.Message, "internal error") {
				t.Fatalf("diagnostic: %s", d.Error())
			}
		}
	})
}

// BenchmarkEvaluate measures a root module of 200 resources: 50 IAM roles, each with a policy
// document data source, an inline policy written with jsonencode and an annotated
// ServiceAccount referring to the role.
func BenchmarkEvaluate(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("variable \"ns\" {\n  default = \"apps\"\n}\nlocals {\n  issuer = \"oidc.eks.eu-west-1.amazonaws.com/id/ABC\"\n}\n")
	for i := range 50 {
		fmt.Fprintf(&sb, `data "aws_iam_policy_document" "trust%[1]d" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/${local.issuer}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:${var.ns}:app%[1]d"]
    }
  }
}
resource "aws_iam_role" "app%[1]d" {
  name               = "app%[1]d"
  assume_role_policy = data.aws_iam_policy_document.trust%[1]d.json
}
resource "aws_iam_role_policy" "app%[1]d" {
  role = aws_iam_role.app%[1]d.name
  name = "read"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::bucket-%[1]d/*" }]
  })
}
resource "kubernetes_service_account_v1" "app%[1]d" {
  metadata {
    name        = "app%[1]d"
    namespace   = var.ns
    annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.app%[1]d.arn }
  }
}
`, i)
	}
	dir := b.TempDir()
	p := filepath.Join(dir, "main.tf")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	files := []File{{Name: "main.tf", Path: p}}
	b.ResetTimer()
	for range b.N {
		inv := &inventory.Inventory{}
		if diags := LoadConfig(files, Options{}, inv); len(diags) != 0 || len(inv.Roles) != 50 || len(inv.ServiceAccounts) != 50 {
			b.Fatalf("%d roles, %d service accounts, diagnostics %v", len(inv.Roles), len(inv.ServiceAccounts), diagStrings(diags))
		}
	}
}
