// `roshambo replay`: command log in, event log out (SPEC §9).

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "roshambo/engine.hpp"
#include "roshambo/replay.hpp"

namespace roshambo::cli {
namespace {

struct ReplayOptions {
  std::string config_file;
  std::optional<std::uint64_t> seed;
  std::uint64_t digest_every = 0;
  std::string log = "-";
};

// Reads lines but never holds more than the line limit plus one byte of a line, so
// an endless line cannot exhaust memory; an oversized line is passed on truncated
// and marked, and the decoder refuses it by length.
bool read_line(std::istream& in, std::string& line, std::size_t limit) {
  line.clear();
  bool any = false;
  char buf[4096];
  while (in.good()) {
    in.getline(buf, sizeof buf);
    const auto got = static_cast<std::size_t>(in.gcount());
    const bool ended = !in.fail() || in.eof();
    const std::size_t n = got - (ended && !in.eof() && got > 0 ? 1 : 0);
    any = any || got > 0 || !in.eof();
    if (line.size() <= limit) line.append(buf, std::min(n, limit + 1 - line.size()));
    if (in.eof()) break;
    if (in.fail()) {  // buffer full, the line goes on
      in.clear();
      continue;
    }
    return true;
  }
  return any && !line.empty();
}

int run_replay(const ReplayOptions& o) {
  Config cfg = o.config_file.empty() ? Config{} : load_config_file(o.config_file);
  if (o.seed) cfg.seed = *o.seed;
  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.log != "-") {
    file.open(o.log, std::ios::binary);
    if (!file) throw UsageError("cannot open command log '" + o.log + "'");
    in = &file;
  }
  Engine engine(cfg);
  Replayer replayer(engine, o.digest_every);
  std::string line, out;
  while (read_line(*in, line, cfg.max_command_bytes)) {
    replayer.feed(line, out);
    if (out.size() > (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return 0;
}

}  // namespace

void setup_replay(CLI::App& app) {
  auto opts = std::make_shared<ReplayOptions>();
  auto* cmd = app.add_subcommand("replay", "Replay a command log (JSON Lines) and print the event log");
  cmd->add_option("--config", opts->config_file, "Engine config (JSON object)");
  cmd->add_option("--seed", opts->seed, "Seed (overrides the config's)");
  cmd->add_option("--digest-every", opts->digest_every,
                  "Print a state digest line after every N command lines");
  cmd->add_option("LOG", opts->log, "Command log file; - or absent reads stdin");
  cmd->footer(
      "Example:\n  roshambo replay tests/data/basic.commands.jsonl\n"
      "  roshambo simulate --commands run.jsonl && roshambo replay run.jsonl");
  cmd->callback([opts]() {
    if (const int code = run_replay(*opts); code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace roshambo::cli
