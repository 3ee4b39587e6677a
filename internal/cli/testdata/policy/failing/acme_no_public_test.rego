package rolecall.rules.acme_no_public_test

import data.rolecall.lib.testing
import data.rolecall.rules.acme_no_public

_input(star) := {"roles": [{"id": "r", "trust": {"statements": [{"id": "r#trust/0", "principal_star": star}]}}]}

test_fires_on_principal_star if {
	findings := acme_no_public.deny with input as _input(true)
	testing.assert_one_with(findings, "r#trust/0", "r")
}

# Wrong on purpose: the rule does fire here, so this test fails and prints what it got.
test_quiet_on_principal_star_deliberately_wrong if {
	findings := acme_no_public.deny with input as _input(true)
	testing.assert_empty(findings)
}
