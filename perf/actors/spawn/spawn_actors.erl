%% perf/actors spawn in Erlang: the same program as main.snow. 1,000,000
%% processes each wait for one message and pass it to a collector, which
%% prints "spawn 1000000 499999500000" once all have reported. main keeps
%% the pids in a list, like the Snow program, and waits for the collector
%% (an Erlang VM does not end by itself when every process waits).
%% stderr: work_cpu_ms / work_wall_ms, the VM's own figures for main.
-module(spawn_actors).
-export([main/0]).

-define(N, 1000000).

main() ->
    {C0, _} = statistics(runtime),
    T0 = erlang:monotonic_time(microsecond),
    Main = self(),
    Coll = spawn(fun() -> collector(?N, 0, 0, Main) end),
    Pids = [spawn(fun() -> waiter(Coll) end) || _ <- lists:seq(1, ?N)],
    ?N = send_all(Pids, 0),
    receive done -> ok end,
    bench_report:work(C0, T0),
    halt().

waiter(Coll) ->
    receive V -> Coll ! V end.

collector(0, Count, Sum, Main) ->
    io:format("spawn ~B ~B~n", [Count, Sum]),
    Main ! done;
collector(Left, Count, Sum, Main) ->
    receive V -> collector(Left - 1, Count + 1, Sum + V, Main) end.

send_all([], I) -> I;
send_all([P | Rest], I) ->
    P ! I,
    send_all(Rest, I + 1).
