#include "storage/background.h"

#include <algorithm>
#include <thread>

namespace vme::storage {

int DefaultBackgroundThreads() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

BackgroundWorkers::BackgroundWorkers(int threads)
    : threads_(std::max(1, threads)), arena_(threads_ + 1) {
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
}

BackgroundWorkers::~BackgroundWorkers() { Wait(); }

void BackgroundWorkers::Run(std::function<void()> fn) {
  pending_.fetch_add(1);
  arena_.execute([this, f = std::move(fn)]() mutable {
    group_.run([this, f = std::move(f)] {
      f();
      pending_.fetch_sub(1);
    });
  });
}

void BackgroundWorkers::Wait() {
  arena_.execute([this] { group_.wait(); });
}

void ShutdownTaskScheduler() {
  tbb::task_scheduler_handle handle{tbb::attach{}};
  tbb::finalize(handle, std::nothrow);
}

}  // namespace vme::storage
