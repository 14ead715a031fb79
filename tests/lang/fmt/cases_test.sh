#!/bin/sh
# Golden tests of `snowc fmt` (language.md 11): every cases/NAME.snow is
# formatted in a temporary copy and must equal NAME.expected (default
# options) and, when present, NAME.expected4 (--indent-size 4). NAME.args
# holds extra options for both. Each expected file must also be a fixed
# point: formatting it again changes nothing and --check accepts it.
# usage: cases_test.sh SNOWC CASES_DIR
set -u
snowc=$1; cases=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0; count=0
run_case() { # name expected extra-args...
    name=$1; expected=$2; shift 2
    count=$((count + 1))
    cp "$cases/$name.snow" "$tmp/$name.snow"
    if ! "$snowc" fmt "$tmp/$name.snow" "$@" 2>"$tmp/err"; then
        echo "FAIL $name: fmt failed"; cat "$tmp/err"; fail=1; return
    fi
    if ! cmp -s "$tmp/$name.snow" "$expected"; then
        echo "FAIL $name ($expected):"; diff "$expected" "$tmp/$name.snow"; fail=1; return
    fi
    "$snowc" fmt "$tmp/$name.snow" "$@" 2>/dev/null
    if ! cmp -s "$tmp/$name.snow" "$expected"; then
        echo "FAIL $name: not idempotent"; fail=1
    fi
    if ! "$snowc" fmt --check "$tmp/$name.snow" "$@" 2>/dev/null; then
        echo "FAIL $name: --check rejects the formatted file"; fail=1
    fi
}
for src in "$cases"/*.snow; do
    name=$(basename "$src" .snow)
    args=$(cat "$cases/$name.args" 2>/dev/null)
    # shellcheck disable=SC2086
    run_case "$name" "$cases/$name.expected" $args
    if [ -f "$cases/$name.expected4" ]; then
        # shellcheck disable=SC2086
        run_case "$name" "$cases/$name.expected4" --indent-size 4 $args
    fi
done
echo "fmt cases: $count run"
[ "$count" -gt 0 ] || fail=1
exit $fail
