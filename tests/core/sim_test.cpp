// Strategies, pairings and the tournament simulator (sim.hpp, strategies.hpp).

#include <catch2/catch.hpp>

#include <atomic>

#include "roshambo/parallel.hpp"
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include "roshambo/roshambo.hpp"
#include "roshambo/sim.hpp"

using namespace roshambo;

namespace {

constexpr Choice S = Choice::Scissors, R = Choice::Rock, P = Choice::Paper, N = Choice::None;

// An observation of a room where this player played `own` and the room's choices
// (this player's included) are `all`.
StrategyObservation seen(Choice own, std::initializer_list<Choice> all) {
  StrategyObservation o;
  o.own = own;
  for (Choice c : all) o.room.add(c);
  o.tally = tally(own, o.room);
  return o;
}

std::map<Choice, int> draws(const Strategy& s, StrategyMemory m, int n, std::uint64_t seed = 1) {
  Rng rng{seed};
  std::map<Choice, int> out;
  for (int i = 0; i < n; ++i) {
    StrategyMemory copy = m;  // the same memory every time: what it would play next
    ++out[s.choose(copy, rng)];
  }
  return out;
}

SimOptions small(std::uint32_t players, std::uint32_t rounds, const char* mix = "uniform") {
  SimOptions o;
  o.players = players;
  o.rounds = rounds;
  o.mix = parse_mix(mix);
  o.top = 0;
  return o;
}

std::size_t index_of(const SimResult& r, const std::string& strategy) {
  for (std::size_t i = 0; i < r.uid.size(); ++i) {
    if (r.strategies[r.strategy[i]] == strategy) return i;
  }
  FAIL("no player plays " << strategy);
  return 0;
}

}  // namespace

// ------------------------------------------------------------------ strategies

TEST_CASE("strategy registry: every name parses and round-trips", "[sim][strategy]") {
  std::set<std::string> names;
  for (const StrategyInfo& info : strategy_registry()) {
    std::string name(info.name);
    if (name == "biased:R,P,S") name = "biased:2,1,1";
    const Strategy s = Strategy::parse(name);
    CHECK(s.name() == name);
    CHECK(Strategy::parse(s.name()) == s);
    CHECK_FALSE(info.summary.empty());
    names.insert(name);
  }
  CHECK(names.size() == 10);
  CHECK_THROWS_AS(Strategy::parse("rocks"), ConfigError);
  CHECK_THROWS_AS(Strategy::parse("biased:1,2"), ConfigError);
  CHECK_THROWS_AS(Strategy::parse("biased:0,0,0"), ConfigError);
  CHECK_THROWS_AS(Strategy::parse("biased:1,-1,2"), ConfigError);
  CHECK_THROWS_AS(Strategy::parse("biased:1,2,3,4"), ConfigError);
  try {
    Strategy::parse("bogus");
  } catch (const ConfigError& e) {
    CHECK(e.field() == "mix");
  }
}

TEST_CASE("beats: rock beats scissors, paper beats rock, scissors beat paper", "[sim][strategy]") {
  CHECK(beats(S) == R);
  CHECK(beats(R) == P);
  CHECK(beats(P) == S);
  CHECK(beats(N) == N);
  for (Choice c : {S, R, P}) CHECK(pk(beats(c), c) == 1);
}

TEST_CASE("constant strategies always play their choice, none never chooses", "[sim][strategy]") {
  CHECK(draws(Strategy::parse("rock"), {}, 200) == std::map<Choice, int>{{R, 200}});
  CHECK(draws(Strategy::parse("paper"), {}, 200) == std::map<Choice, int>{{P, 200}});
  CHECK(draws(Strategy::parse("scissors"), {}, 200) == std::map<Choice, int>{{S, 200}});
  CHECK(draws(Strategy::parse("none"), {}, 200) == std::map<Choice, int>{{N, 200}});
  // Observing changes nothing for them.
  StrategyMemory m;
  const Strategy rock = Strategy::parse("rock");
  rock.observe(m, seen(R, {R, P}));
  CHECK(draws(rock, m, 50) == std::map<Choice, int>{{R, 50}});
}

TEST_CASE("uniform and biased follow their weights", "[sim][strategy]") {
  auto u = draws(Strategy::parse("uniform"), {}, 30000);
  CHECK(u.count(N) == 0);
  for (Choice c : {S, R, P}) CHECK(u[c] == Approx(10000).epsilon(0.05));
  auto b = draws(Strategy::parse("biased:2,1,1"), {}, 40000);
  CHECK(b[R] == Approx(20000).epsilon(0.05));
  CHECK(b[P] == Approx(10000).epsilon(0.05));
  CHECK(b[S] == Approx(10000).epsilon(0.05));
  CHECK(draws(Strategy::parse("biased:0,0,5"), {}, 100) == std::map<Choice, int>{{S, 100}});
  CHECK(draws(Strategy::parse("biased:0,7,0"), {}, 100) == std::map<Choice, int>{{P, 100}});
}

TEST_CASE("cycle plays rock, paper, scissors in turn from a random start", "[sim][strategy]") {
  const Strategy cycle = Strategy::parse("cycle");
  std::set<Choice> firsts;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    Rng rng{seed};
    StrategyMemory m;
    Choice prev = cycle.choose(m, rng);
    firsts.insert(prev);
    for (int k = 0; k < 10; ++k) {
      const Choice next = cycle.choose(m, rng);
      CHECK(next == beats(prev));
      prev = next;
    }
  }
  CHECK(firsts.size() == 3);
}

TEST_CASE("beat-last beats the most common choice of the others in its last room", "[sim][strategy]") {
  const Strategy s = Strategy::parse("beat-last");
  StrategyMemory m;
  // No room yet: uniform.
  CHECK(draws(s, m, 3000).size() == 3);
  s.observe(m, seen(P, {P, R}));  // the opponent played rock
  CHECK(draws(s, m, 100) == std::map<Choice, int>{{P, 100}});
  // Its own choice does not count: two papers but one is its own, the others: S, S, R.
  s.observe(m, seen(P, {P, P, S, S, R}));
  CHECK(draws(s, m, 100) == std::map<Choice, int>{{R, 100}});
  // A tie between rock and paper: it beats one of them (paper or scissors), never rock.
  s.observe(m, seen(S, {S, R, P}));
  auto d = draws(s, m, 2000);
  CHECK(d.count(R) == 0);
  CHECK(d[P] > 800);
  CHECK(d[S] > 800);
  // Only the last room matters; a room where nobody else chose makes it uniform again.
  s.observe(m, seen(R, {R, N}));
  CHECK(draws(s, m, 3000).size() == 3);
}

TEST_CASE("frequency beats what its past opponents played most", "[sim][strategy]") {
  const Strategy s = Strategy::parse("frequency");
  StrategyMemory m;
  CHECK(draws(s, m, 3000).size() == 3);
  s.observe(m, seen(R, {R, S}));
  s.observe(m, seen(R, {R, P, P}));
  // Seen: scissors 1, paper 2 → beat paper with scissors.
  CHECK(draws(s, m, 100) == std::map<Choice, int>{{S, 100}});
  s.observe(m, seen(P, {P, S, S}));
  // Seen: scissors 3, paper 2 → rock. Its own papers never counted.
  CHECK(draws(s, m, 100) == std::map<Choice, int>{{R, 100}});
  CHECK(m.seen[static_cast<unsigned>(S)] == 3);
  CHECK(m.seen[static_cast<unsigned>(P)] == 2);
  CHECK(m.seen[static_cast<unsigned>(R)] == 0);
}

TEST_CASE("copy-winner repeats the best choice of its last room", "[sim][strategy]") {
  const Strategy s = Strategy::parse("copy-winner");
  StrategyMemory m;
  CHECK(draws(s, m, 3000).size() == 3);
  s.observe(m, seen(R, {R, P}));  // paper won
  CHECK(draws(s, m, 100) == std::map<Choice, int>{{P, 100}});
  // Rock x2, scissors x1, paper x1: rock +1-1 = 0 each, scissors +1-2 = -1, paper +2-1 = +1.
  s.observe(m, seen(S, {R, R, S, P}));
  CHECK(draws(s, m, 100) == std::map<Choice, int>{{P, 100}});
  // All three once: every choice scores 0, a tie among the three.
  s.observe(m, seen(S, {R, S, P}));
  CHECK(draws(s, m, 3000).size() == 3);
  // Nobody chose: uniform.
  s.observe(m, seen(N, {N, N}));
  CHECK(draws(s, m, 3000).size() == 3);
}

// ------------------------------------------------------------------ mix and options

TEST_CASE("parse_mix: weights, biased commas, repeats and errors", "[sim][mix]") {
  auto m = parse_mix("uniform=0.6,beat-last=0.3,rock=0.1");
  REQUIRE(m.size() == 3);
  CHECK(m[1].strategy.name() == "beat-last");
  CHECK(m[1].weight == Approx(0.3));
  m = parse_mix("biased:1,2,3=2,rock,biased:3,2,1");
  REQUIRE(m.size() == 3);
  CHECK(m[0].strategy.name() == "biased:1,2,3");
  CHECK(m[0].weight == 2);
  CHECK(m[1].weight == 1);
  CHECK(m[2].strategy.name() == "biased:3,2,1");
  m = parse_mix("rock=1,rock=2");
  REQUIRE(m.size() == 1);
  CHECK(m[0].weight == 3);
  CHECK(parse_mix(mix_to_string(parse_mix("uniform=0.5,cycle=2"))).size() == 2);
  for (const char* bad : {"", "rock=-1", "rock=0", "rock=0,paper=0", "rock=x", "rock=", "dunno=1",
                          "rock=nan", "rock=inf", "biased:1,2"}) {
    INFO(bad);
    try {
      parse_mix(bad);
      FAIL("accepted");
    } catch (const ConfigError& e) {
      CHECK(e.field() == "mix");
    }
  }
}

TEST_CASE("options are validated before anything runs", "[sim]") {
  auto field_of = [](SimOptions o) -> std::string {
    try {
      simulate(o);
    } catch (const ConfigError& e) {
      return e.field();
    }
    return "";
  };
  SimOptions o = small(10, 1);
  CHECK(field_of(o).empty());
  o.players = 0;
  CHECK(field_of(o) == "players");
  o = small(10, 0);
  CHECK(field_of(o) == "rounds");
  o = small(10, 1);
  o.shards = 11;
  CHECK(field_of(o) == "shards");
  o.shards = 0;
  CHECK(field_of(o) == "shards");
  o = small(10, 1);
  o.mix.clear();
  CHECK(field_of(o) == "mix");
  o = small(10, 1);
  o.mix[0].weight = -1;
  CHECK(field_of(o) == "mix");
  o = small(10, 1);
  o.config.capacity = 1;
  CHECK(field_of(o) == "capacity");
  o = small(10, 1);
  o.shards = 2;
  o.command_log = [](std::string_view) {};
  CHECK(field_of(o) == "command_log");
  o = small(1000, 1);
  o.config.max_uid_bytes = 3;
  CHECK(field_of(o) == "max_uid_bytes");
}

// ------------------------------------------------------------------ runs

TEST_CASE("a run is a function of its options", "[sim]") {
  SimOptions o = small(301, 6, "uniform=2,beat-last,frequency,copy-winner,cycle,biased:1,2,3");
  o.config.capacity = 3;
  o.config.seed = 99;
  o.history = true;
  const SimResult a = simulate(o);
  const SimResult b = simulate(o);
  CHECK(a.total == b.total);
  CHECK(a.wins == b.wins);
  CHECK(a.strategy == b.strategy);
  CHECK(a.leaderboard == b.leaderboard);
  CHECK(a.history->choice == b.history->choice);
  CHECK(a.shards[0].digest == b.shards[0].digest);
  o.config.seed = 100;
  const SimResult c = simulate(o);
  CHECK(a.total != c.total);
  CHECK(a.errors == 0);
  // Every seat of every round is accounted for.
  CHECK(a.player_rounds == std::accumulate(a.rounds_played.begin(), a.rounds_played.end(), std::uint64_t{0}));
  CHECK(a.history->round.size() == a.player_rounds);
  for (std::size_t i = 0; i < a.uid.size(); ++i) {
    CHECK(a.wins[i] + a.losses[i] + a.draws[i] == a.rounds_played[i]);
    CHECK(a.rounds_played[i] == 6);  // bots fill the last room
  }
}

TEST_CASE("mix shares are exact and the summary adds up", "[sim]") {
  SimOptions o = small(1000, 3, "uniform=0.6,beat-last=0.3,rock=0.1");
  const SimResult r = simulate(o);
  REQUIRE(r.summary.size() == 3);
  CHECK(r.summary[0].players == 600);
  CHECK(r.summary[1].players == 300);
  CHECK(r.summary[2].players == 100);
  CHECK(r.summary[2].strategy == "rock");
  for (const auto& s : r.summary) {
    CHECK(s.rounds_played == std::uint64_t{s.players} * 3);
    CHECK(s.win_rate >= 0);
    CHECK(s.win_rate <= 1);
    CHECK(s.median_total <= s.p90_total);
  }
  // Shares of three players: largest remainder, ties to the earlier entry.
  const SimResult t = simulate(small(3, 1, "uniform=1,rock=1"));
  CHECK(t.summary[0].players == 2);
  CHECK(t.summary[1].players == 1);
}

TEST_CASE("leaderboard: total, then wins, then player number, top limits it", "[sim]") {
  SimOptions o = small(200, 5);
  const SimResult all = simulate(o);
  REQUIRE(all.leaderboard.size() == 200);
  for (std::size_t k = 1; k < all.leaderboard.size(); ++k) {
    const auto a = all.leaderboard[k - 1], b = all.leaderboard[k];
    const bool ordered = all.total[a] > all.total[b] ||
                         (all.total[a] == all.total[b] &&
                          (all.wins[a] > all.wins[b] || (all.wins[a] == all.wins[b] && a < b)));
    CHECK(ordered);
  }
  o.top = 7;
  const SimResult top = simulate(o);
  CHECK(top.leaderboard ==
        std::vector<std::uint32_t>(all.leaderboard.begin(), all.leaderboard.begin() + 7));
}

TEST_CASE("none never scores, a constant player loses to beat-last from round 2 on", "[sim]") {
  SimOptions o = small(2, 10, "rock=1,beat-last=1");
  o.config.bot_fill_after_ms = 0;
  o.history = true;
  const SimResult r = simulate(o);
  const auto rock = index_of(r, "rock"), smart = index_of(r, "beat-last");
  const SimHistory& h = *r.history;
  for (std::size_t k = 0; k < h.round.size(); ++k) {
    if (h.player[k] == rock) CHECK(h.choice[k] == static_cast<std::uint8_t>(R));
    if (h.player[k] == smart && h.round[k] >= 1) {
      CHECK(h.choice[k] == static_cast<std::uint8_t>(P));
      CHECK(h.wins[k] == 1);
    }
  }
  CHECK(r.wins[smart] >= 9);
  CHECK(r.wins[rock] <= 1);

  SimOptions n = small(40, 8, "none=1,uniform=1");
  n.config.capacity = 4;
  const SimResult rn = simulate(n);
  for (std::size_t i = 0; i < rn.uid.size(); ++i) {
    if (rn.strategies[rn.strategy[i]] != "none") continue;
    CHECK(rn.total[i] == 0);
    CHECK(rn.wins[i] == 0);
    CHECK(rn.rounds_played[i] == 8);
  }
}

TEST_CASE("swiss pairing seats players of similar score together", "[sim][pairing]") {
  SimOptions o = small(64, 6);
  o.pairing = Pairing::Swiss;
  o.config.bot_fill_after_ms = 0;
  o.history = true;
  const SimResult r = simulate(o);
  const SimHistory& h = *r.history;
  // Before each round, rank players by total (desc, then number): rooms are pairs of
  // neighbours in that ranking.
  for (std::uint32_t round = 0; round < 6; ++round) {
    std::vector<std::pair<std::int64_t, std::uint32_t>> before;  // (-total, player)
    std::map<std::uint64_t, std::vector<std::uint32_t>> rooms;
    for (std::size_t k = 0; k < h.round.size(); ++k) {
      if (h.round[k] != round) continue;
      before.emplace_back(-(h.total_score[k] - h.round_score[k]), h.player[k]);
      rooms[h.room[k]].push_back(h.player[k]);
    }
    REQUIRE(before.size() == 64);
    std::sort(before.begin(), before.end());
    std::map<std::uint32_t, std::size_t> rank;
    for (std::size_t k = 0; k < before.size(); ++k) rank[before[k].second] = k;
    for (const auto& [room, members] : rooms) {
      REQUIRE(members.size() == 2);
      const auto a = rank[members[0]], b = rank[members[1]];
      CHECK(std::min(a, b) % 2 == 0);
      CHECK(std::max(a, b) == std::min(a, b) + 1);
    }
  }
  // Arrival pairing keeps the same partners every round; random pairing does not.
  auto partners = [](Pairing p) {
    SimOptions a = small(32, 4);
    a.pairing = p;
    a.config.bot_fill_after_ms = 0;
    a.history = true;
    const SimResult res = simulate(a);
    std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
    std::map<std::pair<std::uint32_t, std::uint64_t>, std::vector<std::uint32_t>> rooms;
    for (std::size_t k = 0; k < res.history->round.size(); ++k) {
      rooms[{res.history->round[k], res.history->room[k]}].push_back(res.history->player[k]);
    }
    for (auto& [key, m] : rooms) pairs.insert({std::min(m[0], m[1]), std::max(m[0], m[1])});
    return pairs.size();
  };
  CHECK(partners(Pairing::Arrival) == 16);
  CHECK(partners(Pairing::Random) > 40);
}

TEST_CASE("the command log replays to the same results", "[sim][replay]") {
  for (bool requeue : {false, true}) {
    INFO("requeue " << requeue);
    SimOptions o = small(57, 5, "uniform,beat-last,frequency,copy-winner,cycle,none,paper");
    o.config.capacity = 4;
    o.config.requeue = requeue;
    o.config.seed = 7;
    o.pairing = Pairing::Random;
    std::string commands, events;
    o.command_log = [&](std::string_view s) { commands += s; };
    o.event_log = [&](std::string_view s) { events += s; };
    const SimResult r = simulate(o);
    CHECK(r.errors == 0);

    Engine engine(r.options.config);
    Replayer replay(engine);
    std::string replayed;
    std::istringstream in(commands);
    std::uint64_t lines = 0;
    for (std::string line; std::getline(in, line); ++lines) {
      replay.feed(line, replayed);
      engine.verify();
    }
    CHECK(lines == r.shards[0].commands);
    CHECK(replayed == events);
    CHECK(engine.digest() == r.shards[0].digest);
    for (std::size_t i = 0; i < r.uid.size(); ++i) {
      const auto p = engine.player(r.uid[i]);
      REQUIRE(p);
      CHECK(p->total_score == r.total[i]);
      CHECK(p->win_streak == r.win_streak[i]);
    }
  }
}

TEST_CASE("shards: deterministic, shard 0 uses the seed, one shard is the plain run", "[sim][shards]") {
  SimOptions o = small(400, 4, "uniform,beat-last");
  o.config.seed = 5;
  o.history = true;
  o.shards = 3;
  const SimResult a = simulate(o);
  // On threads (roshambo::parallel) the result is the same as one after another.
  std::atomic<std::uint32_t> jobs{0};
  const SimResult b = simulate(o, [&](std::uint32_t count, const std::function<void(std::uint32_t)>& job) {
    jobs += count;
    roshambo::run_on_threads(count, job);
  });
  CHECK(jobs == 3);
  CHECK(a.total == b.total);
  CHECK(a.history->player == b.history->player);
  CHECK(a.history->total_score == b.history->total_score);
  REQUIRE(a.shards.size() == 3);
  CHECK(a.shards[0].seed == 5);
  CHECK(a.shards[1].seed == shard_seed(5, 1));
  CHECK(a.shards[1].seed != a.shards[2].seed);
  CHECK(a.shards[0].players + a.shards[1].players + a.shards[2].players == 400);
  CHECK(a.shards[1].first_player == a.shards[0].players);
  std::uint64_t pr = 0;
  for (const auto& s : a.shards) {
    CHECK(s.digest == b.shards[&s - a.shards.data()].digest);
    pr += s.player_rounds;
  }
  CHECK(pr == a.player_rounds);
  // Strategy assignment does not depend on the number of shards.
  o.shards = 1;
  const SimResult one = simulate(o);
  CHECK(one.strategy == a.strategy);
  // History: round by round, then shard by shard.
  for (std::size_t k = 1; k < a.history->round.size(); ++k) {
    CHECK(a.history->round[k - 1] <= a.history->round[k]);
  }
  // Progress reaches the total.
  std::uint64_t last_done = 0, total = 0;
  o.shards = 4;
  o.progress = [&](const SimProgress& p) {
    CHECK(p.rounds_done >= last_done);
    last_done = p.rounds_done;
    total = p.rounds_total;
  };
  simulate(o);
  CHECK(total == 16);
  CHECK(last_done == 16);
}

TEST_CASE("no bots: the odd player out waits for the next round's joiners", "[sim]") {
  SimOptions o = small(5, 4);
  o.config.bot_fill_after_ms = 0;
  const SimResult r = simulate(o);
  // Four seats per round in rooms of two. p5 waits through round 0 and is seated by
  // p1 in round 1; in round 2 the others fill the room p4 waited in, so p5 waits again.
  CHECK(r.player_rounds == 4 * 4);
  CHECK(r.rounds_played == std::vector<std::uint32_t>{4, 4, 4, 2, 2});
  CHECK(r.errors == 0);
}

TEST_CASE("players the engine refuses at hello play on by uid and replay the same", "[sim][replay]") {
  // Over max_players (and with names over max_name_bytes) some hellos are refused:
  // those players have no handle, so their commands go by uid and are refused too.
  for (const bool long_names : {false, true}) {
    INFO("long names " << long_names);
    SimOptions o = small(40, 3, "uniform,rock");
    o.config.max_players = 25;
    if (long_names) o.config.max_name_bytes = 4;  // "uniform" is refused, "rock" fits
    std::string commands, events;
    o.command_log = [&](std::string_view s) { commands += s; };
    o.event_log = [&](std::string_view s) { events += s; };
    const SimResult r = simulate(o);
    CHECK(r.errors > 0);

    Engine engine(r.options.config);
    Replayer replay(engine);
    std::string replayed;
    std::istringstream in(commands);
    for (std::string line; std::getline(in, line);) replay.feed(line, replayed);
    CHECK(replayed == events);
    CHECK(engine.digest() == r.shards[0].digest);
    CHECK(engine.stats().players <= 25);
  }
}
