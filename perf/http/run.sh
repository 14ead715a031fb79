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
# two builds inside one invocation, same noise). Needs wrk, nginx
# (nginx-light), go and h2o; a missing server is skipped.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
ROUNDS=${ROUNDS:-5}
SECONDS_RUN=${SECONDS_RUN:-5}
CONNS=${CONNS:-"64 256"}
PATHS=${PATHS:-"/ /json"}
SERVERS=${SERVERS:-"snow base nginx h2o go"} # a subset, e.g. SERVERS=snow
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    kill "$(cat "$work/nginx.pid" 2>/dev/null)" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

declare -A port pid
port[snow]=18180 port[nginx]=18181 port[go]=18182 port[base]=18183 port[h2o]=18184
ulimit -n 65536 2>/dev/null || true

SNOW_CORES=2 "${SNOW_SERVER_BIN:-$root/$build/bin/bench_server}" "${port[snow]}" 2>"$work/snow.err" &
pid[snow]=$!
pids+=("$!")
if [[ -n ${SNOW_BASE_BIN:-} ]]; then
    SNOW_CORES=2 "$SNOW_BASE_BIN" "${port[base]}" 2>"$work/base.err" &
    pid[base]=$!
    pids+=("$!")
fi

if command -v nginx >/dev/null; then
    cat >"$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:${port[nginx]} reuseport;
        location / { return 200 "Hello, World!"; }
        location = /json {
            default_type application/json;
            return 200 '{"message":"Hello, World!"}';
        }
    }
}
NGINX
    nginx -c "$work/nginx.conf" -p "$work" -g 'daemon off;' &
    pids+=("$!")
    pid[nginx]=$!
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
echo "servers: ${servers[*]}; rounds $ROUNDS x ${SECONDS_RUN}s; connections: $CONNS; paths: $PATHS"
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
to_ms() { # wrk latency text (123.45us, 1.2ms, 1.01s) to milliseconds
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n;
        else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

results=$work/results
: >"$results"
for path in $PATHS; do
for c in $CONNS; do
    for r in $(seq "$ROUNDS"); do
        for s in "${servers[@]}"; do
            before=$(cpu_tree "${pid[$s]}")
            out=$(wrk -t2 -c"$c" -d"${SECONDS_RUN}s" --latency "http://127.0.0.1:${port[$s]}$path")
            after=$(cpu_tree "${pid[$s]}")
            rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
            p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
            p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
            errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
            cpu=$(echo "$after - $before" | bc -l)
            printf '%-5s %-5s c=%-3s round %s: %10.0f req/s  p50 %7.3f ms  p99 %8.3f ms  cpu %5.2f s %s\n' \
                "$s" "$path" "$c" "$r" "$rps" "$p50" "$p99" "$cpu" "$errs"
            echo "$s $c $rps $p50 $p99 $cpu $path" >>"$results"
        done
    done
done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "medians over $ROUNDS rounds (ratio = snow / other; req/cpu-s = requests per server CPU-second)"
python3 - "$results" "$SECONDS_RUN" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
secs = float(sys.argv[2])
med = {}
for s, c, rps, p50, p99, cpu, path in rows:
    med.setdefault((path, c, s), []).append((float(rps), float(p50), float(p99), float(cpu)))
keys = sorted({(p, c) for p, c, _ in med}, key=lambda k: (k[0], int(k[1])))
for path, c in keys:
    print(f"{path} c={c}")
    base = None
    for s in ("snow", "base", "nginx", "h2o", "go"):
        if (path, c, s) not in med:
            continue
        v = med[(path, c, s)]
        rps = statistics.median(x[0] for x in v)
        p50 = statistics.median(x[1] for x in v)
        p99 = statistics.median(x[2] for x in v)
        eff = statistics.median(x[0] * secs / x[3] if x[3] > 0 else 0 for x in v)
        line = f"  {s:5} {rps:10.0f} req/s  p50 {p50:7.3f} ms  p99 {p99:8.3f} ms  {eff:8.0f} req/cpu-s"
        if s == "snow":
            base = (rps, p50, p99, eff)
        elif base:
            line += (f"   snow/{s}: req/s {base[0]/rps:.2f}, p50 {base[1]/p50:.2f}, p99 {base[2]/p99:.2f},"
                     f" req/cpu-s {base[3]/eff:.2f}")
        print(line)
PY
