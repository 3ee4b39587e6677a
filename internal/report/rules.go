package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/rolecall/rolecall/analyzer/result"
)

// Rule catalogue formats.
const (
	RulesText     = "text"
	RulesJSON     = "json"
	RulesMarkdown = "markdown"
)

// RuleFormats lists the accepted values of `rolecall rules --format`, default first.
func RuleFormats() []string { return []string{RulesText, RulesJSON, RulesMarkdown} }

// FormatRules writes the rule catalogue, sorted by ID, in format (one of RuleFormats()):
//   - text: one block per rule (id, name, severity, title, description, remediation, help URI);
//   - json: an array of rules with result.Rule's field names, two-space indent;
//   - markdown: the table `| id | name | severity | title |` the README embeds.
func FormatRules(w io.Writer, format string, rules []result.Rule) error {
	rules = sortedRules(rules)
	switch format {
	case RulesText:
		return rulesText(w, rules)
	case RulesJSON:
		if rules == nil {
			rules = []result.Rule{}
		}
		return writeJSON(w, rules)
	case RulesMarkdown:
		return rulesMarkdown(w, rules)
	}
	return fmt.Errorf("unknown rules format %q (want one of %s)", format, strings.Join(RuleFormats(), ", "))
}

func rulesText(w io.Writer, rules []result.Rule) error {
	ew := &errWriter{w: w}
	for i, r := range rules {
		if i > 0 {
			ew.write("\n")
		}
		ew.printf("%s  %s  [%s]\n", r.ID, cmpOr(r.Name, r.Slug), r.Severity)
		ew.write(indent(r.Title, "  ") + "\n")
		if r.Description != "" {
			ew.write(indent(r.Description, "  ") + "\n")
		}
		if r.Remediation != "" {
			ew.write(indent("fix: "+r.Remediation, "  ") + "\n")
		}
		if r.HelpURI != "" {
			ew.write("  help: " + r.HelpURI + "\n")
		}
	}
	return ew.err
}

func rulesMarkdown(w io.Writer, rules []result.Rule) error {
	ew := &errWriter{w: w}
	ew.write("| id | name | severity | title |\n")
	ew.write("| --- | --- | --- | --- |\n")
	for _, r := range rules {
		ew.printf("| %s | %s | %s | %s |\n",
			mdCell(r.ID), mdCell(cmpOr(r.Name, r.Slug)), mdCell(r.Severity.String()), mdCell(r.Title))
	}
	return ew.err
}

// mdCell makes s safe inside a Markdown table cell: one line, pipes escaped.
func mdCell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}
