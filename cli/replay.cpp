// `roshambo replay`: command log in, event log out (docs/RULES.md §9).

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "commands.hpp"
#include "roshambo/engine.hpp"
#include "roshambo/replay.hpp"

namespace roshambo::cli {
namespace {

struct ReplayOptions {
  std::string config_file;
  std::string digest_every;  // text: converted (and range-checked) by parse_int
  ConfigFlags config;        // every config field, --seed among them
  std::string log = "-";
  CLI::App* cmd = nullptr;
};

// Reads lines from a file descriptor and keeps at most `keep` bytes of each, so an
// endless line costs time, not memory. A read error ends the run (exit 2): retrying
// it would spin forever on errors that never clear, such as EISDIR.
class LineReader {
 public:
  LineReader(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}

  /// The next line without its '\n' (cut to `keep` bytes); false at the end of input.
  bool next(std::string& line, std::size_t keep) {
    line.clear();
    bool any = false;
    for (;;) {
      if (pos_ == end_ && !fill()) return any;
      const char* start = buf_ + pos_;
      const std::size_t avail = end_ - pos_;
      const auto* nl = static_cast<const char*>(std::memchr(start, '\n', avail));
      const std::size_t n = nl ? static_cast<std::size_t>(nl - start) : avail;
      if (line.size() < keep) line.append(start, std::min(n, keep - line.size()));
      any = true;
      pos_ += n;
      if (nl) {
        ++pos_;
        return true;
      }
    }
  }

 private:
  bool fill() {
    ssize_t n;
    do {
      n = ::read(fd_, buf_, sizeof buf_);
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw UsageError("cannot read command log " + name_ + ": " + std::strerror(errno));
    pos_ = 0;
    end_ = static_cast<std::size_t>(n);
    return n > 0;
  }

  int fd_;
  std::string name_;
  char buf_[1 << 16];
  std::size_t pos_ = 0, end_ = 0;
};

void write_stdout(std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
    throw std::runtime_error(std::string("cannot write to stdout: ") + std::strerror(errno));
  }
  text.clear();
}

int run_replay(const ReplayOptions& o) {
  Config cfg = o.config_file.empty() ? Config{} : load_config_file(o.config_file);
  o.config.apply(cfg);  // flags override the file
  const std::uint64_t digest_every =
      o.cmd->count("--digest-every") > 0 ? parse_int<std::uint64_t>("--digest-every", o.digest_every) : 0;
  int fd = 0;
  std::string name = "(stdin)";
  if (o.log != "-") {
    fd = ::open(o.log.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw UsageError("cannot open command log '" + o.log + "': " + std::strerror(errno));
    name = "'" + o.log + "'";
  }
  struct Closer {
    int fd;
    ~Closer() {
      if (fd > 0) ::close(fd);
    }
  } closer{fd};
  LineReader reader(fd, name);
  Engine engine(cfg);
  Replayer replayer(engine, digest_every);
  std::string line, out;
  // A line that jumps far in time may fire timers without end (with requeue, play
  // never stops): its events are written as they come, never held.
  const auto flush = [](std::string& text) { write_stdout(text); };
  try {
    while (reader.next(line, replayer.line_prefix_bytes())) replayer.feed(line, out, flush);
  } catch (const UsageError&) {
    // What the lines read so far produced is still written, then the error ends the run.
    write_stdout(out);
    std::fflush(stdout);
    throw;
  }
  write_stdout(out);
  if (std::fflush(stdout) != 0) {
    throw std::runtime_error(std::string("cannot write to stdout: ") + std::strerror(errno));
  }
  return 0;
}

}  // namespace

void setup_replay(CLI::App& app) {
  auto opts = std::make_shared<ReplayOptions>();
  auto* cmd = app.add_subcommand("replay", "Replay a command log (JSON Lines) and print the event log");
  opts->cmd = cmd;
  cmd->add_option("--config", opts->config_file, "Engine config (JSON object)");
  opts->config.add_to(cmd);
  cmd->add_option("--digest-every", opts->digest_every,
                  "Print a state digest line after every N command lines (0 = never)");
  cmd->add_option("LOG", opts->log, "Command log file; - or absent reads stdin");
  cmd->footer(
      "Example:\n  roshambo replay tests/data/basic.commands.jsonl\n"
      "  roshambo simulate --commands run.jsonl && roshambo replay run.jsonl\n"
      "Exit status: 0 on success, 2 for bad usage or an unreadable config or log, 1 when\n"
      "stdout cannot be written.");
  cmd->callback([opts]() {
    if (const int code = run_replay(*opts); code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace roshambo::cli
