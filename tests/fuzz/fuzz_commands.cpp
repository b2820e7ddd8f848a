// libFuzzer target: command logs replayed into small, varied engines.
//
// Input: a 6-byte header picks the config and a mode, the rest is the log.
//   text mode: the rest is split at '\n' into command-log lines, fed as they are;
//   op mode:   every 3 bytes become one well-formed command line (hello, join, choice,
//              face, leave, disconnect, tick) for 6 uids, so random bytes reach deep
//              game states (full rooms, bot fills, settlements, requeues) quickly.
// Checks after every line:
//   - verify() holds;
//   - the line either applied (no error event of its own) or was refused with exactly
//     one `error` event and the state digest unchanged;
//   - for a quarter of the inputs (header bits), a second engine fed the same lines
//     without the explicit ticks prints the same event bytes (the outcome never
//     depends on how often the host ticks);
//   - a line longer than the replay needs to judge it, cut to line_prefix_bytes() as a
//     reader may cut it, gets exactly the whole line's events (on a copy of the engine);
// and at the end a snapshot restores to the same digest and snapshot bytes.
// Under requeue, lines that jump time by more than a few dozen rounds are skipped:
// that work is unbounded by design (see below), not a defect. In a quarter of the
// inputs the first of them is streamed into a copy of the engine instead, stopped after
// two chunks, and the copy checked.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roshambo/roshambo.hpp"

namespace {

using namespace roshambo;

[[noreturn]] void die(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz_commands: %s %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

Config config_from(const std::uint8_t* h) {
  Config c;
  c.capacity = 2 + h[0] % 4;                               // 2..5
  c.game_time_ms = 1 + (h[0] >> 2) % 8 * 700;              // 1..4901
  static constexpr std::int64_t kFill[] = {0, 1, 250, 1000};
  c.bot_fill_after_ms = kFill[(h[0] >> 5) & 3];
  static constexpr const char* kBots[] = {"uniform", "rock", "paper", "scissors",
                                          "none",    "biased:1,0,3", "uniform", "biased:0,0,1"};
  c.bot_strategy = Strategy::parse_bot(kBots[h[1] & 7]);
  c.scoring = (h[1] & 8) ? ScoringPreset::Reference : ScoringPreset::Article;
  c.loss_penalty = (h[1] & 16) != 0;
  c.streak_cap = (h[1] & 32) ? 2 : 0;
  c.requeue = (h[1] & 64) != 0;
  c.reconnect_grace_ms = (h[1] & 128) ? 1 + h[3] % 4 * 900 : 0;  // 0 or 1..2701
  c.fill_policy = static_cast<FillPolicy>(h[2] % 3);
  c.max_players = (h[2] >> 2) & 7;                         // 0 = no limit, else 1..7
  c.max_rooms = (h[2] >> 5) & 3;                           // 0 = no limit, else 1..3
  c.seed = h[3];
  static constexpr std::int64_t kGrace[] = {0, 0, 300, 2000};  // grace timers in half the runs
  c.reconnect_grace_ms = kGrace[h[3] >> 6];
  c.max_uid_bytes = (h[4] & 1) ? 64 : 1 + (h[4] >> 1) % 8;
  c.max_name_bytes = (h[4] & 16) ? 64 : (h[4] >> 5);
  c.max_avatar_bytes = (h[4] & 128) ? 256 : 3;
  c.max_command_bytes = (h[5] & 1) ? 65536 : 64 + (h[5] >> 1) * 4;
  return c;
}

// One command line from 3 bytes: [op/player] [time step] [value].
std::string op_line(const std::uint8_t* b, Time& t) {
  static constexpr const char* kUids[] = {"a", "b", "c", "dd", "e\xc3\xa9", "bot-1"};
  const std::string uid = kUids[(b[0] >> 3) % 6];
  t += b[1] < 200 ? b[1] : (Time{b[1]} - 199) * 1000;  // mostly small steps, some big jumps
  if (b[1] == 255) t -= 3000;                           // and time going backwards
  switch (b[0] & 7) {
    case 0: return encode_command_line(Command::hello(uid, b[2] & 1 ? "N" : "", ""), t);
    case 1: case 2: return encode_command_line(Command::join(uid), t);
    case 3: return encode_command_line(Command::choice(uid, b[2] % 5), t);
    case 4: return encode_command_line(Command::face(uid, b[2] % 6), t);
    case 5: return encode_command_line(Command::leave(uid), t);
    case 6: return encode_command_line(Command::disconnect(uid), t);
    default: return encode_tick_line(t);
  }
}

// A jump to the end of time, endless under requeue once a room can fill, streamed to a
// sink that stops it after two chunks: the engine must then be whole, exactly as after
// a tick to the last moment handed over.
void interrupted_jump(const Engine& engine) {
  Engine copy = engine;
  std::vector<Event> out, seen;
  int chunks = 0;
  struct Enough {};
  try {
    copy.tick(kMaxTime, out, [&](std::vector<Event>& c) {
      if (c.size() < Engine::kEventChunk) die("a streamed chunk was short");
      seen.insert(seen.end(), c.begin(), c.end());
      if (++chunks == 2) throw Enough{};
    });
  } catch (const Enough&) {
    if (copy.now() != seen.back().at) die("an interrupted jump left now() elsewhere");
  }
  copy.verify();
  if (Engine::from_snapshot(copy.snapshot()).digest() != copy.digest()) {
    die("an interrupted jump does not snapshot");
  }
}

std::string to_json_lines(const std::vector<Event>& events) {
  std::string s;
  for (const Event& e : events) {
    append_event_json(e, s);
    s.push_back('\n');
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 6) return 0;
  const Config cfg = config_from(data);
  const bool op_mode = (data[1] & 128) != 0;
  // The differential run against a second engine doubles the cost of an input: do it
  // for a quarter of them, so the fuzzer spends the rest exploring.
  const bool differential = (data[5] & 6) == 0;
  const bool stream_jumps = (data[3] & 3) == 1;
  data += 6;
  size -= 6;

  Engine engine(cfg);  // ticked explicitly before each line
  Engine plain(cfg);   // fed the lines only
  Replayer replayer(engine);
  Replayer plain_replayer(plain);
  std::vector<Event> timer_events, line_events, plain_events;
  std::string expected_bytes, plain_bytes;

  std::size_t pos = 0;
  Time t = 0;
  bool jumped = false;
  while (pos < size) {
    std::string line;
    if (op_mode) {
      if (size - pos < 3) break;
      line = op_line(data + pos, t);
      pos += 3;
    } else {
      std::size_t end = pos;
      while (end < size && data[end] != '\n') ++end;
      line.assign(reinterpret_cast<const char*>(data + pos), end - pos);
      pos = end + 1;
    }

    // Fire the timers the line's time makes due, so what remains is the line's own doing.
    timer_events.clear();
    const auto decoded = decode_command_line(line, cfg);
    std::optional<Time> at;
    if (const auto* ok = std::get_if<LogLine>(&decoded)) at = ok->at;
    else at = std::get<DecodeError>(decoded).at;
    // With requeue, play never stops once a room can fill: a jump of T ms is up to
    // T / game_time rounds of honest work. Keep jumps to a few dozen rounds so an
    // input runs in milliseconds (docs/SECURITY.md: the host's clock is trusted).
    if (cfg.requeue && at && *at > engine.now() && *at - engine.now() > 32 * cfg.game_time_ms) {
      // At most once an input (the line is skipped, so the same jump would come back
      // each line), and in a quarter of them: it costs as much as the rest of an input.
      if (!jumped && stream_jumps) interrupted_jump(engine);
      jumped = true;
      continue;
    }
    if (at && *at >= engine.now() && *at <= kMaxTime) {
      if (engine.tick(*at, timer_events)) die("tick refused a valid time");
      engine.verify();
    }
    const std::uint64_t before = engine.digest();

    // The CLI keeps only a prefix of a long line: the prefix must be judged the same.
    std::optional<Engine> cut_twin;
    if (line.size() > replayer.line_prefix_bytes()) cut_twin.emplace(engine);

    line_events.clear();
    const std::uint64_t lines_before = replayer.lines();
    replayer.feed(line, line_events);
    engine.verify();
    if (cut_twin) {
      Replayer cut_replayer(*cut_twin);
      std::vector<Event> cut_events;
      cut_replayer.feed(std::string_view(line).substr(0, replayer.line_prefix_bytes()), cut_events);
      if (to_json_lines(cut_events) != to_json_lines(line_events)) die("a cut line is judged apart:", line);
    }
    std::size_t errors = 0;
    for (const Event& e : line_events) errors += e.type() == EventType::Error;
    if (errors != 0) {
      if (errors != 1 || line_events.size() != 1) die("a refused line gave other events too:", line);
      if (engine.digest() != before) die("a refused line changed the state:", line);
    } else if (replayer.lines() == lines_before && !line_events.empty()) {
      die("a skipped blank line produced events");
    }
    if (!differential) continue;
    expected_bytes += to_json_lines(timer_events);
    expected_bytes += to_json_lines(line_events);
    plain_events.clear();
    plain_replayer.feed(line, plain_events);
    plain_bytes += to_json_lines(plain_events);
  }
  if (differential) {
    if (expected_bytes != plain_bytes) die("event bytes depend on tick frequency");
    if (engine.digest() != plain.digest()) die("digest depends on tick frequency");
  }

  const std::string snap = engine.snapshot();
  const Engine restored = Engine::from_snapshot(snap);
  restored.verify();
  if (restored.digest() != engine.digest()) die("snapshot does not restore the digest");
  if (restored.snapshot() != snap) die("snapshot is not stable across restore");
  return 0;
}
