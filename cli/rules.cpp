// `roshambo rules`: the defaults, presets, strategies and pairings as JSON, so a
// script can discover what the engine and the simulator accept.

#include <cstdio>
#include <stdexcept>
#include <variant>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "roshambo/event.hpp"
#include "roshambo/sim.hpp"
#include "roshambo/version.hpp"

namespace roshambo::cli {
namespace {

std::string rules_json() {
  using J = nlohmann::ordered_json;
  J j;
  j["version"] = roshambo::version();
  j["defaults"] = J::parse(Config{}.to_json());
  const J defaults = j["defaults"];
  J fields = J::array();
  for (const ConfigField& f : config_fields()) {
    static constexpr const char* kTypes[] = {"int", "bool", "word", "text"};
    J row = {{"name", std::string(f.name)},
             {"type", kTypes[static_cast<int>(f.type)]},
             {"default", defaults[std::string(f.name)]},
             {"flag", f.flag()},
             {"help", std::string(f.help)}};
    if (f.type == ConfigField::Type::Int) {
      row["min"] = f.min;
      row["max"] = f.max;
    }
    if (f.type == ConfigField::Type::Word) {
      for (std::string_view w : f.words) row["words"].push_back(std::string(w));
    }
    fields.push_back(std::move(row));
  }
  j["config_fields"] = std::move(fields);
  const SimOptions sim;
  j["simulate_defaults"] = {{"players", sim.players},
                            {"rounds", sim.rounds},
                            {"mix", mix_to_string(sim.mix)},
                            {"pairing", std::string(to_string(sim.pairing))},
                            {"shards", sim.shards},
                            {"top", sim.top},
                            {"format", "table"}};
  j["presets"] = J::array();
  j["presets"].push_back({{"name", "article"},
                          {"config", {{"scoring", "article"}}},
                          {"description", "x > 0 wins: streak + 1, round score x * streak; "
                                          "x <= 0: streak 0, round score 0 (the default)"}});
  j["presets"].push_back({{"name", "reference"},
                          {"config", {{"scoring", "reference"}}},
                          {"description", "as article, but a draw (x == 0) leaves the streak "
                                          "unchanged (the original server code)"}});
  J strategies = J::array();
  for (const StrategyInfo& s : strategy_registry()) {
    strategies.push_back({{"name", std::string(s.name)}, {"description", std::string(s.summary)}});
  }
  j["strategies"] = std::move(strategies);
  j["pairings"] = J::array();
  j["pairings"].push_back({{"name", "arrival"}, {"description", "players join in a fixed order (p1, p2, ...) every round"}});
  j["pairings"].push_back({{"name", "random"}, {"description", "a fresh seeded shuffle every round"}});
  j["pairings"].push_back({{"name", "swiss"}, {"description", "by total score, highest first, so similar scores share rooms"}});
  j["bot_strategies"] = {"uniform", "rock", "paper", "scissors", "none", "biased:R,P,S"};
  J events = J::array();
  for (std::size_t i = 0; i < std::variant_size_v<Event::Data>; ++i) {
    events.push_back(std::string(to_string(static_cast<EventType>(i))));
  }
  j["events"] = std::move(events);
  return j.dump(2) + "\n";
}

}  // namespace

void setup_rules(CLI::App& app) {
  auto* cmd = app.add_subcommand("rules", "Print the default config, presets, strategies and pairings as JSON");
  cmd->footer("Example:\n  roshambo rules | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"defaults\"])'");
  cmd->callback([]() {
    const std::string text = rules_json();
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
      throw std::runtime_error("cannot write to stdout");
    }
  });
}

}  // namespace roshambo::cli
