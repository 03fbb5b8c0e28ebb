#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Parley Authors
# SPDX-License-Identifier: MIT
#
# Builds Parley and runs the concurrency example with its log on stderr, so you can watch three
# workers' requests and replies interleave.
#
#   scripts/demo.sh                      # --debug-level=DEBUG
#   scripts/demo.sh --debug-level=OBJECT # any arguments replace the default
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/packages.sh

parley_ensure_packages
cmake --preset default
cmake --build --preset default --target concurrency

if [ "$#" -eq 0 ]; then
    set -- --debug-level=DEBUG
fi
echo
echo "+ build/examples/concurrency $*"
exec build/examples/concurrency "$@"
