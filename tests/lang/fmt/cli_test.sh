#!/bin/sh
# Command-line behaviour of `snowc fmt` (language.md 11): messages, exit
# status, directory recursion, other files untouched, --check. Every case
# runs in its own temporary directory.
# usage: cli_test.sh SNOWC CASE
set -u
snowc=$1; case_name=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

fail() { echo "FAIL $case_name: $*"; [ -f err ] && { echo "--- stderr:"; cat err; }; exit 1; }
# expect STATUS: checks the exit status of the last run
expect_status() { [ "$status" -eq "$1" ] || fail "exit status $status, expected $1"; }
expect_err() { printf "$1" >want; cmp -s want err || { echo "--- wanted:"; cat want; fail "stderr differs"; }; }
run() { "$snowc" "$@" >out 2>err; status=$?; [ -s out ] && fail "stdout is not empty"; true; }

ugly='fn main() do\nlet x=1+2\nprintln(x)\nend\n'
pretty='fn main() do\n  let x = 1 + 2\n  println(x)\nend\n'

case "$case_name" in
missing_path)
    run fmt nowhere/x.snow; expect_status 1
    grep -q "^error: .*nowhere/x.snow" err || fail "no error line";;
not_snow)
    printf "$ugly" >notes.txt; cp notes.txt keep.txt
    run fmt notes.txt; expect_status 1
    grep -q "^error: 'notes.txt' is not a .snow file" err || fail "no error line"
    cmp -s notes.txt keep.txt || fail "non-.snow file modified";;
no_snow_files)
    mkdir -p d/sub; printf "$ugly" >d/sub/a.txt
    run fmt d; expect_status 1
    expect_err "error: No .snow files found in 'd'\n";;
single_file)
    printf "$ugly" >a.snow
    run fmt a.snow; expect_status 0
    expect_err "Formatted 1 file(s)\n"
    printf "$pretty" >want.snow; cmp -s a.snow want.snow || fail "a.snow not formatted";;
directory_recursive)
    mkdir -p d/x/y d/.snow/git/dep; printf "$ugly" >d/a.snow; printf "$pretty" >d/x/y/b.snow
    printf "$ugly" >d/.snow/git/dep/hidden.snow
    printf "$ugly" >d/x/notes.txt; printf "$ugly" >d/x/c.snow.bak
    cp d/x/notes.txt keep.txt
    run fmt d; expect_status 0
    expect_err "Formatted 2 file(s)\n"
    printf "$pretty" >want.snow
    cmp -s d/a.snow want.snow || fail "d/a.snow not formatted"
    cmp -s d/x/y/b.snow want.snow || fail "d/x/y/b.snow changed"
    cmp -s d/x/notes.txt keep.txt || fail "notes.txt modified"
    cmp -s d/x/c.snow.bak keep.txt || fail "c.snow.bak modified"
    cmp -s d/.snow/git/dep/hidden.snow keep.txt || fail "file below a .directory modified"
    [ "$(ls d/x/y)" = "b.snow" ] || fail "stray files: $(ls d/x/y)";;
check_reports)
    mkdir -p d/sub; printf "$pretty" >d/a.snow; printf "$ugly" >d/sub/b.snow; printf "$ugly" >d/c.snow
    cp d/sub/b.snow keep.snow
    run fmt --check d; expect_status 1
    expect_err "  would reformat: d/c.snow\n  would reformat: d/sub/b.snow\n2 file(s) would be reformatted\n"
    cmp -s d/sub/b.snow keep.snow || fail "--check modified a file"
    run fmt d; expect_status 0; expect_err "Formatted 3 file(s)\n"
    run fmt d --check; expect_status 0; expect_err "3 file(s) already formatted\n";;
check_single)
    printf "$pretty" >a.snow
    run fmt a.snow --check; expect_status 0; expect_err "1 file(s) already formatted\n";;
options)
    printf 'fn main() do\nfoo(alpha, beta, gamma)\nend\n' >a.snow
    run fmt --indent-size 4 a.snow --line-width 20; expect_status 0
    printf 'fn main() do\n    foo(alpha,\n            beta,\n            gamma)\nend\n' >want.snow
    cmp -s a.snow want.snow || { cat a.snow; fail "options not applied"; }
    run fmt a.snow --check; expect_status 1
    run fmt a.snow --check --indent-size 4 --line-width 20; expect_status 0;;
parse_error_untouched)
    printf 'fn main() do\nlet x = (1 +\nend\n' >bad.snow; cp bad.snow keep.snow
    printf "$ugly" >good.snow
    run fmt .; expect_status 1
    grep -q "P0001\|Parse error" err || fail "no parse diagnostic"
    grep -q "^error: './bad.snow' does not parse" err || fail "no refusal message"
    cmp -s bad.snow keep.snow || fail "unparsable file modified"
    printf "$pretty" >want.snow; cmp -s good.snow want.snow || fail "good.snow not formatted"
    run fmt --check bad.snow; expect_status 1;;
help)
    "$snowc" fmt --help >out 2>err; status=$?; expect_status 0
    head -1 out | grep -q "Format" || fail "help first line";;
*)
    fail "unknown case";;
esac
exit 0
