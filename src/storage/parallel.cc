#include "storage/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <unordered_set>

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>

#include "util/tsan.h"

namespace vme::storage {
namespace {

// Shared by the caller and the helper tasks; freed by whoever drops the last reference, so a
// helper that starts after the caller returned touches only the job, never the caller's stack.
struct Job {
  const std::function<void(size_t)>* fn = nullptr;  // valid while done < n
  size_t n = 0;
  std::atomic<size_t> next{0};
  std::atomic<int> refs{1};
  std::mutex mu;
  std::condition_variable cv;
  size_t done = 0;           // under mu
  std::exception_ptr error;  // under mu: the first exception fn threw
  char start_edge = 0;       // address of the TSan hand-off edge
};

// Every job not yet freed. A helper task may still sit in the arena's queue when the process
// exits (its caller returned long ago, having done the work itself); the arena is never
// destroyed, but its queue may be torn down at exit without running the task. The job belongs
// to this registry until its last reference drops, so it is never unowned memory.
struct LiveJobs {
  std::mutex mu;
  std::unordered_set<Job*> jobs;
};
LiveJobs& Live() {
  static auto* live = new LiveJobs;  // never destroyed: tasks may run during static teardown
  return *live;
}

Job* NewJob() {
  auto* job = new Job;
  LiveJobs& live = Live();
  std::lock_guard<std::mutex> l(live.mu);
  live.jobs.insert(job);
  return job;
}

void Unref(Job* job) {
  if (job->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  {
    LiveJobs& live = Live();
    std::lock_guard<std::mutex> l(live.mu);
    live.jobs.erase(job);
  }
  delete job;
}

// Runs the indexes this thread claims; each one counts as done even if fn throws.
void Work(Job* job) {
  for (;;) {
    const size_t i = job->next.fetch_add(1, std::memory_order_relaxed);
    if (i >= job->n) break;
    std::exception_ptr error;
    try {
      (*job->fn)(i);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> l(job->mu);
    if (error && !job->error) job->error = error;
    if (++job->done == job->n) job->cv.notify_all();
  }
}

// Threads that may work at once: the CPUs this process may use (its affinity mask), within
// any process-wide limit set through tbb::global_control.
size_t Threads() {
  const size_t cpus = static_cast<size_t>(std::max(1, tbb::info::default_concurrency()));
  const size_t limit =
      tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
  return std::max<size_t>(1, std::min(cpus, limit));
}

// The arena the helpers run in: process-wide, created on first use, never destroyed (helpers
// may outlive any caller).
tbb::task_arena& Arena() {
  static tbb::task_arena* arena = [] {
    // One slot per helper: the caller works outside the arena.
    const int threads = static_cast<int>(std::max<size_t>(2, Threads()));
    auto* a = new tbb::task_arena(threads - 1, /*reserved_for_masters=*/0);
    a->initialize();
    return a;
  }();
  return *arena;
}

}  // namespace

void ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  const size_t threads = Threads();
  const size_t helpers = n == 0 ? 0 : std::min(n, threads) - 1;
  if (helpers == 0) {
    for (size_t i = 0; i < n; i++) fn(i);
    return;
  }
  Job* job = NewJob();
  job->fn = &fn;
  job->n = n;
  job->refs.store(static_cast<int>(helpers) + 1, std::memory_order_relaxed);
  ReleaseForTsan(&job->start_edge);
  size_t enqueued = 0;
  for (; enqueued < helpers; enqueued++) {
    try {
      // The task holds only the pointer; oneTBB's writes while enqueueing are not recorded.
      [[maybe_unused]] IgnoreWritesForTsan ignore;
      Arena().enqueue([job] {
        AcquireForTsan(&job->start_edge);
        Work(job);
        Unref(job);
      });
    } catch (...) {
      break;  // no task could be made: the caller does the work
    }
  }
  for (size_t h = enqueued; h < helpers; h++) Unref(job);
  Work(job);
  std::exception_ptr error;
  {
    std::unique_lock<std::mutex> l(job->mu);
    job->cv.wait(l, [job] { return job->done == job->n; });
    error = job->error;
  }
  Unref(job);
  if (error) std::rethrow_exception(error);
}

}  // namespace vme::storage
