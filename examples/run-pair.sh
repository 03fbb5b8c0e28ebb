#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Parley Authors
# SPDX-License-Identifier: MIT
#
# Runs a server and a client against each other on a free loopback port (the networked
# examples' smoke tests):
#
#   examples/run-pair.sh SERVER [ARGS...] -- CLIENT [ARGS...]
#
# Starts SERVER ARGS --port=0 --ready-fd=3 in the background and waits (at most 5 s) for the
# line the server writes to descriptor 3 when it listens (Parley::announceReady: the address it
# listens at, so the port the system picked), then runs CLIENT ARGS --port=P (at most 20 s) and
# stops the server with SIGINT (SIGKILL after 5 s). The client's stdout and stderr pass
# through; the server's stderr follows, each line prefixed with "server: ". Exits with the
# client's status; anything else that goes wrong prints a line starting "run-pair: FAILED" and
# exits 1.
set -uo pipefail

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

log=$(mktemp)
ready_dir=$(mktemp -d)
ready_fifo="$ready_dir/ready"
mkfifo "$ready_fifo"
spid=
cleanup() {
    exec 4<&- 2>/dev/null
    if [ -n "$spid" ] && kill -0 "$spid" 2>/dev/null; then
        kill -KILL "$spid" 2>/dev/null
    fi
    rm -f "$log"
    rm -rf "$ready_dir"
}
trap cleanup EXIT
show_server_log() {
    sed 's/^/server: /' "$log"
}

# The server's end of the fifo is its descriptor 3; ours is 4. Opening either end waits for
# the other, and the server's end closes when it has said it is ready, or when it exits.
"${server[@]}" --port=0 --ready-fd=3 3>"$ready_fifo" 2>"$log" &
spid=$!
exec 4<"$ready_fifo"
ready_line=
read -r -t 5 -u 4 ready_line
read_status=$?
exec 4<&-
if [ "$read_status" -gt 128 ]; then
    show_server_log
    fail "the server was not ready within 5 s"
elif [ "$read_status" -ne 0 ]; then
    # The end without a line: the server closed its descriptor without being ready, which it
    # does by exiting.
    wait "$spid"
    status=$?
    spid=
    show_server_log
    fail "the server exited with status $status before it was ready"
fi
port=${ready_line##*:}
case "$port" in
    '' | *[!0-9]*)
        show_server_log
        fail "the server said it was ready at \"$ready_line\", which names no port"
        ;;
esac

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
