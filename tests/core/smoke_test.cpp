#include <catch2/catch.hpp>

#include "roshambo/roshambo.hpp"

TEST_CASE("two players settle one round") {
  roshambo::Engine e;
  e.handle(roshambo::Command::hello("a"), 0);
  e.handle(roshambo::Command::hello("b"), 0);
  e.handle(roshambo::Command::join("a"), 1);
  e.handle(roshambo::Command::join("b"), 2);
  e.handle(roshambo::Command::choice("a", 2), 3);
  const auto ev = e.tick(10'000);
  REQUIRE(ev.size() == 1);
  const auto& r = std::get<roshambo::ResultData>(ev[0].data);
  CHECK((*r.rows)[0].round_score == 1);
  CHECK(e.player("a")->total_score == 1);
  e.verify();
}
