%% Remote scenarios on distributed Erlang: this node drives, the peer node (started by the runner
%% with sdbench_main:peer/0) hosts the receiving processes. Counterparts of bench/scenarios/remote-*.mjs.
-module(sdbench_remote).
-export([oneway/2, call/2]).

%% One sender on this node sends N small messages to a counting process on Peer.
oneway(Peer, N) ->
    connect(Peer),
    Sink = spawn(Peer, sdbench_local, sink, [N, self()]),
    T0 = sdbench_report:now_us(),
    send_loop(Sink, 0, N),
    receive {done, Sink} -> ok end,
    sdbench_report:rate("remote.oneway", N, sdbench_report:now_us() - T0, "msgs/s").

%% Sequential gen_server calls to a server on Peer; the latency of each round trip in microseconds.
call(Peer, N) ->
    connect(Peer),
    {ok, Server} = rpc:call(Peer, gen_server, start, [sdbench_echo, [], []]),
    Warmup = min(N, 2000),
    _ = timed_calls(Server, Warmup, []),
    Sorted = lists:sort(timed_calls(Server, N, [])),
    sdbench_report:emit("remote.call.p50", sdbench_report:percentile(Sorted, 50), "us", N),
    sdbench_report:emit("remote.call.p99", sdbench_report:percentile(Sorted, 99), "us", N),
    gen_server:stop(Server),
    ok.

connect(Peer) ->
    case net_adm:ping(Peer) of
        pong -> ok;
        pang -> erlang:error({cannot_connect, Peer})
    end.

send_loop(_To, N, N) -> ok;
send_loop(To, I, N) ->
    To ! {msg, I, <<"hello">>},
    send_loop(To, I + 1, N).

timed_calls(_Server, 0, Acc) -> Acc;
timed_calls(Server, K, Acc) ->
    T0 = erlang:monotonic_time(nanosecond),
    {echo, K} = gen_server:call(Server, {echo, K}),
    T1 = erlang:monotonic_time(nanosecond),
    timed_calls(Server, K - 1, [(T1 - T0) / 1000 | Acc]).
