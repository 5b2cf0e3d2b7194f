// Deduplication (VictoriaMetrics DeduplicateSamples in lib/storage/dedup.go) and series deletion
// (VictoriaMetrics indexDB.DeleteTSIDs in lib/storage/index_db.go) through the C API.
//  * dedup_interval_ms = 10000 keeps the FIRST sample of every 10 s window (VM 1.72), with its
//    value: [10s,13s,21s,22s,30s,33s,39s,45s] -> [10s,21s,30s,45s], at query time right after
//    the flush (within one part and across parts) and identically after force merge, which
//    writes min_dedup_interval "10s" into the merged part.
//  * vme_delete_series hides a series at once from searches, counts and label values; force
//    merge drops its samples from disk; the same labels later make a new series holding only
//    the new samples.
#include <cinttypes>
#include <string>
#include <vector>

#include "capi_test_util.h"
#include "test_util.h"

namespace {

using namespace vme::test;  // NOLINT

struct Sample {
  int64_t sec;
  double value;
};

Labels DedupLabels(const char* c) { return {{"__name__", "dd"}, {"case", c}}; }

void AddSamples(RowBatch* b, const char* c, const std::vector<Sample>& samples) {
  for (const Sample& s : samples) b->Add(PackKey(DedupLabels(c)), kT0 + s.sec * 1000, s.value);
}

std::vector<Row> Rows(const char* c, const std::vector<Sample>& samples) {
  std::vector<Row> out;
  for (const Sample& s : samples) {
    out.push_back(Row{SeriesName(DedupLabels(c)), kT0 + s.sec * 1000, DoubleBits(s.value)});
  }
  return out;
}

std::string CheckDedup(vme_db* db, const std::vector<Row>& want, const std::string& what) {
  std::vector<Row> got;
  RETURN_IF_FAILED(ExportSelector(db, "dd", 0, INT64_MAX, &got));
  return CompareRows(got, want, what);
}

std::string Dedup() {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  const OptionList opts = {{"dedup_interval_ms", "10000"}};
  DbPtr db;
  RETURN_IF_FAILED(OpenDb(dir, opts, &db));

  // "one": all eight samples in one batch (one part).
  RowBatch b;
  AddSamples(&b, "one", {{10, 1}, {13, 2}, {21, 3}, {22, 4}, {30, 5}, {33, 6}, {39, 7}, {45, 8}});
  // "split": the same timestamps over two parts; neither part alone has anything to drop.
  AddSamples(&b, "split", {{10, 1}, {22, 4}, {33, 6}, {45, 8}});
  RETURN_IF_FAILED(AddBatchAllAccepted(db.get(), b));
  REQUIRE_VME(vme_flush(db.get(), &err));
  b.Clear();
  AddSamples(&b, "split", {{13, 2}, {21, 3}, {30, 5}, {39, 7}});
  // "exact": one sample per window already; nothing is dropped.
  AddSamples(&b, "exact", {{0, 0.5}, {10, 1.5}, {20, 2.5}, {35, 3.5}});
  RETURN_IF_FAILED(AddBatchAllAccepted(db.get(), b));
  REQUIRE_VME(vme_flush(db.get(), &err));

  std::vector<Row> want = Rows("one", {{10, 1}, {21, 3}, {30, 5}, {45, 8}});
  for (const Row& r : Rows("split", {{10, 1}, {21, 3}, {30, 5}, {45, 8}})) want.push_back(r);
  for (const Row& r : Rows("exact", {{0, 0.5}, {10, 1.5}, {20, 2.5}, {35, 3.5}})) {
    want.push_back(r);
  }
  RETURN_IF_FAILED(CheckDedup(db.get(), want, "dedup at query time after flush"));

  REQUIRE_VME(vme_force_merge(db.get(), nullptr, &err));
  RETURN_IF_FAILED(CheckDedup(db.get(), want, "dedup after force merge"));
  double rows = 0;
  RETURN_IF_FAILED(StatValue(db.get(), "rows", &rows));
  REQUIRE(rows == static_cast<double>(want.size()),
          "stats rows = %g after force merge, want %zu (merge-time dedup drops the rest)", rows,
          want.size());
  RETURN_IF_FAILED(CloseDb(&db));

  const auto parts = PartDirs(dir, "2026_01");
  REQUIRE(parts.size() == 1, "%zu part directories after force merge and close, want 1",
          parts.size());
  const std::string mdi = ReadFileText(dir + "/data/" + parts[0] + "/min_dedup_interval");
  REQUIRE(mdi == "10s", "min_dedup_interval of the merged part is \"%s\", want \"10s\"",
          mdi.c_str());

  RETURN_IF_FAILED(OpenDb(dir, opts, &db));
  RETURN_IF_FAILED(CheckDedup(db.get(), want, "dedup after reopen"));
  RETURN_IF_FAILED(CloseDb(&db));
  return "";
}

// Without dedup, duplicates and close samples are all kept.
std::string NoDedup() {
  TempDir tmp;
  DbPtr db;
  RETURN_IF_FAILED(OpenDb(tmp.path() + "/db", {}, &db));
  RowBatch b;
  const std::vector<Sample> all = {{10, 1}, {13, 2}, {21, 3}, {22, 4},
                                   {30, 5}, {33, 6}, {39, 7}, {45, 8}};
  AddSamples(&b, "one", all);
  RETURN_IF_FAILED(AddBatchAllAccepted(db.get(), b));
  REQUIRE_VME(vme_flush(db.get(), &err));
  RETURN_IF_FAILED(CheckDedup(db.get(), Rows("one", all), "no dedup after flush"));
  REQUIRE_VME(vme_force_merge(db.get(), nullptr, &err));
  RETURN_IF_FAILED(CheckDedup(db.get(), Rows("one", all), "no dedup after force merge"));
  RETURN_IF_FAILED(CloseDb(&db));
  return "";
}

Labels DelLabels(int id) { return {{"__name__", "del"}, {"id", std::to_string(id)}}; }

std::vector<Row> DelRows(int id, int64_t first_sec, int n, double base) {
  std::vector<Row> out;
  for (int i = 0; i < n; i++) {
    out.push_back(
        Row{SeriesName(DelLabels(id)), kT0 + (first_sec + i * 10) * 1000, DoubleBits(base + i)});
  }
  return out;
}

std::string AddRows(vme_db* db, int id, const std::vector<Row>& rows) {
  RowBatch b;
  for (const Row& r : rows) b.Add(PackKey(DelLabels(id)), r.ts, BitsDouble(r.bits));
  RETURN_IF_FAILED(AddBatchAllAccepted(db, b));
  REQUIRE_VME(vme_flush(db, &err));
  return "";
}

std::string CheckDeleteState(vme_db* db, const std::vector<Row>& want, uint64_t series,
                             const std::vector<std::string>& ids, const std::string& what) {
  std::vector<Row> got;
  RETURN_IF_FAILED(ExportSelector(db, "del", 0, INT64_MAX, &got));
  RETURN_IF_FAILED(CompareRows(got, want, what));
  uint64_t n = 0;
  RETURN_IF_FAILED(SeriesCount(db, nullptr, &n));
  REQUIRE(n == series, "%s: vme_series_count = %" PRIu64 ", want %" PRIu64, what.c_str(), n,
          series);
  RETURN_IF_FAILED(SeriesCount(db, "del", &n));
  REQUIRE(n == series, "%s: vme_series_count(del) = %" PRIu64 ", want %" PRIu64, what.c_str(), n,
          series);
  std::vector<std::string> got_ids;
  RETURN_IF_FAILED(LabelValues(db, "id", &got_ids));
  REQUIRE(got_ids == ids, "%s: %zu label values of id, want %zu", what.c_str(), got_ids.size(),
          ids.size());
  return "";
}

std::string Delete() {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  DbPtr db;
  RETURN_IF_FAILED(OpenDb(dir, {}, &db));
  const auto r1 = DelRows(1, 0, 10, 100);
  const auto r2 = DelRows(2, 0, 10, 200);
  const auto r3 = DelRows(3, 0, 10, 300);
  // Series 2 is spread over two parts.
  RETURN_IF_FAILED(AddRows(db.get(), 1, r1));
  RETURN_IF_FAILED(AddRows(db.get(), 2, std::vector<Row>(r2.begin(), r2.begin() + 5)));
  RETURN_IF_FAILED(AddRows(db.get(), 3, r3));
  RETURN_IF_FAILED(AddRows(db.get(), 2, std::vector<Row>(r2.begin() + 5, r2.end())));
  std::vector<Row> all = r1;
  all.insert(all.end(), r2.begin(), r2.end());
  all.insert(all.end(), r3.begin(), r3.end());
  RETURN_IF_FAILED(CheckDeleteState(db.get(), all, 3, {"1", "2", "3"}, "before delete"));
  double rows = 0;
  RETURN_IF_FAILED(StatValue(db.get(), "rows", &rows));
  REQUIRE(rows == 30, "stats rows = %g before delete, want 30", rows);

  // A query without matchers deletes nothing.
  {
    QueryPtr q = MakeQuery(0, INT64_MAX);
    uint64_t deleted = 99;
    vme_error* err = nullptr;
    const vme_status st = vme_delete_series(db.get(), q.get(), &deleted, &err);
    vme_error_free(err);
    REQUIRE(st != VME_OK, "vme_delete_series without matchers succeeded (deleted %" PRIu64 ")",
            deleted);
  }

  QueryPtr q = MakeQuery(0, INT64_MAX);
  REQUIRE_VME(vme_query_add_selector(q.get(), "del{id=\"2\"}", &err));
  uint64_t deleted = 0;
  REQUIRE_VME(vme_delete_series(db.get(), q.get(), &deleted, &err));
  REQUIRE(deleted == 1, "vme_delete_series deleted %" PRIu64 " series, want 1", deleted);
  std::vector<Row> left = r1;
  left.insert(left.end(), r3.begin(), r3.end());
  RETURN_IF_FAILED(CheckDeleteState(db.get(), left, 2, {"1", "3"}, "right after delete"));

  REQUIRE_VME(vme_force_merge(db.get(), nullptr, &err));
  RETURN_IF_FAILED(StatValue(db.get(), "rows", &rows));
  REQUIRE(rows == 20, "stats rows = %g after force merge, want 20 (30 - the 10 deleted)", rows);
  RETURN_IF_FAILED(CheckDeleteState(db.get(), left, 2, {"1", "3"}, "after force merge"));
  REQUIRE_VME(vme_delete_series(db.get(), q.get(), &deleted, &err));
  REQUIRE(deleted == 0, "deleting again deleted %" PRIu64 " series, want 0", deleted);

  // The same labels again: a new series with only the new samples.
  const auto r2new = DelRows(2, 1000, 3, 900);
  RETURN_IF_FAILED(AddRows(db.get(), 2, r2new));
  std::vector<Row> now = left;
  now.insert(now.end(), r2new.begin(), r2new.end());
  RETURN_IF_FAILED(CheckDeleteState(db.get(), now, 3, {"1", "2", "3"}, "after re-adding"));
  std::vector<Row> only2;
  RETURN_IF_FAILED(ExportSelector(db.get(), "del{id=\"2\"}", 0, INT64_MAX, &only2));
  RETURN_IF_FAILED(CompareRows(only2, r2new, "re-added series"));
  double created = 0;
  RETURN_IF_FAILED(StatValue(db.get(), "new_series_created", &created));
  REQUIRE(created == 4, "new_series_created = %g, want 4 (3 + the re-added one)", created);
  RETURN_IF_FAILED(CloseDb(&db));

  RETURN_IF_FAILED(OpenDb(dir, {}, &db));
  RETURN_IF_FAILED(CheckDeleteState(db.get(), now, 3, {"1", "2", "3"}, "after reopen"));
  REQUIRE_VME(vme_force_merge(db.get(), nullptr, &err));
  RETURN_IF_FAILED(StatValue(db.get(), "rows", &rows));
  REQUIRE(rows == 23, "stats rows = %g after the second force merge, want 23", rows);
  RETURN_IF_FAILED(CheckDeleteState(db.get(), now, 3, {"1", "2", "3"}, "after reopen and merge"));
  double bg = 0;
  RETURN_IF_FAILED(StatValue(db.get(), "background_errors", &bg));
  REQUIRE(bg == 0, "background_errors = %g", bg);
  RETURN_IF_FAILED(CloseDb(&db));
  return "";
}

void TestDedupVectors() { RUN(Dedup()); }
void TestNoDedup() { RUN(NoDedup()); }
void TestDelete() { RUN(Delete()); }

}  // namespace

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestDedupVectors),
      VME_TEST(TestNoDedup),
      VME_TEST(TestDelete),
  };
  const int rc = vme::test::RunTests(tests, argc, argv);
  vme_library_shutdown();
  return rc;
}
