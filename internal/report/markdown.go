package report

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/analyzer/result"
)

// markdownFormatter writes GitHub-flavoured Markdown for a pull-request comment or a job's
// step summary ($GITHUB_STEP_SUMMARY): a heading with the summary line, a table of counts by
// severity, then one collapsible <details> block per finding, highest severity first, with the
// message, the location, the numbered path of a multi-hop finding and the remediation; input
// problems close the report. Suppressed findings appear only with Options.IncludeSuppressed.
//
// Scanned files are untrusted, and their names and values reach messages and locations: that text
// has HTML and Markdown punctuation escaped, and code spans are fenced longer than any backtick run
// they hold, so that an input cannot inject markup, links or images into a comment. A rule's
// remediation comes from its metadata and is written in Markdown (code spans for snippets), as in
// SARIF's help.markdown: it keeps its Markdown, with HTML neutralised.
type markdownFormatter struct{ opts Options }

func (m *markdownFormatter) Format(w io.Writer, s *result.Scan) error {
	ew := &errWriter{w: w}
	findings := slices.Clone(visibleFindings(s, m.opts.IncludeSuppressed))
	slices.SortStableFunc(findings, func(a, b result.Finding) int { return int(b.Severity) - int(a.Severity) })

	ew.write("## rolecall\n\n")
	ew.write(mdText(summaryLine(s)) + "\n")

	if len(findings) > 0 {
		counts := s.CountBySeverity()
		ew.write("\n| severity | findings |\n| --- | ---: |\n")
		for _, sev := range result.Severities() {
			ew.printf("| %s | %d |\n", sev, counts[sev])
		}
		if n := suppressedCount(s); n > 0 {
			ew.printf("| suppressed | %d |\n", n)
		}
	}
	for _, f := range findings {
		ew.write("\n")
		markdownFinding(ew, f)
	}
	if len(s.Diagnostics) > 0 {
		ew.write("\n### Input problems\n\n")
		for _, d := range s.Diagnostics {
			if pos := diagnosticPosition(d); pos != "" {
				ew.printf("- **%s** %s: %s\n", d.Severity, mdCode(pos), mdText(d.Message))
			} else {
				ew.printf("- **%s** %s\n", d.Severity, mdText(d.Message))
			}
		}
	}
	return ew.err
}

func markdownFinding(ew *errWriter, f result.Finding) {
	summary := "<strong>" + strings.ToUpper(f.Severity.String()) + "</strong> <code>" + htmlText(f.RuleID) + "</code> " +
		htmlText(f.Title)
	if f.Suppression != nil {
		summary += " <em>(suppressed)</em>"
	}
	// The blank line after <summary> ends the HTML block, so what follows is Markdown again.
	ew.write("<details>\n<summary>" + summary + "</summary>\n\n")
	ew.write(mdText(f.Message) + "\n\n")
	ew.write("- **at** " + mdCode(f.Primary().String()) + "\n")
	for _, l := range f.Locations[min(1, len(f.Locations)):] {
		ew.write("- **also at** " + mdCode(l.String()) + "\n")
	}
	if len(f.Path) > 0 {
		ew.write("\n**Path**\n\n")
		for i, hop := range f.Path {
			line := mdCode(cmpOr(hop.Ref, hop.String()))
			if hop.Ref != "" && hop.File != "" {
				line += " at " + mdCode(hop.String())
			}
			ew.printf("%d. %s\n", i+1, line)
		}
	}
	if f.Remediation != "" {
		ew.write("\n**Remediation:** " + mdTrusted(f.Remediation) + "\n")
	}
	if sp := f.Suppression; sp != nil {
		ew.write("\n**Suppressed** (" + mdText(sp.By) + "): " + mdText(sp.Reason) + "\n")
	}
	ew.write("\n</details>\n")
}

// diagnosticPosition is file[:line[:column]] of a diagnostic, "" when it has no file.
func diagnosticPosition(d result.Diagnostic) string {
	switch {
	case d.File == "" || d.Line == 0:
		return d.File
	case d.Column == 0:
		return fmt.Sprintf("%s:%d", d.File, d.Line)
	}
	return fmt.Sprintf("%s:%d:%d", d.File, d.Line, d.Column)
}

// htmlEscaper escapes text for an HTML block such as <summary>: the HTML specials, and the
// Markdown punctuation as character references in case a renderer reads Markdown there too.
var htmlEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;",
	"`", "&#96;", "*", "&#42;", "_", "&#95;", "[", "&#91;", "]", "&#93;", "~", "&#126;", `\`, "&#92;",
)

// htmlText is s as one line of literal text inside an HTML block.
func htmlText(s string) string { return htmlEscaper.Replace(oneLine(s)) }

// oneLine collapses runs of white space, newlines included, to one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// mdEscaper escapes what could start markup in GitHub-flavoured Markdown inline text: HTML
// (tags, entities) and the punctuation of emphasis, code, links, images, tables and strikethrough.
var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;",
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "|", `\|`, "~", `\~`,
)

// mdBlockStart matches text that would open a block at the start of a line: a heading, block
// quote, list item or thematic break.
var mdBlockStart = regexp.MustCompile(`^(#|>|[+=-]|\d+[.)])`)

// mdText is s as one paragraph of literal Markdown text.
func mdText(s string) string {
	s = mdEscaper.Replace(oneLine(s))
	if loc := mdBlockStart.FindStringIndex(s); loc != nil {
		s = s[:loc[1]-1] + `\` + s[loc[1]-1:]
	}
	return s
}

// mdTrusted is Markdown from rule metadata: kept as written, except that '<' cannot open HTML
// (a remediation such as "StringEquals on <provider>:sub" would otherwise lose its placeholder).
func mdTrusted(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "<", "&lt;") }

// mdCode is s as a code span: fenced with one backtick more than its longest backtick run,
// padded with spaces when it starts or ends with a backtick.
func mdCode(s string) string {
	s = oneLine(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
