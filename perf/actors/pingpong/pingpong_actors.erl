%% perf/actors pingpong in Erlang: the same program as main.snow. main
%% spawns the pinger; the pinger spawns the ponger with its own pid, sends V
%% and waits for V + 1, 1,000,000 times, prints "pingpong 1000000" and tells
%% main, which halts. stderr: work_cpu_ms / work_wall_ms (bench_report).
-module(pingpong_actors).
-export([main/0]).

-define(N, 1000000).

main() ->
    {C0, _} = statistics(runtime),
    T0 = erlang:monotonic_time(microsecond),
    Main = self(),
    spawn(fun() -> start(Main) end),
    receive done -> ok end,
    bench_report:work(C0, T0),
    halt().

start(Main) ->
    Ping = self(),
    Pong = spawn(fun() -> ponger(Ping) end),
    V = pinger(Pong, ?N, 0),
    io:format("pingpong ~B~n", [V]),
    Main ! done.

ponger(Ping) ->
    receive V -> Ping ! V + 1 end,
    ponger(Ping).

pinger(_Pong, 0, V) -> V;
pinger(Pong, N, V) ->
    Pong ! V,
    receive R -> pinger(Pong, N - 1, R) end.
