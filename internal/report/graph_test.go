package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/analyzer/graph"
	"github.com/rolecall/rolecall/internal/golden"
)

// sampleGraph is a hand-built graph with every node kind, a chain into cluster-admin, a
// conditional edge, a role not loaded, a node role, and a label that needs escaping.
func sampleGraph() ([]*graph.Node, []*graph.Edge) {
	nodes := []*graph.Node{
		{ID: roleApp, Kind: graph.KindRole, Label: "role/app", ARN: roleApp, Account: "111122223333", Loaded: true},
		{ID: roleBreak, Kind: graph.KindRole, Label: "role/breakglass", ARN: roleBreak, Account: "111122223333", Loaded: true},
		{ID: roleDeploy, Kind: graph.KindRole, Label: "role/deployer", ARN: roleDeploy, Account: "111122223333"},
		{ID: roleWorker, Kind: graph.KindRole, Label: "role/worker", ARN: roleWorker, Account: "111122223333", Loaded: true, NodeRole: true},
		{ID: acct + "user/alice", Kind: graph.KindUser, Label: "user/alice", ARN: acct + "user/alice", Account: "111122223333", Loaded: true},
		{ID: "aws-account:444455556666", Kind: graph.KindAccount, Label: "account 444455556666", Account: "444455556666", External: true},
		{ID: "aws-admin:111122223333", Kind: graph.KindAWSAdmin, Label: "administrator of account 111122223333", Account: "111122223333"},
		{ID: "aws-public:*", Kind: graph.KindPublic, Label: "any AWS principal (*)", External: true},
		{ID: "aws-service:ec2.amazonaws.com", Kind: graph.KindService, Label: "ec2.amazonaws.com"},
		{ID: "federated:arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com#repo:acme/\"infra\":*",
			Kind: graph.KindFederated, Label: "token.actions.githubusercontent.com repo:acme/\"infra\":*",
			Provider: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", Pattern: "repo:acme/\"infra\":*", External: true},
		{ID: "k8s:_/serviceaccount/default/stray", Kind: graph.KindServiceAccount, Label: "system:serviceaccount:default:stray", Namespace: "default", Name: "stray", Loaded: true},
		{ID: "k8s:prod/cluster-admin", Kind: graph.KindClusterAdmin, Label: "cluster-admin of prod", Cluster: "prod"},
		{ID: "k8s:prod/identity/deployer|system:masters", Kind: graph.KindIdentity, Label: "deployer", Cluster: "prod", Username: "deployer", Groups: []string{"system:masters"}},
		{ID: "k8s:prod/serviceaccount/ci/deployer", Kind: graph.KindServiceAccount, Label: "system:serviceaccount:ci:deployer", Cluster: "prod", Namespace: "ci", Name: "deployer", Loaded: true},
	}
	edges := []*graph.Edge{
		{ID: "e1", From: acct + "user/alice", To: roleBreak, Mechanism: graph.MechAssumeRole, Evidence: []string{roleBreak + "#trust/0"},
			DependsOn: []string{"aws:MultiFactorAuthPresent"}, Reason: "statement 0 allows sts:AssumeRole from user/alice with MFA"},
		{ID: "e2", From: "aws-account:444455556666", To: roleApp, Mechanism: graph.MechAssumeRole, Evidence: []string{roleApp + "#trust/1"},
			Reason: "statement 1 allows the account root", IdentityUnchecked: true},
		{ID: "e3", From: "aws-service:ec2.amazonaws.com", To: roleWorker, Mechanism: graph.MechAssumeRole, Evidence: []string{roleWorker + "#trust/0"}, Reason: "statement 0 allows ec2"},
		{ID: "e4", From: "federated:arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com#repo:acme/\"infra\":*", To: roleApp,
			Mechanism: graph.MechWebIdentity, Evidence: []string{roleApp + "#trust/0"}, Reason: "statement 0 allows GitHub Actions of acme/infra"},
		{ID: "e5", From: "k8s:prod/serviceaccount/ci/deployer", To: roleDeploy, Mechanism: graph.MechWebIdentity,
			Evidence: []string{"k8s:prod/serviceaccount/ci/deployer/annotation/eks.amazonaws.com/role-arn"}, Reason: "annotated; trust not loaded", TrustUnchecked: true},
		{ID: "e6", From: roleDeploy, To: "k8s:prod/identity/deployer|system:masters", Mechanism: graph.MechClusterAuth,
			Evidence: []string{"awsauth:prod/mapRoles/0"}, Reason: "aws-auth mapRoles[0] maps role/deployer"},
		{ID: "e7", From: "k8s:prod/identity/deployer|system:masters", To: "k8s:prod/cluster-admin", Mechanism: graph.MechAdmin,
			Evidence: []string{"awsauth:prod/mapRoles/0"}, Reason: "group system:masters"},
		{ID: "e8", From: roleBreak, To: "aws-admin:111122223333", Mechanism: graph.MechAdmin, Evidence: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}, Reason: "AdministratorAccess attached"},
		{ID: "e9", From: "aws-public:*", To: roleApp, Mechanism: graph.MechAssumeRole, Evidence: []string{roleApp + "#trust/2"}, Reason: "statement 2 allows *"},
	}
	return nodes, edges
}

func TestGraphGoldens(t *testing.T) {
	nodes, edges := sampleGraph()
	for _, format := range GraphFormats() {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteGraph(&buf, format, nodes, edges); err != nil {
				t.Fatal(err)
			}
			if format == GraphFormatJSON && !json.Valid(buf.Bytes()) {
				t.Fatal("graph JSON does not parse")
			}
			golden.Check(t, "testdata/graph.golden."+format, buf.Bytes())
		})
	}
}

func TestGraphRenderings(t *testing.T) {
	nodes, edges := sampleGraph()
	render := func(format string) string {
		var buf bytes.Buffer
		if err := WriteGraph(&buf, format, nodes, edges); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	dot, mermaid := render(GraphFormatDot), render(GraphFormatMermaid)
	tests := []struct {
		name, out, want string
	}{
		{"dot puts a cluster's nodes in a subgraph", dot, "subgraph cluster_1 {\n    label=\"EKS cluster prod\";"},
		{"dot gives unclustered ServiceAccounts the unnamed cluster", dot, "label=\"unnamed cluster\""},
		{"dot highlights sinks", dot, `"k8s:prod/cluster-admin" [label="cluster-admin", shape=doubleoctagon`},
		{"dot colours edges into sinks", dot, `[label="admin", color="#d62728", penwidth=2]`},
		{"dot labels edges with the mechanism", dot, `[label="web-identity"]`},
		{"dot dashes conditional edges and names their keys", dot, `[label="assume-role\nif aws:MultiFactorAuthPresent", style=dashed]`},
		{"dot escapes quotes", dot, `repo:acme/\"infra\":*`},
		{"mermaid puts a cluster's nodes in a subgraph", mermaid, "subgraph c1[\"EKS cluster prod\"]"},
		{"mermaid highlights sinks", mermaid, "classDef sink fill:#d62728"},
		{"mermaid escapes quotes", mermaid, "repo:acme/#quot;infra#quot;:*"},
		{"mermaid dashes conditional edges", mermaid, `-.->|"assume-role<br>if aws:MultiFactorAuthPresent"|`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(tt.out, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, tt.out)
			}
		})
	}
	t.Run("output is deterministic", func(t *testing.T) {
		for _, f := range GraphFormats() {
			first, second := render(f), render(f)
			if first != second {
				t.Errorf("%s differs between runs", f)
			}
		}
	})
	t.Run("an empty graph is valid JSON with empty arrays", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteGraph(&buf, GraphFormatJSON, nil, nil); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != "{\n  \"nodes\": [],\n  \"edges\": []\n}\n" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("unknown format", func(t *testing.T) {
		if err := WriteGraph(&bytes.Buffer{}, "png", nodes, edges); err == nil || !strings.Contains(err.Error(), "dot, mermaid, json") {
			t.Errorf("err %v", err)
		}
	})
}

func TestNodeName(t *testing.T) {
	nodes, _ := sampleGraph()
	want := map[string]string{
		roleApp:                                     roleApp,
		acct + "user/alice":                         acct + "user/alice",
		"aws-account:444455556666":                  "444455556666",
		"aws-public:*":                              "*",
		"aws-service:ec2.amazonaws.com":             "ec2.amazonaws.com",
		"k8s:prod/serviceaccount/ci/deployer":       "system:serviceaccount:ci:deployer",
		"k8s:prod/identity/deployer|system:masters": "deployer [system:masters]",
	}
	for _, n := range nodes {
		if w, ok := want[n.ID]; ok {
			if got := NodeName(n); got != w {
				t.Errorf("NodeName(%s) = %q, want %q", n.ID, got, w)
			}
		}
		if strings.HasPrefix(n.ID, "federated:") {
			if got, w := NodeName(n), `oidc:token.actions.githubusercontent.com:repo:acme/"infra":*`; got != w {
				t.Errorf("federated NodeName = %q, want %q", got, w)
			}
		}
	}
}

func sampleAnswers() (allowed, denied *CanAssume, who, nobody *WhoCan, what, nothing *WhatCan) {
	chain := []Hop{
		{From: acct + "user/alice", To: roleBreak, Mechanism: "assume-role", Reason: "statement 0 allows sts:AssumeRole from user/alice with MFA",
			Evidence: []string{roleBreak + "#trust/0"}, DependsOn: []string{"aws:MultiFactorAuthPresent"}},
		{From: roleBreak, To: roleDeploy, Mechanism: "assume-role", Reason: "statement 3 allows role/breakglass",
			Evidence: []string{roleDeploy + "#trust/3"}, IdentityUnchecked: true},
	}
	allowed = &CanAssume{Allowed: true, Role: roleDeploy, Principal: acct + "user/alice",
		Reason: "statement 3 allows role/breakglass; reached in 2 steps through " + roleBreak,
		Via:    []string{roleBreak}, DependsOn: []string{"aws:MultiFactorAuthPresent"}, Path: chain}
	denied = &CanAssume{Role: roleWorker, Principal: "system:serviceaccount:ci:deployer", Cluster: "prod",
		Reason: "no statement of the trust policy of " + roleWorker + " admits it"}
	who = &WhoCan{Role: roleDeploy, Principals: []WhoCanEntry{
		{Principal: acct + "user/alice", Kind: "iam-user", Via: []string{roleBreak}, Reason: chain[0].Reason, Evidence: chain[0].Evidence,
			DependsOn: []string{"aws:MultiFactorAuthPresent"}, Conditional: true, IdentityUnchecked: true, Path: chain},
		{Principal: "system:serviceaccount:ci:deployer", Kind: "k8s-serviceaccount", Cluster: "prod", Reason: "annotated; trust not loaded",
			Evidence: []string{"k8s:prod/serviceaccount/ci/deployer/annotation/eks.amazonaws.com/role-arn"},
			Path: []Hop{{From: "system:serviceaccount:ci:deployer in cluster prod", To: roleDeploy, Mechanism: "web-identity",
				Reason: "annotated; trust not loaded", Evidence: []string{"k8s:prod/serviceaccount/ci/deployer/annotation/eks.amazonaws.com/role-arn"}, TrustUnchecked: true}}},
	}}
	nobody = &WhoCan{Role: roleWorker}
	what = &WhatCan{Principal: "system:serviceaccount:ci:deployer", Cluster: "prod",
		Roles: []WhatCanRole{{Role: roleDeploy}, {Role: roleBreak, Via: []string{roleDeploy}, DependsOn: []string{"aws:SourceIp"}, AWSAdmin: true}},
		Kubernetes: []KubernetesAccess{
			{Cluster: "prod", As: roleDeploy, Username: "deployer", Groups: []string{"system:masters"}, Source: "aws-auth", ClusterAdmin: true},
			{Cluster: "staging", As: roleBreak, Username: roleBreak, Source: "access-entry", AccessPolicies: []AccessPolicy{
				{Policy: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", Scope: "namespace", Namespaces: []string{"ci", "web"}},
				{Policy: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", Scope: "cluster"}}},
		}}
	nothing = &WhatCan{Principal: "123456789012"}
	return
}

func TestQueryAnswerGoldens(t *testing.T) {
	allowed, denied, who, nobody, what, nothing := sampleAnswers()
	tests := []struct {
		name  string
		write func(w *bytes.Buffer, format string) error
	}{
		{"can-assume.allowed", func(w *bytes.Buffer, f string) error { return WriteCanAssume(w, f, allowed) }},
		{"can-assume.denied", func(w *bytes.Buffer, f string) error { return WriteCanAssume(w, f, denied) }},
		{"who-can", func(w *bytes.Buffer, f string) error { return WriteWhoCan(w, f, who) }},
		{"who-can.none", func(w *bytes.Buffer, f string) error { return WriteWhoCan(w, f, nobody) }},
		{"what-can", func(w *bytes.Buffer, f string) error { return WriteWhatCan(w, f, what) }},
		{"what-can.nothing", func(w *bytes.Buffer, f string) error { return WriteWhatCan(w, f, nothing) }},
	}
	for _, tt := range tests {
		for _, format := range QueryFormats() {
			t.Run(tt.name+"."+format, func(t *testing.T) {
				var buf bytes.Buffer
				if err := tt.write(&buf, format); err != nil {
					t.Fatal(err)
				}
				ext := map[string]string{FormatText: "txt", FormatJSON: "json"}[format]
				if format == FormatJSON {
					if !json.Valid(buf.Bytes()) {
						t.Fatal("invalid JSON")
					}
					if strings.Contains(buf.String(), "null") {
						t.Errorf("JSON has null where an array belongs:\n%s", buf.String())
					}
				}
				golden.Check(t, "testdata/"+tt.name+".golden."+ext, buf.Bytes())
			})
		}
	}
}

func TestQueryAnswerContract(t *testing.T) {
	allowed, _, _, _, what, _ := sampleAnswers()
	var buf bytes.Buffer
	if err := WriteCanAssume(&buf, FormatJSON, allowed); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"allowed", "role", "principal", "reason", "via", "depends_on"} {
		if _, ok := m[k]; !ok {
			t.Errorf("can-assume JSON lacks %q (cli.md)", k)
		}
	}
	buf.Reset()
	if err := WriteWhatCan(&buf, FormatJSON, what); err != nil {
		t.Fatal(err)
	}
	var w struct {
		Principal  string           `json:"principal"`
		Roles      []map[string]any `json:"roles"`
		Kubernetes []map[string]any `json:"kubernetes"`
	}
	if err := json.Unmarshal(buf.Bytes(), &w); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"cluster", "as", "username", "groups", "access_policies", "source", "cluster_admin"} {
		if _, ok := w.Kubernetes[0][k]; !ok {
			t.Errorf("what-can kubernetes entry lacks %q (cli.md)", k)
		}
	}
	for _, k := range []string{"role", "via"} {
		if _, ok := w.Roles[0][k]; !ok {
			t.Errorf("what-can role entry lacks %q (cli.md)", k)
		}
	}
}

func TestQueryWritersReturnWriteErrors(t *testing.T) {
	allowed, _, who, _, what, _ := sampleAnswers()
	nodes, edges := sampleGraph()
	for _, format := range QueryFormats() {
		if WriteCanAssume(&failWriter{}, format, allowed) == nil || WriteWhoCan(&failWriter{}, format, who) == nil ||
			WriteWhatCan(&failWriter{}, format, what) == nil {
			t.Errorf("%s: a write error was swallowed", format)
		}
	}
	for _, format := range GraphFormats() {
		if WriteGraph(&failWriter{}, format, nodes, edges) == nil {
			t.Errorf("graph %s: a write error was swallowed", format)
		}
	}
}
