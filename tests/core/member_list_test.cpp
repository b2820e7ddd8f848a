// MemberList: a room's members and the owner's seat data in one block, shared with
// events. Views taken earlier keep what they saw whatever the room does next.

#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "roshambo/engine.hpp"
#include "roshambo/event.hpp"
#include "rooms.hpp"

using namespace roshambo;

namespace {

struct TestSeat {
  std::uint32_t player;
  std::uint8_t choice;
};

TestSeat* seats(MemberList& l) { return static_cast<TestSeat*>(l.seat_data()); }

std::vector<std::string> uids(const MemberList& l, std::uint32_t n) {
  std::vector<std::string> out;
  for (std::uint32_t i = 0; i < n; ++i) out.emplace_back(l[i].uid());
  return out;
}

}  // namespace

TEST_CASE("member list: members and seat data move together", "[members]") {
  MemberListRef l = MemberList::make(4, sizeof(TestSeat));
  CHECK(l->capacity() == 4);
  CHECK(l->size() == 0);
  CHECK(l->unique());
  for (std::uint32_t i = 0; i < 4; ++i) {
    seats(*l)[i] = {10 + i, static_cast<std::uint8_t>(i)};
    l->push_back(ProfileRef::make("u" + std::to_string(i), "", ""));
  }
  CHECK(uids(*l, 4) == std::vector<std::string>{"u0", "u1", "u2", "u3"});

  l->erase(1);
  REQUIRE(l->size() == 3);
  CHECK(uids(*l, 3) == std::vector<std::string>{"u0", "u2", "u3"});
  CHECK(seats(*l)[1].player == 12);
  CHECK(seats(*l)[2].player == 13);
  CHECK(seats(*l)[2].choice == 3);

  l->clear();
  CHECK(l->size() == 0);
}

TEST_CASE("member list: a shared list is copied, never changed under a view", "[members]") {
  MemberListRef room = MemberList::make(3, sizeof(TestSeat));
  const ProfileRef a = ProfileRef::make("a", "Ann", "");
  const ProfileRef b = ProfileRef::make("b", "Bob", "");
  seats(*room)[0] = {1, 0};
  room->push_back(a);
  seats(*room)[1] = {2, 0};
  room->push_back(b);

  const MemberView seen{room, room->size()};  // an event's view
  CHECK_FALSE(room->unique());
  room = room->copy_without(0);  // what the engine does when a member leaves a shared list
  CHECK(room->unique());
  CHECK(uids(*room, room->size()) == std::vector<std::string>{"b"});
  CHECK(seats(*room)[0].player == 2);
  CHECK(seen.size() == 2);
  CHECK(seen[0].uid() == "a");
  CHECK(seen[1].uid() == "b");

  // Appending to a shared list leaves a view's prefix as it was.
  MemberView before{room, room->size()};
  room->push_back(a);
  CHECK(before.size() == 1);
  CHECK(before[0].uid() == "b");

  const MemberListRef twin = room->copy();
  CHECK(twin->size() == 2);
  CHECK(twin->capacity() == 3);
  CHECK(twin.get() != room.get());
  CHECK(&(*twin)[0] == &(*room)[0]);  // profiles are shared, not copied
}

TEST_CASE("member list: the last handle frees it and its profiles", "[members]") {
  ProfileRef p = ProfileRef::make("p", "", "");
  const Profile* raw = p.get();
  {
    MemberListRef l = MemberList::make(2);
    l->push_back(p);
    MemberListRef other = l;
    CHECK_FALSE(l->unique());
    l = MemberListRef{};
    CHECK(other->unique());
    CHECK(&(*other)[0] == raw);
  }
  CHECK(p.get() == raw);  // still ours; ASan and the leak check watch the rest
}

TEST_CASE("shared array: an anchored array keeps the members its elements point to", "[members]") {
  SharedArray<ResultRow> rows;
  {
    MemberListRef list = MemberList::make(3);
    list->push_back(ProfileRef::make("ann", "Ann", ""));
    list->push_back(ProfileRef::make("bob", "Bob", ""));
    SharedArray<ResultRow> made(2, list);
    for (std::uint32_t i = 0; i < 2; ++i) made.data()[i].who = &(*list)[i];
    rows = made;  // a copy: one more reference, no new allocation
    CHECK(rows.begin() == made.begin());
  }  // the list's own handle and the first array are gone
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].who->uid() == "ann");
  CHECK(rows.at(1).who->name() == "Bob");
  CHECK_THROWS_AS(rows.at(2), std::out_of_range);
  const SharedArray<StartScore> empty(0);
  CHECK(empty.empty());
  CHECK(empty.begin() == empty.end());
  const SharedArray<StartScore> scores{{-4, 0}, {9, 2}};
  CHECK(scores.back().win_streak == 2);
  CHECK(scores.front().total_score == -4);
}

TEST_CASE("shared arrays built in place by their maker", "[members]") {
  SharedArray<StartScore> built(3, {}, Uninitialised{});
  REQUIRE(built.size() == 3);
  for (std::uint32_t i = 0; i < 3; ++i) ::new (built.data() + i) StartScore{10 * i, i, 7 + i};
  const SharedArray<StartScore> copy = built;  // shared: read-only from here
  CHECK(copy.begin() == built.begin());
  CHECK(copy[2].total_score == 20);
  CHECK(copy[1].win_streak == 1);
  CHECK(copy[0].handle == 7);
  const SharedArray<ResultRow> none(0, {}, Uninitialised{});
  CHECK(none.empty());
  // Dropped before any element is built: trivially destructible, nothing to undo.
  { SharedArray<ResultRow> dropped(4, {}, Uninitialised{}); }
}

TEST_CASE("result rows outlive their event and the engine", "[members]") {
  SharedArray<ResultRow> rows;
  {
    Config cfg;
    cfg.bot_fill_after_ms = 0;
    Engine e(cfg);
    std::vector<Event> out;
    e.handle(Command::hello("ann", "Ann"), 0, out);
    e.handle(Command::hello("bob", "Bob"), 0, out);
    e.handle(Command::join("ann"), 0, out);
    e.handle(Command::join("bob"), 0, out);
    e.handle(Command::choice("ann", static_cast<std::int64_t>(Choice::Rock)), 1, out);
    out.clear();
    e.tick(cfg.game_time_ms, out);
    REQUIRE(out.size() == 1);
    rows = std::get<ResultData>(out[0].data).rows;
  }  // events and engine gone: under ASan a dangling `who` is an error here
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].who->uid() == "ann");
  CHECK(rows[1].who->uid() == "bob");
  CHECK(rows[0].round_score > 0);
}

TEST_CASE("member list: a borrowing list owns its members before a second handle exists",
          "[members]") {
  using detail::MemberListAccess;
  // The owner's profiles; a borrowing list holds no count on them.
  std::vector<ProfileRef> owner;
  for (int i = 0; i < 3; ++i) owner.push_back(ProfileRef::make("m" + std::to_string(i), "Name", ""));
  MemberListRef l = MemberListAccess::make(3, sizeof(TestSeat));
  REQUIRE(MemberListAccess::borrows(*l));
  for (std::uint32_t i = 0; i < 3; ++i) {
    seats(*l)[i] = {i, 0};
    MemberListAccess::push(*l, owner[i]);
  }
  // Unshared, it erases and copies without counts...
  l->erase(0);
  CHECK(uids(*l, 2) == std::vector<std::string>{"m1", "m2"});
  CHECK(seats(*l)[0].player == 1);
  MemberListRef twin = l->copy();
  CHECK(MemberListAccess::borrows(*twin));
  twin = MemberListRef{};
  // ...and an emptied list borrows again; the owner's profiles were never released.
  MemberListAccess::reset(*l);
  CHECK(MemberListAccess::borrows(*l));
  CHECK(l->size() == 0);
  for (std::uint32_t i = 0; i < 3; ++i) MemberListAccess::push(*l, owner[i]);

  SECTION("share() and a handle's copy take counts: the members outlive their owner") {
    const bool by_copy = GENERATE(false, true);
    MemberListRef held = by_copy ? MemberListRef(l) : l->share();
    CHECK_FALSE(MemberListAccess::borrows(*l));
    MemberListAccess::own(*l);  // owned already: no second count
    owner.clear();
    // Freed profiles' memory would now be reused by these (under ASan: reported).
    std::vector<ProfileRef> others;
    for (int i = 0; i < 8; ++i) others.push_back(ProfileRef::make("x" + std::to_string(i), "Othr", ""));
    l = MemberListRef{};
    CHECK(uids(*held, 3) == std::vector<std::string>{"m0", "m1", "m2"});
    CHECK((*held)[2].name() == "Name");
    // An owning list appends with a count, whatever the call: the member outlives the
    // caller's handle.
    MemberListRef four = MemberList::make(4);
    {
      const ProfileRef late = ProfileRef::make("late", "Late", "");
      MemberListAccess::push(*four, late);
    }
    for (int i = 0; i < 8; ++i) others.push_back(ProfileRef::make("y" + std::to_string(i), "Othr", ""));
    CHECK(uids(*four, 1) == std::vector<std::string>{"late"});
    CHECK((*four)[0].name() == "Late");
  }
  SECTION("own() before the owner lets go, as a rename does") {
    MemberListAccess::own(*l);
    CHECK_FALSE(MemberListAccess::borrows(*l));
    owner.clear();
    std::vector<ProfileRef> others;
    for (int i = 0; i < 8; ++i) others.push_back(ProfileRef::make("x" + std::to_string(i), "Othr", ""));
    CHECK(uids(*l, 3) == std::vector<std::string>{"m0", "m1", "m2"});
    l->erase(1);  // an owning erase drops m1's count, and only its
    CHECK(uids(*l, 2) == std::vector<std::string>{"m0", "m2"});
  }
}
