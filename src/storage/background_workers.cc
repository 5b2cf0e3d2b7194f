#include "storage/background_workers.h"

#include <algorithm>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <utility>

#include "util/tsan.h"

namespace vme::storage {

int DefaultBackgroundThreads() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

Status CatchAll(const char* what, const std::function<Status()>& fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return Status(Code::kNoMemory, std::string(what) + ": out of memory");
  } catch (const std::exception& e) {
    return Status::Internal(std::string(what) + ": " + e.what());
  } catch (...) {
    return Status::Internal(std::string(what) + ": an exception of unknown type");
  }
}

namespace {

// The process-wide worker pool size: the sum of the slots of every live arena, plus one
// because oneTBB counts the main thread in max_allowed_parallelism.
std::mutex pool_mu;
size_t pool_slots = 0;
std::unique_ptr<tbb::global_control> pool_control;

void ResizePool(long delta) {
  std::lock_guard<std::mutex> l(pool_mu);
  pool_slots = static_cast<size_t>(static_cast<long>(pool_slots) + delta);
  pool_control.reset();
  if (pool_slots > 0) {
    const size_t want = std::max<size_t>(pool_slots + 1, std::thread::hardware_concurrency());
    pool_control =
        std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, want);
  }
}

}  // namespace

BackgroundWorkers::BackgroundWorkers(int threads, std::function<void(const Status&)> on_error)
    : threads_(std::max(1, threads)),
      on_error_(std::move(on_error)),
      arena_(threads_ + 1, /*reserved_for_masters=*/0) {
  ResizePool(threads_ + 1);
  arena_.initialize();
}

BackgroundWorkers::~BackgroundWorkers() {
  Wait();
  ResizePool(-(threads_ + 1));
}

void BackgroundWorkers::Run(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> l(mu_);
    jobs_.push_back(std::move(job));
    pending_++;
  }
  ReleaseForTsan(&jobs_);
  bool enqueued = false;
  try {
    [[maybe_unused]] IgnoreWritesForTsan ignore;
    arena_.enqueue([this] { RunOne(); });
    enqueued = true;
  } catch (...) {
  }
  if (!enqueued) RunOne();  // no arena task could be made: run the job here
}

void BackgroundWorkers::RunOne() {
  AcquireForTsan(&jobs_);  // before the first touch of *this: mu_ itself was made elsewhere
  std::function<void()> job;
  {
    std::lock_guard<std::mutex> l(mu_);
    // One arena task is enqueued per job, so the queue is never empty here.
    job = std::move(jobs_.front());
    jobs_.pop_front();
  }
  Status st = CatchAll("background task", [&] {
    job();
    return Status::OK();
  });
  job = nullptr;  // the job's captures die before it counts as finished
  if (!st.ok() && on_error_) {
    CatchAll("background error report", [&] {
      on_error_(st);
      return Status::OK();
    }).IgnoreError();
  }
  std::lock_guard<std::mutex> l(mu_);
  if (--pending_ == 0) idle_cv_.notify_all();
}

void BackgroundWorkers::Wait() {
  std::unique_lock<std::mutex> l(mu_);
  idle_cv_.wait(l, [this] { return pending_ == 0; });
}

int BackgroundWorkers::pending() const {
  std::lock_guard<std::mutex> l(mu_);
  return pending_;
}

void ShutdownTaskScheduler() {
  tbb::task_scheduler_handle handle{tbb::attach{}};
  tbb::finalize(handle, std::nothrow);
}

}  // namespace vme::storage
