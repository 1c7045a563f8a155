#!/usr/bin/env escript
%% -*- erlang -*-
%% -*- coding: utf-8 -*-
%%
%% SPDX-License-Identifier: GPL-3.0-or-later
%%
%% Writes Erlang External Term Format test frames with the real encoder,
%% term_to_binary/2, so that the C decoder is tested against what an Erlang
%% server actually sends rather than against our own idea of the format.
%%
%% Usage: escript make-bert-frames.erl OUTDIR
%%
%% For every case NAME it writes:
%%   NAME.bin   the frame (version byte 131 and one term)
%%   NAME.json  the expected decoding, in the JSON form of sp_bert_term_to_json(),
%%              computed here from the Erlang term itself
%% and for every frame that must be rejected:
%%   NAME.bin   the frame
%%   NAME.err   the expected SpBertError code name, e.g. "UNSUPPORTED"
%% plus index.txt, one NAME per line.

-mode(compile).

main([OutDir]) ->
    ok = filelib:ensure_dir(filename:join(OutDir, "x")),
    Cases = cases(),
    Rejects = rejects(),
    lists:foreach(fun({Name, Term, Opts}) -> write_case(OutDir, Name, Term, Opts) end, Cases),
    lists:foreach(fun({Name, Bin, Err}) -> write_reject(OutDir, Name, Bin, Err) end, Rejects),
    Names = [N || {N, _, _} <- Cases] ++ [N || {N, _, _} <- Rejects],
    ok = file:write_file(filename:join(OutDir, "index.txt"),
                         [[N, $\n] || N <- Names]),
    halt(0);
main(_) ->
    io:format(standard_error, "usage: make-bert-frames.erl OUTDIR~n", []),
    halt(2).

write_case(Dir, Name, Term, Opts) ->
    Bin = term_to_binary(Term, Opts),
    %% Sanity: Erlang reads back what it wrote.
    Term = binary_to_term(Bin),
    ok = file:write_file(filename:join(Dir, Name ++ ".bin"), Bin),
    ok = file:write_file(filename:join(Dir, Name ++ ".json"), json(Term)).

write_reject(Dir, Name, Bin, Err) ->
    ok = file:write_file(filename:join(Dir, Name ++ ".bin"), Bin),
    ok = file:write_file(filename:join(Dir, Name ++ ".err"), Err).

-define(V2, [{minor_version, 2}]).
-define(V0, [{minor_version, 0}]).

fact(0) -> 1;
fact(N) -> N * fact(N - 1).

%% {Name, Term, term_to_binary options}
cases() ->
    Floats = [1.5, -0.0, 0.1, 1.0, -123.456, 1.0e300, -2.5e-300, 5.0e-324,
              1.7976931348623157e308, 3.141592653589793],
    [
     %% Integers: every width boundary of the encoder and of int64/uint64.
     {"int_small", {0, 1, 255}, []},
     {"int_int32", [256, -1, -256, 2147483647, -2147483648, 16#7FFF, 10001000], []},
     {"int_big64", [2147483648, -2147483649, 1546839040024071, -1546839040024071,
                    16#7FFFFFFFFFFFFFFF, -16#8000000000000000], []},
     {"int_uint64", [16#8000000000000000, 16#FFFFFFFFFFFFFFFF], []},
     {"int_beyond64", [16#10000000000000000, -16#8000000000000001,
                       -16#FFFFFFFFFFFFFFFF, -16#10000000000000000,
                       1 bsl 100, -(1 bsl 100), fact(50), -fact(60)], []},
     {"int_large_big", [1 bsl 2048, -((1 bsl 2100) + 12345)], []},
     {"timestamp", 1546839040024071, []},
     {"timestamp_far", 16#7FFFFFFFFFFFFFFF, []},

     %% Floats in both encodings.
     {"float_new", Floats, []},
     {"float_old", Floats, ?V0},

     %% Atoms: Latin-1 (ATOM_EXT on OTP 25), UTF-8 (ATOM_UTF8_EXT when needed,
     %% SMALL_ATOM_UTF8_EXT for every atom with minor_version 2).
     {"atom_latin1", [ok, '', 'hello world', 'café', 'ÿ', undefined,
                      list_to_atom(lists:duplicate(255, $a))], []},
     {"atom_utf8", ['日本', 'ラベル', 'café'], []},
     {"atom_utf8_v2", [ok, '', 'café', '日本', undefined,
                       list_to_atom(lists:duplicate(255, $z)),
                       list_to_atom(lists:duplicate(100, 16#65E5))], ?V2},

     %% Tuples, small and large.
     {"tuple_empty", {}, []},
     {"tuple_small", {a, 1, <<"b">>, {c, {d}}}, []},
     {"tuple_large", list_to_tuple(lists:seq(1, 300)), []},

     %% Lists: nil, strings (STRING_EXT), char lists too long for STRING_EXT,
     %% lists of code points above 255, improper lists.
     {"nil", [], []},
     {"string_ascii", "abc", []},
     {"string_max", lists:duplicate(65535, $x), []},
     {"string_too_long", lists:duplicate(65536, $y), []},
     {"string_latin1", "café", []},
     {"string_bytes", [0, 1, 2, 255], []},
     {"charlist_japanese", "日本語ラベル", []},
     {"charlist_utf8_bytes", binary_to_list(<<"日本語ラベル"/utf8>>), []},
     {"list_mixed", [1, a, <<"b">>, [c], {d}, 2.5, "e"], []},
     {"list_improper", [1 | 2], []},
     {"list_improper_long", [a, b, c | <<"tail">>], []},
     {"list_improper_nested", [[1 | 2] | [3 | {x}]], []},
     {"list_nested_deep", lists:foldl(fun(_, Acc) -> [Acc] end, [], lists:seq(1, 100)), []},

     %% Binaries and bit binaries.
     {"binary_empty", <<>>, []},
     {"binary_ascii", <<"hello">>, []},
     {"binary_japanese", <<"日本語ラベル"/utf8>>, []},
     {"binary_invalid_utf8", <<0, 1, 2, 255, 254>>, []},
     {"binary_nul", <<"a", 0, "b">>, []},
     {"binary_escapes", <<"quote\" backslash\\ tab\t nl\n cr\r bell", 7, " del", 127>>, []},
     {"binary_large", binary:copy(<<"0123456789abcdef">>, 8192), []},
     {"bit_binary", [<<1:3>>, <<255, 1:1>>, <<5:7>>, <<16#ABCD:15>>], []},

     %% Maps: empty, small (flatmap, sorted keys), nested, large (hashmap).
     {"map_empty", #{}, []},
     {"map_small", #{a => 1, <<"b">> => [1, 2], 3 => {x}, "s" => 1.5}, []},
     {"map_nested", #{outer => #{inner => #{leaf => <<"日本"/utf8>>}}}, []},
     {"map_large", maps:from_list([{I, I * I} || I <- lists:seq(1, 40)]), []},

     %% Compressed terms (tag 80): only written when compression helps.
     {"compressed", lists:duplicate(200, <<"repeated binary value">>), [compressed]},
     {"compressed_v2", {initial_info, "user",
                        [{I, <<"ユーザー"/utf8>>, undefined, false} || I <- lists:seq(1, 100)]},
      [compressed, {minor_version, 2}]},
     {"compressed_9", lists:seq(1, 2000), [{compressed, 9}]},

     %% BERT conventions, as bert:encode/1 writes them.
     {"bert_nil", {bert, nil}, []},
     {"bert_true", {bert, true}, []},
     {"bert_false", {bert, false}, []},
     {"bert_dict", {bert, dict, [{name, <<"Tanaka"/utf8>>}, {<<"age">>, 42},
                                 {"label", <<"田中"/utf8>>}]}, []},
     {"bert_dict_empty", {bert, dict, []}, []},
     {"bert_time", {bert, time, 1546, 839040, 24071}, []},
     {"bert_regex", {bert, regex, <<"^a.*b$">>, [caseless, multiline]}, []},
     {"bools", [true, false], []}
    ] ++ basix_cases() ++ model_cases().

%% Every message kind of Basix ws_cti, shaped as the protocol notes describe.
channel_fields() ->
    [uuid, direction, peer_location, calling_name, calling_number, called_number,
     offer_timestamp, answer_timestamp, hangup_timestamp, other_uuid, user_id, state,
     group_id, target, origination, end_user, tags, last_bridged_user_id, last_event,
     last_event_data, other_info, call_id].

user_fields() ->
    [id, name, fwd_always_status, do_not_disturb_status, language, main_extension,
     presence, role, park_group, mwi_target, flags, followme, email, avatar, label, mwi].

channel(N) ->
    Uuid = list_to_binary(io_lib:format("8d1e6a52-1f0b-4c8e-9a4e-~12.16.0b", [N])),
    Ts = 1546839040024071 + N,
    {Uuid, inbound, external, <<"山田 太郎"/utf8>>, <<"0312345678">>, <<"0501234567">>,
     Ts, undefined, undefined, undefined, 10001000 + N,
     {Ts, calling, int, user, {10001000 + N, <<"user1">>}},
     undefined, {user, 10001000 + N, <<"鈴木"/utf8>>, <<"201">>},
     <<"0312345678*%E5%B1%B1%E7%94%B0">>,
     <<"42*%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E*ACME*avatar.png*Tokyo">>,
     <<"vip;support">>, undefined, <<"CHANNEL_ORIGINATE">>, <<>>,
     {end_user, <<"42*x*y*z*w">>, inbound, external, <<"0312345678">>, Ts, undefined,
      undefined},
     list_to_binary(io_lib:format("call-~b", [N]))}.

user(N) ->
    {10001000 + N, <<"user1">>, false, false, <<"ja">>, <<"201">>, available, user,
     undefined, undefined, 0, undefined, <<"user1@example.com">>, <<>>,
     <<"鈴木 一郎"/utf8>>, <<>>}.

basix_cases() ->
    [
     {"basix_field_spec_channel", {field_spec, "channel", channel_fields()}, []},
     {"basix_field_spec_user", {field_spec, "user", user_fields()}, []},
     {"basix_field_spec_channel_v2", {field_spec, "channel", channel_fields()}, ?V2},
     {"basix_initial_info_channel", {initial_info, "channel", [channel(N) || N <- [1, 2, 3]]},
      []},
     {"basix_initial_info_user", {initial_info, "user", [user(1), user(2)]}, []},
     {"basix_initial_info_empty_bert", {initial_info, "channel", {bert, nil}}, []},
     {"basix_initial_info_empty_nil", {initial_info, "channel", []}, []},
     {"basix_info_event_channel", {info_event, "channel", channel(7), "updated"}, []},
     {"basix_info_event_removed", {info_event, "channel", channel(7), "removed"}, []},
     {"basix_info_event_user_v2", {info_event, "user", user(1), "updated"}, ?V2},
     {"basix_info_event_bert", {info_event, "user",
                                {10001001, <<"u">>, {bert, false}, {bert, true}, {bert, nil}},
                                "updated"}, []},
     {"basix_system_msg_limit", {system_msg, connection_limit_reached}, []},
     {"basix_system_msg_replaced", {system_msg, connection_replaced}, []},
     {"basix_system_msg_logout", {system_msg, logout}, []},
     {"basix_system_msg_logout_v2", {system_msg, logout}, ?V2},
     {"basix_msg", {msg, {<<"from">>, <<"admin">>, <<"お知らせ"/utf8>>}}, []}
    ].

%% Sequences for the Basix model test (tests/unit/test-basix-parse.c), in every spelling the
%% protocol notes allow: names as strings, atoms or binaries; elements as tuples or lists;
%% values missing at the end or extra; absent values as undefined, {bert, nil} or [].
group_fields() ->
    [id, name, type, language, main_extension, queue, label, flags, check_login_status, mwi].

member_fields() -> [id, group_id, user_id, priority, login_status, role].

ch(N, Extra) ->
    list_to_tuple(tuple_to_list(channel(N)) ++ Extra).

ch_set(T, Field, Value) ->
    Index = index_of(Field, channel_fields()),
    setelement(Index, T, Value).

index_of(X, L) -> index_of(X, L, 1).
index_of(X, [X | _], I) -> I;
index_of(X, [_ | T], I) -> index_of(X, T, I + 1).

model_cases() ->
    C1 = channel(1),
    C2 = channel(2),
    C3 = ch_set(channel(3), last_event, <<"CHANNEL_HANGUP">>),
    C4 = channel(4),
    Short = list_to_tuple(lists:sublist(tuple_to_list(channel(5)), 3)),
    Ringing = ch_set(ch_set(channel(6), state,
                            {1546839040024999, calling, ext, group,
                             {ring, 300, x, y, 77}}),
                     end_user, <<"_MANY_:3|1*%E7%94%B0%E4%B8%AD*ACME*a.png*Tokyo|2*Sato**https://x/y.png*Osaka">>),
    Bridged = ch_set(ch_set(Ringing, state, {1546839041000000, bridged}),
                     last_event, 'CHANNEL_BRIDGE'),
    Hangup = ch_set(Bridged, last_event, "CHANNEL_HANGUP"),
    C2b = ch_set(C2, calling_name, <<"更新"/utf8>>),
    States = [{1, voicemail, user, 10001001, <<"留守電"/utf8>>},
              {2, checking_voicemail, <<"box">>},
              {3, calling, int, user, {10001002, <<"x">>}},
              {4, calling, ext, group, {ring, 300, a, b, 77}},
              {5, calling, ext, group, {hunt, 301, a, b, 78}},
              {6, calling, ext, pstn, {<<"0312345678">>, x}},
              {7, calling, ext, bridged_endpoint, {<<"sip">>, <<"example.com">>}},
              {8, calling_siptermination, <<"sip:a@b">>},
              {9, ivr, 12},
              {10, system_operation, <<"op">>},
              {11, conference, 5},
              {12, park, 701, unused, 10001003, <<"駐車"/utf8>>},
              {13, eavesdrop, <<"uuid-x">>, listening},
              {14, bridged},
              {15, xml_ivr},
              {16, something_new, 1, 2},
              [17, calling, int, user, [10001004]]],
    [
     {"model_spec_channel", {field_spec, "channel", channel_fields()}, []},
     {"model_spec_user", {field_spec, <<"user">>, user_fields()}, ?V2},
     {"model_spec_group", {field_spec, group, group_fields()}, []},
     {"model_spec_group_member", {field_spec, "group_member", member_fields()}, []},
     {"model_spec_domain", {field_spec, "domain", [id, name, label]}, []},
     {"model_spec_terminal", {field_spec, "terminal",
                              [id, name, assoc_user_id, type, user_agent, registered]}, []},
     {"model_spec_channel_short", {field_spec, "channel", [uuid, direction]}, []},

     {"model_initial_channel",
      {initial_info, "channel", [C1, tuple_to_list(C2), C3, ch(4, [extra1, <<"extra2">>]), Short]},
      []},
     {"model_initial_channel_again",
      {initial_info, <<"channel">>, [C1, C2b, C4]}, ?V2},
     {"model_initial_channel_empty_bert", {initial_info, "channel", {bert, nil}}, []},
     {"model_initial_channel_empty_nil", {initial_info, channel, []}, []},
     {"model_initial_user", {initial_info, "user", [user(1), user(2),
                                                    setelement(14, user(3), <<"me.png">>)]}, []},
     {"model_initial_group", {initial_info, "group",
                              [{300, <<"Sales">>, 0, <<"ja">>, <<"300">>, 77, <<"営業"/utf8>>,
                                0, {bert, true}, <<>>}]}, []},
     {"model_initial_group_member", {initial_info, "group_member",
                                     [[1, 300, 10001001, 1, {bert, false}, member],
                                      {2, 300, 10001002, 2, true, member}]}, []},
     {"model_initial_terminal_no_key", {initial_info, "terminal", [{undefined, <<"t">>}]}, []},

     {"model_event_ringing", {info_event, "channel", Ringing, "updated"}, []},
     {"model_event_bridged", {info_event, channel, Bridged, <<"updated">>}, ?V2},
     {"model_event_hangup", {info_event, "channel", Hangup, "updated"}, []},
     {"model_event_removed", {info_event, "channel", C1, "removed"}, []},
     {"model_event_removed_unknown", {info_event, "channel", channel(99), "removed"}, []},
     {"model_event_user", {info_event, "user",
                           {10001001, <<"user1">>, {bert, true}, {bert, false}, {bert, nil},
                            <<"201">>, busy, user, [], undefined, 0, undefined,
                            <<"u@example.com">>, <<>>, <<"新しい名前"/utf8>>},
                           added}, []},
     {"model_event_domain", {info_event, "domain", {1, <<"example">>, <<"例"/utf8>>}, "updated"}, []},
     {"model_event_terminal", {info_event, "terminal", {1, <<"t1">>, 10001001, sip, <<"UA">>, true},
                               "updated"}, []},
     {"model_event_group_member_list", {info_event, "group_member", [3, 300, 10001003, 3], "added"},
      []},

     {"model_system_limit", {system_msg, connection_limit_reached}, []},
     {"model_system_replaced", {system_msg, <<"connection_replaced">>}, []},
     {"model_system_other", {system_msg, {something, 1}}, []},
     {"model_msg", {msg, <<"hello">>}, []},
     {"model_historical", {chan_info, [a, b]}, []},
     {"model_historical_wrapped", [{initial_info, "channel", []}], []},
     {"model_unknown", {hello, world}, []},
     {"model_unknown_atom", hello, []},

     {"model_malformed_arity", {initial_info, "channel"}, []},
     {"model_malformed_element", {info_event, "channel", 42, "updated"}, []},
     {"model_malformed_name", {initial_info, 42, []}, []},
     {"model_malformed_list", {initial_info, "channel", [C1, 42]}, []},
     {"model_malformed_not_list", {initial_info, "channel", 42}, []},
     {"model_malformed_no_key", {info_event, "channel", {undefined, inbound}, "updated"}, []},
     {"model_malformed_fields", {field_spec, "channel", [uuid, 42]}, []},

     {"model_states", States, []},
     {"model_other_info", [{end_user, <<"42*x*y*z*w">>, inbound, external, <<"0312345678">>,
                            1546839040024071, 300, <<"who">>},
                           {user, 10001001, outbound, internal, <<"201">>, 1546839040024072,
                            300, undefined}], []},
     {"model_target", {user, 10001001, <<"鈴木"/utf8>>, <<"201">>}, []}
    ].

%% Frames that must be rejected: {Name, Bytes, ExpectedErrorCode}
rejects() ->
    Port = hd(erlang:ports()),
    [
     {"reject_pid", term_to_binary(self()), "UNSUPPORTED"},
     {"reject_pid_in_tuple", term_to_binary({from, self()}), "UNSUPPORTED"},
     {"reject_ref", term_to_binary(make_ref()), "UNSUPPORTED"},
     {"reject_port", term_to_binary(Port), "UNSUPPORTED"},
     {"reject_fun", term_to_binary(fun(X) -> X end), "UNSUPPORTED"},
     {"reject_export", term_to_binary(fun lists:reverse/1), "UNSUPPORTED"},
     {"reject_trailing", <<(term_to_binary({system_msg, logout}))/binary, 0>>,
      "TRAILING_DATA"},
     {"reject_version", <<130, 97, 1>>, "BAD_VERSION"},
     {"reject_empty", <<>>, "EMPTY"},
     {"reject_truncated_binary", <<131, 109, 0, 0, 1, 144, "abc">>, "TRUNCATED"}
    ].

%% The expected JSON, from the term (not from the bytes).

json(I) when is_integer(I), I >= -16#8000000000000000, I =< 16#7FFFFFFFFFFFFFFF ->
    ["{\"int\":", integer_to_list(I), "}"];
json(I) when is_integer(I) ->
    ["{\"bigint\":\"", integer_to_list(I), "\"}"];
json(F) when is_float(F) ->
    ["{\"float\":", float_to_list(F, [short]), "}"];
json(A) when is_atom(A) ->
    ["{\"atom\":", jstr(atom_to_binary(A, utf8)), "}"];
json(B) when is_binary(B) ->
    text("binary", B);
json(B) when is_bitstring(B) ->
    Bits = bit_size(B) rem 8,
    Padded = <<B/bitstring, 0:(8 - Bits)>>,
    ["{\"bit_binary\":{\"hex\":", hex(Padded), ",\"bits\":", integer_to_list(Bits), "}}"];
json(T) when is_tuple(T) ->
    ["{\"tuple\":", array(tuple_to_list(T)), "}"];
json([]) ->
    "{\"list\":[]}";
json(L) when is_list(L) ->
    case split_improper(L, []) of
        {Items, []} ->
            case is_string_ext(Items) of
                true -> text("string", list_to_binary(Items));
                false -> ["{\"list\":", array(Items), "}"]
            end;
        {Items, Tail} ->
            ["{\"improper_list\":{\"items\":", array(Items), ",\"tail\":", json(Tail), "}}"]
    end;
json(M) when is_map(M) ->
    ["{\"map\":[", join([["[", json(K), ",", json(V), "]"] || {K, V} <- maps:to_list(M)]),
     "]}"].

split_improper([H | T], Acc) -> split_improper(T, [H | Acc]);
split_improper(Tail, Acc) -> {lists:reverse(Acc), Tail}.

%% The rule of term_to_binary: a proper list of at most 65535 integers 0..255 is
%% written as STRING_EXT.
is_string_ext(L) ->
    length(L) =< 65535 andalso lists:all(fun(C) -> is_integer(C) andalso C >= 0 andalso C =< 255 end, L).

text(Kind, B) ->
    case unicode:characters_to_binary(B, utf8, utf8) of
        B -> ["{\"", Kind, "\":", jstr(B), "}"];
        _ -> ["{\"", Kind, "_hex\":", hex(B), "}"]
    end.

array(Items) -> ["[", join([json(I) || I <- Items]), "]"].

join([]) -> [];
join([H | T]) -> [H | [[",", X] || X <- T]].

jstr(B) -> [$", [esc(C) || <<C>> <= B], $"].

esc($") -> "\\\"";
esc($\\) -> "\\\\";
esc(C) when C < 32 -> io_lib:format("\\u~4.16.0b", [C]);
esc(C) -> C.

hex(B) -> [$", [io_lib:format("~2.16.0b", [X]) || <<X>> <= B], $"].
