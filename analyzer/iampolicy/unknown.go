package iampolicy

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
)

// Values that infrastructure-as-code leaves unknown until it is deployed (a Terraform module
// output or computed attribute, a CloudFormation !GetAtt) reach the policy parser as the
// expression between ⟨ and ⟩, alone or inside a string ("arn:aws:iam::⟨var.account⟩:root").
// Neither character can appear in anything AWS accepts, so the marker is never mistaken for data.
const (
	unknownOpen  = "⟨"
	unknownClose = "⟩"
)

// Unknown is the marker of a value known only after deployment; expr says which (e.g.
// "module.eks.oidc_provider_arn").
func Unknown(expr string) string { return unknownOpen + expr + unknownClose }

// UnknownsIn lists the unknown expressions inside s, in order.
func UnknownsIn(s string) []string {
	var out []string
	for {
		i := strings.Index(s, unknownOpen)
		if i < 0 {
			return out
		}
		s = s[i+len(unknownOpen):]
		j := strings.Index(s, unknownClose)
		if j < 0 {
			return append(out, s)
		}
		out = append(out, s[:j])
		s = s[j+len(unknownClose):]
	}
}

// HasUnknown reports whether s holds an unknown value.
func HasUnknown(s string) bool { return strings.Contains(s, unknownOpen) }

// IndeterminateStatement is a statement whose meaning depends on values unknown until
// deployment. It is kept out of Policy.Statements, so no verdict and no finding rests on a
// guess about those values; the analysis reports it instead.
type IndeterminateStatement struct {
	// Index is the statement's position in the document (0-based).
	Index int
	Pos   Pos
	// Unknowns are the unknown expressions, in document order, without repeats.
	Unknowns []string
}

// UnknownsBelow lists, without repeats, the unknown expressions in every key and scalar under
// n, in document order. Each node is visited once, so YAML aliases cannot make it explode.
func UnknownsBelow(n *yaml.Node) []string { return unknownsBelow(n) }

func unknownsBelow(n *yaml.Node) []string {
	var out []string
	seen := map[string]bool{}
	visited := map[*yaml.Node]bool{}
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		n = docnode.Resolve(n)
		if n == nil || visited[n] {
			return
		}
		visited[n] = true
		if n.Kind == yaml.ScalarNode {
			for _, u := range UnknownsIn(n.Value) {
				if !seen[u] {
					seen[u] = true
					out = append(out, u)
				}
			}
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return out
}
