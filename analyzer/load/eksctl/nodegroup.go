package eksctl

import (
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
	"github.com/rolecall/rolecall/analyzer/load/node"
)

// addonPolicies are the iam.withAddonPolicies switches of a node group
// (pkg/apis/eksctl.io/v1alpha5/validation.go validateNodeGroupIAMWithAddonPolicies). Each one
// set to true adds controller permissions to the node role eksctl creates
// (pkg/cfn/builder/iam_helper.go createRole: AWS managed policies for imageBuilder and
// cloudWatch, inline policies for the others); albIngress is the deprecated spelling of
// awsLoadBalancerController.
var addonPolicies = []string{"imageBuilder", "autoScaler", "externalDNS", "certManager", "appMesh", "appMeshPreview",
	"ebs", "fsx", "efs", "awsLoadBalancerController", "albIngress", "xRay", "cloudWatch"}

// givenRole names the field of a node group's iam that gives eksctl an existing node role
// (instanceRoleARN, instanceProfileARN), "" when none does.
func (r *reader) givenRole(iam *yaml.Node, what string) string {
	for _, f := range []string{"instanceRoleARN", "instanceProfileARN"} {
		if s, _ := r.str(iam, f, what+".iam"); s != "" {
			return f
		}
	}
	return ""
}

// nodeGroups reads nodeGroups and managedNodeGroups with the add-on policies of their node
// roles.
func (r *reader) nodeGroups(root *yaml.Node) {
	for _, list := range []struct {
		key     string
		managed bool
	}{{"nodeGroups", false}, {"managedNodeGroups", true}} {
		_, entries := r.list(root, list.key, "ClusterConfig")
		for i, e := range entries {
			what := fmt.Sprintf("%s[%d]", list.key, i)
			name, nameNode := r.str(e, "name", what)
			if name == "" {
				r.Errorf(node.First(nameNode, e), "%s needs a name", what)
				continue
			}
			g := &inventory.NodeGroup{ID: inventory.NodeGroupID(r.name, name), Cluster: r.name, Name: name,
				Managed: list.managed, AddonPolicies: []inventory.AddonPolicy{}, Source: r.Src(e)}
			_, iam := r.mapping(e, "iam", what)
			_, wap := r.mapping(iam, "withAddonPolicies", what+".iam")
			r.known(wap, what+".iam.withAddonPolicies", addonPolicies...)
			given := r.givenRole(iam, what)
			for _, kv := range docnode.Pairs(wap) {
				i := slices.IndexFunc(addonPolicies, func(p string) bool { return strings.EqualFold(p, kv[0].Value) })
				if i < 0 {
					continue // reported by known
				}
				p := addonPolicies[i]
				if k, _ := field(wap, p); k != kv[0] {
					continue // a later duplicate wins (encoding/json)
				}
				on, _, v := r.flag(wap, p, what+".iam.withAddonPolicies")
				if !on {
					continue
				}
				if given != "" {
					// validateNodeGroupIAM: eksctl creates no role when one is given, and
					// refuses add-on policies with it.
					r.Errorf(v, "%s.iam.%s and %s.iam.withAddonPolicies.%s cannot be set at the same time: eksctl refuses the config", what, given, what, p)
				}
				g.AddonPolicies = append(g.AddonPolicies, inventory.AddonPolicy{
					ID: inventory.AddonPolicyID(g.ID, p), Name: p, Source: r.Src(kv[0])})
			}
			r.inv.NodeGroups = append(r.inv.NodeGroups, g)
		}
	}
}
