%% perf/lang empty: start-up and exit cost of `erl -noshell +S 2`. Prints "empty".
%% stderr: "work_cpu_ms N", the VM's CPU time (all threads) spent in main,
%% i.e. without the VM's start-up; run.sh reports it next to the total.
-module(empty_bench).
-export([main/0]).

main() ->
    statistics(runtime),
    io:format("empty~n"),
    {_, WorkMs} = statistics(runtime),
    io:format(standard_error, "work_cpu_ms ~b~n", [WorkMs]),
    halt().
