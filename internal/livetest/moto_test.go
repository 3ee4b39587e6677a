package livetest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

const trustIRSA = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
	`"Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"},` +
	`"Action":"sts:AssumeRoleWithWebIdentity",` +
	`"Condition":{"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:apps:web+x"}}}]}`

const inlineS3 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",` +
	`"Resource":"arn:aws:s3:::bucket/a b+c/*"}]}`

// wantEncoded checks that doc is URL-encoded JSON (it starts with %7B, "{") and that
// url.PathUnescape turns it back into want.
func wantEncoded(t *testing.T, what, doc, want string) {
	t.Helper()
	if !strings.HasPrefix(doc, "%7B") {
		t.Errorf("%s = %q, want URL-encoded JSON", what, doc)
		return
	}
	dec, err := url.PathUnescape(doc)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	var got, exp any
	if err := json.Unmarshal([]byte(dec), &got); err != nil {
		t.Errorf("%s decodes to %q: %v", what, dec, err)
		return
	}
	_ = json.Unmarshal([]byte(want), &exp)
	if diff := cmp.Diff(exp, got); diff != "" {
		t.Errorf("%s decoded (-want +got):\n%s", what, diff)
	}
}

// The package's shared moto_server (it takes about 2 s to start); subtests use it in order.
func TestMoto(t *testing.T) {
	ctx := context.Background()
	m := SharedMoto(t)
	cfg := AWSConfig(m.URL)
	iamc := iam.NewFromConfig(cfg)
	eksc := eks.NewFromConfig(cfg)

	t.Run("CallerIdentity", func(t *testing.T) {
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(id.Account) != Account {
			t.Errorf("account = %s, want %s", aws.ToString(id.Account), Account)
		}
	})

	// F1.3: the Go SDK hands policy documents over as sent, URL-encoded on AWS; the collector must
	// decode them. moto 5.2.1 encodes most documents but not every one: in
	// GetAccountAuthorizationDetails the role's trust policy comes back as plain JSON (ListRoles
	// and GetPolicyVersion likewise), while GetRole's and every inline policy are encoded. So
	// decode only what is encoded.
	t.Run("PolicyDocumentEncoding", func(t *testing.T) {
		if _, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("web"), Path: aws.String("/apps/"),
			AssumeRolePolicyDocument: aws.String(trustIRSA)}); err != nil {
			t.Fatal(err)
		}
		if _, err := iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("web"), PolicyName: aws.String("s3"),
			PolicyDocument: aws.String(inlineS3)}); err != nil {
			t.Fatal(err)
		}
		out, err := iamc.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.RoleDetailList) != 1 || aws.ToString(out.RoleDetailList[0].Arn) != "arn:aws:iam::123456789012:role/apps/web" {
			t.Fatalf("roles = %+v", out.RoleDetailList)
		}
		r := out.RoleDetailList[0]
		if len(r.RolePolicyList) != 1 {
			t.Fatalf("inline policies = %+v", r.RolePolicyList)
		}
		wantEncoded(t, "GAAD inline policy", aws.ToString(r.RolePolicyList[0].PolicyDocument), inlineS3)
		if trust := aws.ToString(r.AssumeRolePolicyDocument); trust != trustIRSA {
			t.Errorf("GAAD trust policy = %q; moto 5.2.1 returns it unencoded (if this changed, update the comment above)", trust)
		}
		role, err := iamc.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("web")})
		if err != nil {
			t.Fatal(err)
		}
		wantEncoded(t, "GetRole trust policy", aws.ToString(role.Role.AssumeRolePolicyDocument), trustIRSA)
	})

	t.Run("Reset", func(t *testing.T) {
		m.Reset(t)
		out, err := iamc.ListRoles(ctx, &iam.ListRolesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Roles) != 0 {
			t.Errorf("%d roles after reset", len(out.Roles))
		}
	})

	// moto has no access entries: a 404 with an HTML body, the shape of "this API is not
	// available here" live mode must survive.
	t.Run("AccessEntriesMissingInMoto", func(t *testing.T) {
		_, err := eksc.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("prod")})
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusNotFound {
			t.Fatalf("ListAccessEntries on moto: %v, want an HTTP 404", err)
		}
		// Not an API error with a code: the SDK failed to decode the HTML body.
		var api smithy.APIError
		var de *smithy.DeserializationError
		if errors.As(err, &api) || !errors.As(err, &de) {
			t.Errorf("error %v: want a DeserializationError and no APIError", err)
		}
	})

	// Through the fake: EKS cluster operations reach moto; access entries come from the fake.
	t.Run("FakeProxiesToMoto", func(t *testing.T) {
		m.Reset(t)
		f := StartFakeEKS(t, m.URL)
		c := eks.NewFromConfig(AWSConfig(f.URL))
		created, err := c.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String("prod"),
			RoleArn:            aws.String("arn:aws:iam::123456789012:role/eks"),
			ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-1"}},
			AccessConfig:       &ekstypes.CreateAccessConfigRequest{AuthenticationMode: ekstypes.AuthenticationModeApiAndConfigMap}})
		if err != nil {
			t.Fatal(err)
		}
		// moto drops accessConfig; the fake puts it back, with EKS's bootstrap default.
		if ac := created.Cluster.AccessConfig; ac == nil || ac.AuthenticationMode != ekstypes.AuthenticationModeApiAndConfigMap ||
			!aws.ToBool(ac.BootstrapClusterCreatorAdminPermissions) {
			t.Errorf("CreateCluster accessConfig = %+v", ac)
		}
		f.PatchCluster("prod", map[string]any{"endpoint": "https://127.0.0.1:6443"})
		d, err := c.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.Cluster.Name) != "prod" || aws.ToString(d.Cluster.Arn) != "arn:aws:eks:us-east-1:123456789012:cluster/prod" ||
			!strings.HasPrefix(aws.ToString(d.Cluster.Identity.Oidc.Issuer), "https://oidc.eks.us-east-1.amazonaws.com/id/") {
			t.Errorf("cluster = %+v", *d.Cluster)
		}
		if aws.ToString(d.Cluster.Endpoint) != "https://127.0.0.1:6443" || d.Cluster.AccessConfig == nil ||
			d.Cluster.AccessConfig.AuthenticationMode != ekstypes.AuthenticationModeApiAndConfigMap {
			t.Errorf("patched DescribeCluster: endpoint %s, accessConfig %+v", aws.ToString(d.Cluster.Endpoint), d.Cluster.AccessConfig)
		}
		// Straight from moto, without the fake: no accessConfig (what tools.md documents).
		raw, err := eksc.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")})
		if err != nil {
			t.Fatal(err)
		}
		if raw.Cluster.AccessConfig != nil {
			t.Errorf("moto now returns accessConfig %+v: the fake's patch may be unneeded", raw.Cluster.AccessConfig)
		}
		l, err := c.ListClusters(ctx, &eks.ListClustersInput{})
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(l.Clusters, []string{"prod"}) {
			t.Errorf("clusters = %v", l.Clusters)
		}
		// A cluster only moto knows exists for the fake: no entries rather than not found.
		ae, err := c.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("prod")})
		if err != nil {
			t.Fatal(err)
		}
		if len(ae.AccessEntries) != 0 {
			t.Errorf("entries = %v", ae.AccessEntries)
		}
		_, err = c.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String("gone")})
		var nf *ekstypes.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("cluster neither knows: %v, want ResourceNotFoundException", err)
		}
		// Injected failures apply to proxied operations too.
		f.Fail("DescribeCluster", 403, "AccessDeniedException", 1)
		_, err = c.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")})
		wantCode(t, err, "AccessDeniedException")
		for op, want := range map[string]int{"CreateCluster": 1, "DescribeCluster": 2, "ListClusters": 1, "ListAccessEntries": 1} {
			if got := f.Calls(op); got != want {
				t.Errorf("Calls(%s) = %d, want %d", op, got, want)
			}
		}
	})
}

// SharedMoto hands every caller the same server, emptied.
func TestSharedMotoResets(t *testing.T) {
	ctx := context.Background()
	m := SharedMoto(t)
	c := iam.NewFromConfig(AWSConfig(m.URL))
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("left-over")}); err != nil {
		t.Fatal(err)
	}
	m2 := SharedMoto(t)
	if m2.URL != m.URL {
		t.Errorf("second SharedMoto at %s, first at %s", m2.URL, m.URL)
	}
	out, err := c.ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Users) != 0 {
		t.Errorf("users after SharedMoto: %d, want 0", len(out.Users))
	}
}

// StartMoto's server is gone when its test ends.
func TestStartMotoStopsAtCleanup(t *testing.T) {
	var url string
	t.Run("start", func(t *testing.T) {
		url = StartMoto(t).URL
		if _, err := http.Get(url + "/moto-api/"); err != nil {
			t.Fatal(err)
		}
	})
	if url == "" {
		t.Fatal("no moto started")
	}
	if resp, err := http.Get(url + "/moto-api/"); err == nil {
		resp.Body.Close()
		t.Errorf("moto_server still answers at %s after its test ended", url)
	}
}

func TestRequireTools(t *testing.T) {
	t.Setenv(EnvRequire, "1")
	if !RequireTools() {
		t.Error("RequireTools() = false with " + EnvRequire + "=1")
	}
	t.Setenv(EnvRequire, "")
	if RequireTools() {
		t.Error("RequireTools() = true without " + EnvRequire)
	}
}
