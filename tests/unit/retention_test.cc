// Retention (VictoriaMetrics' -retentionPeriod, lib/storage/table.go retention watcher) and
// indexdb rotation (lib/storage/storage.go mustRotateIndexDB), driven deterministically: the
// db runs with background work off, the clock is set by the test (the process-wide test clock
// vme::storage::SetNowMsForTesting, or StorageOptions::now_ms), and every background round is
// one vme_background_run_once() call.
//  * ingest rejects rows older than now - retention (the boundary itself is kept) and later
//    than now + 2 days, and counts them exactly; the check moves with the clock;
//  * after the clock moves 60 days forward, one round drops whole partitions past retention
//    (their directories disappear) and searches no longer return their rows;
//  * when the clock passes the rotation deadline (retention rounded up to days R, deadline =
//    the next multiple of R + 4 h), one round creates a new indexdb generation and drops the
//    oldest (two remain), and existing series stay searchable with the same identity; before
//    the deadline no round rotates;
//  * a retention of INT64_MAX ("forever" in the bindings) never rotates nor drops anything,
//    whatever the clock says.
#include <atomic>
#include <cinttypes>
#include <memory>
#include <string>
#include <vector>

#include "capi_test_util.h"
#include "check.h"
#include "storage/storage.h"
#include "storage/time.h"
#include "test_util.h"

namespace {

using namespace vme::test;  // NOLINT

constexpr int64_t kRetentionMs = 30 * kDayMs;
constexpr int64_t kNowA = 1773532800000;              // 2026-03-15T00:00:00Z
constexpr int64_t kNowB = kNowA + 60 * kDayMs;        // 2026-05-14T00:00:00Z
constexpr int64_t kRotationDeadline = 1775534400000;  // 2026-04-07T04:00:00Z for kNowA
constexpr int64_t kYearMs = 365 * kDayMs;

// Sets the test clock; resets it to the wall clock when it goes out of scope. Declare it before
// the DbPtr so the db is closed first.
class ClockGuard {
 public:
  explicit ClockGuard(int64_t now_ms) { vme::storage::SetNowMsForTesting(now_ms); }
  ~ClockGuard() { vme::storage::SetNowMsForTesting(0); }
  void Set(int64_t now_ms) { vme::storage::SetNowMsForTesting(now_ms); }
};

const OptionList kOptions = {{"retention", "30d"}, {"background", "0"}};

struct Sample {
  const char* id;
  int64_t ts;
  double value;
  bool accepted;
};

Labels RetLabels(const char* id) { return {{"__name__", "ret"}, {"id", id}}; }

vme_add_result AddSamples(vme_db* db, const std::vector<Sample>& samples) {
  RowBatch b;
  for (const Sample& s : samples) b.Add(PackKey(RetLabels(s.id)), s.ts, s.value);
  vme_add_result res{};
  RUN(AddBatch(db, b, &res));
  return res;
}

std::vector<Row> AcceptedRows(const std::vector<Sample>& samples) {
  std::vector<Row> out;
  for (const Sample& s : samples) {
    if (s.accepted) out.push_back(Row{SeriesName(RetLabels(s.id)), s.ts, DoubleBits(s.value)});
  }
  return out;
}

bool PartitionDirsGone(const std::string& dir, const std::string& partition) {
  return !fs::exists(dir + "/data/small/" + partition) &&
         !fs::exists(dir + "/data/big/" + partition);
}

StatsMap Stats(vme_db* db) {
  StatsMap m;
  RUN(ReadStats(db, &m));
  return m;
}

double Stat(vme_db* db, const char* name) {
  const StatsMap m = Stats(db);
  const auto it = m.find(name);
  REQUIRE(it != m.end(), "vme_stats_get has no entry \"%s\"", name);
  return it->second;
}

void RequireRows(vme_db* db, const char* selector, const std::vector<Row>& want,
                 const std::string& what, size_t want_series) {
  std::vector<Row> got;
  std::vector<std::string> names;
  RUN(ExportSelector(db, selector, 0, INT64_MAX, &got, &names));
  RUN(CompareRows(got, want, what));
  REQUIRE(names.size() == want_series, "%s: %zu series, want %zu", what.c_str(), names.size(),
          want_series);
  uint64_t count = 0;
  RUN(SeriesCount(db, selector, &count));
  REQUIRE(count == want_series, "%s: vme_series_count = %" PRIu64 ", want %zu", what.c_str(), count,
          want_series);
}

void TestRetention() {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  ClockGuard clock(kNowA);
  DbPtr db;
  RUN(OpenDb(dir, kOptions, &db));

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
  vme_add_result res = AddSamples(db.get(), a);
  REQUIRE(
      res.rows_added == 7 && res.rejected_out_of_retention == 3 && res.rejected_too_far_future == 1,
      "stage A: added %" PRIu64 " (want 7), out of retention %" PRIu64
      " (want 3), too far future %" PRIu64 " (want 1)",
      res.rows_added, res.rejected_out_of_retention, res.rejected_too_far_future);
  REQUIRE_VME(vme_background_run_once(db.get(), &err));
  std::vector<Row> got;
  RUN(ExportAll(db.get(), &got));
  RUN(CompareRows(got, AcceptedRows(a), "stage A export"));
  StatsMap stats = Stats(db.get());
  REQUIRE(stats["rows_rejected_out_of_retention"] == 3,
          "stage A: rows_rejected_out_of_retention = %g, want 3",
          stats["rows_rejected_out_of_retention"]);
  REQUIRE(stats["rows_rejected_too_far_future"] == 1,
          "stage A: rows_rejected_too_far_future = %g, want 1",
          stats["rows_rejected_too_far_future"]);
  REQUIRE(StatsPartitions(stats) == (std::set<std::string>{"2026_02", "2026_03"}),
          "stage A: %zu partitions, want 2026_02 and 2026_03", StatsPartitions(stats).size());
  REQUIRE_EQ(stats["rows"], 7.0);  // the round wrote every row to a part
  REQUIRE_EQ(stats["partitions_dropped"], 0.0);

  // 60 days later: now - retention = 2026-04-14T00:00:00Z = 1776124800000.
  clock.Set(kNowB);
  const std::vector<Sample> b = {
      {"a", 1775001600000, 11, false},  // 2026-04-01
      {"a", 1776643200000, 12, true},   // 2026-04-20
      {"a", 1778371200000, 13, true},   // 2026-05-10
      {"c", 1778630400000, 14, true},   // 2026-05-13
  };
  res = AddSamples(db.get(), b);
  REQUIRE(res.rows_added == 3 && res.rejected_out_of_retention == 1,
          "stage B: added %" PRIu64 " (want 3), out of retention %" PRIu64 " (want 1)",
          res.rows_added, res.rejected_out_of_retention);

  // One round: the retention watcher drops 2026_02 and 2026_03 (both end before 2026-04-14).
  REQUIRE_VME(vme_background_run_once(db.get(), &err));
  const std::set<std::string> want_partitions = {"2026_04", "2026_05"};
  stats = Stats(db.get());
  REQUIRE(StatsPartitions(stats) == want_partitions, "stage B: %zu partitions, want 2",
          StatsPartitions(stats).size());
  REQUIRE_EQ(stats["partitions"], 2.0);
  REQUIRE_EQ(stats["partitions_dropped"], 2.0);
  REQUIRE(PartitionDirsGone(dir, "2026_02"), "2026_02 directories are still there");
  REQUIRE(PartitionDirsGone(dir, "2026_03"), "2026_03 directories are still there");
  REQUIRE_EQ(stats["rows_rejected_out_of_retention"], 4.0);
  const std::vector<Row> want = AcceptedRows(b);
  got.clear();
  RUN(ExportAll(db.get(), &got));
  RUN(CompareRows(got, want, "stage B export"));
  REQUIRE_EQ(stats["rows"], 3.0);
  RUN(CloseDb(&db));

  RUN(OpenDb(dir, kOptions, &db));
  got.clear();
  RUN(ExportAll(db.get(), &got));
  RUN(CompareRows(got, want, "stage B export after reopen"));
  REQUIRE(StatsPartitions(Stats(db.get())) == want_partitions, "after reopen: partitions changed");
  REQUIRE_VME(vme_force_merge(db.get(), nullptr, &err));
  got.clear();
  RUN(ExportAll(db.get(), &got));
  RUN(CompareRows(got, want, "stage B export after force merge"));
  REQUIRE_EQ(Stat(db.get(), "background_errors"), 0.0);
  RUN(CloseDb(&db));
}

// The ingestion check moves with the clock even without a restart.
void TestRejectionFollowsClock() {
  TempDir tmp;
  ClockGuard clock(kNowA);
  DbPtr db;
  RUN(OpenDb(tmp.path() + "/db", kOptions, &db));
  const std::vector<Sample> s = {{"x", 1771545600000, 1, true}};  // 2026-02-20
  vme_add_result res = AddSamples(db.get(), s);
  REQUIRE(res.rows_added == 1 && res.rejected_out_of_retention == 0,
          "at 2026-03-15: added %" PRIu64, res.rows_added);
  clock.Set(kNowA + 10 * kDayMs);  // now - retention = 2026-02-23
  res = AddSamples(db.get(), s);
  REQUIRE(res.rows_added == 0 && res.rejected_out_of_retention == 1,
          "at 2026-03-25: added %" PRIu64 ", out of retention %" PRIu64 " (want 0 and 1)",
          res.rows_added, res.rejected_out_of_retention);
  REQUIRE_EQ(Stat(db.get(), "rows_rejected_out_of_retention"), 1.0);
  RUN(CloseDb(&db));
}

Labels RotLabels(int i) { return {{"__name__", "rot"}, {"id", std::to_string(i)}}; }

void TestRotation() {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  ClockGuard clock(kNowA);
  DbPtr db;
  RUN(OpenDb(dir, kOptions, &db));
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
  RUN(AddBatchAllAccepted(db.get(), batch));
  REQUIRE_VME(vme_background_run_once(db.get(), &err));
  const auto gens0 = IndexdbGenerations(dir);
  REQUIRE(gens0.size() == 2, "%zu indexdb generations after open, want 2", gens0.size());

  // One minute before the deadline nothing rotates.
  clock.Set(kRotationDeadline - 60000);
  REQUIRE_VME(vme_background_run_once(db.get(), &err));
  REQUIRE(IndexdbGenerations(dir) == gens0, "indexdb rotated before its deadline");
  REQUIRE_EQ(Stat(db.get(), "indexdb_rotations"), 0.0);

  // One minute past the deadline: now - retention = 2026-03-08T04:01, so the data stays.
  clock.Set(kRotationDeadline + 60000);
  REQUIRE_VME(vme_background_run_once(db.get(), &err));
  const auto gens1 = IndexdbGenerations(dir);
  REQUIRE(gens1.size() == 2, "%zu indexdb generations after rotation, want 2", gens1.size());
  REQUIRE(gens1[0] == gens0[1] && gens1[1] > gens0[1],
          "after rotation: generations %s %s, want %s (the former curr) and a newer one",
          gens1[0].c_str(), gens1[1].c_str(), gens0[1].c_str());
  REQUIRE_EQ(Stat(db.get(), "indexdb_rotations"), 1.0);
  // The next deadline is one period later: further rounds now do not rotate again.
  REQUIRE_VME(vme_background_run_once(db.get(), &err));
  REQUIRE(IndexdbGenerations(dir) == gens1, "indexdb rotated twice for one deadline");
  RequireRows(db.get(), "rot", want, "export after rotation", kN);

  // New samples of the same series join them (same identity: one series per name).
  const int64_t t2 = 1775520000000;  // 2026-04-07T00:00:00Z
  batch.Clear();
  for (int i = 0; i < kN; i++) {
    const double v = 1000 + i;
    batch.Add(PackKey(RotLabels(i)), t2, v);
    want.push_back(Row{SeriesName(RotLabels(i)), t2, DoubleBits(v)});
  }
  RUN(AddBatchAllAccepted(db.get(), batch));
  REQUIRE_VME(vme_background_run_once(db.get(), &err));
  RequireRows(db.get(), "rot", want, "export after rotation and new samples", kN);
  RUN(CloseDb(&db));

  REQUIRE(IndexdbGenerations(dir) == gens1, "indexdb generations changed by close");
  RUN(OpenDb(dir, kOptions, &db));
  REQUIRE(IndexdbGenerations(dir) == gens1, "indexdb generations changed by reopen");
  RequireRows(db.get(), "rot", want, "export after rotation and reopen", kN);
  std::vector<std::string> ids;
  RUN(LabelValues(db.get(), "id", &ids));
  REQUIRE(ids == (std::vector<std::string>{"0", "1", "2", "3", "4"}),
          "label values of id after reopen: %zu", ids.size());
  RUN(CloseDb(&db));
}

// retention_ms = INT64_MAX keeps everything: rounds over simulated centuries neither rotate
// indexdb nor drop data, and every series stays findable. (The rotation deadline used to
// overflow, so every round rotated and after two rounds no series was found.)
void TestInfiniteRetention() {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  ClockGuard clock(kNowA);
  DbPtr db;
  RUN(OpenDb(dir, {{"retention_ms", std::to_string(INT64_MAX)}, {"background", "0"}}, &db));
  constexpr int kN = 20;
  RowBatch batch;
  std::vector<Row> want;
  for (int i = 0; i < kN; i++) {
    const int64_t ts = kT0 + i * 60000;  // 2026-01-01, long before kNowA
    batch.Add(PackKey(RotLabels(i)), ts, i);
    want.push_back(Row{SeriesName(RotLabels(i)), ts, DoubleBits(i)});
  }
  RUN(AddBatchAllAccepted(db.get(), batch));
  REQUIRE_VME(vme_background_run_once(db.get(), &err));
  const auto gens0 = IndexdbGenerations(dir);
  REQUIRE(gens0.size() == 2, "%zu indexdb generations after open, want 2", gens0.size());

  // Every 10 days for 5 years, then every 10 years for five centuries, then the largest
  // times there are.
  std::vector<int64_t> times;
  for (int64_t t = kNowA; t < kNowA + 5 * kYearMs; t += 10 * kDayMs) times.push_back(t);
  for (int64_t t = kNowA + 5 * kYearMs; t < kNowA + 500 * kYearMs; t += 10 * kYearMs) {
    times.push_back(t);
  }
  times.push_back(INT64_MAX / 2);
  times.push_back(INT64_MAX - kDayMs);
  times.push_back(INT64_MAX);
  for (int64_t t : times) {
    clock.Set(t);
    REQUIRE_VME(vme_background_run_once(db.get(), &err));
    REQUIRE(IndexdbGenerations(dir) == gens0, "indexdb rotated at clock %" PRId64, t);
  }
  const StatsMap stats = Stats(db.get());
  REQUIRE_EQ(stats.at("indexdb_rotations"), 0.0);
  REQUIRE_EQ(stats.at("partitions_dropped"), 0.0);
  REQUIRE_EQ(stats.at("background_errors"), 0.0);
  RequireRows(db.get(), "rot", want, "export after centuries of rounds", kN);
  RUN(CloseDb(&db));
  clock.Set(kNowA);
  RUN(OpenDb(dir, {{"retention_ms", std::to_string(INT64_MAX)}, {"background", "0"}}, &db));
  REQUIRE(IndexdbGenerations(dir) == gens0, "indexdb generations changed by reopen");
  RequireRows(db.get(), "rot", want, "export after reopen", kN);
  RUN(CloseDb(&db));
}

// StorageOptions::now_ms is the clock of retention decisions: the indexdb rotates when that
// clock passes the deadline, and ingest checks rows against it, whatever the process clock
// says.
void TestInjectedClock() {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  ClockGuard process_clock(kNowA);
  auto now = std::make_shared<std::atomic<int64_t>>(kNowA);
  vme::storage::StorageOptions opts;
  opts.background = false;
  opts.retention_ms = kRetentionMs;
  opts.now_ms = [now] { return now->load(); };
  auto opened = vme::storage::Storage::Open(dir, opts);
  REQUIRE_OK(opened);
  std::shared_ptr<vme::storage::Storage> s = *opened;
  const auto gens0 = IndexdbGenerations(dir);
  REQUIRE_OK(s->RunBackgroundOnce());
  REQUIRE(IndexdbGenerations(dir) == gens0, "indexdb rotated before its deadline");

  now->store(kRotationDeadline);  // the process clock stays at kNowA
  REQUIRE_OK(s->RunBackgroundOnce());
  const auto gens1 = IndexdbGenerations(dir);
  REQUIRE(gens1.size() == 2 && gens1[0] == gens0[1],
          "no rotation when the injected clock reached the deadline");
  std::vector<std::pair<std::string, double>> stats;
  s->Stats(&stats);
  double rotations = -1;
  for (const auto& [k, v] : stats) {
    if (k == "indexdb_rotations") rotations = v;
  }
  REQUIRE_EQ(rotations, 1.0);
  // Ingest follows the same clock: a row an hour before it is accepted, though it lies more
  // than 2 days after the process clock.
  const std::string key = PackKey(RotLabels(1));
  const uint32_t offsets[2] = {0, static_cast<uint32_t>(key.size())};
  const int64_t ts = kRotationDeadline - 3600000;
  const double v = 1;
  vme::storage::AddRowsResult r;
  REQUIRE_OK(s->AddRows(reinterpret_cast<const uint8_t*>(key.data()), key.size(), offsets, &ts, &v,
                        1, 0, 0, &r));
  REQUIRE_EQ(r.rows_added, 1u);
  REQUIRE_EQ(r.rejected_too_far_future, 0u);
  REQUIRE_OK(s->Close());
}

}  // namespace

int main(int argc, char** argv) {
  const int rc = vme::test::RunTests(
      {VME_TEST(TestRejectionFollowsClock), VME_TEST(TestRetention), VME_TEST(TestRotation),
       VME_TEST(TestInfiniteRetention), VME_TEST(TestInjectedClock)},
      argc, argv);
  vme_library_shutdown();
  return rc;
}
