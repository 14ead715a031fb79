%% perf/lang empty: start-up and exit cost of `erl -noshell +S 2`. Prints "empty".
-module(empty_bench).
-export([main/0]).

main() ->
    io:format("empty~n"),
    halt().
