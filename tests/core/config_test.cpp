// docs/RULES.md §10: configuration defaults, validation naming the field, JSON round trip.

#include <catch2/catch.hpp>

#include "roshambo_test.hpp"

using namespace roshambo;

namespace {
// The field a ConfigError names, or "" when the text parses.
std::string failing_field(const std::string& text) {
  try {
    (void)Config::from_json(text);
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    // The message names the field too, not only the field() accessor.
    if (msg.find(e.field()) == std::string::npos) return "message does not name " + e.field();
    return e.field();
  }
  return "";
}
}  // namespace

TEST_CASE("config defaults reproduce the original server", "[config]") {
  const Config c;
  CHECK(c.capacity == 2);
  CHECK(c.game_time_ms == 3000);
  CHECK(c.bot_fill_after_ms == 1000);
  CHECK(c.bot_strategy.name() == "uniform");
  CHECK(c.scoring == ScoringPreset::Article);
  CHECK_FALSE(c.loss_penalty);
  CHECK(c.streak_cap == 0);
  CHECK_FALSE(c.requeue);
  CHECK(c.fill_policy == FillPolicy::Oldest);
  CHECK(c.max_players == 0);
  CHECK(c.max_rooms == 0);
  CHECK(c.seed == 0);
  CHECK_NOTHROW(c.validate());
  CHECK(Config::from_json("{}") == c);
}

TEST_CASE("config JSON round trip keeps every field", "[config]") {
  Config c;
  c.capacity = 17;
  c.game_time_ms = 1234;
  c.bot_fill_after_ms = 0;
  c.bot_strategy = Strategy::parse_bot("biased:1,2,3");
  c.scoring = ScoringPreset::Reference;
  c.loss_penalty = true;
  c.streak_cap = 5;
  c.requeue = true;
  c.fill_policy = FillPolicy::Fullest;
  c.max_players = 100;
  c.max_rooms = 7;
  c.seed = 0xFFFFFFFFFFFFFFFFULL;
  c.max_uid_bytes = 10;
  c.max_name_bytes = 0;
  c.max_avatar_bytes = 12;
  c.max_command_bytes = 64;
  const std::string text = c.to_json();
  CHECK(Config::from_json(text) == c);
  CHECK(Config::from_json(text).to_json() == text);
  // Every docs/RULES.md §10 field appears under its own name.
  const auto j = rt::Json::parse(text);
  for (const char* k : {"capacity", "game_time_ms", "bot_fill_after_ms", "bot_strategy", "scoring",
                        "loss_penalty", "streak_cap", "requeue", "fill_policy", "max_players",
                        "max_rooms", "seed"}) {
    CHECK(j.contains(k));
  }
  CHECK(j["scoring"] == "reference");
  CHECK(j["fill_policy"] == "fullest");
  CHECK(j["bot_strategy"] == "biased:1,2,3");
  CHECK(j["seed"] == 0xFFFFFFFFFFFFFFFFULL);
}

TEST_CASE("config accepts every field at its bounds", "[config]") {
  CHECK(failing_field(R"({"capacity":2})") == "");
  CHECK(failing_field(R"({"capacity":1024})") == "");
  CHECK(failing_field(R"({"game_time_ms":1})") == "");
  CHECK(failing_field(R"({"game_time_ms":86400000})") == "");
  CHECK(failing_field(R"({"bot_fill_after_ms":0})") == "");
  CHECK(failing_field(R"({"bot_fill_after_ms":86400000})") == "");
  CHECK(failing_field(R"({"streak_cap":4294967295})") == "");
  CHECK(failing_field(R"({"max_rooms":4294967295})") == "");
  CHECK(failing_field(R"({"seed":18446744073709551615})") == "");
  CHECK(failing_field(R"({"scoring":"article","fill_policy":"newest","requeue":true,"loss_penalty":false})") == "");
  CHECK(failing_field(R"({"fill_policy":"oldest"})") == "");
}

TEST_CASE("config rejects out-of-range values naming the field", "[config]") {
  CHECK(failing_field(R"({"capacity":1})") == "capacity");
  CHECK(failing_field(R"({"capacity":1025})") == "capacity");
  CHECK(failing_field(R"({"capacity":-2})") == "capacity");
  CHECK(failing_field(R"({"game_time_ms":0})") == "game_time_ms");
  CHECK(failing_field(R"({"game_time_ms":86400001})") == "game_time_ms");
  CHECK(failing_field(R"({"bot_fill_after_ms":-1})") == "bot_fill_after_ms");
  CHECK(failing_field(R"({"bot_fill_after_ms":86400001})") == "bot_fill_after_ms");
  CHECK(failing_field(R"({"streak_cap":-1})") == "streak_cap");
  CHECK(failing_field(R"({"streak_cap":4294967296})") == "streak_cap");
  CHECK(failing_field(R"({"max_players":-1})") == "max_players");
  CHECK(failing_field(R"({"max_players":4294967295})") == "max_players");
  CHECK(failing_field(R"({"max_rooms":4294967296})") == "max_rooms");
  CHECK(failing_field(R"({"seed":-1})") == "seed");
  CHECK(failing_field(R"({"scoring":"fancy"})") == "scoring");
  CHECK(failing_field(R"({"fill_policy":"random"})") == "fill_policy");
  CHECK(failing_field(R"({"bot_strategy":"smart"})") == "bot_strategy");
  CHECK(failing_field(R"({"max_uid_bytes":0})") == "max_uid_bytes");
  CHECK(failing_field(R"({"max_uid_bytes":65})") == "max_uid_bytes");
  CHECK(failing_field(R"({"max_name_bytes":65})") == "max_name_bytes");
  CHECK(failing_field(R"({"max_avatar_bytes":257})") == "max_avatar_bytes");
  CHECK(failing_field(R"({"max_command_bytes":63})") == "max_command_bytes");
}

TEST_CASE("config rejects wrong types naming the field", "[config]") {
  CHECK(failing_field(R"({"capacity":"2"})") == "capacity");
  CHECK(failing_field(R"({"capacity":2.5})") == "capacity");
  CHECK(failing_field(R"({"capacity":true})") == "capacity");
  CHECK(failing_field(R"({"capacity":null})") == "capacity");
  CHECK(failing_field(R"({"game_time_ms":[3000]})") == "game_time_ms");
  CHECK(failing_field(R"({"bot_fill_after_ms":1e3})") == "bot_fill_after_ms");
  CHECK(failing_field(R"({"bot_strategy":1})") == "bot_strategy");
  CHECK(failing_field(R"({"scoring":0})") == "scoring");
  CHECK(failing_field(R"({"loss_penalty":1})") == "loss_penalty");
  CHECK(failing_field(R"({"loss_penalty":"true"})") == "loss_penalty");
  CHECK(failing_field(R"({"streak_cap":{}})") == "streak_cap");
  CHECK(failing_field(R"({"requeue":0})") == "requeue");
  CHECK(failing_field(R"({"fill_policy":null})") == "fill_policy");
  CHECK(failing_field(R"({"max_players":"10"})") == "max_players");
  CHECK(failing_field(R"({"max_rooms":1.0})") == "max_rooms");
  CHECK(failing_field(R"({"seed":"42"})") == "seed");
  CHECK(failing_field(R"({"max_uid_bytes":"8"})") == "max_uid_bytes");
  CHECK(failing_field(R"({"max_name_bytes":false})") == "max_name_bytes");
  CHECK(failing_field(R"({"max_avatar_bytes":[]})") == "max_avatar_bytes");
  CHECK(failing_field(R"({"max_command_bytes":1024.5})") == "max_command_bytes");
}

TEST_CASE("config rejects unknown fields and non-objects", "[config]") {
  CHECK(failing_field(R"({"capacity":2,"colour":"red"})") == "colour");
  CHECK(failing_field(R"({"Capacity":2})") == "Capacity");
  CHECK(failing_field("[]") == "config");
  CHECK(failing_field("42") == "config");
  CHECK(failing_field("{") == "config");
  CHECK(failing_field("") == "config");
  // A huge unknown key is named, but not echoed without bound.
  try {
    (void)Config::from_json("{\"" + std::string(5000, 'k') + "\":1}");
    FAIL("accepted an unknown field");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).size() < 400);
  }
}

TEST_CASE("validate() names the field of a bad struct and the engine refuses it", "[config]") {
  Config c;
  c.capacity = 1;
  try {
    c.validate();
    FAIL("validate accepted capacity 1");
  } catch (const ConfigError& e) {
    CHECK(e.field() == "capacity");
  }
  CHECK_THROWS_AS(Engine(c), ConfigError);
  c = Config{};
  c.game_time_ms = -5;
  CHECK_THROWS_AS(Engine(c), ConfigError);
  c = Config{};
  c.bot_fill_after_ms = 86'400'001;
  CHECK_THROWS_AS(c.validate(), ConfigError);
  c = Config{};
  c.max_command_bytes = 1;
  CHECK_THROWS_AS(c.validate(), ConfigError);
}

TEST_CASE("bot_strategy parsing: the stateless units of the strategy registry", "[config]") {
  for (const char* name : {"uniform", "rock", "paper", "scissors", "none"}) {
    CHECK(Strategy::parse_bot(name).unit().name == name);
  }
  const auto b = Strategy::parse_bot("biased:3,0,1");
  CHECK(b.unit().weighted);
  CHECK(b.weights() == std::array<std::uint32_t, 3>{3, 0, 1});
  CHECK(Strategy::parse_bot("biased:0,0,1000000").weights()[2] == 1000000);
  for (const char* text : {"uniform", "rock", "paper", "scissors", "none", "biased:3,0,1"}) {
    CHECK(Strategy::parse_bot(text).name() == text);
    CHECK(Strategy::parse_bot(Strategy::parse_bot(text).name()) == Strategy::parse_bot(text));
    CHECK(Strategy::parse_bot(text) == Strategy::parse(text));  // one registry
  }
  // Every stateless unit is a bot strategy; the ones that learn are refused by name.
  for (const StrategyInfo& u : strategy_registry()) {
    if (u.weighted) continue;
    INFO(u.name);
    if (u.stateless) {
      CHECK(Strategy::parse_bot(u.name).unit().name == u.name);
    } else {
      try {
        (void)Strategy::parse_bot(u.name);
        FAIL("a learning strategy accepted for bots");
      } catch (const ConfigError& e) {
        CHECK(e.field() == "bot_strategy");
        CHECK(std::string(e.what()).find("stateless") != std::string::npos);
      }
    }
  }
  for (const char* bad : {"", "Rock", "biased", "biased:", "biased:1,2", "biased:1,2,3,4",
                          "biased:0,0,0", "biased:-1,1,1", "biased:1,,1", "biased:a,b,c",
                          "biased:1000001,0,0", "biased: 1,1,1", "uniform "}) {
    INFO("text: '" << bad << "'");
    try {
      (void)Strategy::parse_bot(bad);
      FAIL("accepted");
    } catch (const ConfigError& e) {
      CHECK(e.field() == "bot_strategy");
      // Worded like every config field: the message quotes the field it names.
      CHECK(std::string(e.what()).rfind("config field 'bot_strategy': ", 0) == 0);
    }
  }
}

TEST_CASE("config table: every row reaches JSON, validation and the text form", "[config]") {
  const Config defaults;
  const auto doc = nlohmann::ordered_json::parse(defaults.to_json());
  REQUIRE(doc.size() == config_fields().size());
  std::size_t i = 0;
  for (const ConfigField& f : config_fields()) {
    INFO(f.name);
    const std::string name(f.name);
    // JSON order is table order.
    CHECK(std::next(doc.begin(), static_cast<std::ptrdiff_t>(i++)).key() == name);
    CHECK(find_config_field(name) == &f);
    CHECK(f.flag().rfind("--", 0) == 0);
    CHECK(f.flag().find('_') == std::string::npos);
    // Setting the default through the table leaves the config as it was.
    Config c;
    f.set(c, f.get(defaults));
    CHECK(c == defaults);
    // A wrong value names the field and changes nothing.
    auto rejected = [&](const ConfigValue& v) {
      Config d;
      try {
        f.set(d, v);
        FAIL("accepted a bad value");
      } catch (const ConfigError& e) {
        CHECK(e.field() == name);
      }
      CHECK(d == defaults);
    };
    switch (f.type) {
      case ConfigField::Type::Int:
        rejected(f.max + 1 == 0 ? ConfigValue{std::int64_t{-1}} : ConfigValue{f.max + 1});
        if (f.min > 0) rejected(std::int64_t{f.min - 1});
        rejected(true);
        CHECK_THROWS_AS(f.set_text(c, "1x"), ConfigError);
        f.set_text(c, std::to_string(f.max));
        CHECK(Config::from_json(c.to_json()) == c);
        break;
      case ConfigField::Type::Bool:
        rejected(std::int64_t{1});
        f.set_text(c, "true");
        CHECK(std::get<bool>(f.get(c)));
        CHECK_THROWS_AS(f.set_text(c, "yes"), ConfigError);
        break;
      case ConfigField::Type::Word:
        rejected(std::string("not-a-word"));
        for (std::string_view w : f.words) {
          f.set_text(c, w);
          CHECK(std::get<std::string>(f.get(c)) == w);
        }
        break;
      case ConfigField::Type::Text:
        rejected(std::int64_t{3});
        break;
    }
  }
}
