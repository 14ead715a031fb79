#!/bin/bash
# perf/lang/run.sh [BUILD_DIR]: language benchmarks, Snow against Erlang and Go
# (issue 5, DESIGN 9). Builds snowc (Release build dir, default build-perf),
# compiles every benchmark in the three languages, then runs them ROUNDS times
# interleaved (snow, erlang, go, snow, ...) so that the noise of the shared
# 2-core machine falls on all three alike, checks that the three print the same
# result line, and reports per benchmark the median wall time, the median CPU
# time (all threads: perf stat task-clock, else user + sys), the ratios
# Snow/Erlang and Snow/Go of both, and the median
# peak RSS, and the CPU of the work alone (Erlang reports its own; Snow and
# Go: CPU minus their `empty` program) with its ratios.
#
# Environment:
#   ROUNDS=5                      rounds (each runs every benchmark once per language)
#   BENCHES="empty fib list ..."  subset to run (empty = start-up cost only)
#   LANGS="snow erlang go"        subset of languages (those installed by default)
#   MARKDOWN=FILE                 also write the table as markdown to FILE
#   OUT=DIR                       keep binaries and raw timings in DIR (default: temp dir, removed)
#   SKIP_CMAKE=1                  do not rebuild snowc/snowrt first
#
# Peers: Erlang runs as `erl -noshell +S 2` on erlc-compiled modules, Go as a
# `go build` binary with GOMAXPROCS=2; Snow binaries get SNOW_CORES=2. Wall
# time is the whole process (start-up included: see the `empty` row); peak
# RSS is /usr/bin/time's %M. Missing peers are skipped with the apt command
# that installs them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../common.sh
. "$root/perf/common.sh"
build=${1:-$root/build-perf}
rounds=${ROUNDS:-5}
benches=${BENCHES:-"empty fib list map sort string"}

perf_setup_out

# ---- build ---------------------------------------------------------------
perf_build_snowc
perf_find_langs

declare -A ok
perf_build_benches bench

# ---- run -----------------------------------------------------------------
# One run: appends "bench lang wall_ms cpu_ms rss_kb" to $out/raw.txt and
# keeps the result line in $out/<bench>.<lang>.result.
run_one() {
    local b=$1 lang=$2
    local cmd
    case $lang in
        snow) cmd=("$out/$b.snow") ;;
        erlang) cmd=(erl -noshell +S 2 -pa "$out" -run "${b}_bench" main) ;;
        go) cmd=("$out/$b.go") ;;
    esac
    local rss wall_ms cpu_ms
    perf_time_cmd "$b" "$lang" "${cmd[@]}" || return 0
    # A program may report the CPU time of its work alone on stderr
    # ("work_cpu_ms N": the Erlang programs, whose VM start-up is large and
    # varies by tens of ms under load).
    local work
    work=$(awk '$1 == "work_cpu_ms" { w = $2 } END { print (w == "" ? "-" : w) }' "$out/stderr.txt")
    echo "$b $lang $wall_ms $cpu_ms $rss $work" >>"$out/raw.txt"
    tail -1 "$out/stdout.txt" >"$out/$b.$lang.result"
}

perf_rounds

# ---- check results agree -------------------------------------------------
perf_check_results

# ---- report --------------------------------------------------------------
# Medians per bench and language over the rounds, then one row per bench.
report() {
    awk -v benches="$benches" -v langs="$langs" -v md="$1" '
    function median(key,   n, i, j, t, a) {
        n = split(vals[key], a, " ")
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function cell(key, fmt) { return (key in vals) ? sprintf(fmt, median(key)) : "-" }
    function ratio(b, l, what) {
        if (!((b " snow " what) in vals) || !((b " " l " " what) in vals)) return "-"
        return sprintf("%.2f", median(b " snow " what) / median(b " " l " " what))
    }
    # CPU of the work alone: what the program reports itself, if it does
    # (Erlang), else its CPU minus the median CPU of empty in that language.
    function net(b, l) {
        if ((b " " l " work") in vals) return median(b " " l " work")
        if (!((b " " l " cpu") in vals) || !(("empty " l " cpu") in vals)) return ""
        return median(b " " l " cpu") - median("empty " l " cpu")
    }
    function net_cell(b, l,   v) {
        if (b == "empty") return "-"
        v = net(b, l)
        return v == "" ? "-" : sprintf("%.0f", v)
    }
    function net_ratio(b, l,   s, p) {
        if (b == "empty") return "-"
        s = net(b, "snow"); p = net(b, l)
        return (s == "" || p == "" || p <= 0) ? "-" : sprintf("%.2f", s / p)
    }
    {
        vals[$1 " " $2 " wall"] = vals[$1 " " $2 " wall"] " " $3
        vals[$1 " " $2 " cpu"] = vals[$1 " " $2 " cpu"] " " $4
        vals[$1 " " $2 " rss"] = vals[$1 " " $2 " rss"] " " $5 / 1024
        if ($6 != "-" && $6 != "") vals[$1 " " $2 " work"] = vals[$1 " " $2 " work"] " " $6
    }
    END {
        nb = split(benches, B, " ")
        if (md) {
            print "| benchmark | wall Snow | wall Erlang | wall Go | Snow/Erlang wall | Snow/Go wall | CPU Snow | CPU Erlang | CPU Go | Snow/Erlang CPU | Snow/Go CPU | work CPU Snow | work CPU Erlang | work CPU Go | Snow/Erlang work | Snow/Go work | RSS Snow | RSS Erlang | RSS Go |"
            print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
            fmt = "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n"
        } else {
            hfmt = "%-7s|%6s %6s %6s %5s %5s |%6s %6s %6s %5s %5s |%6s %6s %6s %5s %5s |%5s %5s %5s\n"
            printf hfmt, "", "wall", "ms", "", "", "", "CPU", "ms", "", "", "", "work", "CPU ms", "", "", "", "RSS", "MiB", ""
            printf hfmt, "bench", "snow", "erlang", "go", "s/erl", "s/go", "snow", "erlang", "go", "s/erl", "s/go", "snow", "erlang", "go", "s/erl", "s/go", "snow", "erl", "go"
            fmt = hfmt
        }
        for (i = 1; i <= nb; i++) {
            b = B[i]
            printf fmt, b,
                cell(b " snow wall", "%.0f"), cell(b " erlang wall", "%.0f"), cell(b " go wall", "%.0f"),
                ratio(b, "erlang", "wall"), ratio(b, "go", "wall"),
                cell(b " snow cpu", "%.0f"), cell(b " erlang cpu", "%.0f"), cell(b " go cpu", "%.0f"),
                ratio(b, "erlang", "cpu"), ratio(b, "go", "cpu"),
                net_cell(b, "snow"), net_cell(b, "erlang"), net_cell(b, "go"),
                net_ratio(b, "erlang"), net_ratio(b, "go"),
                cell(b " snow rss", "%.1f"), cell(b " erlang rss", "%.1f"), cell(b " go rss", "%.1f")
        }
    }' "$out/raw.txt"
}

echo
echo "Medians of $rounds rounds; wall and CPU time in ms (CPU: perf task-clock, all threads), peak RSS in MiB."
echo "work CPU: Erlang's own report (statistics(runtime) around main), Snow and Go: CPU minus their 'empty' median."
echo "Load average before: $load_before, after: $load_after ($(nproc) cores)."
report ""
if [ -n "${MARKDOWN:-}" ]; then
    {
        echo "Medians of $rounds rounds, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) shared cores,"
        echo "load average $load_before before and $load_after after. Wall and CPU time in ms (CPU: task-clock"
        echo "of all threads), peak RSS in MiB. Ratios are Snow / peer (below 1 means Snow is faster). \"work CPU\""
        echo "leaves out start-up: for Erlang the VM's own \`statistics(runtime)\` around \`main\` (start-up"
        echo "alone is 130-190 ms of CPU and varies), for Snow and Go the CPU minus their \`empty\` median."
        echo
        report 1
    } >"$MARKDOWN"
    echo "run.sh: markdown table written to $MARKDOWN" >&2
fi
exit $mismatch
