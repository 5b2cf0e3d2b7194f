// Ingest limits: a series key inside the label limits but too long for an indexdb item is one
// rejected row, not a failed batch; vme_add_rows_report gives every row's outcome; a
// retention of INT64_MAX ("forever") keeps everything.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "capi_test_util.h"
#include "check.h"
#include "test_util.h"
#include "vmengine.h"

namespace {

using vme::test::Label;
using vme::test::TempDir;

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01

// Five labels of 15000 bytes: each within the 16 KiB value limit, 75 KB together, so the
// MetricName -> TSID index item exceeds the 64 KiB mergeset item limit.
std::string OversizedKey() {
  std::string key = Label("__name__", "too_big");
  for (int i = 0; i < 5; i++) key += Label("l" + std::to_string(i), std::string(15000, 'a' + i));
  return key;
}

struct Db {
  vme_db* db = nullptr;
  explicit Db(const std::filesystem::path& dir, int64_t retention_ms = 0) {
    vme_options* o = vme_options_create();
    REQUIRE(o != nullptr);
    vme_error* err = nullptr;
    REQUIRE_EQ(vme_options_set(o, "background", "0", &err), VME_OK);
    REQUIRE_EQ(vme_options_set_retention_ms(o, retention_ms, &err), VME_OK);
    const vme_status st = vme_open(dir.c_str(), o, &db, &err);
    vme_options_destroy(o);
    REQUIRE(st == VME_OK, "vme_open: %s", vme_error_message(err));
  }
  ~Db() { vme_close(db, nullptr); }
};

struct Batch {
  std::string keys;
  std::vector<uint32_t> offsets{0};
  std::vector<int64_t> ts;
  std::vector<double> values;
  void Add(const std::string& key, int64_t t, double v) {
    keys += key;
    offsets.push_back(static_cast<uint32_t>(keys.size()));
    ts.push_back(t);
    values.push_back(v);
  }
  const uint8_t* k() const { return reinterpret_cast<const uint8_t*>(keys.data()); }
};

uint64_t CountSeries(vme_db* db, const char* selector) {
  vme_query* q = vme_query_create(0, INT64_MAX);
  REQUIRE(q != nullptr);
  vme_error* err = nullptr;
  REQUIRE(vme_query_add_selector(q, selector, &err) == VME_OK, "%s", vme_error_message(err));
  vme_series_iter* it = nullptr;
  REQUIRE(vme_search(db, q, &it, &err) == VME_OK, "%s", vme_error_message(err));
  uint64_t n = 0;
  while (vme_series_iter_next(it, &err) == VME_OK) n++;
  vme_series_iter_close(it);
  vme_query_destroy(q);
  return n;
}

// [good, oversized, good]: both good rows are stored and searchable, the oversized one is one
// invalid-labels rejection (the old code failed the call after storing nothing it reported).
void TestOversizedKeyIsOneRejectedRow() {
  TempDir dir;
  Db db(dir.path());
  Batch b;
  b.Add(Label("__name__", "good_a"), kT0, 1);
  b.Add(OversizedKey(), kT0, 2);
  b.Add(Label("__name__", "good_b"), kT0, 3);
  vme_add_result r{};
  vme_error* err = nullptr;
  const vme_status st = vme_add_rows(db.db, b.k(), b.keys.size(), b.offsets.data(), b.ts.data(),
                                     b.values.data(), b.ts.size(), &r, &err);
  REQUIRE(st == VME_OK, "vme_add_rows: %s", vme_error_message(err));
  REQUIRE_EQ(r.rows_added, 2u);
  REQUIRE_EQ(r.rejected_invalid_labels, 1u);
  REQUIRE_EQ(vme_flush(db.db, &err), VME_OK);
  REQUIRE_EQ(CountSeries(db.db, "good_a"), 1u);
  REQUIRE_EQ(CountSeries(db.db, "good_b"), 1u);
  REQUIRE_EQ(CountSeries(db.db, "too_big"), 0u);
}

// A key just under the total-size limit is stored; the limit is about the items, not the
// label count or the single values.
void TestLargeKeyWithinItemLimitIsStored() {
  TempDir dir;
  Db db(dir.path());
  std::string key = Label("__name__", "big_but_fits");
  for (int i = 0; i < 3; i++) key += Label("l" + std::to_string(i), std::string(16000, 'x'));
  Batch b;
  b.Add(key, kT0, 1);
  vme_add_result r{};
  vme_error* err = nullptr;
  REQUIRE_EQ(vme_add_rows(db.db, b.k(), b.keys.size(), b.offsets.data(), b.ts.data(),
                          b.values.data(), 1, &r, &err),
             VME_OK);
  REQUIRE_EQ(r.rows_added, 1u);
  REQUIRE_EQ(vme_flush(db.db, &err), VME_OK);
  REQUIRE_EQ(CountSeries(db.db, "big_but_fits"), 1u);
}

void TestRowStatusReport() {
  TempDir dir;
  Db db(dir.path(), 30 * 86400000LL);
  const int64_t now = static_cast<int64_t>(std::time(nullptr)) * 1000;
  Batch b;
  b.Add(Label("__name__", "ok"), now, 1);                     // 0 stored
  b.Add(Label("__name__", "ok"), now, std::nan(""));          // 1 NaN
  b.Add(OversizedKey(), now, 2);                              // 2 invalid labels
  b.Add(Label("no_name", "x"), now, 2);                       // 3 invalid labels
  b.Add(Label("__name__", "ok"), now - 365 * 86400000LL, 3);  // 4 out of retention
  b.Add(Label("__name__", "ok"), now + 10 * 86400000LL, 4);   // 5 too far future
  b.Add(Label("__name__", "ok"), -1, 5);                      // 6 invalid ts
  b.Add(Label("__name__", "ok2"), now + 1, 6);                // 7 stored
  std::vector<uint8_t> status(b.ts.size(), 77);
  vme_add_result r{};
  vme_error* err = nullptr;
  const vme_status st =
      vme_add_rows_report(db.db, b.k(), b.keys.size(), b.offsets.data(), b.ts.data(),
                          b.values.data(), b.ts.size(), status.data(), &r, &err);
  REQUIRE(st == VME_OK, "vme_add_rows_report: %s", vme_error_message(err));
  const uint8_t want[] = {VME_ROW_STORED,
                          VME_ROW_NAN,
                          VME_ROW_INVALID_LABELS,
                          VME_ROW_INVALID_LABELS,
                          VME_ROW_OUT_OF_RETENTION,
                          VME_ROW_TOO_FAR_FUTURE,
                          VME_ROW_INVALID_TIMESTAMP,
                          VME_ROW_STORED};
  for (size_t i = 0; i < status.size(); i++) {
    REQUIRE(status[i] == want[i], "row %zu: status %d, want %d", i, status[i], want[i]);
  }
  REQUIRE_EQ(r.rows_added, 2u);
  REQUIRE_EQ(r.rejected_nan, 1u);
  REQUIRE_EQ(r.rejected_invalid_labels, 2u);
  REQUIRE_EQ(r.rejected_out_of_retention, 1u);
  REQUIRE_EQ(r.rejected_too_far_future, 1u);
  REQUIRE_EQ(r.rejected_invalid_timestamp, 1u);
  // row_status is optional.
  REQUIRE_EQ(vme_add_rows_report(db.db, b.k(), b.keys.size(), b.offsets.data(), b.ts.data(),
                                 b.values.data(), b.ts.size(), nullptr, &r, &err),
             VME_OK);
  REQUIRE_EQ(r.rows_added, 2u);
  // A call that fails before looking at the rows marks every row failed.
  REQUIRE_EQ(vme_add_rows_report(db.db, b.k(), b.keys.size(), nullptr, b.ts.data(), b.values.data(),
                                 b.ts.size(), status.data(), &r, &err),
             VME_ERR_INVALID_ARGUMENT);
  vme_error_free(err);
  err = nullptr;
  for (uint8_t s : status) REQUIRE_EQ(s, VME_ROW_FAILED);
  REQUIRE_EQ(r.rows_added, 0u);
}

// retention_ms = INT64_MAX means "forever" (as bindings pass it): ingest and search keep
// rows of any age.
void TestRetentionForever() {
  TempDir dir;
  Db db(dir.path(), INT64_MAX);
  Batch b;
  b.Add(Label("__name__", "forever"), 86400000, 1);  // 1970-01-02
  b.Add(Label("__name__", "forever"), kT0, 2);
  vme_add_result r{};
  vme_error* err = nullptr;
  REQUIRE_EQ(vme_add_rows(db.db, b.k(), b.keys.size(), b.offsets.data(), b.ts.data(),
                          b.values.data(), b.ts.size(), &r, &err),
             VME_OK);
  REQUIRE_EQ(r.rows_added, 2u);
  REQUIRE_EQ(r.rejected_out_of_retention, 0u);
  REQUIRE_EQ(vme_flush(db.db, &err), VME_OK);
  vme_query* q = vme_query_create(0, INT64_MAX);
  REQUIRE_EQ(vme_query_add_selector(q, "forever", &err), VME_OK);
  vme_series_iter* it = nullptr;
  REQUIRE_EQ(vme_search(db.db, q, &it, &err), VME_OK);
  REQUIRE_EQ(vme_series_iter_next(it, &err), VME_OK);
  const int64_t* ts = nullptr;
  const double* vs = nullptr;
  REQUIRE_EQ(vme_series_iter_samples(it, &ts, &vs), 2u);
  REQUIRE_EQ(ts[0], 86400000);
  vme_series_iter_close(it);
  vme_query_destroy(q);
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestOversizedKeyIsOneRejectedRow), VME_TEST(TestLargeKeyWithinItemLimitIsStored),
       VME_TEST(TestRowStatusReport), VME_TEST(TestRetentionForever)},
      argc, argv);
}
