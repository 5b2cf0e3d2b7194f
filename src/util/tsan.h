// ThreadSanitizer's dynamic annotations, for hand-offs TSan cannot see: a task enqueued into
// oneTBB runs on a worker with no synchronisation TSan knows of. Every helper is a no-op in a
// build without TSan.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define VME_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VME_TSAN 1
#endif
#endif

#ifdef VME_TSAN
// Implemented by the TSan runtime.
extern "C" void AnnotateIgnoreWritesBegin(const char* file, int line);
extern "C" void AnnotateIgnoreWritesEnd(const char* file, int line);
extern "C" void AnnotateHappensBefore(const char* file, int line, const volatile void* addr);
extern "C" void AnnotateHappensAfter(const char* file, int line, const volatile void* addr);
#endif

namespace vme {

// While alive, TSan does not record this thread's writes.
struct IgnoreWritesForTsan {
#ifdef VME_TSAN
  IgnoreWritesForTsan() { AnnotateIgnoreWritesBegin(__FILE__, __LINE__); }
  ~IgnoreWritesForTsan() { AnnotateIgnoreWritesEnd(__FILE__, __LINE__); }
  IgnoreWritesForTsan(const IgnoreWritesForTsan&) = delete;
  IgnoreWritesForTsan& operator=(const IgnoreWritesForTsan&) = delete;
#endif
};

// The hand-off edge: everything a thread did before ReleaseForTsan(addr) happens before what
// another thread does after AcquireForTsan(addr).
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

}  // namespace vme
