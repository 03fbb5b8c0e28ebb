# SPDX-FileCopyrightText: 2026 The Parley Authors
# SPDX-License-Identifier: MIT
#
# Sourced by scripts/demo.sh and examples/run-pair.sh: checking for a listening loopback port.

# Returns 0 when a socket listens on loopback port $1. Read from /proc where there is one, so
# that the check makes no connection the server would log; else a probe that sends nothing
# (the server drops it before its preamble and no controller hears of it).
port_listening() {
    local hex
    hex=$(printf '%04X' "$1")
    if [ -r /proc/net/tcp ]; then
        grep -qE "^ *[0-9]+: [0-9A-F]+:$hex [0-9A-F]+:[0-9A-F]+ 0A " /proc/net/tcp /proc/net/tcp6 \
            2>/dev/null
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}
