#!/usr/bin/env escript
%% -*- erlang -*-
%% -*- coding: utf-8 -*-
%%
%% SPDX-License-Identifier: GPL-3.0-or-later
%%
%% The Erlang half of bench-bert: writes the benchmark frames with term_to_binary/1 and
%% times Erlang's own binary_to_term/1 on exactly those bytes, so that bench-bert.c can
%% compare our decoder with it on the same machine, in the same run.
%%
%% Usage: escript bench-bert.erl OUTDIR CHANNELS SECONDS
%%
%% Writes OUTDIR/field_spec.bin (the channel field names), OUTDIR/initial_info.bin (one frame: {initial_info, "channel", [Channel…]}) and
%% OUTDIR/info_events.bin (1000 info_event frames, each preceded by its length as a
%% big-endian u32), then prints one line per measurement:
%%   erlang NAME BYTES_PER_PASS FRAMES_PER_PASS PASSES CPU_MICROSECONDS

-mode(compile).

main([OutDir, ChannelsArg, SecondsArg]) ->
    Channels = list_to_integer(ChannelsArg),
    Seconds = list_to_float(SecondsArg),
    ok = filelib:ensure_dir(filename:join(OutDir, "x")),

    ok = file:write_file(filename:join(OutDir, "field_spec.bin"),
                         term_to_binary({field_spec, "channel", channel_fields()})),
    Initial = term_to_binary({initial_info, "channel", [channel(N) || N <- lists:seq(1, Channels)]}),
    ok = file:write_file(filename:join(OutDir, "initial_info.bin"), Initial),

    Events = [term_to_binary(event(N)) || N <- lists:seq(1, 1000)],
    ok = file:write_file(filename:join(OutDir, "info_events.bin"),
                         [[<<(byte_size(E)):32>>, E] || E <- Events]),

    io:format("otp ~s~n", [erlang:system_info(otp_release)]),
    report("initial_info", byte_size(Initial), 1, time_passes(fun() -> decode([Initial]) end, Seconds)),
    report("info_event", lists:sum([byte_size(E) || E <- Events]), length(Events),
           time_passes(fun() -> decode(Events) end, Seconds)),
    halt(0);
main(_) ->
    io:format(standard_error, "usage: bench-bert.erl OUTDIR CHANNELS SECONDS~n", []),
    halt(2).

decode([]) -> ok;
decode([F | Rest]) ->
    _ = binary_to_term(F),
    decode(Rest).

%% Runs Fun once to warm up, then repeatedly until Seconds of CPU time have passed. CPU
%% time (statistics(runtime): every thread of the VM, garbage collection included) rather
%% than wall time, so that a busy machine does not skew the comparison with the C side.
time_passes(Fun, Seconds) ->
    Fun(),
    erlang:garbage_collect(),
    Limit = round(Seconds * 1000),
    {Start, _} = statistics(runtime),
    time_passes(Fun, Start, Limit, 0).

time_passes(Fun, Start, Limit, Passes) ->
    {Now, _} = statistics(runtime),
    case Now - Start of
        Elapsed when Elapsed >= Limit, Passes >= 3 ->
            {Passes, Elapsed * 1000};
        _ ->
            ok = Fun(),
            time_passes(Fun, Start, Limit, Passes + 1)
    end.

report(Name, Bytes, Frames, {Passes, Micro}) ->
    io:format("erlang ~s ~b ~b ~b ~b~n", [Name, Bytes, Frames, Passes, Micro]).

channel_fields() ->
    [uuid, direction, peer_location, calling_name, calling_number, called_number,
     offer_timestamp, answer_timestamp, hangup_timestamp, other_uuid, user_id, state,
     group_id, target, origination, end_user, tags, last_bridged_user_id, last_event,
     last_event_data, other_info, call_id].

%% A channel as a Basix server sends it: the 22 fields of the protocol notes, UTF-8 text in
%% binaries, symbolic values as atoms, microsecond timestamps, the structured state,
%% target and other_info tuples.
channel(N) ->
    Uuid = list_to_binary(io_lib:format("8d1e6a52-1f0b-4c8e-9a4e-~12.16.0b", [N])),
    Ts = 1546839040024071 + N * 1000,
    User = 10001000 + N rem 500,
    Answered = case N rem 3 of 0 -> Ts + 5000000; _ -> undefined end,
    {Uuid,
     case N rem 2 of 0 -> inbound; 1 -> outbound end,
     case N rem 4 of 0 -> internal; _ -> external end,
     <<"山田 太郎"/utf8, (integer_to_binary(N))/binary>>,
     list_to_binary(io_lib:format("03~8..0b", [N])),
     list_to_binary(io_lib:format("050~7..0b", [N])),
     Ts, Answered, undefined,
     undefined,
     User,
     {Ts, calling, int, user, {User, <<"user">>}},
     undefined,
     {user, User, <<"鈴木 一郎"/utf8>>, integer_to_binary(200 + N rem 100)},
     <<"0312345678*%E5%B1%B1%E7%94%B0">>,
     <<"42*%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E*%E6%A0%AA%E5%BC%8F%E4%BC%9A%E7%A4%BE*avatar.png*Tokyo">>,
     <<"vip;support">>,
     undefined,
     <<"CHANNEL_BRIDGE">>,
     <<>>,
     {end_user, <<"42*x*y*z*w">>, inbound, external, <<"0312345678">>, Ts, undefined, undefined},
     list_to_binary(io_lib:format("call-~b", [N]))}.

event(N) ->
    case N rem 10 of
        0 -> {info_event, "user", user(N), "updated"};
        1 -> {info_event, "channel", channel(N), "removed"};
        _ -> {info_event, "channel", channel(N), "updated"}
    end.

user(N) ->
    {10001000 + N, <<"user">>, false, false, <<"ja">>, integer_to_binary(200 + N), available,
     user, undefined, undefined, 0, undefined, <<"user@example.com">>, <<>>,
     <<"鈴木 一郎"/utf8>>, <<>>}.
