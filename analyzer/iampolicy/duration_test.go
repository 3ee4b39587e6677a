package iampolicy

import (
	"errors"
	"testing"
)

func TestValidateDuration(t *testing.T) {
	tests := []struct {
		name      string
		requested int
		roleMax   int
		chained   bool
		wantErr   bool
		chainErr  bool // the error wraps ErrChainedDuration
	}{
		// X9: alice → RoleA (a plain session) → RoleB is a chained AssumeRole.
		{name: "X9 chained hop to RoleB with 7200 s fails", requested: 7200, roleMax: 43200, chained: true, wantErr: true, chainErr: true},
		{name: "X9 chained hop to RoleB with 3600 s works", requested: 3600, roleMax: 43200, chained: true},
		{name: "X9 first hop alice to RoleA with 7200 s works when the role allows it", requested: 7200, roleMax: 43200},
		{name: "chained hop without DurationSeconds gets the 3600 s default", requested: 0, roleMax: 43200, chained: true},
		{name: "minimum 900 s accepted", requested: 900, roleMax: 3600},
		{name: "below 900 s rejected", requested: 899, roleMax: 3600, wantErr: true},
		{name: "negative rejected", requested: -1, roleMax: 3600, wantErr: true},
		{name: "role default max is 3600 s", requested: 3601, roleMax: 0, wantErr: true},
		{name: "exactly the role max accepted", requested: 43200, roleMax: 43200},
		{name: "above the role max rejected", requested: 7201, roleMax: 7200, wantErr: true},
		{name: "above the role max is not a chaining error", requested: 7201, roleMax: 7200, chained: true, wantErr: true},
		{name: "role max below 3600 is not a valid MaxSessionDuration", requested: 900, roleMax: 1800, wantErr: true},
		{name: "role max above 43200 is not a valid MaxSessionDuration", requested: 900, roleMax: 43201, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateDuration(tt.requested, tt.roleMax, tt.chained)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ValidateDuration(%d, %d, %v) = %v, want error %v", tt.requested, tt.roleMax, tt.chained, err, tt.wantErr)
			}
			if got := errors.Is(err, ErrChainedDuration); got != tt.chainErr {
				t.Errorf("errors.Is(err, ErrChainedDuration) = %v, want %v (err %v)", got, tt.chainErr, err)
			}
		})
	}
}
