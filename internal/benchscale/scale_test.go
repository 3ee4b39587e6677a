package benchscale

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/analyzer"
	"github.com/rolecall/rolecall/analyzer/graph"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load"
	"github.com/rolecall/rolecall/analyzer/policy"
	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/gen"
	"github.com/rolecall/rolecall/internal/report"
)

// seed fixes the generated environments, so runs on different days compare.
const seed = 1

var sizes = []struct {
	name  string
	roles int
}{{"1k", 1000}, {"5k", 5000}, {"20k", 20000}}

// cacheRoot holds the generated environments of this process: generated once per size, shared
// by -count repetitions, removed by TestMain.
var (
	cacheRoot string
	cacheMu   sync.Mutex
	cached    = map[gen.Spec]string{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	if cacheRoot != "" {
		os.RemoveAll(cacheRoot)
	}
	os.Exit(code)
}

// inputs returns the folder of the environment of spec, generating it on first use.
func inputs(b *testing.B, spec gen.Spec) string {
	b.Helper()
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if dir, ok := cached[spec]; ok {
		return dir
	}
	if cacheRoot == "" {
		var err error
		if cacheRoot, err = os.MkdirTemp("", "rolecall-benchscale-"); err != nil {
			b.Fatal(err)
		}
	}
	dir := filepath.Join(cacheRoot, fmt.Sprintf("roles-%d-seed-%d", spec.Roles, spec.Seed))
	if _, err := gen.Write(dir, spec); err != nil {
		b.Fatal(err)
	}
	cached[spec] = dir
	return dir
}

var compiled = sync.OnceValues(func() (*policy.Engine, error) { return analyzer.NewEngine(context.Background(), nil) })

// cost is one stage's time and allocated bytes per operation.
type cost struct{ ns, bytes float64 }

// loop runs f as the benchmark's body and returns its cost per operation.
func loop(b *testing.B, f func()) cost {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		f()
	}
	runtime.ReadMemStats(&after)
	n := float64(b.N)
	return cost{ns: float64(b.Elapsed().Nanoseconds()) / n, bytes: float64(after.TotalAlloc-before.TotalAlloc) / n}
}

// floorOnce measures one parse floor outside a benchmark loop.
func floorOnce(b *testing.B, dir string) cost {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	if _, err := ParseFloor(dir); err != nil {
		b.Fatal(err)
	}
	ns := time.Since(start).Nanoseconds()
	runtime.ReadMemStats(&after)
	return cost{ns: float64(ns), bytes: float64(after.TotalAlloc - before.TotalAlloc)}
}

// BenchmarkScale scans generated environments of 1k, 5k and 20k roles (4 ServiceAccounts per
// role; see internal/gen) stage by stage, with the parse floor of the same files measured in
// the same run:
//
//	parse-floor  ParseFloor: read and decode every file with the standard decoders
//	load         load.Load: the inventory
//	build        policy.Build: IAM evaluation and the rules' input document, graph included
//	graph        graph.Build alone (part of build)
//	rego         Engine.Eval: input conversion and rule evaluation
//	rego-live    Engine.Eval with every cluster complete and its pods read, as live mode gives
//	report       the JSON report of the scan
//	full         analyzer.Run with compiled rules (what a CLI run adds is the compilation)
//
// Every stage reports ns/role and B/role; full also reports x-floor and x-floor-B, its time
// and allocated bytes over the parse floor's. scripts/check-bench.sh checks the targets. Run
// with -benchtime 1x: at 20k one operation is seconds.
func BenchmarkScale(b *testing.B) {
	engine, err := compiled()
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range sizes {
		b.Run(size.name, func(b *testing.B) {
			spec := gen.Spec{Roles: size.roles, Seed: seed}.WithDefaults()
			dir := inputs(b, spec)
			ctx := b.Context()
			roles := float64(spec.Roles)
			perRole := func(b *testing.B, c cost) {
				b.ReportMetric(c.ns/roles, "ns/role")
				b.ReportMetric(c.bytes/roles, "B/role")
			}

			var floor cost // set by parse-floor, or by full when -bench filtered parse-floor out
			b.Run("parse-floor", func(b *testing.B) {
				floor = loop(b, func() {
					if _, err := ParseFloor(dir); err != nil {
						b.Fatal(err)
					}
				})
				perRole(b, floor)
			})

			var inv *inventory.Inventory
			b.Run("load", func(b *testing.B) {
				c := loop(b, func() {
					var diags []result.Diagnostic
					inv, diags = load.Load(ctx, []string{dir}, load.Options{})
					if len(diags) > 0 {
						b.Fatalf("%d diagnostics, first: %s", len(diags), diags[0].Error())
					}
				})
				perRole(b, c)
			})
			if inv == nil { // load filtered out
				inv, _ = load.Load(ctx, []string{dir}, load.Options{})
			}

			var input *policy.Input
			b.Run("build", func(b *testing.B) {
				perRole(b, loop(b, func() { input, _ = policy.Build(inv, policy.BuildOptions{}) }))
			})
			if input == nil {
				input, _ = policy.Build(inv, policy.BuildOptions{})
			}
			b.Run("graph", func(b *testing.B) {
				perRole(b, loop(b, func() { graph.Build(inv, graph.Options{KnownAccounts: input.KnownAccounts}) }))
			})
			b.Run("rego", func(b *testing.B) {
				perRole(b, loop(b, func() {
					if _, err := engine.Eval(ctx, input); err != nil {
						b.Fatal(err)
					}
				}))
			})

			var scan *result.Scan
			b.Run("full", func(b *testing.B) {
				c := loop(b, func() {
					var err error
					if scan, err = analyzer.Run(ctx, analyzer.Options{Paths: []string{dir}, Engine: engine}); err != nil {
						b.Fatal(err)
					}
				})
				if scan.Summary.Roles != spec.Roles || scan.Summary.ServiceAccounts != spec.ServiceAccounts {
					b.Fatalf("scanned %d roles and %d ServiceAccounts, want %d and %d", scan.Summary.Roles, scan.Summary.ServiceAccounts, spec.Roles, spec.ServiceAccounts)
				}
				perRole(b, c)
				if floor.ns == 0 {
					floor = floorOnce(b, dir)
				}
				b.ReportMetric(c.ns/floor.ns, "x-floor")
				b.ReportMetric(c.bytes/floor.bytes, "x-floor-B")
			})
			if scan == nil {
				var err error
				if scan, err = analyzer.Run(ctx, analyzer.Options{Paths: []string{dir}, Engine: engine}); err != nil {
					b.Fatal(err)
				}
			}
			// rego-live: the inventory as a live snapshot gives it (every cluster's
			// ServiceAccounts and pods read), so the rules comparing trusts with the clusters'
			// ServiceAccounts run in full; none may scan ServiceAccounts per role.
			b.Run("rego-live", func(b *testing.B) {
				live, _ := policy.Build(liveInventory(inv), policy.BuildOptions{})
				perRole(b, loop(b, func() {
					if _, err := engine.Eval(ctx, live); err != nil {
						b.Fatal(err)
					}
				}))
			})
			b.Run("report", func(b *testing.B) {
				f, err := report.New(report.FormatJSON, report.Options{})
				if err != nil {
					b.Fatal(err)
				}
				perRole(b, loop(b, func() {
					if err := f.Format(io.Discard, scan); err != nil {
						b.Fatal(err)
					}
				}))
			})
		})
	}
}

// liveInventory is a copy of inv whose clusters are complete and had their pods read, with
// two ServiceAccounts in three used by a pod.
func liveInventory(inv *inventory.Inventory) *inventory.Inventory {
	live := *inv
	live.Clusters = nil
	for _, c := range inv.Clusters {
		cl := *c
		cl.ServiceAccountsComplete, cl.PodsRead, cl.PodServiceAccounts = true, true, nil
		for i, sa := range inv.ServiceAccounts {
			if sa.Cluster == c.Name && i%3 != 0 {
				cl.PodServiceAccounts = append(cl.PodServiceAccounts, sa.Namespace+"/"+sa.Name)
			}
		}
		slices.Sort(cl.PodServiceAccounts)
		live.Clusters = append(live.Clusters, &cl)
	}
	return &live
}
