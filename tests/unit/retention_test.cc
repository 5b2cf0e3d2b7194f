// Retention (reference §3.2, §6.9) and indexdb rotation (§8.6), driven by the test clock
// vme::storage::SetNowMsForTesting:
//  * ingest rejects rows older than now - retention (the boundary itself is kept) and later
//    than now + 2 days, and counts them exactly;
//  * after the clock moves 60 days forward, the retention watcher drops whole partitions past
//    retention (their directories disappear) and searches no longer return their rows;
//  * when the clock passes the rotation deadline (retention rounded up to days R, deadline =
//    ceil(now / R) * R + 4 h), a new indexdb generation is created and the oldest dropped (two
//    remain), and existing series stay searchable with the same values and the same identity.
#include <chrono>
#include <cinttypes>
#include <string>
#include <thread>
#include <vector>

#include "capi_test_util.h"
#include "storage/time.h"
#include "test_util.h"

namespace {

using namespace vme::test;  // NOLINT

constexpr int64_t kRetentionMs = 30 * kDayMs;
constexpr int64_t kNowA = 1773532800000;              // 2026-03-15T00:00:00Z
constexpr int64_t kNowB = kNowA + 60 * kDayMs;        // 2026-05-14T00:00:00Z
constexpr int64_t kRotationDeadline = 1775534400000;  // 2026-04-07T04:00:00Z for kNowA

// Sets the test clock; resets it to the wall clock when it goes out of scope. Declare it before
// the DbPtr so the db is closed first.
class ClockGuard {
 public:
  explicit ClockGuard(int64_t now_ms) { vme::storage::SetNowMsForTesting(now_ms); }
  ~ClockGuard() { vme::storage::SetNowMsForTesting(0); }
  void Set(int64_t now_ms) { vme::storage::SetNowMsForTesting(now_ms); }
};

const OptionList kOptions = {{"retention", "30d"},
                             {"raw_rows_flush_interval_ms", "20"},
                             {"inmemory_parts_flush_interval_ms", "100"}};

struct Sample {
  const char* id;
  int64_t ts;
  double value;
  bool accepted;
};

Labels RetLabels(const char* id) { return {{"__name__", "ret"}, {"id", id}}; }

std::string AddSamples(vme_db* db, const std::vector<Sample>& samples, vme_add_result* res) {
  RowBatch b;
  for (const Sample& s : samples) b.Add(PackKey(RetLabels(s.id)), s.ts, s.value);
  return AddBatch(db, b, res);
}

std::vector<Row> AcceptedRows(const std::vector<Sample>& samples, int64_t min_ts) {
  std::vector<Row> out;
  for (const Sample& s : samples) {
    if (s.accepted && s.ts >= min_ts) {
      out.push_back(Row{SeriesName(RetLabels(s.id)), s.ts, DoubleBits(s.value)});
    }
  }
  return out;
}

bool PartitionDirsGone(const std::string& dir, const std::string& partition) {
  return !fs::exists(dir + "/data/small/" + partition) &&
         !fs::exists(dir + "/data/big/" + partition);
}

std::string Retention() {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  ClockGuard clock(kNowA);
  DbPtr db;
  RETURN_IF_FAILED(OpenDb(dir, kOptions, &db));

  // now - retention = 2026-02-13T00:00:00Z = 1770940800000; now + 2 days = 1773705600000.
  const std::vector<Sample> a = {
      {"a", 1768003200000, 1, false},            // 2026-01-10
      {"a", 1770940799999, 2, false},            // 1 ms before the boundary
      {"a", 1770940800000, 3, true},             // the boundary itself
      {"a", 1771545600000, 4, true},             // 2026-02-20
      {"a", 1772323200000, 5, true},             // 2026-03-01
      {"a", 1773446400000, 6, true},             // 2026-03-14
      {"b", 1769817600000, 9, false},            // 2026-01-31
      {"b", 1771977600000, 7, true},             // 2026-02-25
      {"b", 1773100800000, 8, true},             // 2026-03-10
      {"b", kNowA + 2 * kDayMs, 10, true},       // exactly now + 2 days
      {"b", kNowA + 2 * kDayMs + 1, 11, false},  // too far in the future
  };
  vme_add_result res;
  RETURN_IF_FAILED(AddSamples(db.get(), a, &res));
  REQUIRE(
      res.rows_added == 7 && res.rejected_out_of_retention == 3 && res.rejected_too_far_future == 1,
      "stage A: added %" PRIu64 " (want 7), out of retention %" PRIu64
      " (want 3), too far future %" PRIu64 " (want 1)",
      res.rows_added, res.rejected_out_of_retention, res.rejected_too_far_future);
  REQUIRE_VME(vme_flush(db.get(), &err));
  std::vector<Row> got;
  RETURN_IF_FAILED(ExportAll(db.get(), &got));
  RETURN_IF_FAILED(CompareRows(got, AcceptedRows(a, 0), "stage A export"));
  StatsMap stats;
  RETURN_IF_FAILED(ReadStats(db.get(), &stats));
  REQUIRE(stats["rows_rejected_out_of_retention"] == 3,
          "stage A: rows_rejected_out_of_retention = %g, want 3",
          stats["rows_rejected_out_of_retention"]);
  REQUIRE(stats["rows_rejected_too_far_future"] == 1,
          "stage A: rows_rejected_too_far_future = %g, want 1",
          stats["rows_rejected_too_far_future"]);
  REQUIRE(StatsPartitions(stats) == (std::set<std::string>{"2026_02", "2026_03"}),
          "stage A: %zu partitions, want 2026_02 and 2026_03", StatsPartitions(stats).size());

  // 60 days later: now - retention = 2026-04-14T00:00:00Z = 1776124800000.
  clock.Set(kNowB);
  const std::vector<Sample> b = {
      {"a", 1775001600000, 11, false},  // 2026-04-01
      {"a", 1776643200000, 12, true},   // 2026-04-20
      {"a", 1778371200000, 13, true},   // 2026-05-10
      {"c", 1778630400000, 14, true},   // 2026-05-13
  };
  RETURN_IF_FAILED(AddSamples(db.get(), b, &res));
  REQUIRE(res.rows_added == 3 && res.rejected_out_of_retention == 1,
          "stage B: added %" PRIu64 " (want 3), out of retention %" PRIu64 " (want 1)",
          res.rows_added, res.rejected_out_of_retention);
  REQUIRE_VME(vme_flush(db.get(), &err));

  // The retention watcher drops 2026_02 and 2026_03 (both end before 2026-04-14).
  const std::set<std::string> want_partitions = {"2026_04", "2026_05"};
  bool dropped = false;
  for (int i = 0; i < 200 && !dropped; i++) {
    RETURN_IF_FAILED(ReadStats(db.get(), &stats));
    dropped = StatsPartitions(stats) == want_partitions && stats["partitions"] == 2 &&
              PartitionDirsGone(dir, "2026_02") && PartitionDirsGone(dir, "2026_03");
    if (!dropped) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(dropped,
          "within 10 s the retention watcher did not drop 2026_02 and 2026_03: %g partitions, "
          "2026_02 dirs %s, 2026_03 dirs %s",
          stats["partitions"], PartitionDirsGone(dir, "2026_02") ? "gone" : "present",
          PartitionDirsGone(dir, "2026_03") ? "gone" : "present");
  REQUIRE(stats["rows_rejected_out_of_retention"] == 4,
          "stage B: rows_rejected_out_of_retention = %g, want 4",
          stats["rows_rejected_out_of_retention"]);
  const std::vector<Row> want = AcceptedRows(b, 0);
  got.clear();
  RETURN_IF_FAILED(ExportAll(db.get(), &got));
  RETURN_IF_FAILED(CompareRows(got, want, "stage B export"));
  REQUIRE(stats["rows"] == 3, "stage B: stats rows = %g, want 3", stats["rows"]);
  RETURN_IF_FAILED(CloseDb(&db));

  RETURN_IF_FAILED(OpenDb(dir, kOptions, &db));
  got.clear();
  RETURN_IF_FAILED(ExportAll(db.get(), &got));
  RETURN_IF_FAILED(CompareRows(got, want, "stage B export after reopen"));
  RETURN_IF_FAILED(ReadStats(db.get(), &stats));
  REQUIRE(StatsPartitions(stats) == want_partitions, "after reopen: %zu partitions, want 2",
          StatsPartitions(stats).size());
  REQUIRE_VME(vme_force_merge(db.get(), nullptr, &err));
  got.clear();
  RETURN_IF_FAILED(ExportAll(db.get(), &got));
  RETURN_IF_FAILED(CompareRows(got, want, "stage B export after force merge"));
  double bg = 0;
  RETURN_IF_FAILED(StatValue(db.get(), "background_errors", &bg));
  REQUIRE(bg == 0, "background_errors = %g", bg);
  RETURN_IF_FAILED(CloseDb(&db));
  return "";
}

// The ingestion check moves with the clock even without a restart.
std::string RejectionFollowsClock() {
  TempDir tmp;
  ClockGuard clock(kNowA);
  DbPtr db;
  RETURN_IF_FAILED(OpenDb(tmp.path() + "/db", kOptions, &db));
  const std::vector<Sample> s = {{"x", 1771545600000, 1, true}};  // 2026-02-20
  vme_add_result res;
  RETURN_IF_FAILED(AddSamples(db.get(), s, &res));
  REQUIRE(res.rows_added == 1 && res.rejected_out_of_retention == 0,
          "at 2026-03-15: added %" PRIu64, res.rows_added);
  clock.Set(kNowA + 10 * kDayMs);  // now - retention = 2026-02-23
  RETURN_IF_FAILED(AddSamples(db.get(), s, &res));
  REQUIRE(res.rows_added == 0 && res.rejected_out_of_retention == 1,
          "at 2026-03-25: added %" PRIu64 ", out of retention %" PRIu64 " (want 0 and 1)",
          res.rows_added, res.rejected_out_of_retention);
  double n = 0;
  RETURN_IF_FAILED(StatValue(db.get(), "rows_rejected_out_of_retention", &n));
  REQUIRE(n == 1, "rows_rejected_out_of_retention = %g, want 1", n);
  RETURN_IF_FAILED(CloseDb(&db));
  return "";
}

Labels RotLabels(int i) { return {{"__name__", "rot"}, {"id", std::to_string(i)}}; }

std::string Rotation() {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  ClockGuard clock(kNowA);
  DbPtr db;
  RETURN_IF_FAILED(OpenDb(dir, kOptions, &db));
  constexpr int kN = 5;
  const int64_t t1 = 1773489600000;  // 2026-03-14T12:00:00Z
  RowBatch batch;
  std::vector<Row> want;
  for (int i = 0; i < kN; i++) {
    for (int j = 0; j < 3; j++) {
      const int64_t ts = t1 + j * 60000;
      const double v = i * 10 + j + 0.25;
      batch.Add(PackKey(RotLabels(i)), ts, v);
      want.push_back(Row{SeriesName(RotLabels(i)), ts, DoubleBits(v)});
    }
  }
  RETURN_IF_FAILED(AddBatchAllAccepted(db.get(), batch));
  REQUIRE_VME(vme_flush(db.get(), &err));
  const auto gens0 = IndexdbGenerations(dir);
  REQUIRE(gens0.size() == 2, "%zu indexdb generations after open, want 2", gens0.size());

  // One minute past the deadline: now - retention = 2026-03-08T04:01, so the data stays.
  clock.Set(kRotationDeadline + 60000);
  std::vector<std::string> gens1;
  bool rotated = false;
  for (int i = 0; i < 200 && !rotated; i++) {
    gens1 = IndexdbGenerations(dir);
    rotated = gens1.size() == 2 && gens1 != gens0;
    if (!rotated) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(rotated, "no indexdb rotation within 10 s of passing the deadline: %zu generations",
          gens1.size());
  REQUIRE(gens1[0] == gens0[1] && gens1[1] > gens0[1],
          "after rotation: generations %s %s, want %s (the former curr) and a newer one",
          gens1[0].c_str(), gens1[1].c_str(), gens0[1].c_str());

  std::vector<Row> got;
  std::vector<std::string> names;
  RETURN_IF_FAILED(ExportSelector(db.get(), "rot", 0, INT64_MAX, &got, &names));
  RETURN_IF_FAILED(CompareRows(got, want, "export after rotation"));
  REQUIRE(names.size() == kN, "%zu series after rotation, want %d", names.size(), kN);
  uint64_t count = 0;
  RETURN_IF_FAILED(SeriesCount(db.get(), "rot", &count));
  REQUIRE(count == kN, "vme_series_count = %" PRIu64 " after rotation, want %d", count, kN);

  // New samples of the same series join them (same identity: one series per name).
  const int64_t t2 = 1775520000000;  // 2026-04-07T00:00:00Z
  batch.Clear();
  for (int i = 0; i < kN; i++) {
    const double v = 1000 + i;
    batch.Add(PackKey(RotLabels(i)), t2, v);
    want.push_back(Row{SeriesName(RotLabels(i)), t2, DoubleBits(v)});
  }
  RETURN_IF_FAILED(AddBatchAllAccepted(db.get(), batch));
  REQUIRE_VME(vme_flush(db.get(), &err));
  got.clear();
  names.clear();
  RETURN_IF_FAILED(ExportSelector(db.get(), "rot", 0, INT64_MAX, &got, &names));
  RETURN_IF_FAILED(CompareRows(got, want, "export after rotation and new samples"));
  REQUIRE(names.size() == kN, "%zu series after new samples, want %d (one per name)", names.size(),
          kN);
  RETURN_IF_FAILED(SeriesCount(db.get(), "rot", &count));
  REQUIRE(count == kN, "vme_series_count = %" PRIu64 " after new samples, want %d", count, kN);
  RETURN_IF_FAILED(CloseDb(&db));

  REQUIRE(IndexdbGenerations(dir) == gens1, "indexdb generations changed by close");
  RETURN_IF_FAILED(OpenDb(dir, kOptions, &db));
  REQUIRE(IndexdbGenerations(dir) == gens1, "indexdb generations changed by reopen");
  got.clear();
  names.clear();
  RETURN_IF_FAILED(ExportSelector(db.get(), "rot", 0, INT64_MAX, &got, &names));
  RETURN_IF_FAILED(CompareRows(got, want, "export after rotation and reopen"));
  REQUIRE(names.size() == kN, "%zu series after reopen, want %d", names.size(), kN);
  std::vector<std::string> ids;
  RETURN_IF_FAILED(LabelValues(db.get(), "id", &ids));
  REQUIRE(ids == (std::vector<std::string>{"0", "1", "2", "3", "4"}),
          "label values of id after reopen: %zu", ids.size());
  RETURN_IF_FAILED(CloseDb(&db));
  return "";
}

void TestRetention() { RUN(Retention()); }
void TestRejectionFollowsClock() { RUN(RejectionFollowsClock()); }
void TestRotation() { RUN(Rotation()); }

}  // namespace

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestRejectionFollowsClock),
      VME_TEST(TestRetention),
      VME_TEST(TestRotation),
  };
  const int rc = vme::test::RunTests(tests, argc, argv);
  vme_library_shutdown();
  return rc;
}
