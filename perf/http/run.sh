#!/usr/bin/env bash
# run.sh BUILD_DIR: plaintext "Hello, World!" (path /) and the JSON document
# {"message":"Hello, World!"} (path /json) under wrk on loopback, in one
# invocation, against the ws/ server (bench_server, 2 workers; /json
# encodes per request), nginx (worker_processes 2, `return 200`, a static
# JSON string with default_type application/json) and Go net/http
# (GOMAXPROCS=2; encoding/json per request) and h2o (num-threads 2, the
# two documents as static files via file.file, so it also sends ETag and
# Last-Modified). For each path in PATHS and
# 64 and 256 connections, ROUNDS rounds of SECONDS_RUN each, servers
# interleaved within a round; prints per run the requests/s, p50 and p99
# latency and the server's CPU seconds, then the medians, ratios of ws/ to
# each peer and requests per server CPU-second (the machine's 2 cores are
# shared with wrk, so req/s alone says little about efficiency).
# SNOW_BASE_BIN=<another bench_server> adds it as server "base" (an A/B of
# two builds inside one invocation, same noise). Server "free" is the same
# bench_server with its workers left unpinned (LD_PRELOAD of
# BUILD_DIR/bin/libws_nopin.so, perf/http/nopin.c): sched/ pins each worker
# to one CPU, nginx, h2o and Go do not. Per run the script also prints the
# server threads' run-queue wait (schedstat: time runnable but not running)
# per second of the run. PACE_MS=n makes every wrk connection wait n ms
# before each request (wrk's Lua delay()), so every server gets about the
# same offered load (connections / (n ms + latency)) and the latencies are
# compared at equal throughput; without it wrk is a closed loop at
# saturation, where a faster server also makes wrk itself busier. Needs wrk, nginx
# (nginx-light), go and h2o; a missing server is skipped.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
ROUNDS=${ROUNDS:-5}
SECONDS_RUN=${SECONDS_RUN:-5}
CONNS=${CONNS:-"64 256"}
PATHS=${PATHS:-"/ /json"}
PACE_MS=${PACE_MS:-}
SERVERS=${SERVERS:-"snow free base nginx npin h2o go"} # a subset, e.g. SERVERS=snow
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    kill "$(cat "$work/nginx.pid" 2>/dev/null)" "$(cat "$work/npin.pid" 2>/dev/null)" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

declare -A port pid
port[snow]=18180 port[nginx]=18181 port[go]=18182 port[base]=18183 port[h2o]=18184
port[free]=18185 port[npin]=18186
ulimit -n 65536 2>/dev/null || true

SNOW_CORES=2 "${SNOW_SERVER_BIN:-$root/$build/bin/bench_server}" "${port[snow]}" 2>"$work/snow.err" &
pid[snow]=$!
pids+=("$!")
nopin=$root/$build/bin/libws_nopin.so
if [[ -f $nopin ]]; then
    LD_PRELOAD=$nopin SNOW_CORES=2 "${SNOW_SERVER_BIN:-$root/$build/bin/bench_server}" \
        "${port[free]}" 2>"$work/free.err" &
    pid[free]=$!
    pids+=("$!")
fi
if [[ -n ${SNOW_BASE_BIN:-} ]]; then
    SNOW_CORES=2 "$SNOW_BASE_BIN" "${port[base]}" 2>"$work/base.err" &
    pid[base]=$!
    pids+=("$!")
fi

# nginx_conf NAME PORT [AFFINITY]: nginx's configuration for server NAME.
nginx_conf() {
    cat <<NGINX
worker_processes 2;
${3:-}
pid $work/$1.pid;
error_log $work/$1.err;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$2 reuseport;
        location / { return 200 "Hello, World!"; }
        location = /json {
            default_type application/json;
            return 200 '{"message":"Hello, World!"}';
        }
    }
}
NGINX
}
if command -v nginx >/dev/null; then
    # "npin": nginx with each worker pinned to one CPU, as sched/ pins ours.
    nginx_conf nginx "${port[nginx]}" >"$work/nginx.conf"
    nginx_conf npin "${port[npin]}" "worker_cpu_affinity auto;" >"$work/npin.conf"
    for s in nginx npin; do
        nginx -c "$work/$s.conf" -p "$work" -g 'daemon off;' &
        pids+=("$!")
        pid[$s]=$!
    done
fi
if command -v h2o >/dev/null; then
    # h2o drops root for `user`, which must be able to read the files.
    chmod 755 "$work"
    printf 'Hello, World!' >"$work/hello.txt"
    printf '{"message":"Hello, World!"}' >"$work/hello.json"
    chmod 644 "$work/hello.txt" "$work/hello.json"
    cat >"$work/h2o.conf" <<H2O
num-threads: 2
error-log: $work/h2o.err
access-log: /dev/null
$([[ $(id -u) == 0 ]] && echo "user: nobody")
listen:
  host: 127.0.0.1
  port: ${port[h2o]}
hosts:
  default:
    paths:
      /json:
        file.file: $work/hello.json
      /:
        file.file: $work/hello.txt
H2O
    h2o -c "$work/h2o.conf" >"$work/h2o.out" 2>&1 &
    pids+=("$!")
    pid[h2o]=$!
fi
if command -v go >/dev/null; then
    (cd "$here" && GOCACHE=$work/gocache go build -o "$work/hello-go" hello.go)
    GOMAXPROCS=2 "$work/hello-go" "${port[go]}" &
    pids+=("$!")
    pid[go]=$!
fi
sleep 1
servers=()
for s in $SERVERS; do
    [[ -n ${pid[$s]:-} ]] && curl -sf "http://127.0.0.1:${port[$s]}/" >/dev/null && servers+=("$s")
done
echo "servers: ${servers[*]}; rounds $ROUNDS x ${SECONDS_RUN}s; connections: $CONNS; paths: $PATHS${PACE_MS:+; paced: $PACE_MS ms before each request}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for s in "${servers[@]}"; do
    [[ $(curl -sf "http://127.0.0.1:${port[$s]}/json") == '{"message":"Hello, World!"}' ]] ||
        echo "warning: $s /json answers something else"
done

# CPU seconds (user + system) of a process and its threads so far.
cpu_of() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }
# nginx: the master forks workers; count them all.
cpu_tree() {
    local total=0 p
    for p in $1 $(pgrep -P "$1" || true); do
        total=$(echo "$total + $(cpu_of "$p")" | bc -l)
    done
    echo "$total"
}
# Nanoseconds the process's threads (and children's) spent runnable but
# waiting for a CPU so far (/proc/<tid>/schedstat, second field).
wait_tree() {
    local p
    for p in $1 $(pgrep -P "$1" || true); do
        cat /proc/"$p"/task/*/schedstat 2>/dev/null
    done | awk '{ s += $2 } END { printf "%.0f", s }'
}
to_ms() { # wrk latency text (123.45us, 1.2ms, 1.01s) to milliseconds
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n;
        else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

wrk_script=()
if [[ -n $PACE_MS ]]; then
    printf 'function delay() return %s end\n' "$PACE_MS" >"$work/pace.lua"
    wrk_script=(-s "$work/pace.lua")
fi
results=$work/results
: >"$results"
for path in $PATHS; do
for c in $CONNS; do
    for r in $(seq "$ROUNDS"); do
        for s in "${servers[@]}"; do
            before=$(cpu_tree "${pid[$s]}")
            wbefore=$(wait_tree "${pid[$s]}")
            out=$(wrk -t2 -c"$c" -d"${SECONDS_RUN}s" --latency "${wrk_script[@]}" "http://127.0.0.1:${port[$s]}$path")
            after=$(cpu_tree "${pid[$s]}")
            wafter=$(wait_tree "${pid[$s]}")
            rqwait=$(echo "($wafter - $wbefore) / 1000000 / $SECONDS_RUN" | bc -l)
            rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
            p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
            p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
            errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
            cpu=$(echo "$after - $before" | bc -l)
            printf '%-5s %-5s c=%-3s round %s: %10.0f req/s  p50 %7.3f ms  p99 %8.3f ms  cpu %5.2f s  rq-wait %4.0f ms/s %s\n' \
                "$s" "$path" "$c" "$r" "$rps" "$p50" "$p99" "$cpu" "$rqwait" "$errs"
            echo "$s $c $rps $p50 $p99 $cpu $path $rqwait" >>"$results"
        done
    done
done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "medians over $ROUNDS rounds (ratio = ours / other; req/cpu-s = requests per server CPU-second;"
echo " rq-wait = ms per second the server's threads were runnable but not running)"
python3 - "$results" "$SECONDS_RUN" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
secs = float(sys.argv[2])
med = {}
for s, c, rps, p50, p99, cpu, path, rqw in rows:
    med.setdefault((path, c, s), []).append((float(rps), float(p50), float(p99), float(cpu), float(rqw)))
keys = sorted({(p, c) for p, c, _ in med}, key=lambda k: (k[0], int(k[1])))
order = ("snow", "free", "base", "nginx", "npin", "h2o", "go")
for path, c in keys:
    print(f"{path} c={c}")
    m = {}
    for s in order:
        if (path, c, s) not in med:
            continue
        v = med[(path, c, s)]
        m[s] = (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v),
                statistics.median(x[2] for x in v),
                statistics.median(x[0] * secs / x[3] if x[3] > 0 else 0 for x in v),
                statistics.median(x[4] for x in v))
        rps, p50, p99, eff, rqw = m[s]
        print(f"  {s:5} {rps:10.0f} req/s  p50 {p50:7.3f} ms  p99 {p99:8.3f} ms  {eff:8.0f} req/cpu-s"
              f"  rq-wait {rqw:4.0f} ms/s")
    # Ratios of ws/ (pinned: snow; unpinned: free) to every other server.
    for ours in ("snow", "free"):
        if ours not in m:
            continue
        a = m[ours]
        for s in order:
            if s in m and s != ours and not (ours == "free" and s in ("snow", "base")):
                b = m[s]
                print(f"    {ours}/{s:5}: req/s {a[0]/b[0]:.2f}, p50 {a[1]/b[1]:.2f},"
                      f" p99 {a[2]/b[2]:.2f}, req/cpu-s {a[3]/b[3]:.2f}")
PY
