// A server project's first use of the installed package: two players, one round; then
// a small tournament, which needs roshambo::sim as well.
#include <iostream>
#include <roshambo/roshambo.hpp>
#include <roshambo/sim.hpp>

int main() {
  roshambo::Engine engine;
  for (const char* uid : {"a", "b"}) {
    engine.handle(roshambo::Command::hello(uid), 0);
    engine.handle(roshambo::Command::join(uid), 0);
  }
  engine.handle(roshambo::Command::choice("a", 2), 10);
  for (const auto& e : engine.tick(10'000)) std::cout << roshambo::event_to_json(e) << "\n";
  engine.verify();

  roshambo::SimOptions o;
  o.players = 4;
  o.rounds = 2;
  o.mix = roshambo::parse_mix("rock,paper");
  const roshambo::SimResult r = roshambo::simulate(o);
  std::cout << "simulated " << r.player_rounds << " player-rounds\n";
  return r.player_rounds > 0 ? 0 : 1;
}
