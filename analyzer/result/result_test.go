package result

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSeverity(t *testing.T) {
	tests := []struct {
		in      string
		want    Severity
		wantErr string
	}{
		{"critical", Critical, ""},
		{"HIGH", High, ""},
		{"Medium", Medium, ""},
		{"lOw", Low, ""},
		{"info", Info, ""},
		{"None", SeverityNone, ""},
		{"urgent", 0, `unknown severity "urgent" (want one of info, low, medium, high, critical, none)`},
		{"", 0, `unknown severity ""`},
		{" high", 0, `unknown severity " high"`},
	}
	for _, tt := range tests {
		t.Run("parse "+tt.in, func(t *testing.T) {
			got, err := ParseSeverity(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseSeverity(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseSeverity(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestSeverityOrderAndNames(t *testing.T) {
	order := []Severity{Info, Low, Medium, High, Critical, SeverityNone}
	for i := 1; i < len(order); i++ {
		if order[i-1] >= order[i] {
			t.Errorf("%v should be below %v", order[i-1], order[i])
		}
	}
	if diff := cmp.Diff([]Severity{Critical, High, Medium, Low, Info}, Severities()); diff != "" {
		t.Errorf("Severities (-want +got):\n%s", diff)
	}
	var names []string
	for _, s := range order {
		names = append(names, s.String())
	}
	if diff := cmp.Diff(FailOnValues(), []string{names[4], names[3], names[2], names[1], names[0], names[5]}); diff != "" {
		t.Errorf("FailOnValues disagrees with String (-want +got):\n%s", diff)
	}
	if got := Severity(-1).String(); got != "severity(-1)" {
		t.Errorf("out-of-range String = %q", got)
	}
	if got := Severity(42).String(); got != "severity(42)" {
		t.Errorf("out-of-range String = %q", got)
	}
}

func TestSeverityText(t *testing.T) {
	b, err := json.Marshal(map[string]Severity{"s": High})
	if err != nil || string(b) != `{"s":"high"}` {
		t.Errorf("Marshal = %s, %v", b, err)
	}
	var s Severity
	if err := s.UnmarshalText([]byte("CRITICAL")); err != nil || s != Critical {
		t.Errorf("UnmarshalText(CRITICAL) = %v, %v", s, err)
	}
	s = Low
	if err := s.UnmarshalText([]byte("bogus")); err == nil || s != Low {
		t.Errorf("UnmarshalText(bogus) = %v, %v; want an error and the value unchanged", s, err)
	}
}

func finding(sev Severity, suppressed bool) Finding {
	f := Finding{RuleID: "RC001", Severity: sev}
	if suppressed {
		f.Suppression = &Suppression{Reason: "accepted risk", By: "config"}
	}
	return f
}

func TestScanVerdicts(t *testing.T) {
	type verdict struct {
		Max            Severity
		Any            bool
		FailsHigh      bool
		FailsNone      bool
		FailsInfo      bool
		Counts         map[Severity]int
		HasInputErrors bool
	}
	tests := []struct {
		name string
		scan Scan
		want verdict
	}{
		{
			name: "empty scan fails at nothing",
			scan: Scan{},
			want: verdict{Counts: map[Severity]int{}},
		},
		{
			name: "suppressed critical is ignored for max and fail-on",
			scan: Scan{Findings: []Finding{finding(Critical, true), finding(Low, false), finding(Medium, false)}},
			want: verdict{Max: Medium, Any: true, FailsInfo: true, Counts: map[Severity]int{Low: 1, Medium: 1}},
		},
		{
			name: "all suppressed: no unsuppressed severity",
			scan: Scan{Findings: []Finding{finding(Critical, true)}},
			want: verdict{Counts: map[Severity]int{}},
		},
		{
			name: "high fails at high but never at none",
			scan: Scan{Findings: []Finding{finding(High, false), finding(Critical, false)}},
			want: verdict{Max: Critical, Any: true, FailsHigh: true, FailsInfo: true, Counts: map[Severity]int{High: 1, Critical: 1}},
		},
		{
			name: "warnings are not input errors",
			scan: Scan{Diagnostics: []Diagnostic{{Severity: DiagWarning, Message: "w"}}},
			want: verdict{Counts: map[Severity]int{}},
		},
		{
			name: "one error diagnostic is an input error",
			scan: Scan{Diagnostics: []Diagnostic{{Severity: DiagWarning, Message: "w"}, {Severity: DiagError, File: "a.json", Message: "bad"}}},
			want: verdict{Counts: map[Severity]int{}, HasInputErrors: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			maxSev, found := tt.scan.MaxUnsuppressedSeverity()
			got := verdict{
				Max: maxSev, Any: found,
				FailsHigh: tt.scan.FailsAt(High), FailsNone: tt.scan.FailsAt(SeverityNone), FailsInfo: tt.scan.FailsAt(Info),
				Counts: tt.scan.CountBySeverity(), HasInputErrors: tt.scan.HasInputErrors(),
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiagnosticError(t *testing.T) {
	tests := []struct {
		name string
		d    Diagnostic
		want string
	}{
		{"file, line and column", Diagnostic{File: "aws-auth.yaml", Line: 12, Column: 17, Message: "bad"}, "aws-auth.yaml:12:17: bad"},
		{"file and line", Diagnostic{File: "a.json", Line: 3, Message: "bad"}, "a.json:3: bad"},
		{"file only", Diagnostic{File: "a.json", Message: "bad"}, "a.json: bad"},
		{"no file", Diagnostic{Line: 3, Column: 4, Message: "live: bad"}, "live: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error = tt.d // Diagnostic implements error
			if got := err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLocationAndPrimary(t *testing.T) {
	tests := []struct {
		name string
		loc  Location
		want string
	}{
		{"file position", Location{File: "x.yaml", Line: 2, Column: 5, Ref: "id"}, "x.yaml:2:5"},
		{"file without line", Location{File: "x.yaml", Ref: "id"}, "x.yaml"},
		{"live reference", Location{Ref: "arn:aws:iam::111122223333:role/x"}, "arn:aws:iam::111122223333:role/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.loc.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("primary is the first location, else the target", func(t *testing.T) {
		f := Finding{Target: "arn:t", Locations: []Location{{File: "a"}, {File: "b"}}}
		if diff := cmp.Diff(Location{File: "a"}, f.Primary()); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		f.Locations = nil
		if diff := cmp.Diff(Location{Ref: "arn:t"}, f.Primary()); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}
