package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/rolecall/rolecall/analyzer"
	"github.com/rolecall/rolecall/analyzer/policy"
	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/report"
	"github.com/rolecall/rolecall/internal/version"
)

// DiffJSONVersion is the "version" of the diff JSON document; bump it on any incompatible change.
const DiffJSONVersion = 1

func diffCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "diff",
		Usage: "compare two sets of inputs: findings added and removed, and effective access gained and lost",
		Description: "OLD and NEW are each a path to scan (a folder or file: two checkouts, two snapshots).\n" +
			"Findings are matched by fingerprint; access is compared on the assume graph: edges gained and\n" +
			"lost, and the principals that gained or lost a path to cluster-admin or AWS admin.\n" +
			"Exit 1 when NEW adds a finding at or above --fail-on or gains a path to an admin sink\n" +
			"(--fail-on none: never), 2 when an input cannot be read.",
		ArgsUsage: "OLD NEW",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: report.FormatText, Usage: "output format: text, json"},
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` instead of stdout"},
			&ucli.StringFlag{Name: "fail-on", Value: "medium",
				Usage: "exit 1 when an added finding is at or above this severity: " + strings.Join(result.FailOnValues(), ", ")},
			&ucli.StringFlag{Name: "config", Usage: "configuration `FILE` for both sides (default: the .rolecall.yaml found upward from each side)"},
			&ucli.StringSliceFlag{Name: "policy", Usage: "extra Rego rules from `DIR` (repeatable)"},
			&ucli.StringSliceFlag{Name: "disable", Usage: "do not report `RULE` (id or name; repeatable)"},
			&ucli.StringFlag{Name: "cluster", Usage: "the EKS cluster `NAME` the manifests belong to"},
			&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing but the report and errors"},
		},
		Action: runDiff,
	}
}

type diffSide struct {
	path string
	cfg  *config
	snap *analyzer.Snapshot
}

func runDiff(c *ucli.Context) error {
	format := c.String("format")
	if format != report.FormatText && format != report.FormatJSON {
		return usageError(fmt.Errorf("--format: unknown format %q (want text or json)", format))
	}
	failOn, err := result.ParseSeverity(c.String("fail-on"))
	if err != nil {
		return usageError(fmt.Errorf("--fail-on: %w", err))
	}
	if c.NArg() != 2 {
		return usageError(fmt.Errorf("diff needs two paths, OLD and NEW (got %d)", c.NArg()))
	}
	sides := []*diffSide{{path: c.Args().Get(0)}, {path: c.Args().Get(1)}}
	for _, s := range sides {
		if s.path == "-" {
			return usageError(fmt.Errorf("diff cannot read stdin: give OLD and NEW as files or folders"))
		}
		if s.cfg, err = loadConfig(c.String("config"), []string{s.path}); err != nil {
			return usageError(err)
		}
	}
	// Both sides are judged by the same rules: --policy and the NEW side's configured rule
	// folders (the rules the change will be held to).
	engine, err := newEngine(c, append(c.StringSlice("policy"), sides[1].cfg.Policy...))
	if err != nil {
		return err
	}
	inputErrors := false
	for _, s := range sides {
		cfg := s.cfg
		if err := cfg.validate(engine.Rules()); err != nil {
			return usageError(err)
		}
		opts := analyzer.Options{
			Engine:   engine,
			Paths:    []string{s.path},
			Cluster:  c.String("cluster"),
			Disabled: append(cfg.Disable, c.StringSlice("disable")...),
			Accounts: cfg.Accounts,
			Version:  version.Version,
		}
		cfg.configure(c.Context, &opts) // as scan does
		s.snap, err = analyzer.TakeSnapshot(c.Context, opts)
		if err != nil {
			return &exitError{code: ExitError, err: err}
		}
		if err := cfg.apply(s.snap.Scan); err != nil {
			return usageError(err)
		}
		for _, d := range s.snap.Scan.Diagnostics {
			if d.Severity == result.DiagError {
				inputErrors = true
			}
			if d.Severity == result.DiagError || !c.Bool("quiet") {
				fmt.Fprintf(c.App.ErrWriter, "%s: %s\n", d.Severity, d.Error())
			}
		}
	}
	d := &diffReport{
		old: sides[0], new: sides[1],
		findings: analyzer.DiffFindings(sides[0].snap.Scan, sides[1].snap.Scan),
		access:   analyzer.DiffAccess(sides[0].snap, sides[1].snap),
	}
	write := d.text
	if format == report.FormatJSON {
		write = d.json
	}
	if err := writeAnswer(c, write); err != nil {
		return err
	}
	added := &result.Scan{Findings: d.findings.Added}
	switch {
	case inputErrors:
		return &exitError{code: ExitError}
	case failOn == result.SeverityNone:
	case added.FailsAt(failOn) || len(d.access.PathsGained) > 0:
		return &exitError{code: ExitFindings}
	}
	return nil
}

type diffReport struct {
	old, new *diffSide
	findings analyzer.FindingsDiff
	access   analyzer.AccessDiff
}

// ---- text ----

func (d *diffReport) text(w io.Writer) error {
	ew := &textWriter{w: w}
	d.textFindings(ew, "Findings added", "+", d.findings.Added)
	d.textFindings(ew, "Findings removed", "-", d.findings.Removed)
	d.textAccess(ew, "Access gained", "+", d.access.PathsGained, d.access.EdgesGained)
	d.textAccess(ew, "Access lost", "-", d.access.PathsLost, d.access.EdgesLost)
	ew.section(d.summaryLine())
	return ew.err
}

func (d *diffReport) textFindings(ew *textWriter, title, mark string, fs []result.Finding) {
	if len(fs) == 0 {
		return
	}
	ew.section(fmt.Sprintf("%s (%d)", title, len(fs)))
	for _, f := range fs {
		ew.printf("%s %-8s  %s  %s\n", mark, strings.ToUpper(f.Severity.String()), f.RuleID, f.Title)
		ew.printf("%s\n", indentText(f.Message, "    "))
		ew.printf("    at %s\n", f.Primary())
	}
}

func (d *diffReport) textAccess(ew *textWriter, title, mark string, paths []analyzer.PathChange, edges []analyzer.EdgeChange) {
	if len(paths) == 0 && len(edges) == 0 {
		return
	}
	ew.section(title)
	for _, p := range paths {
		ew.printf("%s admin path: %s\n", mark, p.Description())
		for i, e := range p.Edges {
			ew.printf("    %d. -[%s]-> %s  (%s)\n", i+1, e.Mechanism, p.Labels[i+1], p.Locations[i])
		}
	}
	for _, e := range edges {
		// The edge's reason (which statement, mapping or binding allows it) is in the JSON.
		ew.printf("%s edge: %s -[%s]-> %s\n    at %s\n", mark, e.FromLabel, e.Edge.Mechanism, e.ToLabel, e.Location)
	}
}

func (d *diffReport) summaryLine() string {
	return fmt.Sprintf("%s added, %d removed; %s gained, %d lost; %s gained, %d lost",
		countNoun(len(d.findings.Added), "finding"), len(d.findings.Removed),
		countNoun(len(d.access.PathsGained), "admin path"), len(d.access.PathsLost),
		countNoun(len(d.access.EdgesGained), "edge"), len(d.access.EdgesLost))
}

func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func indentText(s, prefix string) string {
	s = strings.TrimRight(s, "\n")
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// textWriter remembers the first write error.
type textWriter struct {
	w       io.Writer
	err     error
	started bool
}

// section starts a block, after a blank line unless it is the first.
func (t *textWriter) section(title string) {
	if t.started {
		t.printf("\n")
	}
	t.started = true
	t.printf("%s\n", title)
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

// ---- JSON ----

// diffJSON is the stable shape of `rolecall diff --format json`.
type diffJSON struct {
	Version  int          `json:"version"`
	Tool     result.Tool  `json:"tool"`
	Old      diffSideJSON `json:"old"`
	New      diffSideJSON `json:"new"`
	Findings struct {
		// Added and Removed hold finding objects exactly as `scan --format json` writes them.
		Added   json.RawMessage `json:"added"`
		Removed json.RawMessage `json:"removed"`
	} `json:"findings"`
	Access struct {
		AdminPaths struct {
			Gained []pathJSON `json:"gained"`
			Lost   []pathJSON `json:"lost"`
		} `json:"admin_paths"`
		Edges struct {
			Gained []edgeJSON `json:"gained"`
			Lost   []edgeJSON `json:"lost"`
		} `json:"edges"`
	} `json:"access"`
	Summary diffSummaryJSON `json:"summary"`
}

type diffSideJSON struct {
	Path        string              `json:"path"`
	Findings    int                 `json:"findings"`
	Diagnostics []result.Diagnostic `json:"diagnostics"`
}

type pathJSON struct {
	From        string    `json:"from"`
	FromKind    string    `json:"from_kind"`
	FromLabel   string    `json:"from_label"`
	To          string    `json:"to"`
	ToKind      string    `json:"to_kind"`
	ToLabel     string    `json:"to_label"`
	Description string    `json:"description"`
	Hops        []hopJSON `json:"hops"`
}

type hopJSON struct {
	Edge      string          `json:"edge"`
	Mechanism string          `json:"mechanism"`
	To        string          `json:"to"`
	ToLabel   string          `json:"to_label"`
	Location  result.Location `json:"location"`
}

type edgeJSON struct {
	ID        string          `json:"id"`
	From      string          `json:"from"`
	FromLabel string          `json:"from_label"`
	To        string          `json:"to"`
	ToLabel   string          `json:"to_label"`
	Mechanism string          `json:"mechanism"`
	Reason    string          `json:"reason"`
	DependsOn []string        `json:"depends_on,omitempty"`
	Location  result.Location `json:"location"`
}

type diffSummaryJSON struct {
	FindingsAdded    int `json:"findings_added"`
	FindingsRemoved  int `json:"findings_removed"`
	AdminPathsGained int `json:"admin_paths_gained"`
	AdminPathsLost   int `json:"admin_paths_lost"`
	EdgesGained      int `json:"edges_gained"`
	EdgesLost        int `json:"edges_lost"`
}

func (d *diffReport) json(w io.Writer) error {
	doc := diffJSON{
		Version: DiffJSONVersion,
		Tool:    result.Tool{Name: "rolecall", Version: version.Version},
		Old:     sideJSON(d.old),
		New:     sideJSON(d.new),
	}
	var err error
	if doc.Findings.Added, err = findingsJSON(d.findings.Added); err != nil {
		return err
	}
	if doc.Findings.Removed, err = findingsJSON(d.findings.Removed); err != nil {
		return err
	}
	doc.Access.AdminPaths.Gained = pathsJSON(d.access.PathsGained)
	doc.Access.AdminPaths.Lost = pathsJSON(d.access.PathsLost)
	doc.Access.Edges.Gained = edgesJSON(d.access.EdgesGained)
	doc.Access.Edges.Lost = edgesJSON(d.access.EdgesLost)
	doc.Summary = diffSummaryJSON{
		FindingsAdded: len(d.findings.Added), FindingsRemoved: len(d.findings.Removed),
		AdminPathsGained: len(d.access.PathsGained), AdminPathsLost: len(d.access.PathsLost),
		EdgesGained: len(d.access.EdgesGained), EdgesLost: len(d.access.EdgesLost),
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func sideJSON(s *diffSide) diffSideJSON {
	out := diffSideJSON{Path: s.path, Diagnostics: []result.Diagnostic{}}
	for _, f := range s.snap.Scan.Findings {
		if f.Suppression == nil {
			out.Findings++
		}
	}
	out.Diagnostics = append(out.Diagnostics, s.snap.Scan.Diagnostics...)
	return out
}

// findingsJSON renders findings with the scan JSON formatter and keeps its "findings" array,
// so a diff's finding objects are exactly those of `scan --format json`.
func findingsJSON(fs []result.Finding) (json.RawMessage, error) {
	f, err := report.New(report.FormatJSON, report.Options{})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Format(&buf, &result.Scan{Findings: fs}); err != nil {
		return nil, err
	}
	var doc struct {
		Findings json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		return nil, err
	}
	return doc.Findings, nil
}

func pathsJSON(ps []analyzer.PathChange) []pathJSON {
	out := []pathJSON{}
	for _, p := range ps {
		pj := pathJSON{
			From: p.Source.ID, FromKind: string(p.Source.Kind), FromLabel: p.Labels[0],
			To: p.Sink.ID, ToKind: string(p.Sink.Kind), ToLabel: p.Labels[len(p.Labels)-1],
			Description: p.Description(), Hops: []hopJSON{},
		}
		for i, e := range p.Edges {
			pj.Hops = append(pj.Hops, hopJSON{Edge: e.ID, Mechanism: string(e.Mechanism), To: e.To, ToLabel: p.Labels[i+1], Location: p.Locations[i]})
		}
		out = append(out, pj)
	}
	return out
}

func edgesJSON(es []analyzer.EdgeChange) []edgeJSON {
	out := []edgeJSON{}
	for _, e := range es {
		out = append(out, edgeJSON{
			ID: e.Edge.ID, From: e.Edge.From, FromLabel: e.FromLabel, To: e.Edge.To, ToLabel: e.ToLabel,
			Mechanism: string(e.Edge.Mechanism), Reason: e.Edge.Reason, DependsOn: e.Edge.DependsOn, Location: e.Location,
		})
	}
	return out
}

// newEngine compiles the built-in rules and the --policy directories; a directory's files are
// named by the directory as given, so errors in user rules point at the user's files.
func newEngine(c *ucli.Context, dirs []string) (*policy.Engine, error) {
	e, err := analyzer.NewEngineDirs(c.Context, dirs)
	if err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	return e, nil
}
