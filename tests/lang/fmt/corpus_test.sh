#!/bin/sh
# Formats every .snow file of the given folders (read-only: copies go to a
# temporary directory) and checks, for each (language.md 11):
#   1. idempotence: fmt(fmt(x)) == fmt(x), byte for byte;
#   2. the formatted program parses to the same AST as the original
#      (`snowc parse --dump` with the @line:col positions removed);
#   3. `fmt --check` accepts the formatted file and, when formatting changed
#      the file, rejects the original;
#   4. 1-3 again with --line-width 20 --indent-size 4 (most lists break).
# usage: corpus_test.sh SNOWC DIR...
set -u
snowc=$1; shift
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0; count=0
narrow="--line-width 20 --indent-size 4"
strip() { sed -e 's/ @[0-9]*:[0-9]*-[0-9]*:[0-9]*//g' -e '/^file /d'; }
for dir in "$@"; do
    for src in $(find "$dir" -name '*.snow' | sort); do
        count=$((count + 1))
        "$snowc" parse "$src" >/dev/null 2>&1 || continue  # files that do not parse are not formatted
        cp "$src" "$tmp/a.snow"
        if ! "$snowc" fmt "$tmp/a.snow" 2>"$tmp/err"; then
            echo "FAIL fmt: $src"; cat "$tmp/err"; fail=1; continue
        fi
        cp "$tmp/a.snow" "$tmp/b.snow"
        "$snowc" fmt "$tmp/b.snow" 2>/dev/null
        if ! cmp -s "$tmp/a.snow" "$tmp/b.snow"; then
            echo "FAIL idempotence: $src"; diff "$tmp/a.snow" "$tmp/b.snow" | head -20; fail=1
        fi
        "$snowc" parse --dump "$src" 2>&1 | strip >"$tmp/ast0"
        "$snowc" parse --dump "$tmp/a.snow" 2>&1 | strip >"$tmp/ast1"
        if ! cmp -s "$tmp/ast0" "$tmp/ast1"; then
            echo "FAIL ast: $src"; diff "$tmp/ast0" "$tmp/ast1" | head -20; fail=1
        fi
        if ! "$snowc" fmt --check "$tmp/a.snow" 2>/dev/null; then
            echo "FAIL check accepts formatted: $src"; fail=1
        fi
        # 4. the same at a narrow width and indent 4, where most lists break
        cp "$src" "$tmp/n.snow"
        "$snowc" fmt "$tmp/n.snow" $narrow 2>/dev/null || { echo "FAIL fmt narrow: $src"; fail=1; }
        cp "$tmp/n.snow" "$tmp/m.snow"
        "$snowc" fmt "$tmp/m.snow" $narrow 2>/dev/null
        cmp -s "$tmp/n.snow" "$tmp/m.snow" || { echo "FAIL idempotence narrow: $src"; fail=1; }
        "$snowc" parse --dump "$tmp/n.snow" 2>&1 | strip >"$tmp/ast2"
        cmp -s "$tmp/ast0" "$tmp/ast2" || { echo "FAIL ast narrow: $src"; fail=1; }
        "$snowc" fmt --check "$tmp/n.snow" $narrow 2>/dev/null || { echo "FAIL check narrow: $src"; fail=1; }
        cp "$src" "$tmp/c.snow"
        if ! cmp -s "$src" "$tmp/a.snow" && "$snowc" fmt --check "$tmp/c.snow" 2>/dev/null; then
            echo "FAIL check accepts unformatted: $src"; fail=1
        fi
    done
done
echo "corpus: $count files"
[ "$count" -gt 0 ] || fail=1
exit $fail
