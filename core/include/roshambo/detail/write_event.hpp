#pragma once
// Internal header, not a stable API: it may change in any release. It is installed
// only because the Python binding includes it.
//
// The one description of the event format. The JSON Lines codec writes event-log lines
// through it and the Python binding builds event dicts through it, so both have the
// same keys in the same order with the same value types by construction.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "roshambo/event.hpp"

namespace roshambo::detail {

/// The words of the event format: every key, and the constant string values.
enum class Word : std::uint8_t {
  At, To, Type, Data,
  Message, Welcome, Nearby,
  RoomId, Users, Full, Uid, Uname, Uavatar,
  GameTime, Deadline, RoomUsers, TotalScore, WinStreak,
  Movement, Face, Choice,
  Result, Bot, Wins, Losses, Base, RoundScore,
  Code, Online, Phase, Playing, Waiting,
};
inline constexpr std::size_t kWordCount = static_cast<std::size_t>(Word::Waiting) + 1;

/// Wire spelling of a word, e.g. "roomId".
constexpr std::string_view word(Word w) noexcept {
  constexpr std::string_view kWords[kWordCount] = {
      "at",       "to",         "type",       "data",      "message",  "welcome", "nearby",
      "roomId",   "users",      "full",       "uid",       "uname",    "uavatar", "gameTime",
      "deadline", "roomUsers",  "totalScore", "winStreak", "movement", "face",    "choice",
      "result",   "bot",        "wins",       "losses",    "base",     "roundScore",
      "code",     "online",     "phase",      "playing",   "waiting"};
  static_assert(!kWords[kWordCount - 1].empty(), "a Word without its spelling");
  return kWords[static_cast<std::size_t>(w)];
}

/// What write_event drives: a JSON-like builder. Objects hold key(w) then one value,
/// repeatedly; arrays hold values. begin_array gets the element count when the sink
/// asks for it (kSizedArrays), else 0. text() is player-supplied UTF-8 (uids, names,
/// messages); word() a constant; room(n) the id "room-<n>"; seconds(ms) a time in
/// seconds, an integer when whole, else the shortest decimal.
template <class S>
concept EventSinkWriter = requires(S& s, Word w, std::int64_t i, std::uint64_t u,
                                   std::string_view t, EventType et, ErrorCode ec) {
  s.begin_object();
  s.end_object();
  s.begin_array(std::size_t{});
  s.end_array();
  s.key(w);
  s.integer(i);
  s.unsigned_integer(u);
  s.boolean(bool{});
  s.text(t);
  s.word(w);
  s.room(u);
  s.seconds(i);
  s.event_type(et);
  s.error_code(ec);
  { S::kSizedArrays } -> std::convertible_to<bool>;
};

namespace write_detail {

template <class S>
void user_fields(const Profile& p, S& s) {
  s.key(Word::Uid);
  s.text(p.uid());
  s.key(Word::Uname);
  s.text(p.name());
  s.key(Word::Uavatar);
  s.text(p.avatar());
}

template <class S>
void users(const MemberView& v, S& s) {
  s.begin_array(v.size());
  for (std::uint32_t i = 0; i < v.size(); ++i) {
    s.begin_object();
    user_fields(v[i], s);
    s.end_object();
  }
  s.end_array();
}

template <class S>
struct Data {
  const Event& e;
  S& s;

  void operator()(const HiData& d) const {
    s.key(Word::Message);
    s.word(Word::Welcome);
    s.key(Word::Nearby);
    s.unsigned_integer(d.nearby);
  }
  void operator()(const RoomData& d) const {
    s.key(Word::RoomId);
    s.room(d.room);
    s.key(Word::Users);
    users(d.users, s);
    s.key(Word::Full);
    s.boolean(d.full);
  }
  // A start lists the audience's view, each with the score it starts with.
  void operator()(const StartData& d) const {
    s.key(Word::RoomId);
    s.room(d.room);
    s.key(Word::GameTime);
    s.seconds(d.game_time_ms);
    s.key(Word::Deadline);
    s.integer(d.deadline);
    s.key(Word::RoomUsers);
    const MemberView& v = e.to.room;
    s.begin_array(v.size());
    for (std::uint32_t i = 0; i < v.size(); ++i) {
      s.begin_object();
      user_fields(v[i], s);
      s.key(Word::TotalScore);
      s.integer(d.scores[i].total_score);
      s.key(Word::WinStreak);
      s.unsigned_integer(d.scores[i].win_streak);
      s.end_object();
    }
    s.end_array();
  }
  void operator()(const MovementData& d) const {
    s.key(Word::Uid);
    s.text(mover(e).uid());
    s.key(Word::Movement);
    if (d.face == 0) {
      s.word(Word::Choice);
    } else {
      s.word(Word::Face);
      s.key(Word::Face);
      s.unsigned_integer(d.face);
    }
  }
  void operator()(const LeaveData& d) const {
    s.key(Word::Uid);
    s.text(d.who->uid());
  }
  void operator()(const ResultData& d) const {
    s.key(Word::RoomId);
    s.room(d.room);
    s.key(Word::Result);
    s.begin_array(d.rows.size());
    for (const ResultRow& r : d.rows) {
      s.begin_object();
      s.key(Word::Uid);
      s.text(r.who->uid());
      s.key(Word::Bot);
      s.boolean(r.who->bot());
      s.key(Word::Choice);
      s.unsigned_integer(static_cast<unsigned>(r.choice));
      s.key(Word::Wins);
      s.unsigned_integer(r.tally.wins);
      s.key(Word::Losses);
      s.unsigned_integer(r.tally.losses);
      s.key(Word::Base);
      s.integer(r.tally.base());
      s.key(Word::RoundScore);
      s.integer(r.round_score);
      s.key(Word::TotalScore);
      s.integer(r.total_score);
      s.key(Word::WinStreak);
      s.unsigned_integer(r.win_streak);
      s.end_object();
    }
    s.end_array();
  }
  void operator()(const ErrorData& d) const {
    s.key(Word::Code);
    s.error_code(d.code);
    s.key(Word::Message);
    s.text(d.message);
  }
  void operator()(const PresenceData& d) const {
    s.key(Word::Uid);
    s.text(d.who->uid());
    s.key(Word::Online);
    s.boolean(d.online);
  }
  // The deadline only while playing: a waiting room has none.
  void operator()(const ResumeData& d) const {
    s.key(Word::RoomId);
    s.room(d.room);
    s.key(Word::Phase);
    s.word(d.playing ? Word::Playing : Word::Waiting);
    s.key(Word::Users);
    users(d.users, s);
    s.key(Word::Full);
    s.boolean(d.full);
    if (d.playing) {
      s.key(Word::Deadline);
      s.integer(d.deadline);
    }
    s.key(Word::Choice);
    s.unsigned_integer(static_cast<unsigned>(d.choice));
  }
};

}  // namespace write_detail

/// Write one event: {"at", "to", "type", "data"}, every key in wire order. Bots are
/// members but never recipients, so `to` lists only the humans.
template <EventSinkWriter S>
void write_event(const Event& e, S& s) {
  s.begin_object();
  s.key(Word::At);
  s.integer(e.at);
  s.key(Word::To);
  std::size_t count = 0;
  if constexpr (S::kSizedArrays) for_each_recipient(e, [&count](const Profile&) { ++count; });
  s.begin_array(count);
  for_each_recipient(e, [&s](const Profile& p) { s.text(p.uid()); });
  s.end_array();
  s.key(Word::Type);
  s.event_type(e.type());
  s.key(Word::Data);
  s.begin_object();
  std::visit(write_detail::Data<S>{e, s}, e.data);
  s.end_object();
  s.end_object();
}

}  // namespace roshambo::detail
