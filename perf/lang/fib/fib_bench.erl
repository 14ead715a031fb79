%% perf/lang fib: naive doubly recursive Fibonacci, fib(32).
%% Same work as main.snow and fib.go; prints "fib 32 2178309".
%% stderr: "work_cpu_ms N", the VM's CPU time (all threads) spent in main,
%% i.e. without the VM's start-up; run.sh reports it next to the total.
-module(fib_bench).
-export([main/0]).

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).

main() ->
    statistics(runtime),
    N = 32,
    io:format("fib ~b ~b~n", [N, fib(N)]),
    {_, WorkMs} = statistics(runtime),
    io:format(standard_error, "work_cpu_ms ~b~n", [WorkMs]),
    halt().
