package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/rolecall/rolecall/analyzer/result"
)

// githubFormatter writes GitHub Actions workflow commands, one annotation per finding, which the
// runner shows on the job and on the pull request's changed files:
//
//	::error file=k8s/aws-auth.yaml,line=14,col=7,title=RC401 aws-auth maps an identity to system%3Amasters::mapRoles entry 1 …
//
// The command is error for critical and high, warning for medium, notice for low and info. A
// finding read live (no file) gets an annotation without file, its resource named in the
// message. Input problems become error or warning annotations on their file, and the summary
// line closes the output as plain log text. Suppressed findings appear only with
// Options.IncludeSuppressed, as notices marked [suppressed].
//
// Values are escaped as the Actions toolkit does (command.ts): '%', CR and LF in the message,
// and also ':' and ',' in properties, so that no scanned value can end a property or start
// another command.
type githubFormatter struct{ opts Options }

func (g *githubFormatter) Format(w io.Writer, s *result.Scan) error {
	ew := &errWriter{w: w}
	for _, f := range visibleFindings(s, g.opts.IncludeSuppressed) {
		ew.write(githubFinding(f))
	}
	for _, d := range s.Diagnostics {
		cmd := "warning"
		if d.Severity == result.DiagError {
			cmd = "error"
		}
		ew.write(workflowCommand(cmd, result.Location{File: d.File, Line: d.Line, Column: d.Column},
			"rolecall input "+d.Severity, d.Message))
	}
	ew.write(summaryLine(s) + "\n")
	return ew.err
}

// githubCommand is the workflow command for a severity.
func githubCommand(sev result.Severity) string {
	switch {
	case sev >= result.High:
		return "error"
	case sev == result.Medium:
		return "warning"
	}
	return "notice"
}

func githubFinding(f result.Finding) string {
	cmd := githubCommand(f.Severity)
	title := f.RuleID + " " + oneLine(f.Title)
	if f.Suppression != nil {
		cmd, title = "notice", "[suppressed] "+title
	}
	primary := f.Primary()
	lines := []string{f.Message}
	if primary.File == "" {
		lines = append(lines, "at "+primary.String())
	}
	if len(f.Path) > 0 {
		lines = append(lines, "path:")
		for i, hop := range f.Path {
			lines = append(lines, fmt.Sprintf("%d. %s", i+1, hopString(hop)))
		}
	}
	if f.Remediation != "" {
		lines = append(lines, "fix: "+f.Remediation)
	}
	if sp := f.Suppression; sp != nil {
		lines = append(lines, fmt.Sprintf("suppressed (%s): %s", sp.By, sp.Reason))
	}
	return workflowCommand(cmd, primary, title, strings.Join(lines, "\n"))
}

// workflowCommand renders ::cmd file=…,line=…,col=…,title=…::message with the properties that
// apply (no file, no line: no property), and a trailing newline.
func workflowCommand(cmd string, at result.Location, title, message string) string {
	var props []string
	if at.File != "" {
		props = append(props, "file="+escapeProperty(annotationPath(at.File)))
		if at.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", at.Line))
			if at.Column > 0 {
				props = append(props, fmt.Sprintf("col=%d", at.Column))
			}
		}
	}
	if title != "" {
		props = append(props, "title="+escapeProperty(title))
	}
	line := "::" + cmd
	if len(props) > 0 {
		line += " " + strings.Join(props, ",")
	}
	return line + "::" + escapeData(strings.TrimRight(message, "\n")) + "\n"
}

// annotationPath is a file as GitHub resolves it against the workspace: forward slashes, no "./".
func annotationPath(file string) string {
	return strings.TrimPrefix(filepath.ToSlash(filepath.Clean(file)), "./")
}

// escapeData escapes a workflow command's message (toolkit's escapeData).
var escapeData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

// escapeProperty escapes a workflow command's property value (toolkit's escapeProperty).
var escapeProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace
