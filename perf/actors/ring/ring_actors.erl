%% perf/actors ring in Erlang: the same program as main.snow. main spawns
%% node 0; node 0 spawns nodes 9999 down to 1, each knowing the node after
%% it (node 9999 knows node 0), and sends the token (hops left) to node 1.
%% The node that receives 0 prints "ring 1000000 hops end at node 0" and
%% tells main, which halts (an Erlang VM does not end by itself when every
%% process waits). stderr: work_cpu_ms / work_wall_ms (bench_report).
-module(ring_actors).
-export([main/0]).

-define(N, 10000).
-define(HOPS, 1000000).

main() ->
    {C0, _} = statistics(runtime),
    T0 = erlang:monotonic_time(microsecond),
    Main = self(),
    spawn(fun() -> first(Main) end),
    receive done -> ok end,
    bench_report:work(C0, T0),
    halt().

first(Main) ->
    Second = spawn_chain(?N - 1, self(), Main),
    Second ! ?HOPS - 1,
    node(Second, 0, Main).

spawn_chain(0, Next, _Main) -> Next;
spawn_chain(Index, Next, Main) ->
    spawn_chain(Index - 1, spawn(fun() -> node(Next, Index, Main) end), Main).

node(Next, Index, Main) ->
    receive
        0 ->
            io:format("ring ~B hops end at node ~B~n", [?HOPS, Index]),
            Main ! done,
            node(Next, Index, Main);
        H ->
            Next ! H - 1,
            node(Next, Index, Main)
    end.
