package inventory

import "fmt"

// TrustIssueID identifies issue index of a role's trust policy.
func TrustIssueID(roleID string, index int) string {
	return fmt.Sprintf("%s#trust/issue/%d", roleID, index)
}

// PrincipalValueID identifies value index of principal type typ ("aws", "federated",
// "service", "canonical_user") of a statement.
func PrincipalValueID(statementID, typ string, index int) string {
	return fmt.Sprintf("%s/principal/%s/%d", statementID, typ, index)
}

// ConditionID identifies condition index of a statement.
func ConditionID(statementID string, index int) string {
	return fmt.Sprintf("%s/condition/%d", statementID, index)
}
