%% The supervisor of the supervisor.restart scenario: one_for_one, one crashing child, an
%% intensity that is never reached.
-module(sdbench_sup).
-behaviour(supervisor).
-export([init/1]).

init(Notify) ->
    Flags = #{strategy => one_for_one, intensity => 1000000000, period => 1},
    Child = #{id => crasher, start => {sdbench_crasher, start_link, [Notify]}},
    {ok, {Flags, [Child]}}.
