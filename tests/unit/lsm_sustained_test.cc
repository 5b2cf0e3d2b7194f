// Sustained ingest with background flushes and merges (VictoriaMetrics lib/storage/
// partition.go: rawRowsFlusher, inmemoryPartsFlusher, mergeWorker): the scaled W1 workload
// (2,000 series x 300 samples, time-major batches of 2,000 rows) with short flush intervals
// keeps the number of parts bounded during ingest; the background flushers alone make every
// row searchable; force merge leaves one part per partition; the export equals the generator
// bit for bit. Final merges run once final_merge_delay_ms has passed on the clock, which the
// test sets, with every round driven by vme_background_run_once().
#include <cinttypes>
#include <cstring>
#include <string>
#include <vector>

#include "capi/db_handle.h"
#include "capi_test_util.h"
#include "check.h"
#include "storage/time.h"
#include "test_util.h"

namespace {

using namespace vme::test;  // NOLINT

constexpr int kSeries = 2000;
constexpr int kSamples = 300;
constexpr double kMaxParts = 64;

void TestGeneratorVectors() {
  const struct {
    int k;
    double v[5];
  } cases[] = {{0, {100.72, 100.51, 100.47, 99.85, 99.2}},
               {1, {100.44, 101.03, 101.94, 102.83, 102.41}},
               {9999, {99.64, 99.12, 99.11, 98.5, 98.38}}};
  for (const auto& c : cases) {
    W1Generator g(c.k);
    for (double want : c.v) REQUIRE_EQ(DoubleBits(g.Next()), DoubleBits(want));
  }
  W1Generator g(0);
  double v = 0;
  for (int i = 0; i < 1000; i++) v = g.Next();
  REQUIRE_EQ(DoubleBits(v), DoubleBits(92.23));
}

double Stat(vme_db* db, const char* name) {
  double v = 0;
  RUN(StatValue(db, name, &v));
  return v;
}

void TestSustainedIngest() {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  DbPtr db;
  RUN(OpenDb(dir,
             {{"raw_rows_flush_interval_ms", "20"},
              {"inmemory_parts_flush_interval_ms", "100"},
              {"max_raw_rows_per_shard", "20000"},
              {"max_small_parts", "32"}},
             &db));

  std::vector<std::string> keys(kSeries), names(kSeries);
  std::vector<W1Generator> gens;
  for (int k = 0; k < kSeries; k++) {
    keys[k] = PackKey(W1Labels(k));
    names[k] = SeriesName(W1Labels(k));
    gens.emplace_back(k);
  }
  std::vector<Row> want;
  want.reserve(size_t{kSeries} * kSamples);
  double max_parts = 0;
  int max_parts_batch = -1;
  RowBatch batch;
  for (int i = 0; i < kSamples; i++) {
    batch.Clear();
    const int64_t ts = kT0 + i * kW1StepMs;
    for (int k = 0; k < kSeries; k++) {
      const double v = gens[k].Next();
      batch.Add(keys[k], ts, v);
      want.push_back(Row{names[k], ts, DoubleBits(v)});
    }
    RUN(AddBatchAllAccepted(db.get(), batch));
    const double parts = Stat(db.get(), "parts");
    if (parts > max_parts) {
      max_parts = parts;
      max_parts_batch = i;
    }
    REQUIRE(parts <= kMaxParts, "after batch %d: %g parts, want <= %g (parts must stay bounded)", i,
            parts, kMaxParts);
  }
  std::printf("lsm_sustained: max parts during ingest: %g (after batch %d of %d)\n", max_parts,
              max_parts_batch, kSamples);

  // The background flushers alone make every row searchable, without vme_flush: wait for two
  // more raw-rows rounds of the timer (a condition, not a time; CTest's timeout catches a hang).
  vme::capi::StorageOf(db.get())->WaitForRawRowsFlushes();
  REQUIRE_EQ(Stat(db.get(), "rows"), static_cast<double>(want.size()));

  REQUIRE_VME(vme_force_merge(db.get(), nullptr, &err));
  StatsMap stats;
  RUN(ReadStats(db.get(), &stats));
  const auto partitions = StatsPartitions(stats);
  REQUIRE(partitions == std::set<std::string>{"2026_01"}, "partitions after force merge: %zu",
          partitions.size());
  for (const auto& p : partitions) {
    double n = 0;
    RUN(PartitionParts(stats, p, &n));
    REQUIRE(n == 1, "partition %s has %g parts after force merge, want 1", p.c_str(), n);
  }
  REQUIRE(stats["rows"] == static_cast<double>(want.size()), "stats rows = %g, want %zu",
          stats["rows"], want.size());
  REQUIRE(stats.count("background_errors") && stats["background_errors"] == 0,
          "background_errors = %g", stats["background_errors"]);
  REQUIRE(stats.count("series") && stats["series"] == kSeries, "series = %g, want %d",
          stats["series"], kSeries);

  std::vector<Row> got;
  RUN(ExportAll(db.get(), &got));
  RUN(CompareRows(got, want, "export after force merge"));
  RUN(CloseDb(&db));

  REQUIRE(PartDirs(dir, "2026_01").size() == 1, "%zu part directories after close, want 1",
          PartDirs(dir, "2026_01").size());
  RUN(OpenDb(dir, {{"background", "0"}}, &db));
  got.clear();
  RUN(ExportAll(db.get(), &got));
  RUN(CompareRows(got, want, "export after reopen"));
  RUN(CloseDb(&db));
}

// Every documented tuning key is accepted; bad values are rejected naming the key.
void TestOptionKeys() {
  OptionsPtr opts(vme_options_create());
  REQUIRE(opts != nullptr);
  const char* keys[][2] = {{"raw_rows_flush_interval_ms", "1000"},
                           {"inmemory_parts_flush_interval_ms", "5000"},
                           {"small_merge_workers", "1"},
                           {"big_merge_workers", "1"},
                           {"background_threads", "2"},
                           {"max_raw_rows_per_shard", "20000"},
                           {"max_small_parts", "256"},
                           {"final_merge_delay_ms", "0"},
                           {"dedup_interval_ms", "0"},
                           {"retention", "30d"},
                           {"retention_ms", "0"},
                           {"background", "1"}};
  for (const auto& kv : keys) {
    vme_error* err = nullptr;
    const vme_status st = vme_options_set(opts.get(), kv[0], kv[1], &err);
    REQUIRE(st == VME_OK, "vme_options_set(%s, %s): %s", kv[0], kv[1], vme_error_message(err));
  }
  for (const char* key : {"max_small_parts", "raw_rows_flush_interval_ms", "background"}) {
    vme_error* err = nullptr;
    const vme_status st = vme_options_set(opts.get(), key, "abc", &err);
    const std::string msg = vme_error_message(err);
    vme_error_free(err);
    REQUIRE_EQ(st, VME_ERR_INVALID_ARGUMENT);
    REQUIRE(msg.find(key) != std::string::npos, "message \"%s\" does not name %s", msg.c_str(),
            key);
  }
}

// final_merge_delay_ms: once merges have been idle that long on the clock, a few similar parts
// that the ordinary selection leaves alone (it wants about 8) are merged into one
// (partition.go mergeWorker's final merges). Not before: a round at the time of the last
// merge leaves them alone.
void TestFinalMerge() {
  TempDir tmp;
  const int64_t now = kT0 + 10 * kDayMs;
  vme::storage::SetNowMsForTesting(now);
  struct ClockReset {
    ~ClockReset() { vme::storage::SetNowMsForTesting(0); }
  } clock_reset;
  DbPtr db;
  RUN(OpenDb(tmp.path() + "/db", {{"final_merge_delay_ms", "200"}, {"background", "0"}}, &db));
  std::vector<Row> want;
  RowBatch batch;
  for (int part = 0; part < 5; part++) {
    batch.Clear();
    for (int k = 0; k < 100; k++) {
      const Labels labels = W1Labels(k);
      const std::string key = PackKey(labels);
      for (int i = 0; i < 10; i++) {
        const int64_t ts = kT0 + (part * 10 + i) * kW1StepMs;
        const double v = ((part * 100 + i) * 100 + k) / 100.0;  // the double nearest the decimal
        batch.Add(key, ts, v);
        want.push_back(Row{SeriesName(labels), ts, DoubleBits(v)});
      }
    }
    RUN(AddBatchAllAccepted(db.get(), batch));
    REQUIRE_VME(vme_flush(db.get(), &err));
  }
  const auto parts = [&] {
    StatsMap stats;
    RUN(ReadStats(db.get(), &stats));
    double n = 0;
    RUN(PartitionParts(stats, "2026_01", &n));
    return n;
  };
  REQUIRE_EQ(parts(), 5.0);
  // The delay has not passed since open: ordinary merges only, which leave 5 parts alone.
  REQUIRE_VME(vme_background_run_once(db.get(), &err));
  REQUIRE_EQ(parts(), 5.0);
  vme::storage::SetNowMsForTesting(now + 199);
  REQUIRE_VME(vme_background_run_once(db.get(), &err));
  REQUIRE_EQ(parts(), 5.0);
  vme::storage::SetNowMsForTesting(now + 200);
  REQUIRE_VME(vme_background_run_once(db.get(), &err));
  REQUIRE_EQ(parts(), 1.0);
  REQUIRE_EQ(Stat(db.get(), "merges"), 1.0);
  std::vector<Row> got;
  RUN(ExportAll(db.get(), &got));
  RUN(CompareRows(got, want, "after the final merge"));
  REQUIRE_EQ(Stat(db.get(), "background_errors"), 0.0);
  RUN(CloseDb(&db));
}

}  // namespace

int main(int argc, char** argv) {
  const int rc = vme::test::RunTests({VME_TEST(TestGeneratorVectors), VME_TEST(TestOptionKeys),
                                      VME_TEST(TestSustainedIngest), VME_TEST(TestFinalMerge)},
                                     argc, argv);
  vme_library_shutdown();
  return rc;
}
