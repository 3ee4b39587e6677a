package live

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/eksjson"
	"github.com/rolecall/rolecall/analyzer/load/iamjson"
	"github.com/rolecall/rolecall/internal/golden"
	"github.com/rolecall/rolecall/internal/livetest"
	"github.com/rolecall/rolecall/rules"
)

// awsEnv points the default credential chain at loopback endpoints with static credentials,
// the way a user does with AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_EKS; nothing is read from
// ~/.aws and IMDS is off. extra holds more NAME, VALUE pairs.
func awsEnv(t *testing.T, endpoint, eksEndpoint string, extra ...string) {
	t.Helper()
	env := map[string]string{
		"AWS_ACCESS_KEY_ID":           livetest.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       livetest.SecretAccessKey,
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  livetest.Region,
		"AWS_DEFAULT_REGION":          "",
		"AWS_PROFILE":                 "",
		"AWS_DEFAULT_PROFILE":         "",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_ENDPOINT_URL":            endpoint,
		"AWS_ENDPOINT_URL_EKS":        eksEndpoint,
		"AWS_ENDPOINT_URL_IAM":        "",
		"AWS_ENDPOINT_URL_STS":        "",
		"AWS_MAX_ATTEMPTS":            "",
		"AWS_RETRY_MODE":              "",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// runAWS runs collectAWS and returns the sorted snapshot, the clusters and the calls made.
func runAWS(t *testing.T, opts Options) (*Snapshot, []ClusterInfo, map[string]int) {
	t.Helper()
	calls := map[string]int{}
	opts.OnCall = func(api string) { calls[api]++ }
	if opts.Concurrency == 0 {
		opts.Concurrency = 4
	}
	st := newState(opts)
	clusters := collectAWS(t.Context(), opts, st)
	st.snap.Sort()
	return st.snap, clusters, calls
}

// seedAccount creates, in moto, clusters prod and dev and an account whose roles use them: an
// IRSA role trusting prod's OIDC provider, a Pod Identity role with an inline policy, a role
// with a path, a managed policy, a user with an inline policy in a group with one. It returns
// moto's random OIDC issuer id of prod (dev gets the same one from moto).
func seedAccount(t *testing.T, motoURL string) string {
	t.Helper()
	ctx := t.Context()
	cfg := livetest.AWSConfig(motoURL)
	ic, ec := iam.NewFromConfig(cfg), eks.NewFromConfig(cfg)
	check := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"prod", "dev"} {
		check(ec.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(name),
			RoleArn:            aws.String("arn:aws:iam::123456789012:role/cluster"),
			ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-1"}}}))
	}
	d, err := ec.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	issuer := aws.ToString(d.Cluster.Identity.Oidc.Issuer)
	host := strings.TrimPrefix(issuer, "https://")
	check(ic.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(issuer),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}}))
	check(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(`{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/` + host + `"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"` + host + `:sub": "system:serviceaccount:shop:app", "` + host + `:aud": "sts.amazonaws.com"}}
  }]
}`)}))
	check(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("pods"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`)}))
	check(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("pods"), PolicyName: aws.String("s3-read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}))
	check(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("admin"), Path: aws.String("/team/"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`)}))
	p, err := ic.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("eks-read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"eks:Describe*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	check(ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: p.Policy.Arn}))
	check(ic.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	check(ic.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("assume-admin"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/team/admin"}]}`)}))
	check(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	check(ic.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("alice"), GroupName: aws.String("devs")}))
	check(ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("self"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)}))
	return issuer[strings.LastIndex(issuer, "/")+1:]
}

// seedEKS gives prod, in the fake, three access entries (one with two access policies, a user,
// a node role) and two Pod Identity associations (one cross-account, session tags disabled).
func seedEKS(f *livetest.FakeEKS) {
	f.AddAccessEntry("prod", livetest.AccessEntry{PrincipalARN: "arn:aws:iam::123456789012:role/team/admin",
		KubernetesGroups: []string{"ops"},
		Policies: []livetest.AssociatedPolicy{
			{PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"},
			{PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", ScopeType: "namespace", Namespaces: []string{"shop", "dev-*"}},
		}})
	f.AddAccessEntry("prod", livetest.AccessEntry{PrincipalARN: "arn:aws:iam::123456789012:user/alice", Username: "alice"})
	f.AddAccessEntry("prod", livetest.AccessEntry{PrincipalARN: "arn:aws:iam::123456789012:role/nodes", Type: "EC2_LINUX"})
	f.AddPodIdentityAssociation("prod", livetest.PodIdentityAssociation{Namespace: "shop", ServiceAccount: "cart",
		RoleARN: "arn:aws:iam::123456789012:role/pods", Tags: map[string]string{"team": "shop"}})
	f.AddPodIdentityAssociation("prod", livetest.PodIdentityAssociation{Namespace: "shop", ServiceAccount: "billing",
		RoleARN: "arn:aws:iam::123456789012:role/pods", TargetRoleARN: "arn:aws:iam::444455556666:role/billing", DisableSessionTags: true})
}

var (
	// moto's random ids, clock and endpoints: checked for shape, then masked.
	volatileIDs   = map[string]bool{"RoleId": true, "UserId": true, "GroupId": true, "PolicyId": true}
	volatileDates = map[string]bool{"CreateDate": true, "UpdateDate": true}
	motoEndpoint  = regexp.MustCompile(`^https://[A-Za-z0-9.-]+\.eks\.amazonaws\.com/?$`)
)

// normalize re-encodes JSON with sorted keys and two-space indentation. With mask, the issuer
// id becomes ISSUER, moto's ids "<id>", its dates (which must be RFC 3339 UTC) "<date>", and
// its cluster endpoints "<endpoint>".
func normalize(t *testing.T, raw []byte, issuerID string, mask bool) json.RawMessage {
	t.Helper()
	s := string(raw)
	if issuerID != "" {
		s = strings.ReplaceAll(s, issuerID, "ISSUER")
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				str, isStr := e.(string)
				switch {
				case !mask || !isStr:
					x[k] = walk(e)
				case volatileIDs[k] && str != "":
					x[k] = "<id>"
				case volatileDates[k] || k == "createdAt" && x["endpoint"] != nil: // IAM and moto's cluster dates
					if tm, err := time.Parse(time.RFC3339, str); err != nil || !strings.HasSuffix(str, "Z") || tm.IsZero() {
						t.Errorf("%s %q is not an RFC 3339 UTC date", k, str)
					}
					x[k] = "<date>"
				case k == "endpoint" && motoEndpoint.MatchString(str):
					x[k] = "<endpoint>"
				}
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		}
		return v
	}
	return indentJSON(t, walk(v))
}

// indentJSON encodes v with two-space indentation and without HTML escaping (so "<id>" reads
// as written).
func indentJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

type recordSum struct {
	API     string          `json:"api"`
	Ref     string          `json:"ref"`
	Cluster string          `json:"cluster,omitempty"`
	Output  json.RawMessage `json:"output"`
}

// snapshotJSON is the records, masked, as one JSON document for a golden file.
func snapshotJSON(t *testing.T, recs []Record, issuerID string) []byte {
	t.Helper()
	out := []recordSum{}
	for _, r := range recs {
		out = append(out, recordSum{r.API, strings.ReplaceAll(r.Ref, issuerID, "ISSUER"), r.Cluster, normalize(t, r.Output, issuerID, true)})
	}
	return append(indentJSON(t, out), '\n')
}

// refs lists "API REF" of every record, the issuer id masked.
func refs(recs []Record, issuerID string) []string {
	var out []string
	for _, r := range recs {
		ref := r.Ref
		if issuerID != "" {
			ref = strings.ReplaceAll(ref, issuerID, "ISSUER")
		}
		out = append(out, r.API+" "+ref)
	}
	return out
}

func without(list []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool {
		return slices.ContainsFunc(drop, func(p string) bool { return strings.HasPrefix(s, p) })
	})
}

func TestCollectAWS(t *testing.T) {
	moto := livetest.SharedMoto(t)
	fake := livetest.StartFakeEKS(t, moto.URL)
	issuerID := seedAccount(t, moto.URL)
	seedEKS(fake)
	fake.SetPageSize(1) // every EKS listing of more than one item is paged
	awsEnv(t, moto.URL, fake.URL)

	base, baseClusters, baseCalls := runAWS(t, Options{})
	baseRefs := refs(base.Records, issuerID)

	t.Run("reads the account and every cluster, page by page", func(t *testing.T) {
		golden.Check(t, "testdata/aws/moto-fake.golden.json", snapshotJSON(t, base.Records, issuerID))
		if diff := cmp.Diff([]Diagnostic{}, base.Diagnostics); diff != "" {
			t.Errorf("diagnostics (-want +got):\n%s", diff)
		}
		got := fmtHeader(base)
		if want := "account=123456789012 caller=arn:aws:sts::123456789012:user/moto partition=aws region=us-east-1"; got != want {
			t.Errorf("header = %q, want %q", got, want)
		}
		var gotClusters []ClusterInfo
		for _, c := range baseClusters {
			if motoEndpoint.MatchString(c.Endpoint) {
				c.Endpoint = "<endpoint>"
			}
			gotClusters = append(gotClusters, c)
		}
		wantClusters := []ClusterInfo{
			{Name: "dev", ARN: "arn:aws:eks:us-east-1:123456789012:cluster/dev", Endpoint: "<endpoint>"},
			{Name: "prod", ARN: "arn:aws:eks:us-east-1:123456789012:cluster/prod", Endpoint: "<endpoint>"},
		}
		if diff := cmp.Diff(wantClusters, gotClusters); diff != "" {
			t.Errorf("clusters (-want +got):\n%s", diff)
		}
		// Pages are calls: prod's 3 access entries and 2 associations, one per page, then the
		// admin role's 2 access policies; dev answers each listing with one empty page.
		wantCalls := map[string]int{
			"sts:GetCallerIdentity": 1, "iam:GetAccountAuthorizationDetails": 1,
			"iam:ListOpenIDConnectProviders": 1, "iam:GetOpenIDConnectProvider": 1,
			"eks:ListClusters": 1, "eks:DescribeCluster": 2,
			"eks:ListAccessEntries": 3 + 1, "eks:DescribeAccessEntry": 3, "eks:ListAssociatedAccessPolicies": 2 + 1 + 1,
			"eks:ListPodIdentityAssociations": 2 + 1, "eks:DescribePodIdentityAssociation": 2,
		}
		if diff := cmp.Diff(wantCalls, baseCalls); diff != "" {
			t.Errorf("calls (-want +got):\n%s", diff)
		}
		// Counts are items: 3 roles + 1 user + 1 group + 1 managed policy, 2 clusters listed, …
		wantCounts := map[string]int{
			"sts:GetCallerIdentity": 1, "iam:GetAccountAuthorizationDetails": 6,
			"iam:ListOpenIDConnectProviders": 1, "iam:GetOpenIDConnectProvider": 1,
			"eks:ListClusters": 2, "eks:DescribeCluster": 2,
			"eks:ListAccessEntries": 3, "eks:DescribeAccessEntry": 3, "eks:ListAssociatedAccessPolicies": 2,
			"eks:ListPodIdentityAssociations": 2, "eks:DescribePodIdentityAssociation": 2,
		}
		if diff := cmp.Diff(wantCounts, base.Counts); diff != "" {
			t.Errorf("counts (-want +got):\n%s", diff)
		}
		// The table of not-evaluated rules covers exactly the calls made.
		var made, table []string
		for api := range baseCalls {
			made = append(made, api)
		}
		for api := range awsAPIRules {
			table = append(table, api)
		}
		sort.Strings(made)
		sort.Strings(table)
		if diff := cmp.Diff(table, made); diff != "" {
			t.Errorf("APIs called vs awsAPIRules (-table +called):\n%s", diff)
		}
	})

	t.Run("the offline loaders read every record", func(t *testing.T) {
		checkLoaders(t, base.Records, issuerID)
	})

	tests := []struct {
		name         string
		opts         Options
		env          []string
		fail         []string // op, code pairs injected into the fake with status 403 or 429
		status       int
		times        int
		wantDrop     []string // "API REF" prefixes absent compared with the full read
		wantAdd      []string // "API REF" present only in this case
		wantDiags    []Diagnostic
		wantClusters []string
		wantFakeOps  map[string]int // requests the fake received, failed ones included
	}{
		{
			name: "throttled once, then read: the retryer absorbs it",
			fail: []string{"ListAccessEntries", "ThrottlingException"}, status: 429, times: 1,
			wantDiags: []Diagnostic{}, wantClusters: []string{"dev", "prod"},
			wantFakeOps: map[string]int{"ListAccessEntries": 4 + 1},
		},
		{
			name: "access denied on one API: the rest is read, the permission named",
			fail: []string{"ListPodIdentityAssociations", "AccessDeniedException"}, status: 403, times: -1,
			wantDrop: []string{"eks:DescribePodIdentityAssociation "},
			wantDiags: []Diagnostic{
				denied("eks:ListPodIdentityAssociations", "dev", "the Pod Identity associations of cluster dev were not read", "RC105", "RC203", "RC306", "RC501", "RC505"),
				denied("eks:ListPodIdentityAssociations", "prod", "the Pod Identity associations of cluster prod were not read", "RC105", "RC203", "RC306", "RC501", "RC505"),
			},
			wantClusters: []string{"dev", "prod"},
		},
		{
			name: "DescribeCluster denied: access entries and associations are still read",
			fail: []string{"DescribeCluster", "AccessDeniedException"}, status: 403, times: -1,
			wantDrop: []string{"eks:DescribeCluster "},
			wantDiags: []Diagnostic{
				denied("eks:DescribeCluster", "dev", "the authentication mode, OIDC issuer and endpoint of cluster dev were not read", clusterRules...),
				denied("eks:DescribeCluster", "prod", "the authentication mode, OIDC issuer and endpoint of cluster prod were not read", clusterRules...),
			},
			wantClusters: []string{},
		},
		{
			name: "throttled on every attempt: a warning per item not read",
			env:  []string{"AWS_MAX_ATTEMPTS", "2"},
			fail: []string{"DescribePodIdentityAssociation", "ThrottlingException"}, status: 429, times: -1,
			wantDrop: []string{"eks:DescribePodIdentityAssociation "},
			wantDiags: []Diagnostic{
				throttled("shop/billing"),
				throttled("shop/cart"),
			},
			wantClusters: []string{"dev", "prod"},
			wantFakeOps:  map[string]int{"DescribePodIdentityAssociation": 2 * 2},
		},
		{
			name: "DescribeAccessEntry denied: the access policies are kept under the principal's ARN",
			fail: []string{"DescribeAccessEntry", "AccessDeniedException"}, status: 403, times: -1,
			wantDrop: []string{"eks:DescribeAccessEntry ", "eks:ListAssociatedAccessPolicies "},
			wantAdd: []string{
				"eks:ListAssociatedAccessPolicies arn:aws:iam::123456789012:role/nodes",
				"eks:ListAssociatedAccessPolicies arn:aws:iam::123456789012:role/team/admin",
				"eks:ListAssociatedAccessPolicies arn:aws:iam::123456789012:user/alice",
			},
			wantDiags: []Diagnostic{
				denied("eks:DescribeAccessEntry", "prod", "the access entry of arn:aws:iam::123456789012:role/nodes in cluster prod (username, groups, type) was not read", entryRules...),
				denied("eks:DescribeAccessEntry", "prod", "the access entry of arn:aws:iam::123456789012:role/team/admin in cluster prod (username, groups, type) was not read", entryRules...),
				denied("eks:DescribeAccessEntry", "prod", "the access entry of arn:aws:iam::123456789012:user/alice in cluster prod (username, groups, type) was not read", entryRules...),
			},
			wantClusters: []string{"dev", "prod"},
		},
		{
			name: "ListClusters denied: the clusters named are read anyway",
			opts: Options{Clusters: []string{"prod"}},
			fail: []string{"ListClusters", "AccessDeniedException"}, status: 403, times: -1,
			wantDrop: []string{"eks:DescribeCluster arn:aws:eks:us-east-1:123456789012:cluster/dev"},
			wantDiags: []Diagnostic{denied("eks:ListClusters", "",
				"the region's EKS clusters were not listed; the clusters named are read without it",
				"RC105", "RC106", "RC107", "RC203", "RC305", "RC306", "RC409", "RC420", "RC421", "RC422", "RC423",
				"RC501", "RC502", "RC503", "RC504", "RC505")},
			wantClusters: []string{"prod"},
		},
		{
			name:     "a cluster named that does not exist is a warning",
			opts:     Options{Clusters: []string{"prod", "ghost"}},
			wantDrop: []string{"eks:DescribeCluster arn:aws:eks:us-east-1:123456789012:cluster/dev"},
			wantDiags: []Diagnostic{{Severity: "warning", API: "eks:ListClusters", Cluster: "ghost",
				Message: "cluster ghost was named but does not exist in region us-east-1"}},
			wantClusters: []string{"prod"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.env) > 0 {
				awsEnv(t, moto.URL, fake.URL, tt.env...)
			}
			before := map[string]int{}
			for op := range tt.wantFakeOps {
				before[op] = fake.Calls(op)
			}
			if len(tt.fail) == 2 {
				fake.Fail(tt.fail[0], tt.status, tt.fail[1], tt.times)
				t.Cleanup(func() { fake.Fail(tt.fail[0], 0, "", 0) })
			}
			snap, clusters, calls := runAWS(t, tt.opts)
			if diff := cmp.Diff(tt.wantDiags, snap.Diagnostics); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			want := append(without(baseRefs, tt.wantDrop...), tt.wantAdd...)
			sort.Strings(want)
			got := refs(snap.Records, issuerID)
			sort.Strings(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			names := []string{}
			for _, c := range clusters {
				names = append(names, c.Name)
			}
			if diff := cmp.Diff(tt.wantClusters, names); diff != "" {
				t.Errorf("clusters (-want +got):\n%s", diff)
			}
			for op, n := range tt.wantFakeOps {
				if got := fake.Calls(op) - before[op]; got != n {
					t.Errorf("fake received %d %s requests, want %d", got, op, n)
				}
				// OnCall reports operations, not attempts: retries are not calls.
				if calls["eks:"+op] != baseCalls["eks:"+op] {
					t.Errorf("OnCall reported %d eks:%s calls, want %d as without failures", calls["eks:"+op], op, baseCalls["eks:"+op])
				}
			}
		})
	}

	t.Run("EKS at moto, which lacks access entries and Pod Identity: warnings, the rest read", func(t *testing.T) {
		cfg := livetest.AWSConfig(moto.URL)
		snap, clusters, _ := runAWS(t, Options{AWSConfig: &cfg})
		var want []Diagnostic
		for _, c := range []string{"dev", "prod"} {
			want = append(want,
				Diagnostic{Severity: "warning", API: "eks:ListAccessEntries", Cluster: c,
					Message:      "eks:ListAccessEntries is not available at this endpoint (HTTP 404, not an AWS error response); the access entries of cluster " + c + " were not read",
					NotEvaluated: []string{"RC409", "RC420", "RC422", "RC501", "RC502", "RC503", "RC504", "RC505"}},
				Diagnostic{Severity: "warning", API: "eks:ListPodIdentityAssociations", Cluster: c,
					Message:      "eks:ListPodIdentityAssociations is not available at this endpoint (HTTP 404, not an AWS error response); the Pod Identity associations of cluster " + c + " were not read",
					NotEvaluated: []string{"RC105", "RC203", "RC306", "RC501", "RC505"}})
		}
		if diff := cmp.Diff(want, snap.Diagnostics); diff != "" {
			t.Errorf("diagnostics (-want +got):\n%s", diff)
		}
		wantRefs := without(baseRefs, "eks:DescribeAccessEntry ", "eks:ListAssociatedAccessPolicies ", "eks:DescribePodIdentityAssociation ")
		if diff := cmp.Diff(wantRefs, refs(snap.Records, issuerID)); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
		if len(clusters) != 2 {
			t.Errorf("clusters = %+v, want dev and prod", clusters)
		}
	})

	t.Run("a profile whose services section sets each endpoint", func(t *testing.T) {
		dir := t.TempDir()
		conf := filepath.Join(dir, "config")
		creds := filepath.Join(dir, "credentials")
		writeFile(t, conf, "[profile audit]\nregion = us-east-1\nservices = loopback\n\n[services loopback]\n"+
			"iam =\n  endpoint_url = "+moto.URL+"\nsts =\n  endpoint_url = "+moto.URL+"\neks =\n  endpoint_url = "+fake.URL+"\n")
		writeFile(t, creds, "[audit]\naws_access_key_id = "+livetest.AccessKeyID+"\naws_secret_access_key = "+livetest.SecretAccessKey+"\n")
		awsEnv(t, "", "", "AWS_CONFIG_FILE", conf, "AWS_SHARED_CREDENTIALS_FILE", creds,
			"AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "", "AWS_REGION", "")
		snap, _, _ := runAWS(t, Options{Profile: "audit"})
		if diff := cmp.Diff([]Diagnostic{}, snap.Diagnostics); diff != "" {
			t.Errorf("diagnostics (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(baseRefs, refs(snap.Records, issuerID)); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
		if snap.Account != livetest.Account || snap.Region != "us-east-1" {
			t.Errorf("account %q region %q, want %s us-east-1", snap.Account, snap.Region, livetest.Account)
		}
	})

	t.Run("an unreachable EKS endpoint is a warning; IAM is still read", func(t *testing.T) {
		awsEnv(t, moto.URL, closedPortURL(t), "AWS_MAX_ATTEMPTS", "1")
		snap, clusters, _ := runAWS(t, Options{})
		if len(snap.Diagnostics) != 1 {
			t.Fatalf("diagnostics = %+v, want one", snap.Diagnostics)
		}
		d := snap.Diagnostics[0]
		if d.API != "eks:ListClusters" || d.Severity != "warning" || d.Permission != "" ||
			!strings.HasPrefix(d.Message, "eks:ListClusters: the endpoint could not be reached in region us-east-1 (") ||
			!strings.Contains(d.Message, "connection refused") ||
			!strings.HasSuffix(d.Message, "); the region's EKS clusters were not listed") {
			t.Errorf("diagnostic = %+v", d)
		}
		if diff := cmp.Diff(without(baseRefs, "eks:"), refs(snap.Records, issuerID)); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
		if len(clusters) != 0 {
			t.Errorf("clusters = %+v, want none", clusters)
		}
	})

	t.Run("no region: an error and no call", func(t *testing.T) {
		awsEnv(t, moto.URL, fake.URL, "AWS_REGION", "")
		snap, clusters, calls := runAWS(t, Options{})
		want := []Diagnostic{{Severity: "error",
			Message: "AWS configuration: no AWS region: pass --region or set AWS_REGION (or region in the profile); nothing was read from AWS"}}
		if diff := cmp.Diff(want, snap.Diagnostics); diff != "" {
			t.Errorf("diagnostics (-want +got):\n%s", diff)
		}
		if len(snap.Records) != 0 || len(calls) != 0 || clusters != nil {
			t.Errorf("records %d, calls %v, clusters %v: want none", len(snap.Records), calls, clusters)
		}
	})

	t.Run("--region overrides the environment's", func(t *testing.T) {
		awsEnv(t, moto.URL, fake.URL, "AWS_REGION", "")
		snap, _, _ := runAWS(t, Options{Region: "us-east-1"})
		if diff := cmp.Diff(baseRefs, refs(snap.Records, issuerID)); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
	})

	t.Run("no credentials: one error, no call", func(t *testing.T) {
		awsEnv(t, moto.URL, fake.URL, "AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "")
		snap, clusters, calls := runAWS(t, Options{})
		if len(snap.Diagnostics) != 1 {
			t.Fatalf("diagnostics = %+v, want one", snap.Diagnostics)
		}
		d := snap.Diagnostics[0]
		if d.Severity != "error" || d.API != "" ||
			!strings.HasPrefix(d.Message, "no usable AWS credentials (") || !strings.HasSuffix(d.Message, "); nothing was read from AWS") {
			t.Errorf("diagnostic = %+v", d)
		}
		if len(snap.Records) != 0 || len(calls) != 0 || clusters != nil {
			t.Errorf("records %d, calls %v, clusters %v: want none", len(snap.Records), calls, clusters)
		}
	})
}

var entryRules = []string{"RC409", "RC420", "RC422", "RC501", "RC502", "RC503", "RC504", "RC505"}

var clusterRules = []string{"RC106", "RC107", "RC305", "RC421", "RC422", "RC423", "RC501", "RC502", "RC504", "RC505"}

func denied(api, cluster, notRead string, rules ...string) Diagnostic {
	return Diagnostic{Severity: "warning", API: api, Cluster: cluster, Permission: api,
		Message:      "access denied: " + api + " is missing from the caller's policy; " + notRead,
		NotEvaluated: rules}
}

func throttled(sa string) Diagnostic {
	return Diagnostic{Severity: "warning", API: "eks:DescribePodIdentityAssociation", Cluster: "prod",
		Message: "eks:DescribePodIdentityAssociation was still throttled after the retries (ThrottlingException: Rate exceeded); " +
			"the role of the Pod Identity association for " + sa + " in cluster prod was not read",
		NotEvaluated: []string{"RC105", "RC203", "RC306", "RC501", "RC505"}}
}

func fmtHeader(s *Snapshot) string {
	return "account=" + s.Account + " caller=" + s.Caller + " partition=" + s.Partition + " region=" + s.Region
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// closedPortURL is a loopback URL nothing listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	return url
}

// checkLoaders feeds every record's Output to the loader that reads its shape, as a snapshot
// file would be read, and checks what reaches the inventory.
func checkLoaders(t *testing.T, recs []Record, issuerID string) {
	t.Helper()
	inv := &inventory.Inventory{}
	for _, r := range recs {
		docs, err := docnode.Parse("snapshot.json", r.Output)
		if err != nil || len(docs) != 1 {
			t.Fatalf("%s %s: parse: %v (%d documents)", r.API, r.Ref, err, len(docs))
		}
		load := iamjson.Load
		if strings.HasPrefix(r.API, "eks:") {
			load = eksjson.Load
		}
		ok, diags := load(docs[0], inv)
		if !ok || len(diags) != 0 {
			t.Errorf("%s %s: recognized %v, diagnostics %v", r.API, r.Ref, ok, diags)
		}
	}
	mask := func(s string) string { return strings.ReplaceAll(s, issuerID, "ISSUER") }
	var got []string
	for _, r := range inv.Roles {
		line := "role " + r.ARN + " path=" + r.Path + " account=" + r.Account
		if r.Trust != nil {
			for _, s := range r.Trust.Statements {
				line += " | " + s.Effect
				for _, c := range s.Conditions {
					line += " " + c.Operator + " " + mask(c.Key) + "=" + values(c.Values)
				}
			}
		}
		for _, p := range r.InlinePolicies {
			line += " inline=" + p.Name + "(" + policyActions(p.Document) + ")"
		}
		for _, a := range r.AttachedPolicies {
			line += " attached=" + a
		}
		got = append(got, line)
	}
	for _, u := range inv.Users {
		line := "user " + u.ARN + " groups=" + strings.Join(u.Groups, ",")
		for _, p := range u.InlinePolicies {
			line += " inline=" + p.Name + "(" + policyActions(p.Document) + ")"
		}
		got = append(got, line)
	}
	for _, g := range inv.Groups {
		line := "group " + g.ARN
		for _, p := range g.InlinePolicies {
			line += " inline=" + p.Name + "(" + policyActions(p.Document) + ")"
		}
		got = append(got, line)
	}
	for _, m := range inv.ManagedPolicies {
		got = append(got, "managed "+m.ARN+" default=("+policyActions(m.Default)+")")
	}
	for _, p := range inv.OIDCProviders {
		got = append(got, mask("provider "+p.ARN+" url="+p.URL+" clients="+strings.Join(p.ClientIDs, ",")))
	}
	for _, c := range inv.Clusters {
		got = append(got, mask("cluster "+c.Name+" "+c.ARN+" issuer="+c.Issuer+" mode="+c.AuthenticationMode))
	}
	for _, e := range inv.AccessEntries {
		line := "access-entry " + e.Cluster + " " + e.PrincipalARN + " type=" + e.Type + " user=" + e.Username + " groups=" + strings.Join(e.KubernetesGroups, ",")
		for _, p := range e.Policies {
			line += " policy=" + p.PolicyARN + "@" + p.ScopeType + strings.Join(p.Namespaces, ",")
		}
		got = append(got, line)
	}
	for _, p := range inv.PodIdentity {
		got = append(got, "pod-identity "+p.Cluster+" "+p.Namespace+"/"+p.ServiceAccount+" role="+p.RoleARN+" target="+p.TargetRoleARN+
			" noTags="+map[bool]string{true: "true", false: "false"}[p.DisableSessionTags]+" "+p.AssociationARN)
	}
	sort.Strings(got)
	want := []string{
		"access-entry prod arn:aws:iam::123456789012:role/nodes type= user= groups=",
		"access-entry prod arn:aws:iam::123456789012:role/nodes type=EC2_LINUX user=system:node:{{EC2PrivateDNSName}} groups=",
		"access-entry prod arn:aws:iam::123456789012:role/team/admin type= user= groups= " +
			"policy=arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy@cluster " +
			"policy=arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy@namespaceshop,dev-*",
		"access-entry prod arn:aws:iam::123456789012:role/team/admin type=STANDARD user=arn:aws:sts::123456789012:assumed-role/admin/{{SessionName}} groups=ops",
		"access-entry prod arn:aws:iam::123456789012:user/alice type= user= groups=",
		"access-entry prod arn:aws:iam::123456789012:user/alice type=STANDARD user=alice groups=",
		"cluster dev arn:aws:eks:us-east-1:123456789012:cluster/dev issuer=https://oidc.eks.us-east-1.amazonaws.com/id/ISSUER mode=",
		"cluster prod arn:aws:eks:us-east-1:123456789012:cluster/prod issuer=https://oidc.eks.us-east-1.amazonaws.com/id/ISSUER mode=",
		"group arn:aws:iam::123456789012:group/devs inline=assume-admin(sts:AssumeRole)",
		"managed arn:aws:iam::123456789012:policy/eks-read default=(eks:Describe*)",
		"pod-identity prod shop/billing role=arn:aws:iam::123456789012:role/pods target=arn:aws:iam::444455556666:role/billing noTags=true " +
			"arn:aws:eks:us-east-1:123456789012:podidentityassociation/prod/a-2dee8251a28671158",
		"pod-identity prod shop/cart role=arn:aws:iam::123456789012:role/pods target= noTags=false " +
			"arn:aws:eks:us-east-1:123456789012:podidentityassociation/prod/a-c0f3905186734eaa0",
		"provider arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ISSUER url= clients=",
		"provider arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ISSUER url=oidc.eks.us-east-1.amazonaws.com/id/ISSUER clients=sts.amazonaws.com",
		"role arn:aws:iam::123456789012:role/app path=/ account=123456789012 | Allow StringEquals oidc.eks.us-east-1.amazonaws.com/id/ISSUER:sub=system:serviceaccount:shop:app " +
			"StringEquals oidc.eks.us-east-1.amazonaws.com/id/ISSUER:aud=sts.amazonaws.com attached=arn:aws:iam::123456789012:policy/eks-read",
		"role arn:aws:iam::123456789012:role/pods path=/ account=123456789012 | Allow inline=s3-read(s3:GetObject)",
		"role arn:aws:iam::123456789012:role/team/admin path=/team/ account=123456789012 | Allow",
		"user arn:aws:iam::123456789012:user/alice groups=devs inline=self(iam:GetUser)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inventory from the records (-want +got):\n%s", diff)
	}
}

func values(vs []iampolicy.Value) string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Text)
	}
	return strings.Join(out, ",")
}

func policyActions(p *iampolicy.Policy) string {
	if p == nil {
		return "nil"
	}
	var out []string
	for _, s := range p.Statements {
		for _, a := range s.Actions {
			out = append(out, a.Text)
		}
	}
	return strings.Join(out, ",")
}

// cannedAWS serves IAM and STS (query protocol, XML) and EKS (REST-JSON) from testdata/aws:
// a two-page GetAccountAuthorizationDetails with URL-encoded documents in partition
// aws-us-gov, and one CONFIG_MAP cluster.
type cannedAWS struct {
	t *testing.T
	// failPage2 answers the second page with InvalidInput; blockClusters holds ListClusters
	// until the client gives up; rejectCredentials answers STS with InvalidClientTokenId.
	failPage2, blockClusters, rejectCredentials bool
}

func (c cannedAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	file := func(name, ctype string) {
		b, err := os.ReadFile(filepath.Join("testdata", "aws", name))
		if err != nil {
			c.t.Error(err)
			w.WriteHeader(500)
			return
		}
		w.Header().Set("Content-Type", ctype)
		_, _ = w.Write(b)
	}
	if r.Method == http.MethodPost && r.URL.Path == "/" {
		if err := r.ParseForm(); err != nil {
			c.t.Error(err)
		}
		switch action := r.PostForm.Get("Action"); {
		case action == "GetCallerIdentity" && c.rejectCredentials:
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
				`<Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error>` +
				`<RequestId>5</RequestId></ErrorResponse>`))
		case action == "GetCallerIdentity":
			file("sts-get-caller-identity.xml", "text/xml")
		case action == "GetAccountAuthorizationDetails" && r.PostForm.Get("Marker") == "":
			file("iam-gaad-page1.xml", "text/xml")
		case action == "GetAccountAuthorizationDetails" && r.PostForm.Get("Marker") == "page-2" && c.failPage2:
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>` +
				`<Code>InvalidInput</Code><Message>The marker is stale.</Message></Error><RequestId>4</RequestId></ErrorResponse>`))
		case action == "GetAccountAuthorizationDetails" && r.PostForm.Get("Marker") == "page-2":
			file("iam-gaad-page2.xml", "text/xml")
		case action == "ListOpenIDConnectProviders":
			file("iam-list-oidc-providers.xml", "text/xml")
		default:
			c.t.Errorf("unexpected query request %v", r.PostForm)
			w.WriteHeader(400)
		}
		return
	}
	switch r.URL.Path {
	case "/clusters":
		if c.blockClusters {
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"clusters":["legacy"]}`))
	case "/clusters/legacy":
		file("eks-describe-cluster-legacy.json", "application/json")
	case "/clusters/legacy/pod-identity-associations":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"associations":[]}`))
	default:
		c.t.Errorf("unexpected request %s %s", r.Method, r.URL)
		w.WriteHeader(404)
	}
}

// The GetAccountAuthorizationDetails record the canned pages make: pages merged, documents
// URL-decoded (a literal + kept, %2B a +), the one that is not JSON kept as its string.
const cannedGAAD = `{
  "UserDetailList": [{
    "Path": "/", "UserName": "bob", "UserId": "AIDAEXAMPLEBOB", "Arn": "arn:aws-us-gov:iam::111122223333:user/bob",
    "CreateDate": "2023-02-03T04:05:06Z", "UserPolicyList": [], "GroupList": ["readers"], "AttachedManagedPolicies": []
  }],
  "GroupDetailList": [{
    "Path": "/", "GroupName": "readers", "GroupId": "AGPAEXAMPLEREADERS", "Arn": "arn:aws-us-gov:iam::111122223333:group/readers",
    "CreateDate": "2023-02-03T04:05:06Z", "GroupPolicyList": [],
    "AttachedManagedPolicies": [{"PolicyName": "eks-describe", "PolicyArn": "arn:aws-us-gov:iam::111122223333:policy/eks-describe"}]
  }],
  "RoleDetailList": [{
    "Path": "/", "RoleName": "partner", "RoleId": "AROAEXAMPLEPARTNER", "Arn": "arn:aws-us-gov:iam::111122223333:role/partner",
    "CreateDate": "2023-01-02T03:04:05Z",
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"AWS": "arn:aws-us-gov:iam::444455556666:root"}, "Action": "sts:AssumeRole",
      "Condition": {"StringEquals": {"sts:ExternalId": "a+b c%/é"}}}]},
    "InstanceProfileList": [],
    "RolePolicyList": [
      {"PolicyName": "logs", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws-us-gov:s3:::logs/a+b/*"}]}},
      {"PolicyName": "broken", "PolicyDocument": "not%20a%20policy"}
    ],
    "AttachedManagedPolicies": [{"PolicyName": "eks-describe", "PolicyArn": "arn:aws-us-gov:iam::111122223333:policy/eks-describe"}],
    "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws-us-gov:iam::111122223333:policy/boundary"},
    "Tags": [{"Key": "owner", "Value": "partners"}],
    "RoleLastUsed": {"LastUsedDate": "2024-06-07T08:09:10Z", "Region": "us-gov-west-1"}
  }],
  "Policies": [{
    "PolicyName": "eks-describe", "PolicyId": "ANPAEXAMPLEEKS", "Arn": "arn:aws-us-gov:iam::111122223333:policy/eks-describe",
    "Path": "/", "DefaultVersionId": "v2", "AttachmentCount": 2, "PermissionsBoundaryUsageCount": 0, "IsAttachable": true,
    "CreateDate": "2023-01-01T00:00:00Z", "UpdateDate": "2023-03-01T00:00:00Z",
    "PolicyVersionList": [{"Document": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "eks:DescribeCluster", "Resource": "*"}},
      "VersionId": "v2", "IsDefaultVersion": true, "CreateDate": "2023-03-01T00:00:00Z"}]
  }],
  "IsTruncated": false
}`

func TestCollectAWSCannedPages(t *testing.T) {
	srv := httptest.NewServer(cannedAWS{t: t})
	defer srv.Close()
	cfg := livetest.AWSConfig(srv.URL)
	snap, clusters, calls := runAWS(t, Options{AWSConfig: &cfg, Region: "us-gov-west-1"})

	if diff := cmp.Diff([]Diagnostic{}, snap.Diagnostics); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if got, want := fmtHeader(snap), "account=111122223333 caller=arn:aws-us-gov:sts::111122223333:assumed-role/Auditor/session partition=aws-us-gov region=us-gov-west-1"; got != want {
		t.Errorf("header = %q, want %q", got, want)
	}
	var got []recordSum
	for _, r := range snap.Records {
		got = append(got, recordSum{r.API, r.Ref, r.Cluster, normalize(t, r.Output, "", false)})
	}
	want := []recordSum{
		{"iam:GetAccountAuthorizationDetails", "arn:aws-us-gov:iam::111122223333:root", "", normalize(t, []byte(cannedGAAD), "", false)},
		{"iam:ListOpenIDConnectProviders", "arn:aws-us-gov:iam::111122223333:root", "", normalize(t, []byte(`{"OpenIDConnectProviderList": []}`), "", false)},
		{"eks:DescribeCluster", "arn:aws-us-gov:eks:us-gov-west-1:111122223333:cluster/legacy", "legacy", normalize(t, []byte(`{"cluster": {
			"name": "legacy", "arn": "arn:aws-us-gov:eks:us-gov-west-1:111122223333:cluster/legacy", "createdAt": "2023-01-01T00:00:00Z",
			"version": "1.29", "endpoint": "https://ABCDEF0123456789.gr7.us-gov-west-1.eks.amazonaws.com",
			"roleArn": "arn:aws-us-gov:iam::111122223333:role/eks-cluster",
			"identity": {"oidc": {"issuer": "https://oidc.eks.us-gov-west-1.amazonaws.com/id/ABCDEF0123456789"}},
			"status": "ACTIVE", "platformVersion": "eks.12", "tags": {"env": "legacy"},
			"accessConfig": {"authenticationMode": "CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": false}}}`), "", false)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	// Two pages are two calls; a CONFIG_MAP cluster has no access entries to list.
	wantCalls := map[string]int{"sts:GetCallerIdentity": 1, "iam:GetAccountAuthorizationDetails": 2, "iam:ListOpenIDConnectProviders": 1,
		"eks:ListClusters": 1, "eks:DescribeCluster": 1, "eks:ListPodIdentityAssociations": 1}
	if diff := cmp.Diff(wantCalls, calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	wantClusters := []ClusterInfo{{Name: "legacy", ARN: "arn:aws-us-gov:eks:us-gov-west-1:111122223333:cluster/legacy",
		Endpoint: "https://ABCDEF0123456789.gr7.us-gov-west-1.eks.amazonaws.com"}}
	if diff := cmp.Diff(wantClusters, clusters); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}

	// The loader reads the merged, decoded record: the condition value survives decoding, the
	// document that is not JSON is reported.
	docs, err := docnode.Parse("snapshot.json", snap.Records[0].Output)
	if err != nil {
		t.Fatal(err)
	}
	inv := &inventory.Inventory{}
	_, diags := iamjson.Load(docs[0], inv)
	if len(inv.Roles) != 1 || len(inv.Roles[0].Trust.Statements) != 1 || inv.Roles[0].Trust.Encoded ||
		values(inv.Roles[0].Trust.Statements[0].Conditions[0].Values) != "a+b c%/é" {
		t.Errorf("role not read as decoded: %+v", inv.Roles)
	}
	if len(inv.Users) != 1 || strings.Join(inv.Users[0].Groups, ",") != "readers" || len(inv.Groups) != 1 || len(inv.ManagedPolicies) != 1 {
		t.Errorf("users %+v groups %+v policies %+v", inv.Users, inv.Groups, inv.ManagedPolicies)
	}
	if len(diags) != 0 {
		t.Errorf("loader diagnostics: %+v", diags)
	}
	if in := inv.Roles[0].InlinePolicies; len(in) != 2 || in[1].Name != "broken" || len(in[1].Document.Issues) == 0 {
		t.Errorf("want inline policy broken with an issue (not JSON), got %+v", in)
	}
}

func TestCollectAWSPageFailureKeepsWhatWasRead(t *testing.T) {
	srv := httptest.NewServer(cannedAWS{t: t, failPage2: true})
	defer srv.Close()
	cfg := livetest.AWSConfig(srv.URL)
	snap, _, _ := runAWS(t, Options{AWSConfig: &cfg, Region: "us-gov-west-1"})
	want := []Diagnostic{{Severity: "warning", API: "iam:GetAccountAuthorizationDetails",
		Message: "iam:GetAccountAuthorizationDetails failed (InvalidInput: The marker is stale.); " +
			"the account's roles, users, groups and managed policies after page 1 were not read (the snapshot marks the list truncated)",
		NotEvaluated: awsAPIRules["iam:GetAccountAuthorizationDetails"]}}
	if diff := cmp.Diff(want, snap.Diagnostics); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	var d struct {
		RoleDetailList, UserDetailList, GroupDetailList, Policies []json.RawMessage
		IsTruncated                                               bool
	}
	if err := json.Unmarshal(snap.Records[0].Output, &d); err != nil || snap.Records[0].API != "iam:GetAccountAuthorizationDetails" {
		t.Fatalf("first record %s: %v", snap.Records[0].API, err)
	}
	if !d.IsTruncated || len(d.RoleDetailList) != 1 || len(d.UserDetailList) != 1 || len(d.GroupDetailList) != 0 || len(d.Policies) != 0 {
		t.Errorf("want page 1 only, marked truncated; got %s", snap.Records[0].Output)
	}
	if snap.Counts["iam:GetAccountAuthorizationDetails"] != 2 {
		t.Errorf("counts = %v, want the 2 items of page 1", snap.Counts)
	}
}

func TestCollectAWSRejectedCredentials(t *testing.T) {
	srv := httptest.NewServer(cannedAWS{t: t, rejectCredentials: true})
	defer srv.Close()
	cfg := livetest.AWSConfig(srv.URL)
	snap, clusters, calls := runAWS(t, Options{AWSConfig: &cfg})
	want := []Diagnostic{{Severity: "error", API: "sts:GetCallerIdentity",
		Message: "AWS rejected the credentials (InvalidClientTokenId: The security token included in the request is invalid.); nothing was read from AWS"}}
	if diff := cmp.Diff(want, snap.Diagnostics); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"sts:GetCallerIdentity": 1}, calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if len(snap.Records) != 0 || clusters != nil {
		t.Errorf("records %d, clusters %v: want none", len(snap.Records), clusters)
	}
}

func TestCollectStopsAtTheDeadline(t *testing.T) {
	srv := httptest.NewServer(cannedAWS{t: t, blockClusters: true})
	defer srv.Close()
	cfg := livetest.AWSConfig(srv.URL)
	start := time.Now()
	snap, err := Collect(t.Context(), Options{AWSConfig: &cfg, Region: "us-gov-west-1", NoKubernetes: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("Collect: %v (IAM was read, so the snapshot is not empty)", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Collect took %s with a 1s timeout", d)
	}
	want := []Diagnostic{{Severity: "error", Message: "collection stopped: context deadline exceeded"}}
	if diff := cmp.Diff(want, snap.Diagnostics); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if got := refs(snap.Records, ""); !slices.Contains(got, "iam:GetAccountAuthorizationDetails arn:aws-us-gov:iam::111122223333:root") {
		t.Errorf("records = %v, want what was read before the deadline", got)
	}
}

func TestPolicyDocument(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"URL-encoded object", "%7B%22a%22%3A%22x%20y%22%7D", `{"a":"x y"}`},
		{"a literal + stays a + (PathUnescape, not QueryUnescape)", "%7B%22a%22%3A%22x+y%22%7D", `{"a":"x+y"}`},
		{"%2B is a +", "%7B%22a%22%3A%22x%2By%22%7D", `{"a":"x+y"}`},
		{"plain JSON is kept", `{"a": "b"}`, `{"a": "b"}`},
		{"plain JSON with a bare % (no valid escape) is kept", `{"a": "100%"}`, `{"a": "100%"}`},
		{"not JSON either way stays the string", "not%20json", `"not%20json"`},
		{"a JSON array is not a policy document", "%5B1%5D", `"%5B1%5D"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(policyDocument(&tt.in)); got != tt.want {
				t.Errorf("policyDocument(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
	if policyDocument(nil) != nil {
		t.Error("policyDocument(nil) should be nil (member omitted)")
	}
}

// Every rule id a diagnostic can name exists in the rule catalog.
func TestAWSAPIRulesExist(t *testing.T) {
	ids := map[string]bool{}
	re := regexp.MustCompile(`(?m)^#\s+id:\s+(RC\d+)\s*$`)
	err := fs.WalkDir(rules.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		b, err := fs.ReadFile(rules.FS, p)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			ids[m[1]] = true
		}
		return err
	})
	if err != nil || len(ids) < 10 {
		t.Fatalf("rule catalog: %v (%d ids)", err, len(ids))
	}
	for api, list := range awsAPIRules {
		for _, id := range list {
			if !ids[id] {
				t.Errorf("%s names %s, which is not a rule", api, id)
			}
		}
		if !slices.IsSorted(list) {
			t.Errorf("%s: rule ids not sorted: %v", api, list)
		}
	}
}
