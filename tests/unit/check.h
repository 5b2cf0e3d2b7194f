// The C++ test harness: check macros and a runner, with no longjmp.
//
// A failed check throws vme::test::Failure, which unwinds the test body (so temporary
// directories, handles and locks are released by their destructors) and is caught by
// RunTests(), which reports it with file and line and goes on with the next test. A check
// that fails on any other thread than the one running the test cannot unwind into the
// runner: it prints the same report and aborts the process, so it can never pass unseen,
// unless the thread runs it inside Collect(), which returns the failure as a message.
//
//   REQUIRE(cond)                    REQUIRE(cond, "printf format", args...)
//   REQUIRE_EQ(a, b)                 integers, pointers, enums or strings; prints both values
//   REQUIRE_OK(status_expr)          a vme::Status or vme::Result<T> that must be ok
//   FAIL("printf format", args...)   fails unconditionally
//   RUN(expr)                        expr returns std::string: "" = success, else the message
//
// On a worker thread, wrap the work in vme::test::Collect(fn) and check its result on the test
// thread.
//
//   int main() { return vme::test::RunTests({VME_TEST(TestA), VME_TEST(TestB)}); }
//
// Test functions take no arguments and return void. Optional argv filter: a test binary run
// with arguments runs only the tests whose names contain one of them.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace vme::test {

struct Failure {
  std::string message;
};

struct TestCase {
  const char* name;
  void (*fn)();
};

inline std::thread::id& TestThread() {
  static std::thread::id id;
  return id;
}

// True on a thread running Collect(): its failed checks throw, and Collect catches them.
inline bool& CollectingThread() {
  thread_local bool collecting = false;
  return collecting;
}

inline std::string Vformat(const char* fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  const int n = std::vsnprintf(nullptr, 0, fmt, ap2);
  va_end(ap2);
  std::string out(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(out.data(), out.size() + 1, fmt, ap);
  return out;
}

inline std::string FormatMessage() { return ""; }
inline std::string FormatMessage(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
inline std::string FormatMessage(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = Vformat(fmt, ap);
  va_end(ap);
  return s;
}

[[noreturn]] inline void Fail(const char* file, int line, const std::string& what,
                              const std::string& detail) {
  std::string msg = std::string(file) + ":" + std::to_string(line) + ": " + what;
  if (!detail.empty()) msg += ": " + detail;
  if (std::this_thread::get_id() != TestThread() && !CollectingThread()) {
    std::fprintf(stderr, "FAILED on a non-test thread: %s\n", msg.c_str());
    std::fflush(stderr);
    std::abort();
  }
  throw Failure{msg};
}

// For a worker thread: runs fn(), which returns "" or a message like the check helpers, and
// returns its message or that of the first check that failed inside it. The worker hands the
// result to the test thread, which checks it (RUN or REQUIRE).
template <typename Fn>
std::string Collect(Fn&& fn) {
  const bool was = CollectingThread();
  CollectingThread() = true;
  std::string out;
  try {
    out = fn();
  } catch (const Failure& f) {
    out = f.message;
  }
  CollectingThread() = was;
  return out;
}

template <typename T>
std::string Show(const T& v) {
  if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return "\"" + std::string(std::string_view(v)) + "\"";
  } else if constexpr (std::is_enum_v<T>) {
    return std::to_string(static_cast<long long>(v));
  } else if constexpr (std::is_pointer_v<T> || std::is_null_pointer_v<T>) {
    std::ostringstream o;
    o << static_cast<const void*>(v);
    return o.str();
  } else {
    std::ostringstream o;
    o << v;
    return o.str();
  }
}

template <typename T>
constexpr bool kPlainInt =
    std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char> &&
    !std::is_same_v<T, char8_t> && !std::is_same_v<T, char16_t> && !std::is_same_v<T, char32_t> &&
    !std::is_same_v<T, wchar_t>;

template <typename A, typename B>
bool Equal(const A& a, const B& b) {
  if constexpr (std::is_convertible_v<const A&, std::string_view> &&
                std::is_convertible_v<const B&, std::string_view>) {
    return std::string_view(a) == std::string_view(b);
  } else if constexpr (kPlainInt<A> && kPlainInt<B>) {
    return std::cmp_equal(a, b);
  } else {
    return a == b;
  }
}

template <typename A, typename B>
void CheckEqual(const char* file, int line, const char* what, const A& a, const B& b) {
  if (!Equal(a, b)) Fail(file, line, what, Show(a) + " != " + Show(b));
}

template <typename S>
std::string StatusText(const S& s) {
  if constexpr (requires { s.status(); }) {
    return s.status().ToString();
  } else {
    return s.ToString();
  }
}

// Runs every test; returns the process exit code (0 when all passed).
inline int RunTests(const std::vector<TestCase>& tests, int argc = 0, char** argv = nullptr) {
  TestThread() = std::this_thread::get_id();
  int failed = 0, ran = 0;
  for (const auto& t : tests) {
    if (argc > 1) {
      bool want = false;
      for (int i = 1; i < argc; i++) want |= std::strstr(t.name, argv[i]) != nullptr;
      if (!want) continue;
    }
    ran++;
    std::printf("[ RUN      ] %s\n", t.name);
    std::fflush(stdout);
    std::string error;
    try {
      t.fn();
    } catch (const Failure& f) {
      error = f.message;
    } catch (const std::exception& e) {
      error = std::string("uncaught exception: ") + e.what();
    } catch (...) {
      error = "uncaught exception of unknown type";
    }
    if (error.empty()) {
      std::printf("[       OK ] %s\n", t.name);
    } else {
      failed++;
      std::printf("[  FAILED  ] %s\n  %s\n", t.name, error.c_str());
    }
    std::fflush(stdout);
  }
  std::printf("[==========] %d test(s) ran, %d failed\n", ran, failed);
  if (ran == 0) {
    std::printf("no test matched the filter\n");
    return 1;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace vme::test

#define VME_TEST(fn) \
  ::vme::test::TestCase { #fn, fn }

#define REQUIRE(cond, ...)                                        \
  do {                                                            \
    if (!(cond))                                                  \
      ::vme::test::Fail(__FILE__, __LINE__, "REQUIRE(" #cond ")", \
                        ::vme::test::FormatMessage(__VA_ARGS__)); \
  } while (0)

// A function, not a block with local references: `a` and `b` may be temporaries or pointers
// into temporaries (REQUIRE_EQ(Hex(x).c_str(), "00")), which live until the call returns.
#define REQUIRE_EQ(a, b) \
  ::vme::test::CheckEqual(__FILE__, __LINE__, "REQUIRE_EQ(" #a ", " #b ")", (a), (b))

#define REQUIRE_OK(expr)                                                                     \
  do {                                                                                       \
    const auto& s_ = (expr);                                                                 \
    if (!s_.ok()) ::vme::test::Fail(__FILE__, __LINE__, #expr, ::vme::test::StatusText(s_)); \
  } while (0)

#define FAIL(...) \
  ::vme::test::Fail(__FILE__, __LINE__, "FAIL", ::vme::test::FormatMessage(__VA_ARGS__))

#define RUN(expr)                                                      \
  do {                                                                 \
    std::string e_ = (expr);                                           \
    if (!e_.empty()) ::vme::test::Fail(__FILE__, __LINE__, #expr, e_); \
  } while (0)
