// Package node holds what the loaders share to read positioned document trees: a Reader that
// collects positioned diagnostics for one file and reads typed fields (reporting a wrong type
// at the offending node), and small helpers for sources, key sets and type names.
package node

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
)

// At is the source of n in file; a nil n gives the file alone (line and column 0).
func At(file string, n *yaml.Node) inventory.Source {
	if n == nil {
		return inventory.Source{File: file}
	}
	return inventory.At(file, n.Line, n.Column)
}

// Diag is a diagnostic of severity sev at at.
func Diag(sev string, at inventory.Source, msg string) result.Diagnostic {
	return result.Diagnostic{Severity: sev, File: at.File, Line: at.Line, Column: at.Column, Message: msg}
}

// First returns the first non-nil node of ns, or nil.
func First(ns ...*yaml.Node) *yaml.Node {
	for _, n := range ns {
		if n != nil {
			return n
		}
	}
	return nil
}

// KindName names n's type as messages show it: "list", "mapping" or the scalar tag without
// "!!" ("int", "bool", "null", ...).
func KindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	}
	return strings.TrimPrefix(n.Tag, "!!")
}

// OnlyKeys reports whether every key of mapping m is one of allowed. CLI and API outputs have
// a fixed set of top-level keys; checking it keeps, say, a Helm values file that happens to
// have a "Roles" or "cluster" key from being taken for such output.
func OnlyKeys(m *yaml.Node, allowed ...string) bool {
	for _, kv := range docnode.Pairs(m) {
		ok := false
		for _, a := range allowed {
			if kv[0].Value == a {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Reader collects the diagnostics of one file, each positioned at a node. The typed getters
// read a key of a mapping; what names the enclosing element in their messages
// ("what: key must be ...").
type Reader struct {
	File  string
	Diags []result.Diagnostic
}

// Src is the source of n in the reader's file.
func (r *Reader) Src(n *yaml.Node) inventory.Source { return At(r.File, n) }

// Errorf records an error at n (the file alone when n is nil).
func (r *Reader) Errorf(n *yaml.Node, format string, a ...any) {
	r.Diags = append(r.Diags, Diag(result.DiagError, r.Src(n), fmt.Sprintf(format, a...)))
}

// Warnf records a warning at n (the file alone when n is nil).
func (r *Reader) Warnf(n *yaml.Node, format string, a ...any) {
	r.Diags = append(r.Diags, Diag(result.DiagWarning, r.Src(n), fmt.Sprintf(format, a...)))
}

// Str returns the text of the scalar at key of m and its node. The node is nil when the key
// is absent, null or not a scalar; a list or mapping there is reported as an error.
// Numbers and booleans are read as their text.
func (r *Reader) Str(m *yaml.Node, key, what string) (string, *yaml.Node) {
	_, v := docnode.Lookup(m, key)
	if v == nil || docnode.IsNull(v) {
		return "", nil
	}
	s, ok := docnode.Str(v)
	if !ok {
		r.Errorf(v, "%s: %s must be a string", what, key)
		return "", nil
	}
	return s, v
}

// StrList reads a list of strings at key of m. The result is nil when the key is absent or
// null and non-nil (possibly empty) otherwise, so "loaded, empty" stays distinguishable.
// Anything but a list, and each element that is not a scalar, is reported as an error.
func (r *Reader) StrList(m *yaml.Node, key, what string) []string {
	return r.strList(m, key, what, false)
}

// StrOrList is StrList that also takes a lone string as a one-element list.
func (r *Reader) StrOrList(m *yaml.Node, key, what string) []string {
	return r.strList(m, key, what, true)
}

func (r *Reader) strList(m *yaml.Node, key, what string, lone bool) []string {
	_, v := docnode.Lookup(m, key)
	if v == nil || docnode.IsNull(v) {
		return nil
	}
	if s, ok := docnode.Str(v); ok && lone {
		return []string{s}
	}
	if v.Kind != yaml.SequenceNode {
		r.Errorf(v, "%s: %s must be a list of strings", what, key)
		return nil
	}
	out := []string{}
	for _, it := range docnode.Items(v) {
		s, ok := docnode.Str(it)
		if !ok {
			r.Errorf(it, "%s: %s must be a list of strings", what, key)
			continue
		}
		out = append(out, s)
	}
	return out
}

// Objects returns the mappings of the list at key of m (nil when absent or null); a lone
// mapping is taken as a one-element list. Anything else, and each element that is not a
// mapping, is reported as an error.
func (r *Reader) Objects(m *yaml.Node, key, what string) []*yaml.Node {
	_, v := docnode.Lookup(m, key)
	if v == nil || docnode.IsNull(v) {
		return nil
	}
	if v.Kind == yaml.MappingNode {
		return []*yaml.Node{v}
	}
	if v.Kind != yaml.SequenceNode {
		r.Errorf(v, "%s: %s must be a list of objects", what, key)
		return nil
	}
	var out []*yaml.Node
	for _, it := range docnode.Items(v) {
		if it.Kind != yaml.MappingNode {
			r.Errorf(it, "%s: %s entries must be objects", what, key)
			continue
		}
		out = append(out, it)
	}
	return out
}
