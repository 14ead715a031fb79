%% perf/lang map: insert 1,000,000 integer keys into a map, look them all up,
%% sum the values. Key i is (i * 7919) rem 1000003, value i.
%% Same work as main.snow and map.go; prints "map 1000000 499999500000".
%% stderr: "work_cpu_ms N", the VM's CPU time (all threads) spent in main,
%% i.e. without the VM's start-up; run.sh reports it next to the total.
-module(map_bench).
-export([main/0]).

key(I) -> (I * 7919) rem 1000003.

fill(M, N, N) -> M;
fill(M, I, N) -> fill(maps:put(key(I), I, M), I + 1, N).

sum_lookups(_M, N, N, Acc) -> Acc;
sum_lookups(M, I, N, Acc) -> sum_lookups(M, I + 1, N, Acc + maps:get(key(I), M)).

main() ->
    statistics(runtime),
    N = 1000000,
    M = fill(#{}, 0, N),
    io:format("map ~b ~b~n", [map_size(M), sum_lookups(M, 0, N, 0)]),
    {_, WorkMs} = statistics(runtime),
    io:format(standard_error, "work_cpu_ms ~b~n", [WorkMs]),
    halt().
