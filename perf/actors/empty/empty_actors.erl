%% perf/actors empty in Erlang: start-up and exit of the VM (the baseline);
%% one process prints "empty".
-module(empty_actors).
-export([main/0]).

main() ->
    {C0, _} = statistics(runtime),
    T0 = erlang:monotonic_time(microsecond),
    Main = self(),
    spawn(fun() -> io:format("empty~n"), Main ! done end),
    receive done -> ok end,
    bench_report:work(C0, T0),
    halt().
