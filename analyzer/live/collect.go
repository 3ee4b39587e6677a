package live

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Options configure Collect.
type Options struct {
	// Profile and Region override the default credential chain's profile and region
	// (--profile, --region); "" keeps the SDK's defaults (AWS_PROFILE, AWS_REGION, config files).
	Profile string
	Region  string
	// Clusters limits collection to these EKS clusters (--cluster); empty means every cluster
	// in the region.
	Clusters []string
	// Kubeconfig and KubeContext choose the kubeconfig file and context (--kubeconfig,
	// --kube-context); "" means client-go's defaults (KUBECONFIG, ~/.kube/config, current context).
	Kubeconfig  string
	KubeContext string
	// NoKubernetes skips the Kubernetes side entirely.
	NoKubernetes bool
	// Timeout bounds the whole collection; 0 means DefaultTimeout.
	Timeout time.Duration
	// Concurrency bounds the API calls in flight; 0 means DefaultConcurrency.
	Concurrency int
	// Progress, when set, receives an event per item read; it may be called from several
	// goroutines, never at once.
	Progress func(Event)
	// OnCall, when set, is told every API call made, as "SERVICE:Operation" for AWS (the IAM
	// action it needs) and "k8s:VERB RESOURCE" for Kubernetes ("k8s:list serviceaccounts",
	// "k8s:get configmaps"); the test of docs/ checks the documented permissions with it.
	OnCall func(api string)
	// AWSConfig, when set, is used instead of config.LoadDefaultConfig (tests).
	AWSConfig *aws.Config
	// Version is the collecting tool's version, written into the snapshot.
	Version string
	// Now stamps the snapshot; nil means time.Now.
	Now func() time.Time
}

// Defaults for Options.
const (
	DefaultTimeout     = 10 * time.Minute
	DefaultConcurrency = 8
)

// Event reports progress: Count items of API read so far (Cluster "" for account-wide APIs).
type Event struct {
	API     string
	Cluster string
	Count   int
}

// ErrNothingRead is returned by Collect when neither AWS nor Kubernetes answered anything.
var ErrNothingRead = errors.New("nothing could be read from AWS or Kubernetes")

// ClusterInfo is an EKS cluster as DescribeCluster returned it, for matching kube contexts.
type ClusterInfo struct {
	Name     string
	ARN      string
	Endpoint string // https://…
}

// Collect reads the account of the default credential chain (and, unless NoKubernetes, the
// Kubernetes API of each EKS cluster that has a kube context, or the chosen context) into a
// snapshot. Whatever cannot be read becomes a Diagnostic and collection goes on; the error is
// ErrNothingRead (wrapped, with the diagnostics' story) only when nothing at all was read,
// or ctx's error.
func Collect(ctx context.Context, opts Options) (*Snapshot, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()

	st := newState(opts)
	st.snap.CollectedAt = now().UTC().Truncate(time.Second)
	clusters := collectAWS(ctx, opts, st)
	if !opts.NoKubernetes {
		collectKube(ctx, opts, clusters, st)
	}
	if err := ctx.Err(); err != nil {
		st.warn(Diagnostic{Severity: "error", Message: "collection stopped: " + err.Error()})
	}
	snap := st.snap
	snap.Sort()
	if len(snap.Records) == 0 {
		return snap, nothingRead(snap)
	}
	return snap, nil
}

// nothingRead wraps ErrNothingRead with the first diagnostics, which say why.
func nothingRead(s *Snapshot) error {
	msg := ""
	for i, d := range s.Diagnostics {
		if i == 3 {
			msg += "; …"
			break
		}
		if msg != "" {
			msg += "; "
		}
		msg += d.Message
	}
	if msg == "" {
		return ErrNothingRead
	}
	return errors.Join(ErrNothingRead, errors.New(msg))
}

// Sort orders records by cluster, API and ref, clusters by name and diagnostics by cluster,
// API and message, so that the same account gives the same snapshot.
func (s *Snapshot) Sort() {
	sort.SliceStable(s.Records, func(i, j int) bool {
		a, b := s.Records[i], s.Records[j]
		if a.Cluster != b.Cluster {
			return a.Cluster < b.Cluster
		}
		if a.API != b.API {
			return a.API < b.API
		}
		return a.Ref < b.Ref
	})
	sort.SliceStable(s.Clusters, func(i, j int) bool { return s.Clusters[i].Name < s.Clusters[j].Name })
	sort.SliceStable(s.Diagnostics, func(i, j int) bool {
		a, b := s.Diagnostics[i], s.Diagnostics[j]
		if a.Cluster != b.Cluster {
			return a.Cluster < b.Cluster
		}
		if a.API != b.API {
			return a.API < b.API
		}
		return a.Message < b.Message
	})
}

// state is the snapshot under construction, shared by the collectors' goroutines.
type state struct {
	mu       sync.Mutex
	snap     *Snapshot
	progress func(Event)
	sem      chan struct{} // bounds API calls in flight
}

func newState(opts Options) *state {
	return &state{
		snap: &Snapshot{Version: SnapshotVersion, Tool: Tool{Name: "rolecall", Version: opts.Version},
			Records: []Record{}, Clusters: []ClusterState{}, Diagnostics: []Diagnostic{}, Counts: map[string]int{}},
		progress: opts.Progress,
		sem:      make(chan struct{}, opts.Concurrency),
	}
}

// acquire waits for a free call slot (or ctx's end); release gives it back.
func (s *state) acquire(ctx context.Context) error {
	select {
	case s.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *state) release() { <-s.sem }

// add keeps a record and counts one item of its API.
func (s *state) add(r Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap.Records = append(s.snap.Records, r)
	s.countLocked(r.API, r.Cluster, 1)
}

// count counts n items of api read without a record of their own (list pages, pods).
func (s *state) count(api, cluster string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.countLocked(api, cluster, n)
}

func (s *state) countLocked(api, cluster string, n int) {
	s.snap.Counts[api] += n
	if s.progress != nil {
		s.progress(Event{API: api, Cluster: cluster, Count: s.snap.Counts[api]})
	}
}

// warn keeps a diagnostic (Severity defaults to "warning").
func (s *state) warn(d Diagnostic) {
	if d.Severity == "" {
		d.Severity = "warning"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap.Diagnostics = append(s.snap.Diagnostics, d)
}

// setAccount records sts:GetCallerIdentity's answer.
func (s *state) setAccount(account, caller, partition, region string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap.Account, s.snap.Caller, s.snap.Partition, s.snap.Region = account, caller, partition, region
}

// setCluster records what was read from a cluster's Kubernetes API.
func (s *state) setCluster(c ClusterState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap.Clusters = append(s.snap.Clusters, c)
}
