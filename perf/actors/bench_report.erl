%% perf/actors: what the Erlang programs print on stderr at the end, the
%% CPU (all schedulers) and wall time of main since C0/T0, so run.sh can show
%% the work without the VM's start-up next to the whole-process figures.
-module(bench_report).
-export([work/2]).

work(C0, T0) ->
    {C1, _} = statistics(runtime),
    T1 = erlang:monotonic_time(microsecond),
    io:format(standard_error, "work_cpu_ms ~B~nwork_wall_ms ~.1f~n",
              [C1 - C0, (T1 - T0) / 1000]).
