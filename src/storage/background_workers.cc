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
      queue_(std::make_shared<Queue>()),
      arena_(threads_ + 1, /*reserved_for_masters=*/0) {
  queue_->on_error = std::move(on_error);
  ResizePool(threads_ + 1);
  arena_.initialize();
}

BackgroundWorkers::~BackgroundWorkers() {
  Wait();
  ResizePool(-(threads_ + 1));
}

void BackgroundWorkers::Run(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> l(queue_->mu);
    queue_->jobs.push_back(std::move(job));
    queue_->pending++;
  }
  queue_->idle_cv.notify_all();  // a thread in Wait() helps with queued jobs
  ReleaseForTsan(queue_.get());
  bool enqueued = false;
  try {
    [[maybe_unused]] IgnoreWritesForTsan ignore;
    arena_.enqueue([q = queue_] { RunOne(q); });
    enqueued = true;
  } catch (...) {
  }
  if (!enqueued) RunOne(queue_);  // no arena task could be made: run the job here
}

void BackgroundWorkers::RunOne(const std::shared_ptr<Queue>& q) {
  AcquireForTsan(q.get());  // before the first touch of *q: its mutex was made elsewhere
  std::function<void()> job;
  {
    std::lock_guard<std::mutex> l(q->mu);
    // One arena task is enqueued per job, but Wait() may have run the job already.
    if (q->jobs.empty()) return;
    job = std::move(q->jobs.front());
    q->jobs.pop_front();
  }
  Execute(q.get(), std::move(job));
}

void BackgroundWorkers::Execute(Queue* q, std::function<void()> job) {
  Status st = CatchAll("background task", [&] {
    job();
    return Status::OK();
  });
  job = nullptr;  // the job's captures die before it counts as finished
  if (!st.ok() && q->on_error) {
    CatchAll("background error report", [&] {
      q->on_error(st);
      return Status::OK();
    }).IgnoreError();
  }
  std::lock_guard<std::mutex> l(q->mu);
  if (--q->pending == 0) q->idle_cv.notify_all();
}

void BackgroundWorkers::Wait() {
  // Runs queued jobs itself instead of waiting for a worker to take them: oneTBB does not
  // promise this arena a worker while other arenas of the process keep theirs busy.
  Queue* q = queue_.get();
  std::unique_lock<std::mutex> l(q->mu);
  for (;;) {
    q->idle_cv.wait(l, [q] { return q->pending == 0 || !q->jobs.empty(); });
    if (q->pending == 0) return;
    std::function<void()> job = std::move(q->jobs.front());
    q->jobs.pop_front();
    l.unlock();
    Execute(q, std::move(job));
    l.lock();
  }
}

int BackgroundWorkers::pending() const {
  std::lock_guard<std::mutex> l(queue_->mu);
  return queue_->pending;
}

void ShutdownTaskScheduler() {
  tbb::task_scheduler_handle handle{tbb::attach{}};
  tbb::finalize(handle, std::nothrow);
}

}  // namespace vme::storage
