#!/bin/sh
# SPDX-FileCopyrightText: 2026 The Parley Authors
# SPDX-License-Identifier: MIT
#
# Runs two builds of bench_inprocess alternately (old, new, old, new, ...) ROUNDS times each,
# takes the flood figure (1M messages between two machines on two workers) of every run, and
# prints each run, then median, spread (max - min, and as % of the median) of both and the ratio
# new/old of the medians. The qt_postevent and caf_flood baselines of the same runs are printed
# next to them: they do not depend on Parley, so their spread shows how noisy the machine was.
#
# usage: compare_flood.sh OLD_BENCH_INPROCESS NEW_BENCH_INPROCESS [ROUNDS (default 5)]
set -eu
old=$1
new=$2
rounds=${3:-5}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run() { # label binary round
    "$2" --only flood | awk -v label="$1" -v round="$3" '
        /^figure=flood / {
            for (i = 1; i <= NF; ++i) { split($i, kv, "="); f[kv[1]] = kv[2] }
            base[f["baseline"]] = f["baseline_value"]; value = f["value"]
        }
        END {
            if (value == "") { print "compare_flood: no flood figure from " label > "/dev/stderr"; exit 1 }
            printf "%s %d %s %s %s\n", label, round, value,
                   ("qt_postevent" in base) ? base["qt_postevent"] : "nan",
                   ("caf_flood" in base) ? base["caf_flood"] : "nan"
        }' >> "$out"
}

i=1
while [ "$i" -le "$rounds" ]; do
    run old "$old" "$i"
    run new "$new" "$i"
    i=$((i + 1))
done

echo "run       round  flood msg/s  qt_postevent  caf_flood"
awk '{ printf "%-8s  %5d  %11d  %12d  %9s\n", $1, $2, $3, $4, $5 }' "$out"
echo
stats() { # label column
    awk -v label="$1" -v col="$2" '$1 == label { print $col }' "$out" | sort -n | awk -v label="$1" '
        { v[NR] = $1 }
        END {
            med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%s %.0f %.0f %.0f %.1f\n", label, med, v[1], v[NR], 100 * (v[NR] - v[1]) / med
        }'
}
echo "build  figure         median       min        max    spread%"
for col in 3 4 5; do
    case $col in 3) name=flood ;; 4) name=qt_postevent ;; 5) name=caf_flood ;; esac
    for label in old new; do
        stats "$label" "$col" | awk -v name="$name" '{ printf "%-5s  %-12s  %9s  %9s  %9s  %6s\n", $1, name, $2, $3, $4, $5 }'
    done
done
awk '$1 == "old" { print $3 }' "$out" | sort -n > "$out.old"
awk '$1 == "new" { print $3 }' "$out" | sort -n > "$out.new"
paste "$out.old" "$out.new" | awk '
    { o[NR] = $1; n[NR] = $2 }
    END {
        mo = (NR % 2) ? o[(NR + 1) / 2] : (o[NR / 2] + o[NR / 2 + 1]) / 2
        mn = (NR % 2) ? n[(NR + 1) / 2] : (n[NR / 2] + n[NR / 2 + 1]) / 2
        printf "\nflood: median new / median old = %.3f (%+.1f%%)\n", mn / mo, 100 * (mn / mo - 1)
    }'
rm -f "$out.old" "$out.new"
