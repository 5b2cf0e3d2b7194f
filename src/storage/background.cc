#include "storage/background.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>

namespace vme::storage {

int DefaultBackgroundThreads() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
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

BackgroundWorkers::BackgroundWorkers(int threads)
    : threads_(std::max(1, threads)), arena_(threads_ + 1, /*reserved_for_masters=*/0) {
  ResizePool(threads_ + 1);
  arena_.initialize();
}

BackgroundWorkers::~BackgroundWorkers() {
  Wait();
  ResizePool(-(threads_ + 1));
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
