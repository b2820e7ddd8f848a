// The event filter: a host that reads only some event types has the engine skip
// building the rest. The rules, the state and every event it does build are unchanged.

#include <catch2/catch.hpp>

#include "roshambo_test.hpp"

using namespace roshambo;
using namespace rt;

namespace {

std::vector<Event> kept(const std::vector<Event>& all, EventFilter f) {
  std::vector<Event> out;
  for (const Event& e : all) {
    if (e.type() == EventType::Error || (f & event_bit(e.type()))) out.push_back(e);
  }
  return out;
}

}  // namespace

TEST_CASE("event filter: random logs give the unfiltered events minus the skipped types",
          "[filter][property]") {
  Rand seeds(20261127);
  for (int run = 0; run < 60; ++run) {
    const Config cfg = random_config(seeds);
    // Any subset, the simulator's (starts and results) among them.
    const EventFilter f = run == 0 ? event_bit(EventType::Start) | event_bit(EventType::Result)
                                   : static_cast<EventFilter>(seeds.next()) & kAllEvents;
    CommandGen gen(seeds.next(), 6, cfg.game_time_ms);
    Engine all(cfg), some(cfg);
    some.set_event_filter(f);
    CHECK(some.event_filter() == f);
    std::uint64_t skipped = 0;
    std::vector<Event> a, b;
    for (int i = 0; i < 400; ++i) {
      const Step s = gen.next();
      INFO("run " << run << ", filter " << f << ", step " << i << ": " << encode(s));
      a.clear();
      b.clear();
      REQUIRE(apply(all, s, a) == apply(some, s, b));
      const std::vector<Event> want = kept(a, f);
      skipped += a.size() - want.size();
      REQUIRE(log_of(want) == log_of(b));
      REQUIRE(some.filtered_events() == skipped);
    }
    CHECK(all.digest() == some.digest());
    CHECK(all.snapshot() == some.snapshot());  // the filter is no part of the state
    some.verify();
  }
}

TEST_CASE("event filter: copies and restore keep it, and errors are always built", "[filter]") {
  Driver d;
  d.engine.set_event_filter(event_bit(EventType::Result));
  d.seat({"ann", "bob"}, 0);
  CHECK(d.engine.filtered_events() > 0);  // hi, room and start events were skipped

  Engine copy = d.engine;
  CHECK(copy.event_filter() == event_bit(EventType::Result));
  copy.restore(Engine(Config{}).snapshot());
  CHECK(copy.event_filter() == event_bit(EventType::Result));
  CHECK(copy.filtered_events() == d.engine.filtered_events());

  std::vector<Event> out;
  // A refusal is an error event whatever the filter.
  REQUIRE(d.engine.handle(Command::choice("nobody", 1), 1, out));
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == EventType::Error);
  out.clear();
  REQUIRE_FALSE(d.engine.handle(Command::choice("ann", 1), 1, out));
  CHECK(out.empty());  // the movement was skipped
  // Bits beyond the event types are ignored.
  d.engine.set_event_filter(~EventFilter{0});
  CHECK(d.engine.event_filter() == kAllEvents);
}
