#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Parley Authors
# SPDX-License-Identifier: MIT
#
# Builds Parley with its tests, examples and benchmarks and runs the test suite.
#
#   scripts/test.sh          # Release build in build/ (preset "default")
#   scripts/test.sh --asan   # Debug build with ASan + UBSan in build-asan/ (preset "asan")
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/packages.sh

preset=default
for argument in "$@"; do
    case "$argument" in
    --asan) preset=asan ;;
    -h | --help)
        sed -n '5,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "error: unknown argument $argument (try --help)" >&2
        exit 2
        ;;
    esac
done

if [ "$preset" = default ]; then
    parley_ensure_packages --optional # the benchmarks build against the peers that are there
else
    parley_ensure_packages
fi
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset"
