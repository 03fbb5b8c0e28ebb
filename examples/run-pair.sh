#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Parley Authors
# SPDX-License-Identifier: MIT
#
# Runs a server and a client against each other on a free loopback port (the networked
# examples' smoke tests):
#
#   examples/run-pair.sh SERVER [ARGS...] -- CLIENT [ARGS...]
#
# Picks a free port P, starts SERVER ARGS --port=P in the background, waits (at most 5 s) until
# P accepts connections, runs CLIENT ARGS --port=P (at most 20 s), then stops the server with
# SIGINT (SIGKILL after 5 s). The client's stdout and stderr pass through; the server's stderr
# follows, each line prefixed with "server: ". Exits with the client's status; anything else
# that goes wrong prints a line starting "run-pair: FAILED" and exits 1.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/ports.sh"

server=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
    server+=("$1")
    shift
done
[ "$#" -gt 0 ] && shift
client=("$@")
if [ "${#server[@]}" -eq 0 ] || [ "${#client[@]}" -eq 0 ]; then
    echo "usage: $0 SERVER [ARGS...] -- CLIENT [ARGS...]" >&2
    exit 2
fi

fail() {
    echo "run-pair: FAILED: $*"
    exit 1
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000))
}

port=$(free_port)
log=$(mktemp)
spid=
cleanup() {
    if [ -n "$spid" ] && kill -0 "$spid" 2>/dev/null; then
        kill -KILL "$spid" 2>/dev/null
    fi
    rm -f "$log"
}
trap cleanup EXIT
show_server_log() {
    sed 's/^/server: /' "$log"
}

"${server[@]}" --port="$port" 2>"$log" &
spid=$!


ready=
for _ in $(seq 100); do
    if ! kill -0 "$spid" 2>/dev/null; then
        wait "$spid"
        status=$?
        show_server_log
        fail "the server exited with status $status before listening on port $port"
    fi
    if port_listening "$port"; then
        ready=1
        break
    fi
    sleep 0.05
done
if [ -z "$ready" ]; then
    show_server_log
    fail "the server did not listen on port $port within 5 s"
fi

timeout 20 "${client[@]}" --port="$port"
status=$?
[ "$status" -eq 124 ] && echo "run-pair: FAILED: the client did not finish within 20 s"

# Control-C for the server: it completes with Aborted and exits with status 71.
kill -INT "$spid" 2>/dev/null
for _ in $(seq 100); do
    kill -0 "$spid" 2>/dev/null || break
    sleep 0.05
done
if kill -0 "$spid" 2>/dev/null; then
    show_server_log
    fail "the server did not stop within 5 s of SIGINT"
fi
wait "$spid"
server_status=$?
spid=
show_server_log
if [ "$server_status" -ne 71 ]; then
    fail "the server exited with status $server_status after SIGINT (expected 71, aborted)"
fi
exit "$status"
