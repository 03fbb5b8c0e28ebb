#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Parley Authors
# SPDX-License-Identifier: MIT
#
# Builds Parley and runs a small network with every log visible: two servers (the hello session
# server and the lookup server) and, at once, three clients of different styles: hello-client (a
# routine), hello-client-fsm (a state machine) and lookup-client (three lookups multiplexed over
# one connection, ~3 s). Each line is prefixed with the program's name. When the clients are
# done the servers get control-C (SIGINT); the demo exits 0 when every client succeeded.
#
#   scripts/demo.sh                      # every program with --debug-level=DEBUG
#   scripts/demo.sh --debug-level=OBJECT # any arguments replace the default, for every program
#
# The monitor: with a display (DISPLAY or WAYLAND_DISPLAY set) parley-monitor opens first and
# every program streams its events into it (PARLEY_MONITOR); it stays open when the demo ends.
# Without one, every program records its events (--record) and the monitor renders its views of
# the recordings to PNG files offscreen; their paths are printed at the end.
#
# The in-process demo is still there: build/examples/concurrency --debug-level=DEBUG.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/packages.sh

parley_ensure_packages
cmake --preset default
cmake --build --preset default --target hello-server-session hello-client hello-client-fsm \
    lookup-server lookup-client
monitor=""
if cmake --build --preset default --target parley-monitor >/dev/null 2>&1; then
    monitor=build/monitor/parley-monitor
fi

if [ "$#" -eq 0 ]; then
    set -- --debug-level=DEBUG
fi
bin=build/examples

# Prints the port to use: the seeds' port when it is free, else any free one.
pick_port() {
    python3 - "$1" 2>/dev/null <<'PY' || echo "$1"
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
}

# Prefixes each line read from stdin with a program's name, padded to line up.
label() {
    local tag
    tag=$(printf '%-20s| ' "$1")
    sed -u "s/^/$tag/"
}

# Runs a program in the foreground of its own pipeline, stdout and stderr labelled; returns
# its exit status (pipefail).
run() {
    local name=$1
    shift
    set -- "$@" ${record_dir:+--record="$record_dir/$name.prec"}
    echo "+ $bin/$name $*" | label "$name"
    "$bin/$name" "$@" 2>&1 | label "$name"
}

ready_dir=$(mktemp -d)

# Starts a server in the background, labelled, with --ready-fd=3 on a fifo; sets server_pid to
# the server's own pid (not a pipeline's), so that SIGINT reaches it, and server_ready to the
# fifo that wait_until_ready reads.
start_server() {
    local name=$1
    shift
    server_ready="$ready_dir/$name"
    mkfifo "$server_ready"
    set -- "$@" ${record_dir:+--record="$record_dir/$name.prec"}
    echo "+ $bin/$name $* --ready-fd=3" | label "$name"
    "$bin/$name" "$@" --ready-fd=3 3>"$server_ready" > >(label "$name") 2>&1 &
    server_pid=$!
}

# Waits (at most 5 s) until the server behind fifo $1 says it is ready (Parley::announceReady
# writes the address it listens at to its --ready-fd).
wait_until_ready() {
    local line
    if ! read -r -t 5 line <"$1"; then
        echo "error: ${1##*/} did not say it was ready" >&2
        return 1
    fi
    echo "ready: ${1##*/} listens at $line"
}

servers=()
stop_servers() {
    local pid
    for pid in "${servers[@]}"; do
        kill -INT "$pid" 2>/dev/null || true
    done
    for pid in "${servers[@]}"; do
        wait "$pid" 2>/dev/null || true # 71: aborted by control-C, as expected
    done
    servers=()
}
trap 'stop_servers; rm -rf "$ready_dir"' EXIT

# The monitor: live with a display, recordings rendered offscreen without one.
record_dir=""
if [ -n "$monitor" ]; then
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        monitor_port=$(pick_port 32100)
        echo "+ $monitor --listen=127.0.0.1:$monitor_port" | label parley-monitor
        "$monitor" --listen=127.0.0.1:"$monitor_port" > >(label parley-monitor) 2>&1 &
        export PARLEY_MONITOR=127.0.0.1:$monitor_port
        sleep 1 # the programs would find it anyway (they retry), but their first events wait
    else
        record_dir=$(mktemp -d /tmp/parley-demo.XXXXXX)
    fi
fi

hello_port=$(pick_port 32011)
lookup_port=$(pick_port 5090)
echo
start_server hello-server-session --port="$hello_port" "$@"
servers+=("$server_pid")
hello_ready=$server_ready
start_server lookup-server --port="$lookup_port" "$@"
servers+=("$server_pid")
lookup_ready=$server_ready
wait_until_ready "$hello_ready"
wait_until_ready "$lookup_ready"

# Three clients at once; their logs interleave with the servers'.
run hello-client --port="$hello_port" --client-name=Gladys "$@" &
clients=($!)
run hello-client-fsm --port="$hello_port" --client-name=Ann "$@" &
clients+=($!)
run lookup-client --port="$lookup_port" "$@" &
clients+=($!)
failed=0
for pid in "${clients[@]}"; do
    wait "$pid" || failed=$((failed + 1))
done

sleep 0.2 # let the servers log the clients' departures
stop_servers
echo
if [ -n "$record_dir" ]; then
    echo "demo: no display; the recordings are in $record_dir; rendering the monitor's views"
    QT_QPA_PLATFORM=offscreen "$monitor" "$record_dir"/*.prec --screenshot="$record_dir/shots" \
        | tr ',' '\n' | grep -o '"/[^"]*\.\(png\|svg\)"' | tr -d '"' | sed 's/^/demo: /'
elif [ -n "${PARLEY_MONITOR:-}" ]; then
    echo "demo: the monitor stays open with what it received; close its window to end it"
fi
if [ "$failed" -eq 0 ]; then
    echo "demo: all 3 clients succeeded"
else
    echo "demo: $failed of 3 clients failed" >&2
    exit 1
fi
