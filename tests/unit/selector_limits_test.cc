// Deeply nested regexps: rejected with Go's "expression nests too deeply" beyond 1000 nested
// groups, before anything recursive runs, through every door (ParseSelector, TagFilters::Add,
// TagFilter::Create, vme_query_add_selector, vme_query_add_matcher), on the main thread's
// stack and on a 512 KiB thread stack; 999 and 1000 deep still work.
#include <pthread.h>

#include <cstring>
#include <functional>
#include <string>

#include "check.h"
#include "storage/selector_parser.h"
#include "storage/tag_filters.h"
#include "vmengine.h"

namespace {

using vme::storage::ParseSelector;
using vme::storage::TagFilter;
using vme::storage::TagFilters;

constexpr char kTooDeep[] = "expression nests too deeply";

// `((((x|y))))`: n groups around an alternation.
std::string NestedAround(size_t n) { return std::string(n, '(') + "x|y" + std::string(n, ')'); }

// `(x|(x|(x|...y)))`: an alternation at every level.
std::string NestedAlternation(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; i++) s += "(x|";
  s += "y";
  s += std::string(n, ')');
  return s;
}

// `(?:(?:(?:x)))`: non-capturing groups count too.
std::string NestedNonCapturing(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; i++) s += "(?:";
  s += "x";
  s += std::string(n, ')');
  return s;
}

// A raw (backquoted) string, so that backslashes reach the regexp as they are.
std::string Selector(const std::string& regexp) { return "node_load1{foo=~`" + regexp + "`}"; }

// Checks one regexp through every door; "" when each door answered as `want_ok` says (and,
// when accepted, the filter matches `must_match` if given).
std::string CheckAllDoors(const std::string& regexp, bool want_ok,
                          const char* must_match = nullptr) {
  const std::string sel = Selector(regexp);
  auto check = [&](const char* door, bool ok, const std::string& message) -> std::string {
    if (ok == want_ok) {
      if (!ok && message.find(kTooDeep) == std::string::npos) {
        return std::string(door) + ": message lacks \"" + kTooDeep + "\": " + message;
      }
      if (!ok && message.size() >= 1024) {
        return std::string(door) + ": message of " + std::to_string(message.size()) + " bytes";
      }
      return "";
    }
    return std::string(door) + (ok ? ": accepted" : ": rejected: " + message) + " (depth of " +
           std::to_string(regexp.size()) + "-byte regexp)";
  };
  std::string e;
  {
    TagFilters tfs;
    vme::Status st = ParseSelector(sel, &tfs);
    if (!(e = check("ParseSelector", st.ok(), st.message())).empty()) return e;
  }
  {
    TagFilters tfs;
    vme::Status st = tfs.Add("foo", regexp, /*is_negative=*/false, /*is_regexp=*/true);
    if (!(e = check("TagFilters::Add", st.ok(), st.message())).empty()) return e;
    st = tfs.Add("foo", regexp, /*is_negative=*/true, /*is_regexp=*/true);
    if (!(e = check("TagFilters::Add negative", st.ok(), st.message())).empty()) return e;
  }
  {
    auto tf = TagFilter::Create("foo", regexp, false, true);
    if (!(e = check("TagFilter::Create", tf.ok(), tf.ok() ? "" : tf.status().message())).empty()) {
      return e;
    }
    if (tf.ok() && must_match != nullptr && !tf.value().Matches(must_match)) {
      return "TagFilter::Create: does not match " + std::string(must_match);
    }
  }
  {
    vme_query* q = vme_query_create(0, INT64_MAX);
    if (q == nullptr) return "vme_query_create failed";
    vme_error* err = nullptr;
    vme_status st = vme_query_add_selector(q, sel.c_str(), &err);
    std::string msg = err != nullptr ? vme_error_message(err) : "";
    vme_error_free(err);
    e = check("vme_query_add_selector", st == VME_OK, msg);
    if (e.empty() && !want_ok && st != VME_ERR_INVALID_ARGUMENT) {
      e = "vme_query_add_selector: status " + std::to_string(st);
    }
    err = nullptr;
    if (e.empty()) {
      st = vme_query_add_matcher(q, VME_MATCH_RE, "foo", 3, regexp.data(), regexp.size(), &err);
      msg = err != nullptr ? vme_error_message(err) : "";
      vme_error_free(err);
      e = check("vme_query_add_matcher", st == VME_OK, msg);
      if (e.empty() && !want_ok && st != VME_ERR_INVALID_ARGUMENT) {
        e = "vme_query_add_matcher: status " + std::to_string(st);
      }
    }
    vme_query_destroy(q);
  }
  return e;
}

std::string CheckShapes(size_t depth, bool want_ok) {
  for (const auto& re :
       {NestedAround(depth), NestedAlternation(depth), NestedNonCapturing(depth)}) {
    std::string e = CheckAllDoors(re, want_ok, "x");
    if (!e.empty()) return "depth " + std::to_string(depth) + ": " + e;
  }
  return "";
}

// Runs fn on a new thread whose stack is `stack_bytes` and returns its result.
std::string OnThreadWithStack(size_t stack_bytes, std::function<std::string()> fn) {
  struct Ctx {
    std::function<std::string()> fn;
    std::string result;
  } ctx{std::move(fn), ""};
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return "pthread_attr_init failed";
  if (pthread_attr_setstacksize(&attr, stack_bytes) != 0) return "pthread_attr_setstacksize failed";
  pthread_t t;
  int rc = pthread_create(
      &t, &attr,
      [](void* p) -> void* {
        auto* c = static_cast<Ctx*>(p);
        c->result = c->fn();
        return nullptr;
      },
      &ctx);
  pthread_attr_destroy(&attr);
  if (rc != 0) return "pthread_create failed: " + std::string(std::strerror(rc));
  pthread_join(t, nullptr);
  return ctx.result;
}

void TestDeeplyNestedOnMainStack() {
  RUN(CheckShapes(20000, /*want_ok=*/false));
  RUN(CheckShapes(1001, /*want_ok=*/false));
}

void TestDeeplyNestedOnSmallThreadStack() {
  RUN(OnThreadWithStack(512 << 10, [] { return CheckShapes(1500, /*want_ok=*/false); }));
  RUN(OnThreadWithStack(512 << 10, [] { return CheckShapes(20000, /*want_ok=*/false); }));
}

void TestUpToTheLimitWorks() {
  RUN(CheckShapes(999, /*want_ok=*/true));
  RUN(CheckShapes(1000, /*want_ok=*/true));
  RUN(OnThreadWithStack(512 << 10, [] { return CheckShapes(1000, /*want_ok=*/true); }));
}

void TestOnlyRealGroupsCount() {
  // Escaped parentheses, parentheses in a class and in \Q...\E are literals, not groups.
  const std::string escaped = [] {
    std::string s;
    for (int i = 0; i < 3000; i++) s += "\\(";
    return s;
  }();
  RUN(CheckAllDoors(escaped, /*want_ok=*/true));
  RUN(CheckAllDoors("[" + std::string(3000, '(') + "]", /*want_ok=*/true));
  RUN(CheckAllDoors("\\Q" + std::string(3000, '(') + "\\E", /*want_ok=*/true));
  RUN(CheckAllDoors("[]()]" + NestedAround(1000), /*want_ok=*/true));
  RUN(CheckAllDoors("[[:alpha:]()]" + NestedAround(1001), /*want_ok=*/false));
}

void TestOrValuesOfNestedGroups() {
  // The or-values expansion (used to plan index lookups) works through nested groups.
  auto tf = TagFilter::Create("foo", NestedAlternation(50), false, true);
  REQUIRE_OK(tf);
  const auto* values = tf.value().or_values();
  REQUIRE(values != nullptr);
  REQUIRE_EQ(values->size(), 2u);
  REQUIRE_EQ((*values)[0], "x");
  REQUIRE_EQ((*values)[1], "y");
  auto ab = TagFilter::Create("foo", "a(b|(c|d)e)?f", false, true);
  REQUIRE_OK(ab);
  REQUIRE(ab.value().or_values() != nullptr);
  REQUIRE_EQ(ab.value().or_values()->size(), 4u);
  const std::vector<std::string> want = {"abf", "acef", "adef", "af"};
  REQUIRE(*ab.value().or_values() == want);
  // A long literal is one value.
  const std::string lit(20000, 'a');
  auto long_lit = TagFilter::Create("foo", lit + "|b", false, true);
  REQUIRE_OK(long_lit);
  REQUIRE(long_lit.value().Matches(lit));
  REQUIRE(!long_lit.value().Matches(lit + "a"));
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestDeeplyNestedOnMainStack), VME_TEST(TestDeeplyNestedOnSmallThreadStack),
       VME_TEST(TestUpToTheLimitWorks), VME_TEST(TestOnlyRealGroupsCount),
       VME_TEST(TestOrValuesOfNestedGroups)},
      argc, argv);
}
