%% The OTP behaviours on Erlang/OTP, counterparts of bench/scenarios/genserver-call.mjs and
%% supervisor-restart.mjs: gen_server calls (local, and to a server on the peer node) and the
%% restart rate of a supervisor with a crashing child.
-module(sdbench_otp).
-export([call_local/1, call_remote/2, supervisor_restart/1]).

%% Sequential gen_server calls to sdbench_echo on this node.
call_local(N) ->
    {ok, Server} = gen_server:start(sdbench_echo, [], []),
    calls("genserver.call.local", Server, N, min(N, 20000)),
    gen_server:stop(Server).

%% Sequential gen_server calls to sdbench_echo on Peer.
call_remote(Peer, N) ->
    pong = net_adm:ping(Peer),
    {ok, Server} = rpc:call(Peer, gen_server, start, [sdbench_echo, [], []]),
    calls("genserver.call.remote", Server, N, min(N, 2000)),
    gen_server:stop(Server).

calls(Prefix, Server, N, Warmup) ->
    _ = timed_calls(Server, Warmup, []),
    T0 = sdbench_report:now_us(),
    Latencies = timed_calls(Server, N, []),
    Us = sdbench_report:now_us() - T0,
    Sorted = lists:sort(Latencies),
    sdbench_report:rate(Prefix ++ ".rate", N, Us, "calls/s"),
    sdbench_report:emit(Prefix ++ ".p50", sdbench_report:percentile(Sorted, 50), "us", N),
    sdbench_report:emit(Prefix ++ ".p99", sdbench_report:percentile(Sorted, 99), "us", N).

timed_calls(_Server, 0, Acc) -> Acc;
timed_calls(Server, K, Acc) ->
    T0 = erlang:monotonic_time(nanosecond),
    {echo, K} = gen_server:call(Server, {echo, K}),
    T1 = erlang:monotonic_time(nanosecond),
    timed_calls(Server, K - 1, [(T1 - T0) / 1000 | Acc]).

%% A one_for_one supervisor restarts a child that crashes on request; N restarts after a warm-up.
%% Crash reports are switched off (logger level none), as the sdnode side logs nothing.
supervisor_restart(N) ->
    logger:set_primary_config(level, none),
    _ = restarts(min(N, 2000)),
    Us = restarts(N),
    sdbench_report:rate("supervisor.restart", N, Us, "restarts/s").

restarts(N) ->
    process_flag(trap_exit, true),
    {ok, Sup} = supervisor:start_link(sdbench_sup, self()),
    Child = receive {started, P} -> P end,
    T0 = sdbench_report:now_us(),
    crash_loop(Child, N),
    Us = sdbench_report:now_us() - T0,
    unlink(Sup),
    exit(Sup, shutdown),
    Us.

crash_loop(_Child, 0) -> ok;
crash_loop(Child, K) ->
    gen_server:cast(Child, crash),
    receive {started, Next} -> crash_loop(Next, K - 1) end.
