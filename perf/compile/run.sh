#!/bin/bash
# perf/compile/run.sh [BUILD_DIR]: compile-time benchmark (issue 5; target:
# under 1 s of snowc time plus the C compiler for a 1,000-line program).
#
# Generates a LINES-line program with gen.sh, checks that it builds and runs,
# then times `snowc build` ROUNDS times and splits each build into
#   - the C compiler: snowc runs $CC, which we point at cc-timed.sh, a
#     wrapper that runs the real cc under `perf stat` (task-clock and elapsed
#     time of cc and its children cc1/as/ld);
#   - snowc's own share: the whole build under `perf stat` minus the C
#     compiler's figures (front end, type check, lowering, C emission, and
#     process start-up).
# It also times `snowc check` (lex + parse + type check only) and reports
# the size of the emitted C. Figures are medians; CPU is task-clock (the
# machine is shared, so CPU time is the steadier figure), wall is elapsed.
#
# Environment: ROUNDS (default 5), LINES (default 1000), MARKDOWN=FILE
# (also write the table as markdown), SKIP_CMAKE=1 (do not rebuild snowc).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../common.sh
. "$root/perf/common.sh"
build=${1:-$root/build-perf}
rounds=${ROUNDS:-5}
lines=${LINES:-1000}

if ! perf stat -e task-clock -o /dev/null -- true >/dev/null 2>&1; then
    echo "run.sh: needs a working 'perf stat' (apt-get install -y linux-perf)" >&2
    exit 1
fi
perf_build_snowc

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
prog=$out/prog
mkdir -p "$prog"
"$here/gen.sh" "$lines" >"$prog/main.snow"
nlines=$(wc -l <"$prog/main.snow")

"$snowc" build "$prog" --emit-c >"$out/build.log" 2>&1 || {
    echo "run.sh: the generated program does not build:" >&2
    cat "$out/build.log" >&2
    exit 1
}
result=$("$prog/prog")
clines=$(wc -l <"$prog/prog.c")
rm -f "$prog/prog.c"

# perf stat's report -> "elapsed_ms cpu_ms" (sums over every appended report).
perf_sum() {
    tr -d , <"$1" | awk '$2 == "msec" && $3 == "task-clock" { cpu += $1 }
                        $3 == "time" && $4 == "elapsed" { wall += $1 * 1000 }
                        END { printf "%.1f %.1f\n", wall, cpu }'
}

: >"$out/raw.txt"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 1; r <= rounds; r++)); do
    rm -f "$prog/prog" "$out/cc.txt" "$out/total.txt" "$out/check.txt"
    CC="$here/cc-timed.sh" SNOW_BENCH_CC_LOG="$out/cc.txt" LC_ALL=C \
        perf stat -e task-clock -o "$out/total.txt" -- "$snowc" build "$prog" >/dev/null 2>&1
    LC_ALL=C perf stat -e task-clock -o "$out/check.txt" -- "$snowc" check "$prog" >/dev/null 2>&1
    read -r tw tc < <(perf_sum "$out/total.txt")
    read -r cw cc < <(perf_sum "$out/cc.txt")
    read -r kw kc < <(perf_sum "$out/check.txt")
    echo "$tw $tc $cw $cc $kw $kc" >>"$out/raw.txt"
    echo "run.sh: round $r/$rounds: build ${tw} ms wall, ${tc} ms CPU (cc ${cw} / ${cc})" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

report() {
    awk -v md="$1" -v lines="$nlines" -v clines="$clines" -v rounds="$rounds" '
    function median(col,   n, i, j, t, a) {
        n = NR
        for (i = 1; i <= n; i++) a[i] = v[i, col]
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { for (c = 1; c <= 6; c++) v[NR, c] = $c + 0; v[NR, 7] = $1 - $3; v[NR, 8] = $2 - $4 }
    END {
        if (md) {
            printf "| %d-line program (%d lines of C), median of %d | wall ms | CPU ms |\n", lines, clines, rounds
            print "|---|---:|---:|"
            fmt = "| %s | %.0f | %.0f |\n"
        } else {
            printf "%d-line program (%d lines of C), median of %d rounds\n", lines, clines, rounds
            printf "%-34s %8s %8s\n", "", "wall ms", "CPU ms"
            fmt = "%-34s %8.0f %8.0f\n"
        }
        printf fmt, "snowc build, total", median(1), median(2)
        printf fmt, "  of which the C compiler (cc -O2)", median(3), median(4)
        printf fmt, "  of which snowc itself", median(7), median(8)
        printf fmt, "snowc check (lex, parse, types)", median(5), median(6)
    }' "$out/raw.txt"
}

echo
echo "Program output: $result"
echo "Load average before: $load_before, after: $load_after ($(nproc) cores)."
report ""
if [ -n "${MARKDOWN:-}" ]; then
    {
        echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) shared cores, load average $load_before before"
        echo "and $load_after after."
        echo
        report 1
    } >"$MARKDOWN"
    echo "run.sh: markdown table written to $MARKDOWN" >&2
fi
