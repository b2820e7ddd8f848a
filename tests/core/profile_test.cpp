// Profiles (roshambo/profile.hpp) and the arena the engine packs its players'
// profiles into (core/src/profile_arena.hpp, internal).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "profile_arena.hpp"
#include "roshambo/profile.hpp"

using namespace roshambo;
using roshambo::detail::ProfileArena;

namespace {

// A text of `n` bytes that differs per field and position, so a shifted or truncated
// field shows.
std::string text(std::size_t n, char first) {
  std::string s(n, ' ');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(first + static_cast<char>(i % 23));
  return s;
}

// Header, three one-byte lengths, the texts, rounded to 4: what a small profile takes
// in a slab.
std::size_t packed_size(std::size_t text_bytes) { return (8 + 3 + text_bytes + 3) & ~std::size_t{3}; }

}  // namespace

TEST_CASE("profile: texts, bot flag and handle round-trip at every length class", "[profile]") {
  // Around each step of the lengths' encoding: one byte holds the uid below 64 (its low
  // bit is the bot flag) and the others below 128; two bytes up to 16 383 (8 191).
  const std::vector<std::size_t> lengths = {0, 1, 63, 64, 127, 128, 255, 256, 8191, 8192, 16383, 16384, 65535};
  const std::vector<std::uint32_t> handles = {0, 1, 12345, Profile::kMaxHandle - 1, Profile::kNoHandle};
  ProfileArena arena;
  std::size_t k = 0;
  for (std::size_t u : lengths) {
    for (std::size_t n : lengths) {
      const std::size_t a = lengths[(k * 7) % lengths.size()];
      const bool bot = k % 2 == 1;
      const std::uint32_t handle = handles[k % handles.size()];
      ++k;
      const std::string uid = text(u, 'a'), name = text(n, 'A'), avatar = text(a, '0');
      INFO("uid " << u << ", name " << n << ", avatar " << a << ", bot " << bot << ", handle " << handle);
      for (const ProfileRef& p : {ProfileRef::make(uid, name, avatar, bot, handle),
                                  arena.make(uid, name, avatar, bot, handle, true)}) {
        CHECK(p->uid() == uid);
        CHECK(p->name() == name);
        CHECK(p->avatar() == avatar);
        CHECK(p->bot() == bot);
        CHECK(p->handle() == handle);
      }
    }
  }
}

TEST_CASE("profile: texts of 64 KiB and handles out of range are refused", "[profile]") {
  const std::string big(65536, 'x');
  ProfileArena arena;
  CHECK_THROWS_AS(ProfileRef::make(big, "", ""), std::invalid_argument);
  CHECK_THROWS_AS(ProfileRef::make("u", big, ""), std::invalid_argument);
  CHECK_THROWS_AS(ProfileRef::make("u", "", big), std::invalid_argument);
  CHECK_THROWS_AS(ProfileRef::make("u", "", "", false, Profile::kMaxHandle), std::invalid_argument);
  CHECK_THROWS_AS(ProfileRef::make("u", "", "", false, Profile::kNoHandle - 1), std::invalid_argument);
  CHECK_THROWS_AS(arena.make("u", big, "", false, 0, true), std::invalid_argument);
  CHECK_THROWS_AS(arena.make("u", "", "", false, Profile::kMaxHandle, true), std::invalid_argument);
  // A refusal takes no space: the next two profiles are still neighbours.
  const ProfileRef a = arena.make("a", "", "", false, 0, true);
  CHECK_THROWS_AS(arena.make("u", "", big, false, 1, true), std::invalid_argument);
  const ProfileRef b = arena.make("b", "", "", false, 1, true);
  CHECK(reinterpret_cast<const char*>(b.get()) - reinterpret_cast<const char*>(a.get()) ==
        static_cast<std::ptrdiff_t>(packed_size(1)));
}

TEST_CASE("profile arena: profiles packed back to back, 4-aligned, a new slab when one is full",
          "[profile]") {
  ProfileArena arena;
  std::vector<ProfileRef> ps;
  std::size_t jumps = 0;
  for (std::size_t i = 0; i < 3000; ++i) {
    const std::size_t len = i % 37;  // every rounding remainder
    ps.push_back(arena.make("u" + std::to_string(i), text(len, 'n'), "", false, static_cast<std::uint32_t>(i), true));
    const auto at = reinterpret_cast<std::uintptr_t>(ps.back().get());
    CHECK(at % 4 == 0);
    // A profile lies inside one slab.
    CHECK(at / ProfileArena::kSlabBytes ==
          (at + packed_size(ps.back()->uid().size() + len) - 1) / ProfileArena::kSlabBytes);
    if (i == 0) continue;
    const auto prev = reinterpret_cast<std::uintptr_t>(ps[i - 1].get());
    const std::size_t prev_size = packed_size(ps[i - 1]->uid().size() + ps[i - 1]->name().size());
    if (at == prev + prev_size) continue;
    // Otherwise the previous slab had no room left for this one.
    ++jumps;
    const std::uintptr_t prev_slab_end =
        (prev & ~(std::uintptr_t{ProfileArena::kSlabBytes} - 1)) + ProfileArena::kSlabBytes - 8;
    CHECK(prev + prev_size + packed_size(ps.back()->uid().size() + len) > prev_slab_end);
  }
  // ~27 bytes of text a profile: 3000 of them fill several 32 KiB slabs.
  CHECK(jumps >= 2);
  for (std::size_t i = 0; i < ps.size(); ++i) {
    CHECK(ps[i]->uid() == "u" + std::to_string(i));
    CHECK(ps[i]->name() == text(i % 37, 'n'));
    CHECK(ps[i]->handle() == i);
  }
}

TEST_CASE("profile arena: profiles outlive the arena, its copies and moves", "[profile]") {
  // The slabs are freed with their last profile; under ASan a slab freed early is a
  // use after free below, and one never freed is a leak.
  std::vector<ProfileRef> kept;
  {
    ProfileArena arena;
    for (int i = 0; i < 4000; ++i) {
      ProfileRef p = arena.make("u" + std::to_string(i), text(40, 'n'), "https://x/" + std::to_string(i), false,
                                static_cast<std::uint32_t>(i), true);
      if (i % 3 == 0) kept.push_back(p);  // the rest die at once
    }
    ProfileArena copy(arena);  // shares no slab
    kept.push_back(copy.make("copy", "", "", false, 1, true));
    ProfileArena moved(std::move(arena));
    kept.push_back(moved.make("moved", "", "", false, 2, true));
    ProfileArena assigned;
    kept.push_back(assigned.make("assigned-before", "", "", false, 3, true));
    assigned = std::move(moved);
    kept.push_back(assigned.make("assigned-after", "", "", false, 4, true));
    // Too large for a slab: allocated apart, freed apart.
    kept.push_back(assigned.make("big", text(200, 'n'), text(9000, 'a'), false, 5, true));
  }
  for (std::size_t k = 0; k + 5 < kept.size(); ++k) {
    CHECK(kept[k]->uid() == "u" + std::to_string(k * 3));
    CHECK(kept[k]->avatar() == "https://x/" + std::to_string(k * 3));
  }
  const std::size_t n = kept.size();
  CHECK(kept[n - 5]->uid() == "copy");
  CHECK(kept[n - 4]->uid() == "moved");
  CHECK(kept[n - 3]->uid() == "assigned-before");
  CHECK(kept[n - 2]->uid() == "assigned-after");
  CHECK(kept[n - 1]->uid() == "big");
  CHECK(kept[n - 1]->avatar() == text(9000, 'a'));
  CHECK(kept[n - 1]->handle() == 5);
  // Dropped out of order: slabs go as their last profile does.
  for (std::size_t k = 0; k < n; k += 2) kept[k] = ProfileRef();
  for (std::size_t k = 1; k < n; k += 2) CHECK(!kept[k]->uid().empty());
  kept.clear();
}

TEST_CASE("profile arena: a dead profile's block is reused for the next of its size, from any thread",
          "[profile]") {
  ProfileArena arena;
  ProfileRef a = arena.make("ann", "Ann", "", false, 0, true);
  const ProfileRef keep = arena.make("bob", "Bob", "", false, 1, true);
  const Profile* block = a.get();
  a = ProfileRef();  // dies here: back to its arena
  // Another size takes fresh space; the same size (8 + 3 + 6 bytes, rounded: 20) takes the block.
  const ProfileRef longer = arena.make("cid", "Cid the longer", "", false, 2, true);
  CHECK(longer.get() != block);
  const ProfileRef same = arena.make("dan", "Dan", "", false, 3, true);
  CHECK(same.get() == block);
  CHECK(same->uid() == "dan");
  CHECK(same->handle() == 3);
  CHECK(keep->uid() == "bob");

  // Dropped on another thread, taken back on the arena's.
  ProfileRef e = arena.make("eve", "Eve", "x", false, 4, true);
  const Profile* e_block = e.get();
  std::thread([p = std::move(e)]() mutable { p = ProfileRef(); }).join();
  CHECK(arena.make("fay", "Fay", "y", false, 5, true).get() == e_block);

  // New profiles in a loop, each dropping the one before: two blocks serve them all.
  std::vector<const Profile*> seen;
  ProfileRef player = arena.make("gus", "name 0", "", false, 6, true);
  for (int i = 1; i <= 50; ++i) {
    player = arena.make("gus", "name " + std::to_string(i % 10), "", false, 6, true);
    seen.push_back(player.get());
  }
  std::sort(seen.begin(), seen.end());
  CHECK(std::unique(seen.begin(), seen.end()) - seen.begin() <= 2);
}

TEST_CASE("profile arena: blocks dying after their arena go to their slabs", "[profile]") {
  // Under ASan a slab freed too early is a use after free and one never freed a leak.
  std::vector<ProfileRef> later;
  std::thread dropper;
  {
    ProfileArena arena;
    for (int i = 0; i < 3000; ++i) {
      ProfileRef p = arena.make("u" + std::to_string(i), "n", "", false, static_cast<std::uint32_t>(i), true);
      if (i % 2 == 0) later.push_back(std::move(p));  // odd ones die at once: waiting for reuse
    }
  }  // the arena goes with blocks waiting in its lists
  dropper = std::thread([&] {
    for (std::size_t k = 0; k < later.size(); k += 2) later[k] = ProfileRef();
  });
  dropper.join();
  for (std::size_t k = 1; k < later.size(); k += 2) CHECK(later[k]->uid() == "u" + std::to_string(2 * k));
  later.clear();
}

TEST_CASE("profile arena: a profile that may not grow the arena reuses a free block or goes to malloc",
          "[profile]") {
  ProfileArena arena;
  ProfileRef first = arena.make("ann", "Ann", "", false, 0, true);
  const ProfileRef next = arena.make("bob", "Bob", "", false, 1, true);
  // Renames through every length, each dropping the one before: none finds a free block
  // of its size except the first (Ann's), so the slab's end does not move.
  const Profile* ann_block = first.get();
  ProfileRef renamed = std::move(first);
  bool reused_ann = false;
  for (int len = 1; len <= 64; ++len) {
    renamed = arena.make("ann", text(static_cast<std::size_t>(len), 'A'), "", false, 0, false);
    reused_ann = reused_ann || renamed.get() == ann_block;
    CHECK(renamed->name() == text(static_cast<std::size_t>(len), 'A'));
    CHECK(renamed->handle() == 0);
  }
  CHECK(reused_ann);  // "Ann" and a 3-byte name are the same size
  // A size no rename left free: taken right after Bob's, where the slab ended.
  const ProfileRef after = arena.make("cid", "Cid the longer", "", false, 2, true);
  CHECK(reinterpret_cast<const char*>(after.get()) - reinterpret_cast<const char*>(next.get()) ==
        static_cast<std::ptrdiff_t>(packed_size(6)));
  // Without any slab yet, nothing to reuse: malloc, and the arena stays empty.
  ProfileArena empty;
  const ProfileRef apart = empty.make("dan", "Dan", "", false, 3, false);
  const ProfileRef first_in_empty = empty.make("eve", "Eve", "", false, 4, true);
  CHECK(apart->uid() == "dan");
  CHECK(reinterpret_cast<std::uintptr_t>(first_in_empty.get()) % ProfileArena::kSlabBytes == 16);
}
