// Force merge of the data directories written by real VictoriaMetrics 1.72
// (Storage.ForceMergePartitions in lib/storage/storage.go): after vme_force_merge the export equals
// expected_after_force_merge.csv on (metric, timestamp_ms, value_bits) — in "special"
// cross_part_scale's 1e-10 becomes 0 because the merged block is re-encoded with one exponent —
// each partition has one part, the replaced part directories are gone, and the result survives a
// reopen. A prefix matching no partition changes nothing.
#include <cinttypes>
#include <string>
#include <vector>

#include "capi_test_util.h"
#include "test_util.h"

namespace {

using namespace vme::test;  // NOLINT

std::string PartsOf(vme_db* db, const std::string& partition, double* parts) {
  StatsMap stats;
  RETURN_IF_FAILED(ReadStats(db, &stats));
  return PartitionParts(stats, partition, parts);
}

std::string ForceMergeGolden(const std::string& set, size_t parts_before) {
  std::vector<Row> before, after;
  RETURN_IF_FAILED(ReadExpectedCsv(GoldenSetDir(set) + "/expected.csv", &before));
  RETURN_IF_FAILED(ReadExpectedCsv(GoldenSetDir(set) + "/expected_after_force_merge.csv", &after));
  REQUIRE(!before.empty() && before.size() == after.size(), "%s: %zu / %zu expected rows",
          set.c_str(), before.size(), after.size());

  TempDir tmp;
  const std::string dir = tmp.path() + "/storage";
  RETURN_IF_FAILED(CopyTree(GoldenSetDir(set) + "/storage", dir, /*follow_symlinks=*/false));
  REQUIRE(PartDirs(dir, "2026_01").size() == parts_before, "%s: %zu part directories in the copy",
          set.c_str(), PartDirs(dir, "2026_01").size());

  DbPtr db;
  RETURN_IF_FAILED(OpenDb(dir, {}, &db));
  double parts = 0;
  RETURN_IF_FAILED(PartsOf(db.get(), "2026_01", &parts));
  REQUIRE(parts == static_cast<double>(parts_before), "%s: %g parts after open, want %zu",
          set.c_str(), parts, parts_before);

  // A prefix that matches no partition leaves everything as it was.
  REQUIRE_VME(vme_force_merge(db.get(), "2025", &err));
  RETURN_IF_FAILED(PartsOf(db.get(), "2026_01", &parts));
  REQUIRE(parts == static_cast<double>(parts_before),
          "%s: %g parts after vme_force_merge(\"2025\"), want %zu", set.c_str(), parts,
          parts_before);
  std::vector<Row> got;
  RETURN_IF_FAILED(ExportAll(db.get(), &got));
  RETURN_IF_FAILED(CompareRows(got, before, set + " after force merge of no partition"));

  REQUIRE_VME(vme_force_merge(db.get(), "2026_0", &err));
  RETURN_IF_FAILED(PartsOf(db.get(), "2026_01", &parts));
  REQUIRE(parts == 1, "%s: %g parts after force merge, want 1", set.c_str(), parts);
  got.clear();
  RETURN_IF_FAILED(ExportAll(db.get(), &got));
  RETURN_IF_FAILED(CompareRows(got, after, set + " after force merge"));
  double rows = 0;
  RETURN_IF_FAILED(StatValue(db.get(), "rows", &rows));
  REQUIRE(rows == static_cast<double>(after.size()), "%s: stats rows = %g, want %zu", set.c_str(),
          rows, after.size());
  double bg = 0;
  RETURN_IF_FAILED(StatValue(db.get(), "background_errors", &bg));
  REQUIRE(bg == 0, "%s: background_errors = %g", set.c_str(), bg);
  RETURN_IF_FAILED(CloseDb(&db));

  const auto dirs = PartDirs(dir, "2026_01");
  REQUIRE(dirs.size() == 1, "%s: %zu part directories after close, want 1 (first: %s)", set.c_str(),
          dirs.size(), dirs.empty() ? "" : dirs[0].c_str());
  for (const char* side : {"small", "big"}) {
    for (const char* sub : {"tmp", "txn"}) {
      const std::string d = dir + "/data/" + side + "/2026_01/" + sub;
      REQUIRE(ListDir(d).empty(), "%s: %s is not empty after close", set.c_str(), d.c_str());
    }
  }

  for (int round = 0; round < 2; round++) {
    RETURN_IF_FAILED(OpenDb(dir, {}, &db));
    RETURN_IF_FAILED(PartsOf(db.get(), "2026_01", &parts));
    REQUIRE(parts == 1, "%s: %g parts after reopen, want 1", set.c_str(), parts);
    got.clear();
    RETURN_IF_FAILED(ExportAll(db.get(), &got));
    RETURN_IF_FAILED(CompareRows(got, after, set + " after force merge and reopen"));
    if (round == 0) {
      // Merging a single part again changes nothing.
      REQUIRE_VME(vme_force_merge(db.get(), nullptr, &err));
      got.clear();
      RETURN_IF_FAILED(ExportAll(db.get(), &got));
      RETURN_IF_FAILED(CompareRows(got, after, set + " after a second force merge"));
    }
    RETURN_IF_FAILED(CloseDb(&db));
  }
  return "";
}

void TestSpecial() { RUN(ForceMergeGolden("special", 3)); }
void TestSmall() { RUN(ForceMergeGolden("small", 4)); }

void TestExpectedFiles() {
  std::vector<Row> before, after;
  RUN(ReadExpectedCsv(GoldenSetDir("special") + "/expected.csv", &before));
  RUN(ReadExpectedCsv(GoldenSetDir("special") + "/expected_after_force_merge.csv", &after));
  REQUIRE_EQ(before.size(), 136);
  REQUIRE_EQ(after.size(), 136);
  size_t diffs = 0;
  for (size_t i = 0; i < before.size(); i++) {
    if (before[i] == after[i]) continue;
    diffs++;
    REQUIRE_EQ(after[i].metric.c_str(), "special{kind=\"cross_part_scale\"}");
    REQUIRE(after[i].ts == kT0);
    REQUIRE(before[i].bits == DoubleBits(1e-10));
    REQUIRE(after[i].bits == 0);
  }
  REQUIRE_EQ(diffs, 1);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestExpectedFiles),
      VME_TEST(TestSpecial),
      VME_TEST(TestSmall),
  };
  const int rc = vme::test::RunTests(tests, argc, argv);
  vme_library_shutdown();
  return rc;
}
