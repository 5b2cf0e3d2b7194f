// The whole-directory check and repair of `vmengine check` (storage/storage_check.h):
//  * directories written by vmengine and by VictoriaMetrics 1.72 check clean, and checking writes
//    nothing (the tree is byte- and mtime-identical afterwards);
//  * a corrupt part is reported and --repair moves it to quarantine/<its relative path>, after
//    which the directory checks clean and opens;
//  * index <-> data: a data series without MetricName, a per-day MetricID that does not resolve
//    (both unrepairable, still reported after repair), and data on a date without per-day entry
//    (repair adds it from the series' MetricName and TSID);
//  * leftovers: tmp parts (warnings, removed by repair), a malformed txn file and a directory
//    that is no partition (problems, moved to quarantine by repair; the directory opens after);
//  * a directory held by a writer is checked (writer_active) but not repaired.
#include <filesystem>
#include <string>
#include <vector>

#include "capi_test_util.h"
#include "check.h"
#include "open_test_util.h"
#include "storage/index_db.h"
#include "storage/part.h"
#include "storage/storage_check.h"
#include "test_util.h"
#include "util/fs.h"

namespace {

namespace sfs = std::filesystem;
using namespace vme::test;  // NOLINT
using vme::storage::CheckStorage;
using vme::storage::RepairStorage;
using vme::storage::StorageCheckOptions;
using vme::storage::StorageCheckReport;

constexpr int kSeries = 40;

Labels SeriesLabels(int i) { return {{"__name__", "chk"}, {"id", std::to_string(i)}}; }

// kSeries series with samples on 2026-01-01 and 2026-01-02; with day5, also one more series
// (id "extra") on 2026-01-06.
void WriteDb(const std::string& dir, bool day5 = false) {
  DbPtr db;
  RUN(OpenDb(dir, {{"background", "0"}}, &db));
  RowBatch b;
  for (int day = 0; day < 2; day++) {
    for (int i = 0; i < kSeries; i++) {
      for (int k = 0; k < 10; k++) {
        b.Add(PackKey(SeriesLabels(i)), kT0 + day * kDayMs + k * 60000, i * 10 + k);
      }
    }
  }
  if (day5) b.Add(PackKey({{"__name__", "chk"}, {"id", "extra"}}), kT0 + 5 * kDayMs + 500, 1);
  RUN(AddBatchAllAccepted(db.get(), b));
  RUN(CloseDb(&db));
}

std::string Describe(const StorageCheckReport& r) {
  std::string s;
  for (const auto& p : r.parts) {
    for (const auto& pr : p.result.problems) s += "part " + p.rel_path + ": " + pr.message + "\n";
  }
  for (const auto& pr : r.problems)
    s += "problem " + pr.path + " " + pr.file + ": " + pr.message + "\n";
  for (const auto& pr : r.warnings)
    s += "warning " + pr.path + " " + pr.file + ": " + pr.message + "\n";
  for (const auto& a : r.repairs) s += "repair: " + a + "\n";
  return s.empty() ? "clean" : s;
}

StorageCheckReport Check(const std::string& dir) {
  auto r = CheckStorage(dir, StorageCheckOptions{});
  REQUIRE_OK(r);
  return std::move(r).value();
}

StorageCheckReport Repair(const std::string& dir) {
  const StorageCheckReport first = Check(dir);
  auto r = RepairStorage(dir, first, StorageCheckOptions{});
  REQUIRE_OK(r);
  return std::move(r).value();
}

std::vector<std::string> DataParts(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : sfs::recursive_directory_iterator(dir + "/data")) {
    const std::string n = e.path().filename().string();
    if (e.is_directory() && std::count(n.begin(), n.end(), '_') == 4) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string NewestGeneration(const std::string& dir) {
  std::string best;
  for (const auto& e : sfs::directory_iterator(dir + "/indexdb")) {
    const std::string n = e.path().filename().string();
    if (n.size() == 16 && n > best) best = n;
  }
  REQUIRE(!best.empty());
  return dir + "/indexdb/" + best;
}

// Writes a data part of one block (TSID tsid, 5 samples from ts) into partition 2026_01.
void AddDataPart(const std::string& dir, const vme::storage::TSID& tsid, int64_t ts) {
  std::vector<vme::storage::RawRow> rows;
  for (int k = 0; k < 5; k++) {
    vme::storage::RawRow r;
    r.tsid = tsid;
    r.timestamp = ts + k * 1000;
    r.value = k;
    rows.push_back(r);
  }
  auto p = vme::storage::Part::CreateInmemory(&rows, 0);
  REQUIRE_OK(p);
  REQUIRE_OK((*p)->inmemory()->StoreToDisk(dir + "/data/small/2026_01/" +
                                           (*p)->header().DirName(0xABCDEF)));
}

// The TSID of the first block of the first data part.
vme::storage::TSID SomeTSID(const std::string& dir) {
  auto p = vme::storage::Part::OpenFile(DataParts(dir).front());
  REQUIRE_OK(p);
  return (*p)->metaindex().front().tsid;
}

bool HasProblem(const StorageCheckReport& r, const std::string& needle) {
  for (const auto& pr : r.problems) {
    if (pr.message.find(needle) != std::string::npos) return true;
  }
  return false;
}

void TestOwnDirCleanAndReadOnly() {
  ScratchDir t;
  const std::string dir = t / "db";
  WriteDb(dir);
  const std::string before = TreeSnapshot(dir);
  const StorageCheckReport r = Check(dir);
  REQUIRE(r.ProblemCount() == 0 && r.warnings.empty(), "%s", Describe(r).c_str());
  REQUIRE_EQ(r.series, kSeries);
  REQUIRE_EQ(r.data_rows, kSeries * 20);
  REQUIRE(!r.writer_active);
  bool data = false, idb = false;
  for (const auto& p : r.parts) {
    (p.kind == vme::storage::CheckedPart::Kind::kData ? data : idb) = true;
  }
  REQUIRE(data && idb);
  REQUIRE_EQ(TreeSnapshot(dir), before);
}

void TestVm172Clean() {
  ScratchDir t;
  const std::string dir = t / "vm";
  sfs::copy(std::string(VME_TESTDATA_DIR) + "/vm172/small/storage", dir,
            sfs::copy_options::recursive | sfs::copy_options::copy_symlinks);
  const std::string before = TreeSnapshot(dir);
  const StorageCheckReport r = Check(dir);
  REQUIRE(r.ProblemCount() == 0 && r.warnings.empty(), "%s", Describe(r).c_str());
  REQUIRE_EQ(r.parts.size(), 5);  // 4 data parts, 1 indexdb part
  REQUIRE_EQ(r.data_rows, 2000);
  REQUIRE_EQ(r.series, 20);
  REQUIRE_EQ(TreeSnapshot(dir), before);
}

void TestNotADataDirectory() {
  ScratchDir t;
  auto r = CheckStorage(t.path(), StorageCheckOptions{});
  REQUIRE(!r.ok() && r.status().code() == vme::Code::kNotFound, "%s", r.status().message().c_str());
  r = CheckStorage(t / "missing", StorageCheckOptions{});
  REQUIRE(!r.ok() && r.status().code() == vme::Code::kNotFound);
}

void TestCorruptPartQuarantined() {
  ScratchDir t;
  const std::string dir = t / "db";
  WriteDb(dir);
  const std::string part = DataParts(dir).front();
  const std::string rel = part.substr(dir.size() + 1);
  {
    auto data = vme::fs::ReadFile(part + "/index.bin");
    REQUIRE_OK(data);
    (*data)[0] ^= 0x5a;
    REQUIRE_OK(vme::fs::WriteFileAtomically(part + "/index.bin", *data, true));
  }
  const StorageCheckReport r = Check(dir);
  REQUIRE_EQ(r.ProblemCount(), 1);
  bool found = false;
  for (const auto& p : r.parts) {
    if (p.result.ok()) continue;
    found = true;
    REQUIRE_EQ(p.rel_path, rel);
    REQUIRE_EQ(p.result.problems[0].file, "index.bin");
    REQUIRE_EQ(p.result.problems[0].offset, 0);
  }
  REQUIRE(found);
  const StorageCheckReport after = Repair(dir);
  REQUIRE(after.ProblemCount() == 0, "%s", Describe(after).c_str());
  REQUIRE(!after.repairs.empty());
  REQUIRE(!PathExists(part));
  REQUIRE(PathExists(dir + "/quarantine/" + rel + "/index.bin"));
  REQUIRE(Check(dir).ProblemCount() == 0);
  // The directory still opens and serves the other parts.
  DbPtr db;
  RUN(OpenDb(dir, {{"background", "0"}}, &db));
  RUN(CloseDb(&db));
}

void TestDataSeriesWithoutMetricName() {
  ScratchDir t;
  const std::string dir = t / "db";
  WriteDb(dir);
  AddDataPart(dir, vme::storage::TSID{0, 0, 1, 2, 3, 987654321}, kT0 + 5000);
  const StorageCheckReport r = Check(dir);
  REQUIRE(HasProblem(r, "MetricID 987654321 has data but no MetricID -> MetricName"), "%s",
          Describe(r).c_str());
  for (const auto& pr : r.problems) {
    REQUIRE(pr.path.find("_0000000000ABCDEF") != std::string::npos, "%s", pr.path.c_str());
  }
  const StorageCheckReport after = Repair(dir);
  REQUIRE(HasProblem(after, "MetricID 987654321 has data but no MetricID -> MetricName"), "%s",
          Describe(after).c_str());
  bool said = false;
  for (const auto& a : after.repairs) said |= a.find("could not add") != std::string::npos;
  REQUIRE(said, "%s", Describe(after).c_str());
}

void TestPerDayEntryDoesNotResolve() {
  ScratchDir t;
  const std::string dir = t / "db";
  WriteDb(dir);
  {
    auto idb = vme::storage::IndexDB::Open(NewestGeneration(dir));
    REQUIRE_OK(idb);
    std::string item(1, static_cast<char>(vme::storage::kNsDateToMetricID));
    vme::enc::AppendU32(&item, 0);
    vme::enc::AppendU32(&item, 0);
    vme::enc::AppendU64(&item, static_cast<uint64_t>(kT0 / kDayMs));
    vme::enc::AppendU64(&item, 555555);
    REQUIRE_OK((*idb)->AddItems(std::vector<std::string>{item}));
    REQUIRE_OK((*idb)->table().Close());
  }
  const StorageCheckReport r = Check(dir);
  REQUIRE_EQ(r.ProblemCount(), 1);
  REQUIRE(HasProblem(r, "MetricID 555555) does not resolve"), "%s", Describe(r).c_str());
  REQUIRE(r.problems[0].path.find(NewestGeneration(dir)) == 0, "%s", r.problems[0].path.c_str());
  REQUIRE_EQ(r.problems[0].file, "items.bin");
  const StorageCheckReport after = Repair(dir);
  REQUIRE(HasProblem(after, "MetricID 555555) does not resolve"), "%s", Describe(after).c_str());
}

// Series count of the query over [min, max].
std::string CountSeries(vme_db* db, int64_t min_ts, int64_t max_ts, size_t* n) {
  std::vector<Row> rows;
  std::vector<std::string> names;
  RETURN_IF_FAILED(ExportSelector(db, "chk", min_ts, max_ts, &rows, &names));
  *n = names.size();
  return "";
}

void TestMissingPerDayEntryRebuilt() {
  ScratchDir t;
  const std::string dir = t / "db";
  WriteDb(dir, /*day5=*/true);
  const int64_t day5 = kT0 + 5 * kDayMs;
  AddDataPart(dir, SomeTSID(dir), day5 + 1000);
  const StorageCheckReport r = Check(dir);
  REQUIRE(r.ProblemCount() == 1, "%s", Describe(r).c_str());
  REQUIRE(HasProblem(r, "has data on date " + std::to_string(day5 / kDayMs)), "%s",
          Describe(r).c_str());
  REQUIRE_EQ(r.missing_per_day.size(), 1);
  const vme::storage::TSID tsid = SomeTSID(dir);
  auto has_entry = [&] {
    auto idb = vme::storage::IndexDB::Open(NewestGeneration(dir), /*read_only=*/true);
    REQUIRE_OK(idb);
    auto has = (*idb)->HasDateMetricID(static_cast<uint64_t>(day5 / kDayMs), 0, 0, tsid.metric_id);
    REQUIRE_OK(has);
    return *has;
  };
  REQUIRE(!has_entry());
  const StorageCheckReport after = Repair(dir);
  REQUIRE(after.ProblemCount() == 0, "%s", Describe(after).c_str());
  REQUIRE(has_entry());
  // The directory opens and the series is found over that day.
  DbPtr db;
  RUN(OpenDb(dir, {{"background", "0"}, {"read_only", "1"}}, &db));
  size_t n = 0;
  RUN(CountSeries(db.get(), day5, day5 + kDayMs - 1, &n));
  REQUIRE_EQ(n, 2);
  RUN(CloseDb(&db));
}

void TestLeftovers() {
  ScratchDir t;
  const std::string dir = t / "db";
  WriteDb(dir);
  const std::string pdir = dir + "/data/small/2026_01";
  WriteText(pdir + "/tmp/0000000000000001/values.bin", "junk");
  WriteText(pdir + "/txn/0000000000000002", "not a transaction\n");
  WriteText(dir + "/data/big/backup/x", "x");
  const StorageCheckReport r = Check(dir);
  REQUIRE(r.ProblemCount() == 2, "%s", Describe(r).c_str());
  std::vector<std::string> files = {r.problems[0].file, r.problems[1].file};
  std::sort(files.begin(), files.end());
  REQUIRE_EQ(files[0], "0000000000000002");
  REQUIRE_EQ(files[1], "backup");
  REQUIRE_EQ(r.warnings.size(), 1);
  REQUIRE_EQ(r.warnings[0].file, "0000000000000001");
  const StorageCheckReport after = Repair(dir);
  REQUIRE(after.ProblemCount() == 0 && after.warnings.empty(), "%s", Describe(after).c_str());
  REQUIRE(!PathExists(pdir + "/tmp/0000000000000001"));
  REQUIRE(PathExists(dir + "/quarantine/data/small/2026_01/txn/0000000000000002"));
  REQUIRE(PathExists(dir + "/quarantine/data/big/backup/x"));
  DbPtr db;
  RUN(OpenDb(dir, {{"background", "0"}}, &db));
  RUN(CloseDb(&db));
}

void TestWriterActive() {
  ScratchDir t;
  const std::string dir = t / "db";
  WriteDb(dir);
  DbPtr db;
  RUN(OpenDb(dir, {{"background", "0"}}, &db));
  const StorageCheckReport r = Check(dir);
  REQUIRE(r.writer_active);
  REQUIRE(r.ProblemCount() == 0, "%s", Describe(r).c_str());
  auto rr = RepairStorage(dir, r, StorageCheckOptions{});
  REQUIRE(!rr.ok() && rr.status().code() == vme::Code::kLocked, "%s",
          rr.status().message().c_str());
  RUN(CloseDb(&db));
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestOwnDirCleanAndReadOnly), VME_TEST(TestVm172Clean),
       VME_TEST(TestNotADataDirectory), VME_TEST(TestCorruptPartQuarantined),
       VME_TEST(TestDataSeriesWithoutMetricName), VME_TEST(TestPerDayEntryDoesNotResolve),
       VME_TEST(TestMissingPerDayEntryRebuilt), VME_TEST(TestLeftovers),
       VME_TEST(TestWriterActive)},
      argc, argv);
}
