// Reads the data directories written by real VictoriaMetrics 1.72 (tests/data/vm172/*) through
// the C API and compares a full export with expected.csv on (metric, timestamp_ms, value_bits).
#include <algorithm>
#include <cinttypes>
#include <filesystem>
#include <string>
#include <vector>

#include "capi_test_util.h"
#include "test_util.h"

namespace {

using namespace vme::test;  // NOLINT

// Opens dir, compares its export with expected, closes, reopens and compares again.
std::string CheckDir(const std::string& dir, const std::vector<Row>& expected,
                     const std::string& what) {
  std::vector<Row> first;
  {
    DbPtr db;
    RETURN_IF_FAILED(OpenDb(dir, {}, &db));
    RETURN_IF_FAILED(ExportAll(db.get(), &first));
    RETURN_IF_FAILED(CompareRows(first, expected, what));
    uint64_t count = 0;
    RETURN_IF_FAILED(SeriesCount(db.get(), nullptr, &count));
    std::vector<std::string> names;
    for (const auto& r : expected) names.push_back(r.metric);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    REQUIRE(count == names.size(), "%s: vme_series_count = %" PRIu64 ", want %zu", what.c_str(),
            count, names.size());
    RETURN_IF_FAILED(CloseDb(&db));
  }
  DbPtr db;
  RETURN_IF_FAILED(OpenDb(dir, {}, &db));
  std::vector<Row> second;
  RETURN_IF_FAILED(ExportAll(db.get(), &second));
  RETURN_IF_FAILED(CompareRows(second, first, what + " after reopen"));
  RETURN_IF_FAILED(CloseDb(&db));
  return "";
}

std::string ReadExpected(const std::string& set, std::vector<Row>* expected) {
  return ReadExpectedCsv(GoldenSetDir(set) + "/expected.csv", expected);
}

std::string GoldenStorage(const std::string& set) {
  std::vector<Row> expected;
  RETURN_IF_FAILED(ReadExpected(set, &expected));
  REQUIRE(!expected.empty(), "%s: empty expected.csv", set.c_str());
  TempDir tmp;
  const std::string dir = tmp.path() + "/storage";
  RETURN_IF_FAILED(CopyTree(GoldenSetDir(set) + "/storage", dir, /*follow_symlinks=*/false));
  return CheckDir(dir, expected, set + " storage copy");
}

std::string GoldenWithoutCache(const std::string& set) {
  std::vector<Row> expected;
  RETURN_IF_FAILED(ReadExpected(set, &expected));
  TempDir tmp;
  const std::string dir = tmp.path() + "/storage";
  RETURN_IF_FAILED(CopyTree(GoldenSetDir(set) + "/storage", dir, /*follow_symlinks=*/false));
  std::error_code ec;
  fs::remove_all(dir + "/cache", ec);
  REQUIRE(!ec, "removing cache/: %s", ec.message().c_str());
  REQUIRE(!fs::exists(dir + "/cache"), "cache/ still there");
  return CheckDir(dir, expected, set + " copy without cache/");
}

std::string GoldenSnapshot(const std::string& set) {
  std::vector<Row> expected;
  RETURN_IF_FAILED(ReadExpected(set, &expected));
  std::vector<fs::path> snaps;
  for (const auto& e : fs::directory_iterator(GoldenSetDir(set) + "/storage/snapshots")) {
    if (e.is_directory()) snaps.push_back(e.path());
  }
  REQUIRE(snaps.size() == 1, "%s: %zu snapshots, want exactly one", set.c_str(), snaps.size());
  TempDir tmp;
  const std::string dir = tmp.path() + "/snapshot";
  // Following links skips the dangling data/big link a git checkout has.
  RETURN_IF_FAILED(CopyTree(snaps[0], dir, /*follow_symlinks=*/true));
  REQUIRE(fs::is_directory(dir + "/data/small") && !fs::is_symlink(dir + "/data/small"),
          "the snapshot copy has no real data/small");
  REQUIRE(fs::is_directory(dir + "/indexdb") && !fs::is_symlink(dir + "/indexdb"),
          "the snapshot copy has no real indexdb");
  REQUIRE(fs::is_directory(dir + "/data/small/2026_01"), "the snapshot copy has no parts");
  return CheckDir(dir, expected, set + " snapshot copy");
}

void TestSmallStorage() { RUN(GoldenStorage("small")); }
void TestSpecialStorage() { RUN(GoldenStorage("special")); }
void TestSmallWithoutCache() { RUN(GoldenWithoutCache("small")); }
void TestSpecialWithoutCache() { RUN(GoldenWithoutCache("special")); }
void TestSmallSnapshot() { RUN(GoldenSnapshot("small")); }

void TestExpectedFilesParse() {
  std::vector<Row> small, special;
  RUN(ReadExpected("small", &small));
  RUN(ReadExpected("special", &special));
  REQUIRE_EQ(small.size(), 2000);
  REQUIRE_EQ(special.size(), 136);
  REQUIRE_EQ(small[0].metric.c_str(), "golden_m0{id=\"00\",parity=\"even\"}");
  REQUIRE(small[0].ts == 1767225600000);
  REQUIRE(small[0].bits == 0x40592e147ae147aeULL);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestExpectedFilesParse),  VME_TEST(TestSmallStorage),
      VME_TEST(TestSpecialStorage),      VME_TEST(TestSmallWithoutCache),
      VME_TEST(TestSpecialWithoutCache), VME_TEST(TestSmallSnapshot),
  };
  int rc = vme::test::RunTests(tests, argc, argv);
  vme_library_shutdown();
  return rc;
}
