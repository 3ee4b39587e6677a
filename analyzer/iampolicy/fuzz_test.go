package iampolicy

import (
	"os"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

func addCorpusSeeds(f *testing.F, add func(doc []byte)) {
	for _, file := range corpusFiles(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		add(data)
	}
}

func checkPolicyInvariants(t *testing.T, p *Policy, err error) {
	t.Helper()
	if p == nil {
		t.Fatal("nil policy")
	}
	if err != nil && !hasIssue(p, CodeInvalidJSON) {
		t.Fatalf("error %v without an invalid-json issue", err)
	}
	for _, is := range p.Issues {
		if is.Pos.Line <= 0 || is.Code == "" || is.Message == "" {
			t.Fatalf("issue not positioned or empty: %+v", is)
		}
	}
	for i, s := range p.Statements {
		if s.Index != i {
			t.Fatalf("statement %d has Index %d", i, s.Index)
		}
		a := AnalyzeStatement(p, s)
		for _, u := range a.Unreachable {
			if u.Condition < 0 || u.Condition >= len(s.Conditions) {
				t.Fatalf("unreachable condition index %d out of range", u.Condition)
			}
		}
		for _, w := range a.WebIdentity {
			_ = w.Sub.Matches("system:serviceaccount:a:b")
			_ = w.Aud.Matches("sts.amazonaws.com")
		}
	}
}

func FuzzParse(f *testing.F) {
	addCorpusSeeds(f, func(doc []byte) { f.Add(doc) })
	f.Add([]byte(`"%7B%22Statement%22%3A%5B%5D%7D"`))
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"ForAllValues:StringLikeIfExists":{"k":["${a, 'b'}","${*}"]}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, "fuzz.json")
		checkPolicyInvariants(t, p, err)
		pi, err := ParseIdentity(data, "fuzz.json")
		checkPolicyInvariants(t, pi, err)
		// The same bytes as an encoded string document.
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(data), Line: 1, Column: 1}
		checkPolicyInvariants(t, ParseNode(n, "fuzz.json"), nil)
	})
}

func FuzzEvaluateTrust(f *testing.F) {
	seeds := []string{
		trustRootA,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"` + provAARN + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"` + provA + `:sub":"system:serviceaccount:*:api"}}}}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"aws:RequestTag/kubernetes-namespace":"payments"}}}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/Admin/alice"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"sts:RoleSessionName":"${aws:username}"}}}}`,
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i), "arn:aws:iam::111122223333:user/alice", "111122223333", "aws:SourceIp", "203.0.113.7", i%2 == 0)
	}
	addCorpusSeeds(f, func(doc []byte) {
		f.Add(doc, uint8(3), provAARN, "", provA+":sub", "system:serviceaccount:a:b", false)
	})
	f.Fuzz(func(t *testing.T, doc []byte, kind uint8, arn, acct, key, val string, unknown bool) {
		p, _ := Parse(doc, "fuzz.json")
		c := Caller{Kind: CallerKind(kind % 6), ARN: arn, Account: acct, Provider: arn, Service: arn, SessionName: val, UniqueID: val}
		r := Request{Caller: c, Action: ActionAssumeRole, Context: Context{Values: map[string][]string{key: {val}}}}
		if c.Kind == CallerWebIdentity {
			r.Action = ActionAssumeRoleWithWebIdentity
		}
		if unknown {
			r.Context.Unknown = []string{key, "aws:PrincipalTag/*"}
		}
		role := "arn:aws:iam::111122223333:role/target"
		ev := EvaluateTrust(p, role, r)
		checkEvaluation(t, ev)
		id, _ := ParseIdentity(doc, "id.json")
		checkEvaluation(t, EvaluateIdentity([]*Policy{id, p}, r.Action, role, c, r.Context))
		a := Assume(p, role, []*Policy{id}, id, r)
		checkEvaluation(t, a)
		if a.Decision == Allow && ev.Decision != Allow && ev.Decision != Conditional {
			t.Fatalf("Assume allowed while the trust policy did not: %+v vs %+v", a, ev)
		}
	})
}

func checkEvaluation(t *testing.T, ev Evaluation) {
	t.Helper()
	if ev.Reason == "" {
		t.Fatalf("empty reason: %+v", ev)
	}
	switch ev.Decision {
	case Allow:
		if len(ev.DependsOn) != 0 {
			t.Fatalf("allow with DependsOn: %+v", ev)
		}
	case Conditional:
		if len(ev.DependsOn) == 0 {
			t.Fatalf("conditional without DependsOn: %+v", ev)
		}
	case Deny, NotApplicable:
	default:
		t.Fatalf("bad decision %d", ev.Decision)
	}
}
