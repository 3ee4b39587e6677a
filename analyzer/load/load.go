// Package load reads input files — IAM and EKS CLI/API JSON, bare policy documents,
// Kubernetes manifests and aws-auth mappings — recognises each document by its content,
// dispatches it to the loader for its kind and merges everything into one sorted inventory.
// Problems with inputs become positioned diagnostics; one bad file never stops the others.
package load

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/cfn"
	"github.com/rolecall/rolecall/analyzer/load/eksctl"
	"github.com/rolecall/rolecall/analyzer/load/eksjson"
	"github.com/rolecall/rolecall/analyzer/load/iamjson"
	"github.com/rolecall/rolecall/analyzer/load/terraform"
	"github.com/rolecall/rolecall/analyzer/result"
)

// StdinName is the file name under which the path "-" (standard input) is reported.
const StdinName = "<stdin>"

// Options configure Load.
type Options struct {
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Cluster (--cluster) names the cluster every Kubernetes manifest belongs to.
	Cluster string
	// Clusters are declared by configuration: each is a known cluster, its issuer and
	// authentication mode fill what describe-cluster data leaves empty, and a manifest file it
	// claims belongs to it (unless Cluster is set; the first cluster that claims a file wins).
	Clusters []ClusterConfig
	// StdinName is the name standard input is reported under (--stdin-name: a chart or overlay
	// rendered by helm template or kustomize build); "" means StdinName ("<stdin>").
	StdinName string
	// TerraformVars and TerraformVarFiles are -var NAME=VALUE values and .tfvars files for the
	// Terraform configurations read.
	TerraformVars     []string
	TerraformVarFiles []string
	// OnRead, when set, receives every input file's bytes as read, under its reported name, so
	// a caller can read the text again (inline suppression comments) without a second read.
	OnRead func(name string, data []byte)
	// Live are snapshots collected in memory (scan --live), loaded after the files. They are
	// not files: they are not listed in Inventory.Files, and nothing from them has a position.
	Live []LiveInput
}

// ClusterConfig is a cluster declared in configuration.
type ClusterConfig struct {
	Name string
	// Issuer is the OIDC issuer URL (https://…), "" when not given.
	Issuer string
	// AuthenticationMode is CONFIG_MAP, API_AND_CONFIG_MAP or API; "" when not given.
	AuthenticationMode string
	// Claims reports whether a manifest file (reported name) belongs to the cluster; nil claims none.
	Claims func(file string) bool
	// Source is where the cluster is declared.
	Source inventory.Source
}

// DocLoader is the signature shared by the loaders of one document.
type DocLoader func(doc *docnode.Document, inv *inventory.Inventory) (bool, []result.Diagnostic)

// ManifestLoader loads a document that belongs to a cluster (Kubernetes objects, aws-auth).
type ManifestLoader func(doc *docnode.Document, cluster string, inv *inventory.Inventory) (bool, []result.Diagnostic)

// loaders are the dispatch tables; tests replace manifest loaders to observe cluster resolution.
type loaders struct {
	aws       []DocLoader      // pass 1: AWS data, in order
	manifests []ManifestLoader // pass 2: cluster-scoped data, in order
}

func defaultLoaders() loaders {
	return loaders{
		aws:       []DocLoader{iamjson.Load, eksjson.Load, terraform.LoadPlan, cfn.Load, eksctl.Load},
		manifests: manifestLoaders(),
	}
}

// Load reads paths (files; folders recursively in sorted order, taking only .json, .yaml and
// .yml files inside folders; "-" for opts.Stdin) and returns the merged inventory and the
// diagnostics of every input problem. Paths in the inventory and diagnostics are as the user
// typed them joined with the path inside a folder, with forward slashes.
func Load(ctx context.Context, paths []string, opts Options) (*inventory.Inventory, []result.Diagnostic) {
	return load(ctx, paths, opts, defaultLoaders())
}

// pending is a document no AWS loader recognised, kept for pass 2.
type pending struct {
	file string
	docs []*docnode.Document
}

func load(ctx context.Context, paths []string, opts Options, l loaders) (*inventory.Inventory, []result.Diagnostic) {
	inv := &inventory.Inventory{}
	var diags []result.Diagnostic
	var later []pending

	files, walkDiags := collect(paths, cmp.Or(opts.StdinName, StdinName))
	diags = append(diags, walkDiags...)
	var tfFiles []terraform.File
	ahead := readAhead(ctx, files, opts.Stdin)
	defer ahead.stop()
	for i, f := range files {
		r := ahead.get(i)
		if isTerraform(f.name) && !f.stdin {
			// A Terraform module is its folder's .tf files together: read at the end of pass 1.
			tfFiles = append(tfFiles, terraform.File{Name: f.name, Path: f.path})
			continue
		}
		if err := ctx.Err(); err != nil {
			diags = append(diags, result.Diagnostic{Severity: result.DiagError, Message: "loading stopped: " + err.Error()})
			break
		}
		if r.err != nil {
			diags = append(diags, result.Diagnostic{Severity: result.DiagError, File: f.name, Message: r.err.Error()})
			continue
		}
		inv.Files = append(inv.Files, f.name)
		if opts.OnRead != nil {
			opts.OnRead(f.name, r.data)
		}
		if r.perr != nil {
			diags = append(diags, *r.perr)
			continue
		}
		var rest []*docnode.Document
		for _, doc := range r.docs {
			if isSnapshot(doc) {
				diags = append(diags, loadSnapshot(doc, inv, l, false)...)
				continue
			}
			recognized := false
			for _, fn := range l.aws {
				ok, ds := fn(doc, inv)
				diags = append(diags, ds...)
				if ok {
					recognized = true
					break
				}
			}
			if !recognized {
				rest = append(rest, doc)
			}
		}
		if len(rest) > 0 {
			later = append(later, pending{file: f.name, docs: rest})
		}
	}

	for _, li := range opts.Live {
		if err := ctx.Err(); err != nil {
			diags = append(diags, result.Diagnostic{Severity: result.DiagError, Message: "loading stopped: " + err.Error()})
			break
		}
		diags = append(diags, loadLive(li, inv, l)...)
	}

	if len(tfFiles) > 0 {
		diags = append(diags, terraform.LoadConfig(tfFiles, terraform.Options{
			Vars: opts.TerraformVars, VarFiles: opts.TerraformVarFiles, OnRead: opts.OnRead}, inv)...)
	}

	// Pass 2: every cluster is known now, so manifests can be placed in theirs.
	for _, c := range opts.Clusters {
		inv.Clusters = append(inv.Clusters, &inventory.Cluster{ID: inventory.ClusterID(c.Name), Name: c.Name,
			Issuer: c.Issuer, AuthenticationMode: c.AuthenticationMode, Source: c.Source})
	}
	known := knownClusters(inv)
	for _, p := range later {
		cluster, why := resolveCluster(p.file, opts.Cluster, known)
		if c, w, ok := claimedBy(p.file, opts.Cluster, opts.Clusters); ok {
			cluster, why = c, w
		}
		warned := false
		for _, doc := range p.docs {
			for _, fn := range l.manifests {
				ok, ds := fn(doc, cluster, inv)
				diags = append(diags, ds...)
				if !ok {
					continue
				}
				if why != "" && !warned {
					warned = true
					diags = append(diags, result.Diagnostic{
						Severity: result.DiagWarning, File: p.file,
						Line: doc.Root.Line, Column: doc.Root.Column, Message: why,
					})
				}
				break
			}
		}
	}

	diags = append(diags, finish(inv)...)
	// Report by file and position; diagnostics of one place keep the order they were found in.
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i], diags[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return inv, diags
}

// read is one file read and parsed.
type read struct {
	data []byte
	err  error // reading
	docs []*docnode.Document
	perr *result.Diagnostic // parsing
}

// ahead reads and parses files on every core, a bounded window ahead of the loop that loads
// them in order: parsing is most of the loading time, and loading in file order keeps the
// inventory and the diagnostics as a sequential read gives them.
//
// The window is in files, and wide: files differ in size by orders of magnitude (one account's
// authorization details, then hundreds of small manifests), and a narrow window leaves cores
// idle behind a large file. It bounds little memory anyway: manifests wait for pass 2.
type ahead struct {
	results []chan read
	window  chan struct{}
	done    chan struct{}
}

const readAheadFiles = 64

func readAhead(ctx context.Context, files []input, stdin io.Reader) *ahead {
	workers := min(runtime.GOMAXPROCS(0), len(files))
	a := &ahead{results: make([]chan read, len(files)), window: make(chan struct{}, readAheadFiles), done: make(chan struct{})}
	for i := range a.results {
		a.results[i] = make(chan read, 1)
	}
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range files {
			select {
			case a.window <- struct{}{}:
			case <-a.done:
				return
			}
			select {
			case next <- i:
			case <-a.done:
				return
			}
		}
	}()
	for range workers {
		go func() {
			for i := range next {
				f := files[i]
				var r read
				// Terraform files are read with their module; a stopped load reads no more.
				if (!isTerraform(f.name) || f.stdin) && ctx.Err() == nil {
					if r.data, r.err = f.read(stdin); r.err == nil {
						r.docs, r.perr = parse(f.name, r.data)
					}
				}
				a.results[i] <- r
			}
		}()
	}
	return a
}

// get waits for file i, whose turn it is.
func (a *ahead) get(i int) read {
	r := <-a.results[i]
	<-a.window
	return r
}

// stop ends the reading of files the loop will not take.
func (a *ahead) stop() { close(a.done) }

// parse wraps docnode.Parse, turning its error into a positioned diagnostic.
func parse(file string, data []byte) (docs []*docnode.Document, diag *result.Diagnostic) {
	defer func() {
		// docnode and yaml.v3 are not expected to panic, but one odd file must not stop the run.
		if r := recover(); r != nil {
			docs, diag = nil, &result.Diagnostic{Severity: result.DiagError, File: file, Line: 1, Column: 1,
				Message: fmt.Sprintf("cannot parse file: %v", r)}
		}
	}()
	docs, err := docnode.Parse(file, data)
	if err == nil {
		return docs, nil
	}
	d := result.Diagnostic{Severity: result.DiagError, File: file, Line: 1, Column: 1, Message: err.Error()}
	var pe *docnode.PosError
	if errors.As(err, &pe) {
		d.Line, d.Column, d.Message = max(pe.Line, 1), max(pe.Column, 1), pe.Msg
	}
	return nil, &d
}

// input is one file to read.
type input struct {
	name  string // as reported
	path  string // on disk; "" for stdin
	stdin bool
}

func (in input) read(stdin io.Reader) ([]byte, error) {
	if in.stdin {
		if stdin == nil {
			return nil, errors.New("no standard input to read for \"-\"")
		}
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(in.path)
	if err != nil {
		return nil, fmt.Errorf("read: %w", unwrapPath(err))
	}
	return b, nil
}

// unwrapPath drops the *PathError wrapper, whose path the diagnostic already shows.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ConfigFileName is rolecall's configuration file; found in a folder, it is not an input.
const ConfigFileName = ".rolecall.yaml"

// inFolder reports whether a file found while walking a folder is an input candidate.
func inFolder(name string) bool {
	if name == ConfigFileName {
		return false
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json", ".yaml", ".yml", ".tf":
		return true
	}
	return false
}

// isTerraform reports whether a file is Terraform configuration (HCL).
func isTerraform(name string) bool { return strings.EqualFold(filepath.Ext(name), ".tf") }

// collect expands paths into files. An explicitly named file is read whatever its extension;
// folders are walked recursively in lexical order, skipping hidden folders (.git, …) and not
// following symbolic links to folders. The same file named twice is read once.
func collect(paths []string, stdinName string) ([]input, []result.Diagnostic) {
	var out []input
	var diags []result.Diagnostic
	seen := map[string]bool{}
	add := func(in input) {
		key := in.name
		if !in.stdin {
			if abs, err := filepath.Abs(in.path); err == nil {
				key = abs
			}
		}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, in)
	}
	for _, p := range paths {
		if p == "-" {
			add(input{name: stdinName, stdin: true})
			continue
		}
		shown := filepath.ToSlash(p)
		st, err := os.Stat(p)
		if err != nil {
			diags = append(diags, result.Diagnostic{Severity: result.DiagError, File: shown,
				Message: "cannot read input: " + unwrapPath(err).Error()})
			continue
		}
		if !st.IsDir() {
			add(input{name: shown, path: p})
			continue
		}
		err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
			rel, rerr := filepath.Rel(p, fp)
			if rerr != nil {
				rel = fp
			}
			name := joinShown(shown, filepath.ToSlash(rel))
			if err != nil {
				diags = append(diags, result.Diagnostic{Severity: result.DiagError, File: name,
					Message: "cannot read input: " + unwrapPath(err).Error()})
				if d != nil && d.IsDir() && fp != p {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if fp != p && strings.HasPrefix(d.Name(), ".") {
					return fs.SkipDir
				}
				return nil
			}
			if !inFolder(d.Name()) {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				if fi, serr := os.Stat(fp); serr != nil || !fi.Mode().IsRegular() {
					return nil
				}
			} else if !d.Type().IsRegular() {
				return nil
			}
			add(input{name: name, path: fp})
			return nil
		})
		if err != nil {
			diags = append(diags, result.Diagnostic{Severity: result.DiagError, File: shown, Message: "cannot walk folder: " + err.Error()})
		}
	}
	return out, diags
}

// joinShown joins a folder as the user typed it with a relative path inside it.
func joinShown(root, rel string) string {
	if rel == "." {
		return root
	}
	if strings.HasSuffix(root, "/") {
		return root + rel
	}
	return root + "/" + rel
}

// knownClusters lists the names of clusters known from AWS data: described or listed
// clusters, and the clusters named by access entries and Pod Identity associations.
func knownClusters(inv *inventory.Inventory) []string {
	set := map[string]bool{}
	for _, c := range inv.Clusters {
		set[c.Name] = true
	}
	for _, e := range inv.AccessEntries {
		set[e.Cluster] = true
	}
	for _, p := range inv.PodIdentity {
		set[p.Cluster] = true
	}
	delete(set, "")
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// claimedBy is the configured cluster whose manifest globs claim file (unless --cluster is
// set); why warns when several clusters claim it.
func claimedBy(file, flag string, clusters []ClusterConfig) (cluster, why string, ok bool) {
	if flag != "" {
		return "", "", false
	}
	var names []string
	for _, c := range clusters {
		if c.Claims != nil && c.Claims(file) {
			names = append(names, c.Name)
		}
	}
	switch len(names) {
	case 0:
		return "", "", false
	case 1:
		return names[0], "", true
	}
	return names[0], fmt.Sprintf("the manifests globs of clusters %s all match this file; its objects are assigned to %s, the first in the configuration",
		strings.Join(names, ", "), names[0]), true
}

// resolveCluster chooses the cluster of the manifests in file: --cluster; else the only
// known cluster; else the known cluster named like a folder on the file's path (the nearest
// folder wins); else the unnamed cluster "" — with a warning (why) when clusters are known
// but none matches, since the manifests' service accounts are then checked against every
// EKS provider a role trusts.
func resolveCluster(file, flag string, known []string) (cluster, why string) {
	if flag != "" {
		return flag, ""
	}
	switch len(known) {
	case 0:
		return "", ""
	case 1:
		return known[0], ""
	}
	dirs := strings.Split(file, "/")
	dirs = dirs[:len(dirs)-1]
	for i := len(dirs) - 1; i >= 0; i-- {
		for _, k := range known {
			if dirs[i] == k {
				return k, ""
			}
		}
	}
	return "", fmt.Sprintf("cannot tell which cluster this file belongs to: clusters %s are known and no folder on its path is named like one; "+
		"its objects are assigned to the unnamed cluster (use --cluster NAME, or put the file in a folder named after the cluster)",
		strings.Join(known, ", "))
}
