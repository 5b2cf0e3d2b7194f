// BackgroundWorkers: the oneTBB task arena that runs all background work of one Storage:
// raw-rows conversions handed off by writers, flushes, merges, retention (the goroutines of
// VictoriaMetrics' lib/storage/partition.go: rawRowsFlusher, inmemoryPartsFlusher,
// mergeWorkers).
//
// The arena has `threads` slots for work plus one for the storage's timer loop, which sleeps
// between ticks; no slot is reserved for callers, which never join it: Run() enqueues and
// returns at once, so a writer handing off work never waits for a busy arena. oneTBB's worker
// pool is kept large enough for every live BackgroundWorkers of the process at once (one
// process-wide global_control, resized as storages open and close), so one storage's timer
// loop can never starve another storage's tasks. Wait() blocks until every job submitted so far
// has finished.
//
// Hand-off: Run() puts the job in a queue under `mu_` and enqueues an arena task that holds
// only `this`; the task takes one job from the queue under `mu_`. The mutex is the
// happens-before edge between the submitting thread and the worker for every byte the job
// touches, so ThreadSanitizer sees it although oneTBB itself is not instrumented. Under TSan
// two annotations stand in for what oneTBB does unseen: the hand-off itself is a
// release/acquire pair (AnnotateHappensBefore/After, so that the worker may touch *this and
// mu_, made by another thread), and the writes oneTBB's inline code makes to its own task
// object while enqueueing are not recorded (AnnotateIgnoreWritesBegin/End).
//
// A job that throws does not escape: the exception becomes a Status given to the error sink,
// and the job still counts as finished, so Wait() and Close() always return.
//
// Thread-safety: Run(), Wait() and pending() may be called from any thread; the destructor
// waits.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include "util/status.h"

namespace vme::storage {

class BackgroundWorkers {
 public:
  // on_error receives what a job threw (called on the worker thread, without locks held).
  explicit BackgroundWorkers(int threads, std::function<void(const Status&)> on_error = nullptr);
  ~BackgroundWorkers();

  int threads() const { return threads_; }
  void Run(std::function<void()> job);
  void Wait();
  // Jobs submitted and not finished yet.
  int pending() const;

 private:
  void RunOne();

  const int threads_;
  const std::function<void(const Status&)> on_error_;
  tbb::task_arena arena_;
  mutable std::mutex mu_;
  std::condition_variable idle_cv_;
  std::deque<std::function<void()>> jobs_;  // submitted, not started
  int pending_ = 0;                         // submitted, not finished
};

// Runs fn and turns anything it throws into a status (NoMemory for std::bad_alloc, else
// Internal naming `what`).
Status CatchAll(const char* what, const std::function<Status()>& fn);

// Default number of background threads: the hardware threads.
int DefaultBackgroundThreads();

// Ends oneTBB's worker threads (vme_library_shutdown). Safe to call when none run.
void ShutdownTaskScheduler();

}  // namespace vme::storage
