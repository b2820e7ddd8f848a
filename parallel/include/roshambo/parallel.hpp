#pragma once
// Threads for hosts that want them. roshambo::core starts no thread; this small
// separate target runs independent jobs (e.g. simulator shards) on std::threads.

#include <cstdint>
#include <functional>

namespace roshambo {

/// Run job(0) .. job(count-1), each exactly once, job 0 on the calling thread and the
/// others on their own threads; returns when all are done. Jobs must not throw (the
/// simulator catches inside each job and rethrows after the run).
void run_on_threads(std::uint32_t count, const std::function<void(std::uint32_t)>& job);

}  // namespace roshambo
