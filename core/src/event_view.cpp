#include "roshambo/event_view.hpp"

#include <algorithm>
#include <string>
#include <type_traits>
#include <variant>

namespace roshambo {

EventView view_of(const Event& e) noexcept {
  EventView v;
  v.type = e.type();
  v.at = e.at;
  v.members = e.to.room.list.get();
  v.count = e.to.room.count;
  v.except = e.to.except;
  v.single = e.to.single ? &e.to.single : nullptr;
  v.nobody = e.to.nobody;
  std::visit(
      [&v](const auto& d) {
        using D = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<D, HiData>) {
          v.nearby = d.nearby;
        } else if constexpr (std::is_same_v<D, RoomData>) {
          v.room = d.room;
          v.full = d.full;
          v.users = d.users.list.get();
          v.users_count = d.users.count;
        } else if constexpr (std::is_same_v<D, StartData>) {
          v.room = d.room;
          v.game_time_ms = d.game_time_ms;
          v.deadline = d.deadline;
          v.scores = {d.scores.begin(), d.scores.size()};
        } else if constexpr (std::is_same_v<D, MovementData>) {
          v.face = d.face;
        } else if constexpr (std::is_same_v<D, LeaveData>) {
          v.who = &d.who;
        } else if constexpr (std::is_same_v<D, ResultData>) {
          v.room = d.room;
          v.rows = {d.rows.begin(), d.rows.size()};
        } else if constexpr (std::is_same_v<D, ErrorData>) {
          v.code = d.code;
          v.message = d.message;
        } else if constexpr (std::is_same_v<D, PresenceData>) {
          v.who = &d.who;
          v.online = d.online;
        } else {
          static_assert(std::is_same_v<D, ResumeData>);
          v.room = d.room;
          v.playing = d.playing;
          v.full = d.full;
          v.deadline = d.deadline;
          v.choice = d.choice;
          v.users = d.users.list.get();
          v.users_count = d.users.count;
        }
      },
      e.data);
  return v;
}

namespace {

MemberView share(const MemberList* list, std::uint32_t count) {
  return list ? MemberView{list->share(), count} : MemberView{};
}

template <class T>
SharedArray<T> copy_array(std::span<const T> items, MemberListRef anchor) {
  SharedArray<T> a(items.size(), std::move(anchor), Uninitialised{});
  std::copy(items.begin(), items.end(), a.data());
  return a;
}

}  // namespace

Event to_event(const EventView& v) {
  Event e;
  e.at = v.at;
  e.to.room = share(v.members, v.count);
  e.to.except = v.except;
  if (v.single) e.to.single = *v.single;
  e.to.nobody = v.nobody;
  switch (v.type) {
    case EventType::Hi:
      e.data = HiData{v.nearby};
      break;
    case EventType::Room:
      e.data = RoomData{v.room, v.full, share(v.users, v.users_count)};
      break;
    case EventType::Start:
      e.data = StartData{v.room, v.game_time_ms, v.deadline, copy_array(v.scores, {})};
      break;
    case EventType::Movement:
      e.data = MovementData{v.face};
      break;
    case EventType::Leave:
      e.data = LeaveData{v.who ? *v.who : ProfileRef{}};
      break;
    case EventType::Result:
      // The rows point into the room's members: their copy keeps the list alive.
      e.data = ResultData{v.room, copy_array(v.rows, v.members ? v.members->share() : MemberListRef{})};
      break;
    case EventType::Error:
      e.data = ErrorData{v.code, std::string(v.message)};
      break;
    case EventType::Presence:
      e.data = PresenceData{v.who ? *v.who : ProfileRef{}, v.online};
      break;
    case EventType::Resume:
      e.data = ResumeData{v.room, v.playing, v.full, v.deadline, v.choice, share(v.users, v.users_count)};
      break;
  }
  return e;
}

}  // namespace roshambo
