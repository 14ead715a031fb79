#!/bin/sh
# Formats every .snow file of the given folders (read-only: copies go to a
# temporary directory) and checks (language.md 11):
#   1. idempotence: fmt(fmt(x)) == fmt(x), byte for byte;
#   2. the formatted program parses to the same AST as the original
#      (`snowc parse --dump` with the @line:col positions removed);
#   3. `fmt --check` accepts the formatted tree and, on the original tree,
#      reports exactly the files that formatting changed;
#   4. 1-3 again with --line-width 20 --indent-size 4 (most lists break).
# Files that do not parse are left out (fmt refuses them; cli_test covers
# that). Each step runs snowc once on a whole tree, so the test stays fast
# under ASan.
# usage: corpus_test.sh SNOWC DIR...
set -u
snowc=$1; shift
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
strip() { sed -e 's/ @[0-9]*:[0-9]*-[0-9]*:[0-9]*//g' -e '/^file /d'; }

# The original tree: $tmp/orig/<folder index>/<path below the folder>.
n=0
for dir in "$@"; do
    n=$((n + 1))
    (cd "$dir" && find . -name '*.snow' -type f) | while read -r rel; do
        mkdir -p "$tmp/orig/$n/$(dirname "$rel")"
        cp "$dir/$rel" "$tmp/orig/$n/$rel"
    done
done
# Drop files that do not parse (fmt names them; they must stay untouched).
cp -r "$tmp/orig" "$tmp/probe"
"$snowc" fmt "$tmp/probe" 2>"$tmp/probe.err" >/dev/null
grep "^error: '.*' does not parse" "$tmp/probe.err" | sed "s/^error: '\(.*\)' does not parse.*/\1/" |
    while read -r bad; do
        rel=${bad#"$tmp/probe/"}
        cmp -s "$bad" "$tmp/orig/$rel" || echo "FAIL unparsable file was modified: $rel"
        rm -f "$tmp/orig/$rel"
    done | tee "$tmp/bad"
[ -s "$tmp/bad" ] && fail=1
count=$(find "$tmp/orig" -name '*.snow' | wc -l)
echo "corpus: $count files that parse"
[ "$count" -gt 0 ] || fail=1
"$snowc" parse --dump "$tmp/orig" 2>&1 | strip >"$tmp/ast.orig"
grep -q '^  fn ' "$tmp/ast.orig" || { echo "FAIL: no AST dump of the corpus"; fail=1; }

check_options() { # NAME OPTIONS...
    name=$1; shift
    rm -rf "$tmp/a" "$tmp/b"
    cp -r "$tmp/orig" "$tmp/a"
    "$snowc" fmt "$tmp/a" "$@" 2>"$tmp/err" || { echo "FAIL fmt $name:"; cat "$tmp/err"; fail=1; }
    cp -r "$tmp/a" "$tmp/b"
    "$snowc" fmt "$tmp/b" "$@" 2>/dev/null
    if ! diff -r "$tmp/a" "$tmp/b" >"$tmp/diff"; then
        echo "FAIL idempotence ($name):"; head -40 "$tmp/diff"; fail=1
    fi
    "$snowc" parse --dump "$tmp/a" 2>&1 | strip >"$tmp/ast.a"
    if ! cmp -s "$tmp/ast.orig" "$tmp/ast.a"; then
        echo "FAIL ast ($name):"; diff "$tmp/ast.orig" "$tmp/ast.a" | head -40; fail=1
    fi
    "$snowc" fmt --check "$tmp/a" "$@" 2>"$tmp/err" || {
        echo "FAIL --check rejects the formatted tree ($name):"; head "$tmp/err"; fail=1; }
    # --check on the original names exactly the files formatting changed.
    "$snowc" fmt --check "$tmp/orig" "$@" 2>"$tmp/err"
    sed -n "s|^  would reformat: $tmp/orig/||p" "$tmp/err" | sort >"$tmp/reported"
    (cd "$tmp/orig" && find . -name '*.snow' | sed 's|^\./||' | sort) | while read -r rel; do
        cmp -s "$tmp/orig/$rel" "$tmp/a/$rel" || echo "$rel"
    done >"$tmp/changed"
    if ! cmp -s "$tmp/reported" "$tmp/changed"; then
        echo "FAIL --check report differs from the changed files ($name):"
        diff "$tmp/changed" "$tmp/reported" | head; fail=1
    fi
    echo "$name: $(wc -l <"$tmp/changed") of $count files reformatted"
    # The corpus is hand-written, so some files must change (the test can fail).
    [ -s "$tmp/changed" ] || { echo "FAIL: formatting changed no file ($name)"; fail=1; }
}
check_options default
check_options narrow --line-width 20 --indent-size 4
exit $fail
