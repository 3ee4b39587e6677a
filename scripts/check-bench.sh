#!/usr/bin/env bash
# Checks the performance targets of issue 7 and prints target, measured, limit, pass/fail;
# exits 1 when a target is missed. Not part of `make test`: speed is measured here, never in
# unit tests.
#
#   scripts/check-bench.sh                 run BenchmarkScale (1k, 5k, 20k roles) first
#   scripts/check-bench.sh BENCH.txt       read a saved `go test -bench BenchmarkScale` output
#
# Targets:
#   full scan ≤ 1.5 × parse floor (time) at 5k and 20k roles          BenchmarkScale x-floor
#   time and allocated bytes per role at 20k ≤ 1.5 × those at 1k       BenchmarkScale ns/role, B/role
#   peak RSS of `rolecall scan` ≤ 2 × the parse floor's, 5k and 20k    scripts/bench-rss.sh
#   one-file CLI run ≤ 100 ms wall (a ServiceAccount; a trust policy)  median of RUNS runs
#
# Environment: RUNS (one-file runs, default 11), SEED (default 1), RSS_SIZES (default
# "5000 20000").
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-11}
seed=${SEED:-1}
read -r -a rss_sizes <<<"${RSS_SIZES:-5000 20000}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ $# -ge 1 ]]; then
	bench=$1
else
	bench=$work/bench.txt
	(cd "$root" && go test -run '^$' -bench '^BenchmarkScale$' -benchtime 1x -benchmem -timeout 2h ./internal/benchscale) | tee "$bench"
fi

(cd "$root" && go build -trimpath -o "$work/rolecall" ./cmd/rolecall &&
	go build -trimpath -o "$work/floor" ./internal/benchscale/floor &&
	go build -o "$work/rolecall-gen" ./cmd/rolecall-gen)

# metric SIZE STAGE UNIT: the value reported with UNIT on BenchmarkScale/SIZE/STAGE, or "".
metric() {
	awk -v name="BenchmarkScale/$1/$2" -v unit="$3" '{
		n = $1; sub(/-[0-9]+$/, "", n)
		if (n != name) next
		for (i = 3; i < NF; i++) if ($(i + 1) == unit) { print $i; exit }
	}' "$bench"
}

# row TARGET MEASURED LIMIT: MEASURED ≤ LIMIT passes; an empty MEASURED fails.
row() {
	local verdict=FAIL
	if [[ -n $2 ]] && awk -v m="$2" -v l="$3" 'BEGIN {exit !(m <= l)}'; then
		verdict=pass
	fi
	printf '%-52s %12s %8s  %s\n' "$1" "${2:-missing}" "$3" "$verdict"
}
ratio() { [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

table=$work/table
{
	printf '%-52s %12s %8s  %s\n' target measured limit result
	for size in 5k 20k; do
		row "full scan / parse floor, time ($size roles)" "$(metric "$size" full x-floor)" 1.5
	done
	row "time per role, 20k / 1k" "$(ratio "$(metric 20k full ns/role)" "$(metric 1k full ns/role)")" 1.5
	row "allocated bytes per role, 20k / 1k" "$(ratio "$(metric 20k full B/role)" "$(metric 1k full B/role)")" 1.5

	for n in "${rss_sizes[@]}"; do
		"$work/rolecall-gen" -roles "$n" -seed "$seed" -out "$work/env-$n" 2>/dev/null
		ROLECALL_BIN=$work/rolecall FLOOR_BIN=$work/floor "$root/scripts/bench-rss.sh" "$work/env-$n" >"$work/rss-$n"
		rc=$(awk '$1 == "rolecall" {print $2}' "$work/rss-$n")
		fl=$(awk '$1 == "floor" {print $2}' "$work/rss-$n")
		row "peak RSS / floor's ($n roles: $((rc / 1024)) / $((fl / 1024)) MB)" "$(ratio "$rc" "$fl")" 2
		rm -rf "$work/env-$n"
	done

	# The pre-commit case: one file, a whole process from start.
	mkdir -p "$work/one"
	cat >"$work/one/serviceaccount.yaml" <<-'YAML'
		apiVersion: v1
		kind: ServiceAccount
		metadata:
		  name: api
		  namespace: payments
		  annotations:
		    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/payments-api
	YAML
	cat >"$work/one/payments-api.json" <<-'JSON'
		{
		  "Version": "2012-10-17",
		  "Statement": [{
		    "Effect": "Allow",
		    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"},
		    "Action": "sts:AssumeRoleWithWebIdentity",
		    "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api"}}
		  }]
		}
	JSON
	for f in serviceaccount.yaml payments-api.json; do
		"$work/rolecall" scan --fail-on none "$work/one/$f" >/dev/null # warm the page cache
		ms=()
		for _ in $(seq "$runs"); do
			start=$(date +%s%N)
			"$work/rolecall" scan --fail-on none "$work/one/$f" >/dev/null
			ms+=($((($(date +%s%N) - start) / 1000000)))
		done
		median=$(printf '%s\n' "${ms[@]}" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
		row "one-file run, ms, median of $runs ($f)" "$median" 100
	done
} >"$table"
echo
cat "$table"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
fails=$(grep -c 'FAIL$' "$table" || true)
if [[ $fails -gt 0 ]]; then
	echo "$fails target(s) missed" >&2
	exit 1
fi
