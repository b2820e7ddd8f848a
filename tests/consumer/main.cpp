// A server project's first use of the installed package: two players, one round.
#include <iostream>
#include <roshambo/roshambo.hpp>

int main() {
  roshambo::Engine engine;
  for (const char* uid : {"a", "b"}) {
    engine.handle(roshambo::Command::hello(uid), 0);
    engine.handle(roshambo::Command::join(uid), 0);
  }
  engine.handle(roshambo::Command::choice("a", 2), 10);
  for (const auto& e : engine.tick(10'000)) std::cout << roshambo::event_to_json(e) << "\n";
  engine.verify();
  return 0;
}
