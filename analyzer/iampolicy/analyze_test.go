package iampolicy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func analyzeFirst(t *testing.T, p *Policy) StatementAnalysis {
	t.Helper()
	if len(p.Statements) == 0 {
		t.Fatalf("no statements: %s", issueCodes(p))
	}
	return AnalyzeStatement(p, p.Statements[0])
}

var cmpOpts = cmpopts.EquateEmpty()

func TestAnalyzeCorpus(t *testing.T) {
	const ghHost = "token.actions.githubusercontent.com"
	t.Run("https-prefixed aud key is unreachable and fails closed", func(t *testing.T) {
		p := loadCorpus(t, "trust-irsa/mcduckerton-lbc-https-prefixed-aud-key.json")
		a := analyzeFirst(t, p)
		host := "oidc.eks.us-east-1.amazonaws.com/id/A183C0A19616834A65EA61F76ADFDB64"
		want := []UnreachableKey{{Condition: 0, Key: "https://" + host + ":aud",
			Reason: "condition keys are the provider host without https://, so this key is never present", FailsOpen: false}}
		if diff := cmp.Diff(want, a.Unreachable, cmpOpts); diff != "" {
			t.Errorf("unreachable (-want +got):\n%s", diff)
		}
		if len(a.WebIdentity) != 1 {
			t.Fatalf("web identity: %+v", a.WebIdentity)
		}
		w := a.WebIdentity[0]
		if w.Host != host || !w.NeverMatches || w.Aud.Restricted || !w.Sub.Restricted {
			t.Errorf("analysis %+v", w)
		}
		if !w.Sub.Matches("system:serviceaccount:kube-system:aws-load-balancer-controller") || w.Sub.Matches("system:serviceaccount:kube-system:other") {
			t.Error("sub constraint")
		}
	})
	t.Run("subject value under the aud key", func(t *testing.T) {
		p := loadCorpus(t, "trust-irsa/kaushalrai12-cni-sub-value-under-aud-key.json")
		a := analyzeFirst(t, p)
		if len(a.Unreachable) != 1 || a.Unreachable[0].Key != "${cluster_url}:aud" || a.Unreachable[0].FailsOpen || a.Unreachable[0].Condition != 0 {
			t.Fatalf("unreachable %+v", a.Unreachable)
		}
		if len(a.WebIdentity) != 1 {
			t.Fatalf("web identity %+v", a.WebIdentity)
		}
		w := a.WebIdentity[0]
		if !w.Inferred || w.Host != "${cluster_url}" || w.Sub.Restricted || !w.Aud.Restricted || w.Aud.Matches("sts.amazonaws.com") {
			t.Errorf("analysis %+v", w)
		}
	})
	t.Run("ForAllValues on sub with org wildcard", func(t *testing.T) {
		p := loadCorpus(t, "trust-github-oidc/issue-cac-318-forallvalues-org-wildcard.json")
		a := analyzeFirst(t, p)
		if diff := cmp.Diff([]int{0}, a.SetOperatorOnSingleValue); diff != "" {
			t.Errorf("set operator (-want +got):\n%s", diff)
		}
		w := a.WebIdentity[0]
		want := ClaimConstraint{Restricted: true, Admits: [][]Pattern{{{Value: "repo:My-ORG/*", Like: true}}}, SetOperator: []int{0}, Conditions: []int{0}}
		if diff := cmp.Diff(want, w.Sub, cmpOpts); diff != "" {
			t.Errorf("sub (-want +got):\n%s", diff)
		}
		if w.Host != ghHost || w.Aud.Restricted || w.NeverMatches {
			t.Errorf("analysis %+v", w)
		}
		if !w.Sub.Matches("repo:My-ORG/any:ref:refs/heads/main") || w.Sub.Matches("repo:other/x") {
			t.Error("sub matching")
		}
	})
	t.Run("StringLike prefix on sub", func(t *testing.T) {
		p := loadCorpus(t, "trust-irsa/awsdocs-efs-csi-stringlike-prefix.json")
		a := analyzeFirst(t, p)
		w := a.WebIdentity[0]
		if w.Provider != "arn:aws:iam::111122223333:oidc-provider/oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE" ||
			ProviderKind(w.Host) != "eks" {
			t.Errorf("provider %+v", w)
		}
		want := ClaimConstraint{Restricted: true, Admits: [][]Pattern{{{Value: "system:serviceaccount:kube-system:efs-csi-*", Like: true}}}, Conditions: []int{0}}
		if diff := cmp.Diff(want, w.Sub, cmpOpts); diff != "" {
			t.Errorf("sub (-want +got):\n%s", diff)
		}
		if !w.Sub.Matches("system:serviceaccount:kube-system:efs-csi-anything") || w.Sub.Matches("system:serviceaccount:default:efs-csi-x") {
			t.Error("sub matching")
		}
		if !w.Aud.Restricted || !w.Aud.Admits[0][0].Like || len(a.Unreachable) != 0 || len(a.WildcardInEquals) != 0 {
			t.Errorf("analysis %+v", a)
		}
		if diff := cmp.Diff([]string{ActionAssumeRoleWithWebIdentity}, a.AssumeActions); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("no condition: nothing restricted", func(t *testing.T) {
		a := analyzeFirst(t, loadCorpus(t, "trust-irsa/awsdocs-cross-account-oidc-no-condition.json"))
		w := a.WebIdentity[0]
		if w.Sub.Restricted || w.Aud.Restricted || w.NeverMatches || !w.Sub.Matches("anything") {
			t.Errorf("analysis %+v", w)
		}
	})
	t.Run("aud only: sub unrestricted", func(t *testing.T) {
		a := analyzeFirst(t, loadCorpus(t, "trust-github-oidc/issue-cac-318-aud-owner-url-no-sub.json"))
		w := a.WebIdentity[0]
		if w.Sub.Restricted || !w.Aud.Restricted || !w.Aud.Matches("https://github.com/my-org") {
			t.Errorf("analysis %+v", w)
		}
	})
	t.Run("template Federated: host inferred from keys", func(t *testing.T) {
		a := analyzeFirst(t, loadCorpus(t, "trust-github-oidc/dvdmelamed-repo-star-no-aud.json"))
		w := a.WebIdentity[0]
		if !w.Inferred || w.Host != ghHost || !w.Sub.Restricted || !w.Sub.Matches("repo:anyone/anything:ref:x") || w.Aud.Restricted {
			t.Errorf("analysis %+v", w)
		}
	})
	t.Run("Pod Identity: tag session and assume role", func(t *testing.T) {
		a := analyzeFirst(t, loadCorpus(t, "trust-pod-identity/aws-samples-nitro-sandbox-scoped-by-request-tags.json"))
		if diff := cmp.Diff([]string{ActionAssumeRole, ActionTagSession}, a.AssumeActions); diff != "" {
			t.Error(diff)
		}
		if len(a.WebIdentity) != 0 || len(a.Unreachable) != 0 {
			t.Errorf("analysis %+v", a)
		}
	})
	t.Run("Action * covers every STS action", func(t *testing.T) {
		a := analyzeFirst(t, loadCorpus(t, "trust-other/vulscanner-test-no-principal-action-star.json"))
		if diff := cmp.Diff(STSAssumeActions(), a.AssumeActions); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("every corpus statement analyses without panic", func(t *testing.T) {
		for _, f := range corpusFiles(t) {
			p := loadCorpusAbs(t, f)
			for _, s := range p.Statements {
				_ = AnalyzeStatement(p, s)
			}
		}
	})
}

func loadCorpusAbs(t *testing.T, f string) *Policy {
	t.Helper()
	data, err := readFile(f)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := Parse(data, f)
	return p
}

func TestAnalyzeSynthetic(t *testing.T) {
	stmt := func(federated, cond string) *Policy {
		return mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":`+federated+`},"Action":"sts:AssumeRoleWithWebIdentity","Condition":`+cond+`}}`)
	}
	one := `"` + provAARN + `"`
	t.Run("X16a other provider's key with a positive operator: never matches", func(t *testing.T) {
		a := analyzeFirst(t, stmt(one, `{"StringEquals":{"`+provB+`:sub":"system:serviceaccount:payments:api"}}`))
		w := a.WebIdentity[0]
		if !w.NeverMatches || w.Sub.Restricted {
			t.Errorf("%+v", w)
		}
		if len(a.Unreachable) != 1 || a.Unreachable[0].FailsOpen || a.Unreachable[0].Reason != "key names provider "+provB+" but the statement trusts "+provA {
			t.Errorf("unreachable %+v", a.Unreachable)
		}
	})
	for _, op := range []string{"StringLikeIfExists", "StringNotEquals", "ForAllValues:StringEquals"} {
		t.Run("X16b/c other provider's key with "+op+": fails open, no restriction", func(t *testing.T) {
			a := analyzeFirst(t, stmt(one, `{"`+op+`":{"`+provB+`:sub":"system:serviceaccount:payments:api"}}`))
			w := a.WebIdentity[0]
			if w.NeverMatches || w.Sub.Restricted || !w.Sub.Matches("system:serviceaccount:x:y") {
				t.Errorf("%+v", w)
			}
			if len(a.Unreachable) != 1 || !a.Unreachable[0].FailsOpen {
				t.Errorf("unreachable %+v", a.Unreachable)
			}
		})
	}
	t.Run("X17 two providers, both keys: each provider never matches", func(t *testing.T) {
		a := analyzeFirst(t, stmt(`["`+provAARN+`","`+provBARN+`"]`, `{"StringEquals":{"`+provA+`:sub":"system:serviceaccount:x:app","`+provB+`:sub":"system:serviceaccount:x:app"}}`))
		if len(a.WebIdentity) != 2 || !a.WebIdentity[0].NeverMatches || !a.WebIdentity[1].NeverMatches {
			t.Fatalf("%+v", a.WebIdentity)
		}
		if !a.WebIdentity[0].Sub.Restricted || a.WebIdentity[0].Sub.Conditions[0] != 0 || a.WebIdentity[1].Sub.Conditions[0] != 1 {
			t.Errorf("%+v", a.WebIdentity)
		}
		if len(a.Unreachable) != 0 {
			t.Errorf("keys of trusted providers are reachable: %+v", a.Unreachable)
		}
	})
	t.Run("X18 StringNotEquals on sub: excludes, not restricted", func(t *testing.T) {
		a := analyzeFirst(t, stmt(one, `{"StringNotEquals":{"`+provA+`:sub":"system:serviceaccount:kube-system:aws-node"}}`))
		w := a.WebIdentity[0]
		want := ClaimConstraint{Excludes: []Pattern{{Value: "system:serviceaccount:kube-system:aws-node"}}, Conditions: []int{0}}
		if diff := cmp.Diff(want, w.Sub, cmpOpts); diff != "" {
			t.Error(diff)
		}
		if w.Sub.Matches("system:serviceaccount:kube-system:aws-node") || !w.Sub.Matches("system:serviceaccount:default:default") {
			t.Error("matching")
		}
	})
	t.Run("positive IfExists on the provider's own key restricts", func(t *testing.T) {
		a := analyzeFirst(t, stmt(one, `{"StringLikeIfExists":{"`+provA+`:SUB":"system:serviceaccount:ns:*"}}`))
		w := a.WebIdentity[0]
		if !w.Sub.Restricted || w.Sub.Matches("system:serviceaccount:other:x") {
			t.Errorf("%+v", w.Sub)
		}
	})
	t.Run("StringLike * does not restrict", func(t *testing.T) {
		a := analyzeFirst(t, stmt(one, `{"StringLike":{"`+provA+`:sub":["system:serviceaccount:a:b","*"]}}`))
		if w := a.WebIdentity[0]; w.Sub.Restricted || len(w.Sub.Admits) != 1 || !w.Sub.Matches("anything") {
			t.Errorf("%+v", w.Sub)
		}
	})
	t.Run("StringEqualsIgnoreCase pattern", func(t *testing.T) {
		a := analyzeFirst(t, stmt(one, `{"StringEqualsIgnoreCase":{"`+provA+`:sub":"System:ServiceAccount:NS:App"}}`))
		if !a.WebIdentity[0].Sub.Matches("system:serviceaccount:ns:app") {
			t.Error("ignore case")
		}
	})
	t.Run("wildcard in StringEquals values", func(t *testing.T) {
		a := analyzeFirst(t, stmt(one, `{"StringEquals":{"`+provA+`:sub":["system:serviceaccount:ns:*","lit${*}","ok"]},"ArnEquals":{"aws:SourceArn":"arn:aws:x:*:1:y"},"StringNotEqualsIfExists":{"k:x":"a?"}}`))
		want := []ValueIssue{{Condition: 0, Value: "system:serviceaccount:ns:*"}, {Condition: 2, Value: "a?"}}
		if diff := cmp.Diff(want, a.WildcardInEquals); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("set operators on single- and multi-valued keys", func(t *testing.T) {
		p := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{
			"ForAnyValue:StringEquals":{"aws:PrincipalArn":"a","aws:TagKeys":"b","sts:ExternalId":"c","aws:RequestTag/x":"d","aws:PrincipalOrgPaths":"e","cognito-identity.amazonaws.com:amr":"f","`+provA+`:aud":"g"}}}}`)
		a := analyzeFirst(t, p)
		var keys []string
		for _, i := range a.SetOperatorOnSingleValue {
			keys = append(keys, p.Statements[0].Conditions[i].Key)
		}
		if diff := cmp.Diff([]string{"aws:PrincipalArn", "sts:ExternalId", "aws:RequestTag/x", provA + ":aud"}, keys); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("provider ARN used as key", func(t *testing.T) {
		a := analyzeFirst(t, stmt(one, `{"StringEquals":{"`+provAARN+`:sub":"system:serviceaccount:a:b"}}`))
		if len(a.Unreachable) != 1 || a.Unreachable[0].FailsOpen {
			t.Fatalf("%+v", a.Unreachable)
		}
		if !a.WebIdentity[0].NeverMatches || a.WebIdentity[0].Sub.Restricted {
			t.Errorf("%+v", a.WebIdentity[0])
		}
	})
	t.Run("principal keys in a federated-only statement", func(t *testing.T) {
		a := analyzeFirst(t, stmt(one, `{"StringNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/x"},"StringEquals":{"aws:PrincipalTag/team":"a"}}`))
		if len(a.Unreachable) != 2 || !a.Unreachable[0].FailsOpen || a.Unreachable[1].FailsOpen {
			t.Fatalf("%+v", a.Unreachable)
		}
		if !a.WebIdentity[0].NeverMatches {
			t.Error("positive condition on an absent principal key fails closed")
		}
	})
	t.Run("principal keys with an AWS principal are reachable", func(t *testing.T) {
		p := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalArn":"x"}}}}`)
		if a := analyzeFirst(t, p); len(a.Unreachable) != 0 {
			t.Errorf("%+v", a.Unreachable)
		}
	})
	t.Run("web identity key with no provider trusted", func(t *testing.T) {
		p := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"`+provA+`:sub":"x"}}}}`)
		if a := analyzeFirst(t, p); len(a.Unreachable) != 1 {
			t.Errorf("%+v", a.Unreachable)
		}
	})
	t.Run("NotAction covers the rest", func(t *testing.T) {
		p := mustParse(t, `{"Statement":{"Effect":"Allow","Principal":"*","NotAction":["sts:AssumeRole","sts:TagSession"]}}`)
		a := analyzeFirst(t, p)
		if diff := cmp.Diff([]string{ActionAssumeRoleWithWebIdentity, ActionAssumeRoleWithSAML, ActionSetSourceIdentity}, a.AssumeActions); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("nil statement", func(t *testing.T) {
		_ = AnalyzeStatement(nil, nil)
	})
}
