#include "storage/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#if defined(__SANITIZE_THREAD__)
#define VME_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VME_TSAN 1
#endif
#endif

#ifdef VME_TSAN
extern "C" void AnnotateIgnoreWritesBegin(const char* file, int line);
extern "C" void AnnotateIgnoreWritesEnd(const char* file, int line);
extern "C" void AnnotateHappensBefore(const char* file, int line, const volatile void* addr);
extern "C" void AnnotateHappensAfter(const char* file, int line, const volatile void* addr);
#endif

namespace vme::storage {
namespace {

struct IgnoreWritesForTsan {
#ifdef VME_TSAN
  IgnoreWritesForTsan() { AnnotateIgnoreWritesBegin(__FILE__, __LINE__); }
  ~IgnoreWritesForTsan() { AnnotateIgnoreWritesEnd(__FILE__, __LINE__); }
#endif
};
inline void ReleaseForTsan([[maybe_unused]] const void* addr) {
#ifdef VME_TSAN
  AnnotateHappensBefore(__FILE__, __LINE__, addr);
#endif
}
inline void AcquireForTsan([[maybe_unused]] const void* addr) {
#ifdef VME_TSAN
  AnnotateHappensAfter(__FILE__, __LINE__, addr);
#endif
}

struct Job {
  const std::function<void(size_t)>* fn;
  size_t n;
  std::atomic<size_t> next{0};
  char start_edge = 0;  // addresses for the TSan edges
  char end_edge = 0;
};

void Work(Job* job) {
  for (;;) {
    const size_t i = job->next.fetch_add(1, std::memory_order_relaxed);
    if (i >= job->n) break;
    (*job->fn)(i);
  }
}

}  // namespace

void ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  const size_t threads = std::max(1u, std::thread::hardware_concurrency());
  const size_t helpers = std::min(n, threads) - (n > 0 ? 1 : 0);
  if (helpers == 0) {
    for (size_t i = 0; i < n; i++) fn(i);
    return;
  }
  Job job;
  job.fn = &fn;
  job.n = n;
  ReleaseForTsan(&job.start_edge);
  tbb::task_group tg;
  for (size_t h = 0; h < helpers; h++) {
    // The task holds only a pointer; oneTBB's writes while spawning it are not recorded.
    [[maybe_unused]] IgnoreWritesForTsan ignore;
    Job* j = &job;
    tg.run([j] {
      AcquireForTsan(&j->start_edge);
      Work(j);
      ReleaseForTsan(&j->end_edge);
    });
  }
  Work(&job);
  tg.wait();
  AcquireForTsan(&job.end_edge);
}

}  // namespace vme::storage
