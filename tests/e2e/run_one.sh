#!/usr/bin/env bash
# run_one.sh SNOWC TEST WORKDIR: build and run one e2e program (DESIGN 8).
#
# TEST is tests/e2e/<dir>/NAME.snow (a one-file program) or
# tests/e2e/<dir>/NAME/ (a project whose entry is NAME/main.snow). Beside it:
#   NAME.out    expected stdout, byte for byte (absent = empty)
#   NAME.err    expected stderr, byte for byte (of the build if it fails,
#               otherwise of the program); absent = not compared
#   NAME.code   expected exit status (absent = 0; a failed build is 1)
#   NAME.stdin  standard input (absent = empty)
#   NAME.args   program arguments, one per line
# The program is built as WORKDIR/NAME/main.snow and snowc runs from
# WORKDIR with the relative path, so diagnostics and panic locations read
# `NAME/main.snow:line:col` on every machine.
set -uo pipefail
snowc=$1
test_path=${2%/}
work=$3

name=$(basename "$test_path" .snow)
base=$(dirname "$test_path")/$name
mkdir -p "$work"
rm -rf "${work:?}/$name"
if [ -d "$test_path" ]; then
    cp -r "$test_path" "$work/$name"
else
    mkdir -p "$work/$name"
    cp "$test_path" "$work/$name/main.snow"
fi

expected_code=0
[ -f "$base.code" ] && expected_code=$(tr -d '[:space:]' <"$base.code")
fail=0
report() { echo "FAIL $name: $*"; fail=1; }
compare() {  # compare EXPECTED_FILE ACTUAL_FILE WHAT
    if ! cmp -s "$1" "$2"; then
        report "$3 differs (--- expected, +++ actual)"
        diff -u "$1" "$2" | head -n 60
    fi
}

cd "$work"
# Warnings in emitted C are errors here: the emitter must produce clean C.
SNOWC_CFLAGS="${SNOWC_CFLAGS:--Wall -Wextra -Werror}" \
    "$snowc" build "$name" >"$name.build.out" 2>"$name.build.err"
build_status=$?
if [ $build_status -ne 0 ]; then
    # An expected compile failure: compare the diagnostics and the status.
    if [ ! -f "$base.err" ]; then
        report "build failed with status $build_status"
        cat "$name.build.err"
        exit 1
    fi
    grep -v '^  Compiled: ' "$name.build.err" >"$name.build.err.cmp"
    compare "$base.err" "$name.build.err.cmp" "compiler stderr"
    [ "$build_status" -eq "$expected_code" ] ||
        report "build exit status $build_status, expected $expected_code"
    exit $fail
fi

stdin=/dev/null
[ -f "$base.stdin" ] && stdin="$base.stdin"
args=()
[ -f "$base.args" ] && mapfile -t args <"$base.args"
timeout --kill-after=5 "${SNOW_E2E_TIMEOUT:-60}" "./$name/$name" "${args[@]}" \
    <"$stdin" >"$name.stdout" 2>"$name.stderr"
status=$?
[ "$status" -eq 124 ] && report "timed out"

expected_out="$base.out"
[ -f "$expected_out" ] || expected_out=/dev/null
compare "$expected_out" "$name.stdout" "stdout"
if [ -f "$base.err" ]; then
    compare "$base.err" "$name.stderr" "stderr"
elif [ -s "$name.stderr" ] && [ "$expected_code" -eq 0 ]; then
    report "unexpected stderr"
    head -n 20 "$name.stderr"
fi
[ "$status" -eq "$expected_code" ] || report "exit status $status, expected $expected_code"
exit $fail
