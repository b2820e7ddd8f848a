// `roshambo simulate`: flags in, tournament out (table, JSON or CSV). The simulation
// itself is roshambo::simulate (core); this file parses, times, writes and prints.

#include "simulate.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <type_traits>

#include "commands.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "roshambo/parallel.hpp"
#include "roshambo/version.hpp"

namespace roshambo::cli {

double timed_simulate(const SimOptions& o, SimResult& result) {
  const auto t0 = std::chrono::steady_clock::now();
  result = simulate(o, run_on_threads);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

namespace {

// Every option is read as text and converted here, so each error names its flag in
// one line (CLI11 would only say the value could not be converted).
struct SimulateFlags {
  std::string config_file;
  std::string players, rounds, mix, pairing, shards, top, format = "table";
  ConfigFlags config;
  std::string commands, events;
  bool quiet = false;
  CLI::App* cmd = nullptr;

  bool given(const std::string& flag) const { return cmd->count(flag) > 0; }
};

SimOptions build_options(const SimulateFlags& f) {
  SimOptions o;
  if (!f.config_file.empty()) {
    try {
      o.config = load_config_file(f.config_file);
    } catch (const UsageError& e) {
      throw UsageError(std::string("--config: ") + e.what());
    }
  }
  Config& c = o.config;
  auto u32 = [&](const char* flag, const std::string& v, std::uint32_t& out) {
    if (f.given(flag)) out = parse_int<std::uint32_t>(flag, v);
  };
  f.config.apply(c);
  try {
    u32("--players", f.players, o.players);
    u32("--rounds", f.rounds, o.rounds);
    u32("--shards", f.shards, o.shards);
    u32("--top", f.top, o.top);
    if (f.given("--mix")) o.mix = parse_mix(f.mix);
    if (f.given("--pairing")) o.pairing = parse_pairing(f.pairing);
    o.validate();
    if (o.shards > 1 && (!f.commands.empty() || !f.events.empty())) {
      throw UsageError(std::string(f.commands.empty() ? "--events" : "--commands") +
                       ": needs --shards 1 (each shard is a lobby of its own)");
    }
  } catch (const ConfigError& e) {
    rethrow_as_flag_error(e);
  }
  if (f.format != "table" && f.format != "json" && f.format != "csv") {
    throw UsageError("--format: must be table, json or csv, got '" + f.format.substr(0, 40) + "'");
  }
  return o;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// ------------------------------------------------------------------ JSON

nlohmann::ordered_json to_json(const SimResult& r, double seconds) {
  using J = nlohmann::ordered_json;
  const SimOptions& o = r.options;
  J j;
  j["format"] = "roshambo.simulate/1";
  j["version"] = roshambo::version();
  j["config"] = J::parse(o.config.to_json());
  j["seed"] = o.config.seed;
  j["players"] = o.players;
  j["rounds"] = o.rounds;
  j["pairing"] = std::string(to_string(o.pairing));
  j["shards"] = o.shards;
  j["top"] = o.top;
  J mix = J::array();
  for (std::size_t s = 0; s < o.mix.size(); ++s) {
    mix.push_back({{"strategy", r.strategies[s]}, {"weight", o.mix[s].weight},
                   {"players", r.summary[s].players}});
  }
  j["mix"] = std::move(mix);
  // Empty here: render_json() writes the players' rows into the text itself.
  j["leaderboard"] = J::array();
  J strategies = J::array();
  for (const auto& s : r.summary) {
    strategies.push_back({{"strategy", s.strategy},
                          {"players", s.players},
                          {"mean_total", s.mean_total},
                          {"median_total", s.median_total},
                          {"p90_total", s.p90_total},
                          {"win_rate", s.win_rate},
                          {"mean_round_score", s.mean_round_score},
                          {"best_streak", s.best_streak},
                          {"rounds_played", s.rounds_played}});
  }
  j["strategies"] = std::move(strategies);
  J shards = J::array();
  for (std::size_t k = 0; k < r.shards.size(); ++k) {
    const ShardSummary& s = r.shards[k];
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(s.digest));
    shards.push_back({{"shard", k},
                      {"seed", s.seed},
                      {"first_player", s.first_player},
                      {"players", s.players},
                      {"player_rounds", s.player_rounds},
                      {"rooms_settled", s.rooms_settled},
                      {"commands", s.commands},
                      {"events", s.events},
                      {"errors", s.errors},
                      {"end_time", s.end_time},
                      {"digest", hex}});
  }
  j["shard_results"] = std::move(shards);
  j["run"] = {{"player_rounds", r.player_rounds},
              {"rooms_settled", r.rooms_settled},
              {"errors", r.errors},
              {"seconds", seconds},
              {"player_rounds_per_s", seconds > 0 ? static_cast<double>(r.player_rounds) / seconds : 0.0}};
  return j;
}

// The leaderboard's rows as nlohmann's dump(2) writes them inside the top-level
// object, written directly: built as JSON values first, 100 000 rows took twice as
// long as the simulation (a dozen allocations a row).
void append_leaderboard(std::string& out, const SimResult& r) {
  using J = nlohmann::ordered_json;
  std::vector<std::string> strategy_text;  // each strategy's name, escaped once
  for (const auto& name : r.strategies) strategy_text.push_back(J(name).dump());
  char digits[24];
  auto field = [&](const char* key, auto value, bool last = false) {
    out += "      \"";
    out += key;
    out += "\": ";
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, end);
    out += last ? "\n" : ",\n";
  };
  out += "[\n";
  for (std::size_t k = 0; k < r.leaderboard.size(); ++k) {
    const std::uint32_t i = r.leaderboard[k];
    out += k == 0 ? "    {\n" : ",\n    {\n";
    field("rank", k + 1);
    out += "      \"uid\": ";
    out += J(r.uid[i]).dump();
    out += ",\n      \"strategy\": ";
    out += strategy_text[r.strategy[i]];
    out += ",\n";
    field("total", r.total[i]);
    field("wins", r.wins[i]);
    field("losses", r.losses[i]);
    field("draws", r.draws[i]);
    field("rounds", r.rounds_played[i]);
    field("best_streak", r.best_streak[i]);
    field("win_streak", r.win_streak[i]);
    field("best_round", r.best_round[i]);
    field("shard", r.shard[i], true);
    out += "    }";
  }
  out += "\n  ]";
}

// The report as JSON: to_json()'s document, its leaderboard written by
// append_leaderboard().
std::string render_json(const SimResult& r, double seconds) {
  std::string doc = to_json(r, seconds).dump(2);
  if (r.leaderboard.empty()) return doc + "\n";
  // Only a top-level key sits two spaces in, and to_json() left this one empty.
  const std::string empty = "\n  \"leaderboard\": []";
  const std::size_t at = doc.find(empty);
  if (at == std::string::npos) throw std::logic_error("render_json: no leaderboard to fill");
  std::string out;
  out.reserve(doc.size() + r.leaderboard.size() * 300);
  out.append(doc, 0, at + empty.size() - 2);
  append_leaderboard(out, r);
  out.append(doc, at + empty.size());
  out += "\n";
  return out;
}

// ------------------------------------------------------------------ table

std::string render_table(const std::vector<std::string>& head,
                         const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& left) {
  std::vector<std::size_t> w(head.size());
  for (std::size_t c = 0; c < head.size(); ++c) w[c] = head[c].size();
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) w[c] = std::max(w[c], row[c].size());
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(w[c] - cells[c].size(), ' ');
      if (c) l += "  ";
      l += left[c] ? cells[c] + pad : pad + cells[c];
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(head);
  for (const auto& row : rows) line(row);
  return out;
}

std::string to_table(const SimResult& r, double seconds) {
  const SimOptions& o = r.options;
  std::string out;
  out += "Leaderboard (top " + std::to_string(r.leaderboard.size()) + " of " +
         std::to_string(o.players) + " players)\n";
  std::vector<std::vector<std::string>> rows;
  for (std::size_t k = 0; k < r.leaderboard.size(); ++k) {
    const std::uint32_t i = r.leaderboard[k];
    rows.push_back({std::to_string(k + 1), r.uid[i], r.strategies[r.strategy[i]],
                    std::to_string(r.total[i]), std::to_string(r.wins[i]),
                    std::to_string(r.best_streak[i])});
  }
  out += render_table({"rank", "uid", "strategy", "total", "wins", "best streak"}, rows,
                      {false, true, true, false, false, false});
  out += "\nStrategies\n";
  rows.clear();
  for (const auto& s : r.summary) {
    rows.push_back({s.strategy, std::to_string(s.players), fixed(s.mean_total, 2),
                    fixed(s.median_total, 1), fixed(s.p90_total, 0), fixed(s.win_rate, 3),
                    fixed(s.mean_round_score, 3), std::to_string(s.best_streak)});
  }
  out += render_table({"strategy", "players", "mean total", "median", "p90", "win rate",
                       "mean round score", "best streak"},
                      rows, {true, false, false, false, false, false, false, false});
  out += "\n" + std::to_string(o.players) + " players x " + std::to_string(o.rounds) +
         " rounds, capacity " + std::to_string(o.config.capacity) + ", pairing " +
         std::string(to_string(o.pairing)) + ", seed " + std::to_string(o.config.seed) + ", " +
         std::to_string(o.shards) + (o.shards == 1 ? " shard" : " shards") + "\n";
  const double rate = seconds > 0 ? static_cast<double>(r.player_rounds) / seconds : 0;
  out += std::to_string(r.player_rounds) + " player-rounds in " + fixed(seconds, 3) + " s: " +
         fixed(rate / 1e6, 2) + " M player-rounds/s\n";
  return out;
}

std::string to_csv(const SimResult& r) {
  std::string out =
      "rank,uid,strategy,total,wins,losses,draws,rounds,best_streak,win_streak,best_round,shard\n";
  for (std::size_t k = 0; k < r.leaderboard.size(); ++k) {
    const std::uint32_t i = r.leaderboard[k];
    out += std::to_string(k + 1) + "," + csv_field(r.uid[i]) + "," +
           csv_field(r.strategies[r.strategy[i]]) + "," + std::to_string(r.total[i]) + "," +
           std::to_string(r.wins[i]) + "," + std::to_string(r.losses[i]) + "," +
           std::to_string(r.draws[i]) + "," + std::to_string(r.rounds_played[i]) + "," +
           std::to_string(r.best_streak[i]) + "," + std::to_string(r.win_streak[i]) + "," +
           std::to_string(r.best_round[i]) + "," + std::to_string(r.shard[i]) + "\n";
  }
  return out;
}

int run_simulate(const SimulateFlags& f) {
  SimOptions o = build_options(f);
  // Two logs interleaved in one file would be neither: refuse before anything is opened.
  if (!f.commands.empty() && !f.events.empty() &&
      output_identity(f.commands) == output_identity(f.events)) {
    throw UsageError("--events: '" + f.events + "' is the same file as --commands '" +
                     f.commands + "'");
  }
  // Open outputs before the run, so an unwritable path fails fast and nothing is left.
  std::unique_ptr<OutputFile> commands, events;
  if (!f.commands.empty()) {
    commands = std::make_unique<OutputFile>("--commands", f.commands);
    o.command_log = [&](std::string_view s) { commands->write(s); };
  }
  if (!f.events.empty()) {
    events = std::make_unique<OutputFile>("--events", f.events);
    o.event_log = [&](std::string_view s) { events->write(s); };
  }
  ProgressBar bar(!f.quiet && ProgressBar::stderr_is_terminal());
  o.progress = [&](const SimProgress& p) { bar.update(p); };
  SimResult result;
  const double seconds = timed_simulate(o, result);
  bar.finish();
  if (commands) commands->commit();
  if (events) events->commit();
  std::string text;
  if (f.format == "json") text = render_json(result, seconds);
  else if (f.format == "csv") text = to_csv(result);
  else text = to_table(result, seconds);
  // A log on stdout keeps it a clean JSON Lines stream: the report goes to stderr then.
  std::FILE* report = (commands && commands->is_stdout()) || (events && events->is_stdout()) ? stderr : stdout;
  if (std::fwrite(text.data(), 1, text.size(), report) != text.size() || std::fflush(report) != 0) {
    throw std::runtime_error(report == stdout ? "cannot write to stdout" : "cannot write to stderr");
  }
  return 0;
}

}  // namespace

void setup_simulate(CLI::App& app) {
  auto f = std::make_shared<SimulateFlags>();
  auto* cmd = app.add_subcommand("simulate", "Run a tournament of simulated players through the engine");
  f->cmd = cmd;
  cmd->add_option("--players", f->players, "Number of players, 1..10000000 (default 1000)");
  cmd->add_option("--rounds", f->rounds, "Rounds, 1..1000000 (default 50)");
  cmd->add_option("--mix", f->mix,
                  "Strategy mix NAME[=WEIGHT],... e.g. uniform=0.6,beat-last=0.3,rock=0.1 "
                  "(default uniform; see `roshambo rules`)");
  cmd->add_option("--pairing", f->pairing, "Join order each round: arrival, random or swiss (default arrival)");
  cmd->add_option("--shards", f->shards, "Independent lobbies run on as many threads (default 1)");
  cmd->add_option("--top", f->top, "Leaderboard length; 0 lists every player (default 10)");
  cmd->add_option("--format", f->format, "Output: table, json or csv (default table)");
  cmd->add_option("--commands", f->commands, "Write the command log (JSON Lines) to FILE (- for stdout)");
  cmd->add_option("--events", f->events, "Write the event log (JSON Lines) to FILE (- for stdout)");
  cmd->add_flag("--quiet", f->quiet, "No progress bar");
  cmd->add_option("--config", f->config_file, "Engine config file (JSON object); flags override it");
  f->config.add_to(cmd);
  cmd->footer(
      "Examples:\n"
      "  roshambo simulate                                   # 1000 players x 50 rounds\n"
      "  roshambo simulate --mix uniform=0.6,beat-last=0.3,rock=0.1 --pairing swiss\n"
      "  roshambo simulate --players 100000 --rounds 20 --bot-fill-after-ms 0 --shards 2\n"
      "  roshambo simulate --format json --top 0 --commands run.jsonl --seed 7\n"
      "  roshambo replay --config <the JSON's config> --seed 7 run.jsonl   # same results\n"
      "See docs/SIMULATE.md for the output formats and the strategies.");
  cmd->callback([f]() {
    if (const int code = run_simulate(*f); code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace roshambo::cli
