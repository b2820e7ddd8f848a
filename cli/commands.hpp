#pragma once
// One setup_<cmd> per subcommand file; main.cpp wires them together.

#include <CLI/CLI.hpp>
#include <charconv>
#include <map>
#include <string>
#include <type_traits>

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

/// An integer flag value, whole and in T's range; otherwise a UsageError naming the
/// flag. Flags are read as text and converted here because CLI11 would wrap "-1" or
/// 2^64 into an unsigned option without a word.
template <class T>
T parse_int(const std::string& flag, const std::string& text) {
  T v{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end) {
    const std::string what = ec == std::errc::result_out_of_range ? "out of range"
                             : std::is_unsigned_v<T> && !text.empty() && text[0] == '-'
                                 ? "must not be negative"
                                 : "not an integer";
    throw UsageError(flag + ": " + what + " ('" + text.substr(0, 40) + "')");
  }
  return v;
}

/// The config-field flags of a subcommand, one per row of config_fields(): integers,
/// words and text as `--name VALUE`, booleans as switches (`--name=false` unsets).
struct ConfigFlags {
  CLI::App* cmd = nullptr;
  std::map<std::string, std::string, std::less<>> text;  ///< by field name
  std::map<std::string, bool, std::less<>> switches;     ///< by field name

  /// Add every field's flag to `app`, described from the table.
  void add_to(CLI::App* app);
  /// Apply the flags given on the command line to `c`; a bad value is a UsageError
  /// naming the flag.
  void apply(Config& c) const;
};

/// The command-line flag for a config or option field: "game_time_ms" → "--game-time-ms".
std::string flag_for_field(const std::string& field);

/// Rethrow a ConfigError from the simulator or the engine config as a UsageError
/// that names the command-line flag ("--capacity: must be in 2..1024, got 1").
[[noreturn]] void rethrow_as_flag_error(const ConfigError& e);

void setup_replay(CLI::App& app);
void setup_simulate(CLI::App& app);
void setup_rules(CLI::App& app);
void setup_bench(CLI::App& app);

}  // namespace roshambo::cli
