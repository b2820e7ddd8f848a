// roshambo_soak: a million players online for many simulated minutes, to show that
// memory stays bounded and the invariants hold at that scale (docs/RELIABILITY.md).
//
// Five engines, one per room size (2, 4, 16 and 128 seats with requeue, each with its
// own rules, and a quiet 6-seat lobby without requeue where bots fill most rooms)
// share ~1 M players. Everyone says hello and joins during the first 10 s; with
// requeue they play round after round, in the quiet lobby they idle 2-30 s between. Meanwhile players leave and rejoin, disconnect
// and come back, change their minds, send faces; bots fill rooms that wait. Time moves
// in 100 ms steps. Every 30 simulated seconds the run prints its resident set size and
// the heap in use (which a leak grows) and the heap's size (which fragmentation grows);
// verify() runs on every engine every simulated minute; the harness keeps its own
// ledger of every player's score from the `result` events and checks it against every
// row and, at the end, against the engines:
//   Σ roundScore over all result rows = Σ totalScore of all players (all start at 0).
// Exit status 0 when every check held and RSS grew < 1 % after warm-up.
//
// Usage: roshambo_soak [--players N] [--minutes M] [--warmup-minutes W] [--seed S]

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "roshambo/roshambo.hpp"

using namespace roshambo;

namespace {

constexpr Time kStepMs = 100;
constexpr std::size_t kWheel = 512;  // scheduled actions up to 51.2 s ahead

struct Rand {  // splitmix64
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  bool chance(std::uint32_t per_million) { return below(1'000'000) < per_million; }
};

// Heap bytes handed out (in use) and the heap's size, from glibc: tells a leak (in use
// grows) from fragmentation (the heap grows around a flat in-use figure).
std::pair<double, double> heap_mb() {
  const struct mallinfo2 mi = mallinfo2();
  return {static_cast<double>(mi.uordblks + mi.hblkhd) / (1 << 20),
          static_cast<double>(mi.arena + mi.hblkhd) / (1 << 20)};
}

double rss_mb() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "roshambo_soak: CHECK FAILED: %s\n", what.c_str());
  std::exit(1);
}

enum class Act : std::uint8_t { Join, Choice, Face, Leave, Disconnect, Hello };
// Hello's value: 0 without an avatar, 1 with one, kHelloFlip the opposite of last time.
constexpr std::uint8_t kHelloFlip = 2;
enum class State : std::uint8_t { Offline, Lobby, Roomed };

struct Action {
  std::uint32_t player;  // index within the shard
  Act act;
  std::uint8_t value;
};

struct Shard {
  const char* label;
  Config cfg;
  std::uint32_t players;
  Engine engine;
  std::vector<std::string> uids;
  std::vector<std::int64_t> ledger;  // score per player, from result rows
  std::vector<State> state;
  std::vector<std::uint8_t> avatar;  // 1: the player's profile has an avatar
  std::array<std::vector<Action>, kWheel> wheel;
  std::vector<Event> events;
  Rand rng;
  // Counters
  std::uint64_t commands = 0, refused = 0, results = 0, rows = 0, bot_rows = 0;
  std::int64_t round_sum = 0;  // Σ roundScore of human rows
  std::map<ErrorCode, std::uint64_t> refusals;
  std::uint64_t leaves = 0, disconnects = 0, reconnects = 0, choices = 0, faces = 0;

  Shard(const char* l, Config c, std::uint32_t n, std::uint64_t seed)
      : label(l), cfg(c), players(n), engine(c), ledger(n, 0), state(n, State::Offline), avatar(n, 0),
        rng{seed} {
    uids.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) uids.push_back(std::to_string(i));
  }

  void schedule(Time now, Time delay, Action a) {
    const std::size_t steps = static_cast<std::size_t>((delay + kStepMs - 1) / kStepMs);
    const std::size_t ahead = std::min<std::size_t>(std::max<std::size_t>(steps, 1), kWheel - 1);
    wheel[static_cast<std::size_t>(now / kStepMs + static_cast<Time>(ahead)) % kWheel].push_back(a);
  }

  std::uint32_t index_of(std::string_view uid) const {
    std::uint32_t i = 0;
    const auto r = std::from_chars(uid.data(), uid.data() + uid.size(), i);
    if (r.ec != std::errc() || r.ptr != uid.data() + uid.size() || i >= players) {
      fail(std::string("unexpected uid ") + std::string(uid));
    }
    return i;
  }

  void consume(Time now) {
    for (const Event& e : events) {
      switch (e.type()) {
        case EventType::Start: {
          // Most members choose once at a random moment, some change their mind.
          const auto& d = std::get<StartData>(e.data);
          for_each_recipient(e, [&](const Profile& p) {
            const std::uint32_t i = index_of(p.uid());
            state[i] = State::Roomed;
            if (rng.chance(850'000)) {
              const Time at = static_cast<Time>(rng.below(static_cast<std::uint64_t>(d.game_time_ms)));
              schedule(now, at, {i, Act::Choice, static_cast<std::uint8_t>(1 + rng.below(3))});
              if (rng.chance(100'000)) {
                schedule(now, at + 200, {i, Act::Choice, static_cast<std::uint8_t>(1 + rng.below(3))});
              }
            }
            if (rng.chance(20'000)) schedule(now, 300, {i, Act::Face, static_cast<std::uint8_t>(1 + rng.below(4))});
          });
          break;
        }
        case EventType::Result: {
          const auto& rs = std::get<ResultData>(e.data).rows;
          ++results;
          std::int64_t base = 0;
          for (const ResultRow& r : rs) {
            base += r.tally.base();
            ++rows;
            if (r.who->bot()) {
              ++bot_rows;
              continue;
            }
            const std::uint32_t i = index_of(r.who->uid());
            ledger[i] += r.round_score;
            round_sum += r.round_score;
            if (ledger[i] != r.total_score) fail(std::string(label) + ": totalScore of " + uids[i] + " is not its ledger");
            if (!cfg.requeue) {  // back in the lobby: idle a while, then join again
              state[i] = State::Lobby;
              schedule(now, 2'000 + static_cast<Time>(rng.below(28'000)), {i, Act::Join, 0});
            }
          }
          if (base != 0) fail(std::string(label) + ": base scores of a result do not sum to 0");
          break;
        }
        case EventType::Error: {
          const auto code = std::get<ErrorData>(e.data).code;
          // Races the harness cannot see (a choice after a leave, a join while the
          // requeued room plays) are fine; anything else means a harness or engine bug.
          if (code != ErrorCode::NotInRoom && code != ErrorCode::NotPlaying &&
              code != ErrorCode::GameInProgress) {
            fail(std::string(label) + ": unexpected error " + std::string(to_string(code)) + ": " +
                 std::get<ErrorData>(e.data).message);
          }
          ++refusals[code];
          break;
        }
        default:
          break;
      }
    }
    events.clear();
  }

  /// Bytes the harness itself holds in containers that keep their high-water capacity.
  std::size_t harness_bytes() const {
    std::size_t b = events.capacity() * sizeof(Event);
    for (const auto& bucket : wheel) b += bucket.capacity() * sizeof(Action);
    return b;
  }

  void send(const Command& c, Time now) {
    ++commands;
    if (engine.handle(c, now, events)) ++refused;
  }

  void step(Time now, bool churn) {
    auto& bucket = wheel[static_cast<std::size_t>(now / kStepMs) % kWheel];
    for (std::size_t k = 0; k < bucket.size(); ++k) {
      const Action a = bucket[k];
      const std::string& u = uids[a.player];
      switch (a.act) {
        case Act::Hello: {
          // A returning player flips their avatar (kHelloFlip): profiles of two sizes
          // keep replacing each other while the mix stays half and half. (Always
          // adding one made the players' own data grow for the whole run.)
          const bool with = a.value == kHelloFlip ? !avatar[a.player] : a.value != 0;
          avatar[a.player] = with;
          send(Command::hello(u, "p" + u, with ? "avatar/" + u + ".png" : std::string()), now);
          state[a.player] = State::Lobby;
          schedule(now, 100 + static_cast<Time>(rng.below(900)), {a.player, Act::Join, 0});
          break;
        }
        case Act::Join:
          if (state[a.player] == State::Lobby) {
            send(Command::join(u), now);
            state[a.player] = State::Roomed;
          }
          break;
        case Act::Choice:
          if (state[a.player] == State::Roomed) {
            send(Command::choice(u, a.value), now);
            ++choices;
          }
          break;
        case Act::Face:
          if (state[a.player] == State::Roomed) {
            send(Command::face(u, a.value), now);
            ++faces;
          }
          break;
        default:
          break;
      }
      consume(now);
    }
    bucket.clear();  // keeps its capacity: the wheel does not reallocate in steady state

    if (churn) {
      // Per 100 ms: 0.005 % of players leave their room for 1-10 s, 0.005 % disconnect
      // for 5-40 s (so ~1 % churn a minute each way).
      const std::uint32_t n = players / 20'000 + (rng.chance(500'000) ? 1 : 0);
      for (std::uint32_t k = 0; k < n; ++k) {
        const auto i = static_cast<std::uint32_t>(rng.below(players));
        if (state[i] != State::Roomed) continue;
        send(Command::leave(uids[i]), now);
        state[i] = State::Lobby;
        ++leaves;
        schedule(now, 1'000 + static_cast<Time>(rng.below(9'000)), {i, Act::Join, 0});
        consume(now);
      }
      for (std::uint32_t k = 0; k < n; ++k) {
        const auto i = static_cast<std::uint32_t>(rng.below(players));
        if (state[i] == State::Offline) continue;
        send(Command::disconnect(uids[i]), now);
        state[i] = State::Offline;
        ++disconnects;
        ++reconnects;
        schedule(now, 5'000 + static_cast<Time>(rng.below(35'000)), {i, Act::Hello, kHelloFlip});
        consume(now);
      }
    }
    engine.tick(now, events);
    consume(now);
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::uint32_t players = 1'020'000;
  double minutes = 12, warmup = 2;
  std::uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--players") players = static_cast<std::uint32_t>(std::strtoul(argv[i + 1], nullptr, 10));
    else if (k == "--minutes") minutes = std::strtod(argv[i + 1], nullptr);
    else if (k == "--warmup-minutes") warmup = std::strtod(argv[i + 1], nullptr);
    else if (k == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: roshambo_soak [--players N] [--minutes M] [--warmup-minutes W] [--seed S]\n");
      return 2;
    }
  }
  if (argc % 2 == 0 || players < 20'000 || minutes <= warmup || warmup < 0) {
    std::fprintf(stderr, "roshambo_soak: need --players >= 20000 and --minutes > --warmup-minutes\n");
    return 2;
  }

  // One engine per room size, each with different rules.
  std::vector<Shard*> shards;
  auto cfg = [&](std::uint32_t cap, Time game, Time fill, auto tweak) {
    Config c;
    c.capacity = cap;
    c.game_time_ms = game;
    c.bot_fill_after_ms = fill;
    c.requeue = true;
    c.seed = seed;
    tweak(c);
    return c;
  };
  const std::uint32_t p2 = players * 4 / 10, p4 = players * 3 / 10, p16 = players * 2 / 10;
  shards.push_back(new Shard("cap2", cfg(2, 5'000, 2'000, [](Config&) {}), p2, seed * 11 + 1));
  shards.push_back(new Shard("cap4", cfg(4, 8'000, 3'000, [](Config& c) {
    c.scoring = ScoringPreset::Reference;
    c.fill_policy = FillPolicy::Fullest;
    c.bot_strategy = Strategy::parse_bot("biased:2,1,1");
  }), p4, seed * 11 + 2));
  shards.push_back(new Shard("cap16", cfg(16, 10'000, 3'000, [](Config& c) {
    c.loss_penalty = true;
    c.streak_cap = 5;
    c.fill_policy = FillPolicy::Newest;
  }), p16, seed * 11 + 3));
  shards.push_back(new Shard("cap128", cfg(128, 15'000, 5'000, [](Config& c) {
    c.bot_strategy = Strategy::parse_bot("rock");
  }), players - p2 - p4 - p16 - 2'000, seed * 11 + 4));
  // A quiet lobby: no requeue, players idle between rounds, so rooms often wait and
  // bots fill them.
  shards.push_back(new Shard("quiet6", cfg(6, 3'000, 50, [](Config& c) {
    c.requeue = false;
  }), 2'000, seed * 11 + 5));

  // Everyone arrives during the first 10 s.
  for (Shard* s : shards) {
    for (std::uint32_t i = 0; i < s->players; ++i) {
      s->schedule(0, static_cast<Time>(s->rng.below(10'000)), {i, Act::Hello, static_cast<std::uint8_t>(i % 2)});
    }
  }

  const Time end = static_cast<Time>(minutes * 60'000);
  const Time warm = static_cast<Time>(warmup * 60'000);
  const auto t0 = std::chrono::steady_clock::now();
  double rss_warm = 0, rss_max_after = 0, rss_min_after = 1e18;
  std::uint64_t verifies = 0, min_online = UINT64_MAX;
  std::printf("%8s %8s %9s %8s %8s %10s %9s %8s %7s %10s %12s %8s\n", "sim_s", "wall_s", "rss_MB", "used_MB", "heap_MB", "harness_MB",
              "online", "rooms", "bots", "settled", "commands", "verify");
  for (Time now = 0; now <= end; now += kStepMs) {
    for (Shard* s : shards) s->step(now, now >= 10'000);
    const bool minute = now % 60'000 == 0 && now > 0;
    if (minute) {
      for (Shard* s : shards) s->engine.verify();  // throws InvariantError on a broken invariant
      ++verifies;
    }
    if (now >= warm) {
      std::uint64_t online = 0;
      for (Shard* s : shards) online += s->engine.stats().online;
      min_online = std::min(min_online, online);
    }
    if (now % 30'000 == 0) {
      EngineStats tot{};
      std::uint64_t cmds = 0;
      std::size_t harness = 0;
      for (Shard* s : shards) {
        harness += s->harness_bytes();
        const EngineStats st = s->engine.stats();
        tot.online += st.online;
        tot.rooms += st.rooms;
        tot.bots += st.bots;
        tot.rooms_settled += st.rooms_settled;
        cmds += s->commands;
      }
      const double rss = rss_mb();
      if (now == warm) rss_warm = rss;
      if (now > warm) {
        rss_max_after = std::max(rss_max_after, rss);
        rss_min_after = std::min(rss_min_after, rss);
      }
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const auto [used, heap] = heap_mb();
      std::printf("%8.0f %8.1f %9.1f %8.2f %8.2f %10.1f %9" PRIu64 " %8" PRIu64 " %7" PRIu64 " %10" PRIu64 " %12" PRIu64 " %8s\n",
                  static_cast<double>(now) / 1000, wall, rss, used, heap, static_cast<double>(harness) / (1 << 20), tot.online, tot.rooms, tot.bots,
                  tot.rooms_settled, cmds, minute ? "ok" : "");
      std::fflush(stdout);
    }
  }

  // Final ledger: every player's total in the engine equals the harness's sum of its
  // round scores, and the grand totals agree.
  std::printf("\nper engine:\n");
  std::int64_t all_rounds = 0, all_totals = 0;
  bool ok = true;
  for (Shard* s : shards) {
    s->engine.verify();
    std::int64_t totals = 0;
    for (std::uint32_t i = 0; i < s->players; ++i) {
      const auto p = s->engine.player(s->uids[i]);
      if (!p) fail(std::string(s->label) + ": player " + s->uids[i] + " vanished");
      if (p->total_score != s->ledger[i]) fail(std::string(s->label) + ": ledger mismatch for " + s->uids[i]);
      totals += p->total_score;
    }
    if (totals != s->round_sum) fail(std::string(s->label) + ": sum of roundScore != sum of totalScore");
    all_rounds += s->round_sum;
    all_totals += totals;
    const EngineStats st = s->engine.stats();
    std::string refusals;
    for (const auto& [code, n] : s->refusals) refusals += " " + std::string(to_string(code)) + "=" + std::to_string(n);
    std::printf("  %-6s cap %4u players %7u settled %9" PRIu64 " result rows %10" PRIu64 " (bots %" PRIu64
                ") commands %10" PRIu64 " leaves %" PRIu64 " disconnects %" PRIu64 " choices %" PRIu64
                " faces %" PRIu64 " refused %" PRIu64 "%s\n",
                s->label, s->cfg.capacity, s->players, st.rooms_settled, s->rows, s->bot_rows, s->commands,
                s->leaves, s->disconnects, s->choices, s->faces, s->refused, refusals.c_str());
  }
  const double growth = rss_warm > 0 ? (rss_max_after - rss_warm) / rss_warm * 100 : 0;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("\nchecks: verify() on every engine every simulated minute (%" PRIu64 " rounds) and at the end: ok\n", verifies);
  std::printf("checks: every result row's totalScore = harness ledger; every result's base scores sum to 0: ok\n");
  std::printf("checks: sum roundScore = %" PRId64 " = sum totalScore = %" PRId64 ": %s\n", all_rounds, all_totals,
              all_rounds == all_totals ? "ok" : "FAILED");
  std::printf("online after warm-up: min %" PRIu64 "\n", min_online);
  std::printf("rss: %.1f MB at warm-up end (%.0f s), %.1f..%.1f MB after, growth %.2f %% (target < 1 %%); peak %.1f MB\n",
              rss_warm, static_cast<double>(warm) / 1000, rss_min_after, rss_max_after, growth,
              static_cast<double>(ru.ru_maxrss) / 1024);
  if (all_rounds != all_totals) ok = false;
  if (growth >= 1.0) {
    std::printf("RSS growth target missed\n");
    ok = false;
  }
  for (Shard* s : shards) delete s;
  return ok ? 0 : 1;
}
