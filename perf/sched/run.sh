#!/bin/sh
# perf/sched/run.sh BUILD_DIR: runs the C scheduler benchmarks (2 workers)
# and, if erl is installed, the same programs in Erlang (+S 2), then prints
# the ratios Erlang/C for wall time, CPU time and peak RSS.
# Each benchmark runs in its own OS process. Build first:
#   cmake --build BUILD_DIR --target bench_sched
set -eu
build=${1:?usage: run.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

SNOW_CORES=2 "$build/bin/bench_sched" spawn ring pingpong pingpong2 | tee "$out/c.txt"
if ! command -v erl >/dev/null 2>&1; then
    echo "erl not found: apt-get install -y erlang-base for the comparison"
    exit 0
fi
erlc -o "$out" "$here/bench_sched.erl"
for b in spawn ring pingpong; do
    erl +S 2 +P 2000000 -noshell -pa "$out" -run bench_sched main "$b" | tee -a "$out/erl.txt"
done
# Fields: 1 name, 2 ops, 4 wall ms, 9 cpu ms, 13 peak RSS MiB.
awk 'NR == FNR { wall[$1] = $4; cpu[$1] = $9; rss[$1] = $13; next }
     ($1 in wall) { printf "ratio %-9s erlang/c: wall %.2f  cpu %.2f  peak RSS %.2f\n",
                    $1, $4 / wall[$1], $9 / cpu[$1], $13 / rss[$1] }' "$out/c.txt" "$out/erl.txt"
