#!/bin/bash
# perf/actors/run.sh [BUILD_DIR]: actor benchmarks, Snow against Erlang and Go
# (issue 7). The same three programs written three times, doing the same
# work and printing the same result line:
#
#   spawn     1,000,000 processes each wait for one message and pass it to a
#             collector; main sends one to each (kept in a list); the
#             collector prints "spawn 1000000 499999500000" when all reported
#   ring      10,000 processes in a ring pass a token 1,000,000 hops;
#             "ring 1000000 hops end at node 0"
#   pingpong  1,000,000 round trips between two processes; "pingpong 1000000"
#   ring_heap, pingpong_heap   the same with boxed messages (a sum-type
#             variant Token(h); a tuple (self(), v) to a ponger that answers
#             whoever asked), so every message is copied into the receiver's
#             heap; ring and pingpong send plain Ints, which are not copied
#   empty     start-up and exit only, one process prints "empty" (baseline)
#
# Builds snowc (Release build dir, default build-actperf), compiles every
# program in the three languages, then runs them ROUNDS times interleaved
# (snow, erlang, go, snow, ...) so that the noise of the shared machine falls
# on all three alike, checks that the three print the same result line, and
# reports per benchmark the medians of wall time, CPU time (all threads: perf
# stat task-clock, else /usr/bin/time user + sys) and peak RSS, the same
# minus the language's `empty` median ("net": the work without start-up),
# the ratios Snow/Erlang and Snow/Go, and for spawn the memory per waiting
# process ((peak RSS - empty's) / 1,000,000).
#
# Snow's main cannot receive (language.md 5.10), so the Snow programs do not
# wait in main: a program ends when no process is runnable any more
# (language.md 8.9). The Erlang and Go programs wait in main for a done
# message (neither runtime ends by itself), so whole-process times compare
# like with like. The Erlang programs also print the VM's own CPU and wall
# time of main (work_cpu_ms, work_wall_ms) on stderr; run.sh shows them.
#
# Environment:
#   ROUNDS=3                          rounds
#   BENCHES="empty spawn ring pingpong ring_heap pingpong_heap"
#                                     subset (empty is needed for "net")
#   LANGS="snow erlang go"            subset of languages (installed ones)
#   MARKDOWN=FILE                     also write the tables as markdown
#   OUT=DIR                           keep binaries and raw timings in DIR
#   SKIP_CMAKE=1                      do not rebuild snowc/snowrt first
#
# Peers: Erlang as `erl -noshell +S 2 +P 2000000` (+P: room for 1,000,000
# processes), Go as a `go build` binary with GOMAXPROCS=2 (a process is a
# goroutine, its mailbox a buffered channel); Snow binaries get
# SNOW_CORES=2. Missing peers are skipped with the apt command to install.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../common.sh
. "$root/perf/common.sh"
build=${1:-$root/build-actperf}
rounds=${ROUNDS:-3}
benches=${BENCHES:-"empty spawn ring pingpong ring_heap pingpong_heap"}
spawn_n=1000000

perf_setup_out

# ---- build ---------------------------------------------------------------
perf_build_snowc
perf_find_langs

declare -A ok
case " $langs " in *" erlang "*)
    erlc -o "$out" "$here/bench_report.erl" ;;
esac
perf_build_benches actors

# ---- run -----------------------------------------------------------------
# One run: appends "bench lang wall_ms cpu_ms rss_kb work_cpu work_wall" to
# $out/raw.txt and keeps the result line in $out/<bench>.<lang>.result.
run_one() {
    local b=$1 lang=$2
    local cmd
    case $lang in
        snow) cmd=("$out/$b.snow") ;;
        erlang) cmd=(erl -noshell +S 2 +P 2000000 -pa "$out" -run "${b}_actors" main) ;;
        go) cmd=("$out/$b.go") ;;
    esac
    local rss wall_ms cpu_ms
    perf_time_cmd "$b" "$lang" "${cmd[@]}" || return 0
    local wcpu wwall
    wcpu=$(awk '$1 == "work_cpu_ms" { w = $2 } END { print (w == "" ? "-" : w) }' "$out/stderr.txt")
    wwall=$(awk '$1 == "work_wall_ms" { w = $2 } END { print (w == "" ? "-" : w) }' "$out/stderr.txt")
    echo "$b $lang $wall_ms $cpu_ms $rss $wcpu $wwall" >>"$out/raw.txt"
    tail -1 "$out/stdout.txt" >"$out/$b.$lang.result"
    printf 'run.sh: %-8s %-6s wall %8.0f ms  cpu %8.0f ms  rss %8.1f MiB\n' \
        "$b" "$lang" "$wall_ms" "$cpu_ms" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" >&2
}

perf_rounds

# ---- check results agree -------------------------------------------------
perf_check_results

# ---- report --------------------------------------------------------------
# Medians per bench and language over the rounds. Two tables: whole process
# (wall, CPU, peak RSS) and net of the `empty` baseline, plus the spawn
# memory per process and Erlang's own work figures.
report() {
    awk -v benches="$benches" -v langs="$langs" -v md="$1" -v spawn_n="$spawn_n" '
    function median(key,   n, i, j, t, a) {
        n = split(vals[key], a, " ")
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function has(b, l, w) { return (b " " l " " w) in vals }
    # v(b, l, what): the median; what ends in "_net": minus the empty median.
    function v(b, l, what,   base) {
        base = what; sub(/_net$/, "", base)
        if (!has(b, l, base)) return ""
        if (base == what) return median(b " " l " " base)
        if (b == "empty" || !has("empty", l, base)) return ""
        return median(b " " l " " base) - median("empty " l " " base)
    }
    function cell(b, l, what, fmt,   x) { x = v(b, l, what); return x == "" ? "-" : sprintf(fmt, x) }
    function ratio(b, l, what,   s, p) {
        s = v(b, "snow", what); p = v(b, l, what)
        return (s == "" || p == "" || s <= 0 || p <= 0) ? "-" : sprintf("%.2f", s / p)
    }
    function row(cells, n,   i, line) {
        line = md ? "|" : ""
        for (i = 1; i <= n; i++) line = line (md ? " " cells[i] " |" : sprintf(i == 1 ? "%-14s" : "%9s", cells[i]))
        print line
    }
    function table(title, suffix, unit,   i, b, c, n, k, w) {
        print ""
        print title
        n = 0
        c[++n] = "bench"
        for (k = 1; k <= nw; k++) {
            w = W[k]
            c[++n] = w " snow"; c[++n] = "erlang"; c[++n] = "go"; c[++n] = "s/erl"; c[++n] = "s/go"
        }
        row(c, n)
        if (md) { line = "|---|"; for (i = 2; i <= n; i++) line = line "---:|"; print line }
        for (i = 1; i <= nb; i++) {
            b = B[i]
            if (suffix != "" && b == "empty") continue
            n = 0
            c[++n] = b
            for (k = 1; k <= nw; k++) {
                w = W[k] suffix
                f = (W[k] == "rss") ? "%.1f" : "%.0f"
                c[++n] = cell(b, "snow", w, f); c[++n] = cell(b, "erlang", w, f); c[++n] = cell(b, "go", w, f)
                c[++n] = ratio(b, "erlang", w); c[++n] = ratio(b, "go", w)
            }
            row(c, n)
        }
    }
    {
        vals[$1 " " $2 " wall"] = vals[$1 " " $2 " wall"] " " $3
        vals[$1 " " $2 " cpu"] = vals[$1 " " $2 " cpu"] " " $4
        vals[$1 " " $2 " rss"] = vals[$1 " " $2 " rss"] " " $5 / 1024
        if ($6 != "-" && $6 != "") vals[$1 " " $2 " wcpu"] = vals[$1 " " $2 " wcpu"] " " $6
        if ($7 != "-" && $7 != "") vals[$1 " " $2 " wwall"] = vals[$1 " " $2 " wwall"] " " $7
    }
    END {
        nb = split(benches, B, " ")
        nw = split("wall cpu rss", W, " ")
        table("Whole process (wall ms, CPU ms, peak RSS MiB), medians:", "", "")
        table("Net of the empty baseline (bench median - empty median):", "_net", "")
        for (i = 1; i <= nb; i++) if (B[i] == "spawn") {
            print ""
            print "spawn, memory per waiting process ((peak RSS - empty peak RSS) / " spawn_n "):"
            n = 0
            c[++n] = "bench"; c[++n] = "snow B"; c[++n] = "erlang B"; c[++n] = "go B"; c[++n] = "s/erl"; c[++n] = "s/go"
            row(c, n)
            if (md) print "|---|---:|---:|---:|---:|---:|"
            n = 0
            c[++n] = "spawn"
            for (k = 1; k <= 3; k++) {
                split("snow erlang go", L, " ")
                x = v("spawn", L[k], "rss_net")
                c[++n] = x == "" ? "-" : sprintf("%.0f", x * 1048576 / spawn_n)
            }
            c[++n] = ratio("spawn", "erlang", "rss_net"); c[++n] = ratio("spawn", "go", "rss_net")
            row(c, n)
        }
        if (index(" " langs " ", " erlang ")) {
            print ""
            print "Erlang, the VM'"'"'s own figures for main (statistics(runtime), monotonic time), medians:"
            n = 0
            c[++n] = "bench"; c[++n] = "cpu ms"; c[++n] = "wall ms"
            row(c, n)
            if (md) print "|---|---:|---:|"
            for (i = 1; i <= nb; i++) {
                n = 0
                c[++n] = B[i]; c[++n] = cell(B[i], "erlang", "wcpu", "%.0f"); c[++n] = cell(B[i], "erlang", "wwall", "%.0f")
                row(c, n)
            }
        }
    }' "$out/raw.txt"
}

echo
echo "Medians of $rounds rounds; CPU: perf task-clock of all threads (else user + sys); s/erl, s/go: Snow / peer."
echo "Load average before: $load_before, after: $load_after ($(nproc) cores)."
report ""
if [ -n "${MARKDOWN:-}" ]; then
    {
        echo "Medians of $rounds rounds, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) shared cores,"
        echo "load average $load_before before and $load_after after. Ratios are Snow / peer"
        echo "(below 1: Snow is faster or smaller)."
        report 1
    } >"$MARKDOWN"
    echo "run.sh: markdown tables written to $MARKDOWN" >&2
fi
exit $mismatch
