package iampolicy

import (
	"errors"
	"fmt"
)

// Session-duration limits for sts:AssumeRole (semantics.md §A.6).
const (
	// MinSessionSeconds is the smallest DurationSeconds STS accepts (A6.3; [IAM-STSAPI]).
	MinSessionSeconds = 900
	// DefaultSessionSeconds is the session length when DurationSeconds is not given, and the
	// MaxSessionDuration of a role that does not set one ([IAM-STSAPI], [IAM-TERMS]).
	DefaultSessionSeconds = 3600
	// MaxRoleSessionSeconds is the largest MaxSessionDuration a role can have (A6.3).
	MaxRoleSessionSeconds = 43200
	// MaxChainedSessionSeconds caps a session obtained by role chaining: using role-session
	// credentials to assume another role (A6.2; [IAM-TERMS §Role chaining]).
	MaxChainedSessionSeconds = 3600
)

// ErrChainedDuration is wrapped by ValidateDuration when only the role-chaining cap (A6.2)
// rejects the request; callers label such edges "chained, ≤1h" (A6.4).
var ErrChainedDuration = errors.New("role chaining limits a session to 3600 seconds")

// ValidateDuration reports whether an AssumeRole with DurationSeconds=requested succeeds for a
// role whose MaxSessionDuration is roleMax, when the caller's credentials are (chained) or are
// not a role session. requested 0 means "not given" (STS then uses 3600 s); roleMax 0 means
// "not set" (3600 s). A roleMax outside 3600…43200 is not a value IAM stores and is an error.
//
// Rules: 900 ≤ requested ≤ roleMax (A6.3), and requested ≤ 3600 when chained (A6.2: a chained
// AssumeRole with DurationSeconds > 3600 fails rather than being shortened).
func ValidateDuration(requested, roleMax int, chained bool) error {
	if roleMax == 0 {
		roleMax = DefaultSessionSeconds
	}
	if roleMax < DefaultSessionSeconds || roleMax > MaxRoleSessionSeconds {
		return fmt.Errorf("role MaxSessionDuration %d is outside %d…%d seconds", roleMax, DefaultSessionSeconds, MaxRoleSessionSeconds)
	}
	if requested == 0 {
		requested = DefaultSessionSeconds
	}
	if requested < MinSessionSeconds {
		return fmt.Errorf("DurationSeconds %d is below the minimum of %d", requested, MinSessionSeconds)
	}
	if requested > roleMax {
		return fmt.Errorf("DurationSeconds %d exceeds the role's MaxSessionDuration of %d", requested, roleMax)
	}
	if chained && requested > MaxChainedSessionSeconds {
		return fmt.Errorf("DurationSeconds %d: %w", requested, ErrChainedDuration)
	}
	return nil
}
