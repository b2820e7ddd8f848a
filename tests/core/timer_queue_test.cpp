// The engine's timer queue (core/src/timer_queue.hpp, internal): FIFO lanes for the
// kinds that arrive in order, a heap for bot picks, and one firing order across them.

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "roshambo/rng.hpp"
#include "timer_queue.hpp"

using namespace roshambo;
using roshambo::detail::Timer;
using roshambo::detail::TimerKind;
using roshambo::detail::TimerQueue;

namespace {

// Pushes timers the way the engine does (host time only moves forward; fills,
// deadlines and graces a fixed duration later, bot picks at random moments), and
// sometimes a timer from a hand-made snapshot, out of its lane's order.
std::vector<Timer> pushes(Rng& rng, std::size_t n) {
  std::vector<Timer> out;
  Time now = 0;
  std::uint64_t seq = 0;
  for (std::size_t i = 0; i < n; ++i) {
    now += static_cast<Time>(rng.below(3));
    const auto kind = static_cast<TimerKind>(rng.below(4));
    Time due = now;
    switch (kind) {
      case TimerKind::BotFill: due += 100; break;
      case TimerKind::Deadline: due += 250; break;
      case TimerKind::Grace: due += 40; break;
      case TimerKind::BotPick: due += static_cast<Time>(rng.below(250)); break;
    }
    if (rng.below(50) == 0) due -= static_cast<Time>(rng.below(30));  // out of order
    out.push_back(Timer{due, seq++, static_cast<std::uint32_t>(i), 0, 0, 0, kind});
  }
  return out;
}

std::vector<std::uint32_t> drain(TimerQueue& q) {
  std::vector<std::uint32_t> order;
  while (!q.empty()) {
    REQUIRE(q.next_due() == q.front().due);
    order.push_back(q.front().room);
    q.pop();
  }
  REQUIRE(q.next_due() == TimerQueue::kNoTimer);
  return order;
}

}  // namespace

TEST_CASE("timer queue: fires in (due, creation) order across lanes and heap", "[timers]") {
  Rng rng{7};
  for (int run = 0; run < 50; ++run) {
    std::vector<Timer> ts = pushes(rng, 1 + rng.below(3000));
    TimerQueue q;
    // Interleave pushes and pops as the engine does: pop what is due by `now`.
    std::vector<std::uint32_t> fired;
    std::vector<Timer> queued;
    for (const Timer& t : ts) {
      q.push(t);
      queued.push_back(t);
      REQUIRE(q.size() == queued.size());
      REQUIRE(q.next_due() == q.front().due);
      const Time now = t.seq > 0 ? t.due - 250 : 0;
      while (!q.empty() && q.front().due <= now) {
        const auto first = std::min_element(queued.begin(), queued.end(), detail::fires_before);
        REQUIRE(q.front().room == first->room);
        fired.push_back(q.front().room);
        queued.erase(first);
        q.pop();
      }
    }
    std::sort(queued.begin(), queued.end(), detail::fires_before);
    std::vector<std::uint32_t> expected;
    for (const Timer& t : queued) expected.push_back(t.room);
    CHECK(drain(q) == expected);
    CHECK(q.empty());
  }
}

TEST_CASE("timer queue: filter drops what it refuses and keeps the order", "[timers]") {
  Rng rng{11};
  std::vector<Timer> ts = pushes(rng, 5000);
  TimerQueue q;
  for (const Timer& t : ts) q.push(t);
  for (int i = 0; i < 1500; ++i) q.pop();  // lanes have popped heads to skip
  const Time before = q.next_due();
  std::vector<Timer> rest;
  q.for_each([&rest](const Timer& t) { rest.push_back(t); });
  REQUIRE(rest.size() == 3500);
  q.filter([](const Timer& t) { return t.room % 3 != 0; });
  CHECK(q.next_due() >= before);
  std::erase_if(rest, [](const Timer& t) { return t.room % 3 == 0; });
  std::sort(rest.begin(), rest.end(), detail::fires_before);
  CHECK(q.size() == rest.size());
  std::vector<std::uint32_t> expected;
  for (const Timer& t : rest) expected.push_back(t.room);
  CHECK(drain(q) == expected);
}

TEST_CASE("timer queue: lanes give memory back as they drain, and copies keep the order", "[timers]") {
  TimerQueue q;
  for (std::uint32_t i = 0; i < 10'000; ++i) q.push(Timer{Time{i}, i, i, 0, 0, 0, TimerKind::Deadline});
  CHECK(q.lane_capacity() >= 10'000);
  for (int i = 0; i < 5'000; ++i) q.pop();
  const TimerQueue copy = q;  // a copy taken mid-ring (an engine copy)
  for (int i = 0; i < 4'990; ++i) q.pop();
  CHECK(q.size() == 10);
  CHECK(q.lane_capacity() <= 64);  // a drained lane keeps no high-water mark
  TimerQueue again = copy;
  REQUIRE(again.size() == 5'000);
  std::vector<std::uint32_t> order = drain(again);
  CHECK(order.front() == 5'000);
  CHECK(std::is_sorted(order.begin(), order.end()));
  // Filtering shrinks too.
  TimerQueue big = copy;
  big.filter([](const Timer& t) { return t.room % 1000 == 0; });
  CHECK(big.size() == 5);
  CHECK(big.lane_capacity() <= 64);
  CHECK(drain(big) == std::vector<std::uint32_t>{5'000, 6'000, 7'000, 8'000, 9'000});
}
