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

}  // namespace roshambo::cli
