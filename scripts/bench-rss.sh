#!/usr/bin/env bash
# Peak resident memory and wall time of `rolecall scan DIR` and of the parse floor on the same
# folder (internal/benchscale/floor: read and decode every file with the standard decoders),
# measured by GNU time. Prints "rolecall KB SECONDS" and "floor KB SECONDS".
#
#   scripts/bench-rss.sh DIR
#
# ROLECALL_BIN and FLOOR_BIN name prebuilt binaries; otherwise both are built first.
set -euo pipefail

dir=${1:?usage: scripts/bench-rss.sh DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ ! -x /usr/bin/time ]]; then
	echo "bench-rss: GNU time (/usr/bin/time, Debian package time) is needed" >&2
	exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rolecall=${ROLECALL_BIN:-}
floor=${FLOOR_BIN:-}
if [[ -z $rolecall ]]; then
	(cd "$root" && go build -trimpath -o "$work/rolecall" ./cmd/rolecall)
	rolecall=$work/rolecall
fi
if [[ -z $floor ]]; then
	(cd "$root" && go build -trimpath -o "$work/floor" ./internal/benchscale/floor)
	floor=$work/floor
fi

# measure NAME CMD…: one run; a findings exit code (1) is not a failure here.
measure() {
	local name=$1
	shift
	/usr/bin/time -f '%M %e' -o "$work/time" "$@" >/dev/null || [[ $? == 1 ]]
	echo "$name $(tail -n 1 "$work/time")"
}
measure rolecall "$rolecall" scan --format json --fail-on none "$dir"
measure floor "$floor" "$dir"
