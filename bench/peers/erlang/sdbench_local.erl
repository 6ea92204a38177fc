%% Local scenarios on Erlang/OTP, the counterparts of bench/scenarios/local-*.mjs, spawn-rate.mjs
%% and process-bytes.mjs. Each reports its figures through sdbench_report.
-module(sdbench_local).
-export([oneway/1, pingpong/1, spawn_rate/1, process_bytes/1]).
-export([sink/2, idle/0]).

%% One sender (this process) sends N small messages to a counting process, which says when it
%% has them all.
oneway(N) ->
    Sink = spawn(?MODULE, sink, [N, self()]),
    T0 = sdbench_report:now_us(),
    send_loop(Sink, 0, N),
    receive {done, Sink} -> ok end,
    sdbench_report:rate("local.oneway", N, sdbench_report:now_us() - T0, "msgs/s").

%% Two processes bounce a message; every message counts (N messages = N/2 round trips).
pingpong(N) ->
    Rounds = N div 2,
    Ponger = spawn(fun pong/0),
    T0 = sdbench_report:now_us(),
    ping(Ponger, 0, Rounds),
    Us = sdbench_report:now_us() - T0,
    Ponger ! stop,
    sdbench_report:rate("local.pingpong", 2 * Rounds, Us, "msgs/s").

%% Spawn N idle processes (blocked in receive) and time it; then stop them.
spawn_rate(N) ->
    T0 = sdbench_report:now_us(),
    Pids = spawn_idle(N, []),
    Us = sdbench_report:now_us() - T0,
    sdbench_report:emit("spawn.time", Us / 1000000, "s", N),
    sdbench_report:rate("spawn.rate", N, Us, "procs/s"),
    [exit(P, kill) || P <- Pids],
    ok.

%% Memory of an idle process as the VM accounts it (heap, stack, process control block), averaged
%% over N processes that have each run into their receive.
process_bytes(N) ->
    Pids = spawn_idle(N, []),
    sync(Pids),
    Bytes = lists:sum([element(2, process_info(P, memory)) || P <- Pids]),
    sdbench_report:emit("process.bytes", Bytes / N, "bytes", N),
    [exit(P, kill) || P <- Pids],
    ok.

sink(N, ReplyTo) -> sink(N, ReplyTo, 0).
sink(N, ReplyTo, N) -> ReplyTo ! {done, self()};
sink(N, ReplyTo, Got) ->
    receive {msg, _Seq, _Body} -> sink(N, ReplyTo, Got + 1) end.

send_loop(_To, N, N) -> ok;
send_loop(To, I, N) ->
    To ! {msg, I, <<"hello">>},
    send_loop(To, I + 1, N).

ping(_Ponger, N, N) -> ok;
ping(Ponger, I, N) ->
    Ponger ! {ping, self(), I},
    receive {pong, I} -> ping(Ponger, I + 1, N) end.

pong() ->
    receive
        {ping, From, I} -> From ! {pong, I}, pong();
        stop -> ok
    end.

idle() ->
    receive
        {sync, From} -> From ! {synced, self()}, idle();
        stop -> ok
    end.

spawn_idle(0, Acc) -> Acc;
spawn_idle(N, Acc) -> spawn_idle(N - 1, [spawn(?MODULE, idle, []) | Acc]).

%% Make sure every process has run (and so sits in receive) before measuring.
sync(Pids) ->
    [P ! {sync, self()} || P <- Pids],
    [receive {synced, P} -> ok end || P <- Pids],
    ok.
