package sariftest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// multitoolLog is the shape of the multitool's own log (trimmed from a real run of 5.7.0).
const multitoolLog = `{
  "runs": [{
    "tool": {"driver": {"name": "SARIF Functional Validation", "rules": [
      {"id": "GH1013", "defaultConfiguration": {"level": "error"},
       "messageStrings": {"Warning_Default": {"text": "{0}: The SARIF log file does not contain a '$schema' property ({1})."}}},
      {"id": "SARIF2005", "messageStrings": {"Warning_ProvideToolVersion": {"text": "{0}: version '{2}' is not numeric."}}}
    ]}},
    "invocations": [{"executionSuccessful": true}],
    "results": [
      {"ruleId": "GH1013", "ruleIndex": 0, "level": "error",
       "message": {"id": "Warning_Default", "arguments": ["", "GitHub Advanced Security"]},
       "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///w/a%20b.sarif"}, "region": {"startLine": 1, "startColumn": 1}}}]},
      {"ruleId": "SARIF2005", "ruleIndex": 1,
       "message": {"id": "Warning_ProvideToolVersion", "arguments": ["runs[0].tool.driver.version", "rolecall", "dev"]},
       "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///w/c.sarif"}, "region": {"startLine": 9, "startColumn": 26}}}]}
    ]
  }]
}`

func TestParse(t *testing.T) {
	got, err := parse([]byte(multitoolLog), map[string]string{"/w/a b.sarif": "a b.sarif", "/w/c.sarif": "c.sarif", "/w/d.sarif": "d.sarif"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]Result{
		"a b.sarif": {{RuleID: "GH1013", Level: "error", Region: "1:1",
			Message: ": The SARIF log file does not contain a '$schema' property (GitHub Advanced Security)."}},
		"c.sarif": {{RuleID: "SARIF2005", Level: "warning", Region: "9:26", // no level, no rule default: warning
			Message: "runs[0].tool.driver.version: version 'dev' is not numeric."}},
		"d.sarif": nil,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if e := Errors(got["a b.sarif"]); len(e) != 1 || len(Errors(got["c.sarif"])) != 0 {
		t.Errorf("Errors: %v / %v", e, Errors(got["c.sarif"]))
	}
}

func TestParseFailures(t *testing.T) {
	tests := []struct{ name, log, want string }{
		{"unsuccessful run", strings.Replace(multitoolLog, `"executionSuccessful": true`, `"executionSuccessful": false`, 1), "unsuccessful"},
		{"result for another file", strings.Replace(multitoolLog, "file:///w/c.sarif", "file:///elsewhere.sarif", 1), "no file given"},
		{"error notification", strings.Replace(multitoolLog, `"executionSuccessful": true`,
			`"executionSuccessful": true, "toolExecutionNotifications": [{"level": "error", "message": {"text": "could not read"}}]`, 1), "could not read"},
		{"not JSON", "{", "unexpected end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse([]byte(tt.log), map[string]string{"/w/a b.sarif": "a", "/w/c.sarif": "c"})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
