// The one description of the event format (roshambo/detail/write_event.hpp): the JSON
// text of every event equals the tree another sink builds from the same description,
// serialised by nlohmann::json, so the JSON writer's staging adds or drops nothing.

#include <catch2/catch.hpp>

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "roshambo/detail/write_event.hpp"
#include "roshambo_test.hpp"

using namespace roshambo;

namespace {

using Tree = nlohmann::ordered_json;

// Builds the event as a tree, checking that the description is well formed: one value
// after each key, no key in an array, and as many values in an array as announced.
struct TreeSink {
  static constexpr bool kSizedArrays = true;

  Tree root;
  std::vector<Tree*> open;
  std::vector<std::size_t> announced;
  std::string pending;
  bool has_key = false;

  Tree* put(Tree v) {
    if (open.empty()) {
      REQUIRE_FALSE(has_key);
      root = std::move(v);
      return &root;
    }
    Tree& top = *open.back();
    if (top.is_array()) {
      REQUIRE_FALSE(has_key);
      top.push_back(std::move(v));
      return &top.back();
    }
    REQUIRE(has_key);
    REQUIRE_FALSE(top.contains(pending));
    has_key = false;
    return &(top[pending] = std::move(v));
  }
  void begin_object() {
    open.push_back(put(Tree::object()));
    announced.push_back(std::numeric_limits<std::size_t>::max());
  }
  void end_object() {
    REQUIRE_FALSE(has_key);
    REQUIRE(open.back()->is_object());
    open.pop_back();
    announced.pop_back();
  }
  void begin_array(std::size_t n) {
    open.push_back(put(Tree::array()));
    announced.push_back(n);
  }
  void end_array() {
    REQUIRE(open.back()->is_array());
    CHECK(open.back()->size() == announced.back());
    open.pop_back();
    announced.pop_back();
  }
  void key(detail::Word w) {
    REQUIRE_FALSE(has_key);
    REQUIRE(open.back()->is_object());
    pending = std::string(detail::word(w));
    has_key = true;
  }
  void integer(std::int64_t v) { put(v); }
  void unsigned_integer(std::uint64_t v) { put(v); }
  void boolean(bool b) { put(b); }
  void text(std::string_view s) { put(std::string(s)); }
  void word(detail::Word w) { put(std::string(detail::word(w))); }
  void room(std::uint64_t n) { put("room-" + std::to_string(n)); }
  void seconds(std::int64_t ms) {
    if (ms % 1000 == 0) {
      put(ms / 1000);
    } else {
      put(static_cast<double>(ms) / 1000.0);
    }
  }
  void event_type(EventType t) { put(std::string(to_string(t))); }
  void error_code(ErrorCode c) { put(std::string(to_string(c))); }
};

std::string via_tree(const Event& e) {
  TreeSink sink;
  detail::write_event(e, sink);
  REQUIRE(sink.open.empty());
  return sink.root.dump();
}

MemberListRef members(const std::vector<ProfileRef>& ps) {
  MemberListRef m = MemberList::make(static_cast<std::uint32_t>(ps.size()));
  for (const auto& p : ps) m->push_back(p);
  return m;
}

}  // namespace

TEST_CASE("write_event: every event type, JSON text equal to the described tree", "[codec]") {
  const ProfileRef a = ProfileRef::make("a", "Ann \"A\"", "a.png");
  const ProfileRef b = ProfileRef::make("b", "B\xc3\xb6" "b\n", "");  // split: \x takes every hex digit
  const ProfileRef bot = ProfileRef::make("bot-1", "bot-1", "", true);
  const auto list = members({a, b, bot});
  const MemberView all{list, 3};
  std::vector<Event> events;
  auto add = [&](Event::Data data, auto&& audience) {
    Event e;
    e.at = static_cast<Time>(events.size());
    audience(e.to);
    e.data = std::move(data);
    events.push_back(std::move(e));
  };
  auto room_minus_a = [&](Audience& to) {
    to.room = all;
    to.except = 0;
  };
  auto only_a = [&](Audience& to) { to.single = a; };
  auto nobody = [](Audience& to) { to.nobody = true; };

  add(HiData{3}, only_a);
  add(RoomData{12, true, all}, room_minus_a);
  add(StartData{12, 2500, 2512, SharedArray<StartScore>{{-4, 0}, {9, 2}, {0, 0}}},
      [&](Audience& to) { to.room = all; });
  add(MovementData{0}, room_minus_a);
  add(MovementData{4}, room_minus_a);
  add(LeaveData{b}, room_minus_a);
  const SharedArray<ResultRow> rows{
      {a.get(), Choice::Rock, {2, 0}, 4, 0, 2},
      {bot.get(), Choice::Scissors, {1, 1}, 0, std::numeric_limits<std::int64_t>::min(), 0}};
  add(ResultData{12, rows}, room_minus_a);
  add(ErrorData{ErrorCode::InvalidField, "data.user: \"must\" be an object\t"}, only_a);
  add(ErrorData{ErrorCode::Malformed, "not valid JSON"}, nobody);
  add(PresenceData{b, false}, room_minus_a);
  add(PresenceData{b, true}, room_minus_a);
  add(ResumeData{12, true, true, 9000, Choice::Paper, all}, only_a);
  add(ResumeData{13, false, false, 0, Choice::None, MemberView{list, 1}}, only_a);

  std::size_t types = 0;
  for (const Event& e : events) {
    INFO(via_tree(e));
    CHECK(rt::line(e) == via_tree(e));
    types |= std::size_t{1} << e.data.index();
  }
  CHECK(types == (std::size_t{1} << std::variant_size_v<Event::Data>) - 1);  // all of them

  // The two events added with the reconnection grace, byte for byte.
  CHECK(rt::line(events[9]) == R"({"at":9,"to":["b"],"type":"presence","data":{"uid":"b","online":false}})");
  CHECK(rt::line(events[11]) ==
        R"({"at":11,"to":["a"],"type":"resume","data":{"roomId":"room-12","phase":"playing","users":[{"uid":"a","uname":"Ann \"A\"","uavatar":"a.png"},{"uid":"b","uname":"B)"
        "\xc3\xb6"
        R"(b\n","uavatar":""},{"uid":"bot-1","uname":"bot-1","uavatar":""}],"full":true,"deadline":9000,"choice":3}})");
  CHECK(rt::line(events[12]) ==
        R"({"at":12,"to":["a"],"type":"resume","data":{"roomId":"room-13","phase":"waiting","users":[{"uid":"a","uname":"Ann \"A\"","uavatar":"a.png"}],"full":false,"choice":0}})");
}

TEST_CASE("write_event: long strings, escapes and big rooms cross the JSON writer's staging", "[codec]") {
  // Names from empty to far longer than the staging buffer, some needing escapes, in a
  // room large enough to fill it many times; appended after existing text.
  std::vector<ProfileRef> ps;
  for (int i = 0; i < 1000; ++i) {
    std::string name(static_cast<std::size_t>(i * 7 % 1500), static_cast<char>('a' + i % 26));
    if (i % 3 == 0 && !name.empty()) name[name.size() / 2] = (i % 2) ? '\x01' : '"';
    ps.push_back(ProfileRef::make("u" + std::to_string(i), name, std::string(static_cast<std::size_t>(i % 40), '/')));
  }
  const auto list = members(ps);
  Event room;
  room.at = 1;
  room.to.room = MemberView{list, 1000};
  room.to.except = 500;
  room.data = RoomData{7, true, MemberView{list, 1000}};
  std::string out = "prefix\n";
  append_event_json(room, out);
  CHECK(out == "prefix\n" + via_tree(room));

  Event err;
  err.to.single = ps[3];
  err.data = ErrorData{ErrorCode::Malformed, std::string(5000, '\\') + std::string(3000, '\x1f') + "end"};
  CHECK(rt::line(err) == via_tree(err));
}
