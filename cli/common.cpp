#include <fstream>
#include <sstream>

#include "commands.hpp"

namespace roshambo::cli {

Config load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot open config file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return Config::from_json(text.str());
  } catch (const ConfigError& e) {
    throw UsageError(path + ": " + e.what());
  }
}

}  // namespace roshambo::cli
