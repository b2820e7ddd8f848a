// docs/RULES.md §8 properties on thousands of seeded random command sequences over varied
// configs: invariants after every step, zero-sum settlements, refusals that change
// nothing, snapshot/copy equivalence and byte-for-byte determinism.

#include <catch2/catch.hpp>

#include "roshambo_test.hpp"

using namespace roshambo;
using rt::Step;

namespace {

struct Sequence {
  Config config;
  std::vector<Step> steps;
};

Sequence make_sequence(std::uint64_t seed, std::size_t length) {
  rt::Rand r(seed);
  Sequence s;
  s.config = rt::random_config(r);
  rt::CommandGen gen(r.next(), 3 + static_cast<std::uint32_t>(r.below(12)), s.config.game_time_ms);
  s.steps.reserve(length);
  for (std::size_t i = 0; i < length; ++i) s.steps.push_back(gen.next());
  return s;
}

// Events of every step from `from` on, as one log, plus the final digest.
std::pair<std::string, std::uint64_t> run_from(Engine& e, const Sequence& s, std::size_t from) {
  std::string log;
  std::vector<Event> out;
  for (std::size_t i = from; i < s.steps.size(); ++i) {
    out.clear();
    rt::apply(e, s.steps[i], out);
    log += rt::log_of(out);
  }
  return {log, e.digest()};
}

constexpr std::uint64_t kSequences = 2000;
constexpr std::size_t kLength = 150;

}  // namespace

TEST_CASE("property: invariants, zero-sum results and inert refusals on random sequences",
          "[property]") {
  std::uint64_t results = 0, refusals = 0, bot_rooms = 0, resumes = 0, drops = 0;
  for (std::uint64_t seed = 1; seed <= kSequences; ++seed) {
    const Sequence s = make_sequence(seed, kLength);
    Engine e(s.config);
    rt::Rand pick(seed ^ 0xABCDEF);
    std::vector<Event> out;
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
      const Step& st = s.steps[i];
      // Now and then, keep a twin that only lets time pass, to compare a refusal with.
      std::optional<Engine> twin;
      std::string twin_log;
      if (pick.chance(1, 6) && st.at >= e.now()) {
        twin.emplace(e);
        std::vector<Event> tout;
        twin->tick(st.at, tout);
        twin_log = rt::log_of(tout);
      }
      const Time before_now = e.now();
      out.clear();
      const auto refused = rt::apply(e, st, out);
      try {
        e.verify();
      } catch (const InvariantError& err) {
        FAIL("seed " << seed << " step " << i << ": " << err.what() << "\n" << rt::encode(st));
      }
      // Events are in time order, never after the call's time.
      Time prev = before_now;
      for (const Event& ev : out) {
        if (ev.at < prev || (ev.at > st.at && st.at >= before_now)) {
          FAIL("seed " << seed << " step " << i << ": event out of time order\n" << rt::log_of(out));
        }
        prev = ev.at;
        if (ev.type() == EventType::Presence && !rt::data<PresenceData>(ev).online) ++drops;
        if (ev.type() == EventType::Resume) {
          // A resume answers a hello: hi just before it, presence to the others after it.
          ++resumes;
          const std::size_t k = static_cast<std::size_t>(&ev - out.data());
          if (k == 0 || k + 1 >= out.size() || out[k - 1].type() != EventType::Hi ||
              out[k + 1].type() != EventType::Presence || !rt::data<PresenceData>(out[k + 1]).online) {
            FAIL("seed " << seed << " step " << i << ": resume out of place\n" << rt::log_of(out));
          }
        }
        // Rows and start scores carry their member's handle (bots: none).
        if (ev.type() == EventType::Start) {
          const auto& scores = rt::data<StartData>(ev).scores;
          REQUIRE(scores.size() == ev.to.room.size());
          for (std::uint32_t k = 0; k < scores.size(); ++k) {
            if (scores[k].handle != ev.to.room[k].handle()) FAIL("seed " << seed << ": start score's handle");
          }
        }
        if (ev.type() == EventType::Result) {
          for (const ResultRow& row : rt::data<ResultData>(ev).rows) {
            if (row.handle != row.who->handle()) FAIL("seed " << seed << ": result row's handle");
          }
          ++results;
          if (rt::data<ResultData>(ev).rows[0].who->bot() ||
              rt::data<ResultData>(ev).rows.back().who->bot()) {
            ++bot_rooms;
          }
          if (!rt::result_consistent(rt::data<ResultData>(ev))) {
            FAIL("seed " << seed << " step " << i << ": result not zero-sum / not pairwise\n"
                         << rt::line(ev));
          }
        }
      }
      if (refused) {
        ++refusals;
        // Exactly one error, the last event; everything before it is what the timers did.
        REQUIRE(!out.empty());
        CHECK(out.back().type() == EventType::Error);
        CHECK(rt::data<ErrorData>(out.back()).code == *refused);
        if (twin) {
          if (rt::log_of(std::vector<Event>(out.begin(), out.end() - 1)) != twin_log ||
              e.digest() != twin->digest()) {
            FAIL("seed " << seed << " step " << i << ": a refused command changed the state\n"
                         << rt::encode(st));
          }
        }
      }
      // Under play a join never opens a room while another one waits.
      if (e.stats().waiting_rooms > 1) FAIL("seed " << seed << ": two waiting rooms");
    }
  }
  // The generator must actually exercise the rules, not only the error paths.
  CHECK(results > kSequences * 3);
  CHECK(bot_rooms > kSequences / 4);
  CHECK(refusals > kSequences * 10);
  CHECK(drops > kSequences / 2);  // half the configs have a grace: drops and resumes happen
  CHECK(resumes > kSequences / 10);
  INFO("drops " << drops << " resumes " << resumes);
}

TEST_CASE("property: snapshot/restore or copy at a random step changes nothing ahead",
          "[property]") {
  for (std::uint64_t seed = 1; seed <= kSequences / 2; ++seed) {
    const Sequence s = make_sequence(seed * 7919, kLength);
    Engine straight(s.config);
    const auto want = run_from(straight, s, 0);

    rt::Rand r(seed);
    const std::size_t cut = r.below(s.steps.size() + 1);
    Engine first(s.config);
    std::string prefix;
    std::vector<Event> out;
    for (std::size_t i = 0; i < cut; ++i) {
      out.clear();
      rt::apply(first, s.steps[i], out);
      prefix += rt::log_of(out);
    }
    const std::string snap = first.snapshot();
    Engine restored = Engine::from_snapshot(snap);
    if (restored.digest() != first.digest() || restored.snapshot() != snap) {
      FAIL("seed " << seed << ": restore is not the same state at step " << cut);
    }
    Engine copy = first;
    Engine assigned;
    assigned = first;
    Engine reused;
    reused.restore(snap);

    const auto a = run_from(restored, s, cut);
    const auto b = run_from(copy, s, cut);
    const auto c = run_from(assigned, s, cut);
    const auto d = run_from(reused, s, cut);
    const auto o = run_from(first, s, cut);
    if (prefix + a.first != want.first || a.second != want.second) {
      FAIL("seed " << seed << ": restored at step " << cut << " diverges");
    }
    CHECK(b == a);
    CHECK(c == a);
    CHECK(d == a);
    CHECK(o == a);  // the original is not disturbed by its forks
  }
}

TEST_CASE("property: one seed, one byte stream, also through the JSON Lines codec",
          "[property]") {
  for (std::uint64_t seed = 1; seed <= kSequences / 4; ++seed) {
    Sequence s = make_sequence(seed * 104729, kLength);
    // A line with invalid UTF-8 is not JSON at all (malformed, at no known time): it
    // cannot be the same command in both forms, so leave those out here.
    std::erase_if(s.steps, [](const Step& st) {
      return !valid_utf8(st.cmd.from) || !valid_utf8(st.cmd.name) || !valid_utf8(st.cmd.avatar);
    });
    Engine e1(s.config), e2(s.config);
    const auto a = run_from(e1, s, 0);
    const auto b = run_from(e2, s, 0);
    REQUIRE(a == b);
    // The same steps as a command log through the replayer give the same bytes.
    Engine e3(s.config);
    Replayer rp(e3);
    std::string out;
    for (const Step& st : s.steps) rp.feed(rt::encode(st), out);
    if (out != a.first) {
      std::size_t k = 0;
      while (k < out.size() && k < a.first.size() && out[k] == a.first[k]) ++k;
      const auto from = a.first.rfind('\n', k);
      FAIL("seed " << seed << ": replay of the encoded log differs at\n"
                   << a.first.substr(from + 1, 300) << "\nvs\n" << out.substr(from + 1, 300));
    }
    CHECK(e3.digest() == a.second);
  }
}

TEST_CASE("property: events keep their content after the engine moves on or is gone",
          "[property]") {
  // Events share member lists with their room; later joins, leaves, closes, forks and
  // the engine's destruction must not change what an earlier event says.
  for (std::uint64_t seed = 1; seed <= kSequences / 4; ++seed) {
    const Sequence s = make_sequence(seed * 31337, kLength);
    std::vector<Event> kept;
    std::string live;
    {
      Engine e(s.config);
      std::vector<Event> out;
      for (std::size_t i = 0; i < s.steps.size(); ++i) {
        out.clear();
        rt::apply(e, s.steps[i], out);
        live += rt::log_of(out);
        kept.insert(kept.end(), out.begin(), out.end());
        if (i % 50 == 49) {
          Engine fork = e;  // a fork that plays on must not touch e's lists either
          std::vector<Event> sink;
          fork.tick(fork.now() + 10'000, sink);
        }
      }
    }
    if (rt::log_of(kept) != live) FAIL("seed " << seed << ": an event changed after it was made");
  }
}

TEST_CASE("property: extra ticks between commands change nothing", "[property]") {
  // docs/RULES.md §8: the outcome never depends on how often the host calls tick.
  for (std::uint64_t seed = 1; seed <= kSequences / 4; ++seed) {
    const Sequence s = make_sequence(seed * 65537, kLength);
    Engine plain(s.config), ticked(s.config);
    rt::Rand r(seed);
    std::string a, b;
    std::vector<Event> out;
    for (const Step& st : s.steps) {
      out.clear();
      rt::apply(plain, st, out);
      a += rt::log_of(out);
      out.clear();
      if (st.at >= ticked.now()) {
        Time t = ticked.now();
        for (int k = static_cast<int>(r.below(4)); k > 0; --k) {
          t += static_cast<Time>(r.below(static_cast<std::uint64_t>(st.at - t) + 1));
          ticked.tick(t, out);
        }
      }
      rt::apply(ticked, st, out);
      b += rt::log_of(out);
    }
    if (a != b) FAIL("seed " << seed << ": extra ticks changed the event log");
    CHECK(plain.digest() == ticked.digest());
  }
}
