#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Parley Authors
# SPDX-License-Identifier: MIT
#
# Runs a small, fast clang-tidy check set over the library's sources (lib/src) and fails on any
# finding. Needs a compile_commands.json: configures build/ (preset "default") when it has none.
#
#   scripts/check-tidy.sh                # uses build/
#   scripts/check-tidy.sh BUILD_DIR      # uses another configured build directory
#
# The set is modest on purpose, so that it runs in a few minutes on two cores and every finding
# is worth fixing: moves and dangling views (bugprone), pointless copies (performance). The
# wider set in .clang-tidy is for editors. Uses clang-tidy-14, or $CLANG_TIDY.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

case "${1:-}" in
-h | --help)
    sed -n '5,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac
build="${1:-build}"

clang_tidy="${CLANG_TIDY:-}"
if [ -z "$clang_tidy" ]; then
    clang_tidy="$(command -v clang-tidy-14 || command -v clang-tidy || true)"
fi
if [ -z "$clang_tidy" ]; then
    echo "error: clang-tidy not found (apt-get install clang-tidy)" >&2
    exit 1
fi

if [ ! -f "$build/compile_commands.json" ]; then
    if [ "$build" != build ]; then
        echo "error: $build/compile_commands.json not found; configure $build first" >&2
        exit 1
    fi
    cmake --preset default >/dev/null
fi

# bugprone-forwarding-reference-overload is left out: clang-tidy 14 does not see the concept
# constraints that keep Value's converting constructor away from copies and moves.
checks=(
    -*
    bugprone-assert-side-effect
    bugprone-copy-constructor-init
    bugprone-dangling-handle
    bugprone-fold-init-type
    bugprone-inaccurate-erase
    bugprone-incorrect-roundings
    bugprone-infinite-loop
    bugprone-integer-division
    bugprone-misplaced-operator-in-strlen-in-alloc
    bugprone-move-forwarding-reference
    bugprone-parent-virtual-call
    bugprone-redundant-branch-condition
    bugprone-sizeof-expression
    bugprone-string-constructor
    bugprone-string-integer-assignment
    bugprone-suspicious-memset-usage
    bugprone-suspicious-string-compare
    bugprone-terminating-continue
    bugprone-undefined-memory-manipulation
    bugprone-undelegated-constructor
    bugprone-unhandled-self-assignment
    bugprone-unused-return-value
    bugprone-use-after-move
    bugprone-virtual-near-miss
    performance-faster-string-find
    performance-for-range-copy
    performance-implicit-conversion-in-loop
    performance-inefficient-vector-operation
    performance-move-const-arg
    performance-move-constructor-init
    performance-noexcept-move-constructor
    performance-trivially-destructible
    performance-unnecessary-copy-initialization
)
checks_arg="$(
    IFS=,
    echo "${checks[*]}"
)"

files=()
while IFS= read -r f; do
    files+=("$f")
done < <(find lib/src -type f -name '*.cpp' | sort)

jobs="$(nproc 2>/dev/null || echo 2)"
echo "clang-tidy: ${#files[@]} files in lib/src, $jobs at a time ($("$clang_tidy" --version | grep -m1 version))"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# Findings in the sources and in lib/src's private headers count; the public headers in
# lib/include are left out for now (--header-filter): codec.h's insertOrAssign moves from
# forwarding references (bugprone-move-forwarding-reference), which its ongoing split should fix.
status=0
printf '%s\0' "${files[@]}" \
    | xargs -0 -n 1 -P "$jobs" "$clang_tidy" -p "$build" --quiet --checks="$checks_arg" \
        --warnings-as-errors='*' --header-filter="$PWD/lib/src/.*" >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
    grep -E 'warning:|error:' -A3 "$log" >&2 || cat "$log" >&2
    echo "error: clang-tidy found problems (exit status $status)" >&2
    exit 1
fi
echo "Tidy OK."
