// The checksum sidecar of parts (util/part_checksums.h; docs/format.md, "Checksums"):
//  * the sidecar round-trips, and any single flipped byte of it is a Corruption;
//  * data parts written by a merge (the in-memory flush path) and by StoreToDisk, and mergeset
//    parts written by a table, carry it, listing every file, index block and block, and pass
//    VerifyPartChecksums;
//  * every single-byte flip in every file of a small data part and of a small mergeset part is
//    a Corruption at open or when its blocks are read, never a success (with the same or with
//    other data), and VerifyPartChecksums reports each one naming the file;
//  * parts VictoriaMetrics 1.72 wrote (tests/data/vm172) have no sidecar and still open and read.
#include <algorithm>
#include <cinttypes>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "check.h"
#include "mergeset/part.h"
#include "mergeset/table.h"
#include "storage/merge.h"
#include "storage/part.h"
#include "test_util.h"
#include "util/fs.h"
#include "util/part_checksums.h"

namespace {

using vme::Code;
using vme::PartChecksums;
using vme::PartKind;
using vme::Status;
using vme::storage::Part;
using vme::storage::PartPtr;
using vme::storage::RawRow;
using vme::storage::TSID;
using vme::test::FlipByte;
using vme::test::TempDir;
namespace stdfs = std::filesystem;

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

std::vector<RawRow> Rows(int series, int per_series) {
  std::vector<RawRow> rows;
  for (int s = 1; s <= series; s++) {
    for (int k = 0; k < per_series; k++) {
      RawRow r;
      r.tsid = TSID{0, 0, 7, 1, 2, static_cast<uint64_t>(s)};
      r.timestamp = kT0 + k * 1000 + s;
      r.value = s * 10.5 + k * (k % 3 == 0 ? 1.25 : -0.5);
      r.precision_bits = 64;
      rows.push_back(r);
    }
  }
  return rows;
}

// A data part of `series` x `per_series` rows written by MergePartsToDir, as in-memory parts
// are written to disk by partitions. Returns its directory.
std::string WriteMergedPart(const std::string& base, int series, int per_series) {
  std::vector<RawRow> rows = Rows(series, per_series);
  auto mem = Part::CreateInmemory(&rows, 0);
  REQUIRE_OK(mem);
  const std::string tmp = base + "/tmp_part";
  auto ph = vme::storage::MergePartsToDir({*mem}, tmp, {});
  REQUIRE_OK(ph);
  const std::string dir = base + "/" + ph->DirName(1);
  stdfs::rename(tmp, dir);
  return dir;
}

// Every (MetricID, timestamp, mantissa, scale) of a data part, read block by block.
Status ReadAllData(const std::string& dir, std::vector<int64_t>* out) {
  out->clear();
  VME_ASSIGN_OR_RETURN(PartPtr p, Part::OpenFile(dir));
  std::vector<int64_t> ts, mantissas;
  return p->ForEachBlockHeader([&](const vme::storage::BlockHeader& bh) -> Status {
    VME_RETURN_IF_ERROR(p->ReadDecodedBlock(bh, &ts, &mantissas));
    for (size_t i = 0; i < ts.size(); i++) {
      out->push_back(static_cast<int64_t>(bh.tsid.metric_id));
      out->push_back(ts[i]);
      out->push_back(mantissas[i]);
      out->push_back(bh.scale);
    }
    return Status::OK();
  });
}

// Every item of a mergeset part, read block by block (no caches).
Status ReadAllItems(const std::string& dir, std::vector<std::string>* out) {
  out->clear();
  VME_ASSIGN_OR_RETURN(auto p, vme::mergeset::Part::Open(dir));
  for (size_t i = 0; i < p->metaindex().size(); i++) {
    VME_ASSIGN_OR_RETURN(auto bhs, p->ReadIndexBlock(i, false));
    for (const auto& bh : *bhs) {
      VME_ASSIGN_OR_RETURN(auto b, p->ReadBlock(bh, false));
      for (size_t k = 0; k < b->size(); k++) out->emplace_back(b->item(k));
    }
  }
  return Status::OK();
}

std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : stdfs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// Flips every byte of every file of dir in turn (restoring it after), and requires `read` to
// fail with Corruption and VerifyPartChecksums to fail naming the file, every time.
template <typename ReadFn>
void RequireEveryFlipDetected(const std::string& dir, const ReadFn& read) {
  size_t flips = 0;
  for (const std::string& name : Files(dir)) {
    const std::string path = dir + "/" + name;
    const uint64_t size = stdfs::file_size(path);
    REQUIRE(size > 0, "%s is empty", path.c_str());
    for (uint64_t off = 0; off < size; off++) {
      FlipByte(path, off);
      const Status st = read();
      REQUIRE(!st.ok(), "flipped byte %" PRIu64 " of %s: the part read fine", off, path.c_str());
      REQUIRE(st.code() == Code::kCorruption, "flipped byte %" PRIu64 " of %s: %s", off,
              path.c_str(), st.ToString().c_str());
      REQUIRE(st.message().find(dir) != std::string::npos, "error does not name the part: %s",
              st.ToString().c_str());
      auto v = vme::VerifyPartChecksums(dir);
      REQUIRE(!v.ok(), "VerifyPartChecksums missed byte %" PRIu64 " of %s", off, path.c_str());
      REQUIRE(v.status().code() == Code::kCorruption, "%s", v.status().ToString().c_str());
      REQUIRE(v.status().message().find(name) != std::string::npos,
              "VerifyPartChecksums does not name %s: %s", name.c_str(),
              v.status().ToString().c_str());
      FlipByte(path, off);
      flips++;
    }
  }
  REQUIRE_OK(read());
  REQUIRE(flips > 100, "only %zu flips", flips);
}

void TestSidecarRoundTrip() {
  PartChecksums sums;
  sums.kind = PartKind::kMergeset;
  sums.AddFile("items.bin", "abc");
  sums.AddFile("metadata.json", "{}");
  sums.index_blocks = {1, 0xFFFFFFFFu};
  sums.blocks = {7, 8, 9};
  std::string data;
  vme::MarshalPartChecksums(sums, &data);
  PartChecksums got;
  REQUIRE_OK(vme::UnmarshalPartChecksums(data, "x", &got));
  REQUIRE(got.kind == PartKind::kMergeset);
  REQUIRE_EQ(got.files.size(), 2u);
  REQUIRE_EQ(got.files[0].name, "items.bin");
  REQUIRE_EQ(got.files[0].size, 3u);
  REQUIRE_EQ(got.files[0].xxh3, vme::FileChecksum("abc"));
  REQUIRE_EQ(got.files[1].name, "metadata.json");
  REQUIRE(got.index_blocks == sums.index_blocks);
  REQUIRE(got.blocks == sums.blocks);
  // Every flipped byte, and every truncation, is a Corruption naming the sidecar.
  for (size_t i = 0; i < data.size(); i++) {
    std::string bad = data;
    bad[i] = static_cast<char>(bad[i] ^ 1);
    const Status st = vme::UnmarshalPartChecksums(bad, "the/sidecar", &got);
    REQUIRE(st.code() == Code::kCorruption, "flip at %zu: %s", i, st.ToString().c_str());
    REQUIRE(st.message().find("the/sidecar") != std::string::npos);
    REQUIRE(vme::UnmarshalPartChecksums(data.substr(0, i), "s", &got).code() == Code::kCorruption);
  }
}

void TestDataPartsCarrySidecar() {
  TempDir tmp;
  const std::string dir = WriteMergedPart(tmp.path(), 300, 40);
  PartChecksums sums;
  bool present = false;
  REQUIRE_OK(vme::ReadPartChecksums(dir, &sums, &present));
  REQUIRE(present, "no sidecar in %s", dir.c_str());
  REQUIRE(sums.kind == PartKind::kData);
  for (const char* f :
       {"timestamps.bin", "values.bin", "index.bin", "metaindex.bin", "min_dedup_interval"}) {
    const vme::PartFileChecksum* e = sums.Find(f);
    REQUIRE(e != nullptr, "%s not listed", f);
    REQUIRE_EQ(e->size, stdfs::file_size(dir + "/" + f));
  }
  auto p = Part::OpenFile(dir);
  REQUIRE_OK(p);
  REQUIRE((*p)->has_checksums());
  REQUIRE_EQ(sums.blocks.size(), (*p)->header().blocks_count);
  REQUIRE_EQ(sums.index_blocks.size(), (*p)->metaindex().size());
  auto v = vme::VerifyPartChecksums(dir);
  REQUIRE_OK(v);
  REQUIRE(*v);

  // StoreToDisk (in-memory part -> directory) writes the same sidecar.
  std::vector<RawRow> rows = Rows(300, 40);
  auto mem = Part::CreateInmemory(&rows, 0);
  REQUIRE_OK(mem);
  const std::string dir2 = tmp.path() + "/stored/" + (*mem)->header().DirName(2);
  REQUIRE_OK((*mem)->inmemory()->StoreToDisk(dir2));
  PartChecksums sums2;
  REQUIRE_OK(vme::ReadPartChecksums(dir2, &sums2, &present));
  REQUIRE(present);
  REQUIRE(sums2.blocks == sums.blocks);
  REQUIRE(sums2.index_blocks.size() == sums.index_blocks.size());
  REQUIRE_OK(vme::VerifyPartChecksums(dir2));

  // A part without one is not verified (false), and opens as before.
  REQUIRE_OK(vme::fs::RemoveAllSync(dir2 + "/" + vme::kPartChecksumsFileName));
  auto v2 = vme::VerifyPartChecksums(dir2);
  REQUIRE_OK(v2);
  REQUIRE(!*v2);
  std::vector<int64_t> a, b;
  REQUIRE_OK(ReadAllData(dir, &a));
  REQUIRE_OK(ReadAllData(dir2, &b));
  REQUIRE(a == b && a.size() == 300u * 40 * 4);
}

void TestEveryFlipInDataPart() {
  TempDir tmp;
  // Two index blocks would need ~740 blocks; a few series keep the loop short while covering
  // shared and distinct timestamps payloads.
  const std::string dir = WriteMergedPart(tmp.path(), 6, 30);
  std::vector<int64_t> want;
  REQUIRE_OK(ReadAllData(dir, &want));
  RequireEveryFlipDetected(dir, [&]() -> Status {
    std::vector<int64_t> got;
    VME_RETURN_IF_ERROR(ReadAllData(dir, &got));
    if (got != want) return Status::Internal("wrong data presented as right");
    return Status::OK();
  });
}

std::string WriteMergesetPart(const std::string& table_dir, int n) {
  auto t = vme::mergeset::Table::Open(table_dir, {});
  REQUIRE_OK(t);
  std::vector<std::string> items;
  for (int i = 0; i < n; i++) items.push_back("item-" + std::to_string(i * 7919 % 100000));
  REQUIRE_OK((*t)->AddItems(items));
  REQUIRE_OK((*t)->Flush());
  REQUIRE_OK((*t)->Close());
  for (const std::string& name : Files(table_dir)) {
    if (name.find('_') != std::string::npos) return table_dir + "/" + name;
  }
  FAIL("no part in %s", table_dir.c_str());
  return "";
}

void TestEveryFlipInMergesetPart() {
  TempDir tmp;
  const std::string dir = WriteMergesetPart(tmp.path() + "/t", 300);
  PartChecksums sums;
  bool present = false;
  REQUIRE_OK(vme::ReadPartChecksums(dir, &sums, &present));
  REQUIRE(present, "no sidecar in %s", dir.c_str());
  REQUIRE(sums.kind == PartKind::kMergeset);
  for (const char* f : {"items.bin", "lens.bin", "index.bin", "metaindex.bin", "metadata.json"}) {
    REQUIRE(sums.Find(f) != nullptr, "%s not listed", f);
  }
  auto v = vme::VerifyPartChecksums(dir);
  REQUIRE_OK(v);
  REQUIRE(*v);
  std::vector<std::string> want;
  REQUIRE_OK(ReadAllItems(dir, &want));
  REQUIRE_EQ(want.size(), 300u);
  RequireEveryFlipDetected(dir, [&]() -> Status {
    std::vector<std::string> got;
    VME_RETURN_IF_ERROR(ReadAllItems(dir, &got));
    if (got != want) return Status::Internal("wrong items presented as right");
    return Status::OK();
  });
}

// A flipped payload byte is reported with the part, the file and the offset of the block.
void TestBlockMismatchNamesFileAndOffset() {
  TempDir tmp;
  const std::string dir = WriteMergedPart(tmp.path(), 6, 30);
  const uint64_t size = stdfs::file_size(dir + "/values.bin");
  FlipByte(dir + "/values.bin", size - 1);
  std::vector<int64_t> got;
  const Status st = ReadAllData(dir, &got);
  REQUIRE(st.code() == Code::kCorruption, "%s", st.ToString().c_str());
  REQUIRE(st.message().find("checksum mismatch") != std::string::npos, "%s", st.message().c_str());
  REQUIRE(st.message().find(dir + "/values.bin") != std::string::npos, "%s", st.message().c_str());
  REQUIRE(st.message().find("offset") != std::string::npos, "%s", st.message().c_str());
}

// Parts VictoriaMetrics 1.72 wrote have no sidecar: they open and read as before.
void TestVmPartsWithoutSidecar() {
  const std::string root =
      std::string(VME_TESTDATA_DIR) + "/vm172/small/storage/data/small/2026_01";
  size_t parts = 0;
  for (const std::string& name : Files(root)) {
    if (name == "tmp" || name == "txn" || name == "snapshots") continue;
    const std::string dir = root + "/" + name;
    REQUIRE(!stdfs::exists(dir + "/" + vme::kPartChecksumsFileName));
    auto p = Part::OpenFile(dir);
    REQUIRE_OK(p);
    REQUIRE(!(*p)->has_checksums());
    std::vector<int64_t> got;
    REQUIRE_OK(ReadAllData(dir, &got));
    REQUIRE(!got.empty());
    auto v = vme::VerifyPartChecksums(dir);
    REQUIRE_OK(v);
    REQUIRE(!*v);
    parts++;
  }
  REQUIRE(parts >= 3, "found %zu VictoriaMetrics parts", parts);
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestSidecarRoundTrip), VME_TEST(TestDataPartsCarrySidecar),
       VME_TEST(TestEveryFlipInDataPart), VME_TEST(TestEveryFlipInMergesetPart),
       VME_TEST(TestBlockMismatchNamesFileAndOffset), VME_TEST(TestVmPartsWithoutSidecar)},
      argc, argv);
}
