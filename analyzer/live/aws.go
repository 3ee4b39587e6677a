package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
)

// The AWS calls live mode makes, named as the IAM actions they need.
const (
	apiGetCallerIdentity            = "sts:GetCallerIdentity"
	apiGetAccountAuthorization      = "iam:GetAccountAuthorizationDetails"
	apiListOIDCProviders            = "iam:ListOpenIDConnectProviders"
	apiGetOIDCProvider              = "iam:GetOpenIDConnectProvider"
	apiListClusters                 = "eks:ListClusters"
	apiDescribeCluster              = "eks:DescribeCluster"
	apiListAccessEntries            = "eks:ListAccessEntries"
	apiDescribeAccessEntry          = "eks:DescribeAccessEntry"
	apiListAssociatedAccessPolicies = "eks:ListAssociatedAccessPolicies"
	apiListPodIdentity              = "eks:ListPodIdentityAssociations"
	apiDescribePodIdentity          = "eks:DescribePodIdentityAssociation"
)

// Rule ids whose findings need what each API reads: the single source of a Diagnostic's
// NotEvaluated. Chosen from the rules' inputs: roles and their trust feed the RC0xx/RC1xx
// trust rules, the ServiceAccount and Pod Identity checks that evaluate trust, RC406 (is the
// role a node role) and the graph (RC5xx); OIDC providers the provider and audience checks;
// clusters their authentication mode and issuers; access entries and Pod Identity
// associations the RC4xx and RC2xx/RC3xx rules that read them, and the graph.
var (
	rulesIAM = []string{
		"RC001", "RC002", "RC003", "RC004", "RC005", "RC006", "RC007", "RC008", "RC009", "RC010", "RC011", "RC012",
		"RC101", "RC102", "RC103", "RC104", "RC105", "RC106", "RC107",
		"RC151", "RC152", "RC153", "RC154", "RC155", "RC156", "RC157", "RC158",
		"RC201", "RC202", "RC203", "RC301", "RC302", "RC305", "RC406",
		"RC501", "RC502", "RC503", "RC504", "RC505",
	}
	rulesOIDCList      = []string{"RC106", "RC301"}
	rulesOIDC          = []string{"RC301", "RC501", "RC504", "RC505"}
	rulesCluster       = []string{"RC106", "RC107", "RC305", "RC421", "RC422", "RC423", "RC501", "RC502", "RC504", "RC505"}
	rulesAccessEntries = []string{"RC409", "RC420", "RC422", "RC501", "RC502", "RC503", "RC504", "RC505"}
	rulesAccessPolicy  = []string{"RC420", "RC501", "RC502", "RC504", "RC505"}
	rulesPodIdentity   = []string{"RC105", "RC203", "RC306", "RC501", "RC505"}

	awsAPIRules = map[string][]string{
		apiGetCallerIdentity:            nil, // the account is also in every ARN read
		apiGetAccountAuthorization:      rulesIAM,
		apiListOIDCProviders:            rulesOIDCList,
		apiGetOIDCProvider:              rulesOIDC,
		apiListClusters:                 union(rulesCluster, rulesAccessEntries, rulesAccessPolicy, rulesPodIdentity),
		apiDescribeCluster:              rulesCluster,
		apiListAccessEntries:            union(rulesAccessEntries, rulesAccessPolicy),
		apiDescribeAccessEntry:          rulesAccessEntries,
		apiListAssociatedAccessPolicies: rulesAccessPolicy,
		apiListPodIdentity:              rulesPodIdentity,
		apiDescribePodIdentity:          rulesPodIdentity,
	}
)

func union(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// collectAWS reads IAM and EKS (see the package doc) and returns the clusters described.
//
// Counts: every API counts the items it returned — GetAccountAuthorizationDetails its roles,
// users, groups and managed policies (page by page, for progress); the list APIs the ARNs or
// names listed; Get/Describe one per object; GetCallerIdentity 1.
func collectAWS(ctx context.Context, opts Options, st *state) []ClusterInfo {
	cfg, err := awsConfig(ctx, opts)
	if err != nil {
		st.warn(Diagnostic{Severity: "error", Message: "AWS configuration: " + err.Error() + "; nothing was read from AWS"})
		return nil
	}
	// Every request goes through one middleware: bounded concurrency and OnCall, per operation
	// call (so every page counts, retries do not).
	cfg.APIOptions = append(slices.Clone(cfg.APIOptions), callMiddleware(st, opts.OnCall))
	c := &awsCollector{
		opts:   opts,
		st:     st,
		region: cfg.Region,
		iam:    iam.NewFromConfig(cfg),
		sts:    sts.NewFromConfig(cfg),
		eks:    eks.NewFromConfig(cfg),
	}
	// Credentials first, once (they are cached): without them every call would fail alike.
	if cfg.Credentials == nil {
		st.warn(Diagnostic{Severity: "error", Message: "no AWS credentials configured; nothing was read from AWS"})
		return nil
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // Collect reports the stop
		}
		st.warn(Diagnostic{Severity: "error", Message: "no usable AWS credentials (" + err.Error() + "); nothing was read from AWS"})
		return nil
	}
	if !c.callerIdentity(ctx) {
		return nil
	}
	var wg sync.WaitGroup
	var clusters []ClusterInfo
	wg.Go(func() { c.authorizationDetails(ctx) })
	wg.Go(func() { c.oidcProviders(ctx) })
	wg.Go(func() { clusters = c.clusters(ctx) })
	wg.Wait()
	return clusters
}

// awsConfig loads the default chain (env, profiles, SSO, IMDS, AWS_ENDPOINT_URL[_SERVICE])
// or takes opts.AWSConfig, with the SDK's adaptive retry mode for throttling either way. The
// mode, not a Retryer, is set so that max attempts (AWS_MAX_ATTEMPTS, max_attempts,
// RetryMaxAttempts) still apply.
func awsConfig(ctx context.Context, opts Options) (aws.Config, error) {
	var cfg aws.Config
	if opts.AWSConfig != nil {
		cfg = opts.AWSConfig.Copy()
		cfg.Retryer, cfg.RetryMode = nil, aws.RetryModeAdaptive
		if opts.Region != "" {
			cfg.Region = opts.Region
		}
	} else {
		lo := []func(*config.LoadOptions) error{config.WithRetryMode(aws.RetryModeAdaptive)}
		if opts.Profile != "" {
			lo = append(lo, config.WithSharedConfigProfile(opts.Profile))
		}
		if opts.Region != "" {
			lo = append(lo, config.WithRegion(opts.Region))
		}
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx, lo...); err != nil {
			return cfg, err
		}
	}
	if cfg.Region == "" {
		return cfg, errors.New("no AWS region: pass --region or set AWS_REGION (or region in the profile)")
	}
	return cfg, nil
}

// callMiddleware holds a call slot for the whole operation (retries included) and reports the
// call as "service:Operation", the IAM action it needs.
func callMiddleware(st *state, onCall func(string)) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("rolecallCall",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if err := st.acquire(ctx); err != nil {
					return middleware.InitializeOutput{}, middleware.Metadata{}, err
				}
				defer st.release()
				if onCall != nil {
					api := strings.ToLower(strings.ReplaceAll(middleware.GetServiceID(ctx), " ", "")) + ":" + middleware.GetOperationName(ctx)
					st.mu.Lock() // OnCall is never called twice at once
					onCall(api)
					st.mu.Unlock()
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	}
}

type awsCollector struct {
	opts   Options
	st     *state
	region string
	iam    *iam.Client
	sts    *sts.Client
	eks    *eks.Client

	mu   sync.Mutex
	root string // arn:PARTITION:iam::ACCOUNT:root once known
}

// addListing keeps a record that stands for n items of its API (a merged listing): Counts
// counts items, not records.
func (s *state) addListing(r Record, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap.Records = append(s.snap.Records, r)
	s.countLocked(r.API, r.Cluster, n)
}

// record marshals v as a record's Output and keeps it.
func (c *awsCollector) record(api, ref, cluster string, v any, items int) {
	out, err := json.Marshal(v)
	if err != nil { // only a bug can get here: every document embedded was validated
		c.st.warn(Diagnostic{API: api, Cluster: cluster, Message: fmt.Sprintf("%s answer for %s could not be encoded: %v", api, ref, err)})
		return
	}
	c.st.addListing(Record{API: api, Ref: ref, Cluster: cluster, Output: out}, items)
}

// accountRoot is arn:PARTITION:iam::ACCOUNT:root from GetCallerIdentity, else from the first of
// arns that names an account, else "".
func (c *awsCollector) accountRoot(arns ...string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.root != "" {
		return c.root
	}
	for _, s := range arns {
		if a, ok := iampolicy.ParseARN(s); ok && iampolicy.IsAccountID(a.Account) {
			return "arn:" + a.Partition + ":iam::" + a.Account + ":root"
		}
	}
	return ""
}

// callerIdentity reads the account; false means AWS rejects the credentials, so no call can
// succeed (reported).
func (c *awsCollector) callerIdentity(ctx context.Context) bool {
	out, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if f, detail := classify(err); f == failCredentials {
			c.st.setAccount("", "", "", c.region)
			c.st.warn(Diagnostic{Severity: "error", API: apiGetCallerIdentity,
				Message: "AWS rejected the credentials (" + detail + "); nothing was read from AWS"})
			return false
		}
		c.st.setAccount("", "", "", c.region)
		c.fail(ctx, apiGetCallerIdentity, "", "the caller's account was not read (it is taken from the ARNs read instead)", err)
		return true
	}
	account, caller := aws.ToString(out.Account), aws.ToString(out.Arn)
	partition := ""
	if a, ok := iampolicy.ParseARN(caller); ok {
		partition = a.Partition
	}
	c.st.setAccount(account, caller, partition, c.region)
	c.st.count(apiGetCallerIdentity, "", 1)
	if partition != "" && account != "" {
		c.mu.Lock()
		c.root = "arn:" + partition + ":iam::" + account + ":root"
		c.mu.Unlock()
	}
	return true
}

// authorizationDetails reads every page of GetAccountAuthorizationDetails into one record in
// the AWS CLI's shape, policy documents decoded.
func (c *awsCollector) authorizationDetails(ctx context.Context) {
	const what = "the account's roles, users, groups and managed policies"
	d := cliAuthorizationDetails{
		UserDetailList: []cliUserDetail{}, GroupDetailList: []cliGroupDetail{},
		RoleDetailList: []cliRoleDetail{}, Policies: []cliManagedPolicy{},
	}
	p := iam.NewGetAccountAuthorizationDetailsPaginator(c.iam, &iam.GetAccountAuthorizationDetailsInput{})
	var arns []string
	for page := 1; p.HasMorePages(); page++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			if page == 1 {
				c.fail(ctx, apiGetAccountAuthorization, "", what+" were not read", err)
				return
			}
			// Keep what was read, marked truncated so nothing absent is taken for absent.
			c.fail(ctx, apiGetAccountAuthorization, "", fmt.Sprintf("%s after page %d were not read (the snapshot marks the list truncated)", what, page-1), err)
			d.IsTruncated = true
			break
		}
		for _, r := range out.RoleDetailList {
			d.RoleDetailList = append(d.RoleDetailList, cliRole(r))
			arns = append(arns, aws.ToString(r.Arn))
		}
		for _, u := range out.UserDetailList {
			d.UserDetailList = append(d.UserDetailList, cliUser(u))
			arns = append(arns, aws.ToString(u.Arn))
		}
		for _, g := range out.GroupDetailList {
			d.GroupDetailList = append(d.GroupDetailList, cliGroup(g))
			arns = append(arns, aws.ToString(g.Arn))
		}
		for _, m := range out.Policies {
			d.Policies = append(d.Policies, cliPolicy(m))
			arns = append(arns, aws.ToString(m.Arn))
		}
		c.st.count(apiGetAccountAuthorization, "", len(out.RoleDetailList)+len(out.UserDetailList)+len(out.GroupDetailList)+len(out.Policies))
	}
	c.record(apiGetAccountAuthorization, c.accountRoot(arns...), "", d, 0)
}

// oidcProviders lists the account's OIDC providers and gets each one.
func (c *awsCollector) oidcProviders(ctx context.Context) {
	out, err := c.iam.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		c.fail(ctx, apiListOIDCProviders, "", "the account's OIDC providers were not read", err)
		return
	}
	type arnOnly struct{ Arn string }
	list := []arnOnly{}
	var arns []string
	for _, p := range out.OpenIDConnectProviderList {
		arn := aws.ToString(p.Arn)
		list = append(list, arnOnly{arn})
		arns = append(arns, arn)
	}
	c.record(apiListOIDCProviders, c.accountRoot(arns...), "", map[string]any{"OpenIDConnectProviderList": list}, len(list))
	var wg sync.WaitGroup
	for _, arn := range arns {
		wg.Go(func() { c.oidcProvider(ctx, arn) })
	}
	wg.Wait()
}

func (c *awsCollector) oidcProvider(ctx context.Context, arn string) {
	out, err := c.iam.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	if err != nil {
		c.fail(ctx, apiGetOIDCProvider, "", "the client IDs and thumbprints of "+arn+" were not read", err)
		return
	}
	c.record(apiGetOIDCProvider, arn, "", cliOIDCProvider{
		Url:            aws.ToString(out.Url),
		ClientIDList:   nonNilStrings(out.ClientIDList),
		ThumbprintList: nonNilStrings(out.ThumbprintList),
		CreateDate:     isoDate(out.CreateDate),
		Tags:           cliTags(out.Tags),
		Arn:            arn,
	}, 1)
}

// clusters lists the region's EKS clusters (or takes opts.Clusters) and reads each one
// concurrently; it returns the clusters described, by name.
func (c *awsCollector) clusters(ctx context.Context) []ClusterInfo {
	var names []string
	listed := true
	p := eks.NewListClustersPaginator(c.eks, &eks.ListClustersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			what := "the region's EKS clusters were not listed"
			if len(c.opts.Clusters) > 0 {
				what += "; the clusters named are read without it"
			}
			c.fail(ctx, apiListClusters, "", what, err)
			listed = false
			break
		}
		names = append(names, out.Clusters...)
		c.st.count(apiListClusters, "", len(out.Clusters))
	}
	if len(c.opts.Clusters) > 0 {
		switch {
		case !listed:
			names = slices.Clone(c.opts.Clusters)
		default:
			var keep []string
			for _, n := range c.opts.Clusters {
				if slices.Contains(names, n) {
					keep = append(keep, n)
					continue
				}
				c.st.warn(Diagnostic{API: apiListClusters, Cluster: n,
					Message: fmt.Sprintf("cluster %s was named but does not exist in region %s", n, c.region)})
			}
			names = keep
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)

	var mu sync.Mutex
	var infos []ClusterInfo
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Go(func() {
			if info, ok := c.cluster(ctx, name); ok {
				mu.Lock()
				infos = append(infos, info)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortFunc(infos, func(a, b ClusterInfo) int { return strings.Compare(a.Name, b.Name) })
	return infos
}

// cluster describes one cluster, then reads its access entries and Pod Identity associations.
func (c *awsCollector) cluster(ctx context.Context, name string) (ClusterInfo, bool) {
	info, described := ClusterInfo{Name: name}, false
	out, err := c.eks.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
	mode := ""
	switch {
	case err != nil:
		if f, _ := classify(err); f == failNotFound {
			c.st.warn(Diagnostic{API: apiDescribeCluster, Cluster: name,
				Message: fmt.Sprintf("cluster %s does not exist in region %s", name, c.region)})
			return info, false
		}
		c.fail(ctx, apiDescribeCluster, name, "the authentication mode, OIDC issuer and endpoint of cluster "+name+" were not read", err)
	case out.Cluster != nil:
		cl := cliCluster(out.Cluster)
		info = ClusterInfo{Name: name, ARN: cl.Arn, Endpoint: cl.Endpoint}
		if cl.AccessConfig != nil {
			mode = cl.AccessConfig.AuthenticationMode
		}
		c.record(apiDescribeCluster, cl.Arn, name, map[string]any{"cluster": cl}, 1)
		described = true
	}
	var wg sync.WaitGroup
	// A CONFIG_MAP cluster has no access entries (EKS refuses to list them).
	if mode != string(ekstypes.AuthenticationModeConfigMap) {
		wg.Go(func() { c.accessEntries(ctx, name) })
	}
	wg.Go(func() { c.podIdentity(ctx, name) })
	wg.Wait()
	return info, described
}

func (c *awsCollector) accessEntries(ctx context.Context, cluster string) {
	p := eks.NewListAccessEntriesPaginator(c.eks, &eks.ListAccessEntriesInput{ClusterName: aws.String(cluster)})
	principals := listClusterPages(ctx, c, apiListAccessEntries, cluster, "the access entries", p.HasMorePages,
		func(ctx context.Context) ([]string, error) {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			return out.AccessEntries, nil
		})
	var wg sync.WaitGroup
	for _, principal := range principals {
		wg.Go(func() { c.accessEntry(ctx, cluster, principal) })
	}
	wg.Wait()
}

// listClusterPages reads every page of one of a cluster's lists (what names its items). A
// failed page is a warning saying what was not read; the items before it are kept.
func listClusterPages[T any](ctx context.Context, c *awsCollector, api, cluster, what string,
	more func() bool, next func(context.Context) ([]T, error)) []T {
	var items []T
	for more() {
		page, err := next(ctx)
		if err != nil {
			msg := fmt.Sprintf("%s of cluster %s were not read", what, cluster)
			if len(items) > 0 {
				msg = fmt.Sprintf("%s of cluster %s after the first %d were not read", what, cluster, len(items))
			}
			c.fail(ctx, api, cluster, msg, err)
			break
		}
		items = append(items, page...)
		c.st.count(api, cluster, len(page))
	}
	return items
}

// accessEntry describes one access entry and lists the access policies associated with it.
func (c *awsCollector) accessEntry(ctx context.Context, cluster, principal string) {
	ref := principal
	out, err := c.eks.DescribeAccessEntry(ctx, &eks.DescribeAccessEntryInput{ClusterName: aws.String(cluster), PrincipalArn: aws.String(principal)})
	switch {
	case err != nil:
		c.fail(ctx, apiDescribeAccessEntry, cluster, fmt.Sprintf("the access entry of %s in cluster %s (username, groups, type) was not read", principal, cluster), err)
	case out.AccessEntry != nil:
		e := cliAccessEntry(out.AccessEntry, cluster, principal)
		if e.AccessEntryArn != "" {
			ref = e.AccessEntryArn
		}
		c.record(apiDescribeAccessEntry, ref, cluster, map[string]any{"accessEntry": e}, 1)
	}

	policies := []cliAssociatedPolicy{}
	p := eks.NewListAssociatedAccessPoliciesPaginator(c.eks, &eks.ListAssociatedAccessPoliciesInput{
		ClusterName: aws.String(cluster), PrincipalArn: aws.String(principal)})
	for page := 1; p.HasMorePages(); page++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			what := fmt.Sprintf("the access policies associated with %s in cluster %s were not read", principal, cluster)
			if page > 1 {
				what = fmt.Sprintf("the access policies associated with %s in cluster %s after the first %d were not read", principal, cluster, len(policies))
			}
			c.fail(ctx, apiListAssociatedAccessPolicies, cluster, what, err)
			if page == 1 {
				return
			}
			break
		}
		for _, ap := range out.AssociatedAccessPolicies {
			policies = append(policies, cliAssociated(ap))
		}
	}
	c.record(apiListAssociatedAccessPolicies, ref, cluster, cliAssociatedPolicies{
		ClusterName: cluster, PrincipalArn: principal, AssociatedAccessPolicies: policies}, len(policies))
}

// podIdentity lists a cluster's Pod Identity associations and describes each one: the list
// omits roleArn.
func (c *awsCollector) podIdentity(ctx context.Context, cluster string) {
	p := eks.NewListPodIdentityAssociationsPaginator(c.eks, &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String(cluster)})
	summaries := listClusterPages(ctx, c, apiListPodIdentity, cluster, "the Pod Identity associations", p.HasMorePages,
		func(ctx context.Context) ([]ekstypes.PodIdentityAssociationSummary, error) {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			return out.Associations, nil
		})
	var wg sync.WaitGroup
	for _, s := range summaries {
		wg.Go(func() {
			out, err := c.eks.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{
				ClusterName: aws.String(cluster), AssociationId: s.AssociationId})
			if err != nil {
				c.fail(ctx, apiDescribePodIdentity, cluster, fmt.Sprintf("the role of the Pod Identity association for %s/%s in cluster %s was not read",
					aws.ToString(s.Namespace), aws.ToString(s.ServiceAccount), cluster), err)
				return
			}
			if out.Association == nil {
				return
			}
			a := cliPodIdentity(out.Association)
			ref := a.AssociationArn
			if ref == "" {
				ref = aws.ToString(s.AssociationArn)
			}
			c.record(apiDescribePodIdentity, ref, cluster, map[string]any{"association": a}, 1)
		})
	}
	wg.Wait()
}

// ---- errors ----

type failure int

const (
	failOther       failure = iota
	failDenied              // the caller's policy does not allow the action
	failCredentials         // no credentials, or AWS rejects them: no call can succeed
	failUnavailable         // the operation does not exist at this endpoint
	failThrottled           // still throttled once the retries are spent
	failUnreachable         // the endpoint could not be reached
	failNotFound            // the resource asked about does not exist
)

var (
	deniedCodes = map[string]bool{
		"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true,
		"UnauthorizedException": true, "NotAuthorized": true, "AuthorizationError": true, "Forbidden": true,
	}
	credentialCodes = map[string]bool{
		"InvalidClientTokenId": true, "UnrecognizedClientException": true, "SignatureDoesNotMatch": true,
		"InvalidSignatureException": true, "IncompleteSignature": true, "IncompleteSignatureException": true,
		"ExpiredToken": true, "ExpiredTokenException": true, "MissingAuthenticationToken": true,
		"MissingAuthenticationTokenException": true, "AuthFailure": true, "InvalidAccessKeyId": true,
	}
	unavailableCodes = map[string]bool{
		"UnknownOperationException": true, "UnknownOperation": true, "InvalidAction": true,
		"UnsupportedOperation": true, "UnsupportedOperationException": true, "NotImplemented": true,
	}
	notFoundCodes = map[string]bool{
		"ResourceNotFoundException": true, "NotFoundException": true, "NoSuchEntity": true,
	}
)

// classify sorts an AWS error and returns a short detail for the message ("CODE: message",
// "HTTP 404", or the transport error).
func classify(err error) (failure, string) {
	var se *v4.SigningError
	if errors.As(err, &se) {
		return failCredentials, se.Error()
	}
	status := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	code, detail := "", ""
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
		detail = code
		if m := ae.ErrorMessage(); m != "" {
			detail += ": " + m
		}
	}
	if detail == "" && status != 0 {
		detail = fmt.Sprintf("HTTP %d", status)
	}
	switch {
	case deniedCodes[code]:
		return failDenied, detail
	case credentialCodes[code]:
		return failCredentials, detail
	case notFoundCodes[code]:
		return failNotFound, detail
	case unavailableCodes[code] || status == 501:
		return failUnavailable, detail
	case status == 404:
		// Not an AWS error for a missing resource (those are modelled): the path itself is
		// unknown, as moto's HTML 404 for the EKS operations it lacks.
		return failUnavailable, fmt.Sprintf("HTTP 404, %s", orUnknown(code, "not an AWS error response"))
	case status == 403:
		return failDenied, detail
	case status == 429 || retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool():
		return failThrottled, orUnknown(detail, "HTTP 429")
	}
	var send *smithyhttp.RequestSendError
	if errors.As(err, &send) {
		return failUnreachable, send.Err.Error()
	}
	if detail == "" {
		detail = err.Error()
	}
	return failOther, detail
}

func orUnknown(s, alt string) string {
	if s == "" || s == "UnknownError" {
		return alt
	}
	return s
}

// fail turns a failed call into a warning that names what is missing and the rules it leaves
// unevaluated. Once ctx is done nothing is added: Collect reports the stop once.
func (c *awsCollector) fail(ctx context.Context, api, cluster, notRead string, err error) {
	if ctx.Err() != nil {
		return
	}
	d := Diagnostic{API: api, Cluster: cluster, NotEvaluated: slices.Clone(awsAPIRules[api])}
	f, detail := classify(err)
	switch f {
	case failDenied:
		d.Permission = api
		d.Message = fmt.Sprintf("access denied: %s is missing from the caller's policy; %s", api, notRead)
	case failCredentials:
		d.Message = fmt.Sprintf("%s: the credentials were refused (%s); %s", api, detail, notRead)
	case failUnavailable:
		d.Message = fmt.Sprintf("%s is not available at this endpoint (%s); %s", api, detail, notRead)
	case failThrottled:
		d.Message = fmt.Sprintf("%s was still throttled after the retries (%s); %s", api, detail, notRead)
	case failUnreachable:
		d.Message = fmt.Sprintf("%s: the endpoint could not be reached in region %s (%s); %s", api, c.region, detail, notRead)
	default:
		d.Message = fmt.Sprintf("%s failed (%s); %s", api, detail, notRead)
	}
	c.st.warn(d)
}

// ---- the AWS CLI's output shapes ----

// isoDate formats an API timestamp as RFC 3339 in UTC; "" when absent.
func isoDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// policyDocument decodes a policy document as the CLI does (F1.2, F1.3): URL-decoded with
// url.PathUnescape and embedded as a JSON object; a string that is not JSON either way is
// kept as a string, for the loader to report.
func policyDocument(s *string) json.RawMessage {
	if s == nil {
		return nil
	}
	if dec, err := url.PathUnescape(*s); err == nil && isJSONObject(dec) {
		return json.RawMessage(dec)
	}
	if isJSONObject(*s) {
		return json.RawMessage(*s)
	}
	b, _ := json.Marshal(*s) // a string always encodes
	return b
}

func isJSONObject(s string) bool {
	t := strings.TrimSpace(s)
	return strings.HasPrefix(t, "{") && json.Valid([]byte(t))
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type cliAuthorizationDetails struct {
	UserDetailList  []cliUserDetail
	GroupDetailList []cliGroupDetail
	RoleDetailList  []cliRoleDetail
	Policies        []cliManagedPolicy
	IsTruncated     bool
}

type cliTag struct{ Key, Value string }

func cliTags(tags []iamtypes.Tag) []cliTag {
	if tags == nil {
		return nil
	}
	out := make([]cliTag, 0, len(tags))
	for _, t := range tags {
		out = append(out, cliTag{aws.ToString(t.Key), aws.ToString(t.Value)})
	}
	return out
}

type cliAttachedPolicy struct {
	PolicyName string `json:",omitempty"`
	PolicyArn  string
}

func cliAttached(ps []iamtypes.AttachedPolicy) []cliAttachedPolicy {
	out := make([]cliAttachedPolicy, 0, len(ps))
	for _, p := range ps {
		out = append(out, cliAttachedPolicy{aws.ToString(p.PolicyName), aws.ToString(p.PolicyArn)})
	}
	return out
}

type cliInlinePolicy struct {
	PolicyName     string          `json:",omitempty"`
	PolicyDocument json.RawMessage `json:",omitempty"`
}

func cliInline(ps []iamtypes.PolicyDetail) []cliInlinePolicy {
	out := make([]cliInlinePolicy, 0, len(ps))
	for _, p := range ps {
		out = append(out, cliInlinePolicy{aws.ToString(p.PolicyName), policyDocument(p.PolicyDocument)})
	}
	return out
}

type cliBoundary struct {
	PermissionsBoundaryType string `json:",omitempty"`
	PermissionsBoundaryArn  string
}

func cliPermissionsBoundary(b *iamtypes.AttachedPermissionsBoundary) *cliBoundary {
	if b == nil {
		return nil
	}
	return &cliBoundary{string(b.PermissionsBoundaryType), aws.ToString(b.PermissionsBoundaryArn)}
}

type cliLastUsed struct {
	LastUsedDate string `json:",omitempty"`
	Region       string `json:",omitempty"`
}

func cliRoleLastUsed(l *iamtypes.RoleLastUsed) *cliLastUsed {
	if l == nil {
		return nil
	}
	return &cliLastUsed{isoDate(l.LastUsedDate), aws.ToString(l.Region)}
}

type cliRoleDetail struct {
	Path                     string `json:",omitempty"`
	RoleName                 string `json:",omitempty"`
	RoleId                   string `json:",omitempty"`
	Arn                      string
	CreateDate               string          `json:",omitempty"`
	AssumeRolePolicyDocument json.RawMessage `json:",omitempty"`
	InstanceProfileList      []cliInstanceProfile
	RolePolicyList           []cliInlinePolicy
	AttachedManagedPolicies  []cliAttachedPolicy
	PermissionsBoundary      *cliBoundary `json:",omitempty"`
	Tags                     []cliTag     `json:",omitempty"`
	RoleLastUsed             *cliLastUsed `json:",omitempty"`
}

func cliRole(r iamtypes.RoleDetail) cliRoleDetail {
	ips := make([]cliInstanceProfile, 0, len(r.InstanceProfileList))
	for _, ip := range r.InstanceProfileList {
		ips = append(ips, cliProfile(ip))
	}
	return cliRoleDetail{
		Path:                     aws.ToString(r.Path),
		RoleName:                 aws.ToString(r.RoleName),
		RoleId:                   aws.ToString(r.RoleId),
		Arn:                      aws.ToString(r.Arn),
		CreateDate:               isoDate(r.CreateDate),
		AssumeRolePolicyDocument: policyDocument(r.AssumeRolePolicyDocument),
		InstanceProfileList:      ips,
		RolePolicyList:           cliInline(r.RolePolicyList),
		AttachedManagedPolicies:  cliAttached(r.AttachedManagedPolicies),
		PermissionsBoundary:      cliPermissionsBoundary(r.PermissionsBoundary),
		Tags:                     cliTags(r.Tags),
		RoleLastUsed:             cliRoleLastUsed(r.RoleLastUsed),
	}
}

type cliInstanceProfile struct {
	Path                string `json:",omitempty"`
	InstanceProfileName string `json:",omitempty"`
	InstanceProfileId   string `json:",omitempty"`
	Arn                 string
	CreateDate          string `json:",omitempty"`
	Roles               []cliInstanceProfileRole
	Tags                []cliTag `json:",omitempty"`
}

// cliInstanceProfileRole is a Role inside an instance profile (ListRoles' shape).
type cliInstanceProfileRole struct {
	Path                     string `json:",omitempty"`
	RoleName                 string `json:",omitempty"`
	RoleId                   string `json:",omitempty"`
	Arn                      string
	CreateDate               string          `json:",omitempty"`
	AssumeRolePolicyDocument json.RawMessage `json:",omitempty"`
}

func cliProfile(ip iamtypes.InstanceProfile) cliInstanceProfile {
	roles := make([]cliInstanceProfileRole, 0, len(ip.Roles))
	for _, r := range ip.Roles {
		roles = append(roles, cliInstanceProfileRole{
			Path: aws.ToString(r.Path), RoleName: aws.ToString(r.RoleName), RoleId: aws.ToString(r.RoleId),
			Arn: aws.ToString(r.Arn), CreateDate: isoDate(r.CreateDate), AssumeRolePolicyDocument: policyDocument(r.AssumeRolePolicyDocument),
		})
	}
	return cliInstanceProfile{
		Path: aws.ToString(ip.Path), InstanceProfileName: aws.ToString(ip.InstanceProfileName),
		InstanceProfileId: aws.ToString(ip.InstanceProfileId), Arn: aws.ToString(ip.Arn),
		CreateDate: isoDate(ip.CreateDate), Roles: roles, Tags: cliTags(ip.Tags),
	}
}

type cliUserDetail struct {
	Path                    string `json:",omitempty"`
	UserName                string `json:",omitempty"`
	UserId                  string `json:",omitempty"`
	Arn                     string
	CreateDate              string `json:",omitempty"`
	UserPolicyList          []cliInlinePolicy
	GroupList               []string
	AttachedManagedPolicies []cliAttachedPolicy
	PermissionsBoundary     *cliBoundary `json:",omitempty"`
	Tags                    []cliTag     `json:",omitempty"`
}

func cliUser(u iamtypes.UserDetail) cliUserDetail {
	return cliUserDetail{
		Path:                    aws.ToString(u.Path),
		UserName:                aws.ToString(u.UserName),
		UserId:                  aws.ToString(u.UserId),
		Arn:                     aws.ToString(u.Arn),
		CreateDate:              isoDate(u.CreateDate),
		UserPolicyList:          cliInline(u.UserPolicyList),
		GroupList:               nonNilStrings(u.GroupList),
		AttachedManagedPolicies: cliAttached(u.AttachedManagedPolicies),
		PermissionsBoundary:     cliPermissionsBoundary(u.PermissionsBoundary),
		Tags:                    cliTags(u.Tags),
	}
}

type cliGroupDetail struct {
	Path                    string `json:",omitempty"`
	GroupName               string `json:",omitempty"`
	GroupId                 string `json:",omitempty"`
	Arn                     string
	CreateDate              string `json:",omitempty"`
	GroupPolicyList         []cliInlinePolicy
	AttachedManagedPolicies []cliAttachedPolicy
}

func cliGroup(g iamtypes.GroupDetail) cliGroupDetail {
	return cliGroupDetail{
		Path:                    aws.ToString(g.Path),
		GroupName:               aws.ToString(g.GroupName),
		GroupId:                 aws.ToString(g.GroupId),
		Arn:                     aws.ToString(g.Arn),
		CreateDate:              isoDate(g.CreateDate),
		GroupPolicyList:         cliInline(g.GroupPolicyList),
		AttachedManagedPolicies: cliAttached(g.AttachedManagedPolicies),
	}
}

type cliManagedPolicy struct {
	PolicyName                    string `json:",omitempty"`
	PolicyId                      string `json:",omitempty"`
	Arn                           string
	Path                          string `json:",omitempty"`
	DefaultVersionId              string `json:",omitempty"`
	AttachmentCount               *int32 `json:",omitempty"`
	PermissionsBoundaryUsageCount *int32 `json:",omitempty"`
	IsAttachable                  bool
	Description                   string `json:",omitempty"`
	CreateDate                    string `json:",omitempty"`
	UpdateDate                    string `json:",omitempty"`
	PolicyVersionList             []cliPolicyVersion
}

type cliPolicyVersion struct {
	Document         json.RawMessage `json:",omitempty"`
	VersionId        string          `json:",omitempty"`
	IsDefaultVersion bool
	CreateDate       string `json:",omitempty"`
}

func cliPolicy(m iamtypes.ManagedPolicyDetail) cliManagedPolicy {
	versions := make([]cliPolicyVersion, 0, len(m.PolicyVersionList))
	for _, v := range m.PolicyVersionList {
		versions = append(versions, cliPolicyVersion{
			Document: policyDocument(v.Document), VersionId: aws.ToString(v.VersionId),
			IsDefaultVersion: v.IsDefaultVersion, CreateDate: isoDate(v.CreateDate),
		})
	}
	return cliManagedPolicy{
		PolicyName:                    aws.ToString(m.PolicyName),
		PolicyId:                      aws.ToString(m.PolicyId),
		Arn:                           aws.ToString(m.Arn),
		Path:                          aws.ToString(m.Path),
		DefaultVersionId:              aws.ToString(m.DefaultVersionId),
		AttachmentCount:               m.AttachmentCount,
		PermissionsBoundaryUsageCount: m.PermissionsBoundaryUsageCount,
		IsAttachable:                  m.IsAttachable,
		Description:                   aws.ToString(m.Description),
		CreateDate:                    isoDate(m.CreateDate),
		UpdateDate:                    isoDate(m.UpdateDate),
		PolicyVersionList:             versions,
	}
}

// cliOIDCProvider is get-open-id-connect-provider's output plus the provider's Arn, which
// that output lacks.
type cliOIDCProvider struct {
	Url            string
	ClientIDList   []string
	ThumbprintList []string
	CreateDate     string   `json:",omitempty"`
	Tags           []cliTag `json:",omitempty"`
	Arn            string
}

type eksClusterOut struct {
	Name            string            `json:"name"`
	Arn             string            `json:"arn,omitempty"`
	CreatedAt       string            `json:"createdAt,omitempty"`
	Version         string            `json:"version,omitempty"`
	Endpoint        string            `json:"endpoint,omitempty"`
	RoleArn         string            `json:"roleArn,omitempty"`
	Identity        *eksIdentity      `json:"identity,omitempty"`
	Status          string            `json:"status,omitempty"`
	PlatformVersion string            `json:"platformVersion,omitempty"`
	Tags            map[string]string `json:"tags,omitempty"`
	AccessConfig    *eksAccessConfig  `json:"accessConfig,omitempty"`
}

type eksIdentity struct {
	OIDC struct {
		Issuer string `json:"issuer"`
	} `json:"oidc"`
}

type eksAccessConfig struct {
	AuthenticationMode                      string `json:"authenticationMode,omitempty"`
	BootstrapClusterCreatorAdminPermissions *bool  `json:"bootstrapClusterCreatorAdminPermissions,omitempty"`
}

func cliCluster(c *ekstypes.Cluster) eksClusterOut {
	out := eksClusterOut{
		Name:            aws.ToString(c.Name),
		Arn:             aws.ToString(c.Arn),
		CreatedAt:       isoDate(c.CreatedAt),
		Version:         aws.ToString(c.Version),
		Endpoint:        aws.ToString(c.Endpoint),
		RoleArn:         aws.ToString(c.RoleArn),
		Status:          string(c.Status),
		PlatformVersion: aws.ToString(c.PlatformVersion),
		Tags:            c.Tags,
	}
	if c.Identity != nil && c.Identity.Oidc != nil && c.Identity.Oidc.Issuer != nil {
		out.Identity = &eksIdentity{}
		out.Identity.OIDC.Issuer = *c.Identity.Oidc.Issuer
	}
	if ac := c.AccessConfig; ac != nil {
		out.AccessConfig = &eksAccessConfig{string(ac.AuthenticationMode), ac.BootstrapClusterCreatorAdminPermissions}
	}
	return out
}

type eksAccessEntryOut struct {
	ClusterName      string            `json:"clusterName"`
	PrincipalArn     string            `json:"principalArn"`
	KubernetesGroups []string          `json:"kubernetesGroups"`
	AccessEntryArn   string            `json:"accessEntryArn,omitempty"`
	CreatedAt        string            `json:"createdAt,omitempty"`
	ModifiedAt       string            `json:"modifiedAt,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
	Username         string            `json:"username,omitempty"`
	Type             string            `json:"type,omitempty"`
}

func cliAccessEntry(e *ekstypes.AccessEntry, cluster, principal string) eksAccessEntryOut {
	out := eksAccessEntryOut{
		ClusterName:      aws.ToString(e.ClusterName),
		PrincipalArn:     aws.ToString(e.PrincipalArn),
		KubernetesGroups: nonNilStrings(e.KubernetesGroups),
		AccessEntryArn:   aws.ToString(e.AccessEntryArn),
		CreatedAt:        isoDate(e.CreatedAt),
		ModifiedAt:       isoDate(e.ModifiedAt),
		Tags:             e.Tags,
		Username:         aws.ToString(e.Username),
		Type:             aws.ToString(e.Type),
	}
	if out.ClusterName == "" {
		out.ClusterName = cluster
	}
	if out.PrincipalArn == "" {
		out.PrincipalArn = principal
	}
	return out
}

type cliAssociatedPolicies struct {
	ClusterName              string                `json:"clusterName"`
	PrincipalArn             string                `json:"principalArn"`
	AssociatedAccessPolicies []cliAssociatedPolicy `json:"associatedAccessPolicies"`
}

type cliAssociatedPolicy struct {
	PolicyArn    string          `json:"policyArn"`
	AccessScope  *cliAccessScope `json:"accessScope,omitempty"`
	AssociatedAt string          `json:"associatedAt,omitempty"`
	ModifiedAt   string          `json:"modifiedAt,omitempty"`
}

type cliAccessScope struct {
	Type       string   `json:"type"`
	Namespaces []string `json:"namespaces"`
}

func cliAssociated(p ekstypes.AssociatedAccessPolicy) cliAssociatedPolicy {
	out := cliAssociatedPolicy{PolicyArn: aws.ToString(p.PolicyArn), AssociatedAt: isoDate(p.AssociatedAt), ModifiedAt: isoDate(p.ModifiedAt)}
	if s := p.AccessScope; s != nil {
		out.AccessScope = &cliAccessScope{string(s.Type), nonNilStrings(s.Namespaces)}
	}
	return out
}

type eksPodIdentityOut struct {
	ClusterName        string            `json:"clusterName"`
	Namespace          string            `json:"namespace"`
	ServiceAccount     string            `json:"serviceAccount"`
	RoleArn            string            `json:"roleArn"`
	AssociationArn     string            `json:"associationArn,omitempty"`
	AssociationId      string            `json:"associationId,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
	CreatedAt          string            `json:"createdAt,omitempty"`
	ModifiedAt         string            `json:"modifiedAt,omitempty"`
	OwnerArn           string            `json:"ownerArn,omitempty"`
	DisableSessionTags *bool             `json:"disableSessionTags,omitempty"`
	TargetRoleArn      string            `json:"targetRoleArn,omitempty"`
	ExternalId         string            `json:"externalId,omitempty"`
	Policy             string            `json:"policy,omitempty"`
}

func cliPodIdentity(a *ekstypes.PodIdentityAssociation) eksPodIdentityOut {
	return eksPodIdentityOut{
		ClusterName:        aws.ToString(a.ClusterName),
		Namespace:          aws.ToString(a.Namespace),
		ServiceAccount:     aws.ToString(a.ServiceAccount),
		RoleArn:            aws.ToString(a.RoleArn),
		AssociationArn:     aws.ToString(a.AssociationArn),
		AssociationId:      aws.ToString(a.AssociationId),
		Tags:               a.Tags,
		CreatedAt:          isoDate(a.CreatedAt),
		ModifiedAt:         isoDate(a.ModifiedAt),
		OwnerArn:           aws.ToString(a.OwnerArn),
		DisableSessionTags: a.DisableSessionTags,
		TargetRoleArn:      aws.ToString(a.TargetRoleArn),
		ExternalId:         aws.ToString(a.ExternalId),
		Policy:             aws.ToString(a.Policy),
	}
}
