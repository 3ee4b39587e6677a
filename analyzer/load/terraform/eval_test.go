package terraform

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/result"
)

// canon is a node's value as canonical JSON (object keys sorted), for comparisons.
func canon(t testing.TB, n *yaml.Node) string {
	t.Helper()
	text, _ := jsonText(n)
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("not JSON: %s: %v", text, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// evalAttr evaluates v = expr in a test resource after preamble, in main.tf.
func evalAttr(t *testing.T, preamble, expr string, opts Options, more map[string]string) (*yaml.Node, []result.Diagnostic) {
	t.Helper()
	files := map[string]string{"main.tf": preamble + "\nresource \"test\" \"t\" {\n  v = " + expr + "\n}\n"}
	for k, v := range more {
		files[k] = v
	}
	rs, diags := evalTree(t, files, opts)
	return get(t, find(t, rs, "test.t").Attrs, "v"), diags
}

func errorsOf(ds []result.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		if d.Severity == result.DiagError {
			out = append(out, d.Error())
		}
	}
	return out
}

func TestFunctions(t *testing.T) {
	const preamble = `locals {
  m = { a = 1 }
}
variable "nodefault" {
  type = string
}`
	tests := []struct {
		name, expr, want string
	}{
		{"jsonencode", `jsonencode({a = 1, b = ["x"]})`, `"{\"a\":1,\"b\":[\"x\"]}"`},
		{"jsondecode", `jsondecode("{\"a\": [1, 2]}")`, `{"a":[1,2]}`},
		{"format", `format("%s-%03d", "a", 7)`, `"a-007"`},
		{"formatlist", `formatlist("x-%s", ["a", "b"])`, `["x-a","x-b"]`},
		{"concat", `concat(["a"], ["b", "c"])`, `["a","b","c"]`},
		{"merge, later keys win", `merge({a = 1}, {b = 2}, {a = 3})`, `{"a":3,"b":2}`},
		{"replace", `replace("a-b-c", "-", "_")`, `"a_b_c"`},
		{"replace with a /regex/", `replace("abc123", "/[0-9]+/", "#")`, `"abc#"`},
		{"lower", `lower("ABC")`, `"abc"`},
		{"upper", `upper("abc")`, `"ABC"`},
		{"join", `join(",", ["a", "b"])`, `"a,b"`},
		{"split", `split(",", "a,b")`, `["a","b"]`},
		{"tolist", `tolist(["a", "b"])`, `["a","b"]`},
		{"toset drops repeats", `toset(["b", "a", "b"])`, `["a","b"]`},
		{"tomap", `tomap({a = "x"})`, `{"a":"x"}`},
		{"lookup with default", `lookup({a = "x"}, "b", "dflt")`, `"dflt"`},
		{"lookup", `lookup({a = "x"}, "a")`, `"x"`},
		{"element wraps", `element(["a", "b"], 3)`, `"b"`},
		{"length of a list", `length(["a", "b"])`, `2`},
		{"length of a string", `length("héllo")`, `5`},
		{"coalesce skips null and empty", `coalesce("", null, "x")`, `"x"`},
		{"try falls back", `try(local.m.missing, "fallback")`, `"fallback"`},
		{"try keeps what works", `try(local.m.a, "fallback")`, `1`},
		{"can", `[can(local.m.missing), can(local.m.a)]`, `[false,true]`},
		{"distinct", `distinct(["a", "b", "a"])`, `["a","b"]`},
		{"flatten", `flatten([["a"], ["b", ["c"]]])`, `["a","b","c"]`},
		{"keys", `keys({b = 1, a = 2})`, `["a","b"]`},
		{"values", `values({b = 1, a = 2})`, `[2,1]`},
		{"contains", `[contains(["a"], "a"), contains(["a"], "b")]`, `[true,false]`},
		{"startswith", `[startswith("system:serviceaccount:x", "system:"), startswith("x", "y")]`, `[true,false]`},
		{"endswith", `[endswith("role/app", "/app"), endswith("x", "y")]`, `[true,false]`},
		{"trimprefix", `trimprefix("https://oidc.example.com", "https://")`, `"oidc.example.com"`},
		{"trimsuffix", `trimsuffix("a:sub", ":sub")`, `"a"`},
		{"base64encode", `base64encode("hi")`, `"aGk="`},
		{"one", `one(["a"])`, `"a"`},
		{"strcontains", `strcontains("abc", "b")`, `true`},
		{"an unknown argument makes the result unknown", `upper(var.nodefault)`, `"⟨upper(var.nodefault)⟩"`},
		{"a function rolecall does not compute is unknown", `cidrsubnet("10.0.0.0/8", 8, 1)`, `"⟨cidrsubnet(\"10.0.0.0/8\", 8, 1)⟩"`},
		{"a provider function is unknown", `provider::aws::arn_parse("arn:aws:iam::1:role/x")`, `"⟨provider::aws::arn_parse(\"arn:aws:iam::1:role/x\")⟩"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, diags := evalAttr(t, preamble, tt.expr, Options{}, nil)
			if errs := errorsOf(diags); len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			if got := canon(t, n); got != tt.want {
				t.Errorf("%s = %s, want %s", tt.expr, got, tt.want)
			}
		})
	}
}

func TestYAMLEncodeAndFiles(t *testing.T) {
	n, diags := evalAttr(t, "", `yamlencode([{rolearn = "arn:aws:iam::1:role/x", groups = ["system:masters"]}])`, Options{}, nil)
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diagStrings(diags))
	}
	var back []map[string]any
	if err := yaml.Unmarshal([]byte(n.Value), &back); err != nil || len(back) != 1 || back[0]["rolearn"] != "arn:aws:iam::1:role/x" {
		t.Errorf("yamlencode = %q (%v), want a YAML list with the mapping", n.Value, err)
	}

	more := map[string]string{"trust.json": `{"Version": "2012-10-17"}`, "t.tpl": "hello ${name}"}
	n, diags = evalAttr(t, "", `[file("${path.module}/trust.json"), templatefile("t.tpl", {name = "x"}), fileexists("nope")]`, Options{}, more)
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diagStrings(diags))
	}
	if got, want := canon(t, n), `["{\"Version\": \"2012-10-17\"}","hello x",false]`; got != want {
		t.Errorf("file functions = %s, want %s", got, want)
	}
}

func TestReferences(t *testing.T) {
	const config = `variable "env" {
  default = "prod"
}
locals {
  prefix = "app-${var.env}"
}
resource "aws_iam_role" "r" {
  name               = "${local.prefix}-role"
  path               = "/teams/"
  assume_role_policy = "{}"
}
resource "aws_iam_policy" "p" {
  name   = "pol"
  policy = "{}"
}
resource "aws_iam_openid_connect_provider" "o" {
  url = "https://oidc.example.com/id/X"
}
resource "kubernetes_service_account_v1" "sa" {
  metadata {
    name      = "sa"
    namespace = "ns"
  }
}
resource "aws_eks_cluster" "c" {
  name     = "prod"
  role_arn = aws_iam_role.r.arn
}
data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
  }
}
resource "test" "c" {
  count = 2
  name  = "c${count.index}"
}
resource "test" "t" {
  role_name   = aws_iam_role.r.name
  role_arn    = aws_iam_role.r.arn
  role_id     = aws_iam_role.r.id
  role_uid    = aws_iam_role.r.unique_id
  policy_arn  = aws_iam_policy.p.arn
  oidc_arn    = aws_iam_openid_connect_provider.o.arn
  oidc_url    = aws_iam_openid_connect_provider.o.url
  sa_name     = kubernetes_service_account_v1.sa.metadata[0].name
  sa_uid      = kubernetes_service_account_v1.sa.metadata[0].uid
  cluster     = aws_eks_cluster.c.name
  cluster_id  = aws_eks_cluster.c.id
  cluster_arn = aws_eks_cluster.c.arn
  issuer      = aws_eks_cluster.c.identity[0].oidc[0].issuer
  endpoint    = aws_eks_cluster.c.endpoint
  doc_effect  = jsondecode(data.aws_iam_policy_document.d.json).Statement[0].Effect
  cond        = var.env == "prod" ? "yes" : "no"
  fors        = [for s in ["a", "b"] : upper(s)]
  for_map     = { for s in ["a"] : s => "${s}!" }
  splat       = test.c[*].name
  index       = test.c[1].name
  heredoc     = <<-EOT
    hi ${var.env}
  EOT
  directive   = "%{for x in ["a", "b"]}${x};%{endfor}"
  workspace   = terraform.workspace
}
`
	rs, diags := evalTree(t, map[string]string{"main.tf": config}, Options{})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diagStrings(diags))
	}
	attrs := find(t, rs, "test.t").Attrs
	want := map[string]string{
		"role_name":   `"app-prod-role"`,
		"role_arn":    `"arn:aws:iam:::role/teams/app-prod-role"`,
		"role_id":     `"app-prod-role"`,
		"role_uid":    `"⟨aws_iam_role.r.unique_id⟩"`,
		"policy_arn":  `"arn:aws:iam:::policy/pol"`,
		"oidc_arn":    `"arn:aws:iam:::oidc-provider/oidc.example.com/id/X"`,
		"oidc_url":    `"https://oidc.example.com/id/X"`,
		"sa_name":     `"sa"`,
		"sa_uid":      `"⟨kubernetes_service_account_v1.sa.metadata[0].uid⟩"`,
		"cluster":     `"prod"`,
		"cluster_id":  `"prod"`,
		"cluster_arn": `"⟨aws_eks_cluster.c.arn⟩"`,
		"issuer":      `"⟨aws_eks_cluster.c.identity[0].oidc[0].issuer⟩"`,
		"endpoint":    `"⟨aws_eks_cluster.c.endpoint⟩"`,
		"doc_effect":  `"Allow"`,
		"cond":        `"yes"`,
		"fors":        `["A","B"]`,
		"for_map":     `{"a":"a!"}`,
		"splat":       `["c0","c1"]`,
		"index":       `"c1"`,
		"heredoc":     `"hi prod\n"`,
		"directive":   `"a;b;"`,
		"workspace":   `"default"`,
	}
	for k, w := range want {
		if got := canon(t, get(t, attrs, k)); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
	// A reference to a configured attribute points where the value was written.
	if n := get(t, attrs, "sa_name"); n.Line != 21 {
		t.Errorf("sa_name at line %d, want 21 (the metadata name it refers to)", n.Line)
	}
	if n := get(t, attrs, "role_arn"); n.Line != 41 {
		t.Errorf("role_arn at line %d, want 41 (a derived value stands at the reference)", n.Line)
	}
}

func TestUnknowns(t *testing.T) {
	const config = `module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"
}
variable "acct" {}
variable "n" {
  type = number
}
data "aws_caller_identity" "me" {}
data "aws_partition" "p" {}
data "aws_region" "r" {}
resource "aws_iam_role" "noname" {
  assume_role_policy = "{}"
}
locals {
  sub = "${module.eks.oidc_provider}:sub"
}
resource "test" "t" {
  mod         = module.eks.oidc_provider_arn
  tmpl        = "${module.eks.oidc_provider}:sub"
  var         = var.acct
  caller      = "arn:aws:iam::${data.aws_caller_identity.me.account_id}:root"
  partition   = "arn:${data.aws_partition.p.partition}:iam::${var.acct}:root"
  region      = data.aws_region.r.name
  noname_arn  = aws_iam_role.noname.arn
  noname      = aws_iam_role.noname.name
  local       = local.sub
  in_template = "x-${local.sub}"
  list        = [module.eks.a, "known"]
}
resource "test" "counted" {
  count = var.n
  name  = "c-${count.index}"
}
`
	rs, diags := evalTree(t, map[string]string{"main.tf": config}, Options{})
	attrs := find(t, rs, "test.t").Attrs
	want := map[string]string{
		"mod":         `"⟨module.eks.oidc_provider_arn⟩"`,
		"tmpl":        `"⟨module.eks.oidc_provider⟩:sub"`,
		"var":         `"⟨var.acct⟩"`,
		"caller":      `"arn:aws:iam::⟨data.aws_caller_identity.me.account_id⟩:root"`,
		"partition":   `"arn:⟨data.aws_partition.p.partition⟩:iam::⟨var.acct⟩:root"`,
		"region":      `"⟨data.aws_region.r.name⟩"`,
		"noname_arn":  `"arn:aws:iam:::role/⟨aws_iam_role.noname.name⟩"`,
		"noname":      `"⟨aws_iam_role.noname.name⟩"`,
		"local":       `"⟨module.eks.oidc_provider⟩:sub"`,
		"in_template": `"x-⟨module.eks.oidc_provider⟩:sub"`,
		"list":        `["⟨module.eks.a⟩","known"]`,
	}
	for k, w := range want {
		if got := canon(t, get(t, attrs, k)); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
	c := find(t, rs, "test.counted[*]")
	if got := canon(t, get(t, c.Attrs, "name")); got != `"c-⟨count.index⟩"` {
		t.Errorf("name of the instance with an unknown count.index = %s", got)
	}
	wantDiags := []string{
		`warning: main.tf:2:13: module eks: source "terraform-aws-modules/eks/aws" is not read (only local modules, ./ or ../, are followed): its outputs are unknown`,
		`warning: main.tf:32:11: count of test.counted is var.n, known only after apply: it is read as one instance whose count.index is unknown`,
	}
	if diff := cmp.Diff(wantDiags, diagStrings(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestCountAndForEach(t *testing.T) {
	const config = `variable "teams" {
  default = { payments = "pay", search = "srch" }
}
resource "aws_iam_role" "team" {
  for_each           = var.teams
  name               = "${each.key}-${each.value}"
  assume_role_policy = "{}"
}
resource "aws_iam_role" "n" {
  count              = 2
  name               = "n${count.index}"
  assume_role_policy = "{}"
}
resource "aws_iam_role" "set" {
  for_each           = toset(["a"])
  name               = each.value
  assume_role_policy = "{}"
}
resource "aws_iam_role" "none" {
  count              = 0
  name               = "none"
  assume_role_policy = "{}"
}
resource "test" "t" {
  by_key = aws_iam_role.team["search"].arn
  by_idx = aws_iam_role.n[1].name
  all    = [for r in aws_iam_role.n : r.arn]
  keys   = keys(aws_iam_role.team)
}
`
	rs, diags := evalTree(t, map[string]string{"main.tf": config}, Options{})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diagStrings(diags))
	}
	var addrs []string
	for _, r := range rs {
		addrs = append(addrs, r.Address)
	}
	wantAddrs := []string{`aws_iam_role.n[0]`, `aws_iam_role.n[1]`, `aws_iam_role.set["a"]`, `aws_iam_role.team["payments"]`, `aws_iam_role.team["search"]`, `test.t`}
	if diff := cmp.Diff(wantAddrs, addrs); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	if got := canon(t, get(t, find(t, rs, `aws_iam_role.team["payments"]`).Attrs, "name")); got != `"payments-pay"` {
		t.Errorf("each.key/each.value: name = %s", got)
	}
	attrs := find(t, rs, "test.t").Attrs
	want := map[string]string{
		"by_key": `"arn:aws:iam:::role/search-srch"`,
		"by_idx": `"n1"`,
		"all":    `["arn:aws:iam:::role/n0","arn:aws:iam:::role/n1"]`,
		"keys":   `["payments","search"]`,
	}
	for k, w := range want {
		if got := canon(t, get(t, attrs, k)); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}

	// for_each unknown: one instance, said so.
	rs, diags = evalTree(t, map[string]string{"main.tf": `variable "names" {
  type = set(string)
}
resource "aws_iam_role" "r" {
  for_each           = var.names
  name               = each.key
  assume_role_policy = "{}"
}
`}, Options{})
	if got := canon(t, get(t, find(t, rs, "aws_iam_role.r[*]").Attrs, "name")); got != `"⟨each.key⟩"` {
		t.Errorf("name with unknown each.key = %s", got)
	}
	if want := []string{"warning: main.tf:5:24: for_each of aws_iam_role.r is var.names, known only after apply: it is read as one instance whose each.key and each.value are unknown"}; !cmp.Equal(want, diagStrings(diags)) {
		t.Errorf("diagnostics = %v, want %v", diagStrings(diags), want)
	}
}

func TestLocals(t *testing.T) {
	// Locals in any order and in any file of the module.
	rs, diags := evalTree(t, map[string]string{
		"a.tf": `locals {
  full = "${local.base}-${local.mid}"
}
resource "test" "t" {
  v = local.full
}
`,
		"b.tf": `locals {
  mid  = upper(local.base)
  base = "x"
}
`}, Options{})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diagStrings(diags))
	}
	if got := canon(t, get(t, find(t, rs, "test.t").Attrs, "v")); got != `"x-X"` {
		t.Errorf("v = %s, want x-X", got)
	}

	// A cycle is an error, positioned; the values stay unknown.
	_, diags = evalTree(t, map[string]string{"main.tf": `locals {
  a = "${local.b}!"
  b = local.c
  c = local.a
}
resource "test" "t" {
  v = local.a
}
`}, Options{})
	want := []string{"error: main.tf:3:3: cycle: local.b refers to itself through local.b → local.c → local.a → local.b"}
	if diff := cmp.Diff(want, diagStrings(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestVariables(t *testing.T) {
	files := map[string]string{
		"main.tf": `variable "name" {
  default = "dflt"
}
variable "count_n" {
  type    = number
  default = 1
}
variable "list" {
  type = list(string)
}
variable "obj" {
  type = object({ a = string, b = optional(string, "bee") })
}
variable "from_tfvars" {}
variable "from_auto" {}
variable "from_json" {}
variable "from_file" {}
variable "untyped" {}
resource "test" "t" {
  name        = var.name
  count_n     = var.count_n + 1
  list        = var.list
  obj         = var.obj
  from_tfvars = var.from_tfvars
  from_auto   = var.from_auto
  from_json   = var.from_json
  from_file   = var.from_file
  untyped     = var.untyped
}
`,
		"terraform.tfvars":      "from_tfvars = \"tfvars\"\nfrom_auto = \"overridden by auto\"\nstray = 1\n",
		"x.auto.tfvars":         "from_auto = \"auto\"\n",
		"y.auto.tfvars.json":    `{"from_json": "json"}`,
		"cli.tfvars":            "from_file = \"file\"\nname = \"from the var file\"\n",
		"unrelated/other.tfvar": "",
	}
	rs, diags := evalTree(t, files, Options{
		VarFiles: []string{"cli.tfvars"},
		Vars:     []string{"name=cli", "count_n=41", `list=["a", "b"]`, `obj={a = "x"}`, "untyped=[1]", "undeclared=1"},
	})
	attrs := find(t, rs, "test.t").Attrs
	want := map[string]string{
		"name":        `"cli"`, // -var after var files
		"count_n":     `42`,    // parsed as the declared type
		"list":        `["a","b"]`,
		"obj":         `{"a":"x","b":"bee"}`, // optional attribute defaults
		"from_tfvars": `"tfvars"`,
		"from_auto":   `"auto"`, // *.auto.tfvars after terraform.tfvars
		"from_json":   `"json"`,
		"from_file":   `"file"`,
		"untyped":     `"[1]"`, // no type: a literal string
	}
	for k, w := range want {
		if got := canon(t, get(t, attrs, k)); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
	// A value from a .tfvars file is positioned there.
	r := find(t, rs, "test.t")
	if n := get(t, attrs, "from_tfvars"); r.Files[n] != "terraform.tfvars" || n.Line != 1 {
		t.Errorf("from_tfvars at %s:%d, want terraform.tfvars:1", r.Files[n], n.Line)
	}
	wantDiags := []string{
		`warning: -var undeclared: no root module read declares variable "undeclared"`,
		`warning: terraform.tfvars:3:1: value for undeclared variable "stray": the root module in . declares no such variable`,
	}
	if diff := cmp.Diff(wantDiags, diagStrings(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestLocalModules(t *testing.T) {
	files := map[string]string{
		"main.tf": `module "irsa" {
  source    = "./modules/irsa"
  role_name = "app"
  namespace = "payments"
}
module "many" {
  source    = "./modules/irsa"
  for_each  = toset(["a"])
  role_name = "many-${each.key}"
}
resource "test" "t" {
  arn  = module.irsa.role_arn
  many = module.many["a"].role_arn
}
`,
		"modules/irsa/main.tf": `variable "role_name" {}
variable "namespace" {
  default = "default"
}
resource "aws_iam_role" "this" {
  name = var.role_name
  assume_role_policy = jsonencode({
    Statement = [{
      Condition = { StringEquals = { "x:sub" = "system:serviceaccount:${var.namespace}:app" } }
    }]
  })
}
module "inner" {
  source = "../inner"
  name   = aws_iam_role.this.name
}
output "role_arn" {
  value = aws_iam_role.this.arn
}
`,
		"modules/inner/main.tf": `variable "name" {}
resource "aws_iam_policy" "p" {
  name   = "${var.name}-policy"
  policy = "{}"
}
`,
	}
	rs, diags := evalTree(t, files, Options{})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diagStrings(diags))
	}
	var addrs []string
	for _, r := range rs {
		addrs = append(addrs, r.Address)
	}
	wantAddrs := []string{
		`module.irsa.aws_iam_role.this`, `module.irsa.module.inner.aws_iam_policy.p`,
		`module.many["a"].aws_iam_role.this`, `module.many["a"].module.inner.aws_iam_policy.p`, `test.t`,
	}
	if diff := cmp.Diff(wantAddrs, addrs); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	role := find(t, rs, "module.irsa.aws_iam_role.this")
	if role.Source.File != "modules/irsa/main.tf" || role.Source.Line != 5 {
		t.Errorf("role source = %v", role.Source)
	}
	// The name comes from the caller's argument: positioned in main.tf.
	name := get(t, role.Attrs, "name")
	if name.Value != "app" || role.Files[name] != "main.tf" || name.Line != 3 {
		t.Errorf("name = %q at %s:%d, want app at main.tf:3", name.Value, role.Files[name], name.Line)
	}
	// A default of the module's own variable, inside a template, stays in the module's file.
	sub := get(t, role.Attrs, "assume_role_policy.Statement.[0].Condition.StringEquals.x:sub")
	if sub.Value != "system:serviceaccount:payments:app" || role.Files[sub] != "" || sub.Line != 9 {
		t.Errorf("sub = %q at %q:%d", sub.Value, role.Files[sub], sub.Line)
	}
	attrs := find(t, rs, "test.t").Attrs
	if got := canon(t, get(t, attrs, "arn")); got != `"arn:aws:iam:::role/app"` {
		t.Errorf("module output = %s", got)
	}
	if got := canon(t, get(t, attrs, "many")); got != `"arn:aws:iam:::role/many-a"` {
		t.Errorf("module instance output = %s", got)
	}
	if got := get(t, find(t, rs, "module.irsa.module.inner.aws_iam_policy.p").Attrs, "name").Value; got != "app-policy" {
		t.Errorf("nested module name = %q", got)
	}
}

func TestModuleErrors(t *testing.T) {
	files := map[string]string{
		"main.tf": `module "m" {
  source = "./m"
  typo   = 1
}
module "gone" {
  source = "./gone"
}
module "git" {
  source = "git::https://example.com/x.git"
}
resource "test" "t" {
  v = module.git.out
}
`,
		"m/main.tf": `variable "need" {}
resource "test" "r" {
  v = var.need
}
`,
	}
	rs, diags := evalTree(t, files, Options{})
	want := []string{
		`error: main.tf:1:1: module m: missing required argument "need" (variable need has no default): its value is unknown`,
		`error: main.tf:3:3: module m: unsupported argument "typo" (./m declares no such variable)`,
		`error: main.tf:6:12: module gone: ./gone is not a folder`,
		`warning: main.tf:9:12: module git: source "git::https://example.com/x.git" is not read (only local modules, ./ or ../, are followed): its outputs are unknown`,
	}
	if diff := cmp.Diff(want, diagStrings(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if got := canon(t, get(t, find(t, rs, "module.m.test.r").Attrs, "v")); got != `"⟨var.need⟩"` {
		t.Errorf("missing argument = %s", got)
	}
	if got := canon(t, get(t, find(t, rs, "test.t").Attrs, "v")); got != `"⟨module.git.out⟩"` {
		t.Errorf("output of an unread module = %s", got)
	}
}

func TestRootsAndFilesRead(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"live/main.tf":          "module \"m\" {\n  source = \"../mod\"\n}\n",
		"live/extra.tf":         "locals {\n  x = 1\n}\n",
		"live/terraform.tfvars": "",
		"mod/main.tf":           "module \"leaf\" {\n  source = \"../leaf\"\n}\n",
		"mod/README.md":         "not read",
		"leaf/main.tf":          "resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  assume_role_policy = \"{}\"\n}\n",
	})
	var onRead []string
	// live and leaf are given; live calls leaf through mod, so only live is a root and the
	// role is read once, through the module calls.
	rs, read, diags := evaluate(tfFiles(t, dir, "live/main.tf", "leaf/main.tf"), Options{OnRead: func(name string, _ []byte) { onRead = append(onRead, name) }})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diagStrings(diags))
	}
	if len(rs) != 1 || rs[0].Address != "module.m.module.leaf.aws_iam_role.r" || rs[0].Source.File != "leaf/main.tf" {
		t.Errorf("resources = %+v, want the role once, through the module calls", rs)
	}
	want := []string{"leaf/main.tf", "live/extra.tf", "live/main.tf", "mod/main.tf", "live/terraform.tfvars"}
	if diff := cmp.Diff(want, read); diff != "" {
		t.Errorf("files read (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, onRead); diff != "" {
		t.Errorf("OnRead (-want +got):\n%s", diff)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, config string
		want         []string
	}{
		{"syntax error", "resource \"test\" \"t\" {\n  v = \n}\n",
			[]string{"error: main.tf:2:7: Invalid expression: Expected the start of an expression, but found an invalid expression token."}},
		{"unknown variable", "resource \"test\" \"t\" {\n  v = var.nope\n}\n",
			[]string{`error: main.tf:2:7: reference to undeclared input variable: no variable "nope" is declared in this module`}},
		{"unknown local", "resource \"test\" \"t\" {\n  v = local.nope\n}\n",
			[]string{`error: main.tf:2:7: reference to undeclared local value: no local value "nope" is declared in this module`}},
		{"unknown resource", "resource \"test\" \"t\" {\n  v = aws_iam_role.nope.arn\n}\n",
			[]string{`error: main.tf:2:7: reference to undeclared resource: a managed resource "aws_iam_role" "nope" is not declared in this module`}},
		{"bad function call", "resource \"test\" \"t\" {\n  v = upper(1, 2)\n}\n",
			[]string{`error: main.tf:2:16: Too many function arguments: Function "upper" expects only 1 argument(s).`}},
		{"unknown function", "resource \"test\" \"t\" {\n  v = nofunc(1)\n}\n",
			[]string{`error: main.tf:2:7: Call to unknown function: There is no function named "nofunc".`}},
		{"count outside a counted block", "resource \"test\" \"t\" {\n  v = count.index\n}\n",
			[]string{`error: main.tf:2:7: reference to "count" in a block without count`}},
		{"invalid for_each", "resource \"test\" \"t\" {\n  for_each = [\"a\"]\n}\n",
			[]string{`error: main.tf:2:14: invalid for_each of test.t: a tuple (expected a map, or a set of strings: convert a list with toset())`}},
		{"duplicate resource", "resource \"test\" \"t\" {}\nresource \"test\" \"t\" {}\n",
			[]string{`error: main.tf:2:1: duplicate resource configuration: test.t was already declared at main.tf:1:1`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := evalTree(t, map[string]string{"main.tf": tt.config}, Options{})
			if diff := cmp.Diff(tt.want, diagStrings(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCluster(t *testing.T) {
	config := `resource "aws_eks_cluster" "c" {
  name     = "prod"
  role_arn = "x"
}
resource "kubernetes_service_account" "sa" {
  metadata {
    name = "sa"
  }
}
`
	rs, _ := evalTree(t, map[string]string{"main.tf": config}, Options{})
	if c := find(t, rs, "kubernetes_service_account.sa").Cluster; c != "prod" {
		t.Errorf("Cluster = %q, want prod (the root's only cluster)", c)
	}
	rs, _ = evalTree(t, map[string]string{"main.tf": config + strings.ReplaceAll(config[:strings.Index(config, "resource \"kubernetes")], `"c"`, `"d"`)}, Options{})
	if c := find(t, rs, "kubernetes_service_account.sa").Cluster; c != "" {
		t.Errorf("Cluster = %q, want none with two clusters", c)
	}
}
