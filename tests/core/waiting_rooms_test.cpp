// The engine's waiting rooms (core/src/rooms.hpp, internal): the list in creation
// order, the fill policies' picks, and the structure's own verify().

#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "roshambo/rng.hpp"
#include "rooms.hpp"

using namespace roshambo;
using roshambo::detail::kNone;
using roshambo::detail::RoomRec;
using roshambo::detail::RoomSlots;
using roshambo::detail::WaitingRooms;

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::logic_error(what); }

constexpr std::uint32_t kCapacity = 4;

// Room records as the engine keeps them: numbered in creation order, members in a block.
struct Rooms {
  RoomSlots recs;
  std::uint64_t next = 1;
  ProfileRef someone = ProfileRef::make("u", "", "");

  std::uint32_t open() {
    recs.emplace_back();
    RoomRec& r = recs.back();
    r.number = next++;
    r.phase = Phase::Waiting;
    r.block = MemberList::make(kCapacity);
    return static_cast<std::uint32_t>(recs.size() - 1);
  }
  void grow(std::uint32_t slot) { recs[slot].block->push_back(someone); }
};

// What each policy picks, from the records alone: the reference the structure must match.
std::uint32_t expected_pick(const RoomSlots& recs, const std::vector<std::uint32_t>& waiting,
                            FillPolicy policy) {
  if (waiting.empty()) return kNone;
  if (policy == FillPolicy::Oldest) return waiting.front();
  if (policy == FillPolicy::Newest) return waiting.back();
  std::uint32_t best = waiting.front();
  for (std::uint32_t s : waiting) {
    // Fullest: fewest free seats, then the oldest room.
    if (recs[s].size() > recs[best].size()) best = s;
  }
  return best;
}

}  // namespace

TEST_CASE("waiting rooms: each policy picks as the rules say, through random changes", "[rooms]") {
  for (FillPolicy policy : {FillPolicy::Oldest, FillPolicy::Newest, FillPolicy::Fullest}) {
    Rng rng{static_cast<std::uint64_t>(policy) + 1};
    Rooms rooms;
    WaitingRooms w(policy, kCapacity);
    std::vector<std::uint32_t> waiting;  // reference, in creation order
    CHECK(w.pick() == kNone);
    for (int step = 0; step < 3000; ++step) {
      const auto op = rng.below(3);
      if (op == 0 || waiting.empty()) {
        const std::uint32_t s = rooms.open();
        w.link(rooms.recs, s);
        waiting.push_back(s);
      } else if (op == 1) {
        // A member joins a waiting room; a full room starts and leaves the list.
        const std::uint32_t s = waiting[rng.below(waiting.size())];
        const std::size_t before = rooms.recs[s].size();
        rooms.grow(s);
        w.resized(rooms.recs, s, before);
        if (rooms.recs[s].size() == kCapacity) {
          w.unlink(rooms.recs, s);
          rooms.recs[s].phase = Phase::Playing;
          waiting.erase(std::find(waiting.begin(), waiting.end(), s));
        }
      } else {
        // A room closes.
        const std::uint32_t s = waiting[rng.below(waiting.size())];
        w.unlink(rooms.recs, s);
        rooms.recs[s].number = 0;
        waiting.erase(std::find(waiting.begin(), waiting.end(), s));
      }
      REQUIRE(w.size() == waiting.size());
      REQUIRE(w.pick() == expected_pick(rooms.recs, waiting, policy));
      w.verify(rooms.recs, fail);
    }
  }
}

TEST_CASE("waiting rooms: verify catches broken links and a stale index", "[rooms]") {
  auto fails_with = [](const WaitingRooms& w, const RoomSlots& recs, const std::string& what) {
    try {
      w.verify(recs, fail);
    } catch (const std::logic_error& e) {
      return std::string(e.what()).find(what) != std::string::npos;
    }
    return false;
  };
  Rooms rooms;
  WaitingRooms w(FillPolicy::Fullest, kCapacity);
  for (int i = 0; i < 3; ++i) w.link(rooms.recs, rooms.open());
  w.verify(rooms.recs, fail);

  RoomSlots playing = rooms.recs;
  playing[1].phase = Phase::Playing;
  CHECK(fails_with(w, playing, "out of order"));

  RoomSlots grown = rooms.recs;
  grown[2].block = MemberList::make(kCapacity);
  grown[2].block->push_back(rooms.someone);  // a member the index was not told about
  CHECK(fails_with(w, grown, "missing from the fullest index"));

  RoomSlots relinked = rooms.recs;
  relinked[2].prev = kNone;
  CHECK(fails_with(w, relinked, "links disagree"));
}
