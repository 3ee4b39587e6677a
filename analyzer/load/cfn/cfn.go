// Package cfn reads CloudFormation templates (YAML with short-form intrinsics, or JSON): IAM
// roles, OIDC providers, EKS clusters, access entries and Pod Identity associations.
package cfn

import (
	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/result"
)

// Load recognises a CloudFormation template and adds what it declares to inv.
func Load(doc *docnode.Document, inv *inventory.Inventory) (bool, []result.Diagnostic) {
	return false, nil // TODO(helper T3)
}
