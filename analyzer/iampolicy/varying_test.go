package iampolicy

import (
	"reflect"
	"testing"
)

// A prepared varying evaluation gives exactly what Assume gives for each value, including
// the statements that allowed or denied, the keys it depends on and the reason.
func TestVaryingAssumeMatchesAssume(t *testing.T) {
	const host = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
	const provider = "arn:aws:iam::111122223333:oidc-provider/" + host
	docs := map[string]string{
		"exact and like": `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithWebIdentity",
			 "Condition":{"StringEquals":{"` + host + `:sub":"system:serviceaccount:orders:api","` + host + `:aud":"sts.amazonaws.com"}}},
			{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithWebIdentity",
			 "Condition":{"StringLike":{"` + host + `:SUB":"system:serviceaccount:batch-*:*"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
			{"Effect":"Deny","Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithWebIdentity",
			 "Condition":{"StringEquals":{"` + host + `:sub":"system:serviceaccount:batch-x:admin"}}}]}`,
		"variable in a value": `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithWebIdentity",
			 "Condition":{"StringEquals":{"` + host + `:aud":"${` + host + `:sub}"}}}]}`,
		"no condition on the key": `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`,
	}
	values := []string{"system:serviceaccount:orders:api", "system:serviceaccount:batch-a:job", "system:serviceaccount:batch-b:job",
		"system:serviceaccount:batch-x:admin", "system:serviceaccount:orders:other", "sts.amazonaws.com", "", "system:serviceaccount:orders:api"}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			p := mustParse(t, doc)
			const role = "arn:aws:iam::111122223333:role/r"
			req := Request{
				Caller:  Caller{Kind: CallerWebIdentity, Provider: provider},
				Action:  ActionAssumeRoleWithWebIdentity,
				Context: Context{Values: map[string][]string{host + ":aud": {"sts.amazonaws.com"}}, Unknown: []string{"aws:SourceIp"}},
			}
			v := PrepareVaryingAssume(p, role, nil, nil, req, host+":sub")
			for _, val := range values {
				full := req
				full.Context.Values = map[string][]string{host + ":aud": {"sts.amazonaws.com"}, host + ":sub": {val}}
				want := Assume(p, role, nil, nil, full)
				if got := v.Assume(val); !reflect.DeepEqual(got, want) {
					t.Errorf("value %q:\n got %+v\nwant %+v", val, got, want)
				}
			}
			// Values that meet the conditions on the key alike share one full evaluation.
			if len(v.seen) >= len(values)-1 {
				t.Errorf("%d full evaluations for %d values: nothing was reused", len(v.seen), len(values))
			}
		})
	}
}
