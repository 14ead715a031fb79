%% perf/actors pingpong_heap in Erlang: the same program as main.snow: the
%% pinger sends {self(), V} and the ponger answers V + 1 to whoever asked.
%% stderr: work_cpu_ms / work_wall_ms (bench_report).
-module(pingpong_heap_actors).
-export([main/0]).

-define(N, 1000000).

main() ->
    {C0, _} = statistics(runtime),
    T0 = erlang:monotonic_time(microsecond),
    Main = self(),
    Pong = spawn(fun ponger/0),
    spawn(fun() -> pinger(Pong, ?N, 0, Main) end),
    receive done -> ok end,
    bench_report:work(C0, T0),
    halt().

ponger() ->
    receive {From, V} -> From ! V + 1 end,
    ponger().

pinger(_Pong, 0, V, Main) ->
    io:format("pingpong ~B~n", [V]),
    Main ! done;
pinger(Pong, N, V, Main) ->
    Pong ! {self(), V},
    receive R -> pinger(Pong, N - 1, R, Main) end.
