// Package terraform reads Terraform: configurations (.tf files, evaluated with hcl/v2 and
// go-cty) and plans (terraform show -json). Both are reduced to Resources — a resource's
// attributes as a positioned node tree — and one mapper turns the resource types rolecall
// understands into inventory elements, located at the line the author wrote.
package terraform

import (
	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/inventory"
)

// Resource is one resource (or data source) instance with its attribute values.
type Resource struct {
	// Mode is "managed" (resource) or "data".
	Mode string
	// Type is the resource type, e.g. "aws_iam_role"; Name its local name.
	Type, Name string
	// Address is the instance address as Terraform prints it: "aws_iam_role.app",
	// "module.eks.aws_iam_role.node[0]", "data.aws_iam_policy_document.trust".
	Address string
	// Attrs is a mapping node of the attribute values, in Terraform's JSON shape (nested blocks
	// are lists of mappings, as in `terraform show -json`), every node positioned at the
	// expression that produced it (its File is Source.File unless the node says otherwise: see
	// Files). A policy document attribute may be a string (JSON text) or the document's own
	// mapping (jsonencode(...), JSON text in a string or heredoc, file(), data
	// "aws_iam_policy_document"), so findings point inside it; such a mapping is positioned in
	// one file (its root's). A value unknown until apply is a string holding
	// iampolicy.Unknown(expression), alone or inside a template.
	//
	// From a configuration, Attrs holds the arguments written (a reference followed to where
	// its value was written: a local, a variable's default or .tfvars value, a module argument)
	// and what the provider derives from them (an aws_iam_role's arn and id, an OIDC
	// provider's arn, an aws_iam_policy_document's json, positioned at the block); other
	// computed attributes are absent.
	Attrs *yaml.Node
	// Files maps the nodes of Attrs written in another file than Source.File (a module
	// argument, a .tfvars value, a data source's document in another .tf file) to that file's
	// name: every such node, not only the root of a subtree.
	Files map[*yaml.Node]string
	// Source is the resource block (or the plan's resource object).
	Source inventory.Source
	// Cluster is the EKS cluster a Kubernetes resource (kubernetes_service_account,
	// kubernetes_config_map…) belongs to: the name of the only aws_eks_cluster of its root
	// module when there is one, else "" (the unnamed cluster).
	Cluster string
}
