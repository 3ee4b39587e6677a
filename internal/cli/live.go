package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	ucli "github.com/urfave/cli/v2"

	"github.com/rolecall/rolecall/analyzer/live"
	"github.com/rolecall/rolecall/analyzer/load"
	"github.com/rolecall/rolecall/internal/version"
)

// liveFlags are the flags of every command that can read AWS and Kubernetes live (cli.md).
// --cluster is each command's own flag: it also names the manifests' cluster offline.
func liveFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.BoolFlag{Name: "live", Usage: "read the AWS account of the default credential chain and its EKS clusters (with their kube contexts) instead of, or besides, files"},
		&ucli.StringFlag{Name: "profile", Usage: "AWS `PROFILE` for --live (default: AWS_PROFILE or the default profile)"},
		&ucli.StringFlag{Name: "region", Usage: "AWS `REGION` for --live (default: AWS_REGION or the profile's region)"},
		&ucli.StringFlag{Name: "kubeconfig", Usage: "kubeconfig `FILE` for --live (default: KUBECONFIG or ~/.kube/config)"},
		&ucli.StringFlag{Name: "kube-context", Usage: "read only this kubeconfig `CONTEXT` for --live (default: the context of each EKS cluster, and the current one)"},
		&ucli.DurationFlag{Name: "timeout", Value: live.DefaultTimeout, Usage: "give up collecting after `DURATION` for --live"},
	}
}

// inputFlags are the flags of every command that reads inputs, about how to read them.
func inputFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "stdin-name", Usage: "report standard input (-) as `NAME` in locations, e.g. the chart rendered by helm template"},
		&ucli.StringSliceFlag{Name: "var", Usage: "Terraform variable `NAME=VALUE` for the .tf configurations read (repeatable)"},
		&ucli.StringSliceFlag{Name: "var-file", Usage: "Terraform variables `FILE` (.tfvars or .tfvars.json; repeatable)"},
	}
}

// liveOnly are the flags that mean nothing without --live.
var liveOnly = []string{"profile", "region", "kubeconfig", "kube-context", "timeout"}

// checkLiveFlags refuses live flags without --live: a user who typed --profile expected AWS to be read.
func checkLiveFlags(c *ucli.Context) error {
	if c.Bool("live") {
		return nil
	}
	for _, name := range liveOnly {
		if c.IsSet(name) {
			return usageError(fmt.Errorf("--%s is a live-mode flag: add --live", name))
		}
	}
	return nil
}

func collectCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "collect",
		Usage: "read AWS and Kubernetes live and save one snapshot file that scan, the queries and diff read offline",
		Description: "Reads IAM (get-account-authorization-details, OIDC providers), every EKS cluster in the region\n" +
			"(describe-cluster, access entries and their access policies, Pod Identity associations) and, through\n" +
			"each cluster's kube context, the aws-auth ConfigMap, ServiceAccounts, RBAC, and which ServiceAccounts\n" +
			"running pods use. Secrets and other ConfigMaps are never read; no credential is written.\n" +
			"What cannot be read (a missing permission or context) is a warning, and collection goes on.\n" +
			"docs/iam-policy.json and docs/kubernetes-clusterrole.yaml are the read-only permissions it needs.",
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the snapshot to `FILE` (required)"},
			&ucli.StringSliceFlag{Name: "cluster", Usage: "read only the EKS cluster `NAME` (repeatable; default: every cluster in the region)"},
			&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress and no warnings on stderr"},
		}, liveFlags()...),
		Action: runCollect,
	}
}

func runCollect(c *ucli.Context) error {
	if !c.Bool("live") {
		return usageError(errors.New("collect reads AWS and Kubernetes live: add --live"))
	}
	if c.NArg() > 0 {
		return usageError(fmt.Errorf("collect takes no paths (got %s): it reads live", strings.Join(c.Args().Slice(), " ")))
	}
	out := c.String("output")
	if out == "" {
		return usageError(errors.New("collect needs --output FILE for the snapshot"))
	}
	snap, err := collectLive(c, c.StringSlice("cluster"))
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("encode snapshot: %w", err)}
	}
	// Owner-only: a snapshot maps who can become what in the account.
	err = writeFileAtomic(out, 0o600, func(w io.Writer) error { _, err := w.Write(append(data, '\n')); return err })
	if err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("--output: %w", err)}
	}
	if !c.Bool("quiet") {
		fmt.Fprintf(c.App.ErrWriter, "wrote %s: %d records, %d clusters, %d warnings\n", out, len(snap.Records), len(snap.Clusters), len(snap.Diagnostics))
	}
	return nil
}

// collectLive reads the account and clusters live with the command's flags, showing progress
// on stderr unless --quiet. Nothing read at all is an input error (exit 2).
func collectLive(c *ucli.Context, clusters []string) (*live.Snapshot, error) {
	p := newProgress(c.App.ErrWriter, c.Bool("quiet"))
	snap, err := live.Collect(c.Context, live.Options{
		Profile:     c.String("profile"),
		Region:      c.String("region"),
		Clusters:    clusters,
		Kubeconfig:  c.String("kubeconfig"),
		KubeContext: c.String("kube-context"),
		Timeout:     c.Duration("timeout"),
		Progress:    p.event,
		Version:     version.Version,
	})
	p.done(snap)
	if err != nil {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("--live: %w", err)}
	}
	return snap, nil
}

// liveInputs collects live when --live is set and returns the snapshot as a load input.
func liveInputs(c *ucli.Context, clusters []string) ([]load.LiveInput, error) {
	if err := checkLiveFlags(c); err != nil || !c.Bool("live") {
		return nil, err
	}
	snap, err := collectLive(c, clusters)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(snap)
	if err != nil {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("encode snapshot: %w", err)}
	}
	return []load.LiveInput{{Name: "live", Data: data}}, nil
}

// configPaths are where .rolecall.yaml is looked for: the inputs, or with --live alone the
// current folder.
func configPaths(paths []string) []string {
	if len(paths) == 0 {
		return []string{"."}
	}
	return paths
}

// writeFileAtomic writes path through a temporary file renamed into place, so a reader
// never sees a half-written file. CreateTemp makes the file owner-only; perm sets the mode.
// A symlink is followed, so its target is replaced, not the link. What exists and is not a
// regular file (/dev/null, /dev/stdout, a pipe) is written in place: renaming over it would
// replace the device or pipe with a file.
func writeFileAtomic(path string, perm os.FileMode, write func(io.Writer) error) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return fmt.Errorf("write %s: %w", path, errors.Unwrap(err))
		}
		if err := errors.Join(write(f), f.Close()); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".rolecall-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the temporary file's name means nothing to the user
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	werr := write(tmp)
	merr := tmp.Chmod(perm)
	cerr := tmp.Close()
	if err := errors.Join(werr, merr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// progress shows what collection has read: on a terminal one status line rewritten in place
// (at most ten times a second), otherwise a plain line when an API first answers; both end
// with the counts per API.
type progress struct {
	mu     sync.Mutex
	w      io.Writer
	quiet  bool
	tty    bool
	counts map[string]int
	last   time.Time
	shown  bool
}

func newProgress(w io.Writer, quiet bool) *progress {
	p := &progress{w: w, quiet: quiet, counts: map[string]int{}}
	if f, ok := w.(*os.File); ok {
		p.tty = isatty.IsTerminal(f.Fd())
	}
	return p
}

func (p *progress) event(e live.Event) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	first := p.counts[e.API] == 0
	p.counts[e.API] = e.Count
	switch {
	case p.tty:
		if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
			p.last = now
			p.shown = true
			fmt.Fprintf(p.w, "\r\033[Kreading %s", p.line())
		}
	case first:
		fmt.Fprintf(p.w, "reading %s\n", e.API)
	}
}

// line is the counts per API, in API order.
func (p *progress) line() string {
	apis := make([]string, 0, len(p.counts))
	for a := range p.counts {
		apis = append(apis, a)
	}
	sort.Strings(apis)
	parts := make([]string, len(apis))
	for i, a := range apis {
		parts[i] = fmt.Sprintf("%s %d", a, p.counts[a])
	}
	return strings.Join(parts, " · ")
}

// done ends the status line and prints the counts and the collection's warnings.
func (p *progress) done(s *live.Snapshot) {
	if p.quiet || s == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
	apis := make([]string, 0, len(s.Counts))
	for a := range s.Counts {
		apis = append(apis, a)
	}
	sort.Strings(apis)
	for _, a := range apis {
		fmt.Fprintf(p.w, "read %-45s %d\n", a, s.Counts[a])
	}
}
