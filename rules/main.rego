# METADATA
# title: rolecall entrypoint
# description: Gathers the findings of every rule package under data.rolecall.rules.
# entrypoint: true
package rolecall.main

# findings is the union of every rule's deny set, each tagged with its package slug.
findings contains object.union(f, {"rule": slug}) if {
	some slug, pkg in data.rolecall.rules
	some f in pkg.deny
}
