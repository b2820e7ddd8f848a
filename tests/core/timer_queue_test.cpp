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

// The config's durations a test's timers follow: fills, deadlines and graces a fixed
// time after they are set, bot picks at random within the countdown (as the engine).
struct Durations {
  Time fill, deadline, grace;
  Time due(TimerKind kind, Time now, Rng& rng) const {
    switch (kind) {
      case TimerKind::BotFill: return now + fill;
      case TimerKind::Deadline: return now + deadline;
      case TimerKind::Grace: return now + grace;
      case TimerKind::BotPick: break;
    }
    return now + static_cast<Time>(rng.below(static_cast<std::uint64_t>(deadline)));
  }
};

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
    Time due = Durations{100, 250, 40}.due(kind, now, rng);
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

// Push `t` as the engine does (`newest`: its seq is the largest yet, emplace_newest's
// inline path) or as a restored snapshot may (push).
void push_as(TimerQueue& q, const Timer& t, bool newest) {
  if (newest) {
    q.emplace_newest(t.due, t.seq, t.room, t.gen, t.player, t.seat, t.kind);
  } else {
    q.push(t);
  }
}

// Pop the queue's front, which must be the first of `queued` to fire; it leaves `queued`.
void pop_first(TimerQueue& q, std::vector<Timer>& queued) {
  const auto first = std::min_element(queued.begin(), queued.end(), detail::fires_before);
  REQUIRE(q.next_due() == first->due);
  REQUIRE(q.front().room == first->room);
  queued.erase(first);
  q.pop();
}

// The queue drains as exactly `queued`, in firing order.
void check_drains_as(TimerQueue& q, std::vector<Timer> queued) {
  std::sort(queued.begin(), queued.end(), detail::fires_before);
  std::vector<std::uint32_t> expected;
  for (const Timer& t : queued) expected.push_back(t.room);
  CHECK(drain(q) == expected);
  CHECK(q.empty());
}

}  // namespace

TEST_CASE("timer queue: fires in (due, creation) order across lanes and heap", "[timers]") {
  Rng rng{7};
  for (int run = 0; run < 50; ++run) {
    std::vector<Timer> ts = pushes(rng, 1 + rng.below(3000));
    TimerQueue q;
    // Interleave pushes and pops as the engine does: pop what is due by `now`.
    std::vector<Timer> queued;
    for (const Timer& t : ts) {
      // Every other run as the engine schedules: its seqs only grow, so each push is
      // the newest timer (emplace_newest's inline path, the heap for the out-of-order).
      push_as(q, t, run % 2);
      queued.push_back(t);
      REQUIRE(q.size() == queued.size());
      REQUIRE(q.next_due() == q.front().due);
      const Time now = t.seq > 0 ? t.due - 250 : 0;
      while (!q.empty() && q.front().due <= now) pop_first(q, queued);
    }
    check_drains_as(q, queued);
  }
}

TEST_CASE("timer queue: runs of equal dues pop in order while the other lanes fill", "[timers]") {
  // A round's shape: many timers of one kind share a due (the deadlines of the rooms a
  // batch of joins started), the other lanes and the heap take timers between the pops,
  // some due before the run's later timers. The front is then often the same lane's
  // next timer, which the queue finds without a look at the others.
  Rng rng{19};
  for (int run = 0; run < 200; ++run) {
    TimerQueue q;
    std::vector<Timer> queued;
    Time now = 0;
    std::uint64_t seq = 0;
    const std::uint64_t kinds = 1 + rng.below(4);  // bot picks (the heap) in some runs only
    const std::uint64_t heap_odds = 1 + rng.below(40);
    for (int step = 0; step < 600; ++step) {
      if (rng.below(8) == 0) now += static_cast<Time>(1 + rng.below(30));
      TimerKind kind = static_cast<TimerKind>(rng.below(std::min<std::uint64_t>(kinds, 3)));
      if (kind == TimerKind::BotPick) kind = TimerKind::Grace;
      if (kinds == 4 && rng.below(heap_odds) == 0) kind = TimerKind::BotPick;
      const Time due = Durations{20, 50, 5}.due(kind, now, rng);
      const Timer t{due, seq++, static_cast<std::uint32_t>(step), 0, 0, 0, kind};
      push_as(q, t, run % 2);
      queued.push_back(t);
      for (std::uint64_t pops = rng.below(3); pops > 0 && !queued.empty(); --pops) pop_first(q, queued);
    }
    check_drains_as(q, queued);
  }
}

TEST_CASE("timer queue: a timer pushed with the front's due and an older seq becomes the front", "[timers]") {
  // Only a restored snapshot pushes timers out of creation order; at an equal due the
  // older one (smaller seq) fires first, whichever lane or the heap holds it.
  for (const TimerKind first : {TimerKind::Deadline, TimerKind::BotPick, TimerKind::Grace}) {
    for (const TimerKind second : {TimerKind::BotFill, TimerKind::Deadline, TimerKind::BotPick}) {
      TimerQueue q;
      q.push(Timer{50, 9, 1, 0, 0, 0, first});
      q.push(Timer{50, 4, 2, 0, 0, 0, second});
      REQUIRE(q.front().seq == 4);
      REQUIRE(q.next_due() == 50);
      q.push(Timer{49, 12, 3, 0, 0, 0, first});  // an earlier due wins whatever its seq
      REQUIRE(q.front().room == 3);
      q.push(Timer{50, 1, 4, 0, 0, 0, TimerKind::Grace});
      CHECK(drain(q) == std::vector<std::uint32_t>{3, 4, 2, 1});
    }
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
  const TimerQueue copy = q;  // a copy taken mid-block (an engine copy)
  for (int i = 0; i < 4'990; ++i) q.pop();
  CHECK(q.size() == 10);
  CHECK(q.lane_capacity() <= 10'000 / 8);  // a drained lane keeps its last block at most
  TimerQueue again = copy;
  REQUIRE(again.size() == 5'000);
  std::vector<std::uint32_t> order = drain(again);
  CHECK(order.front() == 5'000);
  CHECK(std::is_sorted(order.begin(), order.end()));
  // Filtering shrinks too.
  TimerQueue big = copy;
  big.filter([](const Timer& t) { return t.room % 1000 == 0; });
  CHECK(big.size() == 5);
  CHECK(big.lane_capacity() <= TimerQueue::kMinBlock);
  CHECK(drain(big) == std::vector<std::uint32_t>{5'000, 6'000, 7'000, 8'000, 9'000});
}

TEST_CASE("timer queue: a lane holds its timers with under an eighth to spare", "[timers]") {
  for (std::size_t n : {1u, 31u, 32u, 33u, 1000u, 100'000u}) {
    // A lane filled as a lobby's deadlines are, then steady: as many set as fire.
    const std::size_t spare = std::max<std::size_t>(TimerQueue::kMinBlock, n / 8 + 1);
    TimerQueue q;
    std::uint32_t next = 0, fired = 0;
    auto push = [&] { q.push(Timer{Time{next}, next, next, 0, 0, 0, TimerKind::Deadline}), ++next; };
    while (q.size() < n) push();
    CHECK(q.lane_capacity() >= n);
    CHECK(q.lane_capacity() - n < spare);
    for (std::size_t churn = 0; churn < 3 * n + 100; ++churn) {
      push();
      REQUIRE(q.front().room == fired++);  // first in, first out, across blocks
      q.pop();
    }
    CHECK(q.size() == n);
    CHECK(q.lane_capacity() - n < 2 * spare);  // the front block's fired part, the back's free part
    while (!q.empty()) {
      REQUIRE(q.front().room == fired++);
      q.pop();
    }
    CHECK(fired == next);
    CHECK(q.lane_capacity() <= TimerQueue::kMaxBlock);  // a drained lane keeps one block
  }
}

TEST_CASE("timer queue: filtering keeps the order across blocks, whatever it keeps", "[timers]") {
  // Every filter position (first, last, whole blocks, nothing) over lanes of several blocks.
  for (std::uint32_t n : {5u, 31u, 62u, 95u, 400u}) {
    for (std::uint32_t keep_every : {1u, 2u, 31u, 1000u}) {
      TimerQueue q;
      for (std::uint32_t i = 0; i < 7; ++i) q.push(Timer{Time{i}, i, i, 0, 0, 0, TimerKind::Deadline});
      for (std::uint32_t i = 0; i < 7; ++i) q.pop();  // the lane starts mid-block
      for (std::uint32_t i = 0; i < n; ++i) q.push(Timer{Time{i + 7}, i + 7, i, 0, 0, 0, TimerKind::Deadline});
      q.filter([keep_every](const Timer& t) { return t.room % keep_every == 0; });
      std::vector<std::uint32_t> expected;
      for (std::uint32_t i = 0; i < n; i += keep_every) expected.push_back(i);
      CHECK(q.lane_capacity() < expected.size() + 2 * TimerQueue::kMinBlock);
      // Pushing after a filter appends behind what was kept.
      q.push(Timer{Time{n + 100}, n + 100, 99'999, 0, 0, 0, TimerKind::Deadline});
      expected.push_back(99'999);
      CHECK(drain(q) == expected);
    }
  }
}

TEST_CASE("timer queue: room timers whose steps pass 32 bits keep their order through the heap", "[timers]") {
  // Bot fills and deadlines are kept as 32-bit steps from the timer before: a due ~49
  // days after the back's, or a seq 2^32 after it (a hand-made snapshot, a long-lived
  // engine), does not fit and waits in the heap; the firing order is unchanged.
  constexpr Time kDay = 86'400'000;
  constexpr std::uint64_t kBig = std::uint64_t{1} << 33;
  for (const TimerKind kind : {TimerKind::BotFill, TimerKind::Deadline}) {
    for (const bool newest : {false, true}) {
      TimerQueue q;
      const std::vector<Timer> ts = {
          {10, 1, 0, 7, 0, 0, kind},          {10, 2, 1, 8, 0, 0, kind},
          {60 * kDay, 3, 2, 9, 0, 0, kind},   // 60 days after the back: the heap
          {60 * kDay, 4, 3, 1, 0, 0, kind},   // the back is still the second: the heap too
          {11, 5, 4, 2, 0, 0, kind},          // fits after the second
          {11, kBig, 5, 3, 0, 0, kind},       // a seq 2^33 after: the heap
          {12, kBig + 1, 6, 4, 0, 0, kind},   // ~2^33 after the lane's back (seq 5): the heap
      };
      for (const Timer& t : ts) push_as(q, t, newest);
      REQUIRE(q.size() == ts.size());
      std::vector<Timer> seen;
      q.for_each([&seen](const Timer& t) { seen.push_back(t); });
      REQUIRE(seen.size() == ts.size());
      for (const Timer& t : seen) {
        const auto same = std::find_if(ts.begin(), ts.end(), [&t](const Timer& x) { return x.seq == t.seq; });
        REQUIRE(same != ts.end());
        CHECK((t.due == same->due && t.room == same->room && t.gen == same->gen && t.kind == kind));
        CHECK(t.player == detail::kNoTimerPlayer);  // a room timer names no player
      }
      const TimerQueue copy = q;
      check_drains_as(q, ts);
      TimerQueue again = copy;
      check_drains_as(again, ts);
    }
  }
}

TEST_CASE("timer queue: filtering out room timers between two kept ones spills a step too long", "[timers]") {
  // Steps add up over the timers a filter drops: two kept timers ~60 days apart no
  // longer fit one step, so the later one goes to the heap, in order still.
  constexpr Time kDay = 86'400'000;
  TimerQueue q;
  std::vector<Timer> ts;
  for (std::uint32_t i = 0; i < 100; ++i) ts.push_back(Timer{Time{i} * kDay, i + 1, i, i, 0, 0, TimerKind::Deadline});
  for (const Timer& t : ts) q.push(t);
  REQUIRE(q.lane_capacity() >= 100);  // each a day after the last: all in the lane
  auto kept = [](const Timer& t) { return t.room < 3 || t.room % 60 == 0 || t.room > 95; };  // 2 to 60: 58 days
  q.filter(kept);
  std::erase_if(ts, [&kept](const Timer& t) { return !kept(t); });
  REQUIRE(q.size() == ts.size());
  // Pushed after the filter, behind the last kept one.
  const Timer last{200 * kDay, 500, 999, 0, 0, 0, TimerKind::Deadline};
  q.push(last);
  ts.push_back(last);
  // Each timer whole, not just in order: a step cut to 32 bits would shift a due.
  std::vector<std::pair<Time, std::uint64_t>> got, want;
  for (const Timer& t : ts) want.emplace_back(t.due, t.seq);
  while (!q.empty()) {
    got.emplace_back(q.front().due, q.front().seq);
    q.pop();
  }
  CHECK(got == want);
}

TEST_CASE("timer queue: deadlines fired from their lane pop as pop() would, a throw included", "[timers]") {
  // A queue of deadlines only, across several of the lane's blocks; `fire_deadlines`
  // pops the lane alone and sets the queue's counts and front once at the end, or as a
  // firing throws.
  auto fill = [](TimerQueue& q, std::vector<Timer>& ts) {
    for (std::uint32_t i = 0; i < 300; ++i) {
      const Timer t{Time{i / 3} * 10, std::uint64_t{i} * 2 + 1, i, i + 7, detail::kNoTimerPlayer, 0, TimerKind::Deadline};
      q.push_deadline(t.due, t.seq, t.room, t.gen);
      ts.push_back(t);
    }
    REQUIRE(q.deadlines_only());
  };
  auto same = [](const Timer& a, const Timer& b) {
    return a.due == b.due && a.seq == b.seq && a.room == b.room && a.gen == b.gen && a.kind == b.kind;
  };
  auto rest_in_order = [&](TimerQueue& q, const std::vector<Timer>& ts, std::size_t from) {
    REQUIRE(q.size() == ts.size() - from);
    for (std::size_t k = from; k < ts.size(); ++k) {
      REQUIRE(q.next_due() == ts[k].due);
      REQUIRE(same(q.front(), ts[k]));
      q.pop();
    }
    CHECK(q.empty());
  };

  SECTION("every timer due by t, whole and in order, and the rest stays queued") {
    TimerQueue q;
    std::vector<Timer> ts;
    fill(q, ts);
    std::vector<Timer> fired;
    q.fire_deadlines(555, [&](const Timer& t) { fired.push_back(t); });
    const auto due = static_cast<std::size_t>(std::count_if(ts.begin(), ts.end(), [](const Timer& t) { return t.due <= 555; }));
    REQUIRE(fired.size() == due);
    for (std::size_t k = 0; k < due; ++k) CHECK(same(fired[k], ts[k]));
    rest_in_order(q, ts, due);
  }
  SECTION("a firing that throws leaves its timer and those before it popped") {
    TimerQueue q;
    std::vector<Timer> ts;
    fill(q, ts);
    std::size_t calls = 0;
    struct Boom {};
    CHECK_THROWS_AS(q.fire_deadlines(2000,
                                     [&](const Timer&) {
                                       if (++calls == 77) throw Boom{};
                                     }),
                    Boom);
    REQUIRE(calls == 77);
    rest_in_order(q, ts, 77);
  }
  SECTION("nothing due: nothing fires") {
    TimerQueue q;
    std::vector<Timer> ts;
    fill(q, ts);
    bool any = false;
    q.fire_deadlines(-1, [&](const Timer&) { any = true; });
    CHECK_FALSE(any);
    rest_in_order(q, ts, 0);
  }
}
