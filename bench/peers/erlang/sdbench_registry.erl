%% The global name registry on Erlang/OTP, counterparts of bench/scenarios/registry-register.mjs
%% and registry-lookup.mjs: global:register_name/2 with 1, 2, 4 and 6 distributed nodes, and
%% global:whereis_name/1 lookups.
-module(sdbench_registry).
-export([register/2, whereis/1, wait_names/2]).

-define(SIZES, [1, 2, 4, 6]).

%% For each size S of ?SIZES: this node and S - 1 fresh peer nodes (taken in order from Peers,
%% which the runner started: 0 + 1 + 3 + 5 of them) form a full mesh; N live processes of this
%% node register one name each with global:register_name/2, one call after the other (global takes
%% a lock on every node for each); timed until every node's global:registered_names() has them
%% all. A warm-up batch is registered first and its processes killed; the clock starts once no
%% node has a name. The group's peers are halted after their size.
register(Peers, N) ->
    {Rates, []} = lists:mapfoldl(
        fun(Size, Left) ->
            {Group, Rest} = lists:split(Size - 1, Left),
            {{Size, register_size(Group, N)}, Rest}
        end, Peers, ?SIZES),
    [sdbench_report:rate("registry.register.n" ++ integer_to_list(S), N, Us, "regs/s") || {S, Us} <- Rates],
    {1, Us1} = lists:keyfind(1, 1, Rates),
    {6, Us6} = lists:keyfind(6, 1, Rates),
    sdbench_report:emit("registry.register.flatness", Us1 / Us6, "x", N).

register_size(Group, N) ->
    mesh(Group),
    Nodes = [node() | Group],
    warm_up(Nodes, min(2000, N)),
    Pids = spawn_idle(N),
    Names = [{name, I} || I <- lists:seq(1, N)],
    T0 = sdbench_report:now_us(),
    ok = register_all(Names, Pids),
    wait_everywhere(Nodes, N),
    Us = sdbench_report:now_us() - T0,
    [rpc:cast(P, erlang, halt, []) || P <- Group],
    wait(fun() -> nodes() =:= [] end, 20000),
    stop_all(Pids),
    wait(fun() -> global:registered_names() =:= [] end, 20000),
    Us.

%% Connect to every node of Group and wait until each sees the others (global meshes them).
mesh(Group) ->
    [pong = net_adm:ping(P) || P <- Group],
    Size = length(Group) + 1,
    wait(fun() -> lists:all(fun(P) -> length(rpc:call(P, erlang, nodes, [])) =:= Size - 1 end, Group)
                  andalso length(nodes()) =:= Size - 1 end, 20000),
    ok = global:sync(),
    [ok = rpc:call(P, global, sync, []) || P <- Group],
    ok.

warm_up(Nodes, W) ->
    Pids = spawn_idle(W),
    ok = register_all([{warm, I} || I <- lists:seq(1, W)], Pids),
    wait_everywhere(Nodes, W),
    stop_all(Pids),
    wait_everywhere(Nodes, 0).

register_all([], []) -> ok;
register_all([Name | Names], [Pid | Pids]) ->
    yes = global:register_name(Name, Pid),
    register_all(Names, Pids).

%% Wait until every node of Nodes has exactly Count names (in parallel, each on its node).
wait_everywhere(Nodes, Count) ->
    {Results, []} = rpc:multicall(Nodes, ?MODULE, wait_names, [Count, 60000], 70000),
    [ok = R || R <- Results],
    ok.

%% On one node: wait until global:registered_names() has Count names, checking every millisecond.
wait_names(Count, TimeoutMs) ->
    wait(fun() -> length(global:registered_names()) =:= Count end, TimeoutMs).

%% N names registered on this node, then N * 250 lookups of them round-robin (after a warm-up
%% of a fifth of that), as bench/scenarios/registry-lookup.mjs; every lookup must resolve.
whereis(N) ->
    Pids = spawn_idle(N),
    Names = list_to_tuple([{name, I} || I <- lists:seq(1, N)]),
    ok = register_all(tuple_to_list(Names), Pids),
    Total = N * 250,
    Warmup = Total div 5,
    Warmup = lookups(Names, N, Warmup, 1, 0),
    T0 = sdbench_report:now_us(),
    Total = lookups(Names, N, Total, 1, 0),
    sdbench_report:rate("registry.whereis", Total, sdbench_report:now_us() - T0, "lookups/s"),
    stop_all(Pids).

lookups(_Names, _N, 0, _J, Found) -> Found;
lookups(Names, N, K, J, Found) ->
    F = case global:whereis_name(element(J, Names)) of
            undefined -> Found;
            _ -> Found + 1
        end,
    lookups(Names, N, K - 1, if J =:= N -> 1; true -> J + 1 end, F).

spawn_idle(N) -> [spawn(sdbench_local, idle, []) || _ <- lists:seq(1, N)].

stop_all(Pids) -> [exit(P, kill) || P <- Pids], ok.

wait(Pred, TimeoutMs) ->
    Deadline = erlang:monotonic_time(millisecond) + TimeoutMs,
    wait_until(Pred, Deadline).

wait_until(Pred, Deadline) ->
    case Pred() of
        true -> ok;
        false ->
            case erlang:monotonic_time(millisecond) > Deadline of
                true -> erlang:error(wait_timeout);
                false -> timer:sleep(1), wait_until(Pred, Deadline)
            end
    end.
