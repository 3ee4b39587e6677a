package report

import (
	"strings"
	"testing"

	"github.com/rolecall/rolecall/analyzer/result"
)

func TestMarkdownText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain text unchanged", "role/app trusts account 111122223333", "role/app trusts account 111122223333"},
		{"arrows stay readable", "a -> b", "a -> b"},
		{"html cannot open a tag or entity", `<img src=x onerror=alert(1)> &copy;`, `&lt;img src=x onerror=alert(1)> &amp;copy;`},
		{"emphasis, code, links and tables escaped", "*a* _b_ `c` [d](e) ![f](g) h|i ~~j~~", `\*a\* \_b\_ \` + "`" + `c\` + "`" + ` \[d\](e) !\[f\](g) h\|i \~\~j\~\~`},
		{"backslash kept literal", `a\*b`, `a\\\*b`},
		{"heading at the start escaped", "# not a heading", `\# not a heading`},
		{"list item at the start escaped", "- not a list", `\- not a list`},
		{"ordered list at the start escaped", "12. not a list", `12\. not a list`},
		{"block quote at the start escaped", "> not a quote", `\> not a quote`},
		{"newlines cannot start a block", "first\n\n# second\n</details>", `first # second &lt;/details>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mdText(tt.in); got != tt.want {
				t.Errorf("mdText(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestMarkdownCode(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "aws/roles.json:3:5", "`aws/roles.json:3:5`"},
		{"backtick inside gets a longer fence", "a`b", "``a`b``"},
		{"backtick run of two", "a``b`c", "```a``b`c```"},
		{"leading backtick padded", "`a", "`` `a ``"},
		{"newline collapsed", "a\nb", "`a b`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mdCode(tt.in); got != tt.want {
				t.Errorf("mdCode(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestMarkdownHostileInput renders a finding whose every field comes from a hostile input and
// checks that no markup escapes into the comment.
func TestMarkdownHostileInput(t *testing.T) {
	evil := "</summary></details><img src=x onerror=alert(1)>\n\n# pwned [link](https://evil)"
	s := &result.Scan{
		Findings: []result.Finding{{
			RuleID: "RC<b>1", Severity: result.High, Title: evil, Message: evil,
			Locations: []result.Location{{File: "a`b</details>.json", Line: 1, Column: 2}},
			Path:      []result.Location{{Ref: evil}},
		}},
		Diagnostics: []result.Diagnostic{{Severity: "error", File: "x.json", Message: evil}},
	}
	out := string(render(t, "markdown", Options{}, s))
	markup := stripCodeSpans(out) // code spans render their content literally
	for _, bad := range []string{"<img", "</summary></details>", "\n# pwned", "[link](", "<b>"} {
		if strings.Contains(markup, bad) {
			t.Errorf("output outside code spans contains %q:\n%s", bad, out)
		}
	}
	if n := strings.Count(out, "<details>"); n != 1 || strings.Count(out, "</details>\n") != 1 {
		t.Errorf("want exactly one details block, got %d:\n%s", n, out)
	}
}

func TestMarkdownRemediationKeepsMarkdownNotHTML(t *testing.T) {
	s := &result.Scan{Findings: []result.Finding{{
		RuleID: "RC1", Severity: result.High,
		Remediation: "Replace `system:masters` with a group, e.g. `groups: [deployers]`; add StringEquals on <provider>:sub.",
	}}}
	out := string(render(t, "markdown", Options{}, s))
	want := "**Remediation:** Replace `system:masters` with a group, e.g. `groups: [deployers]`; add StringEquals on &lt;provider>:sub.\n"
	if !strings.Contains(out, want) {
		t.Errorf("remediation not rendered as Markdown without HTML; want line\n%s\nin\n%s", want, out)
	}
}

func TestMarkdownOrdersBySeverity(t *testing.T) {
	s := &result.Scan{Findings: []result.Finding{
		{RuleID: "RC3", Severity: result.Low}, {RuleID: "RC1", Severity: result.Critical},
		{RuleID: "RC4", Severity: result.Low}, {RuleID: "RC2", Severity: result.Medium},
	}}
	out := string(render(t, "markdown", Options{}, s))
	last := -1
	for _, id := range []string{"RC1", "RC2", "RC3", "RC4"} {
		i := strings.Index(out, "<code>"+id+"</code>")
		if i < last {
			t.Errorf("%s is out of order (severity first, then scan order):\n%s", id, out)
		}
		last = i
	}
}

// stripCodeSpans removes every code span (a backtick run, up to the next run of the same length)
// from each line of s.
func stripCodeSpans(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		for {
			i := strings.Index(line, "`")
			if i < 0 {
				break
			}
			n := len(line[i:]) - len(strings.TrimLeft(line[i:], "`"))
			fence, rest := line[i:i+n], line[i+n:]
			j := -1
			for k := 0; k < len(rest); {
				m := strings.Index(rest[k:], fence)
				if m < 0 {
					break
				}
				m += k
				if end := m + n; (end == len(rest) || rest[end] != '`') && (m == 0 || rest[m-1] != '`') {
					j = m
					break
				}
				k = m + len(rest[m:]) - len(strings.TrimLeft(rest[m:], "`"))
			}
			if j < 0 {
				break
			}
			b.WriteString(line[:i])
			line = rest[j+n:]
		}
		b.WriteString(line)
	}
	return b.String()
}
