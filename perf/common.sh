# perf/common.sh: shell pieces shared by the run.sh scripts that time Snow
# programs (perf/lang, perf/actors, perf/compile). Sourced, not run. They
# use the caller's variables: root, here, build; benches, langs, rounds,
# out and the associative array ok[BENCH.LANG] (declare -A ok before
# perf_build_benches); run_one BENCH LANG is the caller's function that
# times one program.

# Sets out: $OUT (created) or a fresh temporary directory removed at exit;
# stops when /usr/bin/time is missing (the CPU fallback without perf).
perf_setup_out() {
    if [ -n "${OUT:-}" ]; then
        out=$OUT
        mkdir -p "$out"
    else
        out=$(mktemp -d)
        trap 'rm -rf "$out"' EXIT
    fi
    if [ ! -x /usr/bin/time ]; then
        echo "run.sh: /usr/bin/time missing: apt-get install -y time" >&2
        exit 1
    fi
}

# Sets langs: snow, plus erlang and go when installed (with the apt command
# when not), narrowed to $LANGS when set.
perf_find_langs() {
    langs="snow"
    if command -v erlc >/dev/null 2>&1 && command -v erl >/dev/null 2>&1; then
        langs="$langs erlang"
    else
        echo "run.sh: erl/erlc not found, Erlang skipped: apt-get install -y erlang-base" >&2
    fi
    if command -v go >/dev/null 2>&1; then
        langs="$langs go"
    else
        echo "run.sh: go not found, Go skipped: apt-get install -y golang-go" >&2
    fi
    if [ -n "${LANGS:-}" ]; then
        local wanted="" l
        for l in $LANGS; do
            case " $langs " in *" $l "*) wanted="$wanted $l" ;; esac
        done
        langs=${wanted# }
    fi
}

# Builds every bench in every language of $langs into $out and sets
# ok[BENCH.LANG] for those that built (a failure prints its log): Snow from
# $here/BENCH, Erlang from $here/BENCH/BENCH_$1.erl, Go from
# $here/BENCH/BENCH.go.
perf_build_benches() {
    local erl_suffix=$1 b
    for b in $benches; do
        if "$snowc" build "$here/$b" -o "$out/$b.snow" >"$out/$b.snow.log" 2>&1; then
            ok[$b.snow]=1
        else
            echo "run.sh: snowc build $b failed:" >&2
            sed 's/^/    /' "$out/$b.snow.log" >&2
        fi
        case " $langs " in *" erlang "*)
            if erlc -o "$out" "$here/$b/${b}_${erl_suffix}.erl" >"$out/$b.erl.log" 2>&1; then
                ok[$b.erlang]=1
            else
                echo "run.sh: erlc $b failed:" >&2
                cat "$out/$b.erl.log" >&2
            fi ;;
        esac
        case " $langs " in *" go "*)
            if (cd "$here/$b" && GOCACHE=${GOCACHE:-$out/gocache} go build -o "$out/$b.go" "$b.go") \
                >"$out/$b.go.log" 2>&1; then
                ok[$b.go]=1
            else
                echo "run.sh: go build $b failed:" >&2
                cat "$out/$b.go.log" >&2
            fi ;;
        esac
    done
}

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

# Runs the command after B LANG once, with SNOW_CORES=2 GOMAXPROCS=2,
# stdout to $out/stdout.txt and stderr to $out/stderr.txt, and sets rss
# (KiB), wall_ms and cpu_ms. CPU comes from perf stat's task-clock (all
# threads, microsecond resolution) when perf works (use_perf), else from
# /usr/bin/time's 10 ms user + sys; wall time then also comes from perf
# (fork to exit of the program, without perf's own start-up). Returns 1
# (after printing the error's tail) when the command fails.
perf_time_cmd() {
    local b=$1 lang=$2 t0 t1 user sys pstat=()
    shift 2
    [ -n "$use_perf" ] && pstat=(env LC_ALL=C perf stat -e task-clock -o "$out/perf.txt" --)
    t0=$(date +%s%N)
    if ! SNOW_CORES=2 GOMAXPROCS=2 "${pstat[@]}" /usr/bin/time -f '%M %U %S' -o "$out/time.txt" \
        "$@" >"$out/stdout.txt" 2>"$out/stderr.txt"; then
        echo "run.sh: $b ($lang) failed:" >&2
        tail -5 "$out/stderr.txt" >&2
        return 1
    fi
    t1=$(date +%s%N)
    read -r rss user sys < <(tail -1 "$out/time.txt")
    wall_ms=$(( (t1 - t0) / 1000000 ))
    cpu_ms=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", (u + s) * 1000 }')
    if [ -n "$use_perf" ]; then
        wall_ms=$(tr -d , <"$out/perf.txt" | awk '$3 == "time" && $4 == "elapsed" { printf "%.1f", $1 * 1000 }')
        cpu_ms=$(tr -d , <"$out/perf.txt" | awk '$2 == "msec" && $3 == "task-clock" { printf "%.1f", $1 }')
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
