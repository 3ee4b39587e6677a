package iampolicy

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/internal/corpus"
)

func TestParseNormalises(t *testing.T) {
	p := mustParse(t, `{
  "Version": "2012-10-17",
  "Id": "x",
  "Statement": {
    "Sid": "One",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:PrincipalAccount": ["111122223333", 123, true]}}
  }
}`)
	if len(p.Issues) != 0 {
		t.Fatalf("issues: %+v", p.Issues)
	}
	if p.Version != "2012-10-17" || p.ID != "x" || p.VersionPos != (Pos{2, 14}) || p.Pos != (Pos{1, 1}) {
		t.Errorf("document fields: %+v", p)
	}
	if len(p.Statements) != 1 {
		t.Fatalf("Statement object → list: %d", len(p.Statements))
	}
	s := p.Statements[0]
	if s.Sid != "One" || s.Effect != "Allow" || s.Pos != (Pos{4, 16}) {
		t.Errorf("statement: %+v", s)
	}
	if s.Principal == nil || !s.Principal.Star || len(s.Principal.AWS) != 1 || s.Principal.AWS[0].Text != "*" {
		t.Errorf("Principal * → Star + AWS [*]: %+v", s.Principal)
	}
	if diff := cmp.Diff([]Value{{Text: "sts:AssumeRole", Pos: Pos{8, 15}}}, s.Actions); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	c := s.Conditions[0]
	var vals []string
	for _, v := range c.Values {
		vals = append(vals, v.Text)
	}
	if c.Base != "StringEquals" || c.Key != "aws:PrincipalAccount" || c.KeyPos != (Pos{9, 36}) ||
		strings.Join(vals, ",") != "111122223333,123,true" {
		t.Errorf("condition: %+v", c)
	}
}

func TestParseIssues(t *testing.T) {
	const ok = `"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"`
	cases := []struct {
		name string
		doc  string
		code string
		line int
	}{
		{"missing Statement", `{"Version":"2012-10-17"}`, CodeMissingStatement, 1},
		{"Statement is a string", `{"Statement":"x"}`, CodeInvalidStatement, 1},
		{"Statement item not an object", `{"Statement":[1]}`, CodeInvalidStatement, 1},
		{"missing Effect", `{"Statement":{"Principal":"*","Action":"sts:AssumeRole"}}`, CodeMissingEffect, 1},
		{"invalid Effect", `{"Statement":{"Effect":"allow","Principal":"*","Action":"sts:AssumeRole"}}`, CodeInvalidEffect, 1},
		{"missing Principal", `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, CodeMissingPrincipal, 1},
		{"NotPrincipal in trust", `{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}}`, CodeNotPrincipalInTrust, 1},
		{"missing Action", `{"Statement":{"Effect":"Allow","Principal":"*"}}`, CodeMissingAction, 1},
		{"Action and NotAction", `{"Statement":{` + ok + `,"NotAction":"x:y"}}`, CodeActionAndNotAction, 1},
		{"invalid action", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"AssumeRole"}}`, CodeInvalidAction, 1},
		{"X11 wildcard in principal ARN", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/ci-*"},"Action":"sts:AssumeRole"}}`, CodeWildcardInPrincipalARN, 1},
		{"Resource in trust policy", `{"Statement":{` + ok + `,"Resource":"*"}}`, CodeResourceInTrust, 1},
		{"unknown condition operator", `{"Statement":{` + ok + `,"Condition":{"StringEqual":{"a:b":"c"}}}}`, CodeUnknownOperator, 1},
		{"malformed principal ARN", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:thing/x"},"Action":"sts:AssumeRole"}}`, CodeInvalidPrincipal, 1},
		{"placeholder account id", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::<ACCOUNT>:root"},"Action":"sts:AssumeRole"}}`, CodeInvalidAccountID, 1},
		{"group principal", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:group/g"},"Action":"sts:AssumeRole"}}`, CodeGroupPrincipal, 1},
		{"service under AWS", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`, CodeInvalidPrincipal, 1},
		{"bad Federated", `{"Statement":{"Effect":"Allow","Principal":{"Federated":"${oidc_arn}"},"Action":"sts:AssumeRoleWithWebIdentity"}}`, CodeInvalidFederated, 1},
		{"unknown principal type", `{"Statement":{"Effect":"Allow","Principal":{"aws":"*"},"Action":"sts:AssumeRole"}}`, CodeInvalidPrincipal, 1},
		{"Principal string other than *", `{"Statement":{"Effect":"Allow","Principal":"111122223333","Action":"sts:AssumeRole"}}`, CodeInvalidPrincipal, 1},
		{"invalid Sid", `{"Statement":{"Sid":"has spaces",` + ok + `}}`, CodeInvalidSid, 1},
		{"duplicate Sid", `{"Statement":[{"Sid":"A",` + ok + `},{"Sid":"A",` + ok + `}]}`, CodeDuplicateSid, 1},
		{"unknown Version", `{"Version":"2012-10-18","Statement":{` + ok + `}}`, CodeInvalidVersion, 1},
		{"Version not a string", `{"Version":2012,"Statement":{` + ok + `}}`, CodeInvalidVersion, 1},
		{"unknown element", `{"Statement":{` + ok + `,"effect":"Deny"}}`, CodeUnknownElement, 1},
		{"duplicate key", "{\"Statement\":{" + ok + ",\n\"Effect\":\"Deny\"}}", CodeDuplicateKey, 2},
		{"condition value object", `{"Statement":{` + ok + `,"Condition":{"StringEquals":{"a:b":{"c":1}}}}}`, CodeInvalidConditionValue, 1},
		{"condition not an object", `{"Statement":{` + ok + `,"Condition":[]}}`, CodeInvalidCondition, 1},
		{"dangling unique id", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"AROAEXAMPLEEXAMPLE01"},"Action":"sts:AssumeRole"}}`, CodeDanglingUniqueID, 1},
		{"CanonicalUser", `{"Statement":{"Effect":"Allow","Principal":{"CanonicalUser":"abc"},"Action":"sts:AssumeRole"}}`, CodeCanonicalUserPrincipal, 1},
		{"Action is a number", `{"Statement":{"Effect":"Allow","Principal":"*","Action":5}}`, "", 0},
		{"Action is an object", `{"Statement":{"Effect":"Allow","Principal":"*","Action":{"a":1}}}`, CodeInvalidElementType, 1},
		{"not an object", `[1,2]`, CodeInvalidJSON, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := Parse([]byte(tc.doc), "f.json")
			if tc.code == "" {
				return
			}
			for _, is := range p.Issues {
				if is.Code != tc.code {
					continue
				}
				if is.Pos.Line != tc.line || is.Pos.Column == 0 {
					t.Errorf("issue %s at %+v, want line %d", is.Code, is.Pos, tc.line)
				}
				if is.Message == "" || is.Warning != IsWarningCode(is.Code) {
					t.Errorf("issue %+v", is)
				}
				return
			}
			t.Fatalf("want issue %s, got %s", tc.code, issueCodes(p))
		})
	}
}

func TestParseFederatedProviderAccount(t *testing.T) {
	tests := []struct {
		name, provider string
		want           []string
	}{
		{"12-digit account", "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/A", nil},
		// The inventory's name for a provider declared in code, its account known only after deployment.
		{"no account", "arn:aws:iam:::oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/A", nil},
		{"placeholder account", "arn:aws:iam::ACCOUNT:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/A", []string{CodeInvalidAccountID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, `{"Statement":{"Effect":"Allow","Principal":{"Federated":"`+tt.provider+`"},"Action":"sts:AssumeRoleWithWebIdentity"}}`)
			var got []string
			for _, is := range p.Issues {
				got = append(got, is.Code)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("issues = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseDuplicateKeyLastWins(t *testing.T) {
	p := mustParse(t, `{"Statement":{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Effect":"Allow"}}`)
	if p.Statements[0].Effect != "Allow" || !hasIssue(p, CodeDuplicateKey) {
		t.Fatalf("effect %q, issues %s", p.Statements[0].Effect, issueCodes(p))
	}
}

func TestParseIdentityRules(t *testing.T) {
	p, err := ParseIdentity([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"},{"Effect":"Allow","Action":"s3:*"},{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`), "id.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := issueCodes(p); got != CodeMissingResource+","+CodePrincipalInIdentity {
		t.Fatalf("issues %s", got)
	}
}

// encodedNode returns the string node of {"Doc": s} with its position.
func encodedNode(t *testing.T, s string) *yaml.Node {
	t.Helper()
	docs, err := docnode.Parse("wrap.json", []byte("{\n  \"Doc\": "+quoteJSON(s)+"\n}"))
	if err != nil {
		t.Fatal(err)
	}
	return docnode.Get(docs[0].Root, "Doc")
}

func quoteJSON(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func TestParseNodeEncoded(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provAARN + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + provA + `:sub":"system:serviceaccount:a+b:c"}}}]}`
	for name, s := range map[string]string{
		"url-encoded": url.PathEscape(doc),
		"query-style": url.QueryEscape(doc),
		"plain JSON":  doc,
	} {
		t.Run(name, func(t *testing.T) {
			n := encodedNode(t, s)
			p := ParseNode(n, "roles.json")
			if !p.Encoded || p.Pos != (Pos{2, 10}) || p.File != "roles.json" {
				t.Fatalf("policy %+v", p)
			}
			if name == "query-style" {
				// PathUnescape keeps "+" (botocore unquote does too, F1.3); the query
				// encoder wrote spaces as "+", so this document is not the same text.
				return
			}
			if len(p.Issues) != 0 || len(p.Statements) != 1 {
				t.Fatalf("issues %+v", p.Issues)
			}
			c := p.Statements[0].Conditions[0]
			if c.Values[0].Text != "system:serviceaccount:a+b:c" {
				t.Errorf("value %q: + must survive decoding", c.Values[0].Text)
			}
			if c.KeyPos != p.Pos || c.Values[0].Pos != p.Pos || p.Statements[0].Principal.Federated[0].Pos != p.Pos {
				t.Errorf("positions must all be the string's: %+v", c)
			}
		})
	}
	t.Run("undecodable", func(t *testing.T) {
		p := ParseNode(encodedNode(t, "%7B%ZZ"), "x")
		if !hasIssue(p, CodeUndecodableString) || p.Issues[0].Pos != (Pos{2, 10}) {
			t.Fatalf("issues %+v", p.Issues)
		}
	})
	t.Run("encoded but invalid JSON", func(t *testing.T) {
		p := ParseNode(encodedNode(t, url.PathEscape(`{"Statement":[}`)), "x")
		if !hasIssue(p, CodeInvalidJSON) || p.Issues[0].Pos.Line != 2 {
			t.Fatalf("issues %+v", p.Issues)
		}
	})
	t.Run("number is not a document", func(t *testing.T) {
		docs, _ := docnode.Parse("w.json", []byte(`{"Doc": 5}`))
		p := ParseNode(docnode.Get(docs[0].Root, "Doc"), "x")
		if !hasIssue(p, CodeInvalidJSON) {
			t.Fatalf("issues %+v", p.Issues)
		}
	})
	t.Run("nil node", func(t *testing.T) {
		if p := ParseNode(nil, "x"); !hasIssue(p, CodeInvalidJSON) {
			t.Fatalf("issues %+v", p.Issues)
		}
	})
}

func TestParseWholeFileString(t *testing.T) {
	doc := `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}`
	p, err := Parse([]byte("\n\n"+quoteJSON(url.PathEscape(doc))+"\n"), "s.json")
	if err != nil || !p.Encoded || len(p.Statements) != 1 || p.Pos.Line != 3 {
		t.Fatalf("err %v policy %+v", err, p)
	}
}

// brokenCorpus are the corpus files that are not JSON documents, with the line of the error.
var brokenCorpus = map[string]int{
	"trust-other/wellsiau-aft-admin-tfc-oidc-missing-brace.json":              25,
	"trust-github-oidc/issue-unfunco-21-condition-fragment-with-comment.json": 1,
	"trust-irsa/external-dns-docs-irsa-trust-shell-vars.json":                 12,
}

func TestParseCorpus(t *testing.T) {
	root := corpus.Dir(t)
	seen := map[string]bool{}
	for _, f := range corpusFiles(t) {
		rel, _ := filepath.Rel(root, f)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, perr := Parse(data, rel)
			if p == nil {
				t.Fatal("nil policy")
			}
			wantLine, broken := brokenCorpus[rel]
			if !broken {
				if perr != nil {
					t.Fatalf("unexpected error: %v", perr)
				}
				if len(p.Statements) == 0 {
					t.Fatalf("no statements; issues %s", issueCodes(p))
				}
				return
			}
			seen[rel] = true
			if perr == nil || !hasIssue(p, CodeInvalidJSON) {
				t.Fatalf("broken file parsed: err %v issues %s", perr, issueCodes(p))
			}
			is := p.Issues[0]
			if is.Pos.Line != wantLine || is.Pos.Column == 0 || !strings.Contains(is.Message, "expected") && !strings.Contains(is.Message, "invalid JSON") {
				t.Errorf("issue %+v, want line %d", is, wantLine)
			}
			if !strings.HasPrefix(perr.Error(), rel+":") {
				t.Errorf("error %q does not start with the file name", perr)
			}
		})
	}
	for rel := range brokenCorpus {
		if !seen[rel] {
			t.Errorf("broken corpus file %s not found", rel)
		}
	}
}

func TestParseCorpusIssues(t *testing.T) {
	cases := map[string][]string{
		"trust-pod-identity/awsdocs-get-role-output-sid-with-spaces.json":           {CodeInvalidSid},
		"trust-other/vulscanner-test-no-principal-action-star.json":                 {CodeMissingPrincipal, CodeResourceInTrust},
		"trust-other/cloudrail-test-principal-star-restricted-by-principalarn.json": {CodeInvalidPrincipal},
		"trust-irsa/450gowsik-all-placeholders.json":                                {CodeInvalidAccountID},
		"trust-github-oidc/configure-aws-credentials-cfn-role-trust-defaults.json":  {CodeInvalidFederated},
		"trust-other/filipp-filippov-mixed-user-and-eks-service-principal.json":     {CodeInvalidAccountID},
		"trust-irsa/awsdocs-vpc-cni-aws-node.json":                                  nil,
		"trust-pod-identity/aws-samples-nitro-sandbox-scoped-by-request-tags.json":  nil,
		"trust-github-oidc/17021084-pull-request-and-main.json":                     {CodeInvalidSid},
		"trust-other/codeguru-iac-noncompliant-aws-star.json":                       nil,
	}
	for rel, want := range cases {
		t.Run(rel, func(t *testing.T) {
			p := loadCorpus(t, rel)
			var got []string
			for _, is := range p.Issues {
				got = append(got, is.Code)
				if is.Pos.Line == 0 {
					t.Errorf("unpositioned issue %+v", is)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("issue codes (-want +got):\n%s", diff)
			}
		})
	}
}
