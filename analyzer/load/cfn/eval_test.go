package cfn

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/result"
)

// The same template in YAML (short-form conditions) and JSON (long forms); each test puts one
// expression in Outputs.X.Value and evaluates it.
const yamlHeader = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: prod}
  NoDefault: {Type: String}
  Subnets: {Type: CommaDelimitedList, Default: "a, b,c"}
  Latest: {Type: "AWS::SSM::Parameter::Value<String>", Default: /ami/latest}
Mappings:
  Clusters:
    prod: {Issuer: oidc.eks.us-east-1.amazonaws.com/id/PROD, Ids: [a, b]}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [dev, !Ref Env]
  Undecided: !Equals [!Ref NoDefault, x]
  ProdAndUndecided: !And [!Condition IsProd, !Condition Undecided]
  DevAndUndecided: !And [!Condition IsDev, !Condition Undecided]
  ProdOrUndecided: !Or [!Condition Undecided, !Condition IsProd]
  NotProd: !Not [!Condition IsProd]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      Path: /teams/
      AssumeRolePolicyDocument: {}
  Generated:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {}}
  Provider:
    Type: AWS::IAM::OIDCProvider
    Properties: {Url: "https://oidc.eks.us-east-1.amazonaws.com/id/PROD"}
  Cluster:
    Type: AWS::EKS::Cluster
    Properties: {Name: prod}
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties: {ManagedPolicyName: read, PolicyDocument: {}}
  Bucket:
    Type: AWS::S3::Bucket
Outputs:
  X:
    Value: `

const jsonHeader = `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {
    "Env": {"Type": "String", "Default": "prod"},
    "NoDefault": {"Type": "String"},
    "Subnets": {"Type": "CommaDelimitedList", "Default": "a, b,c"},
    "Latest": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/ami/latest"}
  },
  "Mappings": {"Clusters": {"prod": {"Issuer": "oidc.eks.us-east-1.amazonaws.com/id/PROD", "Ids": ["a", "b"]}}},
  "Conditions": {
    "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
    "IsDev": {"Fn::Equals": ["dev", {"Ref": "Env"}]},
    "Undecided": {"Fn::Equals": [{"Ref": "NoDefault"}, "x"]},
    "ProdAndUndecided": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "Undecided"}]},
    "DevAndUndecided": {"Fn::And": [{"Condition": "IsDev"}, {"Condition": "Undecided"}]},
    "ProdOrUndecided": {"Fn::Or": [{"Condition": "Undecided"}, {"Condition": "IsProd"}]},
    "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]}
  },
  "Resources": {
    "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "app", "Path": "/teams/", "AssumeRolePolicyDocument": {}}},
    "Generated": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
    "Provider": {"Type": "AWS::IAM::OIDCProvider", "Properties": {"Url": "https://oidc.eks.us-east-1.amazonaws.com/id/PROD"}},
    "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"Name": "prod"}},
    "Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": "read", "PolicyDocument": {}}},
    "Bucket": {"Type": "AWS::S3::Bucket"}
  },
  "Outputs": {"X": {"Value":
`

// evalExpr evaluates expr as Outputs.X.Value of the YAML or JSON template; line is the
// expression's line.
func evalExpr(t *testing.T, expr string, asJSON bool) (v *yaml.Node, diags []result.Diagnostic, line int) {
	t.Helper()
	text := yamlHeader + expr + "\n"
	if asJSON {
		text = jsonHeader + expr + "\n}}}\n"
	}
	line = strings.Count(text[:strings.LastIndex(text, expr)], "\n") + 1
	docs, err := docnode.Parse("t", []byte(text))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, text)
	}
	root := docs[0].Root
	tm := newTemplate(docs[0], root)
	v = tm.resolve(docnode.Get(docnode.Get(docnode.Get(root, "Outputs"), "X"), "Value"))
	return v, tm.Diags, line
}

// plain turns an evaluated node into strings, lists and maps.
func plain(n *yaml.Node) any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			out = append(out, plain(c))
		}
		return out
	case yaml.MappingNode:
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			out[n.Content[i].Value] = plain(n.Content[i+1])
		}
		return out
	}
	return n.Value
}

func u(expr string) string { return iampolicy.Unknown(expr) }

func TestIntrinsics(t *testing.T) {
	const issuer = "oidc.eks.us-east-1.amazonaws.com/id/PROD"
	tests := []struct {
		name        string
		short, long string // YAML short form; long form (JSON syntax, also read in the YAML template)
		want        any
		err         string // substring of the one error expected, "" for none
	}{
		{name: "Ref of a parameter is its default", short: `!Ref Env`, long: `{"Ref": "Env"}`, want: "prod"},
		{name: "Ref of a parameter without default is unknown", short: `!Ref NoDefault`, long: `{"Ref": "NoDefault"}`, want: u("!Ref NoDefault")},
		{name: "Ref of a CommaDelimitedList is a trimmed list", short: `!Ref Subnets`, long: `{"Ref": "Subnets"}`, want: []any{"a", "b", "c"}},
		{name: "Ref of an SSM parameter type is unknown: its default names the SSM parameter", short: `!Ref Latest`, long: `{"Ref": "Latest"}`, want: u("!Ref Latest")},
		{name: "AWS::Partition is aws", short: `!Ref AWS::Partition`, long: `{"Ref": "AWS::Partition"}`, want: "aws"},
		{name: "AWS::URLSuffix is amazonaws.com", short: `!Ref AWS::URLSuffix`, long: `{"Ref": "AWS::URLSuffix"}`, want: "amazonaws.com"},
		{name: "AWS::AccountId is unknown", short: `!Ref AWS::AccountId`, long: `{"Ref": "AWS::AccountId"}`, want: u("!Ref AWS::AccountId")},
		{name: "AWS::Region is unknown", short: `!Ref AWS::Region`, long: `{"Ref": "AWS::Region"}`, want: u("!Ref AWS::Region")},
		{name: "AWS::StackName is unknown", short: `!Ref AWS::StackName`, long: `{"Ref": "AWS::StackName"}`, want: u("!Ref AWS::StackName")},
		{name: "AWS::NoValue removes the value", short: `!Ref AWS::NoValue`, long: `{"Ref": "AWS::NoValue"}`, want: nil},
		{name: "AWS::NoValue removes a list item", short: `[a, !Ref AWS::NoValue, b]`, long: `["a", {"Ref": "AWS::NoValue"}, "b"]`, want: []any{"a", "b"}},
		{name: "AWS::NoValue removes a mapping key", short: `{a: x, b: !Ref AWS::NoValue}`, long: `{"a": "x", "b": {"Ref": "AWS::NoValue"}}`, want: map[string]any{"a": "x"}},
		{name: "Ref of a role is its name", short: `!Ref Role`, long: `{"Ref": "Role"}`, want: "app"},
		{name: "Ref of a role without RoleName is its generated name, unknown", short: `!Ref Generated`, long: `{"Ref": "Generated"}`, want: u("!Ref Generated")},
		{name: "GetAtt Arn of a role is arn:aws:iam:::role with its path", short: `!GetAtt Role.Arn`, long: `{"Fn::GetAtt": ["Role", "Arn"]}`, want: "arn:aws:iam:::role/teams/app"},
		{name: "GetAtt in list form", short: `!GetAtt [Role, Arn]`, long: `{"Fn::GetAtt": "Role.Arn"}`, want: "arn:aws:iam:::role/teams/app"},
		{name: "GetAtt Arn of a role without RoleName carries the unknown name", short: `!GetAtt Generated.Arn`, long: `{"Fn::GetAtt": ["Generated", "Arn"]}`, want: "arn:aws:iam:::role/" + u("!Ref Generated")},
		{name: "GetAtt RoleId is unknown", short: `!GetAtt Role.RoleId`, long: `{"Fn::GetAtt": ["Role", "RoleId"]}`, want: u("!GetAtt Role.RoleId")},
		{name: "Ref of an OIDC provider is its ARN", short: `!Ref Provider`, long: `{"Ref": "Provider"}`, want: "arn:aws:iam:::oidc-provider/" + issuer},
		{name: "GetAtt Arn of an OIDC provider", short: `!GetAtt Provider.Arn`, long: `{"Fn::GetAtt": ["Provider", "Arn"]}`, want: "arn:aws:iam:::oidc-provider/" + issuer},
		{name: "Ref of a managed policy is its ARN", short: `!Ref Policy`, long: `{"Ref": "Policy"}`, want: "arn:aws:iam:::policy/read"},
		{name: "Ref of a cluster is its name", short: `!Ref Cluster`, long: `{"Ref": "Cluster"}`, want: "prod"},
		{name: "a cluster's issuer is unknown", short: `!GetAtt Cluster.OpenIdConnectIssuerUrl`, long: `{"Fn::GetAtt": ["Cluster", "OpenIdConnectIssuerUrl"]}`, want: u("!GetAtt Cluster.OpenIdConnectIssuerUrl")},
		{name: "Ref of another resource type is unknown", short: `!Ref Bucket`, long: `{"Ref": "Bucket"}`, want: u("!Ref Bucket")},
		{name: "Ref of an undefined name is an error and unknown", short: `!Ref Nope`, long: `{"Ref": "Nope"}`, want: u("!Ref Nope"), err: "no parameter or resource"},
		{
			name:  "Sub with pseudo parameters and a resource",
			short: `!Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Role}"`,
			long:  `{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Role}"}`,
			want:  "arn:aws:iam::" + u("!Ref AWS::AccountId") + ":role/app",
		},
		{name: "Sub with GetAtt", short: `!Sub "${Role.Arn}"`, long: `{"Fn::Sub": "${Role.Arn}"}`, want: "arn:aws:iam:::role/teams/app"},
		{name: "Sub keeps ${!Literal} as ${Literal}", short: `!Sub "${!aws:username}-${Env}"`, long: `{"Fn::Sub": "${!aws:username}-${Env}"}`, want: "${aws:username}-prod"},
		{
			name:  "Sub with a variable map",
			short: `!Sub ["${Host}:sub", {Host: !FindInMap [Clusters, !Ref Env, Issuer]}]`,
			long:  `{"Fn::Sub": ["${Host}:sub", {"Host": {"Fn::FindInMap": ["Clusters", {"Ref": "Env"}, "Issuer"]}}]}`,
			want:  issuer + ":sub",
		},
		{name: "Sub with an IAM policy variable not escaped is an error", short: `!Sub "${aws:username}"`, long: `{"Fn::Sub": "${aws:username}"}`, want: "${aws:username}", err: "${!aws:username}"},
		{
			name:  "Join keeps unknown parts as markers",
			short: `!Join ["-", [a, !Ref Env, !Ref AWS::Region]]`,
			long:  `{"Fn::Join": ["-", ["a", {"Ref": "Env"}, {"Ref": "AWS::Region"}]]}`,
			want:  "a-prod-" + u("!Ref AWS::Region"),
		},
		{name: "Join of a list parameter", short: `!Join [",", !Ref Subnets]`, long: `{"Fn::Join": [",", {"Ref": "Subnets"}]}`, want: "a,b,c"},
		{name: "Select from a list", short: `!Select [1, [a, b, c]]`, long: `{"Fn::Select": ["1", ["a", "b", "c"]]}`, want: "b"},
		{name: "Select from Split", short: `!Select [1, !Split ["/", "x/y/z"]]`, long: `{"Fn::Select": [1, {"Fn::Split": ["/", "x/y/z"]}]}`, want: "y"},
		{
			name:  "Select from the Split of an unknown is unknown as written",
			short: `!Select [1, !Split ["//", !GetAtt Cluster.OpenIdConnectIssuerUrl]]`,
			long:  `{"Fn::Select": [1, {"Fn::Split": ["//", {"Fn::GetAtt": ["Cluster", "OpenIdConnectIssuerUrl"]}]}]}`,
			want:  u("!Select [1, !Split [//, !GetAtt Cluster.OpenIdConnectIssuerUrl]]"),
		},
		{name: "Select out of range is an error", short: `!Select [3, [a]]`, long: `{"Fn::Select": [3, ["a"]]}`, want: u("!Select [3, [a]]"), err: "out of range"},
		{name: "Split", short: `!Split ["/", "a/b"]`, long: `{"Fn::Split": ["/", "a/b"]}`, want: []any{"a", "b"}},
		{name: "If with a true condition", short: `!If [IsProd, yes, no]`, long: `{"Fn::If": ["IsProd", "yes", "no"]}`, want: "yes"},
		{name: "If with a false condition", short: `!If [IsDev, yes, no]`, long: `{"Fn::If": ["IsDev", "yes", "no"]}`, want: "no"},
		{name: "If with an undecidable condition is unknown", short: `!If [Undecided, yes, no]`, long: `{"Fn::If": ["Undecided", "yes", "no"]}`, want: u("!If [Undecided, yes, no]")},
		{name: "If choosing AWS::NoValue removes the value", short: `!If [IsProd, !Ref AWS::NoValue, x]`, long: `{"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, "x"]}`, want: nil},
		{name: "And with an undecidable operand is undecidable", short: `!If [ProdAndUndecided, yes, no]`, long: `{"Fn::If": ["ProdAndUndecided", "yes", "no"]}`, want: u("!If [ProdAndUndecided, yes, no]")},
		{name: "And with a false operand is false", short: `!If [DevAndUndecided, yes, no]`, long: `{"Fn::If": ["DevAndUndecided", "yes", "no"]}`, want: "no"},
		{name: "Or with a true operand is true", short: `!If [ProdOrUndecided, yes, no]`, long: `{"Fn::If": ["ProdOrUndecided", "yes", "no"]}`, want: "yes"},
		{name: "Not", short: `!If [NotProd, yes, no]`, long: `{"Fn::If": ["NotProd", "yes", "no"]}`, want: "no"},
		{name: "If with an undefined condition is an error", short: `!If [Nope, yes, no]`, long: `{"Fn::If": ["Nope", "yes", "no"]}`, want: u("!If [Nope, yes, no]"), err: "no condition named Nope"},
		{name: "FindInMap", short: `!FindInMap [Clusters, !Ref Env, Issuer]`, long: `{"Fn::FindInMap": ["Clusters", {"Ref": "Env"}, "Issuer"]}`, want: issuer},
		{name: "FindInMap of a list", short: `!FindInMap [Clusters, prod, Ids]`, long: `{"Fn::FindInMap": ["Clusters", "prod", "Ids"]}`, want: []any{"a", "b"}},
		{
			name:  "FindInMap with an unknown key is unknown",
			short: `!FindInMap [Clusters, !Ref NoDefault, Issuer]`,
			long:  `{"Fn::FindInMap": ["Clusters", {"Ref": "NoDefault"}, "Issuer"]}`,
			want:  u("!FindInMap [Clusters, !Ref NoDefault, Issuer]"),
		},
		{name: "FindInMap of a missing key is an error", short: `!FindInMap [Clusters, dev, Issuer]`, long: `{"Fn::FindInMap": ["Clusters", "dev", "Issuer"]}`, want: u("!FindInMap [Clusters, dev, Issuer]"), err: "Mappings has no Clusters → dev → Issuer"},
		{name: "FindInMap with a default value", short: `!FindInMap [Clusters, dev, Issuer, {DefaultValue: none}]`, long: `{"Fn::FindInMap": ["Clusters", "dev", "Issuer", {"DefaultValue": "none"}]}`, want: "none"},
		{name: "Base64", short: `!Base64 abc`, long: `{"Fn::Base64": "abc"}`, want: "YWJj"},
		{name: "ImportValue is unknown as written", short: `!ImportValue SharedOidcProvider`, long: `{"Fn::ImportValue": "SharedOidcProvider"}`, want: u("!ImportValue SharedOidcProvider")},
		{name: "GetAZs is unknown", short: `!GetAZs us-east-1`, long: `{"Fn::GetAZs": "us-east-1"}`, want: u("!GetAZs us-east-1")},
		{name: "Cidr is unknown", short: `!Cidr [10.0.0.0/16, 4, 8]`, long: `{"Fn::Cidr": ["10.0.0.0/16", 4, 8]}`, want: u("!Cidr [10.0.0.0/16, 4, 8]")},
		{name: "a YAML date is a string", short: `2012-10-17`, long: `"2012-10-17"`, want: "2012-10-17"},
	}
	for _, tt := range tests {
		for _, form := range []struct {
			name   string
			expr   string
			asJSON bool
		}{{"yaml short", tt.short, false}, {"yaml long", tt.long, false}, {"json", tt.long, true}} {
			t.Run(tt.name+"/"+form.name, func(t *testing.T) {
				v, diags, line := evalExpr(t, form.expr, form.asJSON)
				if diff := cmp.Diff(tt.want, plain(v)); diff != "" {
					t.Errorf("value (-want +got):\n%s", diff)
				}
				if v != nil && v.Line != line {
					t.Errorf("value at line %d, want %d (the expression's line)", v.Line, line)
				}
				var errs []string
				for _, d := range diags {
					errs = append(errs, d.Message)
					if d.Line <= 0 {
						t.Errorf("unpositioned diagnostic %v", d)
					}
				}
				switch {
				case tt.err == "" && len(errs) > 0:
					t.Errorf("unexpected diagnostics %q", errs)
				case tt.err != "" && (len(errs) != 1 || !strings.Contains(errs[0], tt.err)):
					t.Errorf("diagnostics %q, want one containing %q", errs, tt.err)
				}
			})
		}
	}
}

func TestSubPositions(t *testing.T) {
	// The string a !Sub builds keeps, character by character, the position of the template
	// text it comes from; substituted text is at its ${.
	text := yamlHeader + "!Sub |\n      {\"a\": \"${Env}\",\n       \"b\": \"x\"}\n"
	docs, err := docnode.Parse("t.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	tm := newTemplate(docs[0], docs[0].Root)
	v := tm.resolve(docnode.Get(docnode.Get(docnode.Get(docs[0].Root, "Outputs"), "X"), "Value"))
	if v.Value != "{\"a\": \"prod\",\n \"b\": \"x\"}\n" {
		t.Fatalf("value %q", v.Value)
	}
	sub := strings.Count(yamlHeader, "\n") + 1 // the line of !Sub
	doc, ok := tm.jsonDocument(v)
	if !ok {
		t.Fatal("not a JSON document")
	}
	var got []string
	for _, kv := range docnode.Pairs(doc) {
		got = append(got, kv[0].Value+"@"+lc(kv[0])+" "+kv[1].Value+"@"+lc(kv[1]))
	}
	want := []string{
		"a@" + lcOf(sub+1, 8) + " prod@" + lcOf(sub+1, 13), // "prod" comes from ${Env} at column 13
		"b@" + lcOf(sub+2, 8) + " x@" + lcOf(sub+2, 13),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
	if v.Line != sub || v.Column != 12 {
		t.Errorf("the !Sub result is at %d:%d, want %d:12", v.Line, v.Column, sub)
	}
}

func lc(n *yaml.Node) string { return lcOf(n.Line, n.Column) }

func lcOf(line, col int) string { return fmt.Sprintf("%d:%d", line, col) }

func TestSourcePositionsFallBack(t *testing.T) {
	// Strings whose characters cannot be located (escapes, folding) give no map: positions
	// are then the string's own.
	tests := []struct {
		name, yaml string
		mapped     bool
	}{
		{"literal block", "k: |\n  {\"a\": 1}\n", true},
		{"literal block keeping trailing lines", "k: |+\n  {\"a\": 1}\n\n", true},
		{"plain one-line", "k: arn:${X}:role\n", true},
		{"tagged plain one-line", "k: !Sub arn:${X}:role\n", true},
		{"single-quoted one-line", "k: '{\"a\": 1}'\n", true},
		{"double-quoted with escapes", "k: \"{\\\"a\\\": 1}\"\n", false},
		{"folded block", "k: >\n  {\"a\":\n  1}\n", false},
		{"explicit indentation indicator", "k: |2\n   {\"a\": 1}\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := docnode.Parse("t.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			tm := newTemplate(docs[0], docs[0].Root)
			v := docnode.Get(docs[0].Root, "k")
			if v.Kind != yaml.ScalarNode {
				if tt.mapped {
					t.Fatal("not a scalar")
				}
				return
			}
			if got := tm.sourcePositions(v) != nil; got != tt.mapped {
				t.Errorf("mapped = %v, want %v", got, tt.mapped)
			}
		})
	}
}
