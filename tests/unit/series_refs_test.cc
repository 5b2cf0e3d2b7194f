// Series references through the C API (vme_series_refs_resolve, vme_series_refs_release,
// vme_add_rows_ref; storage/series_refs.h):
//  * rows added by reference read back exactly like rows added by key, and a key resolved twice
//    gives the same reference; the per-row checks, counters and row statuses are those of
//    vme_add_rows (NaN, future timestamp, a key without a metric name);
//  * a reference of another db handle, a released one, zero or garbage fails the call with
//    VME_ERR_INVALID_ARGUMENT naming the row index, and nothing of the call is stored;
//  * after vme_delete_series the same reference creates a new series (a new MetricID), as
//    vme_add_rows does;
//  * after indexdb rotations the reference is resolved again: the series keeps being written
//    to the current generation, so it stays searchable after the generation it was created in
//    is dropped;
//  * rows of a new day get their per-day index entries (a day-restricted count finds them);
//  * several threads adding rows with the same references create each series exactly once.
#include <atomic>
#include <cinttypes>
#include <string>
#include <thread>
#include <vector>

#include "capi_test_util.h"
#include "check.h"
#include "storage/time.h"
#include "test_util.h"

namespace {

using namespace vme::test;  // NOLINT

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

// Resolves the keys to references.
std::vector<uint64_t> Resolve(vme_db* db, const std::vector<std::string>& keys) {
  std::string buf;
  std::vector<uint32_t> offs{0};
  for (const auto& k : keys) {
    buf += k;
    offs.push_back(static_cast<uint32_t>(buf.size()));
  }
  std::vector<uint64_t> refs(keys.size(), 0);
  REQUIRE_VME(vme_series_refs_resolve(db, reinterpret_cast<const uint8_t*>(buf.data()), buf.size(),
                                      offs.data(), keys.size(), refs.data(), &err));
  return refs;
}

struct RefRows {
  std::vector<uint64_t> refs;
  std::vector<int64_t> ts;
  std::vector<double> values;
  void Add(uint64_t r, int64_t t, double v) {
    refs.push_back(r);
    ts.push_back(t);
    values.push_back(v);
  }
};

vme_add_result AddRefs(vme_db* db, const RefRows& rows, std::vector<uint8_t>* status = nullptr) {
  vme_add_result res{};
  if (status != nullptr) status->assign(rows.refs.size(), 0);
  REQUIRE_VME(vme_add_rows_ref(db, rows.refs.data(), rows.ts.data(), rows.values.data(),
                               rows.refs.size(), status ? status->data() : nullptr, &res, &err));
  return res;
}

double StatOf(vme_db* db, const char* name) {
  double v = 0;
  RUN(StatValue(db, name, &v));
  return v;
}

// A failed vme_add_rows_ref: the code, a message containing `want`, nothing stored.
void RequireBadRefs(vme_db* db, const RefRows& rows, const char* want) {
  vme_add_result res{};
  std::vector<uint8_t> status(rows.refs.size(), 0);
  vme_error* err = nullptr;
  const vme_status st = vme_add_rows_ref(db, rows.refs.data(), rows.ts.data(), rows.values.data(),
                                         rows.refs.size(), status.data(), &res, &err);
  const std::string msg = vme_error_message(err);
  vme_error_free(err);
  REQUIRE(st == VME_ERR_INVALID_ARGUMENT, "status %s, want invalid argument (%s)",
          vme_status_string(st), msg.c_str());
  REQUIRE(msg.find(want) != std::string::npos, "message \"%s\" does not name \"%s\"", msg.c_str(),
          want);
  REQUIRE(res.rows_added == 0, "%" PRIu64 " rows added by a failed call", res.rows_added);
  for (uint8_t s : status) REQUIRE(s == VME_ROW_FAILED, "row status %d, want FAILED", s);
}

Labels L(const char* name, const char* id) { return {{"__name__", name}, {"id", id}}; }

void TestIngestAndChecks() {
  TempDir tmp;
  DbPtr db;
  RUN(OpenDb(tmp.path() + "/db", {{"background", "0"}}, &db));
  const std::string bad_key = PackKey({{"id", "no-name"}});
  auto refs = Resolve(db.get(),
                      {PackKey(L("m", "a")), PackKey(L("m", "b")), PackKey(L("m", "a")), bad_key});
  REQUIRE(refs[0] != 0 && refs[1] != 0 && refs[0] != refs[1], "refs %" PRIx64 " %" PRIx64, refs[0],
          refs[1]);
  REQUIRE(refs[2] == refs[0], "the same key resolved to two refs");
  REQUIRE_EQ(StatOf(db.get(), "series_refs"), 3.0);

  const int64_t now = vme::storage::NowMs();
  RefRows rows;
  std::vector<Row> want;
  for (int i = 0; i < 3; i++) {
    rows.Add(refs[0], kT0 + i * 1000, 1.5 + i);
    want.push_back(Row{"m{id=\"a\"}", kT0 + i * 1000, DoubleBits(1.5 + i)});
    rows.Add(refs[1], kT0 + i * 1000, -2.0 * i - 0.5);
    want.push_back(Row{"m{id=\"b\"}", kT0 + i * 1000, DoubleBits(-2.0 * i - 0.5)});
  }
  rows.Add(refs[0], kT0 + 5000, std::nan(""));  // rejected: NaN
  rows.Add(refs[1], now + 3 * kDayMs, 1);       // rejected: too far in the future
  rows.Add(refs[3], kT0, 1);                    // rejected: no metric name
  rows.Add(refs[3], kT0 + 1000, 2);             // (the bad key stays bad)
  std::vector<uint8_t> status;
  const vme_add_result res = AddRefs(db.get(), rows, &status);
  REQUIRE(res.rows_added == 6 && res.rejected_nan == 1 && res.rejected_too_far_future == 1 &&
              res.rejected_invalid_labels == 2,
          "added %" PRIu64 " nan %" PRIu64 " future %" PRIu64 " labels %" PRIu64, res.rows_added,
          res.rejected_nan, res.rejected_too_far_future, res.rejected_invalid_labels);
  for (size_t i = 0; i < 6; i++) REQUIRE(status[i] == VME_ROW_STORED, "row %zu: %d", i, status[i]);
  REQUIRE(status[6] == VME_ROW_NAN && status[7] == VME_ROW_TOO_FAR_FUTURE &&
              status[8] == VME_ROW_INVALID_LABELS && status[9] == VME_ROW_INVALID_LABELS,
          "statuses %d %d %d %d", status[6], status[7], status[8], status[9]);
  REQUIRE_VME(vme_flush(db.get(), &err));
  std::vector<Row> got;
  RUN(ExportAll(db.get(), &got));
  RUN(CompareRows(got, want, "rows added by reference"));
  REQUIRE_EQ(StatOf(db.get(), "rows_rejected_invalid_labels"), 2.0);

  // Release: refs[0] was resolved twice, so it stays live after one release.
  REQUIRE_VME(vme_series_refs_release(db.get(), refs.data(), 2, &err));  // refs[0], refs[1]
  REQUIRE_EQ(StatOf(db.get(), "series_refs"), 2.0);
  RefRows again;
  again.Add(refs[0], kT0 + 9000, 9);
  REQUIRE(AddRefs(db.get(), again).rows_added == 1, "a ref resolved twice, released once");
  RefRows released;
  released.Add(refs[0], kT0 + 9000, 9);
  released.Add(refs[1], kT0 + 9000, 9);
  RequireBadRefs(db.get(), released, "refs[1]");
  uint64_t twice[2] = {refs[0], refs[0]};  // one use left: releasing two is refused
  vme_error* err = nullptr;
  REQUIRE(vme_series_refs_release(db.get(), twice, 2, &err) == VME_ERR_INVALID_ARGUMENT,
          "released more often than resolved");
  vme_error_free(err);
  REQUIRE_EQ(StatOf(db.get(), "series_refs"), 2.0);
  RUN(CloseDb(&db));
}

void TestBadRefs() {
  TempDir tmp;
  DbPtr db, other;
  RUN(OpenDb(tmp.path() + "/db", {{"background", "0"}}, &db));
  RUN(OpenDb(tmp.path() + "/other", {{"background", "0"}}, &other));
  const uint64_t good = Resolve(db.get(), {PackKey(L("m", "a"))})[0];
  const uint64_t foreign = Resolve(other.get(), {PackKey(L("m", "a"))})[0];
  const std::vector<uint64_t> bads = {foreign, 0, 0x1234, good + 1, good ^ (uint64_t{1} << 40)};
  for (uint64_t bad : bads) {
    RefRows rows;
    rows.Add(good, kT0, 1);
    rows.Add(good, kT0 + 1, 1);
    rows.Add(bad, kT0 + 2, 1);
    RequireBadRefs(db.get(), rows, "refs[2]");
  }
  // NULL arrays with n > 0 are invalid arguments; n = 0 is a no-op.
  const int64_t ts = kT0;
  const double v = 1;
  uint64_t out = 0;
  const uint32_t offs[2] = {0, 0};
  for (vme_status st :
       {vme_add_rows_ref(db.get(), nullptr, &ts, &v, 1, nullptr, nullptr, nullptr),
        vme_add_rows_ref(db.get(), &good, nullptr, &v, 1, nullptr, nullptr, nullptr),
        vme_series_refs_resolve(db.get(), nullptr, 0, offs, 1, nullptr, nullptr),
        vme_series_refs_release(db.get(), nullptr, 1, nullptr),
        vme_add_rows_ref(nullptr, &good, &ts, &v, 1, nullptr, nullptr, nullptr)}) {
    REQUIRE(st == VME_ERR_INVALID_ARGUMENT, "status %s, want invalid argument",
            vme_status_string(st));
  }
  REQUIRE(
      vme_add_rows_ref(db.get(), nullptr, nullptr, nullptr, 0, nullptr, nullptr, nullptr) == VME_OK,
      "n = 0");
  REQUIRE(vme_series_refs_resolve(db.get(), nullptr, 0, nullptr, 0, &out, nullptr) == VME_OK,
          "resolve n = 0");
  uint64_t n = 1;
  RUN(SeriesCount(db.get(), nullptr, &n));
  REQUIRE(n == 0, "%" PRIu64 " series after failed calls", n);
  RUN(CloseDb(&other));
  RUN(CloseDb(&db));
}

void TestDeleteThenRef() {
  TempDir tmp;
  DbPtr db;
  RUN(OpenDb(tmp.path() + "/db", {{"background", "0"}}, &db));
  const uint64_t ref = Resolve(db.get(), {PackKey(L("del", "x"))})[0];
  RefRows rows;
  rows.Add(ref, kT0, 1);
  REQUIRE(AddRefs(db.get(), rows).rows_added == 1, "first add");
  REQUIRE_VME(vme_flush(db.get(), &err));
  QueryPtr q = MakeQuery(0, INT64_MAX);
  REQUIRE_VME(vme_query_add_selector(q.get(), "del", &err));
  uint64_t deleted = 0;
  REQUIRE_VME(vme_delete_series(db.get(), q.get(), &deleted, &err));
  REQUIRE(deleted == 1, "deleted %" PRIu64, deleted);
  RefRows later;
  later.Add(ref, kT0 + 60000, 2);
  REQUIRE(AddRefs(db.get(), later).rows_added == 1, "add after delete");
  REQUIRE_VME(vme_flush(db.get(), &err));
  std::vector<Row> got;
  RUN(ExportAll(db.get(), &got));
  RUN(CompareRows(got, {Row{"del{id=\"x\"}", kT0 + 60000, DoubleBits(2)}}, "after delete"));
  REQUIRE_EQ(StatOf(db.get(), "new_series_created"), 2.0);
  RUN(CloseDb(&db));
}

// The rotation clock of retention_test.cc: retention 30 d, deadline 2026-04-07T04:00Z for
// 2026-03-15, the next one 30 days later.
constexpr int64_t kNowA = 1773532800000;              // 2026-03-15T00:00:00Z
constexpr int64_t kRotationDeadline = 1775534400000;  // 2026-04-07T04:00:00Z

class ClockGuard {
 public:
  explicit ClockGuard(int64_t now_ms) { vme::storage::SetNowMsForTesting(now_ms); }
  ~ClockGuard() { vme::storage::SetNowMsForTesting(0); }
  void Set(int64_t now_ms) { vme::storage::SetNowMsForTesting(now_ms); }
};

void TestRotationThenRef() {
  TempDir tmp;
  ClockGuard clock(kNowA);
  DbPtr db;
  RUN(OpenDb(tmp.path() + "/db", {{"retention", "30d"}, {"background", "0"}}, &db));
  const uint64_t ref = Resolve(db.get(), {PackKey(L("rot", "1"))})[0];
  std::vector<Row> want;
  auto add = [&](int64_t ts, double v) {
    RefRows rows;
    rows.Add(ref, ts, v);
    REQUIRE(AddRefs(db.get(), rows).rows_added == 1, "add at %" PRId64, ts);
    want.push_back(Row{"rot{id=\"1\"}", ts, DoubleBits(v)});
    REQUIRE_VME(vme_background_run_once(db.get(), &err));
  };
  add(kNowA - 3600000, 1);
  clock.Set(kRotationDeadline + 60000);  // first rotation: the series' generation becomes prev
  REQUIRE_VME(vme_background_run_once(db.get(), &err));
  REQUIRE_EQ(StatOf(db.get(), "indexdb_rotations"), 1.0);
  add(kRotationDeadline + 2 * kDayMs - kDayMs / 2, 2);  // resolved again: written to the new curr
  clock.Set(kRotationDeadline + 30 * kDayMs + 60000);   // second rotation drops the first one
  REQUIRE_VME(vme_background_run_once(db.get(), &err));
  REQUIRE_EQ(StatOf(db.get(), "indexdb_rotations"), 2.0);
  add(kRotationDeadline + 30 * kDayMs, 3);
  std::vector<Row> got;
  RUN(ExportSelector(db.get(), "rot", 0, INT64_MAX, &got));
  // The first sample is past retention by now; the later two must be found.
  want.erase(want.begin());
  RUN(CompareRows(got, want, "after two rotations"));
  REQUIRE_EQ(StatOf(db.get(), "new_series_created"), 1.0);
  RUN(CloseDb(&db));
}

void TestNewDayEntries() {
  TempDir tmp;
  DbPtr db;
  RUN(OpenDb(tmp.path() + "/db", {{"background", "0"}}, &db));
  const uint64_t ref = Resolve(db.get(), {PackKey(L("day", "1"))})[0];
  RefRows d1, d2;
  d1.Add(ref, kT0 + 3600000, 1);
  d2.Add(ref, kT0 + 5 * kDayMs + 3600000, 2);
  REQUIRE(AddRefs(db.get(), d1).rows_added == 1, "day 1");
  REQUIRE(AddRefs(db.get(), d2).rows_added == 1, "day 6");
  REQUIRE_VME(vme_flush(db.get(), &err));
  for (int day : {0, 5}) {
    QueryPtr q = MakeQuery(kT0 + day * kDayMs, kT0 + day * kDayMs + kDayMs - 1);
    REQUIRE_VME(vme_query_add_selector(q.get(), "day", &err));
    uint64_t n = 0;
    REQUIRE_VME(vme_series_count(db.get(), q.get(), &n, &err));
    REQUIRE(n == 1, "day %d: %" PRIu64 " series, want 1 (per-day index entries)", day, n);
  }
  QueryPtr q = MakeQuery(kT0 + 2 * kDayMs, kT0 + 3 * kDayMs);
  REQUIRE_VME(vme_query_add_selector(q.get(), "day", &err));
  uint64_t n = 1;
  REQUIRE_VME(vme_series_count(db.get(), q.get(), &n, &err));
  REQUIRE(n == 0, "a day without samples counts %" PRIu64 " series", n);
  RUN(CloseDb(&db));
}

void TestConcurrentWriters() {
  TempDir tmp;
  DbPtr db;
  RUN(OpenDb(tmp.path() + "/db", {}, &db));
  constexpr int kSeries = 500, kThreads = 4, kRounds = 20;
  std::vector<std::string> keys;
  for (int k = 0; k < kSeries; k++) keys.push_back(PackKey(L("conc", std::to_string(k).c_str())));
  const std::vector<uint64_t> refs = Resolve(db.get(), keys);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      errors[t] = Collect([&] {
        for (int r = 0; r < kRounds; r++) {
          RefRows rows;
          for (int k = 0; k < kSeries; k++) rows.Add(refs[k], kT0 + (r * kThreads + t) * 1000, k);
          REQUIRE(AddRefs(db.get(), rows).rows_added == kSeries, "thread %d round %d", t, r);
        }
        return std::string();
      });
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& e : errors) REQUIRE(e.empty(), "%s", e.c_str());
  REQUIRE_VME(vme_flush(db.get(), &err));
  uint64_t n = 0;
  RUN(SeriesCount(db.get(), nullptr, &n));
  REQUIRE(n == kSeries, "%" PRIu64 " series, want %d", n, kSeries);
  REQUIRE_EQ(StatOf(db.get(), "new_series_created"), static_cast<double>(kSeries));
  REQUIRE_EQ(StatOf(db.get(), "rows"), static_cast<double>(kSeries * kThreads * kRounds));
  RUN(CloseDb(&db));
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestIngestAndChecks), VME_TEST(TestBadRefs), VME_TEST(TestDeleteThenRef),
       VME_TEST(TestRotationThenRef), VME_TEST(TestNewDayEntries), VME_TEST(TestConcurrentWriters)},
      argc, argv);
}
