package terraform

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
)

// at is "line:col" of n.
func pos(n *yaml.Node) string { return fmt.Sprintf("%d:%d", n.Line, n.Column) }

// checkPositions compares the positions of the nodes at paths of n.
func checkPositions(t *testing.T, n *yaml.Node, want map[string]string) {
	t.Helper()
	for path, w := range want {
		if got := pos(get(t, n, path)); got != w {
			t.Errorf("%s at %s, want %s", path, got, w)
		}
	}
}

// keyPos is the position of the key of the last path element (a mapping key).
func keyPos(t *testing.T, n *yaml.Node, path, key string) string {
	t.Helper()
	m := get(t, n, path)
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return pos(m.Content[i])
		}
	}
	t.Fatalf("%s has no key %q", path, key)
	return ""
}

func TestPolicyDocument(t *testing.T) {
	const config = `data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "IRSA"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/X"]
    }
    condition {
      test     = "StringEquals"
      variable = "oidc.example.com/id/X:sub"
      values   = ["system:serviceaccount:a:app"]
    }
    condition {
      test     = "StringEquals"
      variable = "oidc.example.com/id/X:sub"
      values   = ["system:serviceaccount:b:app"]
    }
    condition {
      test     = "StringEquals"
      variable = "oidc.example.com/id/X:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
  statement {
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::home/&{aws:username}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::444455556666:root"]
    }
  }
}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`
	rs, diags := evalTree(t, map[string]string{"main.tf": config}, Options{})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diagStrings(diags))
	}
	doc := get(t, find(t, rs, "aws_iam_role.r").Attrs, "assume_role_policy")
	want := `{"Statement":[` +
		`{"Action":["sts:AssumeRoleWithWebIdentity"],` +
		// Two condition blocks with the same test and variable: one key, values appended (OR).
		`"Condition":{"StringEquals":{"oidc.example.com/id/X:aud":["sts.amazonaws.com"],"oidc.example.com/id/X:sub":["system:serviceaccount:a:app","system:serviceaccount:b:app"]}},` +
		`"Effect":"Allow","Principal":{"Federated":["arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/X"]},"Sid":"IRSA"},` +
		`{"Action":["s3:*"],"Effect":"Deny",` +
		`"NotPrincipal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::444455556666:root"]},` +
		`"Principal":"*","Resource":["arn:aws:s3:::home/${aws:username}/*"]}],` +
		`"Version":"2012-10-17"}`
	if got := canon(t, doc); got != want {
		t.Errorf("document:\n got %s\nwant %s", got, want)
	}
	checkPositions(t, doc, map[string]string{
		"Statement.[0]":                      "2:3",  // the statement block
		"Statement.[0].Effect":               "2:3",  // the default, at the block
		"Statement.[0].Sid":                  "3:15", // the expression
		"Statement.[0].Principal":            "5:5",  // the principals block
		"Statement.[0].Principal.Federated":  "7:21",
		"Statement.[0].Condition":            "9:5", // the first condition block
		"Statement.[1].Principal":            "29:5",
		"Statement.[1].NotPrincipal.AWS.[1]": "39:22",
	})
	sub := docnode.Items(docnode.Get(get(t, doc, "Statement.[0].Condition.StringEquals"), "oidc.example.com/id/X:sub"))
	if len(sub) != 2 || pos(sub[0]) != "12:19" || pos(sub[1]) != "17:19" {
		t.Errorf("merged condition values are not each at their own expression: %v", sub)
	}
	if got := keyPos(t, doc, "Statement.[0].Condition", "StringEquals"); got != "9:5" {
		t.Errorf("operator key at %s, want the condition block 9:5", got)
	}
	if got := keyPos(t, doc, "Statement.[0].Condition.StringEquals", "oidc.example.com/id/X:aud"); got != "19:5" {
		t.Errorf("condition key at %s, want its condition block 19:5", got)
	}
	if got := keyPos(t, doc, "Statement.[0].Principal", "Federated"); got != "5:5" {
		t.Errorf("principal type key at %s, want the principals block 5:5", got)
	}
}

func TestPolicyDocumentMerging(t *testing.T) {
	files := map[string]string{
		"base.tf": `data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
  statement {
    sid       = "Keep"
    actions   = ["s3:ListBucket"]
    resources = ["*"]
  }
}
`,
		"main.tf": `data "aws_iam_policy_document" "merged" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [jsonencode({
    Statement = [{ Sid = "Read", Effect = "Deny", Action = "s3:GetObject", Resource = "*" }]
  })]
  statement {
    sid       = "Extra"
    actions   = ["s3:PutObject"]
    resources = ["*"]
  }
}
data "aws_iam_policy_document" "dyn" {
  dynamic "statement" {
    for_each = { read = "s3:GetObject", write = "s3:PutObject" }
    content {
      sid       = statement.key
      actions   = [statement.value]
      resources = ["*"]
    }
  }
}
module "ext" {
  source = "example/ext/aws"
}
data "aws_iam_policy_document" "unknown_source" {
  source_policy_documents = [module.ext.json]
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}
data "aws_iam_policy_document" "unknown_override" {
  override_policy_documents = [module.ext.json]
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}
resource "aws_iam_policy" "merged" {
  name   = "merged"
  policy = data.aws_iam_policy_document.merged.json
}
resource "aws_iam_policy" "dyn" {
  name   = "dyn"
  policy = data.aws_iam_policy_document.dyn.json
}
resource "aws_iam_policy" "us" {
  name   = "us"
  policy = data.aws_iam_policy_document.unknown_source.json
}
resource "aws_iam_policy" "uo" {
  name   = "uo"
  policy = data.aws_iam_policy_document.unknown_override.json
}
`,
	}
	rs, diags := evalTree(t, files, Options{})
	wantDiags := []string{`warning: main.tf:23:12: module ext: source "example/ext/aws" is not read (only local modules, ./ or ../, are followed): its outputs are unknown`}
	if diff := cmp.Diff(wantDiags, diagStrings(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	merged := find(t, rs, "aws_iam_policy.merged")
	doc := get(t, merged.Attrs, "policy")
	// Source first, the blocks' statements after; the override replaces the source's "Read".
	want := `{"Statement":[` +
		`{"Action":"s3:GetObject","Effect":"Deny","Resource":"*","Sid":"Read"},` +
		`{"Action":["s3:ListBucket"],"Effect":"Allow","Resource":["*"],"Sid":"Keep"},` +
		`{"Action":["s3:PutObject"],"Effect":"Allow","Resource":["*"],"Sid":"Extra"}],"Version":"2012-10-17"}`
	if got := canon(t, doc); got != want {
		t.Errorf("merged:\n got %s\nwant %s", got, want)
	}
	// A policy document is positioned in one file (iampolicy's Policy.File): the statements
	// of the source document written in base.tf stand at the reference to it.
	keep := get(t, doc, "Statement.[1]")
	if pos(keep) != "2:30" || merged.Files[keep] != "" {
		t.Errorf("Keep statement at %q:%s, want main.tf:2:30", merged.Files[keep], pos(keep))
	}
	// The source document itself, as its own data source, stays in base.tf.
	base := get(t, find(t, rs, "data.aws_iam_policy_document.base").Attrs, "json.Statement.[1]")
	if pos(base) != "7:3" {
		t.Errorf("Keep statement of the base document at %s, want base.tf:7:3", pos(base))
	}
	if over := get(t, doc, "Statement.[0].Effect"); pos(over) != "4:43" || merged.Files[over] != "" {
		t.Errorf("override's Effect at %q:%s, want main.tf:4:43", merged.Files[over], pos(over))
	}

	dyn := get(t, find(t, rs, "aws_iam_policy.dyn").Attrs, "policy")
	if got := canon(t, get(t, dyn, "Statement")); got != `[{"Action":["s3:GetObject"],"Effect":"Allow","Resource":["*"],"Sid":"read"},{"Action":["s3:PutObject"],"Effect":"Allow","Resource":["*"],"Sid":"write"}]` {
		t.Errorf("dynamic statements = %s", got)
	}

	// An unknown source document is one unknown statement; the known ones stay.
	us := get(t, find(t, rs, "aws_iam_policy.us").Attrs, "policy")
	if got := canon(t, get(t, us, "Statement")); got != `["⟨module.ext.json⟩",{"Action":["s3:GetObject"],"Effect":"Allow","Resource":["*"]}]` {
		t.Errorf("unknown source = %s", got)
	}
	// An unknown override may replace anything: the whole document is unknown.
	if got := canon(t, get(t, find(t, rs, "aws_iam_policy.uo").Attrs, "policy")); got != `"⟨module.ext.json⟩"` {
		t.Errorf("unknown override = %s", got)
	}
}

func TestJSONPositions(t *testing.T) {
	files := map[string]string{
		"main.tf": `resource "aws_iam_role" "enc" {
  name = "enc"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/x" }
        Condition = {
          StringLike = { "x:sub" = "system:serviceaccount:*:*" }
        }
      },
    ]
  })
}
resource "aws_iam_role" "heredoc" {
  name = "heredoc"
  assume_role_policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {"Federated": "${aws_iam_role.enc.arn}"},
          "Condition": {"StringEquals": {"x:sub": "system:serviceaccount:ns:sa"}}
        }
      ]
    }
  EOF
}
resource "aws_iam_role" "quoted" {
  name               = "quoted"
  assume_role_policy = "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\"}]}"
}
resource "aws_iam_role" "file" {
  name               = "file"
  assume_role_policy = file("${path.module}/trust.json")
}
module "m" {
  source = "x/y/aws"
}
resource "aws_iam_role" "broken_by_unknown" {
  name               = "b"
  assume_role_policy = <<EOF
{"Statement": ${module.m.statements}}
EOF
}
`,
		"trust.json": "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\"}\n  ]\n}\n",
	}
	rs, _ := evalTree(t, files, Options{})

	enc := get(t, find(t, rs, "aws_iam_role.enc").Attrs, "assume_role_policy")
	checkPositions(t, enc, map[string]string{
		"Statement.[0]":                            "6:7",
		"Statement.[0].Effect":                     "7:21",
		"Statement.[0].Principal.Federated":        "8:35",
		"Statement.[0].Condition.StringLike.x:sub": "10:36",
		"Statement.[0].Condition.StringLike":       "10:24",
		"Statement.[0].Condition":                  "9:21",
		"Version":                                  "4:15",
	})
	if got := keyPos(t, enc, "Statement.[0].Condition.StringLike", "x:sub"); got != "10:26" {
		t.Errorf("jsonencode key at %s, want 10:26", got)
	}

	hd := get(t, find(t, rs, "aws_iam_role.heredoc").Attrs, "assume_role_policy")
	checkPositions(t, hd, map[string]string{
		"Version":                                    "20:18",
		"Statement.[0]":                              "22:9",
		"Statement.[0].Effect":                       "23:21",
		"Statement.[0].Principal.Federated":          "24:38", // the interpolation's value: at its start
		"Statement.[0].Condition.StringEquals.x:sub": "25:51",
	})
	if got := get(t, hd, "Statement.[0].Principal.Federated").Value; got != "arn:aws:iam:::role/enc" {
		t.Errorf("interpolated principal = %q", got)
	}
	if got := keyPos(t, hd, "Statement.[0].Condition.StringEquals", "x:sub"); got != "25:42" {
		t.Errorf("heredoc key at %s, want 25:42", got)
	}

	q := get(t, find(t, rs, "aws_iam_role.quoted").Attrs, "assume_role_policy")
	// Escaped quotes count as one character each in the value, two in the file.
	checkPositions(t, q, map[string]string{"Statement.[0].Action": "33:78", "Statement.[0].Effect": "33:55"})

	fr := find(t, rs, "aws_iam_role.file")
	f := get(t, fr.Attrs, "assume_role_policy")
	if eff := get(t, f, "Statement.[0].Effect"); fr.Files[eff] != "trust.json" || pos(eff) != "3:16" {
		t.Errorf("file() document: Effect at %s:%s, want trust.json:3:16", fr.Files[eff], pos(eff))
	}

	if b := get(t, find(t, rs, "aws_iam_role.broken_by_unknown").Attrs, "assume_role_policy"); b.Kind != yaml.ScalarNode || b.Value != "⟨<<EOF {\"Statement\": ${module.m.statements}} EOF⟩" {
		t.Errorf("JSON made invalid by an unknown part = %s, want the whole document unknown", dump(b))
	}
}
