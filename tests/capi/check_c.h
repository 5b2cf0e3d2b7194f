/* The C test harness of the C API tests: check macros and a runner, no cmocka, no longjmp.
 *
 *   REQUIRE(cond)
 *   REQUIRE_MSG(cond, "printf format", args...)
 *   REQUIRE_EQ_INT(a, b)   integers, printed as long long
 *   REQUIRE_EQ_STR(a, b)   NUL-terminated strings (NULL is a failure)
 *   FAIL("printf format", args...)
 *
 *   int main(int argc, char** argv) {
 *     static const vme_test_case tests[] = {VME_TEST(test_a), VME_TEST(test_b)};
 *     return vme_run_tests(tests, sizeof tests / sizeof tests[0], argc, argv);
 *   }
 *
 * C has no unwinding, so a failed check reports file, line and message and ends the process
 * with exit status 1 (after the test's name was printed by the runner). Checks are for the
 * thread that runs the test; worker threads report problems back through their results. */
#ifndef VME_TESTS_CHECK_C_H_
#define VME_TESTS_CHECK_C_H_

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct vme_test_case {
  const char* name;
  void (*fn)(void);
} vme_test_case;

#define VME_TEST(fn) \
  { #fn, fn }

static void vme_check_fail(const char* file, int line, const char* what, const char* fmt, ...)
    __attribute__((noreturn));
static void vme_check_fail(const char* file, int line, const char* what, const char* fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s:%d: %s", file, line, what);
  if (fmt != NULL) {
    fputs(": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
  }
  fputc('\n', stderr);
  fflush(stderr);
  printf("[  FAILED  ]\n");
  fflush(stdout);
  exit(1);
}

#define REQUIRE(cond)                                                            \
  do {                                                                           \
    if (!(cond)) vme_check_fail(__FILE__, __LINE__, "REQUIRE(" #cond ")", NULL); \
  } while (0)

#define REQUIRE_MSG(cond, ...)                                                          \
  do {                                                                                  \
    if (!(cond)) vme_check_fail(__FILE__, __LINE__, "REQUIRE(" #cond ")", __VA_ARGS__); \
  } while (0)

#define REQUIRE_EQ_INT(a, b)                                                                   \
  do {                                                                                         \
    long long a_ = (long long)(a), b_ = (long long)(b);                                        \
    if (a_ != b_)                                                                              \
      vme_check_fail(__FILE__, __LINE__, "REQUIRE_EQ_INT(" #a ", " #b ")", "%lld != %lld", a_, \
                     b_);                                                                      \
  } while (0)

#define REQUIRE_EQ_STR(a, b)                                                                   \
  do {                                                                                         \
    const char* a_ = (a);                                                                      \
    const char* b_ = (b);                                                                      \
    if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                                       \
      vme_check_fail(__FILE__, __LINE__, "REQUIRE_EQ_STR(" #a ", " #b ")", "\"%s\" != \"%s\"", \
                     a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                  \
  } while (0)

#define FAIL(...) vme_check_fail(__FILE__, __LINE__, "FAIL", __VA_ARGS__)

/* Runs the tests in order (those whose names contain an argv filter, if any are given). */
static int vme_run_tests(const vme_test_case* tests, size_t n, int argc, char** argv) {
  size_t i, ran = 0;
  for (i = 0; i < n; i++) {
    if (argc > 1) {
      int want = 0, a;
      for (a = 1; a < argc; a++) want |= strstr(tests[i].name, argv[a]) != NULL;
      if (!want) continue;
    }
    printf("[ RUN      ] %s\n", tests[i].name);
    fflush(stdout);
    tests[i].fn();
    printf("[       OK ] %s\n", tests[i].name);
    fflush(stdout);
    ran++;
  }
  printf("[==========] %zu test(s) passed\n", ran);
  if (ran == 0) {
    printf("no test matched the filter\n");
    return 1;
  }
  return 0;
}

#endif /* VME_TESTS_CHECK_C_H_ */
