#!/bin/sh
# perf/sched/run.sh BUILD_DIR: runs the C scheduler benchmarks (2 workers),
# then, where installed, the same programs in Erlang (erl +S 2) and Go
# (GOMAXPROCS=2), and prints the ratios peer/C for wall time, CPU time and
# peak RSS. Each benchmark runs in its own OS process. Build first:
#   cmake --build BUILD_DIR --target bench_sched
set -eu
build=${1:?usage: run.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

SNOW_CORES=2 "$build/bin/bench_sched" spawn ring pingpong pingpong2 | tee "$out/c.txt"

# ratios PEER FILE: fields 1 name, 4 wall ms, 9 cpu ms, 13 peak RSS MiB.
ratios() {
    awk -v peer="$1" 'NR == FNR { wall[$1] = $4; cpu[$1] = $9; rss[$1] = $13; next }
         ($1 in wall) { printf "ratio %-9s %s/c: wall %.2f  cpu %.2f  peak RSS %.2f\n",
                        $1, peer, $4 / wall[$1], $9 / cpu[$1], $13 / rss[$1] }' "$out/c.txt" "$2"
}

if command -v erl >/dev/null 2>&1; then
    erlc -o "$out" "$here/bench_sched.erl"
    for b in spawn ring pingpong; do
        erl +S 2 +P 2000000 -noshell -pa "$out" -run bench_sched main "$b" | tee -a "$out/erl.txt"
    done
else
    echo "erl not found: apt-get install -y erlang-base for the Erlang comparison"
fi
if command -v go >/dev/null 2>&1; then
    mkdir "$out/go" && cp "$here/bench_sched.go" "$out/go/"
    (cd "$out/go" && go mod init benchsched >/dev/null 2>&1 && go build -o bench_sched_go .)
    for b in spawn ring pingpong; do
        GOMAXPROCS=2 "$out/go/bench_sched_go" "$b" | tee -a "$out/go.txt"
    done
else
    echo "go not found: apt-get install -y golang-go for the Go comparison"
fi
[ -f "$out/erl.txt" ] && ratios erlang "$out/erl.txt"
[ -f "$out/go.txt" ] && ratios go "$out/go.txt"
exit 0
