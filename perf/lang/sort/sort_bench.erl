%% perf/lang sort: sort 1,000,000 pseudo-random integers ascending
%% (Park-Miller LCG x' = x * 48271 rem 2147483647, seed 42; products stay
%% below 2^47, inside Erlang's small integers). lists:sort/1 is Erlang's
%% idiomatic sort (Snow's List.sort takes a comparator closure; there is no
%% default one).
%% Same work as main.snow and sort.go; prints "sort <n> <min> <median> <max>".
%% stderr: "work_cpu_ms N", the VM's CPU time (all threads) spent in main,
%% i.e. without the VM's start-up; run.sh reports it next to the total.
-module(sort_bench).
-export([main/0]).

gen(Acc, _X, N, N) -> lists:reverse(Acc);
gen(Acc, X, I, N) ->
    X2 = (X * 48271) rem 2147483647,
    gen([X2 | Acc], X2, I + 1, N).

main() ->
    statistics(runtime),
    N = 1000000,
    Xs = gen([], 42, 0, N),
    Sorted = lists:sort(Xs),
    T = list_to_tuple(Sorted),
    io:format("sort ~b ~b ~b ~b~n",
              [length(Sorted), element(1, T), element(N div 2 + 1, T), element(N, T)]),
    {_, WorkMs} = statistics(runtime),
    io:format(standard_error, "work_cpu_ms ~b~n", [WorkMs]),
    halt().
