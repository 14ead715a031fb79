#!/bin/sh
# perf/compile/cc-timed.sh: stands in for the C compiler while run.sh times
# `snowc build` (snowc runs $CC). It runs the real compiler
# ($SNOW_BENCH_REAL_CC, default cc) under perf stat and appends perf's report
# to $SNOW_BENCH_CC_LOG, so run.sh can split the build into the C compiler's
# share (cc, cc1, as, ld: perf counts the children) and snowc's own.
exec perf stat -e task-clock -o "$SNOW_BENCH_CC_LOG" --append -- "${SNOW_BENCH_REAL_CC:-cc}" "$@"
