# SPDX-FileCopyrightText: 2026 The Parley Authors
# SPDX-License-Identifier: MIT
# Sourced by demo.sh and test.sh: installs the Debian packages Parley builds with, when missing.

# Needed to build and test Parley (libsodium-dev for the coming encryption, qt6-svg-dev for the
# monitor's SVG export).
PARLEY_REQUIRED_PACKAGES=(cmake ninja-build g++ qt6-base-dev qt6-svg-dev libsodium-dev)
# Peers the benchmarks measure against when they are installed (libzmq is found with pkg-config).
PARLEY_OPTIONAL_PACKAGES=(libcaf-dev libzmq3-dev qt6-remoteobjects-dev pkg-config)
# The format and tidy checks of .ci/run (scripts/check-format.sh, scripts/check-tidy.sh): Debian
# 12's clang-format and clang-tidy are version 14.
PARLEY_LINT_PACKAGES=(clang-format clang-tidy)

parley_installed() {
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

parley_apt_get() {
    if [ "$(id -u)" -eq 0 ]; then
        env DEBIAN_FRONTEND=noninteractive apt-get "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@"
    else
        echo "error: installing packages needs root or sudo: apt-get $*" >&2
        return 1
    fi
}

# Installs the required packages and, with --optional, the benchmark peers, with --lint, the
# format and tidy tools (required when asked for); does nothing (and asks nothing of apt) when
# everything is already there.
parley_ensure_packages() {
    local wanted=("${PARLEY_REQUIRED_PACKAGES[@]}") flag
    for flag in "$@"; do
        case "$flag" in
        --optional) wanted+=("${PARLEY_OPTIONAL_PACKAGES[@]}") ;;
        --lint) wanted+=("${PARLEY_LINT_PACKAGES[@]}") ;;
        esac
    done
    local missing=() p
    for p in "${wanted[@]}"; do
        parley_installed "$p" || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0

    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: missing packages ${missing[*]} and no apt-get to install them" >&2
        return 1
    fi
    echo "Installing missing packages: ${missing[*]}"
    parley_apt_get update -q
    local required=() optional=()
    for p in "${missing[@]}"; do
        if [[ " ${PARLEY_OPTIONAL_PACKAGES[*]} " == *" $p "* ]]; then
            optional+=("$p")
        else
            required+=("$p")
        fi
    done
    if [ "${#required[@]}" -gt 0 ]; then
        parley_apt_get install -y -q --no-install-recommends "${required[@]}"
    fi
    # Optional peers: install what the archive has; their absence only skips a baseline.
    for p in "${optional[@]}"; do
        if ! parley_apt_get install -y -q --no-install-recommends "$p"; then
            echo "warning: optional package $p not installed; its benchmark baseline is skipped" >&2
        fi
    done
}
