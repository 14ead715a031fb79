#!/usr/bin/env bash
# run-main.sh BUILD_DIR: the main job. Builds the example Snow programs with
# the freshly built snowc, runs examples/hello once, then runs the example
# web service (examples/web) in the foreground until Ctrl-C / SIGTERM. It
# prints "[snow-rt] HTTP server listening on 0.0.0.0:<port>" (services.md
# 1.8) when it is ready; PORT overrides its port (8080). Its parts live in
# SQLite: WEB_DB names the database file (default examples/web/web.db, kept
# between runs; ":memory:" for a fresh in-memory one).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build}
snowc="$here/$build/bin/snowc"
"$snowc" build "$here/examples/hello"
"$here/examples/hello/hello"
"$snowc" build "$here/examples/web"
echo "examples/web: try curl http://127.0.0.1:${PORT:-8080}/parts/B-17" >&2
export WEB_DB=${WEB_DB:-$here/examples/web/web.db}
exec "$here/examples/web/web"
