%% Process groups on Erlang/OTP (pg, OTP 23+; pg:monitor_scope/1, OTP 25.1+), the counterpart of
%% bench/scenarios/pg-join.mjs: joins of N processes of this node into 100 groups or one group,
%% timed until the peer node shows them all.
-module(sdbench_pg).
-export([join/3, await_joined/2]).

%% The default scope (pg:start_link/0 here, pg:start/1 on Peer); a warm-up batch joins 100 groups
%% {warm, I} and its processes are killed (the peer then shows no member). Then N processes join,
%% one pg:join/2 call each, Groups groups round-robin; timed until the peer's monitor has seen
%% N pids join and its pg:get_members/1 lists add up to N.
join(Peer, N, Groups) ->
    pong = net_adm:ping(Peer),
    {ok, _} = pg:start_link(),
    {ok, _} = rpc:call(Peer, pg, start, [pg]),
    Warm = spawn_idle(min(10000, N)),
    _ = timed_joins(Peer, Warm, fun(I) -> {warm, I rem 100} end),
    [exit(P, kill) || P <- Warm],
    ok = rpc:call(Peer, ?MODULE, await_joined, [0, 60000]),
    Pids = spawn_idle(N),
    GroupNames = list_to_tuple([{g, I} || I <- lists:seq(0, Groups - 1)]),
    Us = timed_joins(Peer, Pids, fun(I) -> element(I rem Groups + 1, GroupNames) end),
    sdbench_report:rate("pg.join.groups" ++ integer_to_list(Groups), N, Us, "joins/s").

timed_joins(Peer, Pids, GroupOf) ->
    Self = self(),
    Count = length(Pids),
    Waiter = spawn_link(fun() -> Self ! {shown, self(), rpc:call(Peer, ?MODULE, await_joined, [Count, 90000])} end),
    timer:sleep(20), % the request reaches the peer before the clock starts
    T0 = sdbench_report:now_us(),
    join_all(Pids, 0, GroupOf),
    receive {shown, Waiter, Result} -> ok = Result end,
    sdbench_report:now_us() - T0.

join_all([], _I, _GroupOf) -> ok;
join_all([Pid | Pids], I, GroupOf) ->
    ok = pg:join(GroupOf(I), Pid),
    join_all(Pids, I + 1, GroupOf).

%% On the peer: wait until the default scope has Total members in all, counting the pids of the
%% scope monitor's join and leave messages, then checking the sum of the get_members/1 lists.
await_joined(Total, TimeoutMs) ->
    {Ref, Initial} = pg:monitor_scope(),
    Joined = maps:fold(fun(_G, Pids, Acc) -> Acc + length(Pids) end, 0, Initial),
    Deadline = erlang:monotonic_time(millisecond) + TimeoutMs,
    Result = count_until(Ref, Joined, Total, Deadline),
    pg:demonitor(Ref),
    Result.

count_until(Ref, Joined, Total, Deadline) when Joined >= Total ->
    case lists:sum([length(pg:get_members(G)) || G <- pg:which_groups()]) of
        Total -> ok;
        _ -> next(Ref, Joined, Total, Deadline, 1)
    end;
count_until(Ref, Joined, Total, Deadline) ->
    next(Ref, Joined, Total, Deadline, max(0, Deadline - erlang:monotonic_time(millisecond))).

next(Ref, Joined, Total, Deadline, Wait) ->
    receive
        {Ref, join, _Group, Pids} -> count_until(Ref, Joined + length(Pids), Total, Deadline);
        {Ref, leave, _Group, Pids} -> count_until(Ref, Joined - length(Pids), Total, Deadline)
    after Wait ->
        case erlang:monotonic_time(millisecond) > Deadline of
            true -> {error, {timeout, Joined, Total}};
            false -> count_until(Ref, Joined, Total, Deadline)
        end
    end.

spawn_idle(N) -> [spawn(sdbench_local, idle, []) || _ <- lists:seq(1, N)].
