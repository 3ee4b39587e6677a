package clusterauth

import (
	"strings"

	"github.com/rolecall/rolecall/analyzer/iampolicy"
)

// Canonicalize turns the ARN STS GetCallerIdentity returns into the canonical ARN that
// aws-iam-authenticator looks up (semantics D4.2; AUTHN pkg/arn/arn.go Canonicalize):
//
//   - arn:P:sts::ACCT:assumed-role/ROLE/SESSION → arn:P:iam::ACCT:role/ROLE, sessionName SESSION.
//     STS session ARNs carry no role path, so the canonical role ARN never has one (D4.3);
//   - arn:P:iam::ACCT:user/[PATH/]NAME, arn:P:iam::ACCT:role/…, arn:P:iam::ACCT:root and
//     arn:P:sts::ACCT:federated-user/NAME are returned unchanged (case kept);
//   - anything else, and any partition the authenticator does not know, is rejected (ok false).
//
// Like the authenticator, only the service and the first segment of the resource are checked:
// the account is not validated and an assumed-role ARN needs at least ROLE/SESSION.
func Canonicalize(arn string) (canonical string, sessionName string, ok bool) {
	a, parsed := iampolicy.ParseARN(arn)
	if !parsed || !iampolicy.IsKnownPartition(a.Partition) {
		return "", "", false
	}
	parts := strings.Split(a.Resource, "/")
	switch a.Service {
	case "sts":
		switch parts[0] {
		case "federated-user":
			return arn, "", true
		case "assumed-role":
			if len(parts) < 3 {
				return "", "", false
			}
			// The authenticator joins everything between "assumed-role/" and the last segment
			// (the session name); STS never puts a path there.
			role := strings.Join(parts[1:len(parts)-1], "/")
			return "arn:" + a.Partition + ":iam::" + a.Account + ":role/" + role, parts[len(parts)-1], true
		}
	case "iam":
		switch parts[0] {
		case "role", "user", "root":
			return arn, "", true
		}
	}
	return "", "", false
}

// isRoleSession reports whether arn is an STS assumed-role session ARN.
func isRoleSession(arn string) bool {
	a, ok := iampolicy.ParseARN(arn)
	return ok && a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/")
}
