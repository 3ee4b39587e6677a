package livetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// FakeEKS serves the EKS REST-JSON operations moto lacks — access entries, their associated
// access policies and Pod Identity associations — with the paths, query parameters, member
// names, timestamps (epoch seconds) and error shape (status, x-amzn-ErrorType header,
// {"message"} body) of the EKS API reference. Every other request goes unchanged to upstream
// (moto), so one endpoint serves all of EKS to the SDK or the aws CLI.
//
// A cluster exists for the fake when data was added for it (AddCluster, AddAccessEntry,
// AddPodIdentityAssociation, or a Create call) or when upstream's DescribeCluster finds it;
// otherwise its operations answer 404 ResourceNotFoundException as EKS does.
//
// Requests must be SigV4-signed for service eks in f.Region (the signature itself is not
// checked), so a client signing for the wrong service or region fails as it would on AWS.
type FakeEKS struct {
	URL     string // http://127.0.0.1:PORT
	Region  string // used in generated ARNs and required in the signing scope; default us-east-1
	Account string // used in generated ARNs; default 123456789012 (moto's)

	upstream *url.URL
	proxy    *httputil.ReverseProxy

	mu       sync.Mutex
	clusters map[string]*fakeCluster
	patches  map[string]map[string]any // cluster name → members merged into upstream's cluster object
	pageSize int
	fails    map[string]*injected
	calls    map[string]int
}

// AccessEntry is one access entry and the access policies associated with it.
type AccessEntry struct {
	PrincipalARN     string
	Type             string // STANDARD when empty
	Username         string // EKS's default for the type when empty
	KubernetesGroups []string
	Tags             map[string]string
	Policies         []AssociatedPolicy
}

// AssociatedPolicy is an access policy associated with an access entry.
type AssociatedPolicy struct {
	PolicyARN  string   // arn:aws:eks::aws:cluster-access-policy/NAME
	ScopeType  string   // cluster (when empty) or namespace
	Namespaces []string // for ScopeType namespace
}

// PodIdentityAssociation is one EKS Pod Identity association.
type PodIdentityAssociation struct {
	Namespace          string
	ServiceAccount     string
	RoleARN            string
	TargetRoleARN      string // cross-account target; an externalId is generated when set
	DisableSessionTags bool
	OwnerARN           string // set when an add-on owns the association
	Policy             string // session policy, when set
	Tags               map[string]string
}

type fakeCluster struct {
	entries []*AccessEntry // insertion order
	pods    []*podAssoc
}

type podAssoc struct {
	PodIdentityAssociation
	id, arn, externalID string
}

type injected struct {
	status int
	code   string
	times  int // <0: always
}

// Timestamps the fake reports: fixed, so outputs are reproducible; the fraction exercises
// clients' parsing of EKS's fractional epoch seconds.
var (
	fakeCreatedAt  = 1714564800.5 // 2024-05-01T12:00:00.5Z
	fakeModifiedAt = 1714651200.25
)

// Default page size of the list operations (EKS's maxResults default is 100).
const defaultPageSize = 100

// StartFakeEKS starts the fake on a loopback port; it stops when the test ends. upstream is
// the base URL requests the fake does not implement go to (moto), or "" for none: those
// requests then answer 404 with an EKS JSON error.
func StartFakeEKS(t testing.TB, upstream string) *FakeEKS {
	t.Helper()
	f := &FakeEKS{
		Region:   Region,
		Account:  Account,
		clusters: map[string]*fakeCluster{},
		patches:  map[string]map[string]any{},
		pageSize: defaultPageSize,
		fails:    map[string]*injected{},
		calls:    map[string]int{},
	}
	if upstream != "" {
		u, err := url.Parse(upstream)
		if err != nil || u.Scheme == "" || u.Host == "" {
			t.Fatalf("fake EKS upstream %q: not an absolute URL", upstream)
		}
		f.upstream = u
		f.proxy = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(u) }, ModifyResponse: f.patchCluster}
	}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// AddCluster makes a cluster exist for the fake even with no data and no upstream.
func (f *FakeEKS) AddCluster(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cluster(name)
}

// AddAccessEntry adds (or replaces, by principal ARN) an access entry of the cluster.
func (f *FakeEKS) AddAccessEntry(cluster string, e AccessEntry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.cluster(cluster)
	e = f.normaliseEntry(e)
	if i := c.entryIndex(e.PrincipalARN); i >= 0 {
		c.entries[i] = &e
		return
	}
	c.entries = append(c.entries, &e)
}

// AddPodIdentityAssociation adds (or replaces, by namespace and service account) an
// association of the cluster and returns its generated associationId. IDs, ARNs and external
// IDs derive from the cluster, namespace and service account, so they are reproducible.
func (f *FakeEKS) AddPodIdentityAssociation(cluster string, a PodIdentityAssociation) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.cluster(cluster)
	p := f.newPodAssoc(cluster, a)
	if i := c.podIndexBySA(a.Namespace, a.ServiceAccount); i >= 0 {
		c.pods[i] = p
	} else {
		c.pods = append(c.pods, p)
	}
	return p.id
}

// PatchCluster sets members of the cluster object that upstream's DescribeCluster and
// CreateCluster answers carry, e.g. {"endpoint": kubeAPI.Server} to match a kube context, or
// {"accessConfig": {"authenticationMode": "API"}}. A CreateCluster request's accessConfig, which
// moto 5.2.1 drops, is patched back the same way.
func (f *FakeEKS) PatchCluster(name string, members map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.patches[name]
	if p == nil {
		p = map[string]any{}
		f.patches[name] = p
	}
	for k, v := range members {
		p[k] = v
	}
}

// SetPageSize sets the most items a list page holds when the request asks for more or sets no
// maxResults; small values exercise nextToken pagination. n < 1 restores the default (100).
func (f *FakeEKS) SetPageSize(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n < 1 {
		n = defaultPageSize
	}
	f.pageSize = n
}

// Fail makes the next `times` calls of op (an EKS operation name such as "ListAccessEntries",
// "DescribeCluster" or "ListClusters") answer status with the EKS error shape: header
// x-amzn-ErrorType: code and body {"message": …}. times < 0 fails every call; times == 0
// clears the injection. Ops are those the fake serves plus ListClusters, DescribeCluster and
// CreateCluster (passed to upstream); any other op panics, as it could never fail.
func (f *FakeEKS) Fail(op string, status int, code string, times int) {
	if !knownOp(op) {
		panic(fmt.Sprintf("FakeEKS.Fail: the fake does not recognise operation %q", op))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if times == 0 {
		delete(f.fails, op)
		return
	}
	f.fails[op] = &injected{status: status, code: code, times: times}
}

// Calls is how many requests for op the fake received, failed ones included.
func (f *FakeEKS) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// Reset drops all data, injected failures and call counts, and restores the page size.
func (f *FakeEKS) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clusters = map[string]*fakeCluster{}
	f.patches = map[string]map[string]any{}
	f.fails = map[string]*injected{}
	f.calls = map[string]int{}
	f.pageSize = defaultPageSize
}

// ---- data helpers (callers hold f.mu) ----

func (f *FakeEKS) cluster(name string) *fakeCluster {
	c := f.clusters[name]
	if c == nil {
		c = &fakeCluster{}
		f.clusters[name] = c
	}
	return c
}

func (c *fakeCluster) entryIndex(principal string) int {
	return slices.IndexFunc(c.entries, func(e *AccessEntry) bool { return e.PrincipalARN == principal })
}

func (c *fakeCluster) podIndexBySA(ns, sa string) int {
	return slices.IndexFunc(c.pods, func(p *podAssoc) bool { return p.Namespace == ns && p.ServiceAccount == sa })
}

func (c *fakeCluster) podByID(id string) *podAssoc {
	for _, p := range c.pods {
		if p.id == id {
			return p
		}
	}
	return nil
}

// normaliseEntry fills what EKS fills: the STANDARD type, the default username for the type
// (EKS user guide, "Create access entries"), cluster scope, and copies the caller's slices.
func (f *FakeEKS) normaliseEntry(e AccessEntry) AccessEntry {
	if e.Type == "" {
		e.Type = "STANDARD"
	}
	if e.Username == "" {
		e.Username = defaultUsername(e.PrincipalARN, e.Type)
	}
	e.KubernetesGroups = slices.Clone(e.KubernetesGroups)
	pols := make([]AssociatedPolicy, len(e.Policies))
	for i, p := range e.Policies {
		if p.ScopeType == "" {
			p.ScopeType = "cluster"
		}
		p.Namespaces = slices.Clone(p.Namespaces)
		pols[i] = p
	}
	e.Policies = pols
	return e
}

// defaultUsername is EKS's username for an access entry created without one.
func defaultUsername(principal, typ string) string {
	switch typ {
	case "EC2_LINUX", "EC2_WINDOWS":
		return "system:node:{{EC2PrivateDNSName}}"
	case "FARGATE_LINUX", "HYBRID_LINUX":
		return "system:node:{{SessionName}}"
	}
	p := parseARN(principal)
	if p.kind == "role" {
		// The role path is dropped: STS session ARNs carry no path.
		return fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/{{SessionName}}", p.partition, p.account, p.name)
	}
	return principal
}

type principalParts struct{ partition, account, kind, name string }

// parseARN splits arn:PARTITION:iam::ACCOUNT:KIND/PATH/NAME leniently.
func parseARN(arn string) principalParts {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return principalParts{partition: "aws", kind: "user", name: arn}
	}
	res := parts[5]
	kind, _, _ := strings.Cut(res, "/")
	return principalParts{partition: parts[1], account: parts[4], kind: kind, name: res[strings.LastIndex(res, "/")+1:]}
}

func (f *FakeEKS) newPodAssoc(cluster string, a PodIdentityAssociation) *podAssoc {
	a.Tags = cloneTags(a.Tags)
	sum := sha256.Sum256([]byte(cluster + "/" + a.Namespace + "/" + a.ServiceAccount))
	p := &podAssoc{PodIdentityAssociation: a, id: "a-" + hex.EncodeToString(sum[:])[:17]}
	p.arn = fmt.Sprintf("arn:aws:eks:%s:%s:podidentityassociation/%s/%s", f.Region, f.Account, cluster, p.id)
	if a.TargetRoleARN != "" {
		p.externalID = uuidFrom(sum[8:])
	}
	return p
}

func (f *FakeEKS) accessEntryARN(cluster, principal string) string {
	p := parseARN(principal)
	sum := sha256.Sum256([]byte(cluster + "/" + principal))
	return fmt.Sprintf("arn:aws:eks:%s:%s:access-entry/%s/%s/%s/%s/%s", f.Region, f.Account, cluster, p.kind, p.account, p.name, uuidFrom(sum[:]))
}

// uuidFrom formats 16 bytes of b as a UUID (version 4 layout, deterministic content).
func uuidFrom(b []byte) string {
	h := hex.EncodeToString(b[:16])
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}

func cloneTags(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ---- HTTP ----

// fakeRoutes are the operations the fake recognises, with their method and path per the EKS API
// reference (the SDK's service/eks schemas; "{}" is a label). Local ones it serves; the cluster
// operations go to upstream but are counted and can be made to fail.
var fakeRoutes = []struct {
	method, path, op string
	local            bool
}{
	{"GET", "clusters", "ListClusters", false},
	{"POST", "clusters", "CreateCluster", false},
	{"GET", "clusters/{}", "DescribeCluster", false},
	{"GET", "clusters/{}/access-entries", "ListAccessEntries", true},
	{"POST", "clusters/{}/access-entries", "CreateAccessEntry", true},
	{"GET", "clusters/{}/access-entries/{}", "DescribeAccessEntry", true},
	{"GET", "clusters/{}/access-entries/{}/access-policies", "ListAssociatedAccessPolicies", true},
	{"POST", "clusters/{}/access-entries/{}/access-policies", "AssociateAccessPolicy", true},
	{"GET", "clusters/{}/pod-identity-associations", "ListPodIdentityAssociations", true},
	{"POST", "clusters/{}/pod-identity-associations", "CreatePodIdentityAssociation", true},
	{"GET", "clusters/{}/pod-identity-associations/{}", "DescribePodIdentityAssociation", true},
}

func knownOp(op string) bool {
	for _, r := range fakeRoutes {
		if r.op == op {
			return true
		}
	}
	return false
}

// route is one request classified by the EKS operation it calls.
type route struct {
	op      string // EKS operation name; "" when unknown
	local   bool   // served by the fake (else proxied)
	cluster string
	label   string // principalArn or associationId
}

// classify maps method and path to the operation. Labels are URL-encoded path segments (a
// principal ARN's slashes included), so the escaped path is split before unescaping.
func classify(r *http.Request) (route, error) {
	raw := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	seg := make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil {
			return route{}, err
		}
		seg[i] = u
	}
	for _, fr := range fakeRoutes {
		pat := strings.Split(fr.path, "/")
		if fr.method != r.Method || len(pat) != len(seg) {
			continue
		}
		match := true
		for i := range pat {
			if pat[i] != "{}" && pat[i] != seg[i] {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		rt := route{op: fr.op, local: fr.local}
		if len(seg) > 1 {
			rt.cluster = seg[1]
		}
		if len(seg) > 3 {
			rt.label = seg[3]
		}
		return rt, nil
	}
	return route{}, nil
}

func (f *FakeEKS) serve(w http.ResponseWriter, r *http.Request) {
	rt, err := classify(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidParameterException", "malformed path: "+err.Error(), nil)
		return
	}
	if rt.op != "" {
		f.mu.Lock()
		f.calls[rt.op]++
		f.mu.Unlock()
	}
	if status, code, msg := f.checkSigning(r); status != 0 {
		writeError(w, status, code, msg, nil)
		return
	}
	if inj := f.takeFailure(rt.op); inj != nil {
		writeError(w, inj.status, inj.code, f.failureMessage(inj.code, rt), nil)
		return
	}
	if !rt.local {
		if f.proxy != nil {
			if rt.op == "CreateCluster" {
				if err := f.keepAccessConfig(r); err != nil {
					writeError(w, http.StatusBadRequest, "InvalidRequestException", err.Error(), nil)
					return
				}
			}
			f.proxy.ServeHTTP(w, r)
			return
		}
		writeError(w, http.StatusNotFound, "ResourceNotFoundException",
			fmt.Sprintf("%s %s is not served by the fake EKS (no upstream)", r.Method, r.URL.Path), nil)
		return
	}
	if !f.clusterExists(r, rt.cluster) {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException",
			fmt.Sprintf("No cluster found for name: %s.", rt.cluster), map[string]any{"clusterName": rt.cluster})
		return
	}
	var body []byte
	if r.Method == http.MethodPost {
		if body, err = io.ReadAll(io.LimitReader(r.Body, 1<<20)); err != nil {
			writeError(w, http.StatusBadRequest, "InvalidRequestException", err.Error(), nil)
			return
		}
	}
	f.mu.Lock()
	status, out := f.handle(rt, r.URL.Query(), body)
	f.mu.Unlock()
	writeJSON(w, status, out)
}

// apiError is a handler's error answer.
type apiError struct {
	status int
	code   string
	msg    string
	extra  map[string]any
}

// handle serves a local operation; f.mu is held. It returns the status and either the
// response document or an *apiError.
func (f *FakeEKS) handle(rt route, q url.Values, body []byte) (int, any) {
	c := f.cluster(rt.cluster)
	switch rt.op {
	case "ListAccessEntries":
		var arns []string
		for _, e := range c.entries {
			if pa := q.Get("associatedPolicyArn"); pa != "" &&
				!slices.ContainsFunc(e.Policies, func(p AssociatedPolicy) bool { return p.PolicyARN == pa }) {
				continue
			}
			arns = append(arns, e.PrincipalARN)
		}
		page, next, aerr := f.paginate(len(arns), q)
		if aerr != nil {
			return aerr.status, aerr
		}
		return 200, map[string]any{"accessEntries": nonNil(arns[page[0]:page[1]]), "nextToken": next}

	case "DescribeAccessEntry":
		i := c.entryIndex(rt.label)
		if i < 0 {
			return notFoundEntry(rt)
		}
		return 200, map[string]any{"accessEntry": f.entryJSON(rt.cluster, c.entries[i])}

	case "ListAssociatedAccessPolicies":
		i := c.entryIndex(rt.label)
		if i < 0 {
			return notFoundEntry(rt)
		}
		pols := c.entries[i].Policies
		page, next, aerr := f.paginate(len(pols), q)
		if aerr != nil {
			return aerr.status, aerr
		}
		items := []any{}
		for _, p := range pols[page[0]:page[1]] {
			items = append(items, policyJSON(p))
		}
		return 200, map[string]any{"clusterName": rt.cluster, "principalArn": rt.label,
			"associatedAccessPolicies": items, "nextToken": next}

	case "ListPodIdentityAssociations":
		var sel []*podAssoc
		for _, p := range c.pods {
			if ns := q.Get("namespace"); ns != "" && p.Namespace != ns {
				continue
			}
			if sa := q.Get("serviceAccount"); sa != "" && p.ServiceAccount != sa {
				continue
			}
			sel = append(sel, p)
		}
		page, next, aerr := f.paginate(len(sel), q)
		if aerr != nil {
			return aerr.status, aerr
		}
		items := []any{}
		for _, p := range sel[page[0]:page[1]] {
			// The summary has no roleArn, timestamps or tags (EKS API PodIdentityAssociationSummary).
			s := map[string]any{"clusterName": rt.cluster, "namespace": p.Namespace,
				"serviceAccount": p.ServiceAccount, "associationArn": p.arn, "associationId": p.id}
			if p.OwnerARN != "" {
				s["ownerArn"] = p.OwnerARN
			}
			items = append(items, s)
		}
		return 200, map[string]any{"associations": items, "nextToken": next}

	case "DescribePodIdentityAssociation":
		p := c.podByID(rt.label)
		if p == nil {
			return 404, &apiError{404, "ResourceNotFoundException",
				fmt.Sprintf("No Pod Identity association found for id: %s.", rt.label), map[string]any{"clusterName": rt.cluster}}
		}
		return 200, map[string]any{"association": f.podJSON(rt.cluster, p)}

	case "CreateAccessEntry":
		var in struct {
			PrincipalARN     string            `json:"principalArn"`
			KubernetesGroups []string          `json:"kubernetesGroups"`
			Tags             map[string]string `json:"tags"`
			Username         string            `json:"username"`
			Type             string            `json:"type"`
		}
		if err := json.Unmarshal(body, &in); err != nil || in.PrincipalARN == "" {
			return 400, &apiError{400, "InvalidParameterException", "principalArn is required", nil}
		}
		if c.entryIndex(in.PrincipalARN) >= 0 {
			return 409, &apiError{409, "ResourceInUseException",
				"The specified access entry resource is already in use on this cluster.", map[string]any{"clusterName": rt.cluster}}
		}
		e := f.normaliseEntry(AccessEntry{PrincipalARN: in.PrincipalARN, Type: in.Type, Username: in.Username,
			KubernetesGroups: in.KubernetesGroups, Tags: in.Tags})
		c.entries = append(c.entries, &e)
		return 200, map[string]any{"accessEntry": f.entryJSON(rt.cluster, &e)}

	case "AssociateAccessPolicy":
		i := c.entryIndex(rt.label)
		if i < 0 {
			return notFoundEntry(rt)
		}
		var in struct {
			PolicyARN   string `json:"policyArn"`
			AccessScope struct {
				Type       string   `json:"type"`
				Namespaces []string `json:"namespaces"`
			} `json:"accessScope"`
		}
		if err := json.Unmarshal(body, &in); err != nil || in.PolicyARN == "" || in.AccessScope.Type == "" {
			return 400, &apiError{400, "InvalidParameterException", "policyArn and accessScope are required", nil}
		}
		e := c.entries[i]
		p := AssociatedPolicy{PolicyARN: in.PolicyARN, ScopeType: in.AccessScope.Type, Namespaces: in.AccessScope.Namespaces}
		// Associating a policy again replaces its scope.
		if j := slices.IndexFunc(e.Policies, func(x AssociatedPolicy) bool { return x.PolicyARN == p.PolicyARN }); j >= 0 {
			e.Policies[j] = p
		} else {
			e.Policies = append(e.Policies, p)
		}
		return 200, map[string]any{"clusterName": rt.cluster, "principalArn": rt.label, "associatedAccessPolicy": policyJSON(p)}

	case "CreatePodIdentityAssociation":
		var in struct {
			Namespace          string            `json:"namespace"`
			ServiceAccount     string            `json:"serviceAccount"`
			RoleARN            string            `json:"roleArn"`
			Tags               map[string]string `json:"tags"`
			DisableSessionTags bool              `json:"disableSessionTags"`
			TargetRoleARN      string            `json:"targetRoleArn"`
			Policy             string            `json:"policy"`
		}
		if err := json.Unmarshal(body, &in); err != nil || in.Namespace == "" || in.ServiceAccount == "" || in.RoleARN == "" {
			return 400, &apiError{400, "InvalidParameterException", "namespace, serviceAccount and roleArn are required", nil}
		}
		if c.podIndexBySA(in.Namespace, in.ServiceAccount) >= 0 {
			return 409, &apiError{409, "ResourceInUseException",
				"Association already exists for the service account.", map[string]any{"clusterName": rt.cluster}}
		}
		p := f.newPodAssoc(rt.cluster, PodIdentityAssociation{Namespace: in.Namespace, ServiceAccount: in.ServiceAccount,
			RoleARN: in.RoleARN, TargetRoleARN: in.TargetRoleARN, DisableSessionTags: in.DisableSessionTags,
			Policy: in.Policy, Tags: in.Tags})
		c.pods = append(c.pods, p)
		return 200, map[string]any{"association": f.podJSON(rt.cluster, p)}
	}
	return 404, &apiError{404, "ResourceNotFoundException", "unknown operation", nil}
}

func notFoundEntry(rt route) (int, any) {
	return 404, &apiError{404, "ResourceNotFoundException",
		fmt.Sprintf("The specified access entry resource %s is not found on cluster %s.", rt.label, rt.cluster),
		map[string]any{"clusterName": rt.cluster}}
}

func (f *FakeEKS) entryJSON(cluster string, e *AccessEntry) map[string]any {
	return map[string]any{
		"clusterName":      cluster,
		"principalArn":     e.PrincipalARN,
		"kubernetesGroups": nonNil(e.KubernetesGroups),
		"accessEntryArn":   f.accessEntryARN(cluster, e.PrincipalARN),
		"createdAt":        fakeCreatedAt,
		"modifiedAt":       fakeModifiedAt,
		"tags":             cloneTags(e.Tags),
		"username":         e.Username,
		"type":             e.Type,
	}
}

func policyJSON(p AssociatedPolicy) map[string]any {
	return map[string]any{
		"policyArn":    p.PolicyARN,
		"accessScope":  map[string]any{"type": p.ScopeType, "namespaces": nonNil(p.Namespaces)},
		"associatedAt": fakeCreatedAt,
		"modifiedAt":   fakeModifiedAt,
	}
}

func (f *FakeEKS) podJSON(cluster string, p *podAssoc) map[string]any {
	m := map[string]any{
		"clusterName":        cluster,
		"namespace":          p.Namespace,
		"serviceAccount":     p.ServiceAccount,
		"roleArn":            p.RoleARN,
		"associationArn":     p.arn,
		"associationId":      p.id,
		"tags":               cloneTags(p.Tags),
		"createdAt":          fakeCreatedAt,
		"modifiedAt":         fakeModifiedAt,
		"disableSessionTags": p.DisableSessionTags,
	}
	for k, v := range map[string]string{"ownerArn": p.OwnerARN, "targetRoleArn": p.TargetRoleARN,
		"externalId": p.externalID, "policy": p.Policy} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// paginate returns the [start, end) window of n items for the request's maxResults and
// nextToken, and the next page's token (nil on the last page; writeJSON then omits it).
func (f *FakeEKS) paginate(n int, q url.Values) ([2]int, any, *apiError) {
	size := f.pageSize
	if s := q.Get("maxResults"); s != "" {
		m, err := strconv.Atoi(s)
		if err != nil || m < 1 || m > 100 {
			return [2]int{}, nil, &apiError{400, "InvalidParameterException", "maxResults must be between 1 and 100", nil}
		}
		size = min(size, m)
	}
	start := 0
	if tok := q.Get("nextToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		v, ok := strings.CutPrefix(string(b), "offset:")
		s, err2 := strconv.Atoi(v)
		if err != nil || !ok || err2 != nil || s < 0 || s > n {
			return [2]int{}, nil, &apiError{400, "InvalidParameterException", "The nextToken is invalid.", nil}
		}
		start = s
	}
	end := min(start+size, n)
	return [2]int{start, end}, nextToken(end, n), nil
}

func nextToken(end, n int) any {
	if end >= n {
		return nil
	}
	return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
}

// checkSigning requires a SigV4 Authorization header scoped to eks in f.Region, with AWS's
// error codes; the signature is not verified.
func (f *FakeEKS) checkSigning(r *http.Request) (int, string, string) {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") {
		return http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token"
	}
	_, cred, _ := strings.Cut(auth, "Credential=")
	cred, _, _ = strings.Cut(cred, ",")
	scope := strings.Split(cred, "/") // AKID/DATE/REGION/SERVICE/aws4_request
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return http.StatusForbidden, "IncompleteSignatureException", "Authorization header requires a valid Credential."
	}
	if scope[3] != "eks" {
		return http.StatusForbidden, "InvalidSignatureException", "Credential should be scoped to correct service: 'eks'. "
	}
	if scope[2] != f.Region {
		return http.StatusForbidden, "InvalidSignatureException",
			fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. ", scope[2])
	}
	return 0, "", ""
}

func (f *FakeEKS) takeFailure(op string) *injected {
	if op == "" {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	inj := f.fails[op]
	if inj == nil {
		return nil
	}
	if inj.times > 0 {
		inj.times--
		if inj.times == 0 {
			delete(f.fails, op)
		}
	}
	return inj
}

// failureMessage is the message AWS sends with the code, as far as the tests need it: an
// AccessDenied names the denied action, as EKS's does.
func (f *FakeEKS) failureMessage(code string, rt route) string {
	switch code {
	case "ThrottlingException":
		return "Rate exceeded"
	case "AccessDeniedException":
		res := fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", f.Region, f.Account, rt.cluster)
		if rt.cluster == "" {
			res = fmt.Sprintf("arn:aws:eks:%s:%s:cluster/*", f.Region, f.Account)
		}
		return fmt.Sprintf("User: arn:aws:iam::%s:user/rolecall-test is not authorized to perform: eks:%s on resource: %s",
			f.Account, rt.op, res)
	}
	return code + " injected by the test"
}

// clusterExists reports whether the fake has data for the cluster or upstream's
// DescribeCluster finds it (asked with the caller's own signed headers, which moto accepts).
func (f *FakeEKS) clusterExists(r *http.Request, name string) bool {
	f.mu.Lock()
	_, ok := f.clusters[name]
	f.mu.Unlock()
	if ok || f.upstream == nil || name == "" {
		return ok
	}
	u := *f.upstream
	u.Path = strings.TrimSuffix(u.Path, "/") + "/clusters/" + url.PathEscape(name)
	u.RawPath = ""
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, u.String(), nil)
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", r.Header.Get("Authorization"))
	req.Header.Set("X-Amz-Date", r.Header.Get("X-Amz-Date"))
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK
}

// keepAccessConfig records a CreateCluster request's accessConfig as a patch and leaves the
// body readable for the proxy.
func (f *FakeEKS) keepAccessConfig(r *http.Request) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var in struct {
		Name         string `json:"name"`
		AccessConfig *struct {
			AuthenticationMode                      string `json:"authenticationMode"`
			BootstrapClusterCreatorAdminPermissions *bool  `json:"bootstrapClusterCreatorAdminPermissions"`
		} `json:"accessConfig"`
	}
	if json.Unmarshal(body, &in) != nil || in.Name == "" || in.AccessConfig == nil {
		return nil // not ours to judge: upstream answers
	}
	ac := map[string]any{"authenticationMode": in.AccessConfig.AuthenticationMode,
		"bootstrapClusterCreatorAdminPermissions": true} // EKS's default
	if ac["authenticationMode"] == "" {
		ac["authenticationMode"] = "CONFIG_MAP"
	}
	if b := in.AccessConfig.BootstrapClusterCreatorAdminPermissions; b != nil {
		ac["bootstrapClusterCreatorAdminPermissions"] = *b
	}
	f.PatchCluster(in.Name, map[string]any{"accessConfig": ac})
	return nil
}

// patchCluster merges the cluster's patch into upstream's DescribeCluster or CreateCluster
// answer ({"cluster": {...}}); other answers pass unchanged.
func (f *FakeEKS) patchCluster(resp *http.Response) error {
	req := resp.Request
	seg := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	isDescribe := req.Method == http.MethodGet && len(seg) == 2 && seg[0] == "clusters"
	isCreate := req.Method == http.MethodPost && len(seg) == 1 && seg[0] == "clusters"
	if resp.StatusCode != http.StatusOK || (!isDescribe && !isCreate) || resp.Header.Get("Content-Encoding") != "" {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var doc map[string]map[string]any
	if json.Unmarshal(body, &doc) != nil || doc["cluster"] == nil {
		return nil
	}
	name, _ := doc["cluster"]["name"].(string)
	f.mu.Lock()
	patch := f.patches[name]
	for k, v := range patch {
		doc["cluster"][k] = v
	}
	f.mu.Unlock()
	if len(patch) == 0 {
		return nil
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(out))
	resp.ContentLength = int64(len(out))
	resp.Header.Set("Content-Length", strconv.Itoa(len(out)))
	return nil
}

var requestSeq struct {
	sync.Mutex
	n int
}

// requestID is a UUID-shaped x-amzn-RequestId, which the SDK reports in errors.
func requestID() string {
	requestSeq.Lock()
	requestSeq.n++
	n := requestSeq.n
	requestSeq.Unlock()
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	if e, ok := v.(*apiError); ok {
		writeError(w, e.status, e.code, e.msg, e.extra)
		return
	}
	// Drop null members (nextToken on the last page), as EKS omits absent members.
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			if x == nil {
				delete(m, k)
			}
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, 500, "ServerException", err.Error(), nil)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", requestID())
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError writes EKS's REST-JSON error: the code in x-amzn-ErrorType, {"message"} (plus
// members such as clusterName) in the body.
func writeError(w http.ResponseWriter, status int, code, msg string, extra map[string]any) {
	body := map[string]any{"message": msg}
	for k, v := range extra {
		body[k] = v
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", requestID())
	w.Header().Set("x-amzn-ErrorType", code)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
