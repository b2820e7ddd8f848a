// The engine's player table (core/src/player_table.hpp, internal): humans by id and
// by uid, the bot pool, and the table's own verify().

#include <catch2/catch.hpp>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "player_table.hpp"
#include "roshambo/rng.hpp"

using namespace roshambo;
using roshambo::detail::kBotBit;
using roshambo::detail::kNone;
using roshambo::detail::PlayerRec;
using roshambo::detail::PlayerTable;

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::logic_error(what); }

std::uint32_t add(PlayerTable& t, const std::string& uid) {
  PlayerRec rec;
  rec.profile = ProfileRef::make(uid, "n", "", false, t.next_human_id());
  return t.add_human(std::move(rec));
}

ProfileRef bot_profile(int n) {
  const std::string uid = "bot-" + std::to_string(n);
  return ProfileRef::make(uid, uid, "", true);
}

}  // namespace

TEST_CASE("player table: humans keep registration order and are found by uid", "[players]") {
  PlayerTable t(42);
  CHECK(t.find("nobody") == kNone);  // an empty index
  std::map<std::string, std::uint32_t> ids;
  Rng rng{3};
  for (int i = 0; i < 5000; ++i) {
    // Uids of every length the hash reads differently (tails of 0..7 bytes, long ones).
    std::string uid(1 + rng.below(40), 'x');
    for (char& c : uid) c = static_cast<char>('a' + rng.below(26));
    uid += std::to_string(i);
    const std::uint32_t id = add(t, uid);
    CHECK(id == static_cast<std::uint32_t>(i));
    ids[uid] = id;
  }
  REQUIRE(t.human_count() == 5000);
  for (const auto& [uid, id] : ids) {
    REQUIRE(t.find(uid) == id);
    REQUIRE(t.human(id).profile->uid() == uid);
    REQUIRE(t[id].profile->handle() == id);
  }
  CHECK(t.find("") == kNone);
  CHECK(t.find("zzz-not-there") == kNone);
  // Unknown uids, among them each registered uid one byte longer or shorter: every
  // probe passes slots whose tags must tell them apart (a slot's tag is part of its
  // uid's hash, so a near miss has to be compared or skipped, never taken).
  std::size_t unknown = 0;
  for (const auto& [uid, id] : ids) {
    for (const std::string& other : {uid + "x", uid.substr(0, uid.size() - 1), "#" + uid}) {
      if (ids.count(other)) continue;
      ++unknown;
      REQUIRE(t.find(other) == kNone);
    }
  }
  CHECK(unknown > 14'000);
  CHECK(t.humans().size() == 5000);
  t.verify(fail);
}

TEST_CASE("player table: the bot pool reuses slots and keeps its count", "[players]") {
  PlayerTable t;
  add(t, "human");
  std::vector<std::uint32_t> live;
  for (int i = 1; i <= 100; ++i) live.push_back(t.add_bot(bot_profile(i)));
  CHECK(t.live_bots() == 100);
  CHECK(t.bot_slots() == 100);
  for (std::uint32_t id : live) {
    REQUIRE((id & kBotBit) != 0);
    REQUIRE(t[id].live);
    REQUIRE(t[id].online);
    REQUIRE(t[id].profile->bot());
  }
  // Free every other bot; new bots take those slots before the pool grows.
  for (std::size_t i = 0; i < live.size(); i += 2) t.free_bot(live[i]);
  CHECK(t.live_bots() == 50);
  t.verify(fail);
  for (int i = 101; i <= 150; ++i) t.add_bot(bot_profile(i));
  CHECK(t.bot_slots() == 100);
  CHECK(t.live_bots() == 100);
  t.add_bot(bot_profile(151));
  CHECK(t.bot_slots() == 101);
  t.verify(fail);
  // Humans are not bots: the human's id has no bot bit and is found by uid.
  CHECK(t.find("human") == 0);
  CHECK(t.find("bot-1") == kNone);
}

TEST_CASE("player table: a copy is independent and keeps working", "[players]") {
  PlayerTable t(7);
  for (int i = 0; i < 100; ++i) add(t, "p" + std::to_string(i));
  std::vector<std::uint32_t> bots;
  for (int i = 1; i <= 20; ++i) bots.push_back(t.add_bot(bot_profile(i)));
  for (int i = 0; i < 10; ++i) t.free_bot(bots[i]);
  PlayerTable copy = t;
  add(copy, "only-in-copy");
  for (int i = 10; i < 20; ++i) copy.free_bot(bots[i]);
  CHECK(copy.find("only-in-copy") == 100);
  CHECK(t.find("only-in-copy") == kNone);
  CHECK(copy.live_bots() == 0);
  CHECK(t.live_bots() == 10);
  copy.verify(fail);
  t.verify(fail);
}

TEST_CASE("player table: verify catches a broken table", "[players]") {
  auto fails_with = [](const PlayerTable& t, const std::string& what) {
    try {
      t.verify(fail);
    } catch (const std::logic_error& e) {
      return std::string(e.what()).find(what) != std::string::npos;
    }
    return false;
  };
  PlayerTable t;
  for (int i = 0; i < 10; ++i) add(t, "p" + std::to_string(i));
  const std::uint32_t b = t.add_bot(bot_profile(1));
  t.verify(fail);

  PlayerTable renamed = t;
  renamed.human(3).profile = ProfileRef::make("someone-else", "", "", false, 3);
  CHECK(fails_with(renamed, "does not find 'someone-else'"));

  PlayerTable wrong_handle = t;
  wrong_handle.human(4).profile = ProfileRef::make("p4", "", "", false, 9);
  CHECK(fails_with(wrong_handle, "does not name its player"));

  PlayerTable dead_bot = t;
  dead_bot[b].live = false;  // neither live nor in the free list
  CHECK(fails_with(dead_bot, "bot slot"));
}

TEST_CASE("player table: uids that differ in one byte at any place are told apart", "[players]") {
  // Every length the lookup's byte comparison treats apart (under 4, 4-7, 8-16, longer),
  // a registered uid, and the same with one byte changed at each place, which is not.
  PlayerTable t(7);
  std::vector<std::string> uids;
  for (std::size_t n = 1; n <= 24; ++n) {
    std::string u;
    for (std::size_t i = 0; i < n; ++i) u.push_back(static_cast<char>('a' + (i * 7 + n) % 26));
    uids.push_back(u);
    add(t, u);
  }
  for (std::uint32_t id = 0; id < uids.size(); ++id) {
    const std::string& u = uids[id];
    CHECK(t.find(u) == id);
    for (std::size_t i = 0; i < u.size(); ++i) {
      std::string v = u;
      v[i] = static_cast<char>(v[i] ^ 0x20);
      INFO(u << " vs " << v);
      CHECK(t.find(v) == kNone);
    }
    CHECK(t.find(u.substr(0, u.size() - 1) + "#") == kNone);
  }
}

TEST_CASE("player table: the byte comparison behind a uid match", "[players]") {
  // The lookup compares bytes only when a slot's hash tag matches, so the comparison
  // is checked here directly: every length, a change at every place.
  for (std::size_t n = 0; n <= 24; ++n) {
    std::string a;
    for (std::size_t i = 0; i < n; ++i) a.push_back(static_cast<char>('A' + i));
    CHECK(roshambo::detail::same_bytes(a, std::string(a)));
    CHECK_FALSE(roshambo::detail::same_bytes(a, a + "x"));
    for (std::size_t i = 0; i < n; ++i) {
      std::string b = a;
      b[i] = '#';
      INFO("length " << n << ", byte " << i);
      CHECK_FALSE(roshambo::detail::same_bytes(a, b));
    }
  }
}

TEST_CASE("player table: reserving sizes the index once and loses no player", "[players]") {
  PlayerTable t(7);
  for (int i = 0; i < 5; ++i) add(t, "early" + std::to_string(i));
  t.reserve_humans(1000);  // re-indexes the five already there
  t.verify(fail);
  t.reserve_humans(10);    // smaller than held: nothing to do
  for (int i = 0; i < 1000; ++i) add(t, "late" + std::to_string(i));
  t.verify(fail);
  for (int i = 0; i < 5; ++i) CHECK(t.find("early" + std::to_string(i)) == static_cast<std::uint32_t>(i));
  for (int i = 0; i < 1000; ++i) CHECK(t.find("late" + std::to_string(i)) == static_cast<std::uint32_t>(5 + i));
  CHECK(t.find("late1000") == kNone);
  CHECK_THROWS_AS(t.reserve_humans(std::size_t{1} << 40), std::length_error);
  CHECK(t.human_count() == 1005);
  t.verify(fail);
}
