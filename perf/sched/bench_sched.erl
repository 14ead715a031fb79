%% bench_sched.erl: the scheduler benchmarks of bench_sched.c in Erlang,
%% for comparison (perf/sched/run.sh runs both with 2 schedulers/workers).
%%   spawn     1,000,000 processes each wait for one message; send to all,
%%             wait until all have exited
%%   ring      10,000 processes pass a token 1,000,000 hops
%%   pingpong  1,000,000 round trips between two processes
%% Output matches bench_sched.c: name, ops, wall ms, ns/op, CPU ms, peak RSS.
-module(bench_sched).
-export([main/1]).

-define(SPAWN_N, 1000000).
-define(RING_N, 10000).
-define(RING_HOPS, 1000000).
-define(PINGPONG_N, 1000000).

main([Name]) ->
    run(list_to_atom(Name)),
    halt().

now_ns() -> erlang:monotonic_time(nanosecond).

%% CPU time of every thread of the VM, in ms.
cpu_ms() ->
    {Total, _} = statistics(runtime),
    Total.

peak_rss_mib() ->
    {ok, Bin} = file:read_file("/proc/self/status"),
    [Line] = [L || L <- string:split(binary_to_list(Bin), "\n", all),
                   lists:prefix("VmHWM:", L)],
    [_, Kb, _] = string:lexemes(Line, " \t"),
    list_to_integer(Kb) / 1024.

report(Name, Ops, T0, T1, C0, C1, Extra) ->
    Ms = (T1 - T0) / 1.0e6,
    io:format("~-10s ~8B ops ~9.1f ms ~8.1f ns/op  cpu ~9.1f ms  peak RSS ~7.1f MiB~s  erlang ~s~n",
              [Name, Ops, Ms, (T1 - T0) / Ops, float(C1 - C0), peak_rss_mib(), Extra,
               erlang:system_info(otp_release)]).

run(spawn) ->
    Main = self(),
    Left = atomics:new(1, []),
    atomics:put(Left, 1, ?SPAWN_N),
    Child = fun() ->
                receive _ -> ok end,
                case atomics:sub_get(Left, 1, 1) of
                    0 -> Main ! done;
                    _ -> ok
                end
            end,
    C0 = cpu_ms(), T0 = now_ns(),
    Pids = [spawn(Child) || _ <- lists:seq(1, ?SPAWN_N)],
    Tm = now_ns(),
    lists:foreach(fun(P) -> P ! {Main, go} end, Pids),
    receive done -> ok end,
    T1 = now_ns(), C1 = cpu_ms(),
    report("spawn", ?SPAWN_N, T0, T1, C0, C1,
           io_lib:format("  (spawn ~.1f ms, send+exit ~.1f ms)", [(Tm - T0) / 1.0e6, (T1 - Tm) / 1.0e6]));
run(ring) ->
    Main = self(),
    Pids = [spawn(fun() -> ring_node(Main) end) || _ <- lists:seq(1, ?RING_N)],
    Next = tl(Pids) ++ [hd(Pids)],
    lists:foreach(fun({P, N}) -> P ! {next, N} end, lists:zip(Pids, Next)),
    C0 = cpu_ms(), T0 = now_ns(),
    hd(Pids) ! ?RING_HOPS,
    receive done -> ok end,
    T1 = now_ns(), C1 = cpu_ms(),
    report("ring", ?RING_HOPS, T0, T1, C0, C1, "");
run(pingpong) ->
    Pong = spawn(fun ponger/0),
    C0 = cpu_ms(), T0 = now_ns(),
    ?PINGPONG_N = ping(Pong, ?PINGPONG_N, 0),
    T1 = now_ns(), C1 = cpu_ms(),
    Pong ! stop,
    report("pingpong", ?PINGPONG_N, T0, T1, C0, C1, "").

ring_node(Main) ->
    receive {next, Next} -> ring_loop(Main, Next) end.

ring_loop(Main, Next) ->
    receive
        0 -> Main ! done, ring_loop(Main, Next);
        Hops -> Next ! Hops - 1, ring_loop(Main, Next)
    end.

ponger() ->
    receive
        {From, V} -> From ! V + 1, ponger();
        stop -> ok
    end.

ping(_Pong, 0, V) -> V;
ping(Pong, N, V) ->
    Pong ! {self(), V},
    receive R -> ping(Pong, N - 1, R) end.
