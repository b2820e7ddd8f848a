// The engine's chunked slot storage (core/src/chunked.hpp, internal): growth that moves
// nothing and leaves under an eighth (or a chunk) unused, copies that share nothing.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "chunked.hpp"
#include "roshambo/event.hpp"

using roshambo::MemberList;
using roshambo::MemberListRef;
using roshambo::detail::Chunked;

TEST_CASE("chunked: elements keep their address and order as it grows", "[chunked]") {
  Chunked<std::uint64_t, 3> c;  // chunks of 8
  CHECK(c.empty());
  CHECK(c.capacity() == 0);
  std::vector<const std::uint64_t*> where;
  for (std::uint64_t i = 0; i < 100'000; ++i) {
    std::uint64_t& e = c.emplace_back();
    CHECK(e == 0);  // built as a default T
    e = i * 7;
    where.push_back(&e);
    CHECK(c.size() == i + 1);
    CHECK(c.capacity() >= c.size());
    // A chunk, or an eighth of what it holds, to spare at most.
    CHECK(c.capacity() - c.size() <= std::max<std::size_t>(7, c.size() / 8));
  }
  for (std::uint64_t i = 0; i < 100'000; ++i) {
    REQUIRE(&c[i] == where[i]);
    REQUIRE(c[i] == i * 7);
  }
  CHECK(c.back() == 99'999 * 7);
  std::uint64_t n = 0;
  for (std::uint64_t v : c) REQUIRE(v == 7 * n++);
  CHECK(n == 100'000);
  const Chunked<std::uint64_t, 3> copy = c;  // one allocation, nothing to spare
  CHECK(copy.capacity() == c.size());
  for (std::uint64_t i = 0; i < 100'000; i += 997) CHECK(copy[i] == c[i]);
}

TEST_CASE("chunked: a copy is independent, a move leaves the source empty", "[chunked]") {
  Chunked<MemberListRef, 2> c;
  for (int i = 0; i < 11; ++i) c.emplace_back() = MemberList::make(2);
  Chunked<MemberListRef, 2> copy = c;
  REQUIRE(copy.size() == 11);
  for (std::size_t i = 0; i < 11; ++i) {
    CHECK(copy[i].get() == c[i].get());  // the elements were copied (shared handles)
    CHECK(!c[i]->unique());
  }
  copy[3] = MemberList::make(4);
  CHECK(c[3]->capacity() == 2);
  CHECK(copy.emplace_back().get() == nullptr);
  CHECK(c.size() == 11);

  Chunked<MemberListRef, 2> moved = std::move(copy);
  CHECK(moved.size() == 12);
  CHECK(copy.size() == 0);  // NOLINT(bugprone-use-after-move): the state a move leaves is part of the API
  copy = moved;
  CHECK(copy.size() == 12);
  moved = Chunked<MemberListRef, 2>{};
  for (std::size_t i = 0; i < 11; ++i) CHECK((i == 3 || !c[i]->unique()));  // copy still holds them
  copy = Chunked<MemberListRef, 2>{};
  for (std::size_t i = 0; i < 11; ++i) CHECK(c[i]->unique());  // every copy's handle released
}
