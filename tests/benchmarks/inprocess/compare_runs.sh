#!/bin/sh
# SPDX-FileCopyrightText: 2026 The Parley Authors
# SPDX-License-Identifier: MIT
#
# Runs two builds of bench_inprocess alternately (old, new, old, new, ...) ROUNDS times each with
# the same arguments, and prints, for every figure line (figure + baseline), each run's Parley
# value, baseline value and ratio, then per build the median, min, max and spread (max - min, %
# of the median) of each. Within a run the binary measures Parley first and then its baseline,
# so the sequence is Parley, peer, Parley, peer, ... and the baselines, which do not depend on
# Parley's code, show how noisy the machine was.
#
# usage: compare_runs.sh OLD NEW ROUNDS [bench_inprocess arguments...]
#   OLD, NEW: commands (word-split), e.g. "env LD_LIBRARY_PATH=/tmp/before/lib /tmp/before/bench_inprocess"
set -eu
old=$1
new=$2
rounds=$3
shift 3
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run() { # label round command...
    label=$1
    round=$2
    shift 2
    "$@" | awk -v label="$label" -v round="$round" '
        /^figure=/ {
            delete f
            for (i = 1; i <= NF; ++i) { split($i, kv, "="); f[kv[1]] = kv[2] }
            printf "%s %d %s/%s %s %s %s\n", label, round, f["figure"], f["baseline"],
                   f["value"], f["baseline_value"], f["ratio"]
        }' >> "$out"
}

i=1
while [ "$i" -le "$rounds" ]; do
    # shellcheck disable=SC2086
    run old "$i" $old "$@"
    # shellcheck disable=SC2086
    run new "$i" $new "$@"
    i=$((i + 1))
done

echo "build round figure/baseline value baseline_value ratio"
cat "$out"
echo
echo "build figure/baseline: value median (min-max, spread%) | baseline median (min-max, spread%) | ratio median"
for key in $(awk '{ print $3 }' "$out" | awk '!seen[$0]++'); do
    for label in old new; do
        awk -v label="$label" -v key="$key" '$1 == label && $3 == key { print $4, $5, $6 }' "$out" | awk -v label="$label" -v key="$key" '
            function med(a, n,    i, j, t) {
                for (i = 2; i <= n; ++i) for (j = i; j > 1 && a[j - 1] > a[j]; --j) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
                lo = a[1]; hi = a[n]
                return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
            }
            { v[NR] = $1; b[NR] = $2; r[NR] = $3 }
            END {
                if (NR == 0) exit
                mv = med(v, NR); vlo = lo; vhi = hi
                mb = med(b, NR); blo = lo; bhi = hi
                mr = med(r, NR)
                printf "%-4s %s: %.6g (%.6g-%.6g, %.1f%%) | %.6g (%.6g-%.6g, %.1f%%) | %.2f\n", label, key,
                       mv, vlo, vhi, mv ? 100 * (vhi - vlo) / mv : 0, mb, blo, bhi, mb ? 100 * (bhi - blo) / mb : 0, mr
            }'
    done
done
