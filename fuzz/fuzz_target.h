// One fuzz target = one plain function over a byte string, declared with
// VME_FUZZ_TARGET(name) in fuzz/targets/<name>_fuzz.cc (docs/fuzzing.md).
//
// The same body runs in two programs:
//   - the libFuzzer executable <name>_fuzz (built with VME_FUZZ_LIBFUZZER defined, which adds
//     LLVMFuzzerTestOneInput calling the body);
//   - the CTest test fuzz_regressions_test, where every target registers itself in Targets()
//     and runs over its regression inputs and seeds.
// A body must accept any input: a decoder error is a normal outcome. A broken property (a
// round trip that changes data) is reported with VME_FUZZ_CHECK, which aborts the process so
// that libFuzzer keeps the input as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace vme::fuzz {

using Body = void (*)(const uint8_t* data, size_t size);

struct Target {
  const char* name;
  Body body;
};

// Every target of the program, in registration order.
inline std::vector<Target>& Targets() {
  static std::vector<Target> targets;
  return targets;
}

inline bool Register(const char* name, Body body) {
  Targets().push_back({name, body});
  return true;
}

[[noreturn]] inline void CheckFailed(const char* file, int line, const char* cond,
                                     const char* what) {
  std::fprintf(stderr, "%s:%d: fuzz property broken: %s (%s)\n", file, line, what, cond);
  std::fflush(stderr);
  std::abort();
}

}  // namespace vme::fuzz

// Aborts with `what` when cond is false.
#define VME_FUZZ_CHECK(cond, what) \
  ((cond) ? (void)0 : ::vme::fuzz::CheckFailed(__FILE__, __LINE__, #cond, what))

#ifdef VME_FUZZ_LIBFUZZER
#define VME_FUZZ_ENTRY_POINT(name)                                          \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    VmeFuzzBody_##name(data, size);                                         \
    return 0;                                                               \
  }
#else
#define VME_FUZZ_ENTRY_POINT(name)
#endif

#define VME_FUZZ_TARGET(name)                                       \
  static void VmeFuzzBody_##name(const uint8_t* data, size_t size); \
  [[maybe_unused]] static const bool vme_fuzz_registered_##name =   \
      ::vme::fuzz::Register(#name, VmeFuzzBody_##name);             \
  VME_FUZZ_ENTRY_POINT(name)                                        \
  static void VmeFuzzBody_##name(const uint8_t* data, size_t size)
