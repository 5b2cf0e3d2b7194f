// Merging parts (VictoriaMetrics mergeBlockStreams in lib/storage/merge.go, DeduplicateSamples in
// lib/storage/dedup.go, tests in lib/storage/*_test.go).
#include <atomic>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/block_stream_reader.h"
#include "storage/merge.h"
#include "storage/part.h"
#include "storage/part_search.h"
#include "test_util.h"

using namespace vme::storage;  // NOLINT
using vme::test::TempDir;

namespace {

using Rows = std::vector<std::pair<int64_t, double>>;
using SeriesRows = std::map<uint64_t, Rows>;

TSID Tsid(uint64_t id) { return TSID{0, 0, 100 + id % 5, 7, 9, id}; }

PartPtr Create(std::vector<RawRow> rows, int64_t dedup = 0) {
  auto r = Part::CreateInmemory(&rows, dedup);
  REQUIRE_OK(r.status());
  return r.value();
}

std::vector<BlockHeader> Headers(const PartPtr& p) {
  std::vector<BlockHeader> out;
  REQUIRE_OK(p->ForEachBlockHeader([&](const BlockHeader& bh) {
    out.push_back(bh);
    return vme::Status::OK();
  }));
  return out;
}

// All rows in part order (blocks in order, samples in block order).
SeriesRows ReadAll(const PartPtr& p) {
  SeriesRows out;
  BlockStreamReader r(p);
  std::vector<int64_t> ts;
  std::vector<double> vals;
  while (r.NextBlock()) {
    DataBlock& b = r.block();
    REQUIRE_OK(b.Decode());
    ts.clear();
    vals.clear();
    AppendRowsWithTimeRangeFilter(b.timestamps, b.values, b.header.scale,
                                  TimeRange{INT64_MIN, INT64_MAX}, &ts, &vals);
    Rows& dst = out[b.header.tsid.metric_id];
    for (size_t i = 0; i < ts.size(); i++) dst.emplace_back(ts[i], vals[i]);
  }
  REQUIRE_OK(r.status());
  return out;
}

PartPtr MergeToDir(const std::vector<PartPtr>& parts, const std::string& base,
                   const MergeOptions& opts = MergeOptions{}) {
  static int seq = 0;
  const std::string tmp = base + "/tmp" + std::to_string(seq++);
  auto r = MergePartsToDir(parts, tmp, opts);
  REQUIRE_OK(r.status());
  if (r.value().rows_count == 0) return nullptr;
  const std::string dst = base + "/" + r.value().DirName(static_cast<uint64_t>(seq));
  std::filesystem::rename(tmp, dst);
  auto p = Part::OpenFile(dst);
  REQUIRE_OK(p.status());
  REQUIRE(p.value()->header() == r.value());
  return p.value();
}

void SortRows(SeriesRows* s) {
  for (auto& [id, v] : *s) std::sort(v.begin(), v.end());
}

}  // namespace

static void TestSameSampleTwice() {
  TempDir tmp;
  PartPtr a = Create({{Tsid(1), 1000, 5, 64}});
  PartPtr b = Create({{Tsid(1), 1000, 5, 64}});
  PartPtr m = MergeToDir({a, b}, tmp.path());
  REQUIRE_EQ(m->header().blocks_count, 1);
  REQUIRE_EQ(m->header().rows_count, 2);
  REQUIRE(ReadAll(m)[1] == (Rows{{1000, 5}, {1000, 5}}));

  PartPtr c = Create({{Tsid(1), 2000, 6, 64}});
  m = MergeToDir({c, a}, tmp.path());
  REQUIRE_EQ(m->header().blocks_count, 1);
  REQUIRE_EQ(m->header().rows_count, 2);
  REQUIRE_EQ(m->header().min_timestamp, 1000);
  REQUIRE_EQ(m->header().max_timestamp, 2000);
  REQUIRE(ReadAll(m)[1] == (Rows{{1000, 5}, {2000, 6}}));

  std::vector<RawRow> rows;
  for (int i = 0; i < 1234; i++) rows.push_back({Tsid(i + 1), 1000, double(i), 64});
  m = MergeToDir({Create(rows)}, tmp.path());
  REQUIRE_EQ(m->header().blocks_count, 1234);
}

static void TestEqualTimestampsOrder() {
  TempDir tmp;
  PartPtr a = Create({{Tsid(1), 100, 1, 64}, {Tsid(1), 200, 3, 64}});
  PartPtr b = Create({{Tsid(1), 100, 2, 64}, {Tsid(1), 300, 4, 64}});
  // Equal MinTimestamp: the earlier part is pending, its samples come first.
  REQUIRE(ReadAll(MergeToDir({a, b}, tmp.path()))[1] ==
          (Rows{{100, 1}, {100, 2}, {200, 3}, {300, 4}}));
  REQUIRE(ReadAll(MergeToDir({b, a}, tmp.path()))[1] ==
          (Rows{{100, 2}, {100, 1}, {200, 3}, {300, 4}}));
  auto r = MergePartsInmemory({a, b}, MergeOptions{});
  REQUIRE_OK(r.status());
  REQUIRE(r.value()->is_inmemory());
  REQUIRE(ReadAll(r.value())[1] == (Rows{{100, 1}, {100, 2}, {200, 3}, {300, 4}}));
}

static void TestScaleCalibrationAndPrecision() {
  TempDir tmp;
  PartPtr a = Create({{Tsid(1), 0, 1e-10, 64}, {Tsid(1), 60000, 0.5, 64}});
  PartPtr b = Create({{Tsid(1), 120000, 1e10, 20}});
  PartPtr m = MergeToDir({a, b}, tmp.path());
  REQUIRE(ReadAll(m)[1] == (Rows{{0, 0}, {60000, 0.5}, {120000, 1e10}}));
  std::vector<BlockHeader> bhs = Headers(m);
  REQUIRE_EQ(bhs.size(), 1);
  REQUIRE_EQ(bhs[0].precision_bits, 20);
  // Parts of different series keep their own blocks and scales.
  PartPtr c = Create({{Tsid(2), 0, 1e-10, 64}});
  m = MergeToDir({a, c}, tmp.path());
  REQUIRE(ReadAll(m)[2] == (Rows{{0, 1e-10}}));
}

static void TestTooBigPendingAndSplit() {
  TempDir tmp;
  std::vector<RawRow> rows;
  for (int i = 0; i < 8192; i++) rows.push_back({Tsid(1), i * 10, double(i % 100), 64});
  PartPtr big = Create(rows);
  PartPtr after = Create({{Tsid(1), 100000, 1, 64}, {Tsid(1), 100010, 2, 64}});
  PartPtr m = MergeToDir({after, big}, tmp.path());
  std::vector<BlockHeader> bhs = Headers(m);
  REQUIRE_EQ(bhs.size(), 2);
  REQUIRE_EQ(bhs[0].rows_count, 8192);
  REQUIRE_EQ(bhs[1].rows_count, 2);
  // The too-big block was copied byte for byte.
  const InmemoryPart* src = big->inmemory();
  std::string ts_data, values_data;
  REQUIRE_OK(m->ReadBlockData(bhs[0], &ts_data, &values_data));
  REQUIRE(ts_data == src->timestamps);
  REQUIRE(values_data == src->values);

  PartPtr overlap = Create({{Tsid(1), 5005, 7, 64}});
  m = MergeToDir({big, overlap}, tmp.path());
  bhs = Headers(m);
  REQUIRE_EQ(bhs.size(), 2);
  REQUIRE_EQ(bhs[0].rows_count, 8192);
  REQUIRE_EQ(bhs[1].rows_count, 1);
  REQUIRE_EQ(bhs[1].min_timestamp, 81910);
  Rows got = ReadAll(m)[1];
  REQUIRE_EQ(got.size(), 8193);
  REQUIRE(got[501] == (std::pair<int64_t, double>{5005, 7}));
  for (size_t i = 1; i < got.size(); i++) REQUIRE(got[i].first >= got[i - 1].first);
}

static void TestMergeEqualsUnion() {
  TempDir tmp;
  std::mt19937_64 rng(7);
  std::vector<PartPtr> parts;
  SeriesRows want;
  for (int p = 0; p < 6; p++) {
    std::vector<RawRow> rows;
    const int n = 2000 + static_cast<int>(rng() % 20000);
    for (int i = 0; i < n; i++) {
      const uint64_t id = 1 + rng() % 50;
      const int64_t ts = 1700000000000 + static_cast<int64_t>(rng() % 5000000);
      const double v = static_cast<double>(static_cast<int64_t>(rng() % 100000) - 50000) / 100;
      rows.push_back({Tsid(id), ts, v, 64});
      want[id].emplace_back(ts, v);
    }
    // A series living in one part only, with more than one block.
    for (int i = 0; i < 9000 && p == 2; i++) {
      rows.push_back({Tsid(1000), i * 1000, double(i), 64});
      want[1000].emplace_back(i * 1000, double(i));
    }
    PartPtr part = Create(rows);
    if (p % 2 == 0) {
      const std::string dir = tmp.path() + "/" + part->header().DirName(p);
      REQUIRE_OK(part->inmemory()->StoreToDisk(dir));
      auto r = Part::OpenFile(dir);
      REQUIRE_OK(r.status());
      part = r.value();
    }
    parts.push_back(part);
  }
  SortRows(&want);
  PartPtr m = MergeToDir(parts, tmp.path());
  uint64_t rows_total = 0;
  for (const auto& p : parts) rows_total += p->header().rows_count;
  REQUIRE_EQ(m->header().rows_count, rows_total);
  SeriesRows got = ReadAll(m);
  for (auto& [id, v] : got) {
    for (size_t i = 1; i < v.size(); i++) REQUIRE(v[i].first >= v[i - 1].first);
  }
  SortRows(&got);
  REQUIRE(got == want);
  for (const BlockHeader& bh : Headers(m)) REQUIRE(bh.rows_count <= 8192);

  // In-memory merge and a merge of merges agree.
  auto mi = MergePartsInmemory(parts, MergeOptions{});
  REQUIRE_OK(mi.status());
  SeriesRows got2 = ReadAll(mi.value());
  SortRows(&got2);
  REQUIRE(got2 == want);
  PartPtr m2 = MergeToDir({m, mi.value()}, tmp.path());
  SeriesRows got3 = ReadAll(m2);
  REQUIRE_EQ(m2->header().rows_count, 2 * rows_total);
  for (auto& [id, v] : got3) REQUIRE_EQ(v.size(), 2 * want[id].size());

  // Searching the merged part returns each series in timestamp order.
  std::vector<TSID> tsids;
  for (const auto& [id, v] : want) tsids.push_back(Tsid(id));
  std::sort(tsids.begin(), tsids.end());
  PartSearch ps;
  ps.Init(m, &tsids, TimeRange{1700000001000, 1700000002000});
  Block b;
  size_t n = 0;
  while (ps.NextBlock()) {
    REQUIRE_OK(ps.ReadBlock(&b));
    n += b.timestamps.size();
  }
  REQUIRE_OK(ps.status());
  size_t expect = 0;
  for (const auto& [id, v] : want) {
    for (const auto& [ts, val] : v) expect += ts >= 1700000001000 && ts <= 1700000002000;
  }
  REQUIRE_EQ(n, expect);
}

static void TestRetentionAndDeletion() {
  TempDir tmp;
  std::vector<RawRow> a_rows, b_rows;
  for (int i = 0; i < 100; i++) {
    a_rows.push_back({Tsid(1), i * 1000, double(i), 64});
    a_rows.push_back({Tsid(2), i * 1000, double(i), 64});
    a_rows.push_back({Tsid(3), i * 100, double(i), 64});  // ends at 9900
    b_rows.push_back({Tsid(1), i * 1000 + 500, double(-i), 64});
  }
  PartPtr a = Create(a_rows), b = Create(b_rows);
  std::unordered_set<uint64_t> deleted = {2};
  MergeOptions opts;
  opts.deleted_metric_ids = &deleted;
  opts.retention_deadline = 50000;
  PartPtr m = MergeToDir({a, b}, tmp.path(), opts);
  SeriesRows got = ReadAll(m);
  REQUIRE_EQ(got.size(), 1);
  REQUIRE_EQ(got[1].size(), 100);  // 50 + 50 samples at >= 50000
  for (const auto& [ts, v] : got[1]) REQUIRE(ts >= 50000);
  REQUIRE_EQ(m->header().min_timestamp, 50000);

  // A block entirely before the deadline is dropped; partially older blocks are kept whole
  // unless they have to be merged (as in VictoriaMetrics).
  opts.deleted_metric_ids = nullptr;
  m = MergeToDir({a}, tmp.path(), opts);
  got = ReadAll(m);
  REQUIRE_EQ(got.size(), 2);
  REQUIRE_EQ(got[1].size(), 100);
  REQUIRE(got.count(3) == 0);

  // Everything dropped: the directory exists, the header has no rows.
  opts.retention_deadline = 1000000;
  auto r = MergePartsToDir({a, b}, tmp.path() + "/empty", opts);
  REQUIRE_OK(r.status());
  REQUIRE_EQ(r.value().rows_count, 0);
  REQUIRE_EQ(r.value().blocks_count, 0);
  REQUIRE(std::filesystem::is_directory(tmp.path() + "/empty"));
  auto ri = MergePartsInmemory({a, b}, opts);
  REQUIRE_OK(ri.status());
  REQUIRE_EQ(ri.value()->header().rows_count, 0);
  std::vector<TSID> tsids = {Tsid(1)};
  PartSearch ps;
  ps.Init(ri.value(), &tsids, TimeRange{INT64_MIN, INT64_MAX});
  REQUIRE(!ps.NextBlock());
  REQUIRE_OK(ps.status());
}

static void TestDedupDuringMerge() {
  TempDir tmp;
  std::vector<RawRow> a_rows, b_rows;
  for (int i = 0; i < 40; i++) a_rows.push_back({Tsid(1), i * 1000, double(i), 64});
  for (int i = 0; i < 40; i++) b_rows.push_back({Tsid(1), i * 1000 + 1, double(100 + i), 64});
  MergeOptions opts;
  opts.dedup_interval_ms = 2000;
  PartPtr m = MergeToDir({Create(a_rows), Create(b_rows)}, tmp.path(), opts);
  REQUIRE_EQ(m->header().min_dedup_interval_ms, 2000);
  std::ifstream f(m->path() + "/min_dedup_interval");
  std::string text;
  std::getline(f, text);
  REQUIRE_EQ(text.c_str(), "2s");
  Rows got = ReadAll(m)[1];
  REQUIRE_EQ(got.size(), 20);
  for (size_t i = 0; i < got.size(); i++) {
    REQUIRE_EQ(got[i].first, static_cast<int64_t>(i) * 2000);
    REQUIRE(got[i].second == static_cast<double>(i * 2));
  }
  opts.dedup_interval_ms = 60000;
  m = MergeToDir({Create(a_rows)}, tmp.path(), opts);
  REQUIRE_EQ(m->header().rows_count, 1);
  std::ifstream f2(m->path() + "/min_dedup_interval");
  std::getline(f2, text);
  REQUIRE_EQ(text.c_str(), "1m0s");
}

static void TestStop() {
  TempDir tmp;
  std::atomic<bool> stop{true};
  MergeOptions opts;
  opts.stop = &stop;
  PartPtr a = Create({{Tsid(1), 1, 1, 64}});
  auto r = MergePartsToDir({a}, tmp.path() + "/x", opts);
  REQUIRE(!r.ok());
  REQUIRE(r.status().code() == vme::Code::kBusy);
  REQUIRE(!std::filesystem::exists(tmp.path() + "/x"));
  // The target directory must be new.
  std::filesystem::create_directories(tmp.path() + "/exists");
  REQUIRE(!MergePartsToDir({a}, tmp.path() + "/exists", MergeOptions{}).ok());
}

static void TestCorruptSourceFailsMerge() {
  TempDir tmp;
  std::vector<RawRow> rows;
  for (int i = 0; i < 1000; i++) rows.push_back({Tsid(i % 10), i, i * 1.5, 64});
  PartPtr p = Create(rows);
  const std::string dir = tmp.path() + "/" + p->header().DirName(1);
  REQUIRE_OK(p->inmemory()->StoreToDisk(dir));
  std::filesystem::resize_file(dir + "/values.bin", 10);
  // Parts without a checksum sidecar (as VictoriaMetrics writes them): the merge finds the
  // damage (part_checksums_test covers parts with one).
  std::filesystem::remove(dir + "/vmengine_checksums.bin");
  auto o = Part::OpenFile(dir);
  REQUIRE_OK(o.status());
  auto r = MergePartsToDir({o.value()}, tmp.path() + "/out", MergeOptions{});
  REQUIRE(!r.ok());
  REQUIRE(r.status().message().find("values.bin") != std::string::npos);
  REQUIRE(!std::filesystem::exists(tmp.path() + "/out"));

  // Garbage inside a payload that must be decoded for the merge names the file and offset.
  REQUIRE_OK(p->inmemory()->StoreToDisk(tmp.path() + "/g/" + p->header().DirName(2)));
  const std::string gdir = tmp.path() + "/g/" + p->header().DirName(2);
  {
    std::fstream f(gdir + "/values.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0);
    f.write("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 12);
  }
  std::filesystem::remove(gdir + "/vmengine_checksums.bin");
  auto g = Part::OpenFile(gdir);
  REQUIRE_OK(g.status());
  r = MergePartsToDir({g.value(), p}, tmp.path() + "/out2", MergeOptions{});
  REQUIRE(!r.ok());
  REQUIRE(r.status().message().find("values.bin") != std::string::npos);
}

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestSameSampleTwice),
      VME_TEST(TestEqualTimestampsOrder),
      VME_TEST(TestScaleCalibrationAndPrecision),
      VME_TEST(TestTooBigPendingAndSplit),
      VME_TEST(TestMergeEqualsUnion),
      VME_TEST(TestRetentionAndDeletion),
      VME_TEST(TestDedupDuringMerge),
      VME_TEST(TestStop),
      VME_TEST(TestCorruptSourceFailsMerge),
  };
  return vme::test::RunTests(tests, argc, argv);
}
