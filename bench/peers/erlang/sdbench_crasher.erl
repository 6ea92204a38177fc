%% The child of the supervisor.restart scenario: tells Notify it has started; crashes on the
%% `crash` cast. Counterpart of bench.crasher in bench/lib/otp-types.mjs.
-module(sdbench_crasher).
-behaviour(gen_server).
-export([start_link/1, init/1, handle_call/3, handle_cast/2]).

start_link(Notify) -> gen_server:start_link(?MODULE, Notify, []).

init(Notify) ->
    Notify ! {started, self()},
    {ok, Notify}.

handle_call(_Request, _From, State) -> {reply, ok, State}.
handle_cast(crash, _State) -> erlang:error(crash_on_request).
