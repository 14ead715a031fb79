%% perf/lang string: build a ~10 MB binary from 400,000 lines
%% "item <i> sq <i*i>\n" (each built like an interpolation), concatenated as a
%% balanced tree: build(Lo, Hi) = <<build(Lo, Mid), build(Mid, Hi)>>.
%% Same work as main.snow and string.go; prints "string <lines> <bytes>".
%% stderr: "work_cpu_ms N", the VM's CPU time (all threads) spent in main,
%% i.e. without the VM's start-up; run.sh reports it next to the total.
-module(string_bench).
-export([main/0]).

line(I) ->
    <<"item ", (integer_to_binary(I))/binary, " sq ",
      (integer_to_binary(I * I))/binary, "\n">>.

build(Lo, Hi) when Hi - Lo =:= 1 -> line(Lo);
build(Lo, Hi) ->
    Mid = (Lo + Hi) div 2,
    A = build(Lo, Mid),
    B = build(Mid, Hi),
    <<A/binary, B/binary>>.

main() ->
    statistics(runtime),
    N = 400000,
    S = build(0, N),
    io:format("string ~b ~b~n", [N, byte_size(S)]),
    {_, WorkMs} = statistics(runtime),
    io:format(standard_error, "work_cpu_ms ~b~n", [WorkMs]),
    halt().
