// Everything at once on one db (architecture goal: a vme_db is fully thread-safe): writer
// threads with disjoint series plus one shared set of new series that all of them create
// concurrently, readers searching in a loop, force merges, snapshot create/list/delete and a
// thread that adds and deletes a dedicated set of series, all with short background flush
// intervals, and a thread that runs background rounds itself (vme_background_run_once) while
// the background timer runs. At the end: no row lost or duplicated, exactly one TSID per
// series, deleted series gone, no background errors. Also run under ThreadSanitizer by CI;
// threads only share atomics, the db handle and mutex-protected state. Nothing waits for time:
// the threads run a fixed amount of work or until the writers are done.
#include <atomic>
#include <cinttypes>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "capi_test_util.h"
#include "check.h"
#include "test_util.h"

namespace {

using namespace vme::test;  // NOLINT

// The worker threads report a failed check as their result message (check.h's REQUIRE would
// abort the process on a thread other than the test's).
#define CHECK_OR_RETURN(cond, ...)                        \
  do {                                                    \
    if (!(cond)) return ::vme::test::Format(__VA_ARGS__); \
  } while (0)
#define VME_OR_RETURN(call)                                                             \
  do {                                                                                  \
    vme_error* err = nullptr;                                                           \
    const vme_status st_ = (call);                                                      \
    if (st_ != VME_OK) {                                                                \
      std::string m_ = ::vme::test::Format("%s: %s: %s", #call, vme_status_string(st_), \
                                           vme_error_message(err));                     \
      vme_error_free(err);                                                              \
      return m_;                                                                        \
    }                                                                                   \
  } while (0)
constexpr int kWriters = 3;
constexpr int kOwn = 100;     // series per writer
constexpr int kShared = 100;  // series every writer adds
constexpr int kIters = 60;    // batches per writer
constexpr int kReaders = 2;
constexpr int kDel = 30;  // series of the deleter
constexpr int kDelRounds = 8;
constexpr int kMaxMerges = 25;
constexpr int kMaxSnapshots = 25;
constexpr int kMaxRounds = 25;  // vme_background_run_once calls

Labels OwnLabels(int w, int s) {
  return {{"__name__", "conc_own"}, {"w", std::to_string(w)}, {"s", Format("%03d", s)}};
}
Labels SharedLabels(int s) { return {{"__name__", "conc_shared"}, {"s", Format("%03d", s)}}; }
Labels DelLabels(int s) { return {{"__name__", "conc_del"}, {"s", Format("%03d", s)}}; }

// The first error of any thread.
class Errors {
 public:
  void Add(const std::string& e) {
    if (e.empty()) return;
    std::lock_guard<std::mutex> l(mu_);
    if (first_.empty()) first_ = e;
    failed_.store(true);
  }
  bool failed() const { return failed_.load(); }
  std::string first() {
    std::lock_guard<std::mutex> l(mu_);
    return first_;
  }

 private:
  std::mutex mu_;
  std::string first_;
  std::atomic<bool> failed_{false};
};

std::string Writer(vme_db* db, int w, std::latch* start, std::vector<Row>* written) {
  std::vector<std::string> own_keys, shared_keys, own_names, shared_names;
  for (int s = 0; s < kOwn; s++) {
    own_keys.push_back(PackKey(OwnLabels(w, s)));
    own_names.push_back(SeriesName(OwnLabels(w, s)));
  }
  for (int s = 0; s < kShared; s++) {
    shared_keys.push_back(PackKey(SharedLabels(s)));
    shared_names.push_back(SeriesName(SharedLabels(s)));
  }
  start->arrive_and_wait();
  RowBatch b;
  for (int j = 0; j < kIters; j++) {
    b.Clear();
    // Shared series first, so that the writers create them at the same time.
    const int64_t shared_ts = kT0 + (int64_t{j} * kWriters + w) * 1000;
    for (int s = 0; s < kShared; s++) {
      const double v = w * 1e6 + j * 1000 + s;
      b.Add(shared_keys[s], shared_ts, v);
      written->push_back(Row{shared_names[s], shared_ts, DoubleBits(v)});
    }
    const int64_t own_ts = kT0 + int64_t{j} * 1000;
    for (int s = 0; s < kOwn; s++) {
      const double v = j + s * 0.5;
      b.Add(own_keys[s], own_ts, v);
      written->push_back(Row{own_names[s], own_ts, DoubleBits(v)});
    }
    RETURN_IF_FAILED(AddBatchAllAccepted(db, b));
    if (j % 10 == 9) VME_OR_RETURN(vme_flush(db, &err));
  }
  return "";
}

// Searches while everything else runs: no errors, and every series of the writers has strictly
// increasing timestamps (each of their (series, ts) is written once).
std::string Reader(vme_db* db, int r, const std::atomic<bool>* done, int* loops) {
  const char* selectors[] = {"conc_own", "conc_shared{s=\"007\"}", "{__name__=~\"conc_.*\"}",
                             "conc_del", "conc_own{w=\"1\",s=~\"0[0-4].\"}"};
  *loops = 0;
  for (int i = r; !done->load() && *loops < 100000; i++, ++*loops) {
    const char* sel = selectors[i % 5];
    std::vector<Row> rows;
    std::vector<std::string> names;
    RETURN_IF_FAILED(ExportSelector(db, sel, 0, INT64_MAX, &rows, &names));
    for (size_t k = 1; k < rows.size(); k++) {
      if (rows[k].metric != rows[k - 1].metric || rows[k].metric.rfind("conc_del", 0) == 0) {
        continue;
      }
      CHECK_OR_RETURN(rows[k].ts > rows[k - 1].ts, "reader: %s returned %s after %s", sel,
                      rows[k].ToString().c_str(), rows[k - 1].ToString().c_str());
    }
    uint64_t n = 0;
    RETURN_IF_FAILED(SeriesCount(db, sel, &n));
  }
  return "";
}

std::string Merger(vme_db* db, const std::atomic<bool>* done, int* merges) {
  *merges = 0;
  while (!done->load() && *merges < kMaxMerges) {
    VME_OR_RETURN(vme_force_merge(db, nullptr, &err));
    ++*merges;
  }
  return "";
}

// Background rounds in this thread while the timer runs its own.
std::string Rounds(vme_db* db, const std::atomic<bool>* done, int* rounds) {
  *rounds = 0;
  while (!done->load() && *rounds < kMaxRounds) {
    VME_OR_RETURN(vme_background_run_once(db, &err));
    ++*rounds;
  }
  return "";
}

std::string Snapshotter(vme_db* db, const std::atomic<bool>* done, int* snapshots) {
  *snapshots = 0;
  while (!done->load() && *snapshots < kMaxSnapshots) {
    char* name = nullptr;
    VME_OR_RETURN(vme_snapshot_create(db, &name, &err));
    const std::string snap = name;
    vme_free(name);
    vme_strlist* raw = nullptr;
    VME_OR_RETURN(vme_snapshot_list(db, &raw, &err));
    StrListPtr list(raw);
    bool found = false;
    for (size_t i = 0; i < vme_strlist_count(list.get()); i++) {
      found |= snap == vme_strlist_get(list.get(), i, nullptr);
    }
    CHECK_OR_RETURN(found, "snapshot %s is not listed", snap.c_str());
    VME_OR_RETURN(vme_snapshot_delete(db, snap.c_str(), &err));
    ++*snapshots;
  }
  return "";
}

std::string Deleter(vme_db* db) {
  std::vector<std::string> keys;
  for (int s = 0; s < kDel; s++) keys.push_back(PackKey(DelLabels(s)));
  QueryPtr q = MakeQuery(0, INT64_MAX);
  CHECK_OR_RETURN(q != nullptr, "vme_query_create failed");
  VME_OR_RETURN(vme_query_add_selector(q.get(), "conc_del", &err));
  RowBatch b;
  for (int r = 0; r < kDelRounds; r++) {
    b.Clear();
    for (int s = 0; s < kDel; s++) {
      for (int k = 0; k < 5; k++) b.Add(keys[s], kT0 + (int64_t{r} * 10 + k) * 1000, r * 100 + k);
    }
    RETURN_IF_FAILED(AddBatchAllAccepted(db, b));
    VME_OR_RETURN(vme_flush(db, &err));
    uint64_t deleted = 0;
    VME_OR_RETURN(vme_delete_series(db, q.get(), &deleted, &err));
    CHECK_OR_RETURN(deleted == kDel, "round %d: vme_delete_series deleted %" PRIu64 ", want %d", r,
                    deleted, kDel);
  }
  return "";
}

void CheckFinal(vme_db* db, const std::vector<Row>& want, const std::string& what,
                bool check_created) {
  std::vector<Row> got;
  RUN(ExportSelector(db, "{__name__=~\"conc_own|conc_shared\"}", 0, INT64_MAX, &got));
  RUN(CompareRows(got, want, what));
  std::vector<Row> del;
  RUN(ExportSelector(db, "conc_del", 0, INT64_MAX, &del));
  REQUIRE(del.empty(), "%s: %zu rows of deleted series, first %s", what.c_str(), del.size(),
          del.empty() ? "" : del[0].ToString().c_str());
  const uint64_t live = kWriters * kOwn + kShared;
  uint64_t n = 0;
  RUN(SeriesCount(db, nullptr, &n));
  REQUIRE(n == live, "%s: vme_series_count = %" PRIu64 ", want %" PRIu64, what.c_str(), n, live);
  StatsMap stats;
  RUN(ReadStats(db, &stats));
  REQUIRE(stats["series"] == static_cast<double>(live), "%s: stats series = %g, want %" PRIu64,
          what.c_str(), stats["series"], live);
  if (check_created) {
    const double created = static_cast<double>(live + kDelRounds * kDel);
    REQUIRE(stats["new_series_created"] == created,
            "%s: new_series_created = %g, want %g (one TSID per series; the shared ones once)",
            what.c_str(), stats["new_series_created"], created);
  }
  REQUIRE(stats.count("background_errors") && stats["background_errors"] == 0,
          "%s: background_errors = %g", what.c_str(), stats["background_errors"]);
}

void TestEverythingAtOnce() {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  DbPtr db;
  RUN(OpenDb(dir,
             {{"raw_rows_flush_interval_ms", "20"},
              {"inmemory_parts_flush_interval_ms", "100"},
              {"max_raw_rows_per_shard", "2000"}},
             &db));
  Errors errors;
  std::atomic<bool> done{false};
  std::latch start(kWriters);
  std::vector<std::vector<Row>> written(kWriters);
  int reader_loops[kReaders] = {};
  int merges = 0, snapshots = 0, rounds = 0;

  std::vector<std::thread> workers;  // writers and the deleter: `done` follows them
  for (int w = 0; w < kWriters; w++) {
    workers.emplace_back([&, w] { errors.Add(Writer(db.get(), w, &start, &written[w])); });
  }
  workers.emplace_back([&] { errors.Add(Deleter(db.get())); });
  std::vector<std::thread> others;
  for (int r = 0; r < kReaders; r++) {
    others.emplace_back([&, r] { errors.Add(Reader(db.get(), r, &done, &reader_loops[r])); });
  }
  others.emplace_back([&] { errors.Add(Merger(db.get(), &done, &merges)); });
  others.emplace_back([&] { errors.Add(Snapshotter(db.get(), &done, &snapshots)); });
  others.emplace_back([&] { errors.Add(Rounds(db.get(), &done, &rounds)); });
  for (auto& t : workers) t.join();
  done.store(true);
  for (auto& t : others) t.join();
  REQUIRE(!errors.failed(), "%s", errors.first().c_str());
  std::printf(
      "lsm_concurrency: reader loops %d/%d, force merges %d, snapshots %d, background rounds %d\n",
      reader_loops[0], reader_loops[1], merges, snapshots, rounds);

  std::vector<Row> want;
  for (const auto& w : written) want.insert(want.end(), w.begin(), w.end());
  REQUIRE_VME(vme_flush(db.get(), &err));
  CheckFinal(db.get(), want, "after flush", true);
  REQUIRE_VME(vme_force_merge(db.get(), nullptr, &err));
  CheckFinal(db.get(), want, "after force merge", true);
  double rows = 0;
  RUN(StatValue(db.get(), "rows", &rows));
  REQUIRE(rows == static_cast<double>(want.size()),
          "stats rows = %g after force merge, want %zu (deleted rows dropped)", rows, want.size());
  RUN(CloseDb(&db));
  RUN(OpenDb(dir, {{"background", "0"}}, &db));
  CheckFinal(db.get(), want, "after reopen", false);
  RUN(CloseDb(&db));
}

}  // namespace

int main(int argc, char** argv) {
  const int rc = vme::test::RunTests({VME_TEST(TestEverythingAtOnce)}, argc, argv);
  vme_library_shutdown();
  return rc;
}
