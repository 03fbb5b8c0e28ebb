#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Parley Authors
# SPDX-License-Identifier: MIT
#
# The smoke test of the secure pair: fresh identities for both, each fingerprint printed with
# --print-fingerprint and handed to the other side (what people do out of band), then
# run-pair.sh runs them.
#
#   examples/secure/run-secure.sh SERVER CLIENT [wrong-key]
#
# With "wrong-key" the client pins a key the server doesn't hold and must be refused.
set -uo pipefail
server=$1
client=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
here=$(dirname "$0")
server_key=$("$server" --identity="$dir/server.key" --print-fingerprint) || exit 1
client_key=$("$client" --identity="$dir/client.key" --print-fingerprint) || exit 1
if [ "${3:-}" = wrong-key ]; then
    server_key=$("$server" --identity="$dir/other.key" --print-fingerprint) || exit 1
fi
"$here/../run-pair.sh" "$server" --identity="$dir/server.key" --client-key="$client_key" \
    --debug-level=WARNING \
    -- "$client" --identity="$dir/client.key" --server-key="$server_key" --debug-level=WARNING
