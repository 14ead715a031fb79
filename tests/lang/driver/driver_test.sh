#!/usr/bin/env bash
# driver_test.sh SNOWC CASE: one check of the snowc command line
# (language.md section 11). Each CASE is a CTest test of its own.
set -uo pipefail
snowc=$1
case_name=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "FAIL: $*"; exit 1; }
expect_eq() {  # expect_eq ACTUAL EXPECTED WHAT
    [ "$1" == "$2" ] || fail "$3: expected [$2], got [$1]"
}

case "$case_name" in
version)
    out=$("$snowc" --version) || fail "--version exited $?"
    [[ "$out" =~ ^snowc\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version printed [$out]"
    ;;
help)
    "$snowc" --help | grep -q '^  build ' || fail "--help does not list build"
    # 11: every subcommand answers --help on stdout, first line describes it, exit 0.
    for cmd in build run check parse init deps fmt repl lsp; do
        out=$("$snowc" "$cmd" --help) || fail "$cmd --help exited $?"
        first=$(head -n 1 <<<"$out")
        [ -n "$first" ] || fail "$cmd --help printed nothing"
        [ ! -e "$cmd" ] || fail "$cmd --help did something"
    done
    "$snowc" repl --help | head -n 1 | grep -qi 'repl' || fail "repl --help first line"
    "$snowc" lsp --help | head -n 1 | grep -qi 'language server' || fail "lsp --help first line"
    ;;
unknown_command)
    "$snowc" frobnicate 2>err && fail "unknown command succeeded"
    grep -q "unknown command 'frobnicate'" err || fail "message: $(cat err)"
    ;;
build_errors)
    "$snowc" build nowhere 2>err; expect_eq $? 1 "status"
    expect_eq "$(cat err)" "error: Project directory 'nowhere' does not exist" "missing dir"
    touch plainfile
    "$snowc" build plainfile 2>err; expect_eq $? 1 "status"
    expect_eq "$(cat err)" "error: 'plainfile' is not a directory" "not a dir"
    mkdir empty
    "$snowc" build empty 2>err; expect_eq $? 1 "status"
    expect_eq "$(cat err)" \
        "error: No 'main.snow' found in 'empty'. Snow projects must have a main.snow entry point." \
        "no main.snow"
    mkdir app && echo 'fn main() do end' >app/main.snow
    "$snowc" build app --target sparc-sun-solaris 2>err; expect_eq $? 1 "status"
    grep -q "^error: unsupported target 'sparc-sun-solaris'" err || fail "target: $(cat err)"
    ;;
init)
    "$snowc" init demo >out 2>err || fail "init exited $?"
    expect_eq "$(cat out)" "Created project 'demo'" "init message"
    expect_eq "$(cat demo/snow.toml)" "$(printf '[package]\nname = "demo"\nversion = "0.1.0"\n\n[dependencies]')" "manifest"
    expect_eq "$(cat demo/main.snow)" "$(printf 'fn main() do\n  println("Hello from Snow!")\nend')" "scaffold (D160)"
    "$snowc" init demo 2>err && fail "init over an existing directory succeeded"
    grep -q "already exists" err || fail "exists message: $(cat err)"
    ;;
init_builds_and_runs)
    # D160: the scaffold compiles and prints its greeting.
    "$snowc" init demo >/dev/null || fail "init"
    "$snowc" build demo 2>err || fail "build: $(cat err)"
    grep -q "^  Compiled: demo/demo$" err || fail "Compiled line: $(cat err)"
    expect_eq "$(./demo/demo)" "Hello from Snow!" "program output"
    ;;
installed_tree)
    # snowc finds its runtime relative to itself after `cmake --install`.
    build_dir=$(cd "$(dirname "$snowc")/.." && pwd)
    cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null || fail "cmake --install"
    mkdir app && printf 'fn main() do\n  println("installed")\nend\n' >app/main.snow
    "$work/prefix/bin/snowc" build app 2>err || fail "build with installed snowc: $(cat err)"
    expect_eq "$(./app/app)" "installed" "program output"
    SNOW_HOME="$work/nowhere" "$work/prefix/bin/snowc" build app 2>err && fail "bad SNOW_HOME"
    grep -q "SNOW_HOME" err || fail "SNOW_HOME message: $(cat err)"
    ;;
missing_main)
    # language.md 2.5: one `error:` line, status 1, only when all else compiles.
    mkdir app && printf 'fn helper() do\n  1\nend\n' >app/main.snow
    "$snowc" build app 2>err; expect_eq $? 1 "status"
    expect_eq "$(wc -l <err)" "1" "one line"
    grep -q '^error: .*main' err || fail "message: $(cat err)"
    ;;
run_passes_args_and_status)
    cat >prog.snow <<'SNOW'
fn main() do
  println("ran")
end
SNOW
    out=$("$snowc" run prog.snow 2>err) || fail "run: $(cat err)"
    expect_eq "$out" "ran" "run output"
    ;;
*)
    fail "unknown case $case_name"
    ;;
esac
echo "ok $case_name"
