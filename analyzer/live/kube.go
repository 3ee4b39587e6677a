package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
)

// Rule ids whose findings need Kubernetes data, by the data they need; a diagnostic about data
// that could not be read lists them as not evaluated.
var (
	// kubeRules is every rule that reads aws-auth, ServiceAccounts or RBAC, directly or through
	// the graph: what a cluster whose Kubernetes API was not read at all leaves unevaluated.
	kubeRules = []string{"RC105", "RC301", "RC302", "RC303", "RC304", "RC305", "RC306",
		"RC401", "RC402", "RC403", "RC404", "RC405", "RC406", "RC407", "RC408", "RC409", "RC410", "RC411",
		"RC422", "RC423", "RC501", "RC502", "RC503", "RC504", "RC505"}
	// awsAuthRules read the aws-auth mappings, or the graph edges they create.
	awsAuthRules = []string{"RC401", "RC402", "RC403", "RC404", "RC405", "RC406", "RC407", "RC408", "RC409", "RC410", "RC411",
		"RC422", "RC423", "RC501", "RC502", "RC503", "RC504", "RC505"}
	// serviceAccountRules read ServiceAccounts (annotations, existence).
	serviceAccountRules = []string{"RC105", "RC301", "RC302", "RC303", "RC304", "RC305", "RC306", "RC501", "RC505"}
	// rbacRules follow RBAC grants: who is cluster-admin, who can obtain a ServiceAccount.
	rbacRules = []string{"RC501", "RC502", "RC504", "RC505"}
)

// kubeRead is one kind of request the collector makes to a cluster's API.
type kubeRead struct {
	group, version, resource, kind string
	verb                           string // "get" (one object: namespace/name) or "list" (every namespace)
	namespace, name                string
	// records is false for pods: only the ServiceAccount each runs as is kept.
	records      bool
	notEvaluated []string
}

// kubeReads is every Kubernetes request collectKube makes; docs/clusterrole.yaml grants exactly
// these (KubeReads). Secrets and other ConfigMaps are never read. The first entry is made
// before the others and tells whether the cluster answers at all.
var kubeReads = []kubeRead{
	{version: "v1", resource: "configmaps", kind: "ConfigMap", verb: "get", namespace: "kube-system", name: "aws-auth",
		records: true, notEvaluated: awsAuthRules},
	{version: "v1", resource: "serviceaccounts", kind: "ServiceAccount", verb: "list", records: true, notEvaluated: serviceAccountRules},
	{version: "v1", resource: "pods", kind: "Pod", verb: "list", notEvaluated: []string{"RC305"}}, // its "no pod uses it" half
	{group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles", kind: "ClusterRole", verb: "list", records: true, notEvaluated: rbacRules},
	{group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterrolebindings", kind: "ClusterRoleBinding", verb: "list", records: true, notEvaluated: rbacRules},
	{group: "rbac.authorization.k8s.io", version: "v1", resource: "roles", kind: "Role", verb: "list", records: true, notEvaluated: rbacRules},
	{group: "rbac.authorization.k8s.io", version: "v1", resource: "rolebindings", kind: "RoleBinding", verb: "list", records: true, notEvaluated: rbacRules},
}

// KubeRead is one Kubernetes permission the collector uses.
type KubeRead struct {
	Group        string // API group, "" for the core group
	Resource     string
	Verb         string // get or list
	ResourceName string // the one object read ("aws-auth"), "" for all
}

// KubeReads returns the Kubernetes permissions live collection needs, in the order it uses them.
func KubeReads() []KubeRead {
	out := make([]KubeRead, len(kubeReads))
	for i, r := range kubeReads {
		out[i] = KubeRead{Group: r.group, Resource: r.resource, Verb: r.verb, ResourceName: r.name}
	}
	return out
}

// kubePageSize is the list page size (limit); a variable so tests can force many pages.
var kubePageSize int64 = 500

// kubeRequestTimeout bounds one request, so an endpoint that does not answer (a private
// cluster seen from outside its VPC) costs a minute, not the whole collection's deadline.
var kubeRequestTimeout = time.Minute

func (r kubeRead) gvr() schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: r.group, Version: r.version, Resource: r.resource}
}

func (r kubeRead) apiVersion() string { return r.gvr().GroupVersion().String() }

// call names the request as Options.OnCall and Diagnostic.API do: "k8s:list roles".
func (r kubeRead) call() string { return "k8s:" + r.verb + " " + r.resource }

// permission names the RBAC permission the request needs: "list roles (rbac.authorization.k8s.io)".
func (r kubeRead) permission() string {
	p := r.verb + " " + r.resource
	if r.group != "" {
		p += " (" + r.group + ")"
	}
	if r.name != "" {
		p += " " + r.namespace + "/" + r.name
	}
	return p
}

// kubeAPI is a Kubernetes record's API: "k8s:serviceaccounts".
func kubeAPI(resource string) string { return "k8s:" + resource }

// kubeRef is a Kubernetes record's Ref: "ServiceAccount/ns/name", "ClusterRole//name".
func kubeRef(kind, namespace, name string) string { return kind + "/" + namespace + "/" + name }

// kubeTarget is a kube context to read, and the cluster name its records get.
type kubeTarget struct {
	cluster string
	context string
}

// collectKube reads the Kubernetes API of each EKS cluster that has a kube context (or only the
// chosen context), and the current context when it is for no EKS cluster. What cannot be read
// becomes a warning; nothing here is fatal.
func collectKube(ctx context.Context, opts Options, clusters []ClusterInfo, st *state) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if opts.Kubeconfig != "" {
		rules.ExplicitPath = opts.Kubeconfig
	}
	raw, err := rules.Load()
	if err != nil {
		st.warn(Diagnostic{Permission: "kubeconfig", NotEvaluated: kubeRules,
			Message: fmt.Sprintf("cannot read the kubeconfig: %v; no cluster's aws-auth, ServiceAccounts or RBAC were read", err)})
		return
	}
	targets := kubeTargets(opts, clusters, raw, st)
	var wg sync.WaitGroup
	for _, tg := range targets {
		wg.Go(func() { collectCluster(ctx, opts, raw, rules, tg, st) })
	}
	wg.Wait()
}

// kubeTargets matches EKS clusters (those of opts.Clusters when set) to kube contexts and warns
// about clusters left without one.
func kubeTargets(opts Options, clusters []ClusterInfo, raw *clientcmdapi.Config, st *state) []kubeTarget {
	if len(opts.Clusters) > 0 {
		clusters = slices.DeleteFunc(slices.Clone(clusters), func(c ClusterInfo) bool { return !slices.Contains(opts.Clusters, c.Name) })
	}
	var targets []kubeTarget
	read := map[string]bool{} // EKS cluster names given a context
	if opts.KubeContext != "" {
		kc, ok := raw.Contexts[opts.KubeContext]
		if !ok {
			st.warn(Diagnostic{Permission: "kube context", NotEvaluated: kubeRules,
				Message: fmt.Sprintf("kube context %q is not in the kubeconfig; no cluster's aws-auth, ServiceAccounts or RBAC were read", opts.KubeContext)})
			return nil
		}
		if ci, ok := bestCluster(opts.KubeContext, kc, raw, clusters); ok {
			targets = append(targets, kubeTarget{cluster: ci.Name, context: opts.KubeContext})
			read[ci.Name] = true
		} else {
			name := derivedCluster(opts.KubeContext, kc)
			targets = append(targets, kubeTarget{cluster: name, context: opts.KubeContext})
			st.warn(Diagnostic{Cluster: name, Permission: "kube context",
				Message: fmt.Sprintf("kube context %q (server %s) matches no EKS cluster read; its objects are collected as cluster %q", opts.KubeContext, server(raw, kc), name)})
		}
	} else {
		for _, ci := range clusters {
			if name, ok := bestContext(ci, raw); ok {
				targets = append(targets, kubeTarget{cluster: ci.Name, context: name})
				read[ci.Name] = true
			}
		}
		if cur, kc := raw.CurrentContext, raw.Contexts[raw.CurrentContext]; kc != nil {
			if _, ok := bestCluster(cur, kc, raw, clusters); !ok {
				name := derivedCluster(cur, kc)
				switch {
				case len(opts.Clusters) > 0 && !slices.Contains(opts.Clusters, name):
					// The clusters asked for do not include it.
				case slices.ContainsFunc(clusters, func(c ClusterInfo) bool { return c.Name == name }):
					st.warn(Diagnostic{Cluster: name, Permission: "kube context",
						Message: fmt.Sprintf("current kube context %q (server %s) is named like EKS cluster %q but does not match its endpoint or ARN; it was not read", cur, server(raw, kc), name)})
				default:
					targets = append(targets, kubeTarget{cluster: name, context: cur})
					st.warn(Diagnostic{Cluster: name, Permission: "kube context",
						Message: fmt.Sprintf("current kube context %q (server %s) matches no EKS cluster read; its objects are collected as cluster %q", cur, server(raw, kc), name)})
				}
			}
		}
	}
	for _, ci := range clusters {
		if read[ci.Name] {
			continue
		}
		msg := fmt.Sprintf("no kubeconfig context for EKS cluster %s (server %s); run aws eks update-kubeconfig --name %s%s; its aws-auth, ServiceAccounts and RBAC were not read",
			ci.Name, ci.Endpoint, ci.Name, regionFlag(ci.ARN))
		if opts.KubeContext != "" {
			msg = fmt.Sprintf("EKS cluster %s (server %s) was not read: the kube context chosen, %q, is not for it; its aws-auth, ServiceAccounts and RBAC were not read",
				ci.Name, ci.Endpoint, opts.KubeContext)
		}
		st.warn(Diagnostic{Cluster: ci.Name, Permission: "kube context", Message: msg, NotEvaluated: kubeRules})
	}
	return targets
}

// Strength of a context's match to an EKS cluster; the strongest wins.
const (
	matchNone   = iota
	matchName   // the kubeconfig cluster entry is named like the EKS cluster
	matchARN    // the context or its cluster entry is named by the cluster ARN (aws eks update-kubeconfig)
	matchServer // the context's server is the cluster endpoint
)

func matchStrength(ci ClusterInfo, ctxName string, kc *clientcmdapi.Context, raw *clientcmdapi.Config) int {
	if ci.Endpoint != "" && normServer(ci.Endpoint) == normServer(server(raw, kc)) {
		return matchServer
	}
	if ci.ARN != "" && (ctxName == ci.ARN || kc.Cluster == ci.ARN) {
		return matchARN
	}
	if ci.Name != "" && kc.Cluster == ci.Name {
		return matchName
	}
	return matchNone
}

// bestContext is the context that matches ci best: the current context on a tie, then the
// first by name.
func bestContext(ci ClusterInfo, raw *clientcmdapi.Config) (string, bool) {
	names := make([]string, 0, len(raw.Contexts))
	for n := range raw.Contexts {
		names = append(names, n)
	}
	sort.Strings(names)
	best, bestStrength := "", matchNone
	for _, n := range names {
		s := matchStrength(ci, n, raw.Contexts[n], raw)
		if s > bestStrength || (s == bestStrength && s != matchNone && n == raw.CurrentContext) {
			best, bestStrength = n, s
		}
	}
	return best, bestStrength != matchNone
}

// bestCluster is the EKS cluster a context matches best (the first by name on a tie).
func bestCluster(ctxName string, kc *clientcmdapi.Context, raw *clientcmdapi.Config, clusters []ClusterInfo) (ClusterInfo, bool) {
	sorted := slices.Clone(clusters)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	var best ClusterInfo
	bestStrength := matchNone
	for _, ci := range sorted {
		if s := matchStrength(ci, ctxName, kc, raw); s > bestStrength {
			best, bestStrength = ci, s
		}
	}
	return best, bestStrength != matchNone
}

// derivedCluster names the cluster of a context that matches no EKS cluster: its kubeconfig
// cluster entry, or the name in it when it is an EKS cluster ARN.
func derivedCluster(ctxName string, kc *clientcmdapi.Context) string {
	name := kc.Cluster
	if name == "" {
		name = ctxName
	}
	if a, ok := iampolicy.ParseARN(name); ok && a.Service == "eks" {
		if n, ok := strings.CutPrefix(a.Resource, "cluster/"); ok && n != "" {
			return n
		}
	}
	return name
}

// regionFlag is " --region R" for update-kubeconfig when the cluster ARN names the region.
func regionFlag(clusterARN string) string {
	if a, ok := iampolicy.ParseARN(clusterARN); ok && a.Region != "" {
		return " --region " + a.Region
	}
	return ""
}

func server(raw *clientcmdapi.Config, kc *clientcmdapi.Context) string {
	if c := raw.Clusters[kc.Cluster]; c != nil {
		return c.Server
	}
	return ""
}

// normServer makes equal API server URLs compare equal: scheme and host lower case, the
// default port and trailing slashes dropped.
func normServer(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "https://" + s // EKS endpoints always are https
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return strings.TrimRight(strings.ToLower(s), "/")
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host + strings.TrimRight(u.EscapedPath(), "/")
}

// collectCluster reads one cluster. The aws-auth request goes first: if the cluster does not
// answer at all, one warning says so instead of one per resource.
func collectCluster(ctx context.Context, opts Options, raw *clientcmdapi.Config, rules clientcmd.ClientConfigLoader, tg kubeTarget, st *state) {
	cs := ClusterState{Name: tg.cluster, Context: tg.context, PodServiceAccounts: []string{}}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, tg.context, &clientcmd.ConfigOverrides{}, rules).ClientConfig()
	var client *dynamic.DynamicClient
	if err == nil {
		cs.Server = cfg.Host
		cfg.QPS, cfg.Burst = 50, 100 // the call slots bound concurrency; this only smooths bursts
		cfg.Timeout = kubeRequestTimeout
		cfg.WarningHandler = rest.NoWarnings{} // library code does not log
		cfg.UserAgent = "rolecall/" + opts.Version
		client, err = dynamic.NewForConfig(cfg)
	}
	if err != nil {
		st.warn(Diagnostic{Cluster: tg.cluster, Permission: "kube context", NotEvaluated: kubeRules,
			Message: fmt.Sprintf("kube context %q cannot be used: %v; its aws-auth, ServiceAccounts and RBAC were not read", tg.context, err)})
		st.setCluster(cs)
		return
	}
	c := kubeCollector{opts: opts, st: st, client: client, cluster: tg.cluster}

	results := make([]readResult, len(kubeReads))
	results[0] = c.read(ctx, kubeReads[0])
	if err := results[0].err; err != nil && ctx.Err() == nil && unreachable(err) {
		st.warn(Diagnostic{API: kubeReads[0].call(), Cluster: tg.cluster, Permission: "kube context", NotEvaluated: kubeRules,
			Message: fmt.Sprintf("cannot read the Kubernetes API of cluster %s at %s (kube context %q): %v; its aws-auth, ServiceAccounts and RBAC were not read",
				tg.cluster, cs.Server, tg.context, err)})
		st.setCluster(cs)
		return
	}
	var wg sync.WaitGroup
	for i := 1; i < len(kubeReads); i++ {
		wg.Go(func() { results[i] = c.read(ctx, kubeReads[i]) })
	}
	wg.Wait()
	for i, r := range kubeReads {
		res := results[i]
		if res.err != nil {
			c.warn(r, res.err)
			continue
		}
		switch r.resource {
		case "serviceaccounts":
			cs.ServiceAccountsComplete = true
		case "pods":
			cs.PodsRead = true
			cs.PodServiceAccounts = res.podServiceAccounts
		}
	}
	st.setCluster(cs)
}

// unreachable reports whether err says the API server was not reached or refused the
// credentials, rather than refusing one request.
func unreachable(err error) bool {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return true // transport, TLS, exec credential plugin
	}
	return apierrors.IsUnauthorized(err)
}

// kubeCollector makes one cluster's requests.
type kubeCollector struct {
	opts    Options
	st      *state
	client  dynamic.Interface
	cluster string
}

// readResult is what one kubeRead got: an error (nil when every page was read) and, for pods,
// the ServiceAccounts they run as.
type readResult struct {
	err                error
	podServiceAccounts []string
}

// read makes r's requests: one get, or a list page by page. Objects of pages read before an
// error are kept.
func (c *kubeCollector) read(ctx context.Context, r kubeRead) readResult {
	if r.verb == "get" {
		if err := c.acquire(ctx, r); err != nil {
			return readResult{err: err}
		}
		obj, err := c.client.Resource(r.gvr()).Namespace(r.namespace).Get(ctx, r.name, metav1.GetOptions{})
		c.st.release()
		if apierrors.IsNotFound(err) {
			return readResult{} // no aws-auth: the cluster maps no IAM identity through it
		}
		if err != nil {
			return readResult{err: err}
		}
		c.keep(r, obj)
		return readResult{}
	}
	podSAs := map[string]bool{}
	lo := metav1.ListOptions{Limit: kubePageSize}
	for {
		if err := c.acquire(ctx, r); err != nil {
			return readResult{err: err}
		}
		list, err := c.client.Resource(r.gvr()).List(ctx, lo)
		c.st.release()
		if err != nil {
			return readResult{err: err}
		}
		for i := range list.Items {
			obj := &list.Items[i]
			if r.records {
				c.keep(r, obj)
				continue
			}
			// A pod's ServiceAccount is defaulted to "default" by admission; an empty one
			// only comes from a server without that plugin.
			sa, _, _ := unstructured.NestedString(obj.Object, "spec", "serviceAccountName")
			if sa == "" {
				sa = "default"
			}
			podSAs[obj.GetNamespace()+"/"+sa] = true
		}
		if !r.records {
			c.st.count(kubeAPI(r.resource), c.cluster, len(list.Items))
		}
		lo.Continue = list.GetContinue()
		if lo.Continue == "" {
			break
		}
	}
	if r.records {
		return readResult{}
	}
	sas := make([]string, 0, len(podSAs))
	for sa := range podSAs {
		sas = append(sas, sa)
	}
	sort.Strings(sas)
	return readResult{podServiceAccounts: sas}
}

// acquire takes a call slot and reports the call to Options.OnCall.
func (c *kubeCollector) acquire(ctx context.Context, r kubeRead) error {
	if err := c.st.acquire(ctx); err != nil {
		return err
	}
	if c.opts.OnCall != nil {
		c.st.mu.Lock() // OnCall need not be safe for concurrent use
		c.opts.OnCall(r.call())
		c.st.mu.Unlock()
	}
	return nil
}

// keep records one object as kubectl get -o json prints it, without managedFields (server
// bookkeeping, large and of no use to the rules).
func (c *kubeCollector) keep(r kubeRead, obj *unstructured.Unstructured) {
	// List items come without them on the wire; the dynamic client infers them from the
	// list's kind, the table says them for sure.
	obj.SetAPIVersion(r.apiVersion())
	obj.SetKind(r.kind)
	unstructured.RemoveNestedField(obj.Object, "metadata", "managedFields")
	out, err := json.Marshal(obj.Object)
	if err != nil {
		c.warn(r, err) // cannot happen for an object decoded from JSON
		return
	}
	c.st.add(Record{API: kubeAPI(r.resource), Ref: kubeRef(r.kind, obj.GetNamespace(), obj.GetName()), Cluster: c.cluster, Output: out})
}

// warn turns a failed request into a diagnostic that names the permission, not the identity.
func (c *kubeCollector) warn(r kubeRead, err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return // Collect reports the stopped collection once
	}
	lost := r.kind + "s were not read"
	switch {
	case r.name != "":
		lost = r.namespace + "/" + r.name + " was not read"
	case r.resource == "pods":
		lost = "the ServiceAccounts pods run as are unknown"
	}
	d := Diagnostic{API: r.call(), Cluster: c.cluster, Permission: r.permission(), NotEvaluated: r.notEvaluated}
	if apierrors.IsForbidden(err) {
		d.Message = fmt.Sprintf("cluster %s: the kube identity may not %s (403 Forbidden); %s", c.cluster, r.permission(), lost)
	} else {
		d.Message = fmt.Sprintf("cluster %s: %s: %v; %s", c.cluster, r.call(), err, lost)
	}
	c.st.warn(d)
}
