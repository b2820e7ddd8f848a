// roshambo._core: the pybind11 extension behind the `roshambo` package. The public,
// documented surface is the package (roshambo/__init__.py and its .pyi stubs).

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include <structmember.h>
#ifdef __GLIBCXX__
#include <cxxabi.h>
#endif

#include "bindings.hpp"
#include "convert.hpp"
#include "roshambo/codec.hpp"
#include "roshambo/engine.hpp"
#include "roshambo/replay.hpp"
#include "roshambo/version.hpp"

namespace roshambo::py_binding {
namespace {

PyObject* g_config_error = nullptr;
PyObject* g_command_error = nullptr;
PyObject* g_snapshot_error = nullptr;
PyObject* g_invariant_error = nullptr;

PyObject* new_exception(py::module_& m, const char* name, const char* doc, PyObject* base) {
  const std::string qualified = std::string("roshambo.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base, nullptr);
  if (!type) throw py::error_already_set();
  m.add_object(name, py::reinterpret_borrow<py::object>(type));
  return type;  // one reference kept for the life of the process
}

// Raise `type(message)` with extra attributes set on the instance.
void raise_with(PyObject* type, const std::string& message,
                std::initializer_list<std::pair<const char*, py::object>> attrs) {
  py::object msg = make_str(message);
  py::object inst = py::reinterpret_steal<py::object>(PyObject_CallOneArg(type, msg.ptr()));
  if (!inst) throw py::error_already_set();
  for (const auto& [name, value] : attrs) inst.attr(name) = value;
  PyErr_SetObject(type, inst.ptr());
}

[[noreturn]] void throw_config_error(const std::string& field, const std::string& message) {
  throw ConfigError(field, message);
}

// ------------------------------------------------------------------ config

Config config_from_mapping(py::handle obj) {
  py::object d = py::reinterpret_borrow<py::object>(obj);
  if (!PyDict_Check(obj.ptr())) d = py::dict(d);
  return Config::from_json(to_json_text(d.ptr(), ""));
}

bool is_mapping(py::handle obj) {
  // Leaked on purpose: a static py::object would be released after the interpreter
  // has finalized, without the GIL.
  static PyObject* mapping = py::object(py::module_::import("collections.abc").attr("Mapping")).release().ptr();
  return PyDict_Check(obj.ptr()) || py::isinstance(obj, py::handle(mapping));
}

std::uint64_t seed_from(py::handle seed) {
  if (PyBool_Check(seed.ptr()) || !PyIndex_Check(seed.ptr())) {
    throw py::type_error(std::string("seed must be an int, got ") + Py_TYPE(seed.ptr())->tp_name);
  }
  py::object i = py::reinterpret_steal<py::object>(PyNumber_Index(seed.ptr()));
  if (!i) throw py::error_already_set();
  const unsigned long long v = PyLong_AsUnsignedLongLong(i.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    throw_config_error("seed", "config field 'seed': must be in 0..18446744073709551615");
  }
  return v;
}

py::object json_loads(const std::string& text) {
  static PyObject* loads = py::object(py::module_::import("json").attr("loads")).release().ptr();  // leaked, see is_mapping
  return py::handle(loads)(text);
}

py::dict config_dict(const Config& c) { return json_loads(c.to_json()); }

std::string config_repr(const Config& c) {
  std::string out = "roshambo.Config(";
  bool first = true;
  for (auto [k, v] : config_dict(c)) {
    if (!first) out += ", ";
    first = false;
    out += py::str(k).cast<std::string>() + "=" + py::repr(v).cast<std::string>();
  }
  return out + ")";
}

// ------------------------------------------------------------------ engine

struct PyEngine {
  Engine engine;
  std::vector<Event> scratch;  ///< reused by every call: no allocation per call

  explicit PyEngine(Engine e) : engine(std::move(e)) {}
  PyEngine(const PyEngine& o) : engine(o.engine) {}
  PyEngine(PyEngine&&) noexcept = default;
};

// Events of `scratch` as a list of dicts; the scratch is emptied in every case so no
// event keeps the engine's member lists alive longer than needed.
py::list take_events(std::vector<Event>& scratch) {
  struct Clear {
    std::vector<Event>& v;
    ~Clear() { v.clear(); }
  } clear{scratch};
  return events_to_list(scratch.data(), scratch.size());
}

py::list finish(PyEngine& self, std::optional<ErrorCode> err, bool strict) {
  std::string message;
  if (strict && err && !self.scratch.empty()) {
    if (const auto* e = std::get_if<ErrorData>(&self.scratch.back().data)) message = e->message;
  }
  py::list events = take_events(self.scratch);
  if (strict && err) {
    raise_with(g_command_error, message,
               {{"code", make_str(to_string(*err))}, {"message", make_str(message)}, {"events", events}});
    throw py::error_already_set();
  }
  return events;
}

py::list engine_handle(PyEngine& self, py::handle command, py::handle now, bool strict) {
  const Time t = to_time(now.ptr());
  // Local, not a member: reading the dict may run Python code (a key's __eq__) that
  // calls into this same engine.
  ParsedCommand p;
  parse_command(command.ptr(), self.engine.config(), p);
  self.scratch.clear();
  std::optional<ErrorCode> err;
  switch (p.kind) {
    case ParsedCommand::Kind::Command:
      err = self.engine.handle(p.command, t, self.scratch);
      break;
    case ParsedCommand::Kind::Tick:
      err = self.engine.tick(t, self.scratch);
      break;
    case ParsedCommand::Kind::Refused:
      // The time is checked first: the engine may refuse it instead (time_went_backwards).
      err = self.engine.reject(p.from, t, p.code, std::move(p.message), self.scratch);
      break;
  }
  return finish(self, err, strict);
}

// Engine.handle (and handle_as, below) as a METH_FASTCALL function: pybind11's
// dispatcher (argument loaders, keyword matching, the self caster) cost about as much
// as reading the command. Only
// the plain shapes are served here, handle(command, now) and handle(command, now,
// strict=True/False) on an initialised Engine; every other call is passed unchanged to
// the pybind11 function, so its conversions and error messages stay the same (an
// Engine whose __init__ never ran included: its caster raises TypeError). Self
// arrives as args[0], as with pybind11's own methods.
PyTypeObject* g_engine_type = nullptr;
PyObject* g_handle_bound = nullptr;     // the pybind11 Engine.handle (kept for the process)
PyObject* g_handle_as_bound = nullptr;  // the pybind11 Engine.handle_as (kept for the process)
PyObject* g_strict = nullptr;           // interned "strict"
PyObject* g_value = nullptr;            // interned "value"
PyObject* g_zero = nullptr;             // handle_as's default value

py::list engine_handle_as(PyEngine& self, py::handle player, py::handle type_word, py::handle now,
                          py::handle value_obj, bool strict);

// The initialised Engine args[0] holds, or null for anything else (a subclass, an
// object whose __init__ never ran), which the pybind11 function then handles.
PyEngine* fast_self(PyObject* const* args) {
  if (Py_TYPE(args[0]) != g_engine_type) return nullptr;
  auto* inst = reinterpret_cast<py::detail::instance*>(args[0]);
  if (!inst->simple_layout || !inst->simple_holder_constructed) return nullptr;
  return static_cast<PyEngine*>(inst->simple_value_holder[0]);
}

// Runs a binding call, turning C++ exceptions into Python ones as pybind11's dispatcher does.
template <typename F>
PyObject* call_translated(F&& f) {
  try {
    return f().release().ptr();
  } catch (py::error_already_set& e) {
    e.restore();
    return nullptr;
#ifdef __GLIBCXX__
  } catch (abi::__forced_unwind&) {
    throw;
#endif
  } catch (...) {
    py::detail::try_translate_exceptions();
    return nullptr;
  }
}

PyObject* handle_fast(PyObject*, PyObject* const* args, std::size_t nargsf, PyObject* kwnames) {
  const Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  auto slow = [&] { return PyObject_Vectorcall(g_handle_bound, args, static_cast<std::size_t>(nargs), kwnames); };
  if (nargs != 3) return slow();
  bool strict = false;
  if (kwnames) {
    PyObject* flag = args[3];
    if (PyTuple_GET_SIZE(kwnames) != 1 || PyTuple_GET_ITEM(kwnames, 0) != g_strict ||
        (flag != Py_True && flag != Py_False)) {
      return slow();
    }
    strict = flag == Py_True;
  }
  PyEngine* engine = fast_self(args);
  if (!engine) return slow();
  return call_translated([&] { return engine_handle(*engine, args[1], args[2], strict); });
}

// Engine.handle_as the same way: handle_as(player, type, now[, value]) with value
// and/or strict=True/False by keyword (each keyword once; value not also positional).
// Everything else, keywords for the first three included, goes to the pybind11 function.
PyObject* handle_as_fast(PyObject*, PyObject* const* args, std::size_t nargsf, PyObject* kwnames) {
  const Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  auto slow = [&] {
    return PyObject_Vectorcall(g_handle_as_bound, args, static_cast<std::size_t>(nargs), kwnames);
  };
  if (nargs != 4 && nargs != 5) return slow();
  PyObject* value = nargs == 5 ? args[4] : nullptr;
  int strict = -1;  // not given yet
  if (kwnames) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kwnames); ++i) {
      PyObject* name = PyTuple_GET_ITEM(kwnames, i);
      PyObject* arg = args[nargs + i];
      if (name == g_value && !value) {
        value = arg;
      } else if (name == g_strict && strict < 0 && (arg == Py_True || arg == Py_False)) {
        strict = arg == Py_True;
      } else {
        return slow();
      }
    }
  }
  PyEngine* engine = fast_self(args);
  if (!engine) return slow();
  return call_translated(
      [&] { return engine_handle_as(*engine, args[1], args[2], args[3], value ? value : g_zero, strict > 0); });
}

// The class attribute holding handle_fast: an instancemethod as pybind11 makes (the
// class gives the function, an instance a bound method), but flagged as a method
// descriptor so that `engine.handle(...)` calls it with self first instead of
// allocating a bound method per call. Its type is immutable, which lets the
// interpreter specialise the attribute lookup (LOAD_METHOD) as it does for builtins.
struct FastMethod {
  PyObject_HEAD
  PyObject* fn;
  vectorcallfunc call;
};

PyObject* fast_method_get(PyObject* self, PyObject* obj, PyObject*) {
  PyObject* fn = reinterpret_cast<FastMethod*>(self)->fn;
  return obj ? PyMethod_New(fn, obj) : Py_NewRef(fn);
}

// As instancemethod's: descriptors of the type (__class__, __func__), else the function's.
PyObject* fast_method_getattr(PyObject* self, PyObject* name) {
  if (PyObject* descr = _PyType_Lookup(Py_TYPE(self), name)) {
    if (descrgetfunc get = Py_TYPE(descr)->tp_descr_get) return get(descr, self, reinterpret_cast<PyObject*>(Py_TYPE(self)));
  }
  return PyObject_GetAttr(reinterpret_cast<FastMethod*>(self)->fn, name);
}

void fast_method_dealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  Py_XDECREF(reinterpret_cast<FastMethod*>(self)->fn);
  PyObject_Free(self);
  Py_DECREF(type);
}

PyObject* fast_method_repr(PyObject* self) {
  PyObject* fn = reinterpret_cast<FastMethod*>(self)->fn;
  return PyUnicode_FromFormat("<instancemethod %s at %p>", reinterpret_cast<PyCFunctionObject*>(fn)->m_ml->ml_name,
                              self);
}

// The fast entries as the functions Engine.handle and Engine.handle_as give
// (METH_FASTCALL: a plain count).
PyObject* handle_function(PyObject*, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  return handle_fast(nullptr, args, static_cast<std::size_t>(nargs), kwnames);
}
PyObject* handle_as_function(PyObject*, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  return handle_as_fast(nullptr, args, static_cast<std::size_t>(nargs), kwnames);
}

// The type of the class attributes holding the fast entries, made once.
PyTypeObject* fast_method_type() {
  static PyMemberDef members[] = {
      {"__func__", T_OBJECT, offsetof(FastMethod, fn), READONLY, nullptr},
      {"__vectorcalloffset__", T_PYSSIZET, offsetof(FastMethod, call), READONLY, nullptr},
      {}};
  static PyType_Slot slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(&fast_method_dealloc)},
                                {Py_tp_descr_get, reinterpret_cast<void*>(&fast_method_get)},
                                {Py_tp_getattro, reinterpret_cast<void*>(&fast_method_getattr)},
                                {Py_tp_repr, reinterpret_cast<void*>(&fast_method_repr)},
                                {Py_tp_call, reinterpret_cast<void*>(&PyVectorcall_Call)},
                                {Py_tp_members, members},
                                {0, nullptr}};
  static PyType_Spec spec = {"roshambo._core.instancemethod", sizeof(FastMethod), 0,
                             Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION |
                                 Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR,
                             slots};
  static PyTypeObject* type = nullptr;  // kept for the process
  if (!type) type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&spec));
  if (!type) throw py::error_already_set();
  return type;
}

// Puts `fast` in place of the pybind11-bound method `def.ml_name` of Engine, with its
// docstring; returns the pybind11 function, for the calls `fast` passes on. `def` must
// outlive the module.
PyObject* install_fast(py::handle engine_type, py::handle module, PyMethodDef& def, vectorcallfunc fast) {
  PyObject* method = PyDict_GetItemString(reinterpret_cast<PyTypeObject*>(engine_type.ptr())->tp_dict, def.ml_name);
  if (!method || !PyInstanceMethod_Check(method)) {
    throw std::runtime_error(std::string("Engine.") + def.ml_name + " is not a pybind11 method");
  }
  PyObject* bound = Py_NewRef(PyInstanceMethod_GET_FUNCTION(method));
  // Leaked with `def`, which points at it.
  def.ml_doc = (new std::string(py::str(py::handle(bound).attr("__doc__")).cast<std::string>()))->c_str();
  py::object fn = py::reinterpret_steal<py::object>(PyCFunction_NewEx(&def, nullptr, module.ptr()));
  if (!fn) throw py::error_already_set();
  auto* m = PyObject_New(FastMethod, fast_method_type());
  if (!m) throw py::error_already_set();
  m->fn = fn.release().ptr();
  m->call = fast;
  py::object wrapped = py::reinterpret_steal<py::object>(reinterpret_cast<PyObject*>(m));
  if (PyObject_SetAttrString(engine_type.ptr(), def.ml_name, wrapped.ptr()) < 0) throw py::error_already_set();
  return bound;
}

// Puts handle_fast and handle_as_fast in place of the pybind11-bound Engine.handle and
// Engine.handle_as.
void install_handle_fast(py::handle engine_type, py::handle module) {
  g_engine_type = reinterpret_cast<PyTypeObject*>(engine_type.ptr());
  g_strict = PyUnicode_InternFromString("strict");
  g_value = PyUnicode_InternFromString("value");
  g_zero = PyLong_FromLong(0);
  if (!g_strict || !g_value || !g_zero) throw py::error_already_set();
  static PyMethodDef handle_def = {
      "handle", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&handle_function)),
      METH_FASTCALL | METH_KEYWORDS, nullptr};
  static PyMethodDef handle_as_def = {
      "handle_as", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&handle_as_function)),
      METH_FASTCALL | METH_KEYWORDS, nullptr};
  g_handle_bound = install_fast(engine_type, module, handle_def, handle_fast);
  g_handle_as_bound = install_fast(engine_type, module, handle_as_def, handle_as_fast);
}

constexpr std::uint8_t kLastCommandType = static_cast<std::uint8_t>(CommandType::Disconnect);

// The list of names is built here, on the error path only: built on every call it cost
// more than the lookup.
[[noreturn, gnu::cold, gnu::noinline]] void throw_unknown_type(std::string_view type) {
  std::string words;
  for (std::uint8_t i = 0; i <= kLastCommandType; ++i) {
    words += (words.empty() ? "" : ", ") + std::string(to_string(static_cast<CommandType>(i)));
  }
  throw py::value_error("unknown command type '" + std::string(type.substr(0, 32)) + "' (" + words + ")");
}

// A command by player handle: no dict to read, no uid to look up (Engine::handle by
// PlayerHandle). A type word that is not a command is refused before the engine.
// Plain handles, converted here: pybind11's own conversions of four typed arguments
// cost more than the command itself.
py::list engine_handle_as(PyEngine& self, py::handle player, py::handle type_word, py::handle now,
                          py::handle value_obj, bool strict) {
  const std::int64_t who = to_int(player.ptr(), "player");
  if (who < 0 || who > std::int64_t{UINT32_MAX}) {
    throw py::value_error("player must be a handle from find_player (0..2^32-1), got " + std::to_string(who));
  }
  if (!PyUnicode_Check(type_word.ptr())) {
    throw py::type_error(std::string("type must be a str, got ") + Py_TYPE(type_word.ptr())->tp_name);
  }
  // A literal type word is the interned str itself: found by address, without reading
  // its text. Any other str equal to a name (built at run time, a subclass) by its text.
  std::optional<CommandType> kind;
  for (std::uint8_t i = 0; i <= kLastCommandType; ++i) {
    if (type_word.ptr() == names().command_types[i]) {
      kind = static_cast<CommandType>(i);
      break;
    }
  }
  std::string_view type;
  if (!kind) {
    Py_ssize_t len = 0;
    const char* text = PyUnicode_AsUTF8AndSize(type_word.ptr(), &len);
    if (!text) throw py::error_already_set();
    type = std::string_view(text, static_cast<std::size_t>(len));
    for (std::uint8_t i = 0; i <= kLastCommandType; ++i) {
      if (to_string(static_cast<CommandType>(i)) == type) {
        kind = static_cast<CommandType>(i);
        break;
      }
    }
  }
  const std::int64_t value = to_int(value_obj.ptr(), "value");
  const Time t = to_time(now.ptr());
  if (!kind) throw_unknown_type(type);
  self.scratch.clear();
  const auto err = self.engine.handle(PlayerHandle{static_cast<std::uint32_t>(who)}, *kind, value, t, self.scratch);
  return finish(self, err, strict);
}

py::list engine_tick(PyEngine& self, py::handle now, bool strict) {
  const Time t = to_time(now.ptr());
  self.scratch.clear();
  const auto err = self.engine.tick(t, self.scratch);
  return finish(self, err, strict);
}

std::string bytes_or_str(py::handle obj, const char* what) {
  if (PyUnicode_Check(obj.ptr())) {
    Py_ssize_t n = 0;
    const char* u = PyUnicode_AsUTF8AndSize(obj.ptr(), &n);
    if (!u) throw py::error_already_set();
    return std::string(u, static_cast<std::size_t>(n));
  }
  if (PyBytes_Check(obj.ptr())) {
    return std::string(PyBytes_AS_STRING(obj.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(obj.ptr())));
  }
  throw py::type_error(std::string(what) + " must be str or bytes, got " + Py_TYPE(obj.ptr())->tp_name);
}

std::optional<std::uint64_t> room_number(py::handle id) {
  if (PyUnicode_Check(id.ptr())) {
    const std::string s = id.cast<std::string>();
    if (s.rfind("room-", 0) != 0) return std::nullopt;
    std::uint64_t n = 0;
    const auto r = std::from_chars(s.data() + 5, s.data() + s.size(), n);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
    return n;
  }
  if (!PyBool_Check(id.ptr()) && PyLong_Check(id.ptr())) {
    const unsigned long long v = PyLong_AsUnsignedLongLong(id.ptr());
    if (PyErr_Occurred()) {
      PyErr_Clear();
      return std::nullopt;
    }
    return v;
  }
  throw py::type_error(std::string("room id must be a str like \"room-1\" or an int, got ") +
                       Py_TYPE(id.ptr())->tp_name);
}

py::object opt_room_id(const std::optional<std::uint64_t>& n) {
  if (!n) return py::none();
  return make_str(room_id(*n));
}

// ------------------------------------------------------------------ replay

struct PyReplayer {
  PyEngine& engine;
  std::uint64_t digest_every;
  Replayer replayer;
  std::vector<Event> scratch;

  PyReplayer(PyEngine& e, std::uint64_t every) : engine(e), digest_every(every), replayer(e.engine) {}

  py::list feed(py::handle line) {
    std::string text = bytes_or_str(line, "line");
    if (!text.empty() && text.back() == '\n') text.pop_back();
    scratch.clear();
    const std::uint64_t before = replayer.lines();
    replayer.feed(text, scratch);
    py::list out = take_events(scratch);
    const std::uint64_t lines = replayer.lines();
    if (digest_every != 0 && lines != before && lines % digest_every == 0) {
      out.append(digest_dict(engine.engine.now(), lines, engine.engine.digest()));
    }
    return out;
  }
};

// Named after pybind11's own TypeError for a subclass that skips the bound __init__.
[[noreturn, gnu::cold, gnu::noinline]] void throw_uninitialised(py::handle src) {
  const py::handle cls(reinterpret_cast<PyObject*>(Py_TYPE(src.ptr())));
  const std::string name = py::str(cls.attr("__module__")).cast<std::string>() + "." +
                           py::str(cls.attr("__qualname__")).cast<std::string>();
  throw py::type_error(name + " object is uninitialised: " + name +
                       ".__init__() was not called (the object was made by __new__)");
}
}  // namespace

void require_initialised(py::handle src, PyTypeObject* type) {
  if (!src || !PyObject_TypeCheck(src.ptr(), type)) return;  // not of the class: the caster refuses it
  auto* inst = reinterpret_cast<py::detail::instance*>(src.ptr());
  const bool constructed =
      inst->simple_layout ? inst->simple_holder_constructed
                          : inst->get_value_and_holder(py::detail::get_type_info(type), false).holder_constructed();
  if (!constructed) throw_uninitialised(src);
}

}  // namespace roshambo::py_binding

// The classes of this file only; the others' casters are declared in bindings.hpp.
ROSHAMBO_INITIALISED_CASTER(roshambo::py_binding::PyEngine)
ROSHAMBO_INITIALISED_CASTER(roshambo::py_binding::PyReplayer)

namespace rb = roshambo::py_binding;
using roshambo::Config;
using roshambo::Engine;

PYBIND11_MODULE(_core, m) {
  namespace py = pybind11;
  m.doc() = "roshambo native core; use the `roshambo` package.";
  m.attr("__version__") = roshambo::version();
  rb::init_names();

  rb::g_config_error = rb::new_exception(
      m, "ConfigError", "An invalid configuration; `.field` names the offending field.", PyExc_ValueError);
  rb::g_command_error = rb::new_exception(
      m, "CommandError",
      "A command the engine refused (strict mode). `.code` is the error code of docs/RULES.md §7, "
      "`.message` the text, `.events` every event of the call (the error included).",
      PyExc_Exception);
  rb::g_snapshot_error = rb::new_exception(
      m, "SnapshotError", "A snapshot that cannot be restored.", PyExc_ValueError);
  rb::g_invariant_error = rb::new_exception(
      m, "InvariantError", "verify() found a broken invariant: a bug in roshambo.", PyExc_RuntimeError);

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const roshambo::ConfigError& e) {
      rb::raise_with(rb::g_config_error, e.what(), {{"field", rb::make_str(e.field())}});
    } catch (const roshambo::SnapshotError& e) {
      PyErr_SetString(rb::g_snapshot_error, e.what());
    } catch (const roshambo::InvariantError& e) {
      PyErr_SetString(rb::g_invariant_error, e.what());
    }
  });

  // ---------------------------------------------------------------- Config
  py::class_<Config> cfg(m, "Config", "Engine configuration (docs/RULES.md §10); immutable.");
  cfg.def(py::init([](const py::kwargs& kw) { return Config::from_json(rb::to_json_text(kw.ptr(), "")); }))
      .def_static("from_dict", [](const py::handle& d) {
        if (!rb::is_mapping(d)) {
          throw py::type_error(std::string("config must be a dict, got ") + Py_TYPE(d.ptr())->tp_name);
        }
        return rb::config_from_mapping(d);
      }, py::arg("fields"))
      .def_static("from_json", [](const py::handle& text) {
        return Config::from_json(rb::bytes_or_str(text, "config JSON"));
      }, py::arg("text"))
      .def("to_json", &Config::to_json)
      .def("to_dict", &rb::config_dict)
      .def("replace", [](const Config& c, const py::kwargs& changes) {
        py::dict d = rb::config_dict(c);
        for (auto [k, v] : changes) d[k] = v;
        return Config::from_json(rb::to_json_text(d.ptr(), ""));
      })
      .def("__eq__", [](const Config& a, const py::object& b) -> py::object {
        if (!py::isinstance<Config>(b)) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
        return py::bool_(a == b.cast<const Config&>());
      })
      .def("__hash__", [](const Config& c) { return py::hash(py::str(c.to_json())); })
      .def("__repr__", &rb::config_repr)
      .def("__copy__", [](const Config& c) { return c; })
      .def("__deepcopy__", [](const Config& c, const py::object&) { return c; }, py::arg("memo"))
      .def(py::pickle([](const Config& c) { return c.to_json(); },
                      [](const std::string& s) { return Config::from_json(s); }));
  // One read-only attribute per row of the config table, and the table itself.
  for (const roshambo::ConfigField& f : roshambo::config_fields()) {
    const roshambo::ConfigField* field = &f;
    cfg.def_property_readonly(std::string(f.name).c_str(), [field](const Config& c) {
      return std::visit([](const auto& v) { return py::cast(v); }, field->get(c));
    }, std::string(f.help).c_str());
  }
  m.def("config_fields", [] {
    py::list out;
    const Config defaults;
    static constexpr const char* kTypes[] = {"int", "bool", "word", "text"};
    for (const roshambo::ConfigField& f : roshambo::config_fields()) {
      py::dict row;
      row["name"] = std::string(f.name);
      row["type"] = kTypes[static_cast<int>(f.type)];
      row["default"] = std::visit([](const auto& v) { return py::cast(v); }, f.get(defaults));
      row["help"] = std::string(f.help);
      if (f.type == roshambo::ConfigField::Type::Int) {
        row["min"] = f.min;
        row["max"] = f.max;
      }
      if (f.type == roshambo::ConfigField::Type::Word) {
        py::list words;
        for (std::string_view w : f.words) words.append(std::string(w));
        row["words"] = words;
      }
      out.append(row);
    }
    return out;
  }, "Every config field (name, type, default, help, min/max or words), in canonical order.");

  // ---------------------------------------------------------------- views
  using roshambo::PlayerInfo;
  using roshambo::RoomInfo;
  using roshambo::EngineStats;
  py::class_<PlayerInfo>(m, "Player", "Read-only copy of one player's state.")
      .def_readonly("uid", &PlayerInfo::uid)
      .def_readonly("name", &PlayerInfo::name)
      .def_readonly("avatar", &PlayerInfo::avatar)
      .def_readonly("total_score", &PlayerInfo::total_score)
      .def_readonly("win_streak", &PlayerInfo::win_streak)
      .def_readonly("online", &PlayerInfo::online)
      .def_readonly("bot", &PlayerInfo::bot)
      .def_property_readonly("room", [](const PlayerInfo& p) { return rb::opt_room_id(p.room); })
      .def("__eq__", [](const PlayerInfo& a, const py::object& o) -> py::object {
        if (!py::isinstance<PlayerInfo>(o)) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
        const auto& b = o.cast<const PlayerInfo&>();
        return py::bool_(a.uid == b.uid && a.name == b.name && a.avatar == b.avatar &&
                         a.total_score == b.total_score && a.win_streak == b.win_streak &&
                         a.online == b.online && a.bot == b.bot && a.room == b.room);
      })
      .def("__repr__", [](const PlayerInfo& p) {
        return "roshambo.Player(uid=" + py::repr(py::str(p.uid)).cast<std::string>() +
               ", name=" + py::repr(py::str(p.name)).cast<std::string>() +
               ", total_score=" + std::to_string(p.total_score) +
               ", win_streak=" + std::to_string(p.win_streak) +
               ", online=" + (p.online ? "True" : "False") + ", bot=" + (p.bot ? "True" : "False") +
               ", room=" + (p.room ? "'" + roshambo::room_id(*p.room) + "'" : std::string("None")) + ")";
      });
  py::class_<RoomInfo>(m, "Room", "Read-only copy of one open room.")
      .def_property_readonly("id", [](const RoomInfo& r) { return roshambo::room_id(r.number); })
      .def_readonly("number", &RoomInfo::number)
      .def_property_readonly("phase", [](const RoomInfo& r) {
        return std::string(r.phase == roshambo::Phase::Playing ? "playing" : "waiting");
      })
      .def_readonly("opened_at", &RoomInfo::opened_at)
      .def_readonly("deadline", &RoomInfo::deadline)
      .def_property_readonly("members", [](const RoomInfo& r) {
        py::tuple t(r.members.size());
        for (std::size_t i = 0; i < r.members.size(); ++i) t[i] = py::str(r.members[i]);
        return t;
      })
      .def_property_readonly("choices", [](const RoomInfo& r) {
        py::tuple t(r.choices.size());
        for (std::size_t i = 0; i < r.choices.size(); ++i) t[i] = py::int_(static_cast<int>(r.choices[i]));
        return t;
      })
      .def("__repr__", [](const RoomInfo& r) {
        return "roshambo.Room(id='" + roshambo::room_id(r.number) + "', phase='" +
               (r.phase == roshambo::Phase::Playing ? "playing" : "waiting") +
               "', members=" + std::to_string(r.members.size()) + ")";
      });
  py::class_<EngineStats>(m, "Stats", "Engine counters.")
      .def_readonly("players", &EngineStats::players)
      .def_readonly("online", &EngineStats::online)
      .def_readonly("bots", &EngineStats::bots)
      .def_readonly("rooms", &EngineStats::rooms)
      .def_readonly("waiting_rooms", &EngineStats::waiting_rooms)
      .def_readonly("rooms_settled", &EngineStats::rooms_settled)
      .def_readonly("timers", &EngineStats::timers)
      .def("__repr__", [](const EngineStats& s) {
        return "roshambo.Stats(players=" + std::to_string(s.players) + ", online=" +
               std::to_string(s.online) + ", bots=" + std::to_string(s.bots) + ", rooms=" +
               std::to_string(s.rooms) + ", waiting_rooms=" + std::to_string(s.waiting_rooms) +
               ", rooms_settled=" + std::to_string(s.rooms_settled) + ", timers=" +
               std::to_string(s.timers) + ")";
      });

  // ---------------------------------------------------------------- Engine
  py::class_<rb::PyEngine>(m, "Engine", "One lobby shard: commands and host time in, events out.")
      .def(py::init([](const py::object& config, const py::object& seed) {
             Config c;
             if (config.is_none()) {
             } else if (py::isinstance<Config>(config)) {
               c = config.cast<const Config&>();
             } else if (rb::is_mapping(config)) {
               c = rb::config_from_mapping(config);
             } else {
               throw py::type_error(std::string("config must be a roshambo.Config, a dict or None, got ") +
                                    Py_TYPE(config.ptr())->tp_name);
             }
             if (!seed.is_none()) c.seed = rb::seed_from(seed);
             return rb::PyEngine(Engine(c));
           }),
           py::arg("config") = py::none(), py::kw_only(), py::arg("seed") = py::none())
      .def("handle", &rb::engine_handle, py::arg("command"), py::arg("now"), py::kw_only(),
           py::arg("strict") = false)
      .def("handle_as", &rb::engine_handle_as, py::arg("player"), py::arg("type"), py::arg("now"),
           py::arg("value") = py::int_(0), py::kw_only(), py::arg("strict") = false)
      .def("find_player", [](const rb::PyEngine& e, std::string_view uid) -> std::optional<std::uint32_t> {
        const auto h = e.engine.find_player(uid);
        return h ? std::optional<std::uint32_t>(h->index) : std::nullopt;
      }, py::arg("uid"))
      .def("reserve", [](rb::PyEngine& e, py::handle players) {
        const std::int64_t n = rb::to_int(players.ptr(), "players");
        if (n < 0) throw py::value_error("players must be >= 0, got " + std::to_string(n));
        // std::length_error reaches Python as ValueError, std::bad_alloc as MemoryError.
        e.engine.reserve(static_cast<std::size_t>(n));
      }, py::arg("players"))
      .def("tick", &rb::engine_tick, py::arg("now"), py::kw_only(), py::arg("strict") = false)
      .def("next_deadline", [](const rb::PyEngine& e) { return e.engine.next_deadline(); })
      .def_property_readonly("now", [](const rb::PyEngine& e) { return e.engine.now(); })
      .def_property_readonly("config", [](const rb::PyEngine& e) { return e.engine.config(); })
      .def("snapshot", [](const rb::PyEngine& e) { return e.engine.snapshot(); })
      .def_static("restore", [](const py::handle& s) {
        return rb::PyEngine(Engine::from_snapshot(rb::bytes_or_str(s, "snapshot")));
      }, py::arg("snapshot"))
      .def("digest", [](const rb::PyEngine& e) { return e.engine.digest(); })
      .def("verify", [](const rb::PyEngine& e) { e.engine.verify(); })
      .def("player", [](const rb::PyEngine& e, const py::handle& uid) {
        if (!PyUnicode_Check(uid.ptr())) {
          throw py::type_error(std::string("uid must be a str, got ") + Py_TYPE(uid.ptr())->tp_name);
        }
        return e.engine.player(uid.cast<std::string>());
      }, py::arg("uid"))
      .def("players", [](const rb::PyEngine& e) { return e.engine.players(); })
      .def("room", [](const rb::PyEngine& e, const py::handle& id) -> std::optional<RoomInfo> {
        const auto n = rb::room_number(id);
        if (!n) return std::nullopt;
        return e.engine.room(*n);
      }, py::arg("room_id"))
      .def("rooms", [](const rb::PyEngine& e) { return e.engine.rooms(); })
      .def("stats", [](const rb::PyEngine& e) { return e.engine.stats(); })
      .def("__copy__", [](const rb::PyEngine& e) { return rb::PyEngine(e); })
      .def("__deepcopy__", [](const rb::PyEngine& e, const py::object&) { return rb::PyEngine(e); },
           py::arg("memo"))
      .def(py::pickle([](const rb::PyEngine& e) { return e.engine.snapshot(); },
                      [](const std::string& s) { return rb::PyEngine(Engine::from_snapshot(s)); }))
      .def("__repr__", [](const rb::PyEngine& e) {
        const auto s = e.engine.stats();
        return "<roshambo.Engine now=" + std::to_string(e.engine.now()) + " players=" +
               std::to_string(s.players) + " rooms=" + std::to_string(s.rooms) + ">";
      });

  rb::install_handle_fast(m.attr("Engine"), m.attr("__name__"));

  py::class_<rb::PyReplayer>(m, "Replayer", "Feeds command-log lines to an engine.")
      .def(py::init([](rb::PyEngine& e, std::uint64_t every) { return new rb::PyReplayer(e, every); }),
           py::arg("engine"), py::arg("digest_every") = 0, py::keep_alive<1, 2>())
      .def("feed", &rb::PyReplayer::feed, py::arg("line"))
      .def_property_readonly("lines", [](const rb::PyReplayer& r) { return r.replayer.lines(); });

  rb::bind_simulate(m);

  // The public classes belong to the package that re-exports them (reprs, pickles, docs).
  for (const char* name : {"Config", "Player", "Room", "Stats", "Engine"}) {
    m.attr(name).attr("__module__") = "roshambo";
  }
}
