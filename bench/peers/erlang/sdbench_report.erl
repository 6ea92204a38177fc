%% Reporting and timing for the Erlang side of the benchmark: one line `RESULT {json}` per
%% figure on stdout, the same format the sdnode scenarios print (read by bench/run.mjs).
-module(sdbench_report).
-export([emit/4, now_us/0, rate/4, percentile/2]).

%% Monotonic time in microseconds.
now_us() -> erlang:monotonic_time(microsecond).

%% Report Count events over Us microseconds as a rate per second.
rate(Name, Count, Us, Unit) ->
    emit(Name, Count * 1000000 / max(Us, 1), Unit, Count).

%% Nearest-rank percentile (P in 0..100) of an ascending-sorted list; same rule as bench/lib/stats.mjs.
percentile(Sorted, P) ->
    Len = length(Sorted),
    Rank = max(1, min(Len, ceil(P / 100 * Len))),
    lists:nth(Rank, Sorted).

emit(Name, Value, Unit, N) ->
    io:format("RESULT {\"name\":\"~s\",\"value\":~s,\"unit\":\"~s\",\"n\":~b}~n",
              [Name, float_to_list(float(Value), [{decimals, 3}, compact]), Unit, N]).
