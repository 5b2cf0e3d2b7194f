#include "storage/background.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

namespace vme::storage {

int DefaultBackgroundThreads() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

BackgroundWorkers::BackgroundWorkers(int threads)
    : threads_(std::max(1, threads)), arena_(threads_ + 1, /*reserved_for_masters=*/0) {
  const size_t current =
      tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
  // The calling thread never joins the arena, so oneTBB must own threads_ + 1 workers
  // (+1 because its pool counts the main thread).
  const size_t want = static_cast<size_t>(threads_) + 2;
  if (current < want) {
    parallelism_ =
        std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, want);
  }
  arena_.initialize();
  observer_ = std::make_unique<NiceObserver>(arena_);
  observer_->observe(true);
}

BackgroundWorkers::~BackgroundWorkers() {
  Wait();
  observer_->observe(false);
}

void BackgroundWorkers::NiceObserver::on_scheduler_entry(bool is_worker) {
  if (is_worker) setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 5);
}

void BackgroundWorkers::NiceObserver::on_scheduler_exit(bool is_worker) {
  if (is_worker) setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 0);
}

void BackgroundWorkers::Run(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> l(mu_);
    pending_++;
  }
  arena_.enqueue([this, f = std::move(fn)] {
    f();
    std::lock_guard<std::mutex> l(mu_);
    if (--pending_ == 0) idle_cv_.notify_all();
  });
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
