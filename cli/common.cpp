#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "commands.hpp"

namespace roshambo::cli {
namespace {

// A config is a small JSON object; anything larger is not one (and /dev/zero would
// otherwise be read until memory runs out).
constexpr std::size_t kMaxConfigBytes = 1 << 20;

}  // namespace

Config load_config_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UsageError("cannot open config file '" + path + "': " + std::strerror(errno));
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw UsageError("cannot read config file '" + path + "': " + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxConfigBytes) {
      ::close(fd);
      throw UsageError("config file '" + path + "' is larger than 1 MiB");
    }
  }
  ::close(fd);
  try {
    return Config::from_json(text);
  } catch (const ConfigError& e) {
    throw UsageError(path + ": " + e.what());
  }
}

namespace {
std::string show_default(const ConfigValue& v) {
  return std::visit([](const auto& x) -> std::string {
    using T = std::decay_t<decltype(x)>;
    if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
    else if constexpr (std::is_same_v<T, std::string>) return x;
    else return std::to_string(x);
  }, v);
}
}  // namespace

void ConfigFlags::add_to(CLI::App* app) {
  cmd = app;
  const Config defaults;
  for (const ConfigField& f : config_fields()) {
    std::string help(f.help);
    help += " (";
    if (f.type == ConfigField::Type::Int) {
      help += std::to_string(f.min) + ".." + std::to_string(f.max) + "; ";
    } else if (f.type == ConfigField::Type::Word) {
      for (std::size_t i = 0; i < f.words.size(); ++i) help += (i ? ", " : "") + std::string(f.words[i]);
      help += "; ";
    }
    help += "default " + show_default(f.get(defaults)) + ")";
    const std::string name(f.name);
    if (f.type == ConfigField::Type::Bool) {
      app->add_flag(f.flag(), switches[name], help);
    } else {
      app->add_option(f.flag(), text[name], help);
    }
  }
}

void ConfigFlags::apply(Config& c) const {
  try {
    for (const ConfigField& f : config_fields()) {
      if (cmd->count(f.flag()) == 0) continue;
      if (f.type == ConfigField::Type::Bool) {
        f.set(c, switches.find(f.name)->second);
      } else {
        f.set_text(c, text.find(f.name)->second);
      }
    }
  } catch (const ConfigError& e) {
    rethrow_as_flag_error(e);
  }
}

void rethrow_as_flag_error(const ConfigError& e) {
  std::string msg = e.what();
  // Drop the library's own prefix ("config field 'x': " or "x: "): the flag replaces it.
  for (const std::string& prefix : {"config field '" + e.field() + "': ", e.field() + ": "}) {
    if (msg.rfind(prefix, 0) == 0) {
      msg = msg.substr(prefix.size());
      break;
    }
  }
  throw UsageError(flag_for_field(e.field()) + ": " + msg);
}

std::string flag_for_field(const std::string& field) {
  if (field == "command_log") return "--commands";
  if (field == "event_log") return "--events";
  if (field == "config") return "--config";
  std::string flag = "--" + field;
  for (char& c : flag) {
    if (c == '_') c = '-';
  }
  return flag;
}

}  // namespace roshambo::cli
