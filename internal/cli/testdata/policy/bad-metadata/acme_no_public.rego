# METADATA
# title: Role trusts the public
# description: ACME forbids Principal "*" in trust policies.
# related_resources:
#   - description: documentation
#     ref: https://wiki.acme.example/iam/trust
# custom:
#   id: RC900
#   name: acme-no-public
#   severity: urgent
#   remediation: Name the exact principal.
package rolecall.rules.acme_no_public

import data.rolecall.lib

deny contains lib.finding(stmt.id, role.id, "public") if {
	some role in input.roles
	some stmt in role.trust.statements
	stmt.principal_star
}
