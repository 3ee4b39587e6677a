// Package rules embeds rolecall's built-in Rego rules (with their tests, which the engine
// filters out at load time).
package rules

import "embed"

// FS holds main.rego, lib/ and every rule with its _test.rego.
//
//go:embed *.rego lib/*.rego
var FS embed.FS
