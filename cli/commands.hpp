#pragma once
// One setup_<cmd> per subcommand file; main.cpp wires them together.

#include <CLI/CLI.hpp>
#include <charconv>
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

void setup_replay(CLI::App& app);
void setup_simulate(CLI::App& app);
void setup_rules(CLI::App& app);
void setup_bench(CLI::App& app);

}  // namespace roshambo::cli
