// vme_delete_series follows the selector rule: a query whose matchers all match the empty
// string ({a=""}, {__name__=~".*"}, or no matcher at all) would delete every series, so it is
// refused with VME_ERR_INVALID_ARGUMENT and nothing is deleted. A query with one matcher that
// needs a non-empty value deletes what it matches.
#include <cstring>
#include <string>

#include "capi_test_util.h"
#include "check.h"
#include "test_util.h"
#include "vmengine.h"

namespace {

using vme::test::Label;

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

using Db = vme::test::ScratchDb;

void AddSeries(vme_db* db, const std::string& key) {
  const int64_t ts = kT0;
  const double v = 1;
  vme_add_result r{};
  REQUIRE_EQ(vme_add_series(db, reinterpret_cast<const uint8_t*>(key.data()), key.size(), &ts, &v,
                            1, &r, nullptr),
             VME_OK);
  REQUIRE_EQ(r.rows_added, 1u);
}

uint64_t Count(vme_db* db) {
  uint64_t n = 0;
  REQUIRE_EQ(vme_series_count(db, nullptr, &n, nullptr), VME_OK);
  return n;
}

void TestAllMatchEmptyIsRefused() {
  Db d;
  AddSeries(d.db, Label("__name__", "up") + Label("job", "a"));
  AddSeries(d.db, Label("__name__", "up") + Label("job", "b") + Label("duplex", "full"));
  REQUIRE_EQ(vme_flush(d.db, nullptr), VME_OK);
  REQUIRE_EQ(Count(d.db), 2u);

  struct Matcher {
    vme_match_type type;
    const char* name;
    const char* value;
  };
  const Matcher refused[] = {
      {VME_MATCH_EQ, "a", ""},
      {VME_MATCH_EQ, "duplex", ""},
      {VME_MATCH_RE, "__name__", ".*"},
      {VME_MATCH_NEQ, "job", "x"},
  };
  for (const auto& m : refused) {
    vme_query* q = vme_query_create(0, INT64_MAX);
    REQUIRE(vme_query_add_matcher(q, m.type, m.name, strlen(m.name), m.value, strlen(m.value),
                                  nullptr) == VME_OK);
    vme_error* err = nullptr;
    uint64_t deleted = 99;
    const vme_status st = vme_delete_series(d.db, q, &deleted, &err);
    const std::string msg = vme_error_message(err);
    vme_error_free(err);
    vme_query_destroy(q);
    REQUIRE_EQ(st, VME_ERR_INVALID_ARGUMENT);
    REQUIRE_EQ(deleted, 0u);
    REQUIRE(msg.find("matches the empty string") != std::string::npos, "%s", msg.c_str());
    REQUIRE_EQ(Count(d.db), 2u);
  }
  // No matcher at all: refused the same way.
  vme_query* q = vme_query_create(0, INT64_MAX);
  REQUIRE_EQ(vme_delete_series(d.db, q, nullptr, nullptr), VME_ERR_INVALID_ARGUMENT);
  vme_query_destroy(q);
  REQUIRE_EQ(Count(d.db), 2u);
}

void TestNonEmptyMatcherDeletes() {
  Db d;
  AddSeries(d.db, Label("__name__", "up") + Label("job", "a"));
  AddSeries(d.db, Label("__name__", "up") + Label("job", "b") + Label("duplex", "full"));
  REQUIRE_EQ(vme_flush(d.db, nullptr), VME_OK);
  // {duplex="", job=~".+"}: one matcher needs a value, so the query is accepted and deletes
  // the series without the label duplex.
  vme_query* q = vme_query_create(0, INT64_MAX);
  REQUIRE_EQ(vme_query_add_matcher(q, VME_MATCH_EQ, "duplex", 6, "", 0, nullptr), VME_OK);
  REQUIRE_EQ(vme_query_add_matcher(q, VME_MATCH_RE, "job", 3, ".+", 2, nullptr), VME_OK);
  uint64_t deleted = 0;
  REQUIRE_EQ(vme_delete_series(d.db, q, &deleted, nullptr), VME_OK);
  vme_query_destroy(q);
  REQUIRE_EQ(deleted, 1u);
  REQUIRE_EQ(Count(d.db), 1u);
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestAllMatchEmptyIsRefused), VME_TEST(TestNonEmptyMatcherDeletes)}, argc, argv);
}
