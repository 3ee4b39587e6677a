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
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/rego"

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
	user     []source
	onDemand bool
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

// CompileOnDemand defers compiling the rules of fsys to Eval, which then compiles only the
// rules that can fire on its input (see select.go). It is for rule trees known to compile —
// rolecall's own, which its tests compile whole — since New then reports no compile error in
// them. User rule trees are still compiled whole by New, so that their mistakes are reported
// before any input is read.
func CompileOnDemand() Option {
	return func(o *options) { o.onDemand = true }
}

// Engine is the parsed rule set with its catalog and its prepared entrypoint queries.
type Engine struct {
	rules   []result.Rule
	bySlug  map[string]int
	caps    *ast.Capabilities
	display map[string]string // load prefix → display name
	sel     *selection

	// prechecked: the rules are known to compile (CompileOnDemand without user rules), so the
	// compiler skips its checks, which cannot fail for them.
	prechecked bool

	mu sync.Mutex
	// prepared holds the compiled groups by the rule modules they evaluate; every holds the
	// groups of the whole rule set once compiled, which serve any input.
	prepared map[string][]rego.PreparedEvalQuery
	every    []rego.PreparedEvalQuery
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
// user rule trees given as options, compiles them with the restricted capabilities (unless
// CompileOnDemand), and builds and validates the rule catalog.
func New(ctx context.Context, fsys fs.FS, opts ...Option) (*Engine, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	sources := append([]source{{fsys: fsys}}, o.user...)

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

	e := &Engine{
		bySlug:   map[string]int{},
		caps:     Capabilities(),
		display:  display,
		sel:      newSelection(loaded),
		prepared: map[string][]rego.PreparedEvalQuery{},
	}
	if e.prechecked = o.onDemand && len(o.user) == 0; !e.prechecked {
		if _, err := e.queries(ctx, e.sel.rules); err != nil {
			return nil, err
		}
	}

	rules, errs := buildCatalog(loaded)
	if len(errs) > 0 {
		return nil, joinErrors("invalid rule metadata", errs)
	}
	e.rules = rules
	for i, r := range rules {
		e.bySlug[r.Slug] = i
	}
	return e, nil
}

// queries returns the prepared entrypoint of rules (rule modules), compiling them if need
// be: in groups, one compiler per core.
func (e *Engine) queries(ctx context.Context, rules []*loadedModule) ([]rego.PreparedEvalQuery, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.every != nil {
		return e.every, nil
	}
	if len(rules) == 0 && e.prechecked {
		return nil, nil // nothing to evaluate, nothing to check
	}
	keys := make([]string, len(rules))
	for i, m := range rules {
		keys[i] = m.key
	}
	key := strings.Join(keys, "\x00")
	if qs, ok := e.prepared[key]; ok {
		return qs, nil
	}
	groups := e.sel.groups(rules, runtime.GOMAXPROCS(0))
	qs := make([]rego.PreparedEvalQuery, len(groups))
	errs := make([]error, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Go(func() { qs[i], errs[i] = e.compile(ctx, g) })
	}
	wg.Wait()
	var msgs []string
	for _, err := range errs {
		var ce compileErrors
		switch {
		case errors.As(err, &ce):
			msgs = append(msgs, ce...)
		case err != nil:
			return nil, err
		}
	}
	if len(msgs) > 0 {
		return nil, joinErrors("compiling rules", msgs)
	}
	e.prepared[key] = qs
	if len(rules) == len(e.sel.rules) {
		e.every = qs
	}
	return qs, nil
}

// checkStages are the compiler stages that only look for mistakes (the others rewrite the
// rules into what the evaluator runs). Type checking alone is a sixth of compile time.
var checkStages = []ast.StageID{
	ast.StageCheckUnusedImports,
	ast.StageCheckKeywordOverrides,
	ast.StageCheckDuplicateImports,
	ast.StageCheckVoidCalls,
	ast.StageCheckRuleConflicts,
	ast.StageCheckUndefinedFuncs,
	ast.StageCheckRecursion,
	ast.StageCheckTypes,
	ast.StageCheckUnsafeBuiltins,
	ast.StageCheckDeprecatedBuiltins,
	ast.StageBuildRequiredCapabilities,
}

// compileErrors are the formatted compiler errors of one group.
type compileErrors []string

func (c compileErrors) Error() string { return strings.Join(c, "\n") }

// compile compiles the rule modules of one group with every base module (copies: the
// compiler rewrites what it is given, and a module may be compiled again for another input).
func (e *Engine) compile(ctx context.Context, group []*loadedModule) (rego.PreparedEvalQuery, error) {
	modules := make(map[string]*ast.Module, len(e.sel.base)+len(group))
	for _, m := range e.sel.base {
		modules[m.key] = m.module.Copy()
	}
	for _, m := range group {
		modules[m.key] = m.module.Copy()
	}
	compiler := ast.NewCompiler().WithCapabilities(e.caps)
	if e.prechecked {
		compiler = compiler.WithSkipStages(checkStages...)
	}
	if compiler.Compile(modules); compiler.Failed() {
		return rego.PreparedEvalQuery{}, compileErrors(formatErrors(compiler.Errors, e.display))
	}
	pq, err := rego.New(
		rego.Compiler(compiler),
		rego.Capabilities(e.caps),
		rego.Query(Query),
	).PrepareForEval(ctx)
	if err != nil {
		return rego.PreparedEvalQuery{}, fmt.Errorf("preparing %s: %w", Query, err)
	}
	return pq, nil
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
	qs, err := e.queries(ctx, e.sel.needed(v))
	if err != nil {
		return nil, err
	}
	// Groups hold disjoint rules: their findings are simply gathered.
	sets := make([][]any, len(qs))
	evalErrs := make([]error, len(qs))
	var wg sync.WaitGroup
	for i, q := range qs {
		wg.Go(func() { sets[i], evalErrs[i] = evalQuery(ctx, q, v) })
	}
	wg.Wait()
	if err := errors.Join(evalErrs...); err != nil {
		return nil, err
	}
	items := slices.Concat(sets...)
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

// evalQuery evaluates one group's entrypoint: its set of findings.
func evalQuery(ctx context.Context, q rego.PreparedEvalQuery, input ast.Value) ([]any, error) {
	rs, err := q.Eval(ctx, rego.EvalParsedInput(input))
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
	return items, nil
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
	size   int   // source bytes: the compile cost estimate of select.go
	reads  reads // what the module reads (select.go)
}

// loadSource loads *.rego (not *_test.rego) from src, annotations processed, walking the tree
// as OPA's loader does and parsing the files in parallel. User sources are mounted under
// prefix so that file names are unique across sources.
func loadSource(src source, prefix string) ([]loadedModule, error) {
	fsys, root := src.fsys, "."
	if prefix != "" {
		fsys, root = prefixFS{prefix: prefix, fsys: src.fsys}, prefix
	}
	paths, err := loader.FilteredPathsFS(fsys, []string{root}, regoOnly)
	if err != nil {
		return nil, err
	}
	out := make([]loadedModule, len(paths))
	errs := make([]error, len(paths))
	parallel(len(paths), func(i int) {
		bs, err := fs.ReadFile(fsys, paths[i])
		if err != nil {
			errs[i] = err
			return
		}
		m, err := ast.ParseModuleWithOpts(paths[i], string(bs), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			errs[i] = err
			return
		}
		out[i] = loadedModule{key: paths[i], user: src.user, module: m, size: len(bs)}
	})
	var failed loader.Errors
	for _, err := range errs {
		if err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 {
		return nil, failed
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

// parallel calls f(0…n-1), on as many goroutines as there are cores.
func parallel(n int, f func(i int)) {
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	wg.Wait()
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
