#include "convert.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "roshambo/codec.hpp"
#include "roshambo/detail/decode.hpp"
#include "roshambo/detail/write_event.hpp"

namespace roshambo::py_binding {
namespace {

Names g_names{};

PyObject* intern(const char* s) {
  PyObject* o = PyUnicode_InternFromString(s);
  if (!o) throw py::error_already_set();
  return o;  // owned for the life of the process
}

py::object steal(PyObject* o) {
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(o);
}

py::object borrow(PyObject* o) { return py::reinterpret_borrow<py::object>(o); }

void set(const py::object& d, PyObject* key, const py::object& value) {
  if (PyDict_SetItem(d.ptr(), key, value.ptr()) < 0) throw py::error_already_set();
}

py::object new_dict() { return steal(PyDict_New()); }
py::object i64(std::int64_t v) { return steal(PyLong_FromLongLong(v)); }
py::object u64(std::uint64_t v) { return steal(PyLong_FromUnsignedLongLong(v)); }

py::object room_str(std::uint64_t n) {
  char buf[32] = "room-";
  const auto r = std::to_chars(buf + 5, buf + sizeof buf, n);
  return steal(PyUnicode_FromStringAndSize(buf, r.ptr - buf));
}

// ------------------------------------------------------------------ command size

constexpr int kMaxDepth = 256;

struct TooDeep {};

[[noreturn]] void not_json(PyObject* o) {
  throw py::type_error(std::string("command values must be JSON values (dict with str keys, "
                                   "list, tuple, str, int, float, bool, None), got ") +
                       Py_TYPE(o)->tp_name);
}

// Bytes of `s` in compact JSON (quotes and escapes included), or more than `room`
// when it cannot fit. Never encodes a string that is too long anyway.
std::size_t str_size(PyObject* s, std::size_t room) {
  const auto cps = static_cast<std::size_t>(PyUnicode_GET_LENGTH(s));
  if (cps + 2 > room) return cps + 2;
  Py_ssize_t n = 0;
  const char* u = PyUnicode_AsUTF8AndSize(s, &n);
  if (!u) {  // lone surrogates: the bytes the surrogatepass encoding would give
    PyErr_Clear();
    return 4 * cps + 2;
  }
  std::size_t size = static_cast<std::size_t>(n) + 2;
  for (Py_ssize_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(u[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    size += (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') ? 1 : 5;
  }
  return size;
}

// Length of the base type's repr: what json.dumps writes for int and float subclasses,
// and no user code runs.
std::size_t repr_size(PyObject* o, PyTypeObject& base) {
  py::object r = steal(base.tp_repr(o));
  return static_cast<std::size_t>(PyUnicode_GET_LENGTH(r.ptr()));
}

// Adds the compact-JSON size of `o` to `size`, stopping as soon as it exceeds `budget`.
// Throws TypeError for non-JSON values, TooDeep past kMaxDepth levels (or a cycle).
// Unless Exact, a str counts for the most its JSON can take, 6 bytes a code point (a
// \u escape; UTF-8 takes at most 4) plus the quotes: no UTF-8 to read, and a total
// within budget is then certain. Both walks visit values in the same order and the
// bound is never below the exact size, so they raise the same errors.
template <bool Exact>
void measure(PyObject* o, std::size_t budget, std::size_t& size, int depth) {
  if (size > budget) return;
  if (PyUnicode_Check(o)) {
    size += Exact ? str_size(o, budget - size) : 6 * static_cast<std::size_t>(PyUnicode_GET_LENGTH(o)) + 2;
  } else if (PyBool_Check(o)) {
    size += o == Py_True ? 4 : 5;
  } else if (PyLong_Check(o)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow) {
      size += repr_size(o, PyLong_Type);
    } else {
      char buf[24];
      size += static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, v).ptr - buf);
    }
  } else if (o == Py_None) {
    size += 4;
  } else if (PyDict_Check(o)) {
    if (depth >= kMaxDepth) throw TooDeep{};
    size += 2;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    bool first = true;
    while (PyDict_Next(o, &pos, &k, &v)) {
      if (!PyUnicode_Check(k)) {
        throw py::type_error(std::string("command dict keys must be str, got ") + Py_TYPE(k)->tp_name);
      }
      size += (first ? 0 : 1) + 1;
      first = false;
      if (size > budget) return;
      size += Exact ? str_size(k, budget - size) : 6 * static_cast<std::size_t>(PyUnicode_GET_LENGTH(k)) + 2;
      py::object keep = borrow(v);
      measure<Exact>(v, budget, size, depth + 1);
      if (size > budget) return;
    }
  } else if (PyList_Check(o) || PyTuple_Check(o)) {
    if (depth >= kMaxDepth) throw TooDeep{};
    py::object keep = borrow(o);
    size += 2;
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    for (Py_ssize_t i = 0; i < n && i < PySequence_Fast_GET_SIZE(o); ++i) {
      if (i) ++size;
      py::object item = borrow(PySequence_Fast_GET_ITEM(o, i));
      measure<Exact>(item.ptr(), budget, size, depth + 1);
      if (size > budget) return;
    }
  } else if (PyFloat_Check(o)) {  // last: a subclass check (no JSON type is also a float)
    size += repr_size(o, PyFloat_Type);
  } else {
    not_json(o);
  }
}

// ------------------------------------------------------------------ command fields

// UTF-8 bytes of a str. Lone surrogates are kept (surrogatepass) so the engine reports
// "not valid UTF-8" for the field, as it does for bad bytes in a log line.
void utf8(PyObject* s, std::string& out) {
  Py_ssize_t n = 0;
  if (const char* u = PyUnicode_AsUTF8AndSize(s, &n)) {
    out.assign(u, static_cast<std::size_t>(n));
    return;
  }
  PyErr_Clear();
  py::object b = steal(PyUnicode_AsEncodedString(s, "utf-8", "surrogatepass"));
  out.assign(PyBytes_AS_STRING(b.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(b.ptr())));
}

std::string_view utf8_view(PyObject* s, std::string& scratch) {
  Py_ssize_t n = 0;
  if (const char* u = PyUnicode_AsUTF8AndSize(s, &n)) return {u, static_cast<std::size_t>(n)};
  utf8(s, scratch);
  return scratch;
}

// A command dict as the shared decoder reads it. Values are held (not borrowed): a
// key's __eq__ may run Python code that changes the dict.
class DictReader {
 public:
  static constexpr bool kCarriesTime = false;

  DictReader() = default;
  explicit DictReader(py::object o, const std::optional<detail::Refusal>* refusal = nullptr)
      : o_(std::move(o)), refusal_(refusal) {}

  explicit operator bool() const noexcept { return static_cast<bool>(o_); }
  DictReader find(detail::Field f) const {
    PyObject* v = PyDict_GetItemWithError(o_.ptr(), g_names.fields[static_cast<std::size_t>(f)]);
    if (!v && PyErr_Occurred()) throw py::error_already_set();
    return v ? DictReader(borrow(v)) : DictReader();
  }
  bool is_null() const noexcept { return o_.ptr() == Py_None; }
  bool is_string() const noexcept { return PyUnicode_Check(o_.ptr()); }
  bool is_object() const noexcept { return PyDict_Check(o_.ptr()); }
  // As the value's JSON text would read: bools are not integers, and whole numbers
  // beyond int64 (an int, or a float such as 1e19, as JSON's 1e19 is) are out of range.
  detail::IntRead integer(std::int64_t& out) const {
    PyObject* o = o_.ptr();
    if (PyLong_Check(o)) {  // a flag test; PyFloat_Check is a subclass walk
      if (PyBool_Check(o)) return detail::IntRead::NotInteger;
      int overflow = 0;
      const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
      if (overflow != 0) return detail::IntRead::OutOfRange;
      out = v;
      return detail::IntRead::Ok;
    }
    if (PyFloat_Check(o)) {
      const double d = PyFloat_AS_DOUBLE(o);
      return std::isfinite(d) && d == std::trunc(d) && (d >= 0x1p63 || d <= -0x1p63)
                 ? detail::IntRead::OutOfRange
                 : detail::IntRead::NotInteger;
    }
    return detail::IntRead::NotInteger;
  }
  std::string_view text(std::string& scratch) const { return utf8_view(o_.ptr(), scratch); }
  // Code points bound the UTF-8 bytes from below: a longer str cannot fit.
  bool may_fit(std::size_t bytes) const noexcept {
    return static_cast<std::size_t>(PyUnicode_GET_LENGTH(o_.ptr())) <= bytes;
  }
  std::optional<detail::Refusal> refusal(const Config&) const {
    return refusal_ ? *refusal_ : std::nullopt;
  }

 private:
  py::object o_;
  const std::optional<detail::Refusal>* refusal_ = nullptr;
};

}  // namespace

const Names& names() noexcept { return g_names; }

void init_names() {
  Names& n = g_names;
  n.lines = intern("lines");
  n.digest = intern("digest");
  for (std::size_t i = 0; i < detail::kFieldCount; ++i) {
    n.fields[i] = intern(detail::field_name(static_cast<detail::Field>(i)));
  }
  for (std::size_t i = 0; i < detail::kWordCount; ++i) {
    n.words[i] = intern(std::string(detail::word(static_cast<detail::Word>(i))).c_str());
  }
  for (std::size_t i = 0; i < std::size(n.event_types); ++i) {
    n.event_types[i] = intern(std::string(to_string(static_cast<EventType>(i))).c_str());
  }
  for (int i = 0; i < 11; ++i) {
    n.error_codes[i] = intern(std::string(to_string(static_cast<ErrorCode>(i))).c_str());
  }
  for (std::size_t i = 0; i < std::size(n.command_types); ++i) {
    n.command_types[i] = intern(std::string(to_string(static_cast<CommandType>(i))).c_str());
  }
}

std::int64_t to_time(PyObject* obj, const char* what) { return to_int(obj, what, " (milliseconds)"); }

std::int64_t to_int(PyObject* obj, const char* what, const char* unit) {
  if (PyLong_CheckExact(obj)) {  // the usual case: no __index__ to call
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (overflow == 0) return v;
  }
  if (PyBool_Check(obj) || !PyIndex_Check(obj)) {
    throw py::type_error(std::string(what) + " must be an int" + unit + ", got " + Py_TYPE(obj)->tp_name);
  }
  py::object i = steal(PyNumber_Index(obj));
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
  if (overflow > 0) return std::numeric_limits<std::int64_t>::max();
  if (overflow < 0) return std::numeric_limits<std::int64_t>::min();
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  return v;
}

void parse_command(PyObject* obj, const Config& limits, ParsedCommand& out) {
  if (!PyDict_Check(obj)) {
    throw py::type_error(std::string("command must be a dict like {\"from\": uid, \"type\": "
                                     "\"join\", \"data\": {}}, got ") +
                         Py_TYPE(obj)->tp_name);
  }
  // What only a dict can be: too deep (a cycle included) or too big as JSON. Measured
  // first, without copying, so an oversized command is refused before conversion; the
  // decoder reports it after reading the sender, as it reports everything else.
  std::optional<detail::Refusal> refusal;
  std::size_t size = 0;
  try {
    measure<false>(obj, limits.max_command_bytes, size, 0);
    if (size > limits.max_command_bytes) {  // maybe too big: count exactly
      size = 0;
      measure<true>(obj, limits.max_command_bytes, size, 0);
    }
    if (size > limits.max_command_bytes) {
      refusal = detail::Refusal{ErrorCode::CapacityExceeded,
                                "command longer than max_command_bytes (" +
                                    std::to_string(limits.max_command_bytes) + ")"};
    }
  } catch (const TooDeep&) {
    refusal = detail::Refusal{ErrorCode::Malformed, "command nested more than " +
                                                        std::to_string(kMaxDepth) + " levels deep"};
  }
  detail::decode_command(DictReader(borrow(obj), &refusal), limits, out);
}

// ------------------------------------------------------------------ events

py::object make_str(std::string_view s) {
  return steal(PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace"));
}

namespace {

// The strs of recent event texts, by the address of their bytes. Most texts are uids
// and names, whose bytes stay put in the player's profile while events about the
// player keep coming, so the same str can be handed out again instead of decoding and
// freeing a new one per event. An entry is used only when its bytes equal the text's,
// so a freed profile whose address is reused merely misses. ASCII only (its bytes are
// the str's), up to 64 bytes; shorter than 2 are CPython's own singletons. 4096 slots:
// a 1000-seat room's uids mostly fit (256 thrashed: slower than no cache there).
class StrCache {
 public:
  PyObject* get(std::string_view s) {
    if (s.size() < 2 || s.size() > 64) return make_str(s).release().ptr();
    Entry& e = slots_[(reinterpret_cast<std::uintptr_t>(s.data()) * 0x9E3779B97F4A7C15ull) >> (64 - kBits)];
    if (e.at == s.data() && e.str && static_cast<std::size_t>(PyUnicode_GET_LENGTH(e.str)) == s.size() &&
        std::memcmp(PyUnicode_1BYTE_DATA(e.str), s.data(), s.size()) == 0) {
      return Py_NewRef(e.str);
    }
    PyObject* o = make_str(s).release().ptr();
    if (PyUnicode_IS_ASCII(o) && static_cast<std::size_t>(PyUnicode_GET_LENGTH(o)) == s.size()) {
      Py_XSETREF(e.str, Py_NewRef(o));
      e.at = s.data();
    }
    return o;
  }

 private:
  static constexpr int kBits = 12;
  struct Entry {
    const char* at = nullptr;
    PyObject* str = nullptr;  // owned; released when a miss replaces it, else never
  };
  Entry slots_[1 << kBits];
};

StrCache g_strs;

// The values of the event format as Python objects, put by either sink below, and
// what both keep: the root object and the depth of the containers open in it.
template <class Sink>
class PyValues {
 public:
  py::object take() { return std::move(root_); }
  void end_array() { --depth_; }
  void key(detail::Word w) { key_ = g_names.words[static_cast<std::size_t>(w)]; }
  void integer(std::int64_t v) { sink().put(PyLong_FromLongLong(v)); }
  void unsigned_integer(std::uint64_t v) { sink().put(PyLong_FromUnsignedLongLong(v)); }
  void boolean(bool b) { sink().put(Py_NewRef(b ? Py_True : Py_False)); }
  void text(std::string_view s) { sink().put(g_strs.get(s)); }
  void word(detail::Word w) { sink().put(Py_NewRef(g_names.words[static_cast<std::size_t>(w)])); }
  void room(std::uint64_t n) { sink().put(room_str(n).release().ptr()); }
  // An int when whole, else the float whose repr is the same shortest decimal
  // (ms / 1000 is correctly rounded, so repr gives it back).
  void seconds(std::int64_t ms) {
    sink().put(ms % 1000 == 0 ? PyLong_FromLongLong(ms / 1000)
                              : PyFloat_FromDouble(static_cast<double>(ms) / 1000.0));
  }
  void event_type(EventType t) { sink().put(Py_NewRef(g_names.event_types[static_cast<std::size_t>(t)])); }
  void error_code(ErrorCode c) {
    const auto i = static_cast<std::size_t>(c);
    sink().put(i < std::size(g_names.error_codes) ? Py_NewRef(g_names.error_codes[i])
                                                  : make_str(to_string(c)).release().ptr());
  }

 protected:
  // Checks `o` (a new reference, null on a Python error) and takes it as the root
  // when no container is open; false when it goes into the open one.
  bool took_root(PyObject* o) {
    if (!o) throw py::error_already_set();
    if (depth_ != 0) return false;
    root_ = steal(o);
    return true;
  }

  py::object root_;
  int depth_ = 0;
  PyObject* key_ = nullptr;

 private:
  Sink& sink() { return static_cast<Sink&>(*this); }
};

// New Python dicts and lists for detail::write_event, with interned keys. Each
// container is put in its parent when opened and kept on a stack borrowed; only the
// root is owned here, so an exception midway frees everything (a list's unset slots
// are NULL, which its deallocation allows).
class DictSink : public PyValues<DictSink> {
 public:
  static constexpr bool kSizedArrays = true;

  void begin_object() { open(PyDict_New(), false); }
  void end_object() { --depth_; }
  void begin_array(std::size_t n) { open(PyList_New(static_cast<Py_ssize_t>(n)), true); }

  // Takes `o` (a new reference) into the current container.
  void put(PyObject* o) {
    if (took_root(o)) return;
    Level& l = stack_[depth_ - 1];
    if (l.list) {
      PyList_SET_ITEM(l.container, l.next++, o);
      return;
    }
    const int rc = PyDict_SetItem(l.container, key_, o);
    Py_DECREF(o);
    if (rc < 0) throw py::error_already_set();
  }

 private:
  struct Level {
    PyObject* container;  // borrowed: its parent (or root_) holds it
    bool list;
    Py_ssize_t next;
  };

  void open(PyObject* o, bool list) {
    put(o);
    stack_[depth_++] = {o, list, 0};
  }

  Level stack_[8];  // an event nests 4 deep
};

// References whose release waits until a whole result is built. Refilling a previous
// result replaces values the caller may have put there, and releasing one may run
// Python code (a __del__) that calls into the engine again; the engine's event buffer,
// being read meanwhile, must not change under the refill.
class Graveyard {
 public:
  Graveyard() = default;
  Graveyard(const Graveyard&) = delete;
  Graveyard& operator=(const Graveyard&) = delete;
  ~Graveyard() { release(); }

  void add(PyObject* o) {  // takes a reference
    if (!o) return;
    if (n_ < kInline) {
      inline_[n_++] = o;
    } else {
      more_.push_back(o);
    }
  }
  // A call made from a __del__ here refills nothing of ours (see refill_events) and
  // keeps its own graveyard.
  void release() {
    const int n = std::exchange(n_, 0);
    for (int i = 0; i < n; ++i) Py_DECREF(inline_[i]);
    for (PyObject* o : std::exchange(more_, {})) Py_DECREF(o);
  }

 private:
  static constexpr int kInline = 8;  // a refill usually replaces a few values, no malloc
  PyObject* inline_[kInline];
  int n_ = 0;
  std::vector<PyObject*> more_;
};

// The sink that refills a previous event's dict, which nothing outside the previous
// result holds (see events_to_list), instead of building a new one: a container whose
// reference count is 1 is held only by its parent, so nobody can see it change. A
// value that is already the same object (an interned word, a small int, a cached str)
// stays; another replaces it under the same key, which keeps the key order; a key out
// of place, or keys left over at the end, make the dict keep the keys matched so far
// and take the rest as a new dict would. A container someone else holds, or of another
// type or length, is replaced by a new one and left as it is. So the result has the
// keys, order and values of a fresh build.
class RefillSink : public PyValues<RefillSink> {
 public:
  static constexpr bool kSizedArrays = true;

  RefillSink(PyObject* previous, Graveyard& graves) : previous_(previous), graves_(graves) {}

  void begin_object() { open(false, 0); }
  void end_object() {
    Level& l = stack_[depth_ - 1];
    // Every key written matched an entry, so any more entries are left over.
    if (l.reusing && PyDict_GET_SIZE(l.container) > l.matched) restart(l);
    --depth_;
  }
  void begin_array(std::size_t n) { open(true, static_cast<Py_ssize_t>(n)); }

  // Takes `o` (a new reference) into the current container.
  void put(PyObject* o) {
    if (took_root(o)) return;
    Level& l = stack_[depth_ - 1];
    PyObject* old = l.reusing ? next_old(l) : nullptr;
    if (old && old == o) {  // already there
      Py_DECREF(o);
      if (l.list) ++l.next;
      return;
    }
    place(l, o, old);
  }

 private:
  struct Level {
    PyObject* container;  // borrowed: its parent (or root_) holds it
    bool list;
    bool reusing;         // refilling a previous container in place
    Py_ssize_t next;      // list: the next index
    Py_ssize_t pos;       // reused dict: PyDict_Next's position after the keys matched
    Py_ssize_t matched;   // reused dict: keys matched so far
  };

  // In a reused container, the value the next slot holds (borrowed), the slot then
  // taken; null when a dict's next key is not key_, which ends its reuse.
  PyObject* next_old(Level& l) {
    if (l.list) return PyList_GET_ITEM(l.container, l.next);
    PyObject *k, *v;
    if (PyDict_Next(l.container, &l.pos, &k, &v) && k == key_) {
      ++l.matched;
      return v;
    }
    restart(l);
    return nullptr;
  }

  // Keeps the first `matched` entries of a reused dict (the keys written so far, in
  // order) and drops the rest; what follows is inserted as into a new dict.
  void restart(Level& l) {
    py::object kept = steal(PyDict_New());
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    for (Py_ssize_t i = 0; PyDict_Next(l.container, &pos, &k, &v); ++i) {
      if (i < l.matched) {
        if (PyDict_SetItem(kept.ptr(), k, v) < 0) throw py::error_already_set();
      } else {
        graves_.add(Py_NewRef(k));
        graves_.add(Py_NewRef(v));
      }
    }
    PyDict_Clear(l.container);
    if (PyDict_Update(l.container, kept.ptr()) < 0) throw py::error_already_set();
    l.reusing = false;
  }

  // Puts `o` (a new reference) in the level's next slot in place of `old` (a reused
  // slot's value, or null), whose release waits for the whole result. In a dict,
  // setting an existing key replaces its value where it stands.
  void place(Level& l, PyObject* o, PyObject* old) {
    if (l.list) {
      PyList_SET_ITEM(l.container, l.next++, o);
      graves_.add(old);  // the list's reference
      return;
    }
    if (old) graves_.add(Py_NewRef(old));
    const int rc = PyDict_SetItem(l.container, key_, o);
    Py_DECREF(o);
    if (rc < 0) throw py::error_already_set();
  }

  // A container to refill: exact type, held only by its parent, and for a list of the
  // length needed (its slots are all set).
  static bool refillable(PyObject* old, bool list, Py_ssize_t n) {
    if (!old || Py_REFCNT(old) != 1) return false;
    return list ? PyList_CheckExact(old) && PyList_GET_SIZE(old) == n : PyDict_CheckExact(old);
  }

  void open(bool list, Py_ssize_t n) {
    PyObject* old = depth_ == 0 ? previous_ : nullptr;
    Level* parent = depth_ > 0 ? &stack_[depth_ - 1] : nullptr;
    if (parent && parent->reusing) old = next_old(*parent);
    if (refillable(old, list, n)) {
      if (!parent) root_ = py::reinterpret_borrow<py::object>(old);
      if (parent && parent->list) ++parent->next;
      stack_[depth_++] = {old, list, true, 0, 0, 0};
      return;
    }
    PyObject* o = list ? PyList_New(n) : PyDict_New();
    if (!took_root(o)) place(*parent, o, old);
    stack_[depth_++] = {o, list, false, 0, 0, 0};
  }

  PyObject* previous_;  // borrowed: the previous event's dict
  Graveyard& graves_;
  Level stack_[8];      // an event nests 4 deep
};

// A new dict of one event (a new reference).
[[gnu::noinline]] PyObject* new_event_dict(const Event& e) {
  DictSink sink;
  detail::write_event(e, sink);
  return sink.take().release().ptr();
}

// The last list of events handed out, kept to be refilled by the next call when
// nothing else holds it any more (as zip() reuses its result tuple).
PyObject* g_last_events = nullptr;

// The kept list, held by nothing else and of `size` events, refilled with `events`.
[[gnu::noinline]] py::list refill_events(const Event* events, Py_ssize_t size) {
  // Taken out while refilling, so a call made by a released value's __del__ builds its own.
  py::list out = py::reinterpret_steal<py::list>(std::exchange(g_last_events, nullptr));
  Graveyard graves;
  for (Py_ssize_t i = 0; i < size; ++i) {
    PyObject* old = PyList_GET_ITEM(out.ptr(), i);
    RefillSink sink(old, graves);
    detail::write_event(events[i], sink);
    PyObject* d = sink.take().release().ptr();
    if (d == old) {
      Py_DECREF(d);
      continue;
    }
    PyList_SET_ITEM(out.ptr(), i, d);
    graves.add(old);
  }
  g_last_events = Py_NewRef(out.ptr());
  graves.release();
  return out;
}

}  // namespace

py::list events_to_list(const Event* events, std::size_t n) {
  const auto size = static_cast<Py_ssize_t>(n);
  if (size == 0) return py::list();  // leaves the kept list for the next call with events
  if (PyObject* last = g_last_events; last && Py_REFCNT(last) == 1 && PyList_GET_SIZE(last) == size) {
    return refill_events(events, size);
  }
  py::list out(size);
  for (Py_ssize_t i = 0; i < size; ++i) PyList_SET_ITEM(out.ptr(), i, new_event_dict(events[i]));
  // After the build: releasing the previous list may run Python code.
  Py_XSETREF(g_last_events, Py_NewRef(out.ptr()));
  return out;
}

py::object digest_dict(Time at, std::uint64_t lines, std::uint64_t digest) {
  const Names& n = g_names;
  auto w = [&n](detail::Word word) { return n.words[static_cast<std::size_t>(word)]; };
  py::object d = new_dict();
  set(d, w(detail::Word::At), i64(at));
  set(d, w(detail::Word::To), steal(PyList_New(0)));
  set(d, w(detail::Word::Type), borrow(n.digest));
  py::object data = new_dict();
  set(data, n.lines, u64(lines));
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(digest));
  set(data, n.digest, make_str(hex));
  set(d, w(detail::Word::Data), data);
  return d;
}

// ------------------------------------------------------------------ JSON text

namespace {

void write_json(PyObject* o, std::string& out, std::string& path, int depth) {
  if (depth > kMaxDepth) throw py::value_error("value nested more than 256 levels deep at " + path);
  if (PyUnicode_Check(o)) {
    std::string s;
    utf8(o, s);
    append_json_string(s, out);
  } else if (PyBool_Check(o)) {
    out += o == Py_True ? "true" : "false";
  } else if (PyLong_Check(o)) {
    py::object s = steal(PyObject_Str(o));
    Py_ssize_t n = 0;
    const char* u = PyUnicode_AsUTF8AndSize(s.ptr(), &n);
    if (!u) throw py::error_already_set();
    out.append(u, static_cast<std::size_t>(n));
  } else if (o == Py_None) {
    out += "null";
  } else if (PyFloat_Check(o)) {
    const double v = PyFloat_AS_DOUBLE(o);
    if (!std::isfinite(v)) {
      out += "null";  // not JSON; the reader then names the field as the wrong type
      return;
    }
    py::object s = steal(PyObject_Repr(o));
    Py_ssize_t n = 0;
    const char* u = PyUnicode_AsUTF8AndSize(s.ptr(), &n);
    if (!u) throw py::error_already_set();
    out.append(u, static_cast<std::size_t>(n));
  } else if (PyDict_Check(o)) {
    out.push_back('{');
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    bool first = true;
    py::object keep = borrow(o);
    while (PyDict_Next(o, &pos, &k, &v)) {
      if (!PyUnicode_Check(k)) {
        throw py::type_error("keys must be str, got " + std::string(Py_TYPE(k)->tp_name) +
                             " in " + path);
      }
      if (!first) out.push_back(',');
      first = false;
      std::string key;
      utf8(k, key);
      append_json_string(key, out);
      out.push_back(':');
      const std::size_t mark = path.size();
      path += path.empty() ? key : "." + key;
      write_json(v, out, path, depth + 1);
      path.resize(mark);
    }
    out.push_back('}');
  } else if (PyList_Check(o) || PyTuple_Check(o)) {
    py::object keep = borrow(o);
    out.push_back('[');
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(o); ++i) {
      if (i) out.push_back(',');
      py::object it = borrow(PySequence_Fast_GET_ITEM(o, i));
      const std::size_t mark = path.size();
      path += "[" + std::to_string(i) + "]";
      write_json(it.ptr(), out, path, depth + 1);
      path.resize(mark);
    }
    out.push_back(']');
  } else {
    throw py::type_error((path.empty() ? std::string("value") : path) +
                         " must be a JSON value (str, int, float, bool, None, list or dict), got " +
                         Py_TYPE(o)->tp_name);
  }
}

}  // namespace

std::string to_json_text(PyObject* obj, std::string_view path) {
  std::string out, p(path);
  write_json(obj, out, p, 0);
  return out;
}

}  // namespace roshambo::py_binding
