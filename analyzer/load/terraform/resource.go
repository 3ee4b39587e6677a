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
	// mapping (jsonencode(...), data "aws_iam_policy_document"), so findings point inside it.
	// A value unknown until apply is a string holding iampolicy.Unknown(expression), alone or
	// inside a template.
	Attrs *yaml.Node
	// Files maps nodes of Attrs that come from another file than Source.File (a module
	// variable's value, a data source's document in another .tf file) to that file's name.
	Files map[*yaml.Node]string
	// Source is the resource block (or the plan's resource object).
	Source inventory.Source
	// Cluster is the EKS cluster a Kubernetes resource (kubernetes_service_account,
	// kubernetes_config_map…) belongs to: the name of the only aws_eks_cluster of its root
	// module when there is one, else "" (the unnamed cluster).
	Cluster string
}
