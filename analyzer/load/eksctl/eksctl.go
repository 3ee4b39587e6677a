// Package eksctl reads eksctl ClusterConfig files: the IAM roles eksctl will create for
// ServiceAccounts, identity mappings, Pod Identity associations, access entries and node groups.
package eksctl

import (
	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
)

// Load recognises an eksctl ClusterConfig and adds what it declares to inv.
func Load(doc *docnode.Document, inv *inventory.Inventory) (bool, []result.Diagnostic) {
	return false, nil // TODO(helper T4)
}
