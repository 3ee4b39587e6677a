// Package version holds the build's version and commit, set at link time with
// -ldflags "-X github.com/rolecall/rolecall/internal/version.Version=…".
package version

import "strings"

// Version is the release version ("0.1.0" or "v0.1.0"); "dev" for local builds and in tests.
var Version = "dev"

// Commit is the VCS revision the binary was built from; empty when unknown.
var Commit = ""

// Semver is Version without a leading "v", as SARIF's tool.driver.version wants it.
func Semver() string { return Trim(Version) }

// Trim drops one leading "v" from a version string ("v0.1.0" → "0.1.0").
func Trim(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		return v[1:]
	}
	return v
}
