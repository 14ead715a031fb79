#!/bin/sh
# `snowc deps [dir]` (language.md 11; docs/tooling.md): manifest errors,
# path dependencies (transitive, cycles, conflicts), local git dependencies
# pinned by tag/branch/rev, remote URLs refused without network access.
# Every case builds its projects and git repositories in a temporary dir.
# usage: deps_test.sh SNOWC CASE
set -u
snowc=$1; case_name=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
export GIT_CONFIG_NOSYSTEM=1 HOME="$tmp"

fail() { echo "FAIL $case_name: $*"; for f in out err; do [ -f $f ] && { echo "--- $f:"; cat $f; }; done; exit 1; }
run() { "$snowc" deps "$@" >out 2>err; status=$?; }
expect() { # STATUS STDOUT STDERR (printf formats)
    [ "$status" -eq "$1" ] || fail "exit status $status, expected $1"
    printf "$2" >want; cmp -s want out || fail "stdout differs, wanted: $(cat want)"
    printf "$3" >want; cmp -s want err || fail "stderr differs, wanted: $(cat want)"
}
expect_err() { # STATUS SUBSTRING: exit status, empty stdout, `error:` naming SUBSTRING
    [ "$status" -eq "$1" ] || fail "exit status $status, expected $1"
    [ -s out ] && fail "stdout not empty"
    grep -q "^error: .*$2" err || fail "stderr lacks '$2'"
}
manifest() { # DIR NAME DEP-LINES...
    mkdir -p "$1"; d=$1; n=$2; shift 2
    { printf '[package]\nname = "%s"\nversion = "0.1.0"\n\n[dependencies]\n' "$n"
      for l in "$@"; do printf '%s\n' "$l"; done; } >"$d/snow.toml"
}
repo() { # DIR: a git repository with commits c1 (tag v1, branch main) and c2 (branch dev)
    manifest "$1" "$(basename "$1")"
    git init -q -b main "$1" && echo one >"$1/file.txt" && git -C "$1" add . &&
        git -C "$1" commit -qm c1 && git -C "$1" tag v1 && git -C "$1" checkout -qb dev &&
        echo two >"$1/file.txt" && git -C "$1" commit -qam c2 && git -C "$1" checkout -q main
}
lock_field() { grep "^$1 = " "$2" | sed "s/^$1 = //"; }

case "$case_name" in
no_manifest)
    mkdir empty
    run empty; expect 1 "" "error: No 'snow.toml' found in 'empty'. Run \`snowc init\` to create a project.\n"
    (cd empty && "$snowc" deps >../out 2>../err); status=$?
    expect 1 "" "error: No 'snow.toml' found in '.'. Run \`snowc init\` to create a project.\n"
    run missing; expect_err 1 "No 'snow.toml' found in 'missing'";;
no_dependencies)
    "$snowc" init app >/dev/null || fail "init"
    run app; expect 0 "No dependencies\n" ""
    [ -e app/snow.lock ] && fail "lock written without dependencies"; true;;
path_transitive)
    manifest app app 'util = { path = "../util" }'
    manifest util util 'base = { path = "../base" }'
    manifest base base
    run app; expect 0 "Resolved 2 dependencies\n" ""
    printf '%s\n' '# snow.lock: written by `snowc deps`; do not edit.' 'version = 1' '' \
        '[[package]]' 'name = "base"' 'source = "path"' 'path = "../util/../base"' 'dependencies = []' '' \
        '[[package]]' 'name = "util"' 'source = "path"' 'path = "../util"' 'dependencies = ["base"]' >want.lock
    cmp -s want.lock app/snow.lock || { diff want.lock app/snow.lock; fail "lock content"; }
    run app; expect 0 "Dependencies up to date\n" ""
    touch -d '2001-01-01' app/snow.lock
    run app; expect 0 "Resolved 2 dependencies\n" "";;
path_errors)
    manifest app app 'util = { path = "../nowhere" }'
    run app; expect_err 1 "dependency 'util': path '../nowhere' does not exist"
    mkdir bare; manifest app app 'util = { path = "../bare" }'
    run app; expect_err 1 "dependency 'util': no 'snow.toml' found in '../bare'"
    [ -e app/snow.lock ] && fail "lock written after an error"; true;;
path_cycle)
    manifest app app 'a = { path = "../a" }'
    manifest a a 'b = { path = "../b" }'
    manifest b b 'a = { path = "../a" }'
    run app; expect 0 "Resolved 2 dependencies\n" "";;
conflict)
    manifest app app 'util = { path = "../util" }' 'base = { path = "../other/base" }'
    manifest util util 'base = { path = "../base" }'
    manifest base base; manifest other/base base
    run app; expect_err 1 "dependency 'base' is required from two different sources";;
manifest_errors)
    mkdir app
    printf '[package]\nname = "app\n' >app/snow.toml
    run app; expect_err 1 "app/snow.toml: line 2: unterminated string"
    printf '[package]\nversion = "1"\n' >app/snow.toml
    run app; expect_err 1 "needs string 'name' and 'version'"
    printf '[dependencies]\n' >app/snow.toml
    run app; expect_err 1 "missing \\[package\\] table"
    manifest app app 'json = "1.0"'
    run app; expect_err 1 "dependency 'json': expected { git"
    manifest app app 'x = { git = "../r", path = "../p" }'
    run app; expect_err 1 "dependency 'x': needs exactly one of 'git' or 'path'"
    manifest app app 'x = { git = "../r", tag = "a", branch = "b" }'
    run app; expect_err 1 "dependency 'x': give at most one of rev, branch and tag"
    manifest app app 'x = { path = "../r", tag = "a" }'
    run app; expect_err 1 "dependency 'x': rev, branch and tag apply only to git"
    manifest app app 'x = { git = "../r", colour = "red" }'
    run app; expect_err 1 "dependency 'x': unknown key 'colour'"
    printf '[package]\nname = "a"\nname = "b"\nversion = "1"\n' >app/snow.toml
    run app; expect_err 1 "line 3: duplicate key 'name'"
    printf '[package]\nname = "a"\nversion = 1.5\n' >app/snow.toml
    run app; expect_err 1 "line 3: unsupported value '1.5'"
    printf '[package]\nname = "a"\nversion = "1"\n[package]\n' >app/snow.toml
    run app; expect_err 1 "line 4: duplicate key 'package'"
    printf '[package]\nname = "a"\nversion = "1"\ndescription = "d"\nauthors = ["x", "y"]\n# c\n[dependencies]\n' >app/snow.toml
    run app; expect 0 "No dependencies\n" ""
    printf '%s\n' '# all the TOML a manifest uses' '[package]  # the package' "name = 'lit\\eral'" \
        'version = "0.1.0" # trailing' 'description = "caf\u00e9 \"quoted\" \\ tab\t"' \
        'authors = [' '  "Ada",  # first' '  "Grace",' ']' 'edition = 2024' 'published = false' '' \
        '[dependencies]' '"quoted-name" = { path = "../q" }' >app/snow.toml
    manifest q q
    run app; expect 0 "Resolved 1 dependencies\n" ""
    grep -q '^name = "quoted-name"' app/snow.lock || fail "quoted dependency name";;
git_refs)
    repo lib
    v1=$(git -C lib rev-parse v1); dev=$(git -C lib rev-parse dev); short=$(echo "$dev" | cut -c1-8)
    manifest app app 'lib = { git = "../lib", tag = "v1" }'
    run app; expect 0 "Resolved 1 dependencies\n" ""
    [ "$(lock_field commit app/snow.lock)" = "\"$v1\"" ] || fail "tag commit"
    [ "$(lock_field tag app/snow.lock)" = '"v1"' ] || fail "tag recorded"
    [ "$(cat app/.snow/git/lib/file.txt)" = one ] || fail "checkout of v1"
    manifest app app 'lib = { git = "../lib", branch = "dev" }'
    run app; expect 0 "Resolved 1 dependencies\n" ""
    [ "$(lock_field commit app/snow.lock)" = "\"$dev\"" ] || fail "branch commit"
    [ "$(cat app/.snow/git/lib/file.txt)" = two ] || fail "checkout of dev"
    manifest app app "lib = { git = \"file://$tmp/lib\", rev = \"$short\" }"
    run app; expect 0 "Resolved 1 dependencies\n" ""
    [ "$(lock_field commit app/snow.lock)" = "\"$dev\"" ] || fail "rev commit"
    manifest app app "lib = { git = \"$tmp/lib\" }"
    run app; expect 0 "Resolved 1 dependencies\n" ""
    [ "$(lock_field commit app/snow.lock)" = "\"$v1\"" ] || fail "default branch commit";;
git_update)
    repo lib
    manifest app app 'lib = { git = "../lib", branch = "main" }'
    run app; expect 0 "Resolved 1 dependencies\n" ""
    echo three >lib/file.txt; git -C lib commit -qam c3; head=$(git -C lib rev-parse main)
    run app; expect 0 "Dependencies up to date\n" ""
    touch -d '2001-01-01' app/snow.lock
    run app; expect 0 "Resolved 1 dependencies\n" ""
    [ "$(lock_field commit app/snow.lock)" = "\"$head\"" ] || fail "fetched commit"
    [ "$(cat app/.snow/git/lib/file.txt)" = three ] || fail "checkout after fetch";;
git_transitive)
    repo lib; manifest base base
    manifest lib lib 'base = { path = "../../../../base" }'
    git -C lib commit -qam deps
    manifest app app 'lib = { git = "../lib" }'
    run app; expect 0 "Resolved 2 dependencies\n" ""
    grep -q '^dependencies = \["base"\]' app/snow.lock || fail "lib's dependencies";;
git_errors)
    repo lib
    manifest app app 'lib = { git = "../lib", tag = "v9" }'
    run app; expect_err 1 "dependency 'lib': tag 'v9' not found in '../lib'"
    manifest app app 'lib = { git = "../nothing" }'
    run app; expect_err 1 "dependency 'lib': git repository '../nothing' not found"
    [ -e app/snow.lock ] && fail "lock written after an error"; true;;
git_remote)
    for url in https://example.invalid/x.git ssh://git@example.invalid/x git://example.invalid/x \
               git@example.invalid:x/y.git; do
        manifest app app "remote = { git = \"$url\", branch = \"main\" }"
        timeout 10 "$snowc" deps app >out 2>err; status=$?
        expect_err 1 "dependency 'remote': cannot fetch git repository '$url'"
        grep -q "no network connections" err || fail "reason"
    done
    [ -e app/.snow ] && fail "remote url reached git"; true;;
help)
    "$snowc" deps --help >out 2>err; status=$?
    [ "$status" -eq 0 ] && head -1 out | grep -q "Resolve" || fail "help";;
*)
    fail "unknown case";;
esac
exit 0
