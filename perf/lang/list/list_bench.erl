%% perf/lang list: build [0 .. 999999], map (x * 3), filter (even), reduce (sum).
%% Same work as main.snow and list.go; prints "list 1000000 500000 749998500000".
%% stderr: "work_cpu_ms N", the VM's CPU time (all threads) spent in main,
%% i.e. without the VM's start-up; run.sh reports it next to the total.
-module(list_bench).
-export([main/0]).

main() ->
    statistics(runtime),
    N = 1000000,
    Xs = lists:seq(0, N - 1),
    Tripled = lists:map(fun(X) -> X * 3 end, Xs),
    Evens = lists:filter(fun(X) -> X rem 2 =:= 0 end, Tripled),
    Total = lists:foldl(fun(X, Acc) -> Acc + X end, 0, Evens),
    io:format("list ~b ~b ~b~n", [length(Xs), length(Evens), Total]),
    {_, WorkMs} = statistics(runtime),
    io:format(standard_error, "work_cpu_ms ~b~n", [WorkMs]),
    halt().
