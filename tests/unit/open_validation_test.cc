// Opening a data directory refuses entries whose data would otherwise silently vanish: a
// directory under data/small or data/big that is not a partition name YYYY_MM with a month
// 01..12, dangling partition or part symlinks (data and indexdb). As VictoriaMetrics 1.72
// (table.populatePartitionNamesFromDir, partition.openParts), `snapshots`, and in partitions
// `tmp` and `txn`, are skipped, and so are entries that are neither directories nor symlinks.
#include <filesystem>
#include <string>
#include <vector>

#include "check.h"
#include "open_test_util.h"
#include "storage/storage.h"

namespace {

using vme::Code;
using vme::storage::Storage;
using vme::storage::StorageOptions;
using vme::test::ScratchDir;
using vme::test::WriteText;

StorageOptions Opts() {
  StorageOptions o;
  o.background = false;
  return o;
}

// Creates an empty storage at path and closes it.
void Create(const std::string& path) {
  auto s = Storage::Open(path, Opts());
  REQUIRE_OK(s);
  REQUIRE_OK((*s)->Close());
}

void RequireCorruptionNaming(const std::string& path, const std::string& entry) {
  auto s = Storage::Open(path, Opts());
  REQUIRE(!s.ok(), "open succeeded with %s", entry.c_str());
  REQUIRE_EQ(static_cast<int>(s.status().code()), static_cast<int>(Code::kCorruption));
  REQUIRE(s.status().message().find(entry) != std::string::npos, "%s",
          s.status().message().c_str());
}

void TestBadPartitionNames() {
  for (const char* bad : {"small/2026_13", "big/2026_00", "small/garbage", "big/2026_1x",
                          "small/20260_01", "small/tmp"}) {
    ScratchDir d;
    Create(d.path());
    std::filesystem::create_directories(d / "data/" + bad);
    RequireCorruptionNaming(d.path(), bad);
  }
}

void TestSkippedEntries() {
  ScratchDir d;
  Create(d.path());
  // Files are not partitions (VictoriaMetrics skips non-directories), nor are snapshots.
  WriteText(d / "data/small/README", "notes");
  WriteText(d / "data/big/2026_13", "a file, not a directory");
  std::filesystem::create_directories(d / "data/small/snapshots/x");
  std::filesystem::create_directories(d / "data/small/2026_01/snapshots");
  WriteText(d / "data/small/2026_01/notes.txt", "a file in a partition");
  auto s = Storage::Open(d.path(), Opts());
  REQUIRE_OK(s);
  REQUIRE_OK((*s)->Close());
}

void TestDanglingPartitionSymlink() {
  ScratchDir d;
  Create(d.path());
  std::filesystem::create_directory_symlink(d / "gone", d / "data/big/2026_02");
  RequireCorruptionNaming(d.path(), "big/2026_02");
}

void TestDanglingPartSymlink() {
  ScratchDir d;
  Create(d.path());
  std::filesystem::create_directories(d / "data/small/2026_01");
  const std::string part = "data/small/2026_01/10_1_20260101000000.000_20260101000001.000_01";
  std::filesystem::create_directory_symlink(d / "moved-away", d / part);
  RequireCorruptionNaming(d.path(), part);
}

void TestDanglingIndexdbPartSymlink() {
  ScratchDir d;
  Create(d.path());
  std::string gen;
  for (const auto& e : std::filesystem::directory_iterator(d / "indexdb")) {
    if (e.path().filename() != "snapshots") gen = e.path().string();
  }
  REQUIRE(!gen.empty());
  const std::string part = gen + "/5_1_0000000000000007";
  std::filesystem::create_directory_symlink(d / "moved-away", part);
  RequireCorruptionNaming(d.path(), part);
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestBadPartitionNames), VME_TEST(TestSkippedEntries),
       VME_TEST(TestDanglingPartitionSymlink), VME_TEST(TestDanglingPartSymlink),
       VME_TEST(TestDanglingIndexdbPartSymlink)},
      argc, argv);
}
