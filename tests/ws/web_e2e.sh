#!/usr/bin/env bash
# web_e2e.sh SNOWC: builds examples/web (and then tests/ws/e2e_app) with
# snowc into a temporary copy,
# starts it on a free port, checks its answers with curl (services.md
# 1.4-1.10, D84-D90) and that SIGTERM stops it cleanly (exit 0). The example
# keeps its parts in SQLite (services.md 4): WEB_DB points it at a file in
# the temporary directory, and a restart must still see a part POSTed
# before. CTest label
# `integration` (issue 8). Every step is bounded in time.
set -euo pipefail
snowc=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
pid=
cleanup() {
    [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/web"
cp "$here/examples/web/main.snow" "$work/web/"
timeout 120 "$snowc" build "$work/web" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
WEB_DB=$work/web.db PORT=$port "$work/web/web" 2>"$work/err" &
pid=$!
for _ in $(seq 100); do
    grep -q "listening" "$work/err" 2>/dev/null && break
    sleep 0.05
done
grep -qx "\[snow-rt\] HTTP server listening on 0.0.0.0:$port" "$work/err"

fail=0
check() { # check WANT_STATUS WANT_BODY CURL_ARGS...
    local want_status=$1 want_body=$2
    shift 2
    local out
    out=$(curl -s -m 5 -w '\n%{http_code}' "$@")
    local body=${out%$'\n'*} status=${out##*$'\n'}
    if [[ $status != "$want_status" || $body != "$want_body" ]]; then
        echo "FAIL curl $*: got $status '$body', want $want_status '$want_body'" >&2
        fail=1
    fi
}
base=http://127.0.0.1:$port
check 200 '{"status":"ok"}' "$base/health"
check 200 '{"name":"bracket","price":40,"sku":"B-17"}' "$base/parts/B-17"
check 200 '{"name":"bracket","price":40,"sku":"B-17"}' "$base//parts/B-17/"
check 404 '{"error":"no part Z-9"}' "$base/parts/Z-9"
check 200 '[{"name":"bolt","price":3,"sku":"A-1"},{"name":"bracket","price":40,"sku":"B-17"}]' "$base/parts"
check 200 '{"quantity":3,"sku":"B-17","total":120}' -X POST "$base/quote/B-17?quantity=3"
check 201 '{"name":"gear","price":12,"sku":"C-3"}' -d '{"sku":"C-3","name":"gear","price":12}' "$base/parts"
check 400 '{"error":"expected String"}' -d '{"sku":1}' "$base/parts"
check 200 '{"name":"gear","price":12,"sku":"C-3"}' "$base/parts/C-3"   # stored in SQLite
check 201 '{"name":"gear","price":13,"sku":"C-3"}' -d '{"sku":"C-3","name":"gear","price":13}' "$base/parts"
check 200 '{"quantity":2,"sku":"C-3","total":26}' -X POST "$base/quote/C-3?quantity=2"
check 401 '{"error":"missing X-Api-Key"}' "$base/admin/stats"
check 200 '{"parts":3}' -H 'x-API-key: k' "$base/admin/x/y"
check 404 'Not Found' "$base/nothing"
check 404 'Not Found' -X DELETE "$base/parts/B-17"
# HEAD: the headers of the response, with its Content-Length, and no body
# (D90). on_get routes match only GET, so this is the 404.
head=$(curl -s -m 5 -I "$base/health" | tr -d '\r')
[[ $head == *"HTTP/1.1 404 Not Found"*"Content-Length: 9"* ]] || { echo "FAIL HEAD: $head" >&2; fail=1; }
# A large POST: curl sends Expect: 100-continue; the spec server just reads the body.
python3 -c 'print("{\"sku\":\"L\",\"name\":\"" + "x"*200000 + "\",\"price\":1}")' >"$work/big"
out=$(curl -s -m 10 -w '%{http_code}' --data-binary @"$work/big" "$base/parts" | tail -c 20)
[[ $out == *'"sku":"L"}201' ]] || { echo "FAIL large POST: $out" >&2; fail=1; }
# A malformed request gets 400 and the connection closes (D88).
resp=$(printf 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n' | timeout 5 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.stdin.buffer.read())
data = b""
while True:
    b = s.recv(4096)
    if not b: break
    data += b
print(data.split(b"\r\n")[0].decode())' "$port")
[[ $resp == "HTTP/1.1 400 Bad Request" ]] || { echo "FAIL malformed: $resp" >&2; fail=1; }
# Connection: close on every response (services.md 1.7).
curl -s -m 5 -D - -o /dev/null "$base/health" | grep -qi '^Connection: close' || { echo "FAIL Connection: close" >&2; fail=1; }
grep -q "^GET /parts/B-17$" "$work/err" || { echo "FAIL: no log line from the middleware" >&2; fail=1; }

kill -TERM "$pid"
rc=0
timeout 10 tail --pid="$pid" -f /dev/null || rc=$?
wait "$pid" || rc=$?
pid=
[[ $rc == 0 ]] || { echo "FAIL: exit status $rc after SIGTERM" >&2; fail=1; }

# The database file outlives the process: a restart serves the stored parts
# (the seed rows are not inserted twice).
WEB_DB=$work/web.db PORT=$port "$work/web/web" 2>"$work/err1b" &
pid=$!
for _ in $(seq 100); do
    grep -q "listening" "$work/err1b" 2>/dev/null && break
    sleep 0.05
done
check 200 '{"name":"gear","price":13,"sku":"C-3"}' "$base/parts/C-3"
check 200 '{"parts":4}' -H 'x-API-key: k' "$base/admin/stats"  # A-1, B-17, C-3, L
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[[ $rc == 0 ]] || { echo "FAIL: exit status $rc after SIGTERM (restart)" >&2; fail=1; }

# Part 2: tests/ws/e2e_app, the features the example does not show.
mkdir -p "$work/app"
cp "$here/tests/ws/e2e_app/main.snow" "$work/app/"
timeout 120 "$snowc" build "$work/app" >/dev/null
PORT=$port "$work/app/app" 2>"$work/err2" &
pid=$!
for _ in $(seq 100); do
    grep -q "listening" "$work/err2" 2>/dev/null && break
    sleep 0.05
done
check 200 'hi from a closure' "$base/closure"                   # D85
check 418 'short' "$base/teapot"                                # closure middleware, short-circuit
check 200 'twice' -H 'X-Twice: 1' "$base/closure"               # next called twice
check 500 'Internal Server Error' "$base/crash/12"               # D87: division by zero
check 200 '100' "$base/crash/123"                               # ... and the server goes on
check 201 's' "$base/status/201"
check 299 's' "$base/status/299"                                # D86: unregistered code
check 500 'Internal Server Error' "$base/status/999"            # D86: outside 100-599
check 200 'param' "$base/items/7"                               # 1.4 priorities
check 200 'static' "$base/items/all"
check 200 'wild' "$base/items/a/b"
check 404 'Not Found' "$base/only-in-base-copy"                 # 1.3: routers are persistent
check 200 'Some(3) Some() None' "$base/q?a=1&b=&a=3&c"          # 1.6 query rules
del=$(curl -s -m 5 -i -X DELETE "$base/gone" | tr -d '\r')
[[ $del == $'HTTP/1.1 204 No Content\nContent-Type: application/json; charset=utf-8\nConnection: close' ]] ||
    { echo "FAIL 204: $del" >&2; fail=1; }                       # D90: no body, no length
grep -q '^\[snow-rt\] HTTP handler panicked: division by zero$' "$work/err2" ||
    { echo "FAIL: no panic line" >&2; fail=1; }
grep -q '^\[snow-rt\] HTTP handler panicked: invalid status 999$' "$work/err2" ||
    { echo "FAIL: no invalid status line" >&2; fail=1; }
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[[ $rc == 0 ]] || { echo "FAIL: app exit status $rc after SIGTERM" >&2; fail=1; }
exit $fail
