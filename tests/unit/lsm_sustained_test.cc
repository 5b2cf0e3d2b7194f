// Sustained ingest with background flushes and merges (reference §6.2–§6.4): the scaled W1
// workload (2,000 series x 300 samples, time-major batches of 2,000 rows) with short flush
// intervals keeps the number of parts bounded during ingest; force merge leaves one part per
// partition; the export equals the generator bit for bit.
#include <chrono>
#include <cinttypes>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "capi_test_util.h"
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
    for (double want : c.v) REQUIRE(DoubleBits(g.Next()) == DoubleBits(want));
  }
  W1Generator g(0);
  double v = 0;
  for (int i = 0; i < 1000; i++) v = g.Next();
  REQUIRE(DoubleBits(v) == DoubleBits(92.23));
}

std::string Sustained() {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  DbPtr db;
  RETURN_IF_FAILED(OpenDb(dir,
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
    RETURN_IF_FAILED(AddBatchAllAccepted(db.get(), batch));
    double parts = 0;
    RETURN_IF_FAILED(StatValue(db.get(), "parts", &parts));
    if (parts > max_parts) {
      max_parts = parts;
      max_parts_batch = i;
    }
    REQUIRE(parts <= kMaxParts, "after batch %d: %g parts, want <= %g (parts must stay bounded)", i,
            parts, kMaxParts);
  }
  std::printf("lsm_sustained: max parts during ingest: %g (after batch %d of %d)\n", max_parts,
              max_parts_batch, kSamples);

  // The background flusher alone makes every row searchable (bounded wait, no vme_flush).
  double rows = 0;
  for (int i = 0; i < 200; i++) {
    RETURN_IF_FAILED(StatValue(db.get(), "rows", &rows));
    if (rows == static_cast<double>(want.size())) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(rows == static_cast<double>(want.size()),
          "without vme_flush, the background flushers stored %g rows within 10 s, want %zu", rows,
          want.size());

  REQUIRE_VME(vme_force_merge(db.get(), nullptr, &err));
  StatsMap stats;
  RETURN_IF_FAILED(ReadStats(db.get(), &stats));
  const auto partitions = StatsPartitions(stats);
  REQUIRE(partitions == std::set<std::string>{"2026_01"}, "partitions after force merge: %zu",
          partitions.size());
  for (const auto& p : partitions) {
    double n = 0;
    RETURN_IF_FAILED(PartitionParts(stats, p, &n));
    REQUIRE(n == 1, "partition %s has %g parts after force merge, want 1", p.c_str(), n);
  }
  REQUIRE(stats["rows"] == static_cast<double>(want.size()), "stats rows = %g, want %zu",
          stats["rows"], want.size());
  REQUIRE(stats.count("background_errors") && stats["background_errors"] == 0,
          "background_errors = %g", stats["background_errors"]);
  REQUIRE(stats.count("series") && stats["series"] == kSeries, "series = %g, want %d",
          stats["series"], kSeries);

  std::vector<Row> got;
  RETURN_IF_FAILED(ExportAll(db.get(), &got));
  RETURN_IF_FAILED(CompareRows(got, want, "export after force merge"));
  RETURN_IF_FAILED(CloseDb(&db));

  REQUIRE(PartDirs(dir, "2026_01").size() == 1, "%zu part directories after close, want 1",
          PartDirs(dir, "2026_01").size());
  RETURN_IF_FAILED(OpenDb(dir, {{"background", "0"}}, &db));
  got.clear();
  RETURN_IF_FAILED(ExportAll(db.get(), &got));
  RETURN_IF_FAILED(CompareRows(got, want, "export after reopen"));
  RETURN_IF_FAILED(CloseDb(&db));
  return "";
}

void TestSustainedIngest() { RUN(Sustained()); }

// Every documented tuning key is accepted; bad values are rejected naming the key.
void TestOptionKeys() {
  OptionsPtr opts(vme_options_create());
  REQUIRE(opts.get() != nullptr);
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
    if (st != VME_OK) FAIL("vme_options_set(%s, %s): %s", kv[0], kv[1], vme_error_message(err));
  }
  for (const char* key : {"max_small_parts", "raw_rows_flush_interval_ms", "background"}) {
    vme_error* err = nullptr;
    const vme_status st = vme_options_set(opts.get(), key, "abc", &err);
    REQUIRE_EQ(st, VME_ERR_INVALID_ARGUMENT);
    REQUIRE((std::strstr(vme_error_message(err), key)) != nullptr);
    vme_error_free(err);
  }
}

// final_merge_delay_ms: once merges have been idle that long, a few similar parts that the
// ordinary selection leaves alone (it wants about 8) are merged into one (§6.4, §6.5 step 7).
std::string FinalMerge() {
  TempDir tmp;
  DbPtr db;
  RETURN_IF_FAILED(OpenDb(tmp.path() + "/db",
                          {{"final_merge_delay_ms", "200"},
                           {"background_threads", "2"},
                           {"small_merge_workers", "1"},
                           {"big_merge_workers", "1"}},
                          &db));
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
    RETURN_IF_FAILED(AddBatchAllAccepted(db.get(), batch));
    REQUIRE_VME(vme_flush(db.get(), &err));
  }
  double parts = 0;
  for (int i = 0; i < 200; i++) {
    StatsMap stats;
    RETURN_IF_FAILED(ReadStats(db.get(), &stats));
    RETURN_IF_FAILED(PartitionParts(stats, "2026_01", &parts));
    if (parts == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(parts == 1, "final merge: %g parts 10 s after the last flush, want 1", parts);
  std::vector<Row> got;
  RETURN_IF_FAILED(ExportAll(db.get(), &got));
  RETURN_IF_FAILED(CompareRows(got, want, "after the final merge"));
  double bg = 0;
  RETURN_IF_FAILED(StatValue(db.get(), "background_errors", &bg));
  REQUIRE(bg == 0, "background_errors = %g", bg);
  RETURN_IF_FAILED(CloseDb(&db));
  return "";
}

void TestFinalMerge() { RUN(FinalMerge()); }

}  // namespace

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestGeneratorVectors),
      VME_TEST(TestOptionKeys),
      VME_TEST(TestSustainedIngest),
      VME_TEST(TestFinalMerge),
  };
  const int rc = vme::test::RunTests(tests, argc, argv);
  vme_library_shutdown();
  return rc;
}
