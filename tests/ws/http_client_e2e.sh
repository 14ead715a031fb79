#!/usr/bin/env bash
# http_client_e2e.sh SNOWC: HTTP.get / HTTP.post from a Snow program against
# a Snow server (services.md 1.11, D91; issue 8), over http and https. The
# server (HTTP.serve and HTTP.serve_tls on free ports, a certificate for
# localhost made here with openssl) and the client are built with snowc; the
# client trusts the certificate through SNOW_HTTP_CA_FILE and its output is
# compared line by line. Loopback only: no network needed. CTest label
# `integration`. Every step is bounded in time.
set -euo pipefail
snowc=$1
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/server" "$work/client"

cat >"$work/server/main.snow" <<'SNOW'
fn hello(req :: Request) -> Response do
  HTTP.response(200, "hello from snow")
end

fn echo(req :: Request) -> Response do
  HTTP.response(201, "got ${Request.body(req)}")
end

fn teapot(req :: Request) -> Response do
  HTTP.response(418, "short and stout")
end

fn env_or(name :: String, default :: String) -> String do
  case Env.get(name) do
    Some(t) -> t
    None -> default
  end
end

fn port_of(name :: String) -> Int do
  case Env.get(name) do
    Some(t) -> case String.to_int(t) do
      Some(n) -> n
      None -> 0
    end
    None -> 0
  end
end

fn main() do
  let r = HTTP.router()
  let r = HTTP.on_get(r, "/hello", hello)
  let r = HTTP.on_post(r, "/echo", echo)
  let r = HTTP.on_get(r, "/teapot", teapot)
  case Env.get("CERT") do
    Some(cert) -> HTTP.serve_tls(r, port_of("PORT"), cert, env_or("KEY", ""))
    None -> HTTP.serve(r, port_of("PORT"))
  end
end
SNOW

cat >"$work/client/main.snow" <<'SNOW'
fn show(what :: String, r :: Result<String, String>) do
  case r do
    Ok(body) -> println("${what}: ok ${body}")
    Err(e) -> println("${what}: err ${e}")
  end
end

fn env_or(name :: String, default :: String) -> String do
  case Env.get(name) do
    Some(t) -> t
    None -> default
  end
end

fn main() do
  let base = env_or("BASE", "")
  let secure = env_or("SECURE", "")
  show("get", HTTP.get("${base}/hello"))
  show("post", HTTP.post("${base}/echo", "{\"n\":1}"))
  show("missing", HTTP.get("${base}/nothing"))
  show("teapot", HTTP.get("${base}/teapot"))
  show("https get", HTTP.get("${secure}/hello?x=1"))
  show("https post", HTTP.post("${secure}/echo", "[1,2]"))
  show("https missing", HTTP.get("${secure}/nothing"))
  case HTTP.get(env_or("OPENSSL", "")) do
    Ok(body) -> println("openssl: ok ${String.starts_with(body, "<HTML>")}")
    Err(e) -> println("openssl: err ${e}")
  end
end
SNOW

timeout 120 "$snowc" build "$work/server" >/dev/null
timeout 120 "$snowc" build "$work/client" >/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_listening() { # wait_listening ERRFILE
    for _ in $(seq 100); do
        grep -q "listening" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "FAIL: server did not listen: $(cat "$1")" >&2
    exit 1
}
port=$(free_port)
PORT=$port "$work/server/server" 2>"$work/err1" &
pids+=($!)
tport=$(free_port)
PORT=$tport CERT=$work/cert.pem KEY=$work/key.pem "$work/server/server" 2>"$work/err2" &
pids+=($!)
# OpenSSL's own server (-www: an HTTP/1.0 page up to the end of the stream).
oport=$(free_port)
(cd "$work" && exec openssl s_server -accept "$oport" -cert cert.pem -key key.pem -www -quiet \
    </dev/null >/dev/null 2>&1) &
pids+=($!)
wait_listening "$work/err1"
wait_listening "$work/err2"
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$oport") 2>/dev/null && break
    sleep 0.05
done

base=http://127.0.0.1:$port
secure=https://localhost:$tport
got=$(BASE=$base SECURE=$secure OPENSSL=https://localhost:$oport/ SNOW_HTTP_CA_FILE=$work/cert.pem \
    timeout 60 "$work/client/client")
want="get: ok hello from snow
post: ok got {\"n\":1}
missing: err $base/nothing: status code 404
teapot: err $base/teapot: status code 418
https get: ok hello from snow
https post: ok got [1,2]
https missing: err $secure/nothing: status code 404
openssl: ok true"
if [[ $got != "$want" ]]; then
    echo "FAIL client output:" >&2
    diff <(echo "$want") <(echo "$got") >&2 || true
    exit 1
fi

# Trusting only another CA, the client rejects the server's certificate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$work/other-key.pem" -out "$work/other.pem" 2>/dev/null
got=$(BASE=$base SECURE=$secure SNOW_HTTP_CA_FILE=$work/other.pem timeout 60 "$work/client/client" |
    grep '^https get')
[[ $got == "https get: err $secure/hello?x=1: TLS handshake with localhost failed: TLS peer certificate rejected"* ]] ||
    { echo "FAIL untrusted: $got" >&2; exit 1; }
echo "http client e2e: ok"
