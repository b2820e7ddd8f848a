// libFuzzer target: arbitrary bytes as a config JSON object.
//
// Config::from_json must either accept (a valid config that round-trips through
// to_json unchanged) or throw ConfigError whose message names the offending field.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "roshambo/roshambo.hpp"

namespace {
[[noreturn]] void die(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz_config: %s %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace roshambo;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Config c;
  try {
    c = Config::from_json(text);
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    if (msg.find("'" + e.field() + "'") == std::string::npos) die("error does not name its field:", msg);
    return 0;
  }
  c.validate();
  const std::string canon = c.to_json();
  const Config again = Config::from_json(canon);
  if (!(again == c)) die("config does not round-trip:", canon);
  if (again.to_json() != canon) die("to_json is not canonical:", canon);
  Engine engine(c);  // any accepted config makes an engine
  engine.verify();
  return 0;
}
