package livetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

const (
	roleAdmin   = "arn:aws:iam::123456789012:role/admin"
	rolePathed  = "arn:aws:iam::123456789012:role/team/a/deployer" // slashes must be URL-encoded in the path
	userAlice   = "arn:aws:iam::123456789012:user/alice"
	policyAdmin = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
	policyEdit  = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"
	policyView  = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
	roleApp     = "arn:aws:iam::123456789012:role/app"
	roleTarget  = "arn:aws:iam::210987654321:role/target"
)

// seed puts three access entries and three Pod Identity associations in cluster "prod".
func seed(f *FakeEKS) (appID, crossID string) {
	f.AddAccessEntry("prod", AccessEntry{PrincipalARN: roleAdmin, Policies: []AssociatedPolicy{{PolicyARN: policyAdmin}}})
	f.AddAccessEntry("prod", AccessEntry{
		PrincipalARN: rolePathed, Username: "deployer", KubernetesGroups: []string{"deployers", "viewers"},
		Tags: map[string]string{"team": "a"},
		Policies: []AssociatedPolicy{
			{PolicyARN: policyEdit, ScopeType: "namespace", Namespaces: []string{"dev-*", "staging"}},
			{PolicyARN: policyView},
		},
	})
	f.AddAccessEntry("prod", AccessEntry{PrincipalARN: userAlice, KubernetesGroups: []string{"viewers"}})
	appID = f.AddPodIdentityAssociation("prod", PodIdentityAssociation{Namespace: "apps", ServiceAccount: "web", RoleARN: roleApp})
	crossID = f.AddPodIdentityAssociation("prod", PodIdentityAssociation{Namespace: "apps", ServiceAccount: "sync",
		RoleARN: roleApp, TargetRoleARN: roleTarget, DisableSessionTags: true, Tags: map[string]string{"k": "v"}})
	f.AddPodIdentityAssociation("prod", PodIdentityAssociation{Namespace: "kube-system", ServiceAccount: "ebs-csi",
		RoleARN: "arn:aws:iam::123456789012:role/ebs", OwnerARN: "arn:aws:eks:us-east-1:123456789012:addon/prod/aws-ebs-csi-driver/x"})
	return appID, crossID
}

func eksClient(url string) *eks.Client { return eks.NewFromConfig(AWSConfig(url)) }

func TestFakeEKSPaginatorsSeeEveryItem(t *testing.T) {
	ctx := context.Background()
	f := StartFakeEKS(t, "")
	seed(f)
	f.SetPageSize(1)
	c := eksClient(f.URL)

	var entries []string
	for p := eks.NewListAccessEntriesPaginator(c, &eks.ListAccessEntriesInput{ClusterName: aws.String("prod")}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.AccessEntries) != 1 {
			t.Errorf("page of %d entries, want 1 (page size)", len(page.AccessEntries))
		}
		entries = append(entries, page.AccessEntries...)
	}
	if diff := cmp.Diff([]string{roleAdmin, rolePathed, userAlice}, entries); diff != "" {
		t.Errorf("ListAccessEntries (-want +got):\n%s", diff)
	}
	if got := f.Calls("ListAccessEntries"); got != 3 {
		t.Errorf("ListAccessEntries calls = %d, want 3 pages", got)
	}

	var pols []types.AssociatedAccessPolicy
	for p := eks.NewListAssociatedAccessPoliciesPaginator(c, &eks.ListAssociatedAccessPoliciesInput{
		ClusterName: aws.String("prod"), PrincipalArn: aws.String(rolePathed)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(page.PrincipalArn) != rolePathed || aws.ToString(page.ClusterName) != "prod" {
			t.Errorf("page names %q/%q", aws.ToString(page.ClusterName), aws.ToString(page.PrincipalArn))
		}
		pols = append(pols, page.AssociatedAccessPolicies...)
	}
	if len(pols) != 2 {
		t.Fatalf("%d associated policies, want 2", len(pols))
	}
	if got := aws.ToString(pols[0].PolicyArn); got != policyEdit {
		t.Errorf("policy 0 = %s", got)
	}
	if pols[0].AccessScope.Type != types.AccessScopeTypeNamespace ||
		!cmp.Equal(pols[0].AccessScope.Namespaces, []string{"dev-*", "staging"}) {
		t.Errorf("policy 0 scope = %+v", *pols[0].AccessScope)
	}
	if pols[1].AccessScope.Type != types.AccessScopeTypeCluster {
		t.Errorf("policy 1 scope = %+v", *pols[1].AccessScope)
	}
	if want := time.Unix(1714564800, 5e8); !aws.ToTime(pols[0].AssociatedAt).Equal(want) {
		t.Errorf("associatedAt = %v, want %v", aws.ToTime(pols[0].AssociatedAt), want)
	}

	var assocs []types.PodIdentityAssociationSummary
	for p := eks.NewListPodIdentityAssociationsPaginator(c, &eks.ListPodIdentityAssociationsInput{
		ClusterName: aws.String("prod")}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		assocs = append(assocs, page.Associations...)
	}
	var sas []string
	for _, a := range assocs {
		sas = append(sas, aws.ToString(a.Namespace)+"/"+aws.ToString(a.ServiceAccount))
	}
	if diff := cmp.Diff([]string{"apps/web", "apps/sync", "kube-system/ebs-csi"}, sas); diff != "" {
		t.Errorf("ListPodIdentityAssociations (-want +got):\n%s", diff)
	}
	if aws.ToString(assocs[2].OwnerArn) == "" || assocs[0].OwnerArn != nil {
		t.Errorf("ownerArn: add-on's %v, plain %v", assocs[2].OwnerArn, assocs[0].OwnerArn)
	}

	// maxResults below the page size wins; the namespace filter applies before paging.
	f.SetPageSize(0)
	out, err := c.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{
		ClusterName: aws.String("prod"), Namespace: aws.String("apps"), MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Associations) != 1 || out.NextToken == nil {
		t.Errorf("maxResults=1: %d associations, nextToken %v", len(out.Associations), out.NextToken)
	}
	out, err = c.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{
		ClusterName: aws.String("prod"), Namespace: aws.String("apps"), NextToken: out.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Associations) != 1 || aws.ToString(out.Associations[0].ServiceAccount) != "sync" || out.NextToken != nil {
		t.Errorf("second page: %+v, nextToken %v", out.Associations, out.NextToken)
	}

	filtered, err := c.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("prod"),
		AssociatedPolicyArn: aws.String(policyView)})
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(filtered.AccessEntries, []string{rolePathed}) {
		t.Errorf("associatedPolicyArn filter: %v", filtered.AccessEntries)
	}

	_, err = c.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("prod"), NextToken: aws.String("garbage")})
	wantCode(t, err, "InvalidParameterException")
}

func TestFakeEKSDescribe(t *testing.T) {
	ctx := context.Background()
	f := StartFakeEKS(t, "")
	_, crossID := seed(f)
	c := eksClient(f.URL)

	ae, err := c.DescribeAccessEntry(ctx, &eks.DescribeAccessEntryInput{ClusterName: aws.String("prod"), PrincipalArn: aws.String(rolePathed)})
	if err != nil {
		t.Fatal(err)
	}
	e := ae.AccessEntry
	if aws.ToString(e.PrincipalArn) != rolePathed || aws.ToString(e.Username) != "deployer" || aws.ToString(e.Type) != "STANDARD" ||
		!cmp.Equal(e.KubernetesGroups, []string{"deployers", "viewers"}) || e.Tags["team"] != "a" || aws.ToString(e.ClusterName) != "prod" {
		t.Errorf("DescribeAccessEntry = %+v", *e)
	}
	if got, want := aws.ToString(e.AccessEntryArn), "arn:aws:eks:us-east-1:123456789012:access-entry/prod/role/123456789012/deployer/"; len(got) != len(want)+36 || got[:len(want)] != want {
		t.Errorf("accessEntryArn = %s, want %sUUID", got, want)
	}
	if !aws.ToTime(e.CreatedAt).Equal(time.Unix(1714564800, 5e8)) || !aws.ToTime(e.ModifiedAt).After(aws.ToTime(e.CreatedAt)) {
		t.Errorf("createdAt %v modifiedAt %v", e.CreatedAt, e.ModifiedAt)
	}
	// EKS fills the default username: a role's assumed-role ARN without its path.
	ae, err = c.DescribeAccessEntry(ctx, &eks.DescribeAccessEntryInput{ClusterName: aws.String("prod"), PrincipalArn: aws.String(roleAdmin)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(ae.AccessEntry.Username); got != "arn:aws:sts::123456789012:assumed-role/admin/{{SessionName}}" {
		t.Errorf("default username = %s", got)
	}
	if ae.AccessEntry.KubernetesGroups == nil {
		t.Errorf("kubernetesGroups missing, want []")
	}

	pa, err := c.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{ClusterName: aws.String("prod"), AssociationId: aws.String(crossID)})
	if err != nil {
		t.Fatal(err)
	}
	a := pa.Association
	if aws.ToString(a.RoleArn) != roleApp || aws.ToString(a.TargetRoleArn) != roleTarget || !aws.ToBool(a.DisableSessionTags) ||
		aws.ToString(a.Namespace) != "apps" || aws.ToString(a.ServiceAccount) != "sync" || a.Tags["k"] != "v" {
		t.Errorf("DescribePodIdentityAssociation = %+v", *a)
	}
	if len(aws.ToString(a.ExternalId)) != 36 {
		t.Errorf("externalId = %q, want a UUID", aws.ToString(a.ExternalId))
	}
	if aws.ToString(a.AssociationId) != crossID || len(crossID) != 19 ||
		aws.ToString(a.AssociationArn) != "arn:aws:eks:us-east-1:123456789012:podidentityassociation/prod/"+crossID {
		t.Errorf("id %s arn %s", aws.ToString(a.AssociationId), aws.ToString(a.AssociationArn))
	}

	_, err = c.DescribeAccessEntry(ctx, &eks.DescribeAccessEntryInput{ClusterName: aws.String("prod"), PrincipalArn: aws.String("arn:aws:iam::123456789012:role/none")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("missing entry: %v, want ResourceNotFoundException", err)
	}
	_, err = c.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("nope")})
	if !errors.As(err, &nf) || aws.ToString(nf.ClusterName) != "nope" {
		t.Errorf("unknown cluster: %v, want ResourceNotFoundException naming it", err)
	}
}

func TestFakeEKSThrottlingIsRetried(t *testing.T) {
	f := StartFakeEKS(t, "")
	seed(f)
	f.Fail("ListAccessEntries", 429, "ThrottlingException", 1)
	out, err := eksClient(f.URL).ListAccessEntries(context.Background(), &eks.ListAccessEntriesInput{ClusterName: aws.String("prod")})
	if err != nil {
		t.Fatalf("after one throttle: %v", err)
	}
	if len(out.AccessEntries) != 3 {
		t.Errorf("%d entries, want 3", len(out.AccessEntries))
	}
	if got := f.Calls("ListAccessEntries"); got != 2 {
		t.Errorf("calls = %d, want 2 (throttled, then retried)", got)
	}
}

func TestFakeEKSAccessDenied(t *testing.T) {
	ctx := context.Background()
	f := StartFakeEKS(t, "")
	seed(f)
	f.Fail("ListPodIdentityAssociations", 403, "AccessDeniedException", -1)
	c := eksClient(f.URL)
	for range 2 { // times < 0: every call fails
		_, err := c.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String("prod")})
		wantCode(t, err, "AccessDeniedException")
		var ad *types.AccessDeniedException
		if !errors.As(err, &ad) || ad.ErrorMessage() != "User: arn:aws:iam::123456789012:user/rolecall-test is not authorized to perform: eks:ListPodIdentityAssociations on resource: arn:aws:eks:us-east-1:123456789012:cluster/prod" {
			t.Errorf("error = %v", err)
		}
	}
	if got := f.Calls("ListPodIdentityAssociations"); got != 2 {
		t.Errorf("calls = %d, want 2 (AccessDenied is not retried)", got)
	}
	// Other operations are unaffected; Fail(…, 0) clears.
	if _, err := c.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("prod")}); err != nil {
		t.Errorf("ListAccessEntries: %v", err)
	}
	f.Fail("ListPodIdentityAssociations", 0, "", 0)
	if _, err := c.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String("prod")}); err != nil {
		t.Errorf("after clearing: %v", err)
	}
}

func TestFakeEKSCreateThroughSDK(t *testing.T) {
	ctx := context.Background()
	f := StartFakeEKS(t, "")
	f.AddCluster("dev")
	c := eksClient(f.URL)
	if _, err := c.CreateAccessEntry(ctx, &eks.CreateAccessEntryInput{ClusterName: aws.String("dev"), PrincipalArn: aws.String(rolePathed),
		KubernetesGroups: []string{"ops"}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateAccessEntry(ctx, &eks.CreateAccessEntryInput{ClusterName: aws.String("dev"), PrincipalArn: aws.String(rolePathed)})
	var inUse *types.ResourceInUseException
	if !errors.As(err, &inUse) {
		t.Errorf("duplicate entry: %v, want ResourceInUseException", err)
	}
	if _, err := c.AssociateAccessPolicy(ctx, &eks.AssociateAccessPolicyInput{ClusterName: aws.String("dev"), PrincipalArn: aws.String(rolePathed),
		PolicyArn: aws.String(policyEdit), AccessScope: &types.AccessScope{Type: types.AccessScopeTypeNamespace, Namespaces: []string{"ops"}}}); err != nil {
		t.Fatal(err)
	}
	pia, err := c.CreatePodIdentityAssociation(ctx, &eks.CreatePodIdentityAssociationInput{ClusterName: aws.String("dev"),
		Namespace: aws.String("ops"), ServiceAccount: aws.String("runner"), RoleArn: aws.String(roleApp), TargetRoleArn: aws.String(roleTarget)})
	if err != nil {
		t.Fatal(err)
	}
	if pia.Association.ExternalId == nil {
		t.Errorf("no externalId with a target role")
	}
	// Read back what was created.
	pols, err := c.ListAssociatedAccessPolicies(ctx, &eks.ListAssociatedAccessPoliciesInput{ClusterName: aws.String("dev"), PrincipalArn: aws.String(rolePathed)})
	if err != nil {
		t.Fatal(err)
	}
	if len(pols.AssociatedAccessPolicies) != 1 || !cmp.Equal(pols.AssociatedAccessPolicies[0].AccessScope.Namespaces, []string{"ops"}) {
		t.Errorf("policies = %+v", pols.AssociatedAccessPolicies)
	}
	d, err := c.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{ClusterName: aws.String("dev"), AssociationId: pia.Association.AssociationId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Association.RoleArn) != roleApp || aws.ToString(d.Association.ExternalId) != aws.ToString(pia.Association.ExternalId) {
		t.Errorf("described %+v", *d.Association)
	}
}

func TestFakeEKSRequiresEKSSigning(t *testing.T) {
	f := StartFakeEKS(t, "")
	f.AddCluster("dev")
	cfg := AWSConfig(f.URL)
	cfg.Region = "eu-west-1"
	_, err := eks.NewFromConfig(cfg).ListAccessEntries(context.Background(), &eks.ListAccessEntriesInput{ClusterName: aws.String("dev")})
	wantCode(t, err, "InvalidSignatureException")
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Errorf("error = %v, want API error %s", err, code)
	}
}

// A misspelt operation would never fail; Fail says so at once.
func TestFakeEKSFailRejectsUnknownOp(t *testing.T) {
	f := StartFakeEKS(t, "")
	defer func() {
		if recover() == nil {
			t.Error("Fail(\"ListAccessEntry\") did not panic")
		}
	}()
	f.Fail("ListAccessEntry", 403, "AccessDeniedException", 1)
}
