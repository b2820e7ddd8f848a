// roshambo._core.simulate: the C++ tournament simulator with the GIL released. The
// result's columns are handed to numpy without copying: every array views a vector
// of one heap-held SimResult, kept alive by a capsule that is the arrays' base.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "roshambo/parallel.hpp"
#include "roshambo/sim.hpp"
#include "roshambo/strategies.hpp"

namespace roshambo::py_binding {
namespace {

template <class T>
py::array view(std::vector<T>& v, const py::object& owner) {
  return py::array_t<T>({static_cast<py::ssize_t>(v.size())}, {static_cast<py::ssize_t>(sizeof(T))},
                        v.data(), owner);
}

// Fixed-width numpy unicode array of the strings (one C-level copy, no Python objects).
py::array unicode_column(const std::vector<std::string>& v) {
  std::size_t width = 1;
  for (const auto& s : v) width = std::max(width, s.size());
  py::dtype dt = py::dtype::from_args(py::str("<U" + std::to_string(width)));
  py::array out(dt, std::vector<py::ssize_t>{static_cast<py::ssize_t>(v.size())});
  auto* base = static_cast<char*>(out.mutable_data());
  std::memset(base, 0, v.size() * width * 4);
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto* cell = reinterpret_cast<std::uint32_t*>(base + i * width * 4);
    const std::string& s = v[i];
    // Decode UTF-8 (uids are validated UTF-8; the simulator's are ASCII).
    std::size_t j = 0, k = 0;
    while (j < s.size()) {
      const auto c = static_cast<unsigned char>(s[j]);
      std::uint32_t cp;
      int extra;
      if (c < 0x80) { cp = c; extra = 0; }
      else if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; extra = 1; }
      else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; extra = 2; }
      else { cp = c & 0x07; extra = 3; }
      ++j;
      for (int e = 0; e < extra && j < s.size(); ++e, ++j) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[j]) & 0x3F);
      }
      cell[k++] = cp;
    }
  }
  return out;
}

py::dict shard_dict(const ShardSummary& s) {
  py::dict d;
  d["seed"] = s.seed;
  d["first_player"] = s.first_player;
  d["players"] = s.players;
  d["player_rounds"] = s.player_rounds;
  d["rooms_settled"] = s.rooms_settled;
  d["commands"] = s.commands;
  d["events"] = s.events;
  d["errors"] = s.errors;
  d["digest"] = s.digest;
  d["end_time"] = s.end_time;
  return d;
}

py::dict summary_dict(const StrategySummary& s) {
  py::dict d;
  d["strategy"] = s.strategy;
  d["players"] = s.players;
  d["mean_total"] = s.mean_total;
  d["median_total"] = s.median_total;
  d["p90_total"] = s.p90_total;
  d["win_rate"] = s.win_rate;
  d["mean_round_score"] = s.mean_round_score;
  d["best_streak"] = s.best_streak;
  d["rounds_played"] = s.rounds_played;
  return d;
}

// A file sink for the command / event log, written from the simulator's thread
// without the GIL.
struct FileSink {
  std::ofstream out;
  std::string path;
  explicit FileSink(std::string p) : out(p, std::ios::binary | std::ios::trunc), path(std::move(p)) {
    if (!out) {
      PyErr_SetFromErrnoWithFilename(PyExc_OSError, path.c_str());
      throw py::error_already_set();
    }
  }
};

py::dict run_simulate(const Config& config, std::uint32_t players, std::uint32_t rounds,
                      const std::string& mix, const std::string& pairing, std::uint32_t shards,
                      std::uint32_t top, bool history, std::optional<std::string> command_log,
                      std::optional<std::string> event_log, py::object progress) {
  SimOptions o;
  o.config = config;
  o.players = players;
  o.rounds = rounds;
  o.mix = parse_mix(mix);
  o.pairing = parse_pairing(pairing);
  o.shards = shards;
  o.top = top;
  o.history = history;
  std::unique_ptr<FileSink> cmd_sink, ev_sink;
  if (command_log) {
    o.command_log = [](std::string_view) {};  // validate() sees the sink before files open
  }
  if (event_log) o.event_log = [](std::string_view) {};
  o.validate();  // ConfigError before any file is created
  if (command_log) {
    cmd_sink = std::make_unique<FileSink>(*command_log);
    o.command_log = [s = cmd_sink.get()](std::string_view text) { s->out.write(text.data(), static_cast<std::streamsize>(text.size())); };
  }
  if (event_log) {
    ev_sink = std::make_unique<FileSink>(*event_log);
    o.event_log = [s = ev_sink.get()](std::string_view text) { s->out.write(text.data(), static_cast<std::streamsize>(text.size())); };
  }

  // Progress goes to Python with the GIL taken back; a failing callback is not called
  // again and its exception is raised once the run is over.
  std::optional<py::error_already_set> callback_error;
  if (!progress.is_none()) {
    o.progress = [&progress, &callback_error](const SimProgress& p) {
      py::gil_scoped_acquire gil;
      if (callback_error) return;
      try {
        progress(p.rounds_done, p.rounds_total, p.player_rounds);
      } catch (py::error_already_set& e) {
        callback_error.emplace(std::move(e));
      }
    };
  }

  auto result = std::make_unique<SimResult>();
  double elapsed = 0;
  {
    py::gil_scoped_release release;
    const auto t0 = std::chrono::steady_clock::now();
    *result = simulate(o, run_on_threads);
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  for (auto* sink : {cmd_sink.get(), ev_sink.get()}) {
    if (!sink) continue;
    sink->out.flush();
    if (!sink->out) throw py::value_error("writing " + sink->path + " failed");
  }
  if (callback_error) throw std::move(*callback_error);

  SimResult& r = *result;
  py::dict out;
  py::dict cols;
  cols["uid"] = unicode_column(r.uid);
  // The capsule owns the SimResult; every zero-copy array below keeps it alive.
  py::capsule owner(result.release(), [](void* p) { delete static_cast<SimResult*>(p); });
  cols["strategy"] = view(r.strategy, owner);
  cols["shard"] = view(r.shard, owner);
  cols["total"] = view(r.total, owner);
  cols["wins"] = view(r.wins, owner);
  cols["losses"] = view(r.losses, owner);
  cols["draws"] = view(r.draws, owner);
  cols["rounds_played"] = view(r.rounds_played, owner);
  cols["best_streak"] = view(r.best_streak, owner);
  cols["win_streak"] = view(r.win_streak, owner);
  cols["best_round"] = view(r.best_round, owner);
  out["players"] = cols;
  out["strategies"] = r.strategies;
  py::list summary;
  for (const auto& s : r.summary) summary.append(summary_dict(s));
  out["summary"] = summary;
  out["leaderboard"] = view(r.leaderboard, owner);
  if (r.history) {
    SimHistory& h = *r.history;
    py::dict hc;
    hc["round"] = view(h.round, owner);
    hc["player"] = view(h.player, owner);
    hc["room"] = view(h.room, owner);
    hc["choice"] = view(h.choice, owner);
    hc["wins"] = view(h.wins, owner);
    hc["losses"] = view(h.losses, owner);
    hc["round_score"] = view(h.round_score, owner);
    hc["total_score"] = view(h.total_score, owner);
    hc["win_streak"] = view(h.win_streak, owner);
    out["history"] = hc;
  } else {
    out["history"] = py::none();
  }
  py::list shard_list;
  for (const auto& s : r.shards) shard_list.append(shard_dict(s));
  out["shards"] = shard_list;
  out["player_rounds"] = r.player_rounds;
  out["rooms_settled"] = r.rooms_settled;
  out["errors"] = r.errors;
  out["elapsed_s"] = elapsed;
  py::dict opts;
  opts["config"] = py::module_::import("json").attr("loads")(r.options.config.to_json());
  opts["players"] = r.options.players;
  opts["rounds"] = r.options.rounds;
  opts["mix"] = mix_to_string(r.options.mix);
  opts["pairing"] = std::string(to_string(r.options.pairing));
  opts["shards"] = r.options.shards;
  opts["top"] = r.options.top;
  opts["history"] = r.options.history;
  out["options"] = opts;
  return out;
}

}  // namespace

void bind_simulate(py::module_& m) {
  m.def("simulate", &run_simulate, py::arg("config"), py::arg("players"), py::arg("rounds"),
        py::arg("mix"), py::arg("pairing"), py::arg("shards"), py::arg("top"), py::arg("history"),
        py::arg("command_log"), py::arg("event_log"), py::arg("progress"),
        "Run a tournament (GIL released); the roshambo.simulate wrapper documents it.");
  m.def("strategies", [] {
    py::list out;
    for (const auto& s : strategy_registry()) {
      out.append(py::make_tuple(std::string(s.name), std::string(s.summary)));
    }
    return out;
  });
}

}  // namespace roshambo::py_binding
