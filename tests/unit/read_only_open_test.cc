// Read-only opens (PartitionOptions::read_only, mergeset::TableOptions::read_only) do no
// recovery and write nothing: the directory tree (names, sizes, mtimes) is the same after
// the open, missing tmp/ and txn/ are fine, and a pending txn file is VME_ERR_BUSY naming it.
#include <filesystem>
#include <string>
#include <vector>

#include "check.h"
#include "mergeset/table.h"
#include "open_test_util.h"
#include "storage/partition.h"
#include "storage/table.h"

namespace {

using vme::Code;
using vme::test::PathExists;
using vme::test::ScratchDir;
using vme::test::TreeSnapshot;
using vme::test::WriteText;
using namespace vme::storage;  // NOLINT

constexpr int64_t kJan2026 = 1767225600000;  // 2026-01-01T00:00:00Z

// Writes two file parts into partition 2026_01 under base/data and returns the rows count.
uint64_t WritePartition(const std::string& small, const std::string& big) {
  PartitionOptions opts;
  auto p = Partition::Open(small, big, "2026_01", opts);
  REQUIRE_OK(p);
  uint64_t rows = 0;
  for (int flush = 0; flush < 2; flush++) {
    std::vector<RawRow> batch;
    for (uint64_t id = 1; id <= 20; id++) {
      RawRow r;
      r.tsid = TSID{0, 0, 1, 2, 3, id};
      r.timestamp = kJan2026 + static_cast<int64_t>(id) * 1000 + flush;
      r.value = static_cast<double>(id);
      batch.push_back(r);
    }
    REQUIRE_OK((*p)->AddRows(batch.data(), batch.size(), nullptr));
    REQUIRE_OK((*p)->FlushToDisk());
    rows += batch.size();
  }
  REQUIRE_EQ((*p)->Stats().small_parts + (*p)->Stats().big_parts, uint64_t{2});
  return rows;
}

void RequireBusyNaming(const vme::Status& st, const std::string& txn_path) {
  REQUIRE_EQ(static_cast<int>(st.code()), static_cast<int>(Code::kBusy));
  REQUIRE(st.message().find(txn_path) != std::string::npos, "%s", st.message().c_str());
  REQUIRE(st.message().find("read-write") != std::string::npos, "%s", st.message().c_str());
}

void TestPartitionReadOnlyWritesNothing() {
  ScratchDir base;
  const std::string small = base / "data/small", big = base / "data/big";
  const uint64_t rows = WritePartition(small, big);
  // What a read-write open would repair: no tmp/ or txn/ on the small side, a leftover tmp
  // part and an empty part directory on the big side.
  std::filesystem::remove_all(small + "/2026_01/tmp");
  std::filesystem::remove_all(small + "/2026_01/txn");
  WriteText(big + "/2026_01/tmp/0000000000000009/timestamps.bin", "partial");
  std::filesystem::create_directories(big +
                                      "/2026_01/1_1_20260101000000.000_20260101000000.000_01");
  const std::string before = TreeSnapshot(base.path());

  PartitionOptions ro;
  ro.read_only = true;
  auto p = Partition::Open(small, big, "2026_01", ro);
  REQUIRE_OK(p);
  REQUIRE_EQ((*p)->Stats().rows, rows);
  REQUIRE_EQ(static_cast<int>((*p)->AddRows(nullptr, 0, nullptr).code()),
             static_cast<int>(Code::kMisuse));
  p->reset();
  REQUIRE_EQ(TreeSnapshot(base.path()), before);
}

void TestPartitionReadOnlyPendingTxnIsBusy() {
  for (const char* side : {"small", "big"}) {
    ScratchDir base;
    const std::string small = base / "data/small", big = base / "data/big";
    WritePartition(small, big);
    const std::string dir = base / ("data/" + std::string(side) + "/2026_01");
    std::filesystem::create_directories(dir + "/tmp/0000000000000009");
    const std::string txn_path = dir + "/txn/0000000000000009";
    WriteText(txn_path, dir + "/tmp/0000000000000009 -> \n");
    const std::string before = TreeSnapshot(base.path());
    PartitionOptions ro;
    ro.read_only = true;
    RequireBusyNaming(Partition::Open(small, big, "2026_01", ro).status(), txn_path);
    REQUIRE_EQ(TreeSnapshot(base.path()), before);
    REQUIRE(PathExists(dir + "/tmp/0000000000000009"));
  }
}

void TestDataTableReadOnlyCreatesNothing() {
  ScratchDir base;
  const std::string data = base / "data";
  const uint64_t rows = WritePartition(data + "/small", data + "/big");
  std::filesystem::remove_all(data + "/big");  // a copy that lost its big side
  const std::string before = TreeSnapshot(base.path());
  PartitionOptions ro;
  ro.read_only = true;
  {
    auto t = vme::storage::Table::Open(data, ro);
    REQUIRE_OK(t);
    auto parts = (*t)->Partitions();
    REQUIRE_EQ(parts.size(), size_t{1});
    REQUIRE_EQ(parts[0]->Stats().rows, rows);
  }
  REQUIRE_EQ(TreeSnapshot(base.path()), before);
  REQUIRE(!PathExists(data + "/flock.lock"));
  // An empty tree opens read-only as an empty table and stays absent.
  {
    auto t = vme::storage::Table::Open(base / "nothing", ro);
    REQUIRE_OK(t);
    REQUIRE(((*t)->Partitions().empty()));
  }
  REQUIRE(!PathExists(base / "nothing"));
}

std::string WriteTable(const std::string& path, size_t n) {
  auto t = vme::mergeset::Table::Open(path, {});
  REQUIRE_OK(t);
  std::vector<std::string> items;
  for (size_t i = 0; i < n; i++) items.push_back("item-" + std::to_string(i));
  REQUIRE_OK((*t)->AddItems(items));
  REQUIRE_OK((*t)->Close());
  return path;
}

void TestTableReadOnlyWritesNothing() {
  ScratchDir base;
  const std::string table = base / "indexdb/0000000000000001";
  WriteTable(table, 100);
  // What a read-write open would (re)create or repair.
  std::filesystem::remove(table + "/flock.lock");
  std::filesystem::remove(table + "/converted-to-v1.28.0");
  std::filesystem::remove_all(table + "/tmp");
  std::filesystem::remove_all(table + "/txn");
  std::filesystem::create_directories(table + "/5_1_0000000000000007");
  const std::string before = TreeSnapshot(base.path());
  vme::mergeset::TableOptions ro;
  ro.read_only = true;
  {
    auto t = vme::mergeset::Table::Open(table, ro);
    REQUIRE_OK(t);
    REQUIRE_EQ((*t)->Stats().items, uint64_t{100});
    REQUIRE_EQ(static_cast<int>((*t)->AddItems(std::vector<std::string>{"x"}).code()),
               static_cast<int>(Code::kMisuse));
    REQUIRE_OK((*t)->Close());
  }
  REQUIRE_EQ(TreeSnapshot(base.path()), before);
}

void TestTableReadOnlyPendingTxnIsBusy() {
  ScratchDir base;
  const std::string table = base / "indexdb/0000000000000001";
  WriteTable(table, 10);
  std::filesystem::create_directories(table + "/tmp/0000000000000009");
  const std::string txn_path = table + "/txn/0000000000000009";
  WriteText(txn_path, table + "/tmp/0000000000000009 -> \n");
  WriteText(table + "/txn/0000000000000008.tmp.1", "ignored leftover");
  const std::string before = TreeSnapshot(base.path());
  vme::mergeset::TableOptions ro;
  ro.read_only = true;
  RequireBusyNaming(vme::mergeset::Table::Open(table, ro).status(), txn_path);
  REQUIRE_EQ(TreeSnapshot(base.path()), before);
}

void TestTableReadOnlyMissingIsNotFound() {
  ScratchDir base;
  vme::mergeset::TableOptions ro;
  ro.read_only = true;
  auto t = vme::mergeset::Table::Open(base / "missing", ro);
  REQUIRE_EQ(static_cast<int>(t.status().code()), static_cast<int>(Code::kNotFound));
  REQUIRE(!PathExists(base / "missing"));
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestPartitionReadOnlyWritesNothing),
       VME_TEST(TestPartitionReadOnlyPendingTxnIsBusy),
       VME_TEST(TestDataTableReadOnlyCreatesNothing), VME_TEST(TestTableReadOnlyWritesNothing),
       VME_TEST(TestTableReadOnlyPendingTxnIsBusy), VME_TEST(TestTableReadOnlyMissingIsNotFound)},
      argc, argv);
}
