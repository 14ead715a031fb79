# perf/common.sh: shell pieces shared by the run.sh scripts that time Snow
# programs (perf/lang, perf/actors, perf/compile). Sourced, not run. They
# use the caller's variables: root, build; benches, langs, rounds, out and
# the associative array ok[BENCH.LANG] for the rounds; run_one BENCH LANG
# is the caller's function that times one program.

# Builds snowc and the runtime in $build (a Release build dir, configured if
# new) unless SKIP_CMAKE is set, sets snowc, and warns when $build is not a
# Release build.
perf_build_snowc() {
    if [ -z "${SKIP_CMAKE:-}" ]; then
        if [ ! -f "$build/CMakeCache.txt" ]; then
            cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
        fi
        cmake --build "$build" --target snowc snowrt snow_abi_header -j2 >/dev/null
    fi
    snowc=$build/bin/snowc
    if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release' "$build/CMakeCache.txt" 2>/dev/null; then
        echo "run.sh: warning: $build is not a Release build; figures are not comparable" >&2
    fi
}

# Runs run_one for every bench and language that built, rounds times,
# interleaved so that the machine's noise falls on all alike. Sets use_perf
# (perf stat works), load_before and load_after; empties $out/raw.txt.
perf_rounds() {
    : >"$out/raw.txt"
    use_perf=""
    if perf stat -e task-clock -o /dev/null -- true >/dev/null 2>&1; then
        use_perf=1
    fi
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    local r b lang
    for ((r = 1; r <= rounds; r++)); do
        for b in $benches; do
            for lang in $langs; do
                [ -n "${ok[$b.$lang]:-}" ] && run_one "$b" "$lang"
            done
        done
        echo "run.sh: round $r/$rounds done" >&2
    done
    load_after=$(cut -d' ' -f1-3 /proc/loadavg)
}

# Checks that every language printed the same result line per bench
# ($out/BENCH.LANG.result); sets mismatch to 1 when one differs.
perf_check_results() {
    mismatch=0
    local b lang f ref reflang
    for b in $benches; do
        ref=""
        for lang in $langs; do
            f=$out/$b.$lang.result
            [ -f "$f" ] || continue
            if [ -z "$ref" ]; then
                ref=$(cat "$f")
                reflang=$lang
            elif [ "$(cat "$f")" != "$ref" ]; then
                echo "run.sh: $b: $lang printed '$(cat "$f")' but $reflang printed '$ref'" >&2
                mismatch=1
            fi
        done
    done
}
