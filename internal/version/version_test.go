package version

import "testing"

func TestTrim(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"leading v dropped", "v0.1.0", "0.1.0"},
		{"plain semver kept", "0.1.0", "0.1.0"},
		{"dev kept", "dev", "dev"},
		{"word starting with v kept", "vendor", "vendor"},
		{"surrounding space dropped", " v1.2.3\n", "1.2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Trim(tt.in); got != tt.want {
				t.Errorf("Trim(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
