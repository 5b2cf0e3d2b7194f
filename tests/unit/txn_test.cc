// Transaction files (util/txn.h): the parser and its path rule, and replay at open for data
// partitions and mergeset tables. A txn file that names a path outside its partition or table
// directory (`..`, absolute, a sibling partition, through a symlinked directory) must fail
// the open with VME_ERR_CORRUPTION naming the txn file, and leave the victim alone.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "check.h"
#include "mergeset/table.h"
#include "open_test_util.h"
#include "storage/partition.h"
#include "storage/storage.h"
#include "util/txn.h"

namespace {

using vme::Code;
using vme::test::PathExists;
using vme::test::ScratchDir;
using vme::test::WriteText;
namespace txn = vme::txn;

constexpr char kTxn[] = "/txn/0000000000000001";

void RequireCorruptionNaming(const vme::Status& st, const std::string& txn_path) {
  REQUIRE(!st.ok(), "open succeeded");
  REQUIRE_EQ(static_cast<int>(st.code()), static_cast<int>(Code::kCorruption));
  REQUIRE(st.message().find(txn_path) != std::string::npos, "message does not name %s: %s",
          txn_path.c_str(), st.message().c_str());
}

// --- the parser ---

void TestParseValid() {
  const std::vector<std::string> roots = {"/d/small/2026_01", "/d/big/2026_01"};
  auto t = txn::Parse(
      "/d/small/2026_01/a\n/d/big/2026_01/b\n/d/big/2026_01/tmp/01 -> /d/big/2026_01/c\n", roots,
      "T");
  REQUIRE_OK(t);
  REQUIRE_EQ(t->sources.size(), size_t{2});
  REQUIRE_EQ(t->sources[0], std::string("/d/small/2026_01/a"));
  REQUIRE_EQ(t->sources[1], std::string("/d/big/2026_01/b"));
  REQUIRE_EQ(t->tmp, std::string("/d/big/2026_01/tmp/01"));
  REQUIRE_EQ(t->dst, std::string("/d/big/2026_01/c"));
  REQUIRE_EQ(txn::Format(*t), std::string("/d/small/2026_01/a\n/d/big/2026_01/b\n"
                                          "/d/big/2026_01/tmp/01 -> /d/big/2026_01/c\n"));
  // Normalisation: "." and ".." that stay inside, trailing '/', no final newline.
  t = txn::Parse("/d/t/./a\n/d/t/x/../b/\n/d/t/tmp/1 -> /d/t/c", {"/d/t/"}, "T");
  REQUIRE_OK(t);
  REQUIRE_EQ(t->sources[0], std::string("/d/t/a"));
  REQUIRE_EQ(t->sources[1], std::string("/d/t/b"));
  REQUIRE_EQ(t->dst, std::string("/d/t/c"));
}

void TestParseEmptyDestination() {
  auto t = txn::Parse("/d/t/a\n/d/t/tmp/1 -> \n", {"/d/t"}, "T");
  REQUIRE_OK(t);
  REQUIRE_EQ(t->sources.size(), size_t{1});
  REQUIRE_EQ(t->tmp, std::string("/d/t/tmp/1"));
  REQUIRE(t->dst.empty());
  REQUIRE_EQ(txn::Format(*t), std::string("/d/t/a\n/d/t/tmp/1 -> \n"));
}

void TestParseRejects() {
  const std::vector<std::string> roots = {"/d/small/2026_01", "/d/big/2026_01"};
  struct Case {
    std::string text;
    int line;
  };
  const std::string tail = "/d/small/2026_01/tmp/1 -> /d/small/2026_01/p\n";
  const std::vector<Case> cases = {
      {"", 0},
      {"\n", 1},
      {"/d/small/2026_01/tmp/1 /d/small/2026_01/p\n", 1},
      {"/d/small/2026_01/tmp/1 -> /d/small/2026_01/p -> /x\n", 1},
      {"/d/small/2026_01/../../../victim\n" + tail, 1},
      {"/d/small/2026_01/tmp/../../../victim\n" + tail, 1},
      {"/etc/passwd\n" + tail, 1},
      {"victim\n" + tail, 1},
      {"\n" + tail, 1},
      {"/d/small/2026_01/a\n/d/small/2026_02/p\n" + tail, 2},
      {"/d/small/2026_01/a/nested\n" + tail, 1},
      {"/d/small/2026_01\n" + tail, 1},
      {"/d/small/2026_01/tmp\n" + tail, 1},
      {"/d/small/2026_01/txn\n" + tail, 1},
      {"/d/small/2026_01/snapshots\n" + tail, 1},
      {"/d/small/2026_01/.\n" + tail, 1},
      {std::string("/d/small/2026_01/a") + '\0' + "/../../x\n" + tail, 1},
      {"/d/small/2026_01/a\n/d/small/2026_01/tmp/1 -> /d/small/2026_01/../../victim\n", 2},
      {"/d/victim -> /d/small/2026_01/p\n", 1},
      {"/d/small/2026_01/q -> /d/small/2026_01/p\n", 1},
      {"/d/small/2026_01/tmp/1 -> /d/big/2026_01/p\n", 1},
      {"/d/small/2026_01/tmp/1 -> /d/small/2026_01/tmp\n", 1},
      {"/d/small/2026_01/tmp/x/y -> /d/small/2026_01/p\n", 1},
      {"/d/small/2026_01/tmp/.. -> /d/small/2026_01/p\n", 1},
      // Normalised to "tmp/x ->", which would be written back as "tmp/x -> -> ..." (fuzz).
      {"/d/small/2026_01/tmp/x ->/ -> /d/small/2026_01/p\n", 1},
  };
  for (const auto& c : cases) {
    auto t = txn::Parse(c.text, roots, "/d/small/2026_01/txn/X");
    REQUIRE(!t.ok(), "accepted: %s", c.text.c_str());
    REQUIRE_EQ(static_cast<int>(t.status().code()), static_cast<int>(Code::kCorruption));
    const std::string& m = t.status().message();
    REQUIRE(m.find("/d/small/2026_01/txn/X") != std::string::npos, "%s", m.c_str());
    if (c.line > 0) {
      REQUIRE(m.find("line " + std::to_string(c.line)) != std::string::npos, "want line %d: %s",
              c.line, m.c_str());
    }
  }
}

void TestTemporaryFileNames() {
  REQUIRE(txn::IsTemporaryFileName("0000000000000001.tmp.3"));
  REQUIRE(!txn::IsTemporaryFileName("0000000000000001"));
  REQUIRE(!txn::IsTemporaryFileName("0000000000000001.tmp."));
  REQUIRE(!txn::IsTemporaryFileName("0000000000000001.tmp.x"));
}

// --- data partitions ---

struct DataDir {
  ScratchDir base;
  std::string small = base / "data/small";
  std::string big = base / "data/big";
  std::string victim = base / "victim";
  DataDir() {
    std::filesystem::create_directories(small + "/2026_01");
    std::filesystem::create_directories(big + "/2026_01");
    WriteText(victim + "/keep", "precious");
  }
  vme::Status Open(vme::storage::PartitionOptions opts = {}) {
    return vme::storage::Partition::Open(small, big, "2026_01", opts).status();
  }
};

// Opens a partition whose `side` has a txn file whose first line is line(d).
void CheckPartitionTxnRejected(const std::string& side,
                               const std::function<std::string(const DataDir&)>& line) {
  DataDir d;
  const std::string first_line = line(d);
  const std::string dir = (side == "small" ? d.small : d.big) + "/2026_01";
  const std::string txn_path = dir + kTxn;
  WriteText(txn_path, first_line + "\n" + dir + "/tmp/1 -> " + dir + "/p\n");
  RequireCorruptionNaming(d.Open(), txn_path);
  REQUIRE(PathExists(d.victim + "/keep"), "victim removed by %s", first_line.c_str());
}

void TestPartitionDotDotSource() {
  CheckPartitionTxnRejected("small",
                            [](const DataDir& d) { return d.small + "/2026_01/../../../victim"; });
  CheckPartitionTxnRejected("big",
                            [](const DataDir& d) { return d.big + "/2026_01/../../../victim"; });
  CheckPartitionTxnRejected(
      "small", [](const DataDir& d) { return d.small + "/2026_01/tmp/../../../../victim/keep"; });
  // Relative to the working directory, as VictoriaMetrics resolves it.
  CheckPartitionTxnRejected("small", [](const DataDir&) { return std::string("victim"); });
}

void TestPartitionAbsoluteSource() {
  CheckPartitionTxnRejected("small", [](const DataDir& d) { return d.victim; });
  CheckPartitionTxnRejected("big", [](const DataDir& d) { return d.victim + "/keep"; });
}

void TestPartitionSiblingSource() {
  DataDir d;
  WriteText(d.small + "/2026_02/part/keep", "other month");
  const std::string dir = d.small + "/2026_01";
  const std::string txn_path = dir + kTxn;
  WriteText(txn_path, d.small + "/2026_02/part\n" + dir + "/tmp/1 -> " + dir + "/p\n");
  RequireCorruptionNaming(d.Open(), txn_path);
  REQUIRE(PathExists(d.small + "/2026_02/part/keep"));
}

void TestPartitionOutsideTmpAndDestination() {
  DataDir d;
  const std::string dir = d.small + "/2026_01";
  const std::string txn_path = dir + kTxn;
  // tmp outside: the rename would move the victim into the partition.
  WriteText(txn_path, d.victim + " -> " + dir + "/p\n");
  RequireCorruptionNaming(d.Open(), txn_path);
  REQUIRE(PathExists(d.victim + "/keep"));
  // destination outside: the rename would write outside the data directory.
  WriteText(dir + "/tmp/1/f", "x");
  WriteText(txn_path, dir + "/tmp/1 -> " + dir + "/../../../moved\n");
  RequireCorruptionNaming(d.Open(), txn_path);
  REQUIRE(!PathExists(d.base / "moved"));
}

void TestPartitionThroughSymlink() {
  DataDir d;
  // small/2026_01 is a symlink to a directory outside the data directory that holds a txn
  // file naming one of its entries: replaying it would delete inside the link's target.
  const std::string ext = d.base / "ext";
  WriteText(ext + "/victimpart/keep", "precious");
  std::filesystem::remove_all(d.small + "/2026_01");
  std::filesystem::create_directory_symlink(ext, d.small + "/2026_01");
  const std::string dir = d.small + "/2026_01";
  const std::string txn_path = dir + kTxn;
  WriteText(txn_path, dir + "/victimpart\n" + dir + "/tmp/1 -> \n");
  RequireCorruptionNaming(d.Open(), txn_path);
  REQUIRE(PathExists(ext + "/victimpart/keep"));
  REQUIRE(PathExists(ext + "/txn/0000000000000001"));
  // Without a txn file a read-write open still refuses it (it would delete tmp/ and txn/
  // inside the target) ...
  std::filesystem::remove(ext + "/txn/0000000000000001");
  WriteText(ext + "/tmp/keep", "precious");
  vme::Status st = d.Open();
  REQUIRE_EQ(static_cast<int>(st.code()), static_cast<int>(Code::kCorruption));
  REQUIRE(st.message().find(dir) != std::string::npos, "%s", st.message().c_str());
  REQUIRE(PathExists(ext + "/tmp/keep"));
  // ... while a read-only open reads through it (the empty victimpart-less tree is fine).
  std::filesystem::remove_all(ext + "/victimpart");
  vme::storage::PartitionOptions ro;
  ro.read_only = true;
  REQUIRE_OK(d.Open(ro));
  REQUIRE(PathExists(ext + "/tmp/keep"));
}

void TestPartitionValidReplay() {
  DataDir d;
  const std::string dir = d.big + "/2026_01";
  WriteText(d.small + "/2026_01/src1/f", "x");
  WriteText(dir + "/src2/f", "x");
  WriteText(dir + "/tmp/1/f", "x");
  const std::string txn_path = dir + kTxn;
  // A merge whose output was empty: sources and tmp go, the txn file goes.
  WriteText(txn_path, d.small + "/2026_01/src1\n" + dir + "/src2\n" + dir + "/tmp/1 -> \n");
  REQUIRE_OK(d.Open());
  REQUIRE(!PathExists(d.small + "/2026_01/src1"));
  REQUIRE(!PathExists(dir + "/src2"));
  REQUIRE(!PathExists(dir + "/tmp/1"));
  REQUIRE(!PathExists(txn_path));
  REQUIRE(PathExists(d.victim + "/keep"));
}

// --- mergeset tables (indexdb) ---

struct TableDir {
  ScratchDir base;
  std::string table = base / "indexdb/0000000000000001";
  std::string victim = base / "victim";
  TableDir() {
    std::filesystem::create_directories(table);
    WriteText(victim + "/keep", "precious");
  }
  vme::Status Open(bool read_only = false) {
    vme::mergeset::TableOptions opts;
    opts.read_only = read_only;
    auto t = vme::mergeset::Table::Open(table, std::move(opts));
    return t.status();
  }
};

void TestTableDotDotAndAbsolute() {
  for (int k = 0; k < 3; k++) {
    TableDir d;
    const std::string txn_path = d.table + kTxn;
    const std::string src = k == 0   ? d.table + "/../../victim"
                            : k == 1 ? d.victim
                                     : d.base / "indexdb/0000000000000002/part";
    if (k == 2) WriteText(src + "/keep", "sibling generation");
    WriteText(txn_path, src + "\n" + d.table + "/tmp/1 -> " + d.table + "/1_1_0000000000000001\n");
    RequireCorruptionNaming(d.Open(), txn_path);
    REQUIRE(PathExists(d.victim + "/keep"));
    if (k == 2) REQUIRE(PathExists(src + "/keep"));
  }
}

void TestTableThroughSymlink() {
  TableDir d;
  const std::string ext = d.base / "ext";
  WriteText(ext + "/victimpart/keep", "precious");
  std::filesystem::remove_all(d.table);
  std::filesystem::create_directory_symlink(ext, d.table);
  const std::string txn_path = d.table + kTxn;
  WriteText(txn_path, d.table + "/victimpart\n" + d.table + "/tmp/1 -> " + d.table +
                          "/1_1_0000000000000001\n");
  RequireCorruptionNaming(d.Open(), txn_path);
  REQUIRE(PathExists(ext + "/victimpart/keep"));
  REQUIRE(!PathExists(ext + "/flock.lock"));
}

void TestTableValidReplay() {
  TableDir d;
  WriteText(d.table + "/src/f", "x");
  WriteText(d.table + "/tmp/1/f", "x");
  const std::string txn_path = d.table + kTxn;
  WriteText(txn_path, d.table + "/src\n" + d.table + "/tmp/1 -> \n");
  REQUIRE_OK(d.Open());
  REQUIRE(!PathExists(d.table + "/src"));
  REQUIRE(!PathExists(d.table + "/tmp/1"));
  REQUIRE(!PathExists(txn_path));
}

// --- through Storage::Open, read-write and read-only ---

void TestStorageOpenNeverTouchesVictim() {
  ScratchDir d;
  vme::storage::StorageOptions opts;
  opts.background = false;
  {
    auto s = vme::storage::Storage::Open(d.path(), opts);
    REQUIRE_OK(s);
    REQUIRE_OK((*s)->Close());
  }
  const std::string victim = d / "victim";
  WriteText(victim + "/keep", "precious");
  const std::string dir = d / "data/small/2026_01";
  std::filesystem::create_directories(d / "data/big/2026_01");
  const std::string txn_path = dir + kTxn;
  WriteText(txn_path, dir + "/../../../victim\n" + dir + "/tmp/1 -> \n");
  // Read-only: no replay at all; the pending txn file is named.
  opts.read_only = true;
  auto ro = vme::storage::Storage::Open(d.path(), opts);
  REQUIRE(!ro.ok());
  REQUIRE_EQ(static_cast<int>(ro.status().code()), static_cast<int>(Code::kBusy));
  REQUIRE(ro.status().message().find(txn_path) != std::string::npos, "%s",
          ro.status().message().c_str());
  REQUIRE(PathExists(victim + "/keep"));
  // Read-write: the path rule refuses it.
  opts.read_only = false;
  RequireCorruptionNaming(vme::storage::Storage::Open(d.path(), opts).status(), txn_path);
  REQUIRE(PathExists(victim + "/keep"));
  REQUIRE(PathExists(txn_path));
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestParseValid), VME_TEST(TestParseEmptyDestination), VME_TEST(TestParseRejects),
       VME_TEST(TestTemporaryFileNames), VME_TEST(TestPartitionDotDotSource),
       VME_TEST(TestPartitionAbsoluteSource), VME_TEST(TestPartitionSiblingSource),
       VME_TEST(TestPartitionOutsideTmpAndDestination), VME_TEST(TestPartitionThroughSymlink),
       VME_TEST(TestPartitionValidReplay), VME_TEST(TestTableDotDotAndAbsolute),
       VME_TEST(TestTableThroughSymlink), VME_TEST(TestTableValidReplay),
       VME_TEST(TestStorageOpenNeverTouchesVictim)},
      argc, argv);
}
