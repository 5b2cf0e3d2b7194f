// BackgroundWorkers: the oneTBB task arena that runs all background work of one Storage
// (architecture §4): raw-rows conversions handed off by writers, flushes, merges, retention.
//
// The arena has `threads` slots for work plus one for the storage's timer loop, which sleeps
// between ticks; no slot is reserved for callers, which never join it: Run() enqueues and
// returns at once, so a writer handing off work never waits for a busy arena. A
// global_control keeps oneTBB's worker pool at least that large for the lifetime of the
// object. Wait() blocks until every task submitted so far has finished. Worker threads run
// the arena's tasks at a lower CPU priority (nice +5, restored when they leave the arena), so
// that on a busy machine the writers' threads win the CPU and ingest latency stays low.
//
// Thread-safety: Run() and Wait() may be called from any thread; the destructor waits.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_scheduler_observer.h>

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
  class NiceObserver : public tbb::task_scheduler_observer {
   public:
    explicit NiceObserver(tbb::task_arena& arena) : tbb::task_scheduler_observer(arena) {}
    void on_scheduler_entry(bool is_worker) override;
    void on_scheduler_exit(bool is_worker) override;
  };

  const int threads_;
  std::unique_ptr<tbb::global_control> parallelism_;
  tbb::task_arena arena_;
  std::unique_ptr<NiceObserver> observer_;
  mutable std::mutex mu_;
  std::condition_variable idle_cv_;
  int pending_ = 0;
};

// Default number of background threads: the hardware threads.
int DefaultBackgroundThreads();

// Ends oneTBB's worker threads (vme_library_shutdown). Safe to call when none run.
void ShutdownTaskScheduler();

}  // namespace vme::storage
