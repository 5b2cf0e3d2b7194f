// The structural part verifiers of `vmengine check` (storage/part_check.h,
// mergeset/part_check.h): clean parts (ours and VictoriaMetrics 1.72's) check clean, and each
// targeted corruption is reported with the part, the right file and, where it has one, the
// offset. Every corruption below is one a reader can detect without checksums, so the parts
// written here drop their checksum sidecar (they stand for VictoriaMetrics-written parts);
// TestSidecarPart checks a part that keeps it.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "check.h"
#include "encoding/zstd.h"
#include "mergeset/block_stream_writer.h"
#include "mergeset/part_check.h"
#include "metaindex_edit.h"
#include "storage/metaindex_row.h"
#include "storage/part.h"
#include "storage/part_check.h"
#include "test_util.h"
#include "util/fs.h"
#include "util/part_checksums.h"

namespace {

namespace sfs = std::filesystem;
using vme::CheckProblem;
using vme::PartCheckOptions;
using vme::PartCheckResult;
using vme::test::FlipByte;
using vme::test::TempDir;
using namespace vme::storage;  // NOLINT
using vme::test::EditMetaindex;

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr uint64_t kSeries = 1500;      // one block each: several index blocks
constexpr int64_t kRowsPerSeries = 300;

// A data part of kSeries series with irregular samples (payloads are zstd-compressed, so a
// flipped leading byte breaks a frame header).
std::string WriteDataPart(const std::string& base) {
  std::vector<RawRow> rows;
  uint64_t x = 88172645463325252ull;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (uint64_t id = 1; id <= kSeries; id++) {
    int64_t ts = kT0;
    for (int64_t k = 0; k < kRowsPerSeries; k++) {
      RawRow r;
      r.tsid = TSID{0, 0, 7, 1, 2, id};
      ts += 1000 + static_cast<int64_t>(next() % 977);
      r.timestamp = ts;
      r.value = static_cast<double>(next() % 16) + 0.5;
      rows.push_back(r);
    }
  }
  auto p = Part::CreateInmemory(&rows, 0);
  REQUIRE_OK(p);
  const std::string dir = base + "/" + (*p)->header().DirName(1);
  REQUIRE_OK((*p)->inmemory()->StoreToDisk(dir));
  REQUIRE(sfs::remove(dir + "/" + vme::kPartChecksumsFileName));
  return dir;
}

// A mergeset part of n sorted items in blocks of `per_block`.
std::string WriteMergesetPart(const std::string& base, int n, int per_block) {
  const std::string tmp = base + "/tmp_part";
  REQUIRE_OK(vme::fs::MkdirAllSync(tmp));
  auto w = vme::mergeset::BlockStreamWriter::Create(tmp, 1);
  REQUIRE_OK(w);
  vme::mergeset::InmemoryBlock b;
  char buf[64];
  for (int i = 0; i < n; i++) {
    std::snprintf(buf, sizeof buf, "item-%08d-some-common-text-%d", i, i % 13);
    b.Append(buf);
    if (static_cast<int>(b.size()) == per_block || i + 1 == n) {
      REQUIRE_OK((*w)->WriteBlock(b));
      b.Clear();
    }
  }
  REQUIRE_OK((*w)->Close());
  const auto& ph = (*w)->header();
  const std::string dir = base + "/" + vme::mergeset::PartName(ph.items_count, ph.blocks_count, 1);
  sfs::rename(tmp, dir);
  REQUIRE(sfs::remove(dir + "/" + vme::kPartChecksumsFileName));
  return dir;
}

void Truncate(const std::string& path, uint64_t by) {
  const auto size = sfs::file_size(path);
  sfs::resize_file(path, size - by);
}

std::string Describe(const PartCheckResult& r) {
  std::string s;
  for (const CheckProblem& p : r.problems) {
    s += "[" + p.file + " @" + std::to_string(p.offset) + "] " + p.message + "\n";
  }
  return s.empty() ? "no problems" : s;
}

// Requires exactly one problem, in `file` (and at `offset` unless -2), naming the part.
void RequireProblem(const PartCheckResult& r, const std::string& dir, const std::string& file,
                    int64_t offset = -2) {
  REQUIRE(r.problems.size() == 1, "%s", Describe(r).c_str());
  REQUIRE_EQ(r.problems[0].path, dir);
  REQUIRE(r.problems[0].file == file, "want file %s: %s", file.c_str(), Describe(r).c_str());
  if (offset != -2) REQUIRE(r.problems[0].offset == offset, "%s", Describe(r).c_str());
  REQUIRE(!r.problems[0].message.empty());
}

std::vector<MetaindexRow> Metaindex(const std::string& dir) {
  auto p = Part::OpenFile(dir);
  REQUIRE_OK(p);
  return (*p)->metaindex();
}

void TestCleanDataPart() {
  TempDir t;
  const std::string dir = WriteDataPart(t.path());
  uint64_t visited = 0;
  const PartCheckResult r =
      CheckDataPart(dir, {}, [&](const TSID&, int64_t, int64_t) { visited++; });
  REQUIRE(r.ok(), "%s", Describe(r).c_str());
  REQUIRE_EQ(r.items, kSeries * kRowsPerSeries);
  REQUIRE_EQ(r.blocks, kSeries);
  REQUIRE_EQ(visited, kSeries);
  REQUIRE(!r.checksums_verified);
}

void TestVm172DataPartsClean() {
  const std::string base =
      std::string(VME_TESTDATA_DIR) + "/vm172/small/storage/data/small/2026_01";
  int parts = 0;
  for (const auto& e : sfs::directory_iterator(base)) {
    if (!e.is_directory() || e.path().filename() == "tmp" || e.path().filename() == "txn") continue;
    const PartCheckResult r = CheckDataPart(e.path().string(), {});
    REQUIRE(r.ok(), "%s: %s", e.path().c_str(), Describe(r).c_str());
    REQUIRE_EQ(r.items, 500);
    parts++;
  }
  REQUIRE_EQ(parts, 4);
  const std::string idb = std::string(VME_TESTDATA_DIR) + "/vm172/small/storage/indexdb";
  int mparts = 0;
  for (const auto& g : sfs::directory_iterator(idb)) {
    if (!g.is_directory() || g.path().filename() == "snapshots") continue;
    for (const auto& e : sfs::directory_iterator(g.path())) {
      const std::string n = e.path().filename().string();
      if (!e.is_directory() || n == "tmp" || n == "txn") continue;
      uint64_t items = 0;
      const PartCheckResult r =
          vme::mergeset::CheckPart(e.path().string(), {}, [&](std::string_view) { items++; });
      REQUIRE(r.ok(), "%s: %s", e.path().c_str(), Describe(r).c_str());
      REQUIRE_EQ(items, r.items);
      mparts++;
    }
  }
  REQUIRE(mparts >= 1);
}

// A flipped first byte of each file (the zstd frame header of a payload, index block or
// metaindex) is reported in that file.
void TestFlippedByteInEachDataFile() {
  for (const char* file : {"timestamps.bin", "values.bin", "index.bin", "metaindex.bin"}) {
    TempDir t;
    const std::string dir = WriteDataPart(t.path());
    FlipByte(dir + "/" + file, 0);
    const PartCheckResult r = CheckDataPart(dir, {});
    REQUIRE(!r.ok(), "flipped byte 0 of %s not reported", file);
    RequireProblem(r, dir, file);
    if (std::string(file) != "metaindex.bin") REQUIRE_EQ(r.problems[0].offset, 0);
  }
}

void TestTruncatedDataFiles() {
  for (const char* file : {"timestamps.bin", "values.bin", "index.bin", "metaindex.bin"}) {
    TempDir t;
    const std::string dir = WriteDataPart(t.path());
    Truncate(dir + "/" + file, 1);
    RequireProblem(CheckDataPart(dir, {}), dir, file);
  }
  // Trailing bytes: a file longer than its blocks.
  TempDir t;
  const std::string dir = WriteDataPart(t.path());
  const auto size = sfs::file_size(dir + "/values.bin");
  sfs::resize_file(dir + "/values.bin", size + 3);
  RequireProblem(CheckDataPart(dir, {}), dir, "values.bin", static_cast<int64_t>(size));
}

void TestPartNameLiesAboutRows() {
  TempDir t;
  const std::string dir = WriteDataPart(t.path());
  PartHeader ph;
  REQUIRE_OK(PartHeader::ParseFromDirName(dir, &ph));
  ph.rows_count++;
  const std::string lying = t.path() + "/" + ph.DirName(1);
  sfs::rename(dir, lying);
  const PartCheckResult r = CheckDataPart(lying, {});
  RequireProblem(r, lying, "", -1);
  REQUIRE(r.problems[0].message.find("rows") != std::string::npos, "%s", Describe(r).c_str());
}

// Index blocks 0 and 1 swapped in index.bin, the metaindex rows still in TSID order and pointing
// at their blocks: index.bin is no longer in metaindex order.
void TestIndexBlockOutOfOrder() {
  TempDir t;
  const std::string dir = WriteDataPart(t.path());
  const auto mrs = Metaindex(dir);
  auto index = vme::fs::ReadFile(dir + "/index.bin");
  REQUIRE_OK(index);
  const std::string b0 = index->substr(mrs[0].index_block_offset, mrs[0].index_block_size);
  const std::string b1 = index->substr(mrs[1].index_block_offset, mrs[1].index_block_size);
  std::string swapped = b1 + b0 + index->substr(b0.size() + b1.size());
  REQUIRE_OK(vme::fs::WriteFileAtomically(dir + "/index.bin", swapped, true));
  EditMetaindex(dir, [&](std::vector<MetaindexRow>* rows) {
    (*rows)[1].index_block_offset = 0;
    (*rows)[0].index_block_offset = b1.size();
  });
  RequireProblem(CheckDataPart(dir, {}), dir, "metaindex.bin", 0);
}

// Block headers of one index block swapped (recompressed): not in TSID order.
void TestBlockHeadersOutOfOrder() {
  TempDir t;
  const std::string dir = WriteDataPart(t.path());
  const auto mrs = Metaindex(dir);
  auto index = vme::fs::ReadFile(dir + "/index.bin");
  REQUIRE_OK(index);
  const auto& last = mrs.back();
  std::string raw;
  REQUIRE_OK(vme::enc::DecompressZstd(
      &raw, index->substr(last.index_block_offset, last.index_block_size)));
  REQUIRE(last.block_headers_count >= 2);
  std::string h0 = raw.substr(0, BlockHeader::kMarshaledSize);
  std::string h1 = raw.substr(BlockHeader::kMarshaledSize, BlockHeader::kMarshaledSize);
  raw.replace(0, h0.size(), h1);
  raw.replace(h0.size(), h1.size(), h0);
  std::string packed;
  vme::enc::CompressZstd(&packed, raw, 1);
  std::string out = index->substr(0, last.index_block_offset) + packed;
  REQUIRE_OK(vme::fs::WriteFileAtomically(dir + "/index.bin", out, true));
  EditMetaindex(dir, [&](std::vector<MetaindexRow>* rows) {
    rows->back().index_block_size = static_cast<uint32_t>(packed.size());
    rows->back().tsid = BlockHeader().tsid;  // replaced below
    BlockHeader bh;
    REQUIRE_OK(BlockHeader::Unmarshal(h1, &bh));
    rows->back().tsid = bh.tsid;
  });
  const PartCheckResult r = CheckDataPart(dir, {});
  RequireProblem(r, dir, "index.bin", static_cast<int64_t>(last.index_block_offset));
}

// Two blocks of one series (more rows than a block holds) with their headers swapped: the
// TSIDs stay sorted, but (TSID, MinTimestamp) order is broken.
void TestBlocksOfOneSeriesOutOfOrder() {
  TempDir t;
  std::vector<RawRow> rows;
  for (int64_t k = 0; k < 10000; k++) {
    RawRow r;
    r.tsid = TSID{0, 0, 7, 1, 2, 42};
    r.timestamp = kT0 + k * 1000;
    r.value = static_cast<double>(k % 10);
    rows.push_back(r);
  }
  auto p = Part::CreateInmemory(&rows, 0);
  REQUIRE_OK(p);
  REQUIRE_EQ((*p)->header().blocks_count, 2);
  const std::string dir = t.path() + "/" + (*p)->header().DirName(1);
  REQUIRE_OK((*p)->inmemory()->StoreToDisk(dir));
  REQUIRE(sfs::remove(dir + "/" + vme::kPartChecksumsFileName));
  // Swap the blocks: headers, and payloads in both files, so that offsets still tile.
  auto index = vme::fs::ReadFile(dir + "/index.bin");
  REQUIRE_OK(index);
  std::string raw;
  REQUIRE_OK(vme::enc::DecompressZstd(&raw, *index));
  REQUIRE_EQ(raw.size(), 2 * BlockHeader::kMarshaledSize);
  BlockHeader h[2];
  REQUIRE_OK(BlockHeader::Unmarshal(raw, &h[0]));
  REQUIRE_OK(BlockHeader::Unmarshal(raw.substr(BlockHeader::kMarshaledSize), &h[1]));
  auto ts = vme::fs::ReadFile(dir + "/timestamps.bin");
  auto vs = vme::fs::ReadFile(dir + "/values.bin");
  REQUIRE_OK(ts);
  REQUIRE_OK(vs);
  std::string new_ts, new_vs;
  raw.clear();
  for (BlockHeader bh : {h[1], h[0]}) {
    const std::string t_payload = ts->substr(bh.timestamps_block_offset, bh.timestamps_block_size);
    const std::string v_payload = vs->substr(bh.values_block_offset, bh.values_block_size);
    bh.timestamps_block_offset = new_ts.size();
    bh.values_block_offset = new_vs.size();
    new_ts += t_payload;
    new_vs += v_payload;
    bh.Marshal(&raw);
  }
  REQUIRE_OK(vme::fs::WriteFileAtomically(dir + "/timestamps.bin", new_ts, true));
  REQUIRE_OK(vme::fs::WriteFileAtomically(dir + "/values.bin", new_vs, true));
  std::string packed;
  vme::enc::CompressZstd(&packed, raw, 1);
  REQUIRE_OK(vme::fs::WriteFileAtomically(dir + "/index.bin", packed, true));
  const std::string path = dir + "/metaindex.bin";
  auto compressed = vme::fs::ReadFile(path);
  REQUIRE_OK(compressed);
  std::string mraw;
  REQUIRE_OK(vme::enc::DecompressZstd(&mraw, *compressed));
  std::vector<MetaindexRow> mrs;
  REQUIRE_OK(UnmarshalMetaindexRows(mraw, &mrs));
  mrs[0].index_block_size = static_cast<uint32_t>(packed.size());
  mraw.clear();
  mrs[0].Marshal(&mraw);
  std::string out;
  vme::enc::CompressZstd(&out, mraw, 1);
  REQUIRE_OK(vme::fs::WriteFileAtomically(path, out, true));
  const PartCheckResult r = CheckDataPart(dir, {});
  RequireProblem(r, dir, "index.bin", 0);
  REQUIRE(r.problems[0].message.find("(TSID, MinTimestamp) order") != std::string::npos, "%s",
          Describe(r).c_str());
}

// The metaindex row's time range lies about its index block.
void TestMetaindexRowLies() {
  TempDir t;
  const std::string dir = WriteDataPart(t.path());
  EditMetaindex(dir, [](std::vector<MetaindexRow>* rows) { (*rows)[1].max_timestamp -= 1; });
  const PartCheckResult r = CheckDataPart(dir, {});
  REQUIRE(r.problems.size() == 1, "%s", Describe(r).c_str());
  REQUIRE(r.problems[0].file == "metaindex.bin" || r.problems[0].file == "index.bin", "%s",
          Describe(r).c_str());
}

void TestChecksumHook() {
  TempDir t;
  const std::string dir = WriteDataPart(t.path());
  PartCheckOptions opts;
  std::string seen;
  opts.verify_checksums = [&](const std::string& d) -> vme::Result<bool> {
    seen = d;
    return true;
  };
  PartCheckResult r = CheckDataPart(dir, opts);
  REQUIRE(r.ok(), "%s", Describe(r).c_str());
  REQUIRE(r.checksums_verified);
  REQUIRE_EQ(seen, dir);
  opts.verify_checksums = [](const std::string&) -> vme::Result<bool> { return false; };
  r = CheckDataPart(dir, opts);
  REQUIRE(r.ok() && !r.checksums_verified);
  opts.verify_checksums = [&](const std::string& d) -> vme::Result<bool> {
    return vme::Status::Corruption("part " + d + ": checksum mismatch in " + d +
                                   "/values.bin at offset 65536");
  };
  r = CheckDataPart(dir, opts);
  RequireProblem(r, dir, "values.bin", 65536);
}

// A part with its sidecar, checked with the real checksum verifier: clean, then a flipped
// byte in the middle of values.bin is reported (by the sidecar) naming that file.
void TestSidecarPart() {
  TempDir t;
  std::vector<RawRow> rows;
  for (uint64_t id = 1; id <= 50; id++) {
    for (int64_t k = 0; k < 100; k++) {
      RawRow r;
      r.tsid = TSID{0, 0, 7, 1, 2, id};
      r.timestamp = kT0 + k * 15000;
      r.value = static_cast<double>((id * 31 + static_cast<uint64_t>(k) * 7) % 1000) / 8;
      rows.push_back(r);
    }
  }
  auto p = Part::CreateInmemory(&rows, 0);
  REQUIRE_OK(p);
  const std::string dir = t.path() + "/" + (*p)->header().DirName(1);
  REQUIRE_OK((*p)->inmemory()->StoreToDisk(dir));
  PartCheckOptions opts;
  opts.verify_checksums = [](const std::string& d) { return vme::VerifyPartChecksums(d); };
  PartCheckResult r = CheckDataPart(dir, opts);
  REQUIRE(r.ok(), "%s", Describe(r).c_str());
  REQUIRE(r.checksums_verified);
  FlipByte(dir + "/values.bin", sfs::file_size(dir + "/values.bin") / 2);
  r = CheckDataPart(dir, opts);
  REQUIRE(!r.ok());
  REQUIRE(Describe(r).find("values.bin") != std::string::npos, "%s", Describe(r).c_str());
}

void TestCleanMergesetPart() {
  TempDir t;
  const std::string dir = WriteMergesetPart(t.path(), 5000, 700);
  std::vector<std::string> items;
  const PartCheckResult r =
      vme::mergeset::CheckPart(dir, {}, [&](std::string_view it) { items.emplace_back(it); });
  REQUIRE(r.ok(), "%s", Describe(r).c_str());
  REQUIRE_EQ(r.items, 5000);
  REQUIRE_EQ(items.size(), 5000);
  REQUIRE(std::is_sorted(items.begin(), items.end()));
}

void TestMergesetCorruptions() {
  struct Case {
    const char* file;
    std::function<void(const std::string&)> corrupt;
  };
  const std::vector<Case> cases = {
      {"items.bin", [](const std::string& p) { FlipByte(p, 0); }},
      {"lens.bin", [](const std::string& p) { FlipByte(p, 0); }},
      {"index.bin", [](const std::string& p) { FlipByte(p, 0); }},
      {"metaindex.bin", [](const std::string& p) { FlipByte(p, 0); }},
      {"metadata.json", [](const std::string& p) { FlipByte(p, 0); }},
      {"items.bin", [](const std::string& p) { Truncate(p, 1); }},
      {"lens.bin", [](const std::string& p) { Truncate(p, 1); }},
      {"index.bin", [](const std::string& p) { Truncate(p, 1); }},
      {"items.bin", [](const std::string& p) { sfs::resize_file(p, sfs::file_size(p) + 3); }},
      {"lens.bin", [](const std::string& p) { sfs::resize_file(p, sfs::file_size(p) + 3); }},
  };
  for (const Case& c : cases) {
    TempDir t;
    const std::string dir = WriteMergesetPart(t.path(), 5000, 700);
    c.corrupt(dir + "/" + c.file);
    RequireProblem(vme::mergeset::CheckPart(dir, {}), dir, c.file);
  }
  // The name lies about the item count (metadata.json too, so that the part opens).
  TempDir t;
  const std::string dir = WriteMergesetPart(t.path(), 5000, 700);
  auto meta = vme::fs::ReadFile(dir + "/metadata.json");
  REQUIRE_OK(meta);
  const size_t pos = meta->find("5000");
  REQUIRE(pos != std::string::npos);
  meta->replace(pos, 4, "5001");
  REQUIRE_OK(vme::fs::WriteFileAtomically(dir + "/metadata.json", *meta, true));
  const std::string lying =
      t.path() + "/" + vme::mergeset::PartName(5001, 8, 1);  // 5000 items in 8 blocks
  sfs::rename(dir, lying);
  RequireProblem(vme::mergeset::CheckPart(lying, {}), lying, "", -1);
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestCleanDataPart), VME_TEST(TestVm172DataPartsClean),
       VME_TEST(TestFlippedByteInEachDataFile), VME_TEST(TestTruncatedDataFiles),
       VME_TEST(TestPartNameLiesAboutRows), VME_TEST(TestIndexBlockOutOfOrder),
       VME_TEST(TestBlockHeadersOutOfOrder), VME_TEST(TestBlocksOfOneSeriesOutOfOrder),
       VME_TEST(TestMetaindexRowLies), VME_TEST(TestChecksumHook), VME_TEST(TestSidecarPart),
       VME_TEST(TestCleanMergesetPart), VME_TEST(TestMergesetCorruptions)},
      argc, argv);
}
