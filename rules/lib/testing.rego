# METADATA
# title: test helpers
# description: Assertions for rule tests that print a readable diff when they fail.
package rolecall.lib.testing

# assert_count holds when set s has n elements; otherwise prints what it got.
assert_count(s, n) if {
	count(s) == n
} else := false if {
	print("expected", n, "findings, got", count(s), ":", s)
}

# assert_empty holds when s is empty; otherwise prints it.
assert_empty(s) if {
	count(s) == 0
} else := false if {
	print("expected no findings, got:", s)
}

# assert_one_with holds when s has exactly one finding and it has the given cause[0] and target.
assert_one_with(s, cause, target) if {
	count(s) == 1
	some f in s
	f.cause[0] == cause
	f.target == target
} else := false if {
	print("expected one finding with cause", cause, "and target", target, ", got:", s)
}
