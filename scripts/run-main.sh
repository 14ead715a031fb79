#!/usr/bin/env bash
# run-main.sh BUILD_DIR: the main job. Builds the example Snow program with
# the freshly built snowc and runs it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build}
snowc="$here/$build/bin/snowc"
app="$here/examples/hello"
"$snowc" build "$app"
exec "$app/hello"
