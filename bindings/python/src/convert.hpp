#pragma once
// Conversions between Python objects and roshambo values, written against the
// CPython API directly: `Engine.handle` is called millions of times from notebooks,
// so commands are read from dicts and events built as dicts without JSON text.

#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "roshambo/command.hpp"
#include "roshambo/config.hpp"
#include "roshambo/detail/decode.hpp"
#include "roshambo/detail/write_event.hpp"
#include "roshambo/event.hpp"

namespace roshambo::py_binding {

namespace py = pybind11;

/// Interned key and value strings, created once at module import.
struct Names {
  PyObject* fields[detail::kFieldCount];  ///< command fields, by detail::Field
  PyObject* words[detail::kWordCount];    ///< event keys and constant values, by detail::Word
  PyObject* event_types[std::variant_size_v<Event::Data>];
  PyObject* error_codes[11];
  PyObject* command_types[static_cast<std::size_t>(CommandType::Disconnect) + 1];  ///< by CommandType
  PyObject *lines, *digest;  ///< the replay digest line's own words
};

/// The names; valid after init_names().
const Names& names() noexcept;
void init_names();

/// A command dict read into a command, a tick, or a refusal to pass to Engine::reject.
using ParsedCommand = detail::Decoded;

/// Read a command dict ({"from", "type", "data"}) with the decoder of log lines
/// (detail::decode_command), so a dict and its JSON line give the same events. Raises
/// TypeError (py::type_error) for values json.dumps could not write (non-dict command,
/// non-str keys, sets, objects, ...).
void parse_command(PyObject* obj, const Config& limits, ParsedCommand& out);

/// `now` as an int64: any int-like but bool; out-of-range values are clamped so the
/// engine refuses them with its own error (time_went_backwards / invalid_field).
std::int64_t to_time(PyObject* obj, const char* what = "now");
/// A Python int (not a bool) as int64, saturating; TypeError naming `what` otherwise.
std::int64_t to_int(PyObject* obj, const char* what, const char* unit = "");

/// Events as a list of dicts, each the dict whose json.dumps(separators=(",", ":"),
/// ensure_ascii=False) is its event-log line byte for byte (same keys, same order, same
/// value types). The list and dicts of the previous call that nothing else holds any
/// more (the caller dropped them) are refilled in place rather than built again.
py::list events_to_list(const Event* events, std::size_t n);

/// A digest line of the replay log as a dict.
py::object digest_dict(Time at, std::uint64_t lines, std::uint64_t digest);

/// Compact JSON of a JSON-compatible Python value (dict with str keys, list, tuple,
/// str, int, float, bool, None). Raises TypeError naming the path for anything else.
std::string to_json_text(PyObject* obj, std::string_view path);

/// Python str from UTF-8 bytes; invalid bytes become U+FFFD instead of failing.
py::object make_str(std::string_view s);

}  // namespace roshambo::py_binding
