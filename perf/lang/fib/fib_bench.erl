%% perf/lang fib: naive doubly recursive Fibonacci, fib(32).
%% Same work as main.snow and fib.go; prints "fib 32 2178309".
-module(fib_bench).
-export([main/0]).

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).

main() ->
    N = 32,
    io:format("fib ~b ~b~n", [N, fib(N)]),
    halt().
