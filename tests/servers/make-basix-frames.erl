#!/usr/bin/env escript
%% -*- erlang -*-
%% -*- coding: utf-8 -*-
%%
%% SPDX-License-Identifier: GPL-3.0-or-later
%%
%% Writes the ws_cti frames the Basix backend test (tests/integration/test-basix-source.c) plays to the
%% client, with the real encoder, term_to_binary/2: field specs, snapshots, the changes of
%% a direct call, a group call, another user's call, and the system messages. Names are
%% Erlang strings as the server sends them; some frames use OTP 26 UTF-8 atoms
%% (minor_version 2), one is compressed, timestamps are beyond 32 bits.
%%
%% Usage: escript make-basix-frames.erl OUTDIR   (writes NAME.bin for every frame)

-mode(compile).

-define(V2, [{minor_version, 2}]).

main([OutDir]) ->
    ok = filelib:ensure_dir(filename:join(OutDir, "x")),
    lists:foreach(
      fun({Name, Term, Opts}) ->
              Bin = term_to_binary(Term, Opts),
              Term = binary_to_term(Bin),
              ok = file:write_file(filename:join(OutDir, Name ++ ".bin"), Bin)
      end, frames()),
    halt(0);
main(_) ->
    io:format(standard_error, "usage: make-basix-frames.erl OUTDIR~n", []),
    halt(2).

channel_fields() ->
    [uuid, direction, peer_location, calling_name, calling_number, called_number,
     offer_timestamp, answer_timestamp, hangup_timestamp, other_uuid, user_id, state,
     group_id, target, origination, end_user, tags, last_bridged_user_id, last_event,
     last_event_data, other_info, call_id].

user_fields() ->
    [id, name, fwd_always_status, do_not_disturb_status, language, main_extension,
     presence, role, park_group, mwi_target, flags, followme, email, avatar, label, mwi].

group_fields() ->
    [id, name, type, language, main_extension, queue, label, flags, check_login_status, mwi].

member_fields() -> [id, group_id, user_id, priority, login_status, role].

-define(OFFER, 1546839040024071).
-define(ANSWER, 1546839046500001).
-define(HANGUP, 1546839100999999).

user(Id, Name, Ext, Presence, Label) ->
    {Id, Name, false, false, <<"ja">>, Ext, Presence, user, undefined, undefined, 0,
     undefined, <<Name/binary, "@example.com">>, <<>>, Label, <<>>}.

users() ->
    [user(10001001, <<"alice">>, <<"201">>, available, <<"鈴木 一郎"/utf8>>),
     user(10001002, <<"bob">>, <<"202">>, busy, <<"佐藤 花子"/utf8>>)].

%% Enough users with repeated text that compression pays, so that term_to_binary really
%% writes tag 80.
many_users() ->
    users() ++ [user(10002000 + N, <<"filler">>, <<"9999">>, offline,
                     <<"補欠ユーザー補欠ユーザー"/utf8>>) || N <- lists:seq(1, 300)].

channel(Uuid, State, UserId, GroupId, Extra) ->
    Base = #{uuid => Uuid, direction => inbound, peer_location => external,
             calling_name => <<"山田 太郎"/utf8>>, calling_number => <<"0312345678">>,
             called_number => <<"0501234567">>, offer_timestamp => ?OFFER,
             answer_timestamp => undefined, hangup_timestamp => undefined,
             other_uuid => undefined, user_id => UserId, state => State,
             group_id => GroupId, target => undefined, origination => undefined,
             end_user => <<"42*%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E*%E6%A0%AA%E5%BC%8F%E4%BC%9A%E7%A4%BEACME*a.png*Tokyo">>,
             tags => undefined, last_bridged_user_id => undefined,
             last_event => <<"CHANNEL_ORIGINATE">>, last_event_data => <<>>,
             other_info => undefined, call_id => <<"call-", Uuid/binary>>},
    M = maps:merge(Base, Extra),
    list_to_tuple([maps:get(F, M) || F <- channel_fields()]).

direct(Extra, State) ->
    channel(<<"direct-1">>, State, 10001001, undefined, Extra).

group_call(Extra, State) ->
    channel(<<"group-1">>, State, undefined, 300, maps:merge(
        #{calling_name => <<"田中 花子"/utf8>>, calling_number => <<"0398765432">>,
          end_user => <<"**">>}, Extra)).

frames() ->
    Ringing = {?OFFER, calling, int, user, {10001001, <<"alice">>}},
    Bridged = {?ANSWER, bridged},
    %% A state whose timestamp is not set (the record's default, undefined): the client
    %% must read the rest of it all the same.
    RingingNoTs = {undefined, calling, int, user, {10001001, <<"alice">>}},
    GroupRinging = {?OFFER, calling, ext, group, {ring, 300, x, y, 77}},
    Answered = #{answer_timestamp => ?ANSWER, last_event => <<"CHANNEL_BRIDGE">>},
    Hangup = #{answer_timestamp => ?ANSWER, hangup_timestamp => ?HANGUP,
               last_event => <<"CHANNEL_HANGUP">>,
               last_event_data => <<"recv_bye,NORMAL_CLEARING">>},
    [
     {"spec_channel", {field_spec, "channel", channel_fields()}, []},
     {"spec_user", {field_spec, "user", user_fields()}, ?V2},
     {"spec_group", {field_spec, "group", group_fields()}, []},
     {"spec_group_member", {field_spec, "group_member", member_fields()}, []},
     {"initial_user", {initial_info, "user", users()}, []},
     {"initial_user_compressed", {initial_info, "user", many_users()}, [compressed | ?V2]},
     {"initial_group", {initial_info, "group",
                        [{300, <<"sales">>, 0, <<"ja">>, <<"300">>, 77, <<"営業部"/utf8>>,
                          0, true, <<>>}]}, []},
     {"initial_group_member", {initial_info, "group_member",
                               [{1, 300, 10001001, 1, true, member},
                                {2, 300, 10001002, 2, true, member}]}, []},
     {"initial_channel_empty", {initial_info, "channel", {bert, nil}}, []},
     {"initial_channel_direct_ringing", {initial_info, "channel", [direct(#{}, Ringing)]}, []},
     {"direct_ringing", {info_event, "channel", direct(#{}, Ringing), "added"}, []},
     {"direct_ringing_no_ts", {info_event, "channel", direct(#{}, RingingNoTs), "added"}, []},
     {"direct_bridged", {info_event, "channel", direct(Answered, Bridged), "updated"}, ?V2},
     {"direct_hangup", {info_event, "channel", direct(Hangup, Bridged), "updated"}, []},
     {"direct_removed", {info_event, "channel", direct(Hangup, Bridged), "removed"}, []},
     {"group_ringing", {info_event, "channel", group_call(#{}, GroupRinging), "added"}, []},
     {"group_removed", {info_event, "channel",
                        group_call(#{hangup_timestamp => ?HANGUP,
                                     last_event => <<"CHANNEL_HANGUP">>}, GroupRinging),
                        "removed"}, []},
     {"other_ringing", {info_event, "channel",
                        channel(<<"other-1">>, {?OFFER, calling, int, user, {10001002, <<"bob">>}},
                                10001002, undefined, #{}), "added"}, []},
     {"user_bob_away", {info_event, "user",
                        user(10001002, <<"bob">>, <<"202">>, away, <<"佐藤 花子"/utf8>>),
                        "updated"}, ?V2},
     {"system_limit", {system_msg, connection_limit_reached}, []},
     {"system_replaced", {system_msg, connection_replaced}, ?V2},
     {"system_logout", {system_msg, logout}, []},
     {"system_other", {system_msg, {maintenance, <<"メンテナンス"/utf8>>, ?HANGUP}}, []},
     {"bad_shape", {info_event, "channel", 42, "updated"}, []}
    ].
