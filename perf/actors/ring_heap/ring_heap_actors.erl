%% perf/actors ring_heap in Erlang: the same program as main.snow, the ring
%% of ../ring with the token as a tuple {token, H} (a boxed term copied to
%% the next process's heap on every hop). stderr: work_cpu_ms / work_wall_ms.
-module(ring_heap_actors).
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
    Second ! {token, ?HOPS - 1},
    node(Second, 0, Main).

spawn_chain(0, Next, _Main) -> Next;
spawn_chain(Index, Next, Main) ->
    spawn_chain(Index - 1, spawn(fun() -> node(Next, Index, Main) end), Main).

node(Next, Index, Main) ->
    receive
        {token, 0} ->
            io:format("ring ~B hops end at node ~B~n", [?HOPS, Index]),
            Main ! done,
            node(Next, Index, Main);
        {token, H} ->
            Next ! {token, H - 1},
            node(Next, Index, Main);
        stop ->
            ok
    end.
