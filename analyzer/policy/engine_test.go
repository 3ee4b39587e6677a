package policy_test

import (
	"context"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rolecall/rolecall/analyzer/policy"
	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/rules"
)

// base returns the entrypoint and the finding library from the real rules, plus files.
func base(t *testing.T, files map[string]string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	for _, name := range []string{"main.rego", "lib/finding.rego"} {
		bs, err := fs.ReadFile(rules.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		m[name] = &fstest.MapFile{Data: bs}
	}
	for name, src := range files {
		m[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return m
}

const goodMeta = `# METADATA
# title: Role is public
# description: Anyone can assume it.
# related_resources:
#   - ref: https://example.com/first
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/doc.html
# custom:
#   id: %ID%
#   name: %NAME%
#   severity: high
#   remediation: Name the principal, e.g. arn:aws:iam::111122223333:role/x.
#   tags: [trust-policy]
`

const goodBody = `
import data.rolecall.lib

deny contains lib.finding(stmt.id, role.id, sprintf("%s is public", [role.arn])) if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.principal_star
}
`

// ruleSrc builds a rule module; meta may be edited by the caller.
func ruleSrc(id, slug, meta, body string) string {
	meta = strings.NewReplacer("%ID%", id, "%NAME%", strings.ReplaceAll(slug, "_", "-")).Replace(meta)
	return meta + "package rolecall.rules." + slug + "\n" + body
}

func input(roles ...string) policy.Input {
	in := policy.Input{SchemaVersion: policy.SchemaVersion}
	for _, arn := range roles {
		in.Roles = append(in.Roles, policy.Role{
			ID: arn, ARN: arn,
			Trust: &policy.Trust{ID: arn + "#trust", Statements: []policy.Statement{
				{ID: arn + "#trust/0", Effect: "Allow", PrincipalStar: true},
			}},
		})
	}
	return in
}

func TestNewBuildsCatalog(t *testing.T) {
	ctx := context.Background()
	fsys := base(t, map[string]string{
		"trust_public.rego":      ruleSrc("RC001", "trust_public", goodMeta, goodBody),
		"trust_public_test.rego": "this is not rego, and test files are not loaded",
		"data.json":              `{"not": "loaded"}`,
	})
	e, err := policy.New(ctx, fsys)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	want := []result.Rule{{
		ID:          "RC001",
		Name:        "trust-public",
		Slug:        "trust_public",
		Title:       "Role is public",
		Description: "Anyone can assume it.",
		Remediation: "Name the principal, e.g. arn:aws:iam::111122223333:role/x.",
		Severity:    result.High,
		HelpURI:     "https://docs.aws.amazon.com/IAM/latest/UserGuide/doc.html",
		References:  []string{"https://example.com/first", "https://docs.aws.amazon.com/IAM/latest/UserGuide/doc.html"},
		Tags:        []string{"trust-policy"},
	}}
	if got := e.Rules(); !reflect.DeepEqual(got, want) {
		t.Errorf("Rules() =\n%+v\nwant\n%+v", got, want)
	}
	if r, ok := e.RuleBySlug("trust_public"); !ok || r.ID != "RC001" {
		t.Errorf("RuleBySlug = %v, %v", r, ok)
	}
}

func TestEval(t *testing.T) {
	ctx := context.Background()
	e, err := policy.New(ctx, base(t, map[string]string{
		"trust_public.rego": ruleSrc("RC001", "trust_public", goodMeta, goodBody),
	}))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	got, err := e.Eval(ctx, input("arn:aws:iam::111122223333:role/b", "arn:aws:iam::111122223333:role/a"))
	if err != nil {
		t.Fatalf("Eval: %v", err)
	}
	want := []policy.RawFinding{
		{Rule: "trust_public", Msg: "arn:aws:iam::111122223333:role/a is public", Cause: []string{"arn:aws:iam::111122223333:role/a#trust/0"}, Target: "arn:aws:iam::111122223333:role/a"},
		{Rule: "trust_public", Msg: "arn:aws:iam::111122223333:role/b is public", Cause: []string{"arn:aws:iam::111122223333:role/b#trust/0"}, Target: "arn:aws:iam::111122223333:role/b"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Eval =\n%+v\nwant\n%+v", got, want)
	}
	none, err := e.Eval(ctx, policy.Input{})
	if err != nil || len(none) != 0 {
		t.Errorf("Eval(empty) = %v, %v", none, err)
	}
}

// TestRuleReadingAnotherRule: rules that read each other are compiled together, on demand too.
func TestRuleReadingAnotherRule(t *testing.T) {
	ctx := context.Background()
	e, err := policy.New(ctx, base(t, map[string]string{
		"a_rule.rego": ruleSrc("RC001", "a_rule", goodMeta, goodBody),
		"b_rule.rego": ruleSrc("RC002", "b_rule", goodMeta, "\nimport data.rolecall.lib\n\n"+
			"deny contains lib.finding(f.cause, f.target, \"again\") if some f in data.rolecall.rules.a_rule.deny\n"),
		"c_rule.rego": ruleSrc("RC003", "c_rule", goodMeta, goodBody),
	}), policy.CompileOnDemand())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	got, err := e.Eval(ctx, input("arn:aws:iam::111122223333:role/a"))
	if err != nil {
		t.Fatalf("Eval: %v", err)
	}
	var rules []string
	for _, f := range got {
		rules = append(rules, f.Rule)
	}
	if want := []string{"a_rule", "b_rule", "c_rule"}; !reflect.DeepEqual(rules, want) {
		t.Errorf("findings of %v, want %v", rules, want)
	}
}

func TestEvalRejectsBadFindings(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct{ body, want string }{
		"empty msg": {
			body: "\nimport data.rolecall.lib\n\ndeny contains lib.finding(role.id, role.id, \"\") if some role in input.roles\n",
			want: "missing or empty msg",
		},
		"empty target": {
			body: "\nimport data.rolecall.lib\n\ndeny contains lib.finding(role.id, \"\", \"m\") if some role in input.roles\n",
			want: "missing or empty target",
		},
		"unknown field": {
			body: "\nimport data.rolecall.lib\n\ndeny contains object.union(lib.finding(role.id, role.id, \"m\"), {\"severity\": \"low\"}) if some role in input.roles\n",
			want: `unknown field "severity"`,
		},
		"cause not ids": {
			body: "\ndeny contains {\"msg\": \"m\", \"cause\": 7, \"target\": role.id} if some role in input.roles\n",
			want: "malformed finding",
		},
	} {
		t.Run(name, func(t *testing.T) {
			e, err := policy.New(ctx, base(t, map[string]string{
				"bad_rule.rego": ruleSrc("RC009", "bad_rule", goodMeta, tc.body),
			}))
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			_, err = e.Eval(ctx, input("arn:aws:iam::111122223333:role/a"))
			if err == nil {
				t.Fatal("Eval accepted a bad finding")
			}
			if !strings.Contains(err.Error(), "rule RC009 (bad_rule)") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Eval error = %v, want it to name rule RC009 (bad_rule) and say %q", err, tc.want)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	ctx := context.Background()
	edit := func(old, new string) string { return strings.Replace(goodMeta, old, new, 1) }
	for name, tc := range map[string]struct {
		files map[string]string
		user  map[string]string
		want  []string
	}{
		"unknown custom key": {
			files: map[string]string{"r.rego": ruleSrc("RC001", "r", edit("#   severity: high", "#   severty: high"), goodBody)},
			want:  []string{"r.rego:1:", `unknown field "severty"`},
		},
		"missing title": {
			files: map[string]string{"r.rego": ruleSrc("RC001", "r", edit("# title: Role is public\n", ""), goodBody)},
			want:  []string{"r.rego:1:", "missing title"},
		},
		"missing description": {
			files: map[string]string{"r.rego": ruleSrc("RC001", "r", edit("# description: Anyone can assume it.\n", ""), goodBody)},
			want:  []string{"missing description"},
		},
		"no related resources": {
			files: map[string]string{"r.rego": ruleSrc("RC001", "r", edit("# related_resources:\n#   - ref: https://example.com/first\n#   - description: documentation\n#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/doc.html\n", ""), goodBody)},
			want:  []string{"related_resources needs at least one entry"},
		},
		"duplicate id": {
			files: map[string]string{
				"a_rule.rego": ruleSrc("RC001", "a_rule", goodMeta, goodBody),
				"b_rule.rego": ruleSrc("RC001", "b_rule", goodMeta, goodBody),
			},
			want: []string{"b_rule.rego:", "rule id RC001 already used by a_rule.rego"},
		},
		"bad severity": {
			files: map[string]string{"r.rego": ruleSrc("RC001", "r", edit("severity: high", "severity: severe"), goodBody)},
			want:  []string{`custom.severity "severe"`},
		},
		"bad id": {
			files: map[string]string{"r.rego": ruleSrc("RC01", "r", goodMeta, goodBody)},
			want:  []string{`custom.id "RC01"`},
		},
		"name does not match slug": {
			files: map[string]string{"r.rego": strings.Replace(ruleSrc("RC001", "r", goodMeta, goodBody), "name: r", "name: other-name", 1)},
			want:  []string{`custom.name "other-name" does not match package slug "r"`},
		},
		"tags not a list": {
			files: map[string]string{"r.rego": ruleSrc("RC001", "r", edit("tags: [trust-policy]", "tags: trust-policy"), goodBody)},
			want:  []string{"custom", "tags"},
		},
		"public helper": {
			files: map[string]string{"r.rego": ruleSrc("RC001", "r", goodMeta, goodBody+"\nhelper := 1\n")},
			want:  []string{`public rule "helper"`},
		},
		"no deny": {
			files: map[string]string{"r.rego": ruleSrc("RC001", "r", goodMeta, "\n_x := 1\n")},
			want:  []string{"defines no deny set"},
		},
		"http.send": {
			files: map[string]string{"r.rego": ruleSrc("RC001", "r", goodMeta, goodBody+"\n_fetch := http.send({\"method\": \"get\", \"url\": \"https://example.com\"})\n")},
			want:  []string{"compiling rules", "r.rego:", "http.send"},
		},
		"time.now_ns": {
			files: map[string]string{"r.rego": ruleSrc("RC001", "r", goodMeta, goodBody+"\n_now := time.now_ns()\n")},
			want:  []string{"r.rego:", "time.now_ns"},
		},
		"parse error": {
			files: map[string]string{"r.rego": "package rolecall.rules.r\n\ndeny contains x if {\n"},
			want:  []string{"loading rules", "r.rego:"},
		},
		"nested rule package": {
			files: map[string]string{"r.rego": ruleSrc("RC001", "r.sub", goodMeta, goodBody)},
			want:  []string{"rule packages must be exactly rolecall.rules.<slug>"},
		},
		"user rule with RC id": {
			user: map[string]string{"mine.rego": ruleSrc("RC900", "mine", goodMeta, goodBody)},
			want: []string{"my-policies/mine.rego:1:", "RC prefix is reserved"},
		},
		"user slug collision": {
			files: map[string]string{"r.rego": ruleSrc("RC001", "r", goodMeta, goodBody)},
			user:  map[string]string{"r.rego": ruleSrc("ACME001", "r", goodMeta, goodBody)},
			want:  []string{"my-policies/r.rego:", `rule slug "r" already defined by r.rego`},
		},
		"user redefines lib": {
			user: map[string]string{"lib.rego": "package rolecall.lib\n\nx := 1\n"},
			want: []string{"my-policies/lib.rego:", "user policies may define"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			var opts []policy.Option
			if tc.user != nil {
				u := fstest.MapFS{}
				for n, src := range tc.user {
					u[n] = &fstest.MapFile{Data: []byte(src)}
				}
				opts = append(opts, policy.WithNamedUserRules("my-policies", u))
			}
			_, err := policy.New(ctx, base(t, tc.files), opts...)
			if err == nil {
				t.Fatal("New accepted it")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestUserRules(t *testing.T) {
	ctx := context.Background()
	user := fstest.MapFS{
		"acme/acme_public.rego":      {Data: []byte(ruleSrc("ACME-001", "acme_public", goodMeta, goodBody))},
		"acme/helpers.rego":          {Data: []byte("package acme.helpers\n\nx := 1\n")},
		"acme/acme_public_test.rego": {Data: []byte("not loaded")},
	}
	e, err := policy.New(ctx, base(t, map[string]string{
		"trust_public.rego": ruleSrc("RC001", "trust_public", goodMeta, goodBody),
	}), policy.WithUserRules(user))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	var ids []string
	for _, r := range e.Rules() {
		ids = append(ids, r.ID)
	}
	if want := []string{"ACME-001", "RC001"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
	got, err := e.Eval(ctx, input("arn:aws:iam::111122223333:role/a"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Rule != "acme_public" || got[1].Rule != "trust_public" {
		t.Errorf("Eval = %+v", got)
	}
}

func TestCapabilities(t *testing.T) {
	for _, b := range policy.Capabilities().Builtins {
		switch b.Name {
		case "http.send", "net.lookup_ip_addr", "time.now_ns", "rand.intn", "uuid.rfc4122", "opa.runtime":
			t.Errorf("capabilities include %s", b.Name)
		}
	}
}
