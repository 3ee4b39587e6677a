#!/usr/bin/env bash
# Times `rolecall scan` against `conftest test --combine` with an equivalent policy
# (scripts/conftest-policy/) on the same generated inputs (cmd/rolecall-gen), and checks that
# both find the planted mistakes. Not part of CI.
#
#   scripts/compare-conftest.sh [SIZE…]       sizes in roles, default: 1000 5000
#
# Environment: RUNS (timed runs of each tool per size, default 3; min and median reported),
# SEED (default 1), ROLECALL_TOOLS_CACHE (where conftest is installed, as by
# build-kube-apiserver.sh). conftest is built once from the Go module proxy (about 10 minutes
# on 2 cores) into the cache, not into GOPATH/bin.
set -euo pipefail

conftest_version=v0.71.1
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${ROLECALL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rolecall-tools}
conftest=$cache/conftest-$conftest_version/conftest
runs=${RUNS:-3}
seed=${SEED:-1}
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000 5000)

if [[ ! -x $conftest ]]; then
	echo "installing conftest $conftest_version into $(dirname "$conftest") (about 10 minutes cold)" >&2
	mkdir -p "$(dirname "$conftest")"
	(cd "$cache" && GOBIN=$(dirname "$conftest") GOFLAGS= go install "github.com/open-policy-agent/conftest@$conftest_version")
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -trimpath -o "$work/rolecall" ./cmd/rolecall && go build -o "$work/rolecall-gen" ./cmd/rolecall-gen)

# ms_of CMD…: wall time of one run in milliseconds (output discarded, exit status ignored).
ms_of() {
	local start end
	start=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	end=$(date +%s%N)
	echo $(((end - start) / 1000000))
}

# stats MS…: "min median" of the numbers.
stats() {
	printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {printf "%d %d", v[1], v[int((NR + 1) / 2)]}'
}

# counts FILE: "RCnnn=N …" of the rule ids in a report, sorted.
counts() {
	grep -o 'RC[0-9][0-9][0-9]' "$1" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}'
}

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-7s %-9s %14s %14s %7s\n' roles files "rolecall ms" "conftest ms" ratio
status=0
for n in "${sizes[@]}"; do
	dir=$work/env-$n
	"$work/rolecall-gen" -roles "$n" -seed "$seed" -out "$dir" 2>/dev/null
	files=$(find "$dir" -type f | wc -l)

	# Same findings first: every planted count, from both tools.
	"$work/rolecall" scan --format json --fail-on none "$dir" >"$work/rolecall.json"
	"$conftest" test --combine --no-color --no-fail -p "$root/scripts/conftest-policy" "$dir" >"$work/conftest.txt"
	want=$(grep -o '"RC[0-9]*": [0-9]*' "$dir/planted.json" | tr -d '" ' | sort | tr ':' '=' | tr '\n' ' ')
	for tool in rolecall conftest; do
		f=$work/rolecall.json
		[[ $tool == conftest ]] && f=$work/conftest.txt
		for kv in $want; do
			id=${kv%=*} planted=${kv#*=}
			if [[ $tool == rolecall ]]; then
				got=$(grep -c "\"rule_id\": \"$id\"" "$f" || true)
			else
				got=$(grep -c " - $id:" "$f" || true)
			fi
			if [[ $got != "$planted" ]]; then
				echo "$n roles: $tool reports $got $id findings, planted $planted" >&2
				status=1
			fi
		done
	done

	rc=() ct=()
	for _ in $(seq "$runs"); do
		rc+=("$(ms_of "$work/rolecall" scan --format json --fail-on none "$dir")")
		ct+=("$(ms_of "$conftest" test --combine --no-color --no-fail -p "$root/scripts/conftest-policy" "$dir")")
	done
	read -r rc_min rc_med <<<"$(stats "${rc[@]}")"
	read -r ct_min ct_med <<<"$(stats "${ct[@]}")"
	ratio=$(awk -v a="$rc_med" -v b="$ct_med" 'BEGIN {printf "%.2f", a / b}')
	printf '%-7s %-9s %14s %14s %7s\n' "$n" "$files" "$rc_min/$rc_med" "$ct_min/$ct_med" "$ratio"
	rm -rf "$dir"
done
echo "times are min/median of $runs runs, whole processes (rolecall includes compiling its rules); ratio = rolecall median / conftest median"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
