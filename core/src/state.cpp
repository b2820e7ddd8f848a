// Whole-state operations: snapshot/restore, digest, verify and read-only views.

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "engine_impl.hpp"
#include "roshambo/codec.hpp"

namespace roshambo {

using detail::kBotBit;
using detail::kNone;
using detail::Outcome;
using detail::TimerKind;
using ojson = nlohmann::ordered_json;

namespace {

constexpr int kSnapshotVersion = 1;
constexpr const char* kFormat = "roshambo-snapshot";

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::Win: return "win";
    case Outcome::Draw: return "draw";
    case Outcome::Loss: return "loss";
    default: return "none";
  }
}

std::string_view timer_name(TimerKind k) {
  switch (k) {
    case TimerKind::BotFill: return "bot_fill";
    case TimerKind::Deadline: return "deadline";
    case TimerKind::Grace: return "grace";
    default: return "bot_pick";
  }
}

ojson player_json(const detail::PlayerRec& p) {
  ojson j;
  j["uid"] = std::string(p.profile->uid());
  j["name"] = std::string(p.profile->name());
  j["avatar"] = std::string(p.profile->avatar());
  j["total"] = p.total;
  j["streak"] = p.streak;
  j["last"] = std::string(outcome_name(p.last));
  return j;
}

[[noreturn]] void bad(const std::string& what) { throw SnapshotError("bad snapshot: " + what); }

const nlohmann::json& need(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) bad("expected an object around '" + std::string(key) + "'");
  const auto it = obj.find(key);
  if (it == obj.end()) bad("missing '" + std::string(key) + "'");
  return *it;
}

std::int64_t need_int(const nlohmann::json& obj, const char* key, std::int64_t lo, std::int64_t hi) {
  const auto& v = need(obj, key);
  if (!v.is_number_integer()) bad("'" + std::string(key) + "' must be an integer");
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) {
    bad("'" + std::string(key) + "' out of range");
  }
  const auto x = v.get<std::int64_t>();
  if (x < lo || x > hi) bad("'" + std::string(key) + "' out of range");
  return x;
}

std::uint64_t need_u64(const nlohmann::json& obj, const char* key) {
  const auto& v = need(obj, key);
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
    bad("'" + std::string(key) + "' must be a non-negative integer");
  }
  return v.get<std::uint64_t>();
}

bool need_bool(const nlohmann::json& obj, const char* key) {
  const auto& v = need(obj, key);
  if (!v.is_boolean()) bad("'" + std::string(key) + "' must be a boolean");
  return v.get<bool>();
}

const std::string& need_str(const nlohmann::json& obj, const char* key, std::size_t max) {
  const auto& v = need(obj, key);
  if (!v.is_string()) bad("'" + std::string(key) + "' must be a string");
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() > max) bad("'" + std::string(key) + "' too long");
  return s;
}

const nlohmann::json& need_array(const nlohmann::json& obj, const char* key) {
  const auto& v = need(obj, key);
  if (!v.is_array()) bad("'" + std::string(key) + "' must be an array");
  return v;
}

Outcome parse_outcome(const std::string& s) {
  if (s == "none") return Outcome::None;
  if (s == "win") return Outcome::Win;
  if (s == "draw") return Outcome::Draw;
  if (s == "loss") return Outcome::Loss;
  bad("unknown outcome '" + s.substr(0, 16) + "'");
}

// `humans` is the table a human is about to join (its profile goes with the others'),
// null for a bot.
void read_player(const nlohmann::json& j, const Config& cfg, detail::PlayerRec& p,
                 detail::PlayerTable* humans) {
  const bool bot = humans == nullptr;
  // Bot names are their uids ("bot-N"), made by the engine: the limits on what
  // players may send do not apply to them.
  const std::string& uid = need_str(j, "uid", bot ? 64 : cfg.max_uid_bytes);
  if (uid.empty()) bad("empty uid");
  const std::string& name = need_str(j, "name", bot ? 64 : cfg.max_name_bytes);
  const std::string& avatar = need_str(j, "avatar", cfg.max_avatar_bytes);
  p.profile = bot ? ProfileRef::make(uid, name, avatar, true) : humans->make_human_profile(uid, name, avatar);
  p.total = need_int(j, "total", std::numeric_limits<std::int64_t>::min(),
                     std::numeric_limits<std::int64_t>::max());
  p.streak = static_cast<std::uint32_t>(need_int(j, "streak", 0, UINT32_MAX));
  p.last = parse_outcome(need_str(j, "last", 8));
}

}  // namespace

std::string Engine::Impl::snapshot() const {
  ojson j;
  j["format"] = kFormat;
  j["version"] = kSnapshotVersion;
  j["config"] = ojson::parse(cfg.to_json());
  j["now"] = now;
  j["next_room"] = next_room;
  j["next_bot"] = next_bot;
  j["next_timer"] = next_seq;
  j["rooms_settled"] = rooms_settled;
  ojson ps = ojson::array();
  for (const auto& p : players.humans()) {
    ojson pj = player_json(p);
    pj["online"] = p.online;
    ps.push_back(std::move(pj));
  }
  j["players"] = std::move(ps);

  std::vector<std::uint32_t> open;
  for (std::uint32_t s = 0; s < rooms.size(); ++s) {
    if (rooms[s].number != 0) open.push_back(s);
  }
  std::sort(open.begin(), open.end(),
            [&](std::uint32_t a, std::uint32_t b) { return rooms[a].number < rooms[b].number; });
  ojson rs = ojson::array();
  for (std::uint32_t s : open) {
    const RoomRec& r = rooms[s];
    ojson rj;
    rj["number"] = r.number;
    rj["phase"] = r.phase == Phase::Waiting ? "waiting" : "playing";
    rj["opened"] = r.opened;
    rj["deadline"] = r.deadline;
    ojson ms = ojson::array();
    for (std::uint32_t i = 0; i < r.size(); ++i) {
      const detail::Seat& seat = r.seats()[i];
      ojson mj;
      if (seat.player & kBotBit) {
        mj = player_json(P(seat.player));
        mj["bot"] = true;
      } else {
        mj["uid"] = std::string(P(seat.player).profile->uid());
        // The profile the room shows, which a later hello may have replaced.
        const Profile& shown = (*r.block)[i];
        mj["name"] = std::string(shown.name());
        mj["avatar"] = std::string(shown.avatar());
      }
      mj["choice"] = static_cast<int>(seat.choice);
      ms.push_back(std::move(mj));
    }
    rj["members"] = std::move(ms);
    rs.push_back(std::move(rj));
  }
  j["rooms"] = std::move(rs);

  std::vector<Timer> live_timers;
  timers.for_each([&](const Timer& t) {
    if (live(t)) live_timers.push_back(t);
  });
  std::sort(live_timers.begin(), live_timers.end(), detail::fires_before);
  ojson ts = ojson::array();
  for (const Timer& t : live_timers) {
    ojson tj;
    tj["kind"] = std::string(timer_name(t.kind));
    tj["due"] = t.due;
    tj["seq"] = t.seq;
    tj["room"] = rooms[t.room].number;
    if (t.kind == TimerKind::BotPick) {
      tj["uid"] = std::string(P(t.player).profile->uid());
      tj["seat"] = t.seat;
    } else if (t.kind == TimerKind::Grace) {
      tj["uid"] = std::string(P(t.player).profile->uid());
    }
    ts.push_back(std::move(tj));
  }
  j["timers"] = std::move(ts);
  return j.dump();
}

std::unique_ptr<Engine::Impl> Engine::Impl::restore(std::string_view text) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) bad("not valid JSON");
    if (!j.is_object()) bad("not a JSON object");
    if (need_str(j, "format", 64) != kFormat) bad("format is not roshambo-snapshot");
    if (need_int(j, "version", 0, 1000) != kSnapshotVersion) {
      bad("unsupported version (this build reads version " + std::to_string(kSnapshotVersion) + ")");
    }
    Config cfg;
    try {
      // dump() recurses: a config nested a million deep would overflow the stack.
      // Every config field is a scalar, so refuse anything structured first.
      const auto& cj = need(j, "config");
      if (!cj.is_object()) bad("config: must be a JSON object");
      for (const auto& item : cj.items()) {
        if (item.value().is_structured()) bad("config: field values must be numbers, strings or booleans");
      }
      cfg = Config::from_json(cj.dump());
    } catch (const ConfigError& e) {
      bad(std::string("config: ") + e.what());
    }
    auto m = std::make_unique<Impl>(cfg);
    m->now = need_int(j, "now", 0, kMaxTime);
    m->next_room = need_u64(j, "next_room");
    m->next_bot = need_u64(j, "next_bot");
    m->next_seq = need_u64(j, "next_timer");
    m->rooms_settled = need_u64(j, "rooms_settled");
    if (m->next_room == 0 || m->next_bot == 0) bad("counters start at 1");

    const auto& ps = need_array(j, "players");
    if (cfg.max_players != 0 && ps.size() > cfg.max_players) bad("more players than max_players");
    m->players.reserve_humans(ps.size());
    for (const auto& pj : ps) {
      PlayerRec p;
      read_player(pj, cfg, p, &m->players);
      if (p.profile->uid().rfind("bot-", 0) == 0) bad("a player uid uses the reserved prefix bot-");
      if (!valid_utf8(p.profile->uid())) bad("uid not UTF-8");
      p.online = need_bool(pj, "online");
      if (m->players.find(p.profile->uid()) != kNone) bad("duplicate uid '" + std::string(p.profile->uid()) + "'");
      const bool online = p.online;
      m->players.add_human(std::move(p));
      if (online) ++m->online;
    }

    const auto& rs = need_array(j, "rooms");
    if (cfg.max_rooms != 0 && rs.size() > cfg.max_rooms) bad("more rooms than max_rooms");
    std::map<std::uint64_t, std::uint32_t> slot_of;  // room number -> slot
    std::map<std::string, std::uint32_t, std::less<>> bot_ids;
    for (const auto& rj : rs) {
      const std::uint64_t number = need_u64(rj, "number");
      if (number == 0 || number >= m->next_room) bad("room number out of range");
      if (!slot_of.empty() && slot_of.rbegin()->first >= number) bad("rooms not in increasing order");
      const std::string& phase = need_str(rj, "phase", 16);
      if (phase != "waiting" && phase != "playing") bad("unknown phase");
      const auto slot = static_cast<std::uint32_t>(m->rooms.size());
      m->rooms.emplace_back();
      slot_of[number] = slot;
      RoomRec& r = m->rooms.back();
      r.number = number;
      r.gen = 1;
      r.phase = phase == "waiting" ? Phase::Waiting : Phase::Playing;
      r.opened = need_int(rj, "opened", 0, m->now);
      r.deadline = need_int(rj, "deadline", 0, kMaxTime + cfg.game_time_ms);
      r.block = MemberList::make(cfg.capacity, sizeof(detail::Seat));
      const auto& ms = need_array(rj, "members");
      if (ms.empty() || ms.size() > cfg.capacity) bad("room size out of range");
      if (r.phase == Phase::Waiting && ms.size() >= cfg.capacity) bad("a full room still waiting");
      ++m->open_rooms;
      for (const auto& mj : ms) {
        const auto choice = need_int(mj, "choice", 0, 3);
        if (r.phase == Phase::Waiting && choice != 0) bad("a choice in a waiting room");
        const bool is_bot = mj.is_object() && mj.contains("bot") && need_bool(mj, "bot");
        std::uint32_t id;
        if (is_bot) {
          if (r.phase != Phase::Playing) bad("a bot in a waiting room");
          PlayerRec b;
          read_player(mj, cfg, b, nullptr);
          const std::string uid(b.profile->uid());
          if (uid.rfind("bot-", 0) != 0) bad("bot uid without the bot- prefix");
          // Bots are bot-<n> with n below next_bot, named by their uid: a later fill
          // must never mint a uid that a restored bot already holds.
          const std::string digits = uid.substr(4);
          if (digits.empty() || digits.size() > 19 || digits[0] == '0' ||
              digits.find_first_not_of("0123456789") != std::string::npos ||
              std::stoull(digits) >= m->next_bot) {
            bad("bot uid '" + uid + "' is not bot-<n> with n below next_bot");
          }
          if (b.profile->name() != uid || !b.profile->avatar().empty()) bad("bot '" + uid + "' renamed");
          if (bot_ids.count(uid)) bad("duplicate bot '" + uid + "'");
          const std::uint32_t fresh = m->players.add_bot(b.profile);
          m->P(fresh).total = b.total;
          m->P(fresh).streak = b.streak;
          m->P(fresh).last = b.last;
          id = fresh;
          bot_ids[uid] = id;
        } else {
          const std::string& uid = need_str(mj, "uid", cfg.max_uid_bytes);
          id = m->players.find(uid);
          if (id == kNone) bad("room member '" + uid + "' is not a player");
          // A dropped member keeps the seat only under a grace (and verify() wants its timer).
          if (!m->players.human(id).online && cfg.reconnect_grace_ms == 0) {
            bad("offline player '" + uid + "' in a room");
          }
          if (m->players.human(id).room != kNone) bad("player '" + uid + "' in two rooms");
        }
        PlayerRec& p = m->P(id);
        p.room = slot;
        p.seat = static_cast<std::uint16_t>(r.size());
        static_cast<detail::Seat*>(r.block->seat_data())[p.seat] = {id, static_cast<Choice>(choice),
                                                                    r.phase == Phase::Playing};
        p.block = r.block.get();
        if (is_bot) {
          r.block->push_back(p.profile);
        } else {
          const std::string& name = need_str(mj, "name", cfg.max_name_bytes);
          const std::string& avatar = need_str(mj, "avatar", cfg.max_avatar_bytes);
          r.block->push_back(ProfileRef::make(p.profile->uid(), name, avatar, false, id));
          ++r.humans;
        }
      }
      if (r.humans == 0) bad("a room with no human member");
      if (r.phase == Phase::Waiting) m->waiting.link(m->rooms, slot);
    }

    const auto& ts = need_array(j, "timers");
    std::uint64_t last_seq = 0;
    bool first = true;
    Time last_due = 0;
    for (const auto& tj : ts) {
      Timer t{};
      const std::string& kind = need_str(tj, "kind", 16);
      if (kind == "bot_fill") t.kind = TimerKind::BotFill;
      else if (kind == "deadline") t.kind = TimerKind::Deadline;
      else if (kind == "bot_pick") t.kind = TimerKind::BotPick;
      else if (kind == "grace") t.kind = TimerKind::Grace;
      else bad("unknown timer kind");
      t.due = need_int(tj, "due", 0, kMaxTime + 2 * 86'400'000LL);
      t.seq = need_u64(tj, "seq");
      if (t.due <= m->now) bad("a timer due at or before now");
      if (t.seq >= m->next_seq) bad("timer seq beyond next_timer");
      if (!first && (t.due < last_due || (t.due == last_due && t.seq <= last_seq))) {
        bad("timers not in firing order");
      }
      first = false;
      last_due = t.due;
      last_seq = t.seq;
      const auto it = slot_of.find(need_u64(tj, "room"));
      if (it == slot_of.end()) bad("timer for a room that is not open");
      t.room = it->second;
      const RoomRec& r = m->rooms[t.room];
      t.gen = r.gen;
      t.player = kNone;
      if (t.kind == TimerKind::Grace) {
        const std::uint32_t id = m->players.find(need_str(tj, "uid", cfg.max_uid_bytes));
        if (id == kNone || m->players.human(id).online || m->players.human(id).room != t.room) {
          bad("grace timer for a player not dropped from that room");
        }
        if (m->players.human(id).grace_gen != 0) bad("two grace timers for one player");
        if (t.due > m->now + cfg.reconnect_grace_ms) bad("grace timer beyond the grace");
        m->players.human(id).grace_gen = 1;
        t.player = id;
        t.gen = 1;
      } else if (t.kind == TimerKind::BotFill) {
        if (r.phase != Phase::Waiting || cfg.bot_fill_after_ms == 0) bad("bot_fill timer on a room that cannot fill");
        if (t.due != r.opened + cfg.bot_fill_after_ms) bad("bot_fill timer at the wrong time");
      } else {
        if (r.phase != Phase::Playing) bad("game timer on a waiting room");
        if (t.due > r.deadline) bad("timer after its room's deadline");
      }
      if (t.kind == TimerKind::Deadline && t.due != r.deadline) bad("deadline timer at the wrong time");
      if (t.kind == TimerKind::BotPick) {
        const auto b = bot_ids.find(need_str(tj, "uid", 64));
        if (b == bot_ids.end() || m->P(b->second).room != t.room) bad("bot_pick for a bot not in that room");
        t.player = b->second;
        t.seat = static_cast<std::uint16_t>(need_int(tj, "seat", 0, cfg.capacity - 1));
      }
      m->timers.push(t);
    }
    m->verify();
    return m;
  } catch (const SnapshotError&) {
    throw;
  } catch (const InvariantError& e) {
    throw SnapshotError(std::string("bad snapshot: ") + e.what());
  } catch (const std::exception& e) {
    throw SnapshotError(std::string("bad snapshot: ") + e.what());
  }
}

std::uint64_t Engine::Impl::digest() const {
  using detail::hash_bytes;
  using detail::mix64;
  // Sums of per-item hashes for rooms and timers, so slot layout never matters.
  auto h = [](std::uint64_t a, std::uint64_t b) { return mix64(a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2))); };
  std::uint64_t acc = config_digest;
  for (std::uint64_t v : {static_cast<std::uint64_t>(now), next_room, next_bot, next_seq, rooms_settled}) acc = h(acc, v);
  auto player_hash = [&](const PlayerRec& p) {
    std::uint64_t x = hash_bytes(p.profile->uid(), 2);
    x = h(x, hash_bytes(p.profile->name(), 3));
    x = h(x, hash_bytes(p.profile->avatar(), 4));
    x = h(x, static_cast<std::uint64_t>(p.total));
    x = h(x, p.streak);
    x = h(x, (p.online ? 1u : 0u) | (static_cast<unsigned>(p.last) << 1));
    x = h(x, p.room == kNone ? 0 : rooms[p.room].number);
    x = h(x, p.room == kNone ? 0 : p.seat);
    return x;
  };
  for (const auto& p : players.humans()) acc = h(acc, player_hash(p));
  std::uint64_t room_sum = 0;
  for (const auto& r : rooms) {
    if (r.number == 0) continue;
    std::uint64_t x = h(r.number, static_cast<std::uint64_t>(r.phase));
    x = h(x, static_cast<std::uint64_t>(r.opened));
    x = h(x, static_cast<std::uint64_t>(r.deadline));
    for (std::uint32_t i = 0; i < r.size(); ++i) {
      const auto& s = r.seats()[i];
      x = h(x, (s.player & kBotBit) ? player_hash(P(s.player)) : hash_bytes(P(s.player).profile->uid(), 5));
      x = h(x, hash_bytes((*r.block)[i].name(), 6));
      x = h(x, hash_bytes((*r.block)[i].avatar(), 7));
      x = h(x, static_cast<std::uint64_t>(s.choice));
    }
    room_sum += mix64(x);
  }
  std::uint64_t timer_sum = 0;
  timers.for_each([&](const Timer& t) {
    if (!live(t)) return;
    std::uint64_t x = h(static_cast<std::uint64_t>(t.due), t.seq);
    x = h(x, rooms[t.room].number);
    x = h(x, static_cast<std::uint64_t>(t.kind));
    if (t.kind == TimerKind::BotPick) x = h(h(x, hash_bytes(P(t.player).profile->uid(), 8)), t.seat);
    if (t.kind == TimerKind::Grace) x = h(x, hash_bytes(P(t.player).profile->uid(), 9));
    timer_sum += mix64(x);
  });
  return h(h(acc, room_sum), timer_sum);
}

void Engine::Impl::verify() const {
  auto fail = [](const std::string& what) { throw InvariantError("invariant broken: " + what); };
  players.verify(fail);
  waiting.verify(rooms, fail);
  if (bad_settlements != 0) fail("a settled room's base scores did not sum to 0");
  std::vector<Timer> queued;
  queued.reserve(timers.size());
  timers.for_each([&queued](const Timer& t) { queued.push_back(t); });
  std::vector<char> has_grace(players.human_count(), 0);
  for (const auto& t : queued) {
    if (t.kind != TimerKind::Grace || !live(t)) continue;
    if (has_grace[t.player]) fail("two grace timers for one player");
    if (cfg.reconnect_grace_ms == 0 || t.due > now + cfg.reconnect_grace_ms) fail("grace timer beyond the grace");
    has_grace[t.player] = 1;
  }
  std::uint64_t online_count = 0;
  for (std::uint32_t id = 0; id < players.human_count(); ++id) {
    const PlayerRec& p = players.human(id);
    const std::string uid(p.profile->uid());
    if (p.online) ++online_count;
    if (p.room != kNone) {
      // Offline in a room means dropped within the grace: exactly one pending Grace timer.
      if (!p.online && !has_grace[id]) fail("offline player '" + uid + "' in a room without a grace timer");
      if (p.room >= rooms.size() || rooms[p.room].number == 0) fail("'" + uid + "' in a closed room");
      const RoomRec& r = rooms[p.room];
      if (p.seat >= r.size() || r.seats()[p.seat].player != id) fail("'" + uid + "' seat mismatch");
    }
    if (p.last == Outcome::Loss && p.streak != 0) fail("'" + uid + "' has a streak after a loss");
    if (p.last == Outcome::Draw && cfg.scoring == ScoringPreset::Article && p.streak != 0) {
      fail("'" + uid + "' has a streak after a draw under article");
    }
  }
  if (online_count != online) fail("online count");
  std::uint64_t bot_count = 0;
  for (std::uint32_t b = 0; b < players.bot_slots(); ++b) {
    const PlayerRec& p = players.bot_slot(b);
    if (!p.live) continue;
    ++bot_count;
    if (p.room == kNone || p.room >= rooms.size() || rooms[p.room].number == 0) fail("a bot outside any room");
    const RoomRec& r = rooms[p.room];
    if (p.seat >= r.size() || r.seats()[p.seat].player != (b | kBotBit)) fail("bot seat mismatch");
    if (r.phase != Phase::Playing) fail("a bot in a waiting room");
    if (p.last == Outcome::Loss && p.streak != 0) fail("a bot has a streak after a loss");
  }
  if (bot_count != players.live_bots()) fail("bot count");
  std::uint64_t open = 0, waiting_count = 0;
  std::vector<char> has_deadline(rooms.size(), 0), has_fill(rooms.size(), 0);
  std::vector<char> has_pick(players.bot_slots(), 0);  // by bot slot
  for (const auto& t : queued) {
    if (!live(t)) continue;
    if (t.due <= now) fail("a due timer did not fire");
    const RoomRec& r = rooms[t.room];
    if (t.kind == TimerKind::Deadline) {
      if (r.phase != Phase::Playing || t.due != r.deadline) fail("deadline timer mismatch");
      if (has_deadline[t.room]) fail("two deadline timers for one room");
      has_deadline[t.room] = 1;
    } else if (t.kind == TimerKind::BotFill) {
      if (r.phase != Phase::Waiting) fail("bot fill timer on a playing room");
      has_fill[t.room] = 1;
    } else if (t.kind == TimerKind::Grace) {
      // Checked above; live() already ties it to its player and room.
    } else if (P(t.player).room != t.room) {
      fail("bot pick timer for a bot elsewhere");
    } else {
      if (t.due >= r.deadline || t.due < r.deadline - cfg.game_time_ms) fail("bot pick outside its countdown");
      if (has_pick[t.player & ~kBotBit]) fail("two pick timers for one bot");
      has_pick[t.player & ~kBotBit] = 1;
    }
  }
  for (std::uint32_t s = 0; s < rooms.size(); ++s) {
    const RoomRec& r = rooms[s];
    if (r.number == 0) continue;
    ++open;
    const std::string id = room_id(r.number);
    if (!r.block || r.block->capacity() != cfg.capacity) fail(id + " block of the wrong capacity");
    if (r.size() == 0 || r.size() > cfg.capacity) fail(id + " size out of range");
    const std::span<const detail::Seat> seats = r.seats();
    std::uint32_t h = 0;
    for (std::uint32_t i = 0; i < seats.size(); ++i) {
      const std::uint32_t pid = seats[i].player;
      const PlayerRec& p = P(pid);
      if (p.room != s || p.seat != i) fail(id + " member does not point back");
      if (p.block != r.block.get()) fail(id + " member's block is not the room's");
      if (seats[i].playing != (r.phase == Phase::Playing)) fail(id + " seat phase mismatch");
      if ((*r.block)[i].uid() != p.profile->uid()) fail(id + " member list out of order");
      if (!(pid & kBotBit)) ++h;
      if (r.phase == Phase::Waiting && seats[i].choice != Choice::None) fail(id + " choice before start");
      if (pid & kBotBit) {
        // A bot picks exactly once (never "none" unless its strategy is none): it has
        // a pending pick timer exactly when it has not picked yet.
        const bool picks = cfg.bot_strategy.chooses();
        if ((has_pick[pid & ~kBotBit] != 0) != (picks && seats[i].choice == Choice::None)) {
          fail(id + " bot pick timer mismatch");
        }
      }
    }
    if (h != r.humans || h == 0) fail(id + " human count");
    if (r.phase == Phase::Waiting) {
      ++waiting_count;
      if (r.size() >= cfg.capacity) fail(id + " full but waiting");
      if (cfg.bot_fill_after_ms > 0 && !has_fill[s]) fail(id + " waiting without its bot fill timer");
    } else if (!has_deadline[s]) {
      fail(id + " playing without a deadline");
    } else if (r.deadline > now + cfg.game_time_ms) {
      fail(id + " deadline more than one game_time ahead");  // it started in the future
    }
  }
  if (open != open_rooms || waiting_count != waiting.size()) fail("room counts");
  if (!timers.empty() && !live(timers.front())) fail("a cancelled timer at the front of the queue");
}

namespace {
PlayerInfo info_of(const detail::PlayerRec& p, const detail::RoomSlots& rooms) {
  PlayerInfo i;
  i.uid = p.profile->uid();
  i.name = p.profile->name();
  i.avatar = p.profile->avatar();
  i.total_score = p.total;
  i.win_streak = p.streak;
  i.online = p.online;
  i.bot = p.profile->bot();
  if (p.room != kNone) i.room = rooms[p.room].number;
  return i;
}
}  // namespace

std::optional<PlayerInfo> Engine::player(std::string_view uid) const {
  const Impl& m = *impl_;
  const std::uint32_t id = m.players.find(uid);
  if (id != kNone) return info_of(m.players.human(id), m.rooms);
  // Only engine bots are named "bot-N" (a human may not be): any other uid unknown to
  // the index is no one, without a walk through the bot pool.
  if (!uid.starts_with("bot-")) return std::nullopt;
  for (std::uint32_t s = 0; s < m.players.bot_slots(); ++s) {
    const detail::PlayerRec& b = m.players.bot_slot(s);
    if (b.live && b.profile->uid() == uid) return info_of(b, m.rooms);
  }
  return std::nullopt;
}

std::vector<PlayerInfo> Engine::players() const {
  const Impl& m = *impl_;
  std::vector<PlayerInfo> out;
  out.reserve(m.players.human_count() + m.players.live_bots());
  for (const auto& p : m.players.humans()) out.push_back(info_of(p, m.rooms));
  // Bots by room number then seat: pool and room slots are reused, so neither slot
  // order will do. Only rooms with a bot are sorted, and each seat is read once.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> with_bots;  // (number, slot)
  for (std::uint32_t s = 0; s < m.rooms.size(); ++s) {
    const auto& r = m.rooms[s];
    if (r.number != 0 && r.size() > r.humans) with_bots.emplace_back(r.number, s);
  }
  std::sort(with_bots.begin(), with_bots.end());
  for (const auto& [number, slot] : with_bots) {
    for (const auto& seat : m.rooms[slot].seats()) {
      if (seat.player & kBotBit) out.push_back(info_of(m.P(seat.player), m.rooms));
    }
  }
  return out;
}

namespace {
RoomInfo room_info(const Engine::Impl& m, const detail::RoomRec& r) {
    RoomInfo i;
    i.number = r.number;
    i.phase = r.phase;
    i.opened_at = r.opened;
    if (r.phase == Phase::Playing) i.deadline = r.deadline;
    for (const auto& s : r.seats()) {
      i.members.emplace_back(m.P(s.player).profile->uid());
      i.choices.push_back(s.choice);
    }
    return i;
}
}  // namespace

std::optional<RoomInfo> Engine::room(std::uint64_t number) const {
  for (const auto& r : impl_->rooms) {
    if (r.number == number && number != 0) return room_info(*impl_, r);
  }
  return std::nullopt;
}

std::vector<RoomInfo> Engine::rooms() const {
  std::vector<RoomInfo> out;
  for (const auto& r : impl_->rooms) {
    if (r.number != 0) out.push_back(room_info(*impl_, r));
  }
  std::sort(out.begin(), out.end(),
            [](const RoomInfo& a, const RoomInfo& b) { return a.number < b.number; });
  return out;
}

}  // namespace roshambo
