%% Entry points of the Erlang side.
%% Driver: `erl -noshell -run sdbench_main main <scenario> <n> [peer node ...]` runs one scenario,
%% prints its RESULT lines and halts (status 1 and the reason on stderr on failure).
%% Peer nodes of the multi-node scenarios: `erl -name ... -s sdbench_main peer` says `READY <node>`
%% on stdout and halts when its stdin closes, so it never outlives the runner.
-module(sdbench_main).
-export([main/1, peer/0]).

main([Scenario, NText | Rest]) ->
    N = list_to_integer(NText),
    try
        run(Scenario, N, Rest),
        halt(0)
    catch
        Class:Reason:Stack ->
            io:format(standard_error, "~p:~p~n~p~n", [Class, Reason, Stack]),
            halt(1)
    end.

run("local_oneway", N, _) -> sdbench_local:oneway(N);
run("local_pingpong", N, _) -> sdbench_local:pingpong(N);
run("spawn_rate", N, _) -> sdbench_local:spawn_rate(N);
run("process_bytes", N, _) -> sdbench_local:process_bytes(N);
run("remote_oneway", N, [Peer]) -> sdbench_remote:oneway(list_to_atom(Peer), N);
run("remote_call", N, [Peer]) -> sdbench_remote:call(list_to_atom(Peer), N);
run("genserver_call_local", N, _) -> sdbench_otp:call_local(N);
run("genserver_call_remote", N, [Peer]) -> sdbench_otp:call_remote(list_to_atom(Peer), N);
run("supervisor_restart", N, _) -> sdbench_otp:supervisor_restart(N);
run("registry_register", N, Peers) -> sdbench_registry:register([list_to_atom(P) || P <- Peers], N);
run("registry_whereis", N, _) -> sdbench_registry:whereis(N);
run("pg_join_groups100", N, [Peer]) -> sdbench_pg:join(list_to_atom(Peer), N, 100);
run("pg_join_groups1", N, [Peer]) -> sdbench_pg:join(list_to_atom(Peer), N, 1);
run(Other, _, _) -> erlang:error({unknown_scenario, Other}).

peer() ->
    spawn(fun watch_stdin/0),
    io:format("READY ~s~n", [node()]).

watch_stdin() ->
    case io:get_line('') of
        eof -> halt(0);
        {error, _} -> halt(0);
        _ -> watch_stdin()
    end.
