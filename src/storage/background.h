// BackgroundWorkers: the oneTBB task arena that runs all background work of one Storage
// (architecture §4): raw-rows conversions handed off by writers, flushes, merges, retention.
//
// The arena has `threads` slots for work plus one for the storage's timer loop, which sleeps
// between ticks; no slot is reserved for callers, which never join it: Run() enqueues and
// returns at once, so a writer handing off work never waits for a busy arena. oneTBB's worker
// pool is kept large enough for every live BackgroundWorkers of the process at once (one
// process-wide global_control, resized as storages open and close), so one storage's timer
// loop can never starve another storage's tasks. Wait() blocks until every task submitted so far
// has finished.
//
// Thread-safety: Run() and Wait() may be called from any thread; the destructor waits.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

namespace vme::storage {

class BackgroundWorkers {
 public:
  explicit BackgroundWorkers(int threads);
  ~BackgroundWorkers();

  int threads() const { return threads_; }
  void Run(std::function<void()> fn);
  void Wait();
  // Tasks submitted and not finished yet.
  int pending() const;

 private:
  const int threads_;
  tbb::task_arena arena_;
  mutable std::mutex mu_;
  std::condition_variable idle_cv_;
  int pending_ = 0;
};

// Default number of background threads: the hardware threads.
int DefaultBackgroundThreads();

// Ends oneTBB's worker threads (vme_library_shutdown). Safe to call when none run.
void ShutdownTaskScheduler();

}  // namespace vme::storage
