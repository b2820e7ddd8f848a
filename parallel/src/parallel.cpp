#include "roshambo/parallel.hpp"

#include <thread>
#include <vector>

namespace roshambo {

void run_on_threads(std::uint32_t count, const std::function<void(std::uint32_t)>& job) {
  std::vector<std::thread> threads;
  threads.reserve(count > 0 ? count - 1 : 0);
  for (std::uint32_t k = 1; k < count; ++k) threads.emplace_back([&job, k] { job(k); });
  if (count > 0) job(0);
  for (auto& t : threads) t.join();
}

}  // namespace roshambo
