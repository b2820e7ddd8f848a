// libFuzzer target: arbitrary bytes as a snapshot.
//
// Engine::from_snapshot must either throw SnapshotError (nothing else) or return an
// engine that passes verify(), whose own snapshot restores to the same digest and the
// same bytes, and which behaves as its restored copy from then on (both fire their
// timers to the same state).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "roshambo/roshambo.hpp"

namespace {
[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fuzz_snapshot: %s\n", what);
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace roshambo;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // restore() on an existing engine must leave it untouched when the snapshot is bad.
  Engine target;
  const std::uint64_t untouched = target.digest();
  try {
    target.restore(text);
  } catch (const SnapshotError&) {
    if (target.digest() != untouched) die("a rejected snapshot changed the engine");
  }

  std::optional<Engine> engine;
  try {
    engine.emplace(Engine::from_snapshot(text));
  } catch (const SnapshotError& e) {
    if (std::string_view(e.what()).empty()) die("SnapshotError without a message");
    return 0;
  }
  engine->verify();
  if (target.digest() != engine->digest()) die("restore() and from_snapshot() disagree");
  const std::string snap = engine->snapshot();
  Engine copy = Engine::from_snapshot(snap);
  copy.verify();
  if (copy.digest() != engine->digest()) die("snapshot does not restore to the same digest");
  if (copy.snapshot() != snap) die("snapshot is not stable across restore");

  // Same future: fire every pending timer on both and compare.
  for (int i = 0; i < 64 && engine->next_deadline(); ++i) {
    const Time due = *engine->next_deadline();
    std::string a, b;
    for (const Event& e : engine->tick(due)) append_event_json(e, a);
    for (const Event& e : copy.tick(due)) append_event_json(e, b);
    if (a != b) die("a restored engine behaves differently");
    engine->verify();
  }
  if (copy.digest() != engine->digest()) die("restored engines diverged");
  return 0;
}
