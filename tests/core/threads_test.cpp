// Events handed to another thread: what they name stays readable there whatever the
// engine does next (renames, copies, its own destruction), and the last reference may
// drop on either side. Also built alone and run under ThreadSanitizer in CI
// (scripts/test.d/40-sanitizers.sh), where a race on a profile's or a slab's count fails.

#include <catch2/catch.hpp>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "roshambo/roshambo.hpp"

using namespace roshambo;

namespace {

// A batch of events and their JSON lines as written on the engine's thread.
struct Batch {
  std::vector<Event> events;
  std::vector<std::string> lines;
};

// One consumer thread that writes each batch's events again and counts mismatches.
class Consumer {
 public:
  Consumer() : thread_([this] { run(); }) {}
  ~Consumer() {
    if (thread_.joinable()) finish();
  }
  void push(Batch b) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(b));
    }
    cv_.notify_one();
  }
  // Waits for every batch; returns {lines checked, mismatches}.
  std::pair<std::size_t, std::size_t> finish() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
    return {checked_, mismatches_};
  }

 private:
  void run() {
    for (;;) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return done_ || !queue_.empty(); });
      if (queue_.empty()) return;
      Batch b = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      for (std::size_t i = 0; i < b.events.size(); ++i) {
        ++checked_;
        if (event_to_json(b.events[i]) != b.lines[i]) ++mismatches_;
      }
    }  // the batch's events, and maybe the last references to their profiles, die here
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  bool done_ = false;
  std::size_t checked_ = 0, mismatches_ = 0;
  std::thread thread_;
};

}  // namespace

TEST_CASE("threads: events read and dropped on another thread through renames and the engine's end",
          "[threads]") {
  Config cfg;
  cfg.capacity = 3;
  cfg.game_time_ms = 100;
  cfg.requeue = true;
  cfg.bot_fill_after_ms = 50;
  Consumer consumer;
  std::size_t sent = 0;
  {
    auto engine = std::make_unique<Engine>(cfg);
    Time now = 0;
    auto send = [&](std::vector<Event>& out) {
      Batch b;
      for (const Event& e : out) b.lines.push_back(event_to_json(e));
      sent += out.size();
      b.events = std::move(out);
      out.clear();
      consumer.push(std::move(b));
    };
    std::vector<Event> out;
    const int players = 200;
    for (int round = 0; round < 30; ++round) {
      for (int i = 0; i < players; ++i) {
        const std::string uid = "p" + std::to_string(i);
        // Every player renames every few rounds: its old profile's last references are
        // then in batches the consumer may not have read yet.
        const int gen = (round + i) / 4;
        engine->handle(Command::hello(uid, "name " + std::to_string(gen), "a/" + std::to_string(gen)), now, out);
        if (round == 0 || i % 5 == 0) engine->handle(Command::join(uid), now, out);
        engine->handle(Command::choice(uid, 1 + (i + round) % 3), now, out);
        if (i % 16 == 0) send(out);
      }
      send(out);
      now += 60;
      engine->tick(now, out);
      send(out);
      now += 60;
      engine->tick(now, out);
      send(out);
      if (round == 10) *engine = Engine(*engine);  // a copy takes over: the old engine's profiles stay shared
    }
    engine.reset();  // the engine goes while batches still hold its players' profiles
  }
  const auto [checked, mismatches] = consumer.finish();
  CHECK(checked == sent);
  CHECK(sent > 10000);
  CHECK(mismatches == 0);
}
