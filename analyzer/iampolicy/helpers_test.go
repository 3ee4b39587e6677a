package iampolicy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/corpus"
)

const (
	acctA = "111122223333"
	acctB = "444455556666"
	provA = "oidc.eks.us-east-1.amazonaws.com/id/AAAA0000AAAA0000AAAA0000AAAA0000"
	provB = "oidc.eks.us-east-1.amazonaws.com/id/BBBB1111BBBB1111BBBB1111BBBB1111"
)

var (
	provAARN = "arn:aws:iam::" + acctA + ":oidc-provider/" + provA
	provBARN = "arn:aws:iam::" + acctA + ":oidc-provider/" + provB
)

// mustParse parses a trust policy and fails the test on a JSON error.
func mustParse(t testing.TB, doc string) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc), "test.json")
	if err != nil {
		t.Fatalf("parse %s: %v", doc, err)
	}
	return p
}

func mustParseIdentity(t testing.TB, doc string) *Policy {
	t.Helper()
	p, err := ParseIdentity([]byte(doc), "identity.json")
	if err != nil {
		t.Fatalf("parse %s: %v", doc, err)
	}
	for _, is := range p.Issues {
		if !is.Warning {
			t.Fatalf("identity policy %s: unexpected issue %+v", doc, is)
		}
	}
	return p
}

func user(acct, name string) Caller {
	return Caller{Kind: CallerIAMUser, ARN: "arn:aws:iam::" + acct + ":user/" + name, Account: acct}
}

func session(acct, role, sess string) Caller {
	return Caller{Kind: CallerRoleSession, ARN: "arn:aws:iam::" + acct + ":role/" + role, Account: acct, SessionName: sess}
}

func webIdentity(providerARN, host, sub, aud string) Request {
	return Request{
		Caller: Caller{Kind: CallerWebIdentity, Provider: providerARN},
		Action: ActionAssumeRoleWithWebIdentity,
		Context: Context{Values: map[string][]string{
			host + ":sub": {sub},
			host + ":aud": {aud},
		}},
	}
}

func roleIn(acct, name string) string { return "arn:aws:iam::" + acct + ":role/" + name }

func corpusFiles(t testing.TB) []string {
	t.Helper()
	c := corpus.Dir(t)
	var out []string
	for _, d := range []string{"trust-irsa", "trust-github-oidc", "trust-other", "trust-pod-identity"} {
		fs, err := filepath.Glob(filepath.Join(c, d, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fs...)
	}
	if len(out) == 0 {
		t.Fatal("corpus: no trust policy files found")
	}
	return out
}

func loadCorpus(t testing.TB, rel string) *Policy {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpus.Dir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(data, rel)
	if err != nil {
		t.Fatalf("parse %s: %v", rel, err)
	}
	return p
}

func hasIssue(p *Policy, code string) bool {
	for _, is := range p.Issues {
		if is.Code == code {
			return true
		}
	}
	return false
}

func issueCodes(p *Policy) string {
	var cs []string
	for _, is := range p.Issues {
		cs = append(cs, is.Code)
	}
	return strings.Join(cs, ",")
}

func readFile(f string) ([]byte, error) { return os.ReadFile(f) }
