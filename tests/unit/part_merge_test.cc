// Merging parts (reference §6.7, §6.8, §15.5).
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
  ASSERT_OK(r.status());
  return r.value();
}

std::vector<BlockHeader> Headers(const PartPtr& p) {
  std::vector<BlockHeader> out;
  ASSERT_OK(p->ForEachBlockHeader([&](const BlockHeader& bh) {
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
    ASSERT_OK(b.Decode());
    ts.clear();
    vals.clear();
    AppendRowsWithTimeRangeFilter(b.timestamps, b.values, b.header.scale,
                                  TimeRange{INT64_MIN, INT64_MAX}, &ts, &vals);
    Rows& dst = out[b.header.tsid.metric_id];
    for (size_t i = 0; i < ts.size(); i++) dst.emplace_back(ts[i], vals[i]);
  }
  ASSERT_OK(r.status());
  return out;
}

PartPtr MergeToDir(const std::vector<PartPtr>& parts, const std::string& base,
                   const MergeOptions& opts = MergeOptions{}) {
  static int seq = 0;
  const std::string tmp = base + "/tmp" + std::to_string(seq++);
  auto r = MergePartsToDir(parts, tmp, opts);
  ASSERT_OK(r.status());
  if (r.value().rows_count == 0) return nullptr;
  const std::string dst = base + "/" + r.value().DirName(static_cast<uint64_t>(seq));
  std::filesystem::rename(tmp, dst);
  auto p = Part::OpenFile(dst);
  ASSERT_OK(p.status());
  assert_true(p.value()->header() == r.value());
  return p.value();
}

void SortRows(SeriesRows* s) {
  for (auto& [id, v] : *s) std::sort(v.begin(), v.end());
}

}  // namespace

static void TestSameSampleTwice(void**) {
  TempDir tmp;
  PartPtr a = Create({{Tsid(1), 1000, 5, 64}});
  PartPtr b = Create({{Tsid(1), 1000, 5, 64}});
  PartPtr m = MergeToDir({a, b}, tmp.path());
  assert_int_equal(m->header().blocks_count, 1);
  assert_int_equal(m->header().rows_count, 2);
  assert_true(ReadAll(m)[1] == (Rows{{1000, 5}, {1000, 5}}));

  PartPtr c = Create({{Tsid(1), 2000, 6, 64}});
  m = MergeToDir({c, a}, tmp.path());
  assert_int_equal(m->header().blocks_count, 1);
  assert_int_equal(m->header().rows_count, 2);
  assert_int_equal(m->header().min_timestamp, 1000);
  assert_int_equal(m->header().max_timestamp, 2000);
  assert_true(ReadAll(m)[1] == (Rows{{1000, 5}, {2000, 6}}));

  std::vector<RawRow> rows;
  for (int i = 0; i < 1234; i++) rows.push_back({Tsid(i + 1), 1000, double(i), 64});
  m = MergeToDir({Create(rows)}, tmp.path());
  assert_int_equal(m->header().blocks_count, 1234);
}

static void TestEqualTimestampsOrder(void**) {
  TempDir tmp;
  PartPtr a = Create({{Tsid(1), 100, 1, 64}, {Tsid(1), 200, 3, 64}});
  PartPtr b = Create({{Tsid(1), 100, 2, 64}, {Tsid(1), 300, 4, 64}});
  // Equal MinTimestamp: the earlier part is pending, its samples come first.
  assert_true(ReadAll(MergeToDir({a, b}, tmp.path()))[1] ==
              (Rows{{100, 1}, {100, 2}, {200, 3}, {300, 4}}));
  assert_true(ReadAll(MergeToDir({b, a}, tmp.path()))[1] ==
              (Rows{{100, 2}, {100, 1}, {200, 3}, {300, 4}}));
  auto r = MergePartsInmemory({a, b}, MergeOptions{});
  ASSERT_OK(r.status());
  assert_true(r.value()->is_inmemory());
  assert_true(ReadAll(r.value())[1] == (Rows{{100, 1}, {100, 2}, {200, 3}, {300, 4}}));
}

static void TestScaleCalibrationAndPrecision(void**) {
  TempDir tmp;
  PartPtr a = Create({{Tsid(1), 0, 1e-10, 64}, {Tsid(1), 60000, 0.5, 64}});
  PartPtr b = Create({{Tsid(1), 120000, 1e10, 20}});
  PartPtr m = MergeToDir({a, b}, tmp.path());
  assert_true(ReadAll(m)[1] == (Rows{{0, 0}, {60000, 0.5}, {120000, 1e10}}));
  std::vector<BlockHeader> bhs = Headers(m);
  assert_int_equal(bhs.size(), 1);
  assert_int_equal(bhs[0].precision_bits, 20);
  // Parts of different series keep their own blocks and scales.
  PartPtr c = Create({{Tsid(2), 0, 1e-10, 64}});
  m = MergeToDir({a, c}, tmp.path());
  assert_true(ReadAll(m)[2] == (Rows{{0, 1e-10}}));
}

static void TestTooBigPendingAndSplit(void**) {
  TempDir tmp;
  std::vector<RawRow> rows;
  for (int i = 0; i < 8192; i++) rows.push_back({Tsid(1), i * 10, double(i % 100), 64});
  PartPtr big = Create(rows);
  PartPtr after = Create({{Tsid(1), 100000, 1, 64}, {Tsid(1), 100010, 2, 64}});
  PartPtr m = MergeToDir({after, big}, tmp.path());
  std::vector<BlockHeader> bhs = Headers(m);
  assert_int_equal(bhs.size(), 2);
  assert_int_equal(bhs[0].rows_count, 8192);
  assert_int_equal(bhs[1].rows_count, 2);
  // The too-big block was copied byte for byte.
  const InmemoryPart* src = big->inmemory();
  std::string ts_data, values_data;
  ASSERT_OK(m->ReadBlockData(bhs[0], &ts_data, &values_data));
  assert_true(ts_data == src->timestamps);
  assert_true(values_data == src->values);

  PartPtr overlap = Create({{Tsid(1), 5005, 7, 64}});
  m = MergeToDir({big, overlap}, tmp.path());
  bhs = Headers(m);
  assert_int_equal(bhs.size(), 2);
  assert_int_equal(bhs[0].rows_count, 8192);
  assert_int_equal(bhs[1].rows_count, 1);
  assert_int_equal(bhs[1].min_timestamp, 81910);
  Rows got = ReadAll(m)[1];
  assert_int_equal(got.size(), 8193);
  assert_true(got[501] == (std::pair<int64_t, double>{5005, 7}));
  for (size_t i = 1; i < got.size(); i++) assert_true(got[i].first >= got[i - 1].first);
}

static void TestMergeEqualsUnion(void**) {
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
      ASSERT_OK(part->inmemory()->StoreToDisk(dir));
      auto r = Part::OpenFile(dir);
      ASSERT_OK(r.status());
      part = r.value();
    }
    parts.push_back(part);
  }
  SortRows(&want);
  PartPtr m = MergeToDir(parts, tmp.path());
  uint64_t rows_total = 0;
  for (const auto& p : parts) rows_total += p->header().rows_count;
  assert_int_equal(m->header().rows_count, rows_total);
  SeriesRows got = ReadAll(m);
  for (auto& [id, v] : got) {
    for (size_t i = 1; i < v.size(); i++) assert_true(v[i].first >= v[i - 1].first);
  }
  SortRows(&got);
  assert_true(got == want);
  for (const BlockHeader& bh : Headers(m)) assert_true(bh.rows_count <= 8192);

  // In-memory merge and a merge of merges agree.
  auto mi = MergePartsInmemory(parts, MergeOptions{});
  ASSERT_OK(mi.status());
  SeriesRows got2 = ReadAll(mi.value());
  SortRows(&got2);
  assert_true(got2 == want);
  PartPtr m2 = MergeToDir({m, mi.value()}, tmp.path());
  SeriesRows got3 = ReadAll(m2);
  assert_int_equal(m2->header().rows_count, 2 * rows_total);
  for (auto& [id, v] : got3) assert_int_equal(v.size(), 2 * want[id].size());

  // Searching the merged part returns each series in timestamp order.
  std::vector<TSID> tsids;
  for (const auto& [id, v] : want) tsids.push_back(Tsid(id));
  std::sort(tsids.begin(), tsids.end());
  PartSearch ps;
  ps.Init(m, &tsids, TimeRange{1700000001000, 1700000002000});
  Block b;
  size_t n = 0;
  while (ps.NextBlock()) {
    ASSERT_OK(ps.ReadBlock(&b));
    n += b.timestamps.size();
  }
  ASSERT_OK(ps.status());
  size_t expect = 0;
  for (const auto& [id, v] : want) {
    for (const auto& [ts, val] : v) expect += ts >= 1700000001000 && ts <= 1700000002000;
  }
  assert_int_equal(n, expect);
}

static void TestRetentionAndDeletion(void**) {
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
  assert_int_equal(got.size(), 1);
  assert_int_equal(got[1].size(), 100);  // 50 + 50 samples at >= 50000
  for (const auto& [ts, v] : got[1]) assert_true(ts >= 50000);
  assert_int_equal(m->header().min_timestamp, 50000);

  // A block entirely before the deadline is dropped; partially older blocks are kept whole
  // unless they have to be merged (as in VictoriaMetrics).
  opts.deleted_metric_ids = nullptr;
  m = MergeToDir({a}, tmp.path(), opts);
  got = ReadAll(m);
  assert_int_equal(got.size(), 2);
  assert_int_equal(got[1].size(), 100);
  assert_true(got.count(3) == 0);

  // Everything dropped: the directory exists, the header has no rows.
  opts.retention_deadline = 1000000;
  auto r = MergePartsToDir({a, b}, tmp.path() + "/empty", opts);
  ASSERT_OK(r.status());
  assert_int_equal(r.value().rows_count, 0);
  assert_int_equal(r.value().blocks_count, 0);
  assert_true(std::filesystem::is_directory(tmp.path() + "/empty"));
  auto ri = MergePartsInmemory({a, b}, opts);
  ASSERT_OK(ri.status());
  assert_int_equal(ri.value()->header().rows_count, 0);
  std::vector<TSID> tsids = {Tsid(1)};
  PartSearch ps;
  ps.Init(ri.value(), &tsids, TimeRange{INT64_MIN, INT64_MAX});
  assert_false(ps.NextBlock());
  ASSERT_OK(ps.status());
}

static void TestDedupDuringMerge(void**) {
  TempDir tmp;
  std::vector<RawRow> a_rows, b_rows;
  for (int i = 0; i < 40; i++) a_rows.push_back({Tsid(1), i * 1000, double(i), 64});
  for (int i = 0; i < 40; i++) b_rows.push_back({Tsid(1), i * 1000 + 1, double(100 + i), 64});
  MergeOptions opts;
  opts.dedup_interval_ms = 2000;
  PartPtr m = MergeToDir({Create(a_rows), Create(b_rows)}, tmp.path(), opts);
  assert_int_equal(m->header().min_dedup_interval_ms, 2000);
  std::ifstream f(m->path() + "/min_dedup_interval");
  std::string text;
  std::getline(f, text);
  assert_string_equal(text.c_str(), "2s");
  Rows got = ReadAll(m)[1];
  assert_int_equal(got.size(), 20);
  for (size_t i = 0; i < got.size(); i++) {
    assert_int_equal(got[i].first, static_cast<int64_t>(i) * 2000);
    assert_true(got[i].second == static_cast<double>(i * 2));
  }
  opts.dedup_interval_ms = 60000;
  m = MergeToDir({Create(a_rows)}, tmp.path(), opts);
  assert_int_equal(m->header().rows_count, 1);
  std::ifstream f2(m->path() + "/min_dedup_interval");
  std::getline(f2, text);
  assert_string_equal(text.c_str(), "1m0s");
}

static void TestStop(void**) {
  TempDir tmp;
  std::atomic<bool> stop{true};
  MergeOptions opts;
  opts.stop = &stop;
  PartPtr a = Create({{Tsid(1), 1, 1, 64}});
  auto r = MergePartsToDir({a}, tmp.path() + "/x", opts);
  assert_false(r.ok());
  assert_true(r.status().code() == vme::Code::kBusy);
  assert_false(std::filesystem::exists(tmp.path() + "/x"));
  // The target directory must be new.
  std::filesystem::create_directories(tmp.path() + "/exists");
  assert_false(MergePartsToDir({a}, tmp.path() + "/exists", MergeOptions{}).ok());
}

static void TestCorruptSourceFailsMerge(void**) {
  TempDir tmp;
  std::vector<RawRow> rows;
  for (int i = 0; i < 1000; i++) rows.push_back({Tsid(i % 10), i, i * 1.5, 64});
  PartPtr p = Create(rows);
  const std::string dir = tmp.path() + "/" + p->header().DirName(1);
  ASSERT_OK(p->inmemory()->StoreToDisk(dir));
  std::filesystem::resize_file(dir + "/values.bin", 10);
  auto o = Part::OpenFile(dir);
  ASSERT_OK(o.status());
  auto r = MergePartsToDir({o.value()}, tmp.path() + "/out", MergeOptions{});
  assert_false(r.ok());
  assert_true(r.status().message().find("values.bin") != std::string::npos);
  assert_false(std::filesystem::exists(tmp.path() + "/out"));

  // Garbage inside a payload that must be decoded for the merge names the file and offset.
  ASSERT_OK(p->inmemory()->StoreToDisk(tmp.path() + "/g/" + p->header().DirName(2)));
  const std::string gdir = tmp.path() + "/g/" + p->header().DirName(2);
  {
    std::fstream f(gdir + "/values.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0);
    f.write("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 12);
  }
  auto g = Part::OpenFile(gdir);
  ASSERT_OK(g.status());
  r = MergePartsToDir({g.value(), p}, tmp.path() + "/out2", MergeOptions{});
  assert_false(r.ok());
  assert_true(r.status().message().find("values.bin") != std::string::npos);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(TestSameSampleTwice),
      cmocka_unit_test(TestEqualTimestampsOrder),
      cmocka_unit_test(TestScaleCalibrationAndPrecision),
      cmocka_unit_test(TestTooBigPendingAndSplit),
      cmocka_unit_test(TestMergeEqualsUnion),
      cmocka_unit_test(TestRetentionAndDeletion),
      cmocka_unit_test(TestDedupDuringMerge),
      cmocka_unit_test(TestStop),
      cmocka_unit_test(TestCorruptSourceFailsMerge),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
