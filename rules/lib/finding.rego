# METADATA
# title: finding constructors
# description: The only place that knows the shape of a finding object.
package rolecall.lib

# finding: cause is an id or an array of ids (the first is the primary location);
# target is the id of the role or cluster identity at risk.
finding(cause, target, msg) := {
	"msg": msg,
	"cause": _ids(cause),
	"target": target,
}

# finding_from adds the subject that gains access.
finding_from(cause, target, subject, msg) := object.union(finding(cause, target, msg), {"subject": subject})

# finding_via adds the chain of edge ids for multi-hop findings.
finding_via(cause, target, subject, path, msg) := object.union(finding_from(cause, target, subject, msg), {"path": path})

_ids(cause) := [cause] if is_string(cause)

_ids(cause) := cause if is_array(cause)
