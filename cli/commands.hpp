#pragma once
// One setup_<cmd> per subcommand file; main.cpp wires them together.

#include <CLI/CLI.hpp>
#include <string>

#include "roshambo/config.hpp"

namespace roshambo::cli {

/// Exit code for bad usage, unreadable files or invalid configs.
inline constexpr int kExitUsage = 2;

/// A usage error that main() reports as one line and exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Read a config file (JSON object); throws UsageError with a one-line message.
Config load_config_file(const std::string& path);

void setup_replay(CLI::App& app);
void setup_simulate(CLI::App& app);
void setup_rules(CLI::App& app);
void setup_bench(CLI::App& app);

}  // namespace roshambo::cli
