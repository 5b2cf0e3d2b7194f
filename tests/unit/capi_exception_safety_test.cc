// No exception crosses the C ABI: every vme_* call that fails to allocate returns
// VME_ERR_NO_MEMORY (or its ordinary status) instead of terminating the process.
//
// This binary replaces the global operator new. Armed on the test thread with FailAfter(n), it
// lets n more allocations of that thread succeed and then fails every later one (until
// Disarm()), so the error path, the catch handler and the error record all run out of memory.
// Each call below is swept over n = 0, 1, 2, ... until it completes without reaching the
// failure. Other threads are never affected.
//
// Regex matchers are left out: RE2 (the system libre2) is not safe against a throwing
// operator new. When an allocation inside RE2::Init throws, RE2 is left with uninitialised
// state (valgrind reports reads of it in later RE2::Init calls) and a later sweep step
// crashes in malloc; vmengine's catch handler never gets the chance to matter.
#include <cstdlib>
#include <new>
#include <string>

#include "capi_test_util.h"
#include "check.h"
#include "vmengine.h"

namespace {

thread_local long tls_allocations_left = -1;  // -1: disarmed
thread_local bool tls_failed = false;

void FailAfter(long n) {
  tls_failed = false;
  tls_allocations_left = n;
}

void Disarm() { tls_allocations_left = -1; }

}  // namespace

void* operator new(std::size_t n) {
  if (tls_allocations_left == 0) {
    tls_failed = true;
    throw std::bad_alloc();
  }
  if (tls_allocations_left > 0) tls_allocations_left--;
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// Every other form of new and delete goes through the two above, so that allocation and
// release always pair (AddressSanitizer checks it).
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return ::operator new(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept {
  return ::operator new(n, t);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

// Runs call() with the allocation failure armed at n = 0, 1, ... until it runs to the end
// without hitting it. Every attempt must return `want` or VME_ERR_NO_MEMORY, with an error
// record (if one could be allocated) that carries the same status.
template <typename Call>
void Sweep(const char* what, vme_status want, Call call) {
  for (long n = 0;; n++) {
    REQUIRE(n < 100000, "%s: still allocating after %ld allocations", what, n);
    vme_error* err = nullptr;
    FailAfter(n);
    const vme_status st = call(&err);
    Disarm();
    const bool failed = tls_failed;
    const bool has_record = err != nullptr;
    const vme_status code = vme_error_code(err);
    vme_error_free(err);
    if (!failed) {
      REQUIRE(st == want, "%s: returned %s without an allocation failure, want %s", what,
              vme_status_string(st), vme_status_string(want));
      return;
    }
    REQUIRE(st == want || st == VME_ERR_NO_MEMORY,
            "%s: allocation %ld failed and it returned %s, want %s or out of memory", what, n,
            vme_status_string(st), vme_status_string(want));
    if (has_record) REQUIRE(code == st, "%s: vme_error code %d, status %d", what, code, st);
  }
}

void TestSettersWithAllocatingErrorPaths() {
  vme::test::OptionsPtr opts(vme_options_create());
  REQUIRE(opts != nullptr);
  vme::test::QueryPtr q(vme_query_create(0, 1));
  REQUIRE(q != nullptr);
  vme_options* o = opts.get();
  vme_query* qq = q.get();
  Sweep("vme_options_set_retention_ms(-1)", VME_ERR_INVALID_ARGUMENT,
        [&](vme_error** e) { return vme_options_set_retention_ms(o, -1, e); });
  Sweep("vme_options_set_retention_ms(NULL)", VME_ERR_INVALID_ARGUMENT,
        [&](vme_error** e) { return vme_options_set_retention_ms(nullptr, 1, e); });
  Sweep("vme_options_set_tenant(NULL)", VME_ERR_INVALID_ARGUMENT,
        [&](vme_error** e) { return vme_options_set_tenant(nullptr, 1, 2, e); });
  Sweep("vme_options_set_cache_bytes(1)", VME_ERR_INVALID_ARGUMENT,
        [&](vme_error** e) { return vme_options_set_cache_bytes(o, 1, e); });
  Sweep("vme_query_set_time_range(2, 1)", VME_ERR_INVALID_ARGUMENT,
        [&](vme_error** e) { return vme_query_set_time_range(qq, 2, 1, e); });
  Sweep("vme_query_set_tenant(NULL)", VME_ERR_INVALID_ARGUMENT,
        [&](vme_error** e) { return vme_query_set_tenant(nullptr, 1, 2, e); });
  Sweep("vme_query_set_limit(NULL)", VME_ERR_INVALID_ARGUMENT,
        [&](vme_error** e) { return vme_query_set_limit(nullptr, 1, e); });
  Sweep("vme_series_iter_copy_samples(NULL)", VME_ERR_INVALID_ARGUMENT, [&](vme_error** e) {
    size_t n = 0;
    return vme_series_iter_copy_samples(nullptr, nullptr, nullptr, 0, &n, e);
  });
  // Without an error record to fill, too.
  Sweep("vme_options_set_cache_bytes(1, err=NULL)", VME_ERR_INVALID_ARGUMENT,
        [&](vme_error**) { return vme_options_set_cache_bytes(o, 1, nullptr); });
}

void TestCallsThatAllocateOnSuccess() {
  vme::test::OptionsPtr opts(vme_options_create());
  REQUIRE(opts != nullptr);
  vme_options* o = opts.get();
  Sweep("vme_options_set(unknown)", VME_ERR_INVALID_ARGUMENT,
        [&](vme_error** e) { return vme_options_set(o, "no_such_option", "1", e); });
  Sweep("vme_options_set(retention)", VME_OK,
        [&](vme_error** e) { return vme_options_set(o, "retention", "2y", e); });
  Sweep("vme_query_add_selector", VME_OK, [&](vme_error** e) {
    vme::test::QueryPtr q(vme_query_create(0, 1));
    if (q == nullptr) return VME_ERR_NO_MEMORY;
    return vme_query_add_selector(q.get(), "up{job=\"a\",x!=\"y\"}", e);
  });
  Sweep("vme_query_add_selector(bad)", VME_ERR_INVALID_ARGUMENT, [&](vme_error** e) {
    vme::test::QueryPtr q(vme_query_create(0, 1));
    if (q == nullptr) return VME_ERR_NO_MEMORY;
    return vme_query_add_selector(q.get(), "up{job=\"a\"", e);
  });
  Sweep("vme_query_add_matcher", VME_OK, [&](vme_error** e) {
    vme::test::QueryPtr q(vme_query_create(0, 1));
    if (q == nullptr) return VME_ERR_NO_MEMORY;
    return vme_query_add_matcher(q.get(), VME_MATCH_NEQ, "job", 3, "node", 4, e);
  });
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestSettersWithAllocatingErrorPaths), VME_TEST(TestCallsThatAllocateOnSuccess)},
      argc, argv);
}
