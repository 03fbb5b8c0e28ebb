#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Parley Authors
# SPDX-License-Identifier: MIT
#
# Checks that the C++ sources follow the repository's .clang-format; fails listing each file
# and line that does not.
#
#   scripts/check-format.sh          # check only (what CI runs)
#   scripts/check-format.sh --fix    # reformat the same files in place
#
# Covers every *.h and *.cpp under lib/ monitor/ tools/ tests/ examples/. Uses clang-format-14
# (what Debian 12 has; other versions format some constructs differently), or $CLANG_FORMAT.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

fix=no
for argument in "$@"; do
    case "$argument" in
    --fix) fix=yes ;;
    -h | --help)
        sed -n '5,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "error: unknown argument $argument (try --help)" >&2
        exit 2
        ;;
    esac
done

clang_format="${CLANG_FORMAT:-}"
if [ -z "$clang_format" ]; then
    clang_format="$(command -v clang-format-14 || command -v clang-format || true)"
fi
if [ -z "$clang_format" ]; then
    echo "error: clang-format not found (apt-get install clang-format)" >&2
    exit 1
fi
version="$("$clang_format" --version)"
case "$version" in
*" 14."*) ;;
*) echo "warning: $version is not clang-format 14; its output may differ from CI's" >&2 ;;
esac

# Tracked files when this is a git checkout (so build directories and stray files are left
# out), else everything under the five directories.
dirs=(lib monitor tools tests examples)
files=()
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    while IFS= read -r f; do
        [ -f "$f" ] && files+=("$f")
    done < <(git ls-files -- "${dirs[@]/%//*.h}" "${dirs[@]/%//*.cpp}")
else
    while IFS= read -r f; do
        files+=("$f")
    done < <(find "${dirs[@]}" -type f \( -name '*.h' -o -name '*.cpp' \) | sort)
fi
if [ "${#files[@]}" -eq 0 ]; then
    echo "error: no C++ files found" >&2
    exit 1
fi

if [ "$fix" = yes ]; then
    printf '%s\0' "${files[@]}" | xargs -0 -n 50 "$clang_format" -i
    echo "Reformatted ${#files[@]} files with $version."
    exit 0
fi

if ! printf '%s\0' "${files[@]}" | xargs -0 -n 50 "$clang_format" --dry-run --Werror; then
    echo >&2
    echo "error: the files above are not formatted; run scripts/check-format.sh --fix" >&2
    exit 1
fi
echo "Format OK: ${#files[@]} files ($version)."
