package eksjson

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/corpus"
)

func loadPath(t *testing.T, p string) (*inventory.Inventory, []bool, []result.Diagnostic) {
	t.Helper()
	var disk string
	if rel, ok := strings.CutPrefix(p, "corpus:"); ok {
		disk, p = corpus.File(t, rel), rel
	} else {
		disk = filepath.Join("testdata", p)
	}
	data, err := os.ReadFile(disk)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := docnode.Parse(p, data)
	if err != nil {
		t.Fatalf("parse %s: %v", p, err)
	}
	inv := &inventory.Inventory{}
	var rec []bool
	var diags []result.Diagnostic
	for _, d := range docs {
		ok, ds := Load(d, inv)
		rec = append(rec, ok)
		diags = append(diags, ds...)
	}
	return inv, rec, diags
}

// got flattens what a test looks at.
type got struct {
	Clusters      []inventory.Cluster
	AccessEntries []inventory.AccessEntry
	PodIdentity   []inventory.PodIdentityAssociation
	Diags         []result.Diagnostic
}

func flatten(inv *inventory.Inventory, diags []result.Diagnostic) got {
	var g got
	for _, c := range inv.Clusters {
		g.Clusters = append(g.Clusters, *c)
	}
	for _, e := range inv.AccessEntries {
		g.AccessEntries = append(g.AccessEntries, *e)
	}
	for _, p := range inv.PodIdentity {
		g.PodIdentity = append(g.PodIdentity, *p)
	}
	g.Diags = diags
	return g
}

func TestLoad(t *testing.T) {
	const (
		cust    = "eks-customer"
		admin   = "arn:aws:iam::111122223333:role/Admin"
		adminID = "eks:eks-customer/accessentry/arn:aws:iam::111122223333:role/Admin"
	)
	tests := []struct {
		name string
		file string
		want got
	}{
		{
			name: "describe-cluster gives name, ARN, account, region, issuer and authentication mode",
			file: "corpus:aws-cli/eks-describe-cluster.json",
			want: got{Clusters: []inventory.Cluster{{
				ID: "eks:my-eks-cluster", Name: "my-eks-cluster", ARN: "arn:aws:eks:us-east-2:111122223333:cluster/my-eks-cluster",
				Account: "111122223333", Region: "us-east-2",
				Issuer:             "https://oidc.eks.us-east-2.amazonaws.com/id/JSA79429HJDASKJDJ8223829MNDNASW",
				AuthenticationMode: "API_AND_CONFIG_MAP",
				Source:             inventory.At("aws-cli/eks-describe-cluster.json", 2, 16),
			}}},
		},
		{
			name: "describe-cluster as YAML without accessConfig leaves the mode empty",
			file: "cluster-no-accessconfig.yaml",
			want: got{Clusters: []inventory.Cluster{{
				ID: "eks:legacy", Name: "legacy", ARN: "arn:aws:eks:eu-west-1:111122223333:cluster/legacy",
				Account: "111122223333", Region: "eu-west-1", Issuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/LEGACY",
				Source: inventory.At("cluster-no-accessconfig.yaml", 3, 3),
			}}},
		},
		{
			name: "list-clusters gives cluster names",
			file: "list-clusters.json",
			want: got{Clusters: []inventory.Cluster{
				{ID: "eks:prod", Name: "prod", Source: inventory.At("list-clusters.json", 3, 9)},
				{ID: "eks:staging", Name: "staging", Source: inventory.At("list-clusters.json", 4, 9)},
			}},
		},
		{
			name: "describe-access-entry of a user",
			file: "corpus:aws-cli/eks-describe-access-entry.json",
			want: got{AccessEntries: []inventory.AccessEntry{{
				ID: "eks:eks-customer/accessentry/arn:aws:iam::111122223333:user/eks-admin-user", Cluster: cust,
				PrincipalARN: "arn:aws:iam::111122223333:user/eks-admin-user", Type: "STANDARD",
				Username: "arn:aws:iam::111122223333:user/eks-admin-user", KubernetesGroups: []string{},
				Source: inventory.At("aws-cli/eks-describe-access-entry.json", 2, 20),
			}}},
		},
		{
			name: "create-access-entry of an EC2_LINUX node role",
			file: "corpus:aws-cli/eks-create-access-entry-ec2-linux.json",
			want: got{AccessEntries: []inventory.AccessEntry{{
				ID: "eks:eks-customer/accessentry/arn:aws:iam::111122223333:role/admin-test-ip", Cluster: cust,
				PrincipalARN: "arn:aws:iam::111122223333:role/admin-test-ip", Type: "EC2_LINUX",
				Username: "system:node:{{EC2PrivateDNSName}}", KubernetesGroups: []string{"system:nodes"},
				Source: inventory.At("aws-cli/eks-create-access-entry-ec2-linux.json", 2, 20),
			}}},
		},
		{
			name: "associate-access-policy output (one association) becomes a policy of the entry",
			file: "corpus:aws-cli/eks-associate-access-policy.json",
			want: got{AccessEntries: []inventory.AccessEntry{{
				ID: adminID, Cluster: cust, PrincipalARN: admin,
				Policies: []inventory.AccessPolicy{{
					ID:        adminID + "/policy/arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
					PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", ScopeType: "namespace",
					Namespaces: []string{"default"}, Source: inventory.At("aws-cli/eks-associate-access-policy.json", 4, 31),
				}},
				Source: inventory.At("aws-cli/eks-associate-access-policy.json", 3, 21),
			}}},
		},
		{
			name: "list-associated-access-policies keeps every policy with its scope",
			file: "list-associated-access-policies.json",
			want: got{AccessEntries: []inventory.AccessEntry{{
				ID: adminID, Cluster: cust, PrincipalARN: admin,
				Policies: []inventory.AccessPolicy{
					{ID: adminID + "/policy/arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
						PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", ScopeType: "cluster",
						Namespaces: []string{}, Source: inventory.At("list-associated-access-policies.json", 5, 9)},
					{ID: adminID + "/policy/arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
						PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", ScopeType: "namespace",
						Namespaces: []string{"dev-*", "staging"}, Source: inventory.At("list-associated-access-policies.json", 14, 9)},
				},
				Source: inventory.At("list-associated-access-policies.json", 3, 21),
			}}},
		},
		{
			name: "describe-pod-identity-association",
			file: "corpus:aws-cli/eks-describe-pod-identity-association.json",
			want: got{PodIdentity: []inventory.PodIdentityAssociation{{
				ID: "eks:eks-customer/podidentity/default/default", Cluster: cust, Namespace: "default", ServiceAccount: "default",
				RoleARN:        "arn:aws:iam::111122223333:role/my-role",
				AssociationARN: "arn:aws:eks:us-west-2:111122223333:podidentityassociation/eks-customer/a-9njjin9gfghecgocd",
				Source:         inventory.At("aws-cli/eks-describe-pod-identity-association.json", 2, 20),
			}}},
		},
		{
			name: "pod identity association with a target role, external ID and session tags disabled",
			file: "pod-identity-target-role.json",
			want: got{PodIdentity: []inventory.PodIdentityAssociation{{
				ID: "eks:prod/podidentity/payments/api", Cluster: "prod", Namespace: "payments", ServiceAccount: "api",
				RoleARN: "arn:aws:iam::111122223333:role/first", TargetRoleARN: "arn:aws:iam::444455556666:role/target",
				ExternalID: "6d1b1c8e-0000-4000-8000-000000000000", DisableSessionTags: true,
				AssociationARN: "arn:aws:eks:eu-west-1:111122223333:podidentityassociation/prod/a-abcdefghijklmnopq",
				Source:         inventory.At("pod-identity-target-role.json", 2, 20),
			}}},
		},
		{
			name: "list-pod-identity-associations summaries are kept without a role",
			file: "corpus:aws-cli/eks-list-pod-identity-associations-filtered.json",
			want: got{PodIdentity: []inventory.PodIdentityAssociation{{
				ID: "eks:eks-customer/podidentity/kube-system/eks-customer", Cluster: cust, Namespace: "kube-system", ServiceAccount: "eks-customer",
				AssociationARN: "arn:aws:eks:us-west-2:111122223333:podidentityassociation/eks-customer/a-dvtacahdvjn01ffbc",
				Source:         inventory.At("aws-cli/eks-list-pod-identity-associations-filtered.json", 3, 9),
			}}},
		},
		{
			name: "list-access-entries is recognised but names no cluster, so nothing is recorded",
			file: "corpus:aws-cli/eks-list-access-entries.json",
			want: got{},
		},
		{
			name: "access entry without clusterName is a positioned error",
			file: "broken-access-entry.json",
			want: got{Diags: []result.Diagnostic{{Severity: "error", File: "broken-access-entry.json", Line: 2, Column: 20,
				Message: `access entry has no clusterName (expected {"clusterName", "principalArn", "type", "username", "kubernetesGroups"} as aws eks describe-access-entry prints)`}}},
		},
		{
			name: "association summary without serviceAccount is an error, the others are kept",
			file: "broken-associations.json",
			want: got{
				PodIdentity: []inventory.PodIdentityAssociation{{ID: "eks:c/podidentity/ns/sa", Cluster: "c", Namespace: "ns", ServiceAccount: "sa",
					Source: inventory.At("broken-associations.json", 4, 9)}},
				Diags: []result.Diagnostic{{Severity: "error", File: "broken-associations.json", Line: 3, Column: 9,
					Message: `associations[0] has no serviceAccount (expected {"clusterName", "namespace", "serviceAccount", "roleArn", "associationArn"} as aws eks describe-pod-identity-association prints)`}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, rec, diags := loadPath(t, tt.file)
			if len(rec) != 1 || !rec[0] {
				t.Fatalf("recognized = %v, want [true]", rec)
			}
			if diff := cmp.Diff(tt.want, flatten(inv, diags)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadSkipsDocumentsThatAreNotEKS(t *testing.T) {
	for _, file := range []string{
		"helm-values-cluster.yaml",
		"corpus:aws-cli/iam-list-roles.json",
		"corpus:aws-auth/authenticator-dynamicfile-access-entries.json",
		"corpus:serviceaccount/pod-identity-webhook-example-app-multidoc.yaml",
		"corpus:eksctl/eksctl-example-40-access-entries.yaml",
		"corpus:eksctl/eksctl-example-39-pod-identity-association.yaml",
	} {
		t.Run(file, func(t *testing.T) {
			inv, rec, diags := loadPath(t, file)
			for i, ok := range rec {
				if ok {
					t.Errorf("document %d recognised as EKS data", i)
				}
			}
			if diff := cmp.Diff(got{}, flatten(inv, diags)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCorpusNeverPanics(t *testing.T) {
	for _, rel := range corpus.Files(t, ".json", ".yaml", ".yml") {
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(corpus.File(t, rel))
			if err != nil {
				t.Fatal(err)
			}
			docs, err := docnode.Parse(rel, data)
			if err != nil {
				return
			}
			inv := &inventory.Inventory{}
			for _, d := range docs {
				_, diags := Load(d, inv)
				for _, dg := range diags {
					if dg.Line <= 0 {
						t.Errorf("unpositioned diagnostic: %v", dg)
					}
				}
			}
		})
	}
}

func FuzzLoad(f *testing.F) {
	for _, rel := range corpus.Files(f, ".json") {
		if data, err := os.ReadFile(corpus.File(f, rel)); err == nil {
			f.Add(data)
		}
	}
	for _, name := range []string{"list-associated-access-policies.json", "pod-identity-target-role.json", "broken-associations.json"} {
		if data, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := docnode.Parse("fuzz.json", data)
		if err != nil {
			return
		}
		inv := &inventory.Inventory{}
		for _, d := range docs {
			_, diags := Load(d, inv)
			for _, dg := range diags {
				if dg.Line <= 0 {
					t.Errorf("unpositioned diagnostic: %v", dg)
				}
			}
		}
	})
}
