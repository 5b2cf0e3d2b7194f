// Giving freed heap memory back to the operating system after a large buffer is released.
//
// glibc keeps memory freed by a thread in that thread's arena, and once a large block has been
// freed it serves later large blocks from the arenas instead of mmap (its dynamic mmap
// threshold). A flush frees tens of MiB at once; without a trim those pages stay resident, and
// the next flush, in another thread, takes new ones: the process's resident size grows with
// the number of threads that ever flushed. A library must not change the host's malloc
// settings (mallopt), so it trims instead, right after it released such memory.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace vme {

// Returns the free pages of every malloc arena to the OS (glibc malloc_trim; a no-op on other C
// libraries), at most once per 25 ms in the process: a trim walks every arena's free lists,
// and the pages it returns fault in again when reused. Call it after freeing large buffers,
// not per row. Thread-safe.
inline void ReturnFreeMemoryToOS() {
#if defined(__GLIBC__)
  static std::atomic<int64_t> last_ns{0};
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  int64_t last = last_ns.load(std::memory_order_relaxed);
  if (now - last < 25'000'000 ||
      !last_ns.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
    return;
  }
  malloc_trim(0);
#endif
}

}  // namespace vme
