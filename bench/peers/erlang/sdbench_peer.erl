%% The peer node of the remote scenarios: started by the runner with
%% `erl -name ... -s sdbench_peer start`; says READY on stdout and halts when its stdin closes,
%% so it never outlives the runner.
-module(sdbench_peer).
-export([start/0]).

start() ->
    spawn(fun watch_stdin/0),
    io:format("READY ~s~n", [node()]).

watch_stdin() ->
    case io:get_line('') of
        eof -> halt(0);
        {error, _} -> halt(0);
        _ -> watch_stdin()
    end.
