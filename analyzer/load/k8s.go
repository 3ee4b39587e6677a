package load

import (
	"github.com/rolecall/rolecall/analyzer/load/awsauth"
	"github.com/rolecall/rolecall/analyzer/load/kube"
)

// manifestLoaders are the pass-2 loaders, in order: Kubernetes objects (ServiceAccounts,
// RBAC, the aws-auth ConfigMap, kind: List), then the other aws-iam-authenticator formats
// (server config, IAMIdentityMapping, dynamic-file JSON, bare mapRoles fragments).
func manifestLoaders() []ManifestLoader {
	return []ManifestLoader{kube.Load, awsauth.Load}
}
