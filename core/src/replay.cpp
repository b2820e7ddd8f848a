#include "roshambo/replay.hpp"

#include <cstdio>

#include "roshambo/codec.hpp"

namespace roshambo {

std::string digest_line(Time at, std::uint64_t lines, std::uint64_t digest) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(digest));
  return "{\"at\":" + std::to_string(at) + ",\"to\":[],\"type\":\"digest\",\"data\":{\"lines\":" +
         std::to_string(lines) + ",\"digest\":\"" + hex + "\"}}";
}

void Replayer::feed(std::string_view line, std::vector<Event>& events) {
  feed(line, events, EventSink{});
}

void Replayer::feed(std::string_view line, std::vector<Event>& events, const EventSink& sink) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Length before blankness: a reader that kept only a prefix of a long line cannot
  // tell whether the rest was blank, and must get the same answer as the whole line.
  if (line.size() <= engine_.config().max_command_bytes &&
      line.find_first_not_of(" \t") == std::string_view::npos) {
    return;
  }
  ++lines_;
  detail::decode_command_line(line, engine_.config(), decoded_);
  switch (decoded_.kind) {
    case detail::Decoded::Kind::Refused:
      // `from` is "" unless the sender could be read.
      engine_.reject(decoded_.from, decoded_.at, decoded_.code, std::move(decoded_.message), events,
                     sink);
      break;
    case detail::Decoded::Kind::Tick:
      engine_.tick(*decoded_.at, events, sink);
      break;
    case detail::Decoded::Kind::Command:
      engine_.handle(decoded_.command, *decoded_.at, events, sink);
      break;
  }
}

void Replayer::feed(std::string_view line, std::string& out) { feed(line, out, nullptr); }

void Replayer::feed(std::string_view line, std::string& out,
                    const std::function<void(std::string&)>& flush) {
  auto append = [&out](const std::vector<Event>& events) {
    for (const Event& e : events) {
      append_event_json(e, out);
      out.push_back('\n');
    }
  };
  EventSink sink;
  if (flush) {
    sink = [&](std::vector<Event>& chunk) {
      append(chunk);
      if (out.size() >= kFlushBytes) {
        flush(out);
        out.clear();
      }
    };
  }
  scratch_.clear();
  const std::uint64_t before = lines_;
  feed(line, scratch_, sink);
  append(scratch_);
  if (digest_every_ != 0 && lines_ != before && lines_ % digest_every_ == 0) {
    out += digest_line(engine_.now(), lines_, engine_.digest());
    out.push_back('\n');
  }
  if (flush && out.size() >= kFlushBytes) {
    flush(out);
    out.clear();
  }
}

}  // namespace roshambo
