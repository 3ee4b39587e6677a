package suppress

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rolecall/rolecall/analyzer/result"
)

func TestMatchPath(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"k8s/**", "k8s/prod/aws-auth.yaml", true},
		{"k8s/**", "k8s", true},
		{"k8s/", "k8s/a/b/c.yaml", true},
		{"k8s/*.yaml", "k8s/prod/aws-auth.yaml", false},
		{"k8s/*/aws-auth.yaml", "k8s/prod/aws-auth.yaml", true},
		{"**/aws-auth.yaml", "clusters/prod/aws-auth.yaml", true},
		{"**/aws-auth.yaml", "aws-auth.yaml", true},
		{"./k8s/**", "k8s/x.yaml", true},
		{"k8s/**/prod/*.yaml", "k8s/eu/prod/sa.yaml", true},
		{"k8s/**/prod/*.yaml", "k8s/eu/dev/sa.yaml", false},
		{"trust/*.json", "trust-old/a.json", false},
	}
	for _, tt := range tests {
		if got := MatchPath(tt.pattern, tt.name); got != tt.want {
			t.Errorf("MatchPath(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestExpiry(t *testing.T) {
	finding := func() []result.Finding {
		return []result.Finding{{RuleID: "RC401", Rule: "aws-auth-system-masters", Target: "arn:aws:iam::111122223333:role/ops", Fingerprint: "f"}}
	}
	rule := Rule{Rule: "RC401", Resource: "arn:aws:iam::*:role/ops", Reason: "accepted", Owner: "sec",
		Expires: day("2027-06-30"), File: ".rolecall.yaml", Line: 4, Column: 5}
	tests := []struct {
		name       string
		now        time.Time
		suppressed bool
		diags      []result.Diagnostic
	}{
		{"applies before the date", day("2027-06-01"), true, nil},
		{"applies through the last day", day("2027-06-30").Add(23 * time.Hour), true, nil},
		{"stops the day after and says so at the config line", day("2027-07-01"), false, []result.Diagnostic{{
			Severity: "warning", File: ".rolecall.yaml", Line: 4, Column: 5,
			Message: "suppression of RC401 (owner sec) expired on 2027-06-30 and no longer suppresses anything; the 1 finding it matches is reported again: fix it, or renew the suppression with a new expires date and reason",
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := finding()
			diags := Apply(fs, Options{Config: []Rule{rule}, Now: tt.now})
			if got := fs[0].Suppression != nil; got != tt.suppressed {
				t.Errorf("suppressed = %v, want %v", got, tt.suppressed)
			}
			if diff := cmp.Diff(tt.diags, diags); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigMatching(t *testing.T) {
	f := result.Finding{RuleID: "RC101", Rule: "irsa-missing-sub", Target: "arn:aws:iam:::role/orders-api",
		Fingerprint: "abc", Locations: []result.Location{{File: "trust/orders-api.json", Line: 7}}}
	tests := []struct {
		name string
		rule Rule
		want bool
	}{
		{"rule id in any case", Rule{Rule: "rc101"}, true},
		{"rule name", Rule{Rule: "irsa-missing-sub"}, true},
		{"another rule", Rule{Rule: "RC102"}, false},
		{"resource glob spans slashes and colons", Rule{Rule: "RC101", Resource: "arn:aws:iam::*:role/orders-*"}, true},
		{"resource glob that does not match", Rule{Rule: "RC101", Resource: "arn:aws:iam::*:role/payments-*"}, false},
		{"path glob", Rule{Rule: "RC101", Path: "trust/*.json"}, true},
		{"fingerprint alone", Rule{Fingerprint: "abc"}, true},
		{"other fingerprint", Rule{Rule: "RC101", Fingerprint: "abd"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.matches(&f); got != tt.want {
				t.Errorf("matches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestInlineCoverage(t *testing.T) {
	const file = "aws-auth.yaml"
	data := `apiVersion: v1
kind: ConfigMap
data:
  # rolecall:ignore RC401 outer comment covers the whole block
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/a
      groups:
        - system:masters
    - rolearn: arn:aws:iam::111122223333:role/b
  mapUsers: |
    # rolecall:ignore RC409 inner comment covers the entry below
    - userarn: arn:aws:iam::111122223333:user/u
      groups:
        - x
    - userarn: arn:aws:iam::111122223333:user/v # rolecall:ignore RC409 trailing comment covers its entry
    - userarn: arn:aws:iam::111122223333:user/w
`
	rules := []result.Rule{{ID: "RC401", Name: "aws-auth-system-masters"}, {ID: "RC409", Name: "iam-user-cluster-access"}}
	tests := []struct {
		rule string
		line int
		want bool
	}{
		{"RC401", 6, true},   // first mapRoles entry
		{"RC401", 9, true},   // last mapRoles entry, inside the span of the data key
		{"RC401", 12, false}, // mapUsers: outside the span
		{"RC409", 6, false},  // another rule
		{"RC409", 12, true},  // entry below the inner comment
		{"RC409", 13, true},  // a line of that entry
		{"RC409", 15, true},  // trailing comment
		{"RC409", 16, false}, // the entry after the trailing comment
	}
	for _, tt := range tests {
		fs := []result.Finding{{RuleID: tt.rule, Locations: []result.Location{{File: file, Line: tt.line, Column: 7}}}}
		diags := Apply(fs, Options{Rules: rules, Files: map[string][]byte{file: []byte(data)}})
		if len(diags) != 0 {
			t.Fatalf("diagnostics: %v", diags)
		}
		if got := fs[0].Suppression != nil; got != tt.want {
			t.Errorf("%s at line %d: suppressed = %v, want %v", tt.rule, tt.line, got, tt.want)
		}
		if tt.want && fs[0].Suppression.By != "inline" {
			t.Errorf("By = %q, want inline", fs[0].Suppression.By)
		}
	}
}

func TestInlineWithoutReasonSuppressesNothing(t *testing.T) {
	data := "# rolecall:ignore RC401\napiVersion: v1\n"
	fs := []result.Finding{{RuleID: "RC401", Locations: []result.Location{{File: "a.yaml", Line: 2, Column: 1}}}}
	diags := Apply(fs, Options{Rules: []result.Rule{{ID: "RC401"}}, Files: map[string][]byte{"a.yaml": []byte(data)}})
	if fs[0].Suppression != nil {
		t.Error("a comment without a reason suppressed the finding")
	}
	want := []result.Diagnostic{{Severity: "warning", File: "a.yaml", Line: 1, Column: 1,
		Message: "rolecall:ignore RC401 has no reason: say why the finding is accepted after the rule, e.g. `# rolecall:ignore RC401 break-glass role, reviewed by security`; this comment suppresses nothing"}}
	if diff := cmp.Diff(want, diags); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestJSONHasNoInlineComments(t *testing.T) {
	data := `{"a": "# rolecall:ignore RC401 not a comment in JSON"}`
	fs := []result.Finding{{RuleID: "RC401", Locations: []result.Location{{File: "a.json", Line: 1, Column: 1}}}}
	Apply(fs, Options{Rules: []result.Rule{{ID: "RC401"}}, Files: map[string][]byte{"a.json": []byte(data)}})
	if fs[0].Suppression != nil {
		t.Error("text inside a JSON string suppressed a finding")
	}
}

// TestInlineMarkerForms: the comment is recognised however the file is encoded or laid out.
func TestInlineMarkerForms(t *testing.T) {
	rules := []result.Rule{{ID: "RC401", Name: "aws-auth-system-masters"}}
	tests := []struct {
		name   string
		data   string
		line   int // of the finding
		reason string
	}{
		{"own line above", "# rolecall:ignore RC401 accepted\napiVersion: v1\n", 2, "accepted"},
		{"windows line endings", "# rolecall:ignore RC401 accepted\r\napiVersion: v1\r\n", 2, "accepted"},
		{"byte order mark before the first line's comment", "\ufeff# rolecall:ignore RC401 accepted\napiVersion: v1\n", 2, "accepted"},
		{"tab between rule and reason", "# rolecall:ignore RC401\taccepted\napiVersion: v1\n", 2, "accepted"},
		{"after content on the last line, no final newline", "kind: ConfigMap\napiVersion: v1 # rolecall:ignore RC401 accepted", 2, "accepted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := []result.Finding{{RuleID: "RC401", Locations: []result.Location{{File: "a.yaml", Line: tt.line, Column: 1}}}}
			diags := Apply(fs, Options{Rules: rules, Files: map[string][]byte{"a.yaml": []byte(tt.data)}})
			if len(diags) != 0 {
				t.Errorf("diagnostics: %v", diags)
			}
			if fs[0].Suppression == nil {
				t.Fatal("not suppressed")
			}
			if got := fs[0].Suppression.Reason; got != tt.reason {
				t.Errorf("reason = %q, want %q", got, tt.reason)
			}
		})
	}
}

// TestInlineTerraform: in a .tf file a comment covers the HCL block, argument or object item
// below it (or on its line), and only a real comment counts.
func TestInlineTerraform(t *testing.T) {
	const file = "iam.tf"
	data := `resource "aws_iam_role" "app" {
  name = "app"
  # rolecall:ignore RC101 trust reviewed
  assume_role_policy = jsonencode({
    Statement = [{
      Effect = "Allow"
    }]
  })
  description = "see # rolecall:ignore RC102 inside a string"
  tags = {}
}

data "aws_iam_policy_document" "trust" {
  statement {
    principals { # rolecall:ignore RC102 trailing comment covers the block
      type        = "Federated"
      identifiers = ["x"]
    }
    condition {
      test = "StringLike"
    }
  }
}

# rolecall:ignore RC103 covers the whole resource
resource "aws_iam_role" "b" {
  assume_role_policy = jsonencode({
    // two comment styles, only # markers count
    # rolecall:ignore RC104 covers the object item below
    Statement = [
      {}
    ]
    Version = "2012-10-17"
  })
}
`
	rules := []result.Rule{{ID: "RC101"}, {ID: "RC102"}, {ID: "RC103"}, {ID: "RC104"}}
	tests := []struct {
		rule string
		line int
		want bool
	}{
		{"RC101", 4, true},   // the argument below the comment
		{"RC101", 6, true},   // inside its jsonencode
		{"RC101", 8, true},   // its last line
		{"RC101", 9, false},  // the next argument
		{"RC102", 9, false},  // a # inside a string is not a comment
		{"RC102", 15, true},  // the principals block, trailing comment
		{"RC102", 17, true},  // inside it
		{"RC102", 19, false}, // the condition block after it
		{"RC103", 26, true},  // the resource below
		{"RC103", 35, true},  // its end
		{"RC104", 30, true},  // the object item below
		{"RC104", 32, true},  // its last line
		{"RC104", 33, false}, // the next item
	}
	for _, tt := range tests {
		fs := []result.Finding{{RuleID: tt.rule, Locations: []result.Location{{File: file, Line: tt.line, Column: 3}}}}
		diags := Apply(fs, Options{Rules: rules, Files: map[string][]byte{file: []byte(data)}})
		if len(diags) != 0 {
			t.Fatalf("diagnostics: %v", diags)
		}
		if got := fs[0].Suppression != nil; got != tt.want {
			t.Errorf("%s at line %d: suppressed = %v, want %v", tt.rule, tt.line, got, tt.want)
		}
	}
}
