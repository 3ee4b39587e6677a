// Package policy compiles rolecall's Rego rules (built-in and --policy user rules), builds the rule
// catalog from their # METADATA, and evaluates the single entrypoint against the input
// document defined in input.go.
package policy

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/rolecall/rolecall/analyzer/result"
)

// Query is the single entrypoint every scan evaluates (rules/main.rego). The same query works
// with `opa eval -d rules -i input.json 'data.rolecall.main.findings'`.
const Query = "data.rolecall.main.findings"

// deniedBuiltins are left out of the compiler's capabilities (in addition to every builtin OPA
// marks non-deterministic): rules must be pure functions of their input — no network, no
// clock, no randomness — so that `opa eval`, `opa test` and a scan agree.
var deniedBuiltins = map[string]bool{
	"http.send":          true,
	"net.lookup_ip_addr": true,
	"time.now_ns":        true,
	"rand.intn":          true,
	"uuid.rfc4122":       true,
	"opa.runtime":        true,
	// These read the clock when verifying validity periods.
	"io.jwt.decode_verify":                                   true,
	"crypto.x509.parse_and_verify_certificates":              true,
	"crypto.x509.parse_and_verify_certificates_with_options": true,
}

// Capabilities returns the builtins rules may use: this OPA version's capabilities minus the
// network, clock and randomness builtins.
func Capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	c.Builtins = slices.DeleteFunc(c.Builtins, func(b *ast.Builtin) bool {
		return b.Nondeterministic || deniedBuiltins[b.Name]
	})
	return c
}

// Option configures New.
type Option func(*options)

type options struct {
	user []source
}

// source is one tree of .rego files: the built-in rules or a user --policy directory.
type source struct {
	// name is how files of this source are shown in messages ("" for built-ins: their paths
	// are shown as they are inside the FS).
	name string
	fsys fs.FS
	user bool
}

// WithUserRules adds user rule trees (`--policy DIR`, typically os.DirFS(DIR)). They follow the
// built-in contract (package rolecall.rules.<slug>, # METADATA with custom id/name/severity/…),
// except that their ids must not start with the reserved "RC" prefix. Their files are shown as
// policy1/…, policy2/… in messages; use WithNamedUserRules to show the directory instead.
func WithUserRules(fsys ...fs.FS) Option {
	return func(o *options) {
		for _, f := range fsys {
			o.user = append(o.user, source{fsys: f, user: true})
		}
	}
}

// WithNamedUserRules adds one user rule tree whose files are shown as name/… in messages
// (name is normally the --policy directory as given).
func WithNamedUserRules(name string, fsys fs.FS) Option {
	return func(o *options) {
		o.user = append(o.user, source{name: name, fsys: fsys, user: true})
	}
}

// Engine is the compiled rule set with its catalog and prepared entrypoint query.
type Engine struct {
	rules  []result.Rule
	bySlug map[string]int
	query  rego.PreparedEvalQuery
}

// RawFinding is one finding as a rule produced it (before IDs are resolved to locations).
type RawFinding struct {
	// Rule is the slug of the rule package (rolecall.rules.<slug>).
	Rule string `json:"rule"`
	Msg  string `json:"msg"`
	// Cause are evidence IDs; the first is the primary location.
	Cause  []string `json:"cause"`
	Target string   `json:"target"`
	// Subject is "" when the rule names none.
	Subject string `json:"subject,omitempty"`
	// Path is the chain of edge IDs for multi-hop findings.
	Path []string `json:"path,omitempty"`
}

// New loads every *.rego file of fsys (recursively; *_test.rego files are skipped) and of the
// user rule trees given as options, compiles them once with the restricted capabilities,
// builds and validates the rule catalog, and prepares the entrypoint query.
func New(ctx context.Context, fsys fs.FS, opts ...Option) (*Engine, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	sources := append([]source{{fsys: fsys}}, o.user...)

	modules := map[string]*ast.Module{}
	var loaded []loadedModule
	display := map[string]string{} // load prefix → display name
	var errs []string
	for i, src := range sources {
		prefix := ""
		if src.user {
			prefix = fmt.Sprintf("policy%d", i)
			name := src.name
			if name == "" {
				name = prefix
			}
			display[prefix] = strings.TrimSuffix(name, "/")
		}
		mods, err := loadSource(src, prefix)
		if err != nil {
			errs = append(errs, formatErrors(err, display)...)
			continue
		}
		for _, m := range mods {
			modules[m.key] = m.module
			m.file = displayFile(m.key, display)
			loaded = append(loaded, m)
		}
	}
	if len(errs) > 0 {
		return nil, joinErrors("loading rules", errs)
	}

	if errs := checkPackages(loaded); len(errs) > 0 {
		return nil, joinErrors("invalid rule packages", errs)
	}

	caps := Capabilities()
	compiler := ast.NewCompiler().WithCapabilities(caps)
	if compiler.Compile(modules); compiler.Failed() {
		return nil, joinErrors("compiling rules", formatErrors(compiler.Errors, display))
	}

	rules, errs := buildCatalog(loaded)
	if len(errs) > 0 {
		return nil, joinErrors("invalid rule metadata", errs)
	}

	pq, err := rego.New(
		rego.Compiler(compiler),
		rego.Capabilities(caps),
		rego.Query(Query),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("preparing %s: %w", Query, err)
	}

	e := &Engine{rules: rules, bySlug: map[string]int{}, query: pq}
	for i, r := range rules {
		e.bySlug[r.Slug] = i
	}
	return e, nil
}

// Rules returns the catalog, sorted by ID.
func (e *Engine) Rules() []result.Rule {
	return slices.Clone(e.rules)
}

// RuleBySlug returns the catalog entry of the rule package rolecall.rules.<slug>
// (RawFinding.Rule).
func (e *Engine) RuleBySlug(slug string) (result.Rule, bool) {
	i, ok := e.bySlug[slug]
	if !ok {
		return result.Rule{}, false
	}
	return e.rules[i], true
}

// Eval evaluates every rule against input (an Input, or any value whose JSON form is the
// input document) and returns the findings sorted by rule, target, cause, subject and msg.
// A finding with a missing or empty msg, cause or target, or with an unknown field, is an
// error naming the rule: a rule bug never turns into a silently dropped finding.
func (e *Engine) Eval(ctx context.Context, input any) ([]RawFinding, error) {
	v, err := toValue(input)
	if err != nil {
		return nil, fmt.Errorf("converting input: %w", err)
	}
	rs, err := e.query.Eval(ctx, rego.EvalParsedInput(v))
	if err != nil {
		return nil, fmt.Errorf("evaluating rules: %w", err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, nil
	}
	items, ok := rs[0].Expressions[0].Value.([]any)
	if !ok {
		return nil, fmt.Errorf("evaluating rules: %s is %T, want a set of findings", Query, rs[0].Expressions[0].Value)
	}
	out := make([]RawFinding, 0, len(items))
	var errs []string
	for _, it := range items {
		f, err := e.decodeFinding(it)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		out = append(out, f)
	}
	if len(errs) > 0 {
		return nil, joinErrors("invalid findings", errs)
	}
	slices.SortFunc(out, compareFindings)
	return out, nil
}

// toValue converts the input once: a JSON round trip so that json tags apply.
func toValue(input any) (ast.Value, error) {
	if v, ok := input.(ast.Value); ok {
		return v, nil
	}
	bs, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	var x any
	if err := util.UnmarshalJSON(bs, &x); err != nil {
		return nil, err
	}
	return ast.InterfaceToValue(x)
}

// wireFinding is the exact JSON shape of a finding object (rules/lib/finding.rego plus the
// "rule" key added by rules/main.rego).
type wireFinding struct {
	Rule    string    `json:"rule"`
	Msg     *string   `json:"msg"`
	Cause   *[]string `json:"cause"`
	Target  *string   `json:"target"`
	Subject *string   `json:"subject"`
	Path    *[]string `json:"path"`
}

func (e *Engine) decodeFinding(it any) (RawFinding, error) {
	m, ok := it.(map[string]any)
	if !ok {
		return RawFinding{}, fmt.Errorf("finding is %T, want an object: %v", it, it)
	}
	slug, _ := m["rule"].(string)
	where := "rule " + slug
	if r, ok := e.RuleBySlug(slug); ok {
		where = fmt.Sprintf("rule %s (%s)", r.ID, slug)
	}
	bs, err := json.Marshal(m)
	if err != nil {
		return RawFinding{}, fmt.Errorf("%s: %w", where, err)
	}
	dec := json.NewDecoder(bytes.NewReader(bs))
	dec.DisallowUnknownFields()
	var w wireFinding
	if err := dec.Decode(&w); err != nil {
		return RawFinding{}, fmt.Errorf("%s: malformed finding %s: %v", where, bs, err)
	}
	bad := func(what string) error {
		return fmt.Errorf("%s: finding %s: %s", where, bs, what)
	}
	switch {
	case slug == "":
		return RawFinding{}, bad("no rule slug")
	case w.Msg == nil || strings.TrimSpace(*w.Msg) == "":
		return RawFinding{}, bad("missing or empty msg")
	case w.Cause == nil || len(*w.Cause) == 0:
		return RawFinding{}, bad("missing or empty cause")
	case slices.Contains(*w.Cause, ""):
		return RawFinding{}, bad("empty id in cause")
	case w.Target == nil || *w.Target == "":
		return RawFinding{}, bad("missing or empty target")
	case w.Subject != nil && *w.Subject == "":
		return RawFinding{}, bad("empty subject")
	case w.Path != nil && slices.Contains(*w.Path, ""):
		return RawFinding{}, bad("empty id in path")
	}
	if _, ok := e.bySlug[slug]; !ok {
		return RawFinding{}, bad("unknown rule slug")
	}
	f := RawFinding{Rule: slug, Msg: *w.Msg, Cause: *w.Cause, Target: *w.Target}
	if w.Subject != nil {
		f.Subject = *w.Subject
	}
	if w.Path != nil {
		f.Path = *w.Path
	}
	return f, nil
}

func compareFindings(a, b RawFinding) int {
	return cmp.Or(
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Target, b.Target),
		slices.Compare(a.Cause, b.Cause),
		cmp.Compare(a.Subject, b.Subject),
		cmp.Compare(a.Msg, b.Msg),
		slices.Compare(a.Path, b.Path),
	)
}

// loadedModule is one parsed non-test .rego file.
type loadedModule struct {
	key    string // module key: path inside the load tree (prefixed for user sources)
	file   string // display path
	user   bool
	module *ast.Module
}

// loadSource loads *.rego (not *_test.rego) from src with OPA's loader, annotations processed.
// User sources are mounted under prefix so that file names are unique across sources.
func loadSource(src source, prefix string) ([]loadedModule, error) {
	fsys, root := src.fsys, "."
	if prefix != "" {
		fsys, root = prefixFS{prefix: prefix, fsys: src.fsys}, prefix
	}
	res, err := loader.NewFileLoader().
		WithFS(fsys).
		WithProcessAnnotation(true).
		WithRegoVersion(ast.RegoV1).
		Filtered([]string{root}, regoOnly)
	if err != nil {
		return nil, err
	}
	out := make([]loadedModule, 0, len(res.Modules))
	for _, rf := range res.Modules {
		out = append(out, loadedModule{key: rf.Name, user: src.user, module: rf.Parsed})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

// regoOnly excludes everything but *.rego files that are not tests (and hidden directories).
func regoOnly(p string, info fs.FileInfo, depth int) bool {
	name := info.Name()
	if info.IsDir() {
		return depth > 0 && strings.HasPrefix(name, ".")
	}
	return !strings.HasSuffix(name, ".rego") || strings.HasSuffix(name, "_test.rego")
}

// prefixFS mounts fsys under prefix: prefix/x is fsys's x.
type prefixFS struct {
	prefix string
	fsys   fs.FS
}

func (p prefixFS) Open(name string) (fs.File, error) {
	rel, ok := p.rel(name)
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return p.fsys.Open(rel)
}

func (p prefixFS) rel(name string) (string, bool) {
	name = path.Clean(strings.ReplaceAll(name, `\`, "/"))
	if name == p.prefix {
		return ".", true
	}
	return strings.CutPrefix(name, p.prefix+"/")
}

// displayFile maps a module key or location file back to what the user knows.
func displayFile(file string, display map[string]string) string {
	norm := strings.ReplaceAll(file, `\`, "/")
	for prefix, name := range display {
		if rest, ok := strings.CutPrefix(norm, prefix+"/"); ok {
			return name + "/" + rest
		}
	}
	return file
}

// formatErrors renders loader and compiler errors as "file:row: message".
func formatErrors(err error, display map[string]string) []string {
	var out []string
	var astErrs ast.Errors
	var loadErrs loader.Errors
	switch {
	case errors.As(err, &loadErrs):
		for _, e := range loadErrs {
			out = append(out, formatErrors(e, display)...)
		}
	case errors.As(err, &astErrs):
		for _, e := range astErrs {
			out = append(out, formatASTError(e, display))
		}
	default:
		var one *ast.Error
		if errors.As(err, &one) {
			return []string{formatASTError(one, display)}
		}
		msg := err.Error()
		for prefix, name := range display {
			msg = strings.ReplaceAll(msg, prefix+"/", name+"/")
		}
		out = append(out, msg)
	}
	return out
}

func formatASTError(e *ast.Error, display map[string]string) string {
	if e.Location == nil {
		return e.Message
	}
	file := displayFile(e.Location.File, display)
	if e.Location.Row == 0 {
		return fmt.Sprintf("%s: %s", file, e.Message)
	}
	return fmt.Sprintf("%s:%d: %s", file, e.Location.Row, e.Message)
}

func joinErrors(what string, msgs []string) error {
	slices.Sort(msgs)
	msgs = slices.Compact(msgs)
	return fmt.Errorf("%s:\n  %s", what, strings.Join(msgs, "\n  "))
}
