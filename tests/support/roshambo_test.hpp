#pragma once
// Shared helpers for the Catch2 suite: event inspection, a recording driver and a
// portable seeded generator. Everything goes through roshambo's public API.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "roshambo/roshambo.hpp"

namespace rt {

using namespace roshambo;
using Json = nlohmann::json;

/// splitmix64: the same numbers on every platform (std distributions are not portable).
struct Rand {
  std::uint64_t s;
  explicit Rand(std::uint64_t seed) : s(seed * 0x2545F4914F6CDD1DULL + 0x9E3779B97F4A7C15ULL) {}
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  /// Uniform in [lo, hi].
  std::int64_t range(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  /// True with probability num/den.
  bool chance(std::uint64_t num, std::uint64_t den) { return below(den) < num; }
};

/// The event-log line of one event.
inline std::string line(const Event& e) { return event_to_json(e); }

/// All events as one event log (one line each, '\n'-terminated).
inline std::string log_of(const std::vector<Event>& events) {
  std::string out;
  for (const Event& e : events) {
    append_event_json(e, out);
    out.push_back('\n');
  }
  return out;
}

/// The event as parsed JSON, for field checks.
inline Json parsed(const Event& e) { return Json::parse(event_to_json(e)); }

/// Uids of the human recipients, in order.
inline std::vector<std::string> recipients(const Event& e) {
  std::vector<std::string> out;
  for_each_recipient(e, [&](const Profile& p) { out.emplace_back(p.uid()); });
  return out;
}

/// Events of one type.
inline std::vector<Event> of_type(const std::vector<Event>& events, EventType t) {
  std::vector<Event> out;
  for (const Event& e : events) {
    if (e.type() == t) out.push_back(e);
  }
  return out;
}

inline std::size_t count_type(const std::vector<Event>& events, EventType t) {
  std::size_t n = 0;
  for (const Event& e : events) n += e.type() == t;
  return n;
}

/// Wire type names of the events, in order: a compact way to assert a sequence.
inline std::vector<std::string> types(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.emplace_back(to_string(e.type()));
  return out;
}

template <class T>
const T& data(const Event& e) {
  return std::get<T>(e.data);
}

/// Uids of a RoomData's users.
inline std::vector<std::string> users(const RoomData& d) {
  std::vector<std::string> out;
  for (std::uint32_t i = 0; i < d.users.size(); ++i) out.emplace_back(d.users[i].uid());
  return out;
}

/// One step of a command log: a command or a bare tick at a time.
/// Keeps an owning copy of every view it visits, as a host queueing events would.
class Keeper final : public EventVisitor {
 public:
  void on_event(const EventView& e) noexcept override { events.push_back(to_event(e)); }
  std::vector<Event> events;
};

struct Step {
  Time at = 0;
  bool tick = false;
  Command cmd;
};

/// The command-log line of a step.
inline std::string encode(const Step& s) {
  return s.tick ? encode_tick_line(s.at) : encode_command_line(s.cmd, s.at);
}

/// Apply a step; returns the refusal code if any.
inline std::optional<ErrorCode> apply(Engine& e, const Step& s, std::vector<Event>& out) {
  return s.tick ? e.tick(s.at, out) : e.handle(s.cmd, s.at, out);
}

/// Engine plus the event log it has produced so far.
struct Driver {
  Engine engine;
  std::string log;             ///< every event line so far
  std::vector<Event> last;     ///< events of the latest call

  explicit Driver(Config c = {}) : engine(std::move(c)) {}

  std::optional<ErrorCode> cmd(const Command& c, Time at) {
    last.clear();
    auto r = engine.handle(c, at, last);
    log += log_of(last);
    return r;
  }
  std::optional<ErrorCode> tick(Time at) {
    last.clear();
    auto r = engine.tick(at, last);
    log += log_of(last);
    return r;
  }
  /// hello + join for each uid at `at`.
  void seat(const std::vector<std::string>& uids, Time at) {
    for (const auto& u : uids) {
      cmd(Command::hello(u, "name-" + u), at);
      cmd(Command::join(u), at);
    }
  }
};

/// Base scores of a result must sum to 0 and match a pairwise O(n^2) loop over its
/// choices; returns false (and the caller fails) otherwise.
inline bool result_consistent(const ResultData& d) {
  const auto& rows = d.rows;
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::uint32_t w = 0, l = 0;
    for (std::size_t j = 0; j < rows.size(); ++j) {
      if (i == j) continue;
      const int r = pk(rows[i].choice, rows[j].choice);
      w += r > 0;
      l += r < 0;
    }
    if (rows[i].tally.wins != w || rows[i].tally.losses != l) return false;
    sum += rows[i].tally.base();
  }
  return sum == 0;
}

/// Random command sequences over a pool of uids, mostly well-formed with a share of
/// every kind of bad input. Deterministic in its seed.
class CommandGen {
 public:
  CommandGen(std::uint64_t seed, std::uint32_t uids, std::int64_t game_time_ms)
      : rng_(seed), uids_(uids), span_(game_time_ms) {}

  Time now() const { return now_; }

  Step next() {
    Step s;
    // Time mostly moves a little, sometimes past a whole countdown, rarely back.
    const std::uint64_t t = rng_.below(100);
    if (t < 45) {
    } else if (t < 85) {
      now_ += rng_.range(1, span_ / 3 + 1);
    } else if (t < 97) {
      now_ += rng_.range(span_ / 2, span_ * 2 + 1);
    } else if (t < 99) {
      now_ += rng_.range(1, 50);
    } else {
      s.at = now_ - rng_.range(1, 100);  // time_went_backwards: the command is refused
      s.cmd = Command::join(uid());
      return s;
    }
    s.at = now_;
    const std::uint64_t k = rng_.below(100);
    if (k < 8) {
      s.tick = true;
    } else if (k < 22) {
      // Often the player who dropped last comes back: churn for the reconnection grace.
      std::string u = !dropped_.empty() && rng_.chance(1, 2) ? std::exchange(dropped_, {}) : uid();
      s.cmd = Command::hello(u, rng_.chance(1, 4) ? "renamed-" + u : "n" + u,
                             rng_.chance(1, 8) ? "a.png" : "");
      if (rng_.chance(1, 40)) s.cmd.name = std::string(65, 'x');        // too long
      if (rng_.chance(1, 60)) s.cmd.from = "bot-" + std::to_string(rng_.below(5));  // reserved
      if (rng_.chance(1, 80)) s.cmd.avatar = "\xff\xfe";                // not UTF-8
    } else if (k < 45) {
      s.cmd = Command::join(uid());
    } else if (k < 75) {
      std::int64_t v = rng_.range(1, 3);
      if (rng_.chance(1, 25)) v = rng_.chance(1, 2) ? 0 : 4 + static_cast<std::int64_t>(rng_.below(5));
      s.cmd = Command::choice(uid(), v);
    } else if (k < 83) {
      s.cmd = Command::face(uid(), rng_.chance(1, 20) ? 5 : rng_.range(1, 4));
    } else if (k < 92) {
      s.cmd = Command::leave(uid());
    } else if (k < 97) {
      s.cmd = Command::disconnect(uid());
      dropped_ = s.cmd.from;
    } else if (k < 98) {
      s.cmd = Command::join(rng_.chance(1, 2) ? "" : std::string(70, 'u'));  // bad from
    } else {
      s.cmd = Command::choice("ghost", 1);  // never says hello
    }
    return s;
  }

 private:
  std::string uid() { return "p" + std::to_string(rng_.below(uids_)); }

  Rand rng_;
  std::string dropped_;
  std::uint32_t uids_;
  std::int64_t span_;
  Time now_ = 0;
};

/// A random but valid config: every knob varied, rooms small enough to fill often.
inline Config random_config(Rand& r) {
  Config c;
  const std::uint32_t caps[] = {2, 2, 2, 3, 4, 5, 8};
  c.capacity = caps[r.below(7)];
  c.game_time_ms = r.range(1, 4000);
  c.bot_fill_after_ms = r.chance(1, 5) ? 0 : r.range(1, 3000);
  const char* strategies[] = {"uniform", "rock", "paper", "scissors", "none", "biased:1,0,3", "biased:5,2,0"};
  c.bot_strategy = Strategy::parse_bot(strategies[r.below(7)]);
  c.scoring = r.chance(1, 2) ? ScoringPreset::Article : ScoringPreset::Reference;
  c.loss_penalty = r.chance(1, 3);
  c.streak_cap = r.chance(1, 3) ? static_cast<std::uint32_t>(r.range(1, 3)) : 0;
  c.requeue = r.chance(1, 2);
  c.fill_policy = static_cast<FillPolicy>(r.below(3));
  c.max_players = r.chance(1, 6) ? static_cast<std::uint32_t>(r.range(1, 6)) : 0;
  c.max_rooms = r.chance(1, 6) ? static_cast<std::uint32_t>(r.range(1, 3)) : 0;
  // Half the configs keep dropped players seated for up to two countdowns.
  c.reconnect_grace_ms = r.chance(1, 2) ? r.range(1, 2 * c.game_time_ms) : 0;
  c.seed = r.next();
  return c;
}

/// `c` with no rule beyond the round itself (fill policy `oldest`, no bot fill, no
/// requeue, no grace): the engine then takes its plain round on calls that visit every
/// event, a path of its own to test.
inline Config plain_rules(Config c) {
  c.fill_policy = FillPolicy::Oldest;
  c.bot_fill_after_ms = 0;
  c.requeue = false;
  c.reconnect_grace_ms = 0;
  return c;
}

/// plain_rules(c) but for one rule, by `k`: requeue, another fill policy, bot fills or
/// a grace. The engine must then take its general path.
inline Config plain_but_one(Config c, Rand& r, std::uint64_t k) {
  c = plain_rules(c);
  switch (k % 4) {
    case 0: c.requeue = true; break;
    case 1: c.fill_policy = r.chance(1, 2) ? FillPolicy::Newest : FillPolicy::Fullest; break;
    case 2: c.bot_fill_after_ms = r.range(1, 3000); break;
    default: c.reconnect_grace_ms = r.range(1, 2 * c.game_time_ms); break;
  }
  return c;
}

}  // namespace rt
