// Data parts: in-memory construction, file parts, part names, part search, corruption
// (VictoriaMetrics rawRowsMarshaler in lib/storage/raw_row.go, blockStreamWriter.WriteExternalBlock
// in lib/storage/block_stream_writer.go, Search.NextMetricBlock in lib/storage/search.go,
// Block.UnmarshalData in lib/storage/block.go, tests in lib/storage/*_test.go; docs/format.md,
// "Data parts").
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "encoding/int.h"
#include "encoding/zstd.h"
#include "storage/block_stream_reader.h"
#include "storage/block_stream_writer.h"
#include "storage/inmemory_part.h"
#include "storage/part.h"
#include "storage/part_header.h"
#include "storage/part_search.h"
#include "test_util.h"

using namespace vme::storage;  // NOLINT
using vme::FormatGoDuration;
using vme::ParseGoDuration;
using vme::test::Hex;
using vme::test::TempDir;

namespace {

using SeriesRows = std::map<uint64_t, std::vector<std::pair<int64_t, double>>>;

TSID MakeTsid(uint64_t metric_id) {
  return TSID{1, 2, 3 + static_cast<uint64_t>(metric_id % 3), 4, 5, metric_id};
}

TSID PlainTsid(uint64_t metric_id) { return TSID{1, 2, 3, 4, 5, metric_id}; }

PartPtr MustCreate(std::vector<RawRow> rows, int64_t dedup = 0) {
  auto r = Part::CreateInmemory(&rows, dedup);
  REQUIRE_OK(r.status());
  return r.value();
}

// Stores an in-memory part under base/<name> and reopens it.
PartPtr StoreAndOpen(const PartPtr& p, const std::string& base, uint64_t merge_idx = 1) {
  const std::string dir = base + "/" + p->header().DirName(merge_idx);
  REQUIRE_OK(p->inmemory()->StoreToDisk(dir));
  auto r = Part::OpenFile(dir);
  REQUIRE_OK(r.status());
  return r.value();
}

SeriesRows Search(const PartPtr& p, std::vector<TSID> tsids, TimeRange tr, size_t* blocks = nullptr,
                  vme::Status* status = nullptr) {
  std::sort(tsids.begin(), tsids.end());
  PartSearch ps;
  ps.Init(p, &tsids, tr);
  SeriesRows out;
  Block b;
  BlockHeader prev;
  bool first = true;
  size_t n = 0;
  while (ps.NextBlock()) {
    const BlockHeader& bh = ps.block_header();
    if (!first) REQUIRE(!BlockHeaderLess(bh, prev));
    prev = bh;
    first = false;
    vme::Status st = ps.ReadBlock(&b);
    if (!st.ok()) {
      if (status != nullptr) {
        *status = st;
        return out;
      }
      REQUIRE_OK(st);
    }
    n++;
    auto& v = out[bh.tsid.metric_id];
    for (size_t i = 0; i < b.timestamps.size(); i++) v.emplace_back(b.timestamps[i], b.values[i]);
  }
  if (status != nullptr) {
    *status = ps.status();
  } else {
    REQUIRE_OK(ps.status());
  }
  if (blocks != nullptr) *blocks = n;
  return out;
}

size_t CountBlocks(const PartPtr& p) {
  size_t n = 0;
  REQUIRE_OK(p->ForEachBlockHeader([&](const BlockHeader&) {
    n++;
    return vme::Status::OK();
  }));
  return n;
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

}  // namespace

static void TestInmemoryPartExample() {
  std::vector<RawRow> rows = {
      {TSID{1, 2, 3, 4, 5, 7}, 2000, 8, 64},
      {TSID{1, 2, 3, 4, 5, 6}, 2000, 2.5, 64},
      {TSID{1, 2, 3, 4, 5, 7}, 1000, 7, 64},
      {TSID{1, 2, 3, 4, 5, 6}, 1000, 1.5, 64},
  };
  PartPtr p = MustCreate(rows);
  REQUIRE(p->is_inmemory());
  REQUIRE_EQ(p->path().c_str(), "");
  const PartHeader& ph = p->header();
  REQUIRE_EQ(ph.DirName(0x16A1B2C3D4E5F607ULL).c_str(),
             "4_2_19700101000001.000_19700101000002.000_16A1B2C3D4E5F607");
  const InmemoryPart* mp = p->inmemory();
  ASSERT_HEX("d00f", mp->timestamps);
  ASSERT_HEX("1402", mp->values);
  REQUIRE_EQ(p->size_bytes(),
             mp->timestamps.size() + mp->values.size() + mp->index.size() + mp->metaindex.size());
  std::string index;
  REQUIRE_OK(vme::enc::DecompressZstd(&index, mp->index));
  REQUIRE_EQ(index.size(), 178);
  BlockHeader b1, b2;
  REQUIRE_OK(BlockHeader::Unmarshal(index, &b1));
  REQUIRE_OK(BlockHeader::Unmarshal(std::string_view(index).substr(89), &b2));
  REQUIRE_EQ(b1.tsid.metric_id, 6);
  REQUIRE_EQ(b2.tsid.metric_id, 7);
  REQUIRE_EQ(b1.timestamps_block_offset, 0);
  REQUIRE_EQ(b2.timestamps_block_offset, 0);
  REQUIRE_EQ(b2.timestamps_block_size, 2);
  REQUIRE_EQ(b1.values_block_offset, 0);
  REQUIRE_EQ(b2.values_block_offset, 1);
  REQUIRE_EQ(b1.scale, -1);
  REQUIRE_EQ(b2.scale, 0);
  REQUIRE_EQ(b1.first_value, 15);
  REQUIRE_EQ(b2.first_value, 7);
  std::string meta;
  REQUIRE_OK(vme::enc::DecompressZstd(&meta, mp->metaindex));
  REQUIRE_EQ(meta.size(), 64);
  MetaindexRow mr;
  REQUIRE_OK(MetaindexRow::Unmarshal(meta, &mr));
  REQUIRE(mr.tsid == (TSID{1, 2, 3, 4, 5, 6}));
  REQUIRE_EQ(mr.block_headers_count, 2);
  REQUIRE_EQ(mr.min_timestamp, 1000);
  REQUIRE_EQ(mr.max_timestamp, 2000);
  REQUIRE_EQ(mr.index_block_offset, 0);
  REQUIRE_EQ(mr.index_block_size, mp->index.size());

  // Stored and reopened, it reads back the same.
  TempDir tmp;
  PartPtr fp = StoreAndOpen(p, tmp.path(), 0x16A1B2C3D4E5F607ULL);
  REQUIRE(!fp->is_inmemory());
  REQUIRE(fp->header() == p->header());
  REQUIRE_EQ(fp->size_bytes(), p->size_bytes());
  REQUIRE_EQ(ReadAll(fp->path() + "/min_dedup_interval").c_str(), "0s");
  SeriesRows got = Search(fp, {TSID{1, 2, 3, 4, 5, 6}, TSID{1, 2, 3, 4, 5, 7}}, {0, 5000});
  REQUIRE_EQ(got.size(), 2);
  REQUIRE(got[6] == (std::vector<std::pair<int64_t, double>>{{1000, 1.5}, {2000, 2.5}}));
  REQUIRE(got[7] == (std::vector<std::pair<int64_t, double>>{{1000, 7}, {2000, 8}}));
}

static void TestBlockCounts() {
  std::vector<RawRow> rows;
  for (int i = 0; i < 10000; i++) rows.push_back({MakeTsid(1), 1000 + i * 10, double(i), 64});
  PartPtr p = MustCreate(rows);
  REQUIRE_EQ(p->header().blocks_count, 2);
  REQUIRE_EQ(p->header().rows_count, 10000);
  std::vector<uint32_t> counts;
  REQUIRE_OK(p->ForEachBlockHeader([&](const BlockHeader& bh) {
    counts.push_back(bh.rows_count);
    return vme::Status::OK();
  }));
  REQUIRE(counts == (std::vector<uint32_t>{8192, 1808}));

  rows.clear();
  for (int i = 0; i < 10000; i++) rows.push_back({MakeTsid(i + 1), 1000, double(i), 64});
  p = MustCreate(rows);
  REQUIRE_EQ(p->header().blocks_count, 10000);
  REQUIRE_EQ(CountBlocks(p), 10000);
  REQUIRE(p->metaindex().size() > 1);
  // Index blocks hold at most 737 headers.
  for (const auto& mr : p->metaindex()) REQUIRE(mr.block_headers_count <= 737);
  REQUIRE_EQ(p->metaindex()[0].block_headers_count, 737);

  rows = {{MakeTsid(5), 123, 4.5, 64}};
  p = MustCreate(rows);
  REQUIRE_EQ(p->header().blocks_count, 1);
  REQUIRE_EQ(p->header().rows_count, 1);
  REQUIRE_EQ(p->header().min_timestamp, 123);
  REQUIRE_EQ(p->header().max_timestamp, 123);

  rows.clear();
  for (int i = 0; i < 1234; i++) rows.push_back({MakeTsid(i + 1), 1000 + i, double(i), 64});
  p = MustCreate(rows);
  REQUIRE_EQ(p->header().blocks_count, 1234);

  std::vector<RawRow> empty;
  REQUIRE(!Part::CreateInmemory(&empty, 0).ok());
  rows = {{MakeTsid(5), 123, 4.5, 0}};
  REQUIRE(!Part::CreateInmemory(&rows, 0).ok());
}

static void TestPartNames() {
  PartHeader ph;
  REQUIRE_OK(
      PartHeader::ParseFromDirName("1233_456_20181011010203.456_20181011010203.457_garbage", &ph));
  REQUIRE_EQ(ph.rows_count, 1233);
  REQUIRE_EQ(ph.blocks_count, 456);
  REQUIRE_EQ(FormatPartTimestamp(ph.min_timestamp).c_str(), "20181011010203.456");
  REQUIRE_EQ(ph.max_timestamp - ph.min_timestamp, 1);
  REQUIRE_EQ(ph.min_timestamp, 1539219723456);
  REQUIRE_OK(PartHeader::ParseFromDirName(
      "/a/b/1233_456_20181011010203.456_20181011010203.457_garbage///", &ph));
  REQUIRE_EQ(ph.rows_count, 1233);
  const char* bad[] = {
      "",
      "foobar",
      "1233_456_20181011010203.456_20181011010203.457",
      "1233_456_20181011010203.456_20181011010203.457_a_b",
      "1233_456_20181011010203.456_2018101101020.457_garbage",
      "1233_456_2018101101020x.456_20181011010203.457_garbage",
      "1233_456_20181311010203.456_20181011010203.457_garbage",
      "1233_456_20180230010203.456_20181011010203.457_garbage",
      "1233_456_20181011240203.456_20181011010203.457_garbage",
      "1233_456_20181011010203.456_20181011010202.457_garbage",
      "0_0_20181011010203.456_20181011010203.457_garbage",
      "1233_0_20181011010203.456_20181011010203.457_garbage",
      "12_13_20181011010203.456_20181011010203.457_garbage",
      "-1_1_20181011010203.456_20181011010203.457_garbage",
      "x_1_20181011010203.456_20181011010203.457_garbage",
  };
  for (const char* name : bad) {
    if (PartHeader::ParseFromDirName(name, &ph).ok()) FAIL("parsed bad name %s", name);
  }
  PartHeader h;
  h.rows_count = 4;
  h.blocks_count = 2;
  h.min_timestamp = 1000;
  h.max_timestamp = 2000;
  REQUIRE_EQ(h.DirName(0x16A1B2C3D4E5F607ULL).c_str(),
             "4_2_19700101000001.000_19700101000002.000_16A1B2C3D4E5F607");
  REQUIRE_EQ(h.DirName(10).c_str(), "4_2_19700101000001.000_19700101000002.000_000000000000000A");
  PartHeader back;
  REQUIRE_OK(PartHeader::ParseFromDirName(h.DirName(10), &back));
  REQUIRE(back == h);
  for (int64_t ts : {int64_t{0}, int64_t{1767225600000}, int64_t{951782400000},
                     int64_t{4102444799999}, int64_t{-1}, int64_t{-86400000}}) {
    int64_t got;
    REQUIRE(ParsePartTimestamp(FormatPartTimestamp(ts), &got));
    REQUIRE_EQ(got, ts);
  }
  REQUIRE_EQ(FormatPartTimestamp(951782400000).c_str(), "20000229000000.000");
  REQUIRE_EQ(FormatPartTimestamp(-1).c_str(), "19691231235959.999");
}

static void TestGoDuration() {
  const struct {
    int64_t ms;
    const char* s;
  } cases[] = {{0, "0s"},        {30000, "30s"},          {60000, "1m0s"},
               {1500, "1.5s"},   {500, "500ms"},          {3600000, "1h0m0s"},
               {1, "1ms"},       {1001, "1.001s"},        {1010, "1.01s"},
               {61000, "1m1s"},  {90061500, "25h1m1.5s"}, {-1500, "-1.5s"},
               {-500, "-500ms"}, {86400000, "24h0m0s"}};
  for (const auto& c : cases) {
    REQUIRE_EQ(FormatGoDuration(c.ms).c_str(), c.s);
    int64_t ms = -42;
    REQUIRE_OK(ParseGoDuration(c.s, &ms));
    REQUIRE_EQ(ms, c.ms);
  }
  const struct {
    const char* s;
    int64_t ms;
  } parses[] = {{"1h30m", 5400000}, {"500ms", 500},    {"1.5s", 1500},   {"2m", 120000},
                {"1d", 86400000},   {"1w", 604800000}, {"30s\n", 30000}, {"15", 15000},
                {"1000000ns", 1},   {"2000us", 2},     {"0", 0},         {".5s", 500}};
  for (const auto& c : parses) {
    int64_t ms = -42;
    REQUIRE_OK(ParseGoDuration(c.s, &ms));
    REQUIRE_EQ(ms, c.ms);
  }
  for (const char* bad : {"", "s", "1x", "1m5", "abc", "-", "1..5s"}) {
    int64_t ms;
    if (ParseGoDuration(bad, &ms).ok()) FAIL("parsed bad duration \"%s\"", bad);
  }
}

static void TestRoundTripSearch() {
  std::mt19937_64 rng(12345);
  const int kSeries = 2500;
  std::vector<RawRow> rows;
  SeriesRows want;
  for (int s = 0; s < kSeries; s++) {
    const uint64_t id = 1000 + static_cast<uint64_t>(s) * 7;
    const int n =
        s % 97 == 0 ? 9000 + static_cast<int>(rng() % 9000) : 1 + static_cast<int>(rng() % 40);
    int64_t ts = 1700000000000 + static_cast<int64_t>(rng() % 100000);
    for (int i = 0; i < n; i++) {
      const int64_t k = static_cast<int64_t>(rng() % 200001) - 100000;
      const double v = s % 5 == 0 ? static_cast<double>(k) : static_cast<double>(k) / 100.0;
      rows.push_back({MakeTsid(id), ts, v, 64});
      want[id].emplace_back(ts, v);
      ts += static_cast<int64_t>(rng() % 3) * 5000;  // duplicates included
    }
  }
  std::shuffle(rows.begin(), rows.end(), rng);
  // Equal timestamps of a series keep their input order (stable sort).
  want.clear();
  for (const auto& r : rows) want[r.tsid.metric_id].emplace_back(r.timestamp, r.value);
  for (auto& [id, v] : want) {
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  PartPtr mem = MustCreate(rows);
  REQUIRE_EQ(mem->header().rows_count, rows.size());
  TempDir tmp;
  PartPtr file = StoreAndOpen(mem, tmp.path());
  REQUIRE(mem->metaindex().size() > 2);

  std::vector<TSID> all;
  for (const auto& [id, v] : want) all.push_back(MakeTsid(id));
  for (const PartPtr& p : {mem, file}) {
    SeriesRows got = Search(p, all, {INT64_MIN, INT64_MAX});
    REQUIRE(got == want);
    for (int iter = 0; iter < 30; iter++) {
      std::vector<TSID> subset;
      for (const auto& [id, v] : want) {
        if (rng() % 4 == 0) subset.push_back(MakeTsid(id));
      }
      subset.push_back(MakeTsid(1));        // absent, smaller than all
      subset.push_back(MakeTsid(1000003));  // absent, larger than all
      subset.push_back(MakeTsid(1001));     // absent, in between
      const int64_t a = 1700000000000 + static_cast<int64_t>(rng() % 30000000);
      const int64_t b = a + static_cast<int64_t>(rng() % 10000000);
      TimeRange tr{a, b};
      SeriesRows expect;
      for (const TSID& t : subset) {
        auto it = want.find(t.metric_id);
        if (it == want.end()) continue;
        for (const auto& [ts, v] : it->second) {
          if (tr.Contains(ts)) expect[t.metric_id].emplace_back(ts, v);
        }
      }
      SeriesRows got = Search(p, subset, tr);
      REQUIRE(got == expect);
    }
    // A range outside the part yields nothing.
    size_t blocks = 1;
    SeriesRows none = Search(p, all, {0, 1000}, &blocks);
    REQUIRE(none.empty());
    REQUIRE_EQ(blocks, 0);
  }
}

static void TestSearchAcrossIndexBlocks() {
  // One series with many one-row blocks so that its blocks span several index blocks.
  InmemoryPart mp;
  auto w = BlockStreamWriter::ForInmemoryPart(&mp);
  DataBlock b;
  const int counts[] = {500, 2000, 300};
  for (int s = 0; s < 3; s++) {
    for (int i = 0; i < counts[s]; i++) {
      const int64_t ts = i * 10;
      const int64_t m = s * 100000 + i;
      b.InitDecoded(PlainTsid(10 + s), &ts, &m, 1, 0, 64);
      REQUIRE_OK(w->WriteBlock(&b));
    }
  }
  REQUIRE_OK(w->Close());
  REQUIRE_EQ(mp.ph.blocks_count, 2800);
  auto pr = Part::FromInmemory(std::make_shared<InmemoryPart>(mp));
  REQUIRE_OK(pr.status());
  PartPtr p = pr.value();
  REQUIRE(p->metaindex().size() >= 4);
  size_t blocks = 0;
  SeriesRows got = Search(p, {PlainTsid(11)}, {5000, 7000}, &blocks);
  REQUIRE_EQ(blocks, 201);
  REQUIRE_EQ(got[11].front().first, 5000);
  REQUIRE(got[11].front().second == 100500);
  REQUIRE_EQ(got[11].back().first, 7000);
  got = Search(p, {PlainTsid(10), PlainTsid(11), PlainTsid(12)}, {INT64_MIN, INT64_MAX}, &blocks);
  REQUIRE_EQ(blocks, 2800);
  got = Search(p, {PlainTsid(11), PlainTsid(12)}, {19900, 19990}, &blocks);
  REQUIRE_EQ(blocks, 10);
  got = Search(p, {PlainTsid(12)}, {2990, 5000}, &blocks);
  REQUIRE_EQ(blocks, 1);
  got = Search(p, {PlainTsid(10), PlainTsid(12)}, {0, 0}, &blocks);
  REQUIRE_EQ(blocks, 2);

  // The sequential reader sees every block, with the shared timestamps payloads.
  BlockStreamReader r(p);
  size_t n = 0;
  while (r.NextBlock()) n++;
  REQUIRE_OK(r.status());
  REQUIRE_EQ(n, 2800);
}

static void TestTimestampsSharing() {
  std::vector<RawRow> rows;
  for (int s = 0; s < 50; s++) {
    for (int i = 0; i < 100; i++) {
      rows.push_back({MakeTsid(s + 1), 1000000 + i * 15000 + (i * i) % 7, double(s * i), 64});
    }
  }
  PartPtr p = MustCreate(rows);
  std::set<uint64_t> offsets;
  REQUIRE_OK(p->ForEachBlockHeader([&](const BlockHeader& bh) {
    offsets.insert(bh.timestamps_block_offset);
    return vme::Status::OK();
  }));
  // Series are grouped by MetricGroupID (metric_id % 3), but consecutive blocks with the same
  // payload share it; the whole timestamps.bin holds a single payload.
  REQUIRE_EQ(offsets.size(), 1);
  SeriesRows got = Search(p, {MakeTsid(7)}, {INT64_MIN, INT64_MAX});
  REQUIRE_EQ(got[7].size(), 100);
}

static void TestDedupOnCreate() {
  std::vector<RawRow> rows;
  for (int i = 0; i < 40; i++) rows.push_back({MakeTsid(1), i * 1000, double(i), 64});
  PartPtr p = MustCreate(rows, 2000);
  REQUIRE_EQ(p->header().rows_count, 20);
  REQUIRE_EQ(p->header().min_dedup_interval_ms, 2000);
  SeriesRows got = Search(p, {MakeTsid(1)}, {INT64_MIN, INT64_MAX});
  for (size_t i = 0; i < got[1].size(); i++) {
    REQUIRE_EQ(got[1][i].first, static_cast<int64_t>(i) * 2000);
    REQUIRE(got[1][i].second == static_cast<double>(i * 2));
  }
  TempDir tmp;
  PartPtr fp = StoreAndOpen(p, tmp.path());
  REQUIRE_EQ(ReadAll(fp->path() + "/min_dedup_interval").c_str(), "2s");
  REQUIRE_EQ(fp->header().min_dedup_interval_ms, 2000);
}

static void TestLossyPrecision() {
  std::vector<RawRow> rows;
  for (int i = 0; i < 500; i++) {
    rows.push_back({MakeTsid(1), 1000000 + i * 15013, 1000.0 + i * 3.7, 8});
  }
  PartPtr p = MustCreate(rows);
  SeriesRows got = Search(p, {MakeTsid(1)}, {INT64_MIN, INT64_MAX});
  REQUIRE_EQ(got[1].size(), 500);
  REQUIRE_EQ(got[1].front().first, 1000000);
  REQUIRE_EQ(got[1].back().first, 1000000 + 499 * 15013);
  for (size_t i = 0; i < 500; i++) {
    if (i > 0) REQUIRE(got[1][i].first >= got[1][i - 1].first);
    const double want = 1000.0 + static_cast<double>(i) * 3.7;
    REQUIRE(std::abs(got[1][i].second - want) <= want / 64);
  }
}

static void TestCorruptedParts() {
  std::vector<RawRow> rows;
  for (int s = 0; s < 300; s++) {
    for (int i = 0; i < 50; i++) {
      rows.push_back({MakeTsid(s + 1), 1000000 + i * 1000 + s, s * 0.5 + i * 1.25, 64});
    }
  }
  PartPtr mem = MustCreate(rows);
  TempDir tmp;
  const std::string name = mem->header().DirName(1);
  const std::string good = tmp.path() + "/good/" + name;
  REQUIRE_OK(mem->inmemory()->StoreToDisk(good));
  std::vector<TSID> all;
  for (int s = 0; s < 300; s++) all.push_back(MakeTsid(s + 1));
  int variant = 0;
  auto corrupt = [&](const std::string& file, const std::function<void(std::string*)>& fn) {
    const std::string dir = tmp.path() + "/v" + std::to_string(variant++) + "/" + name;
    std::filesystem::create_directories(dir);
    std::filesystem::copy(good, dir, std::filesystem::copy_options::recursive);
    std::string data = ReadAll(dir + "/" + file);
    fn(&data);
    WriteAll(dir + "/" + file, data);
    return dir;
  };
  // Returns the first error from opening, searching (with decoding) or sequential reading.
  auto check = [&](const std::string& dir) -> vme::Status {
    auto r = Part::OpenFile(dir);
    if (!r.ok()) return r.status();
    vme::Status st;
    Search(r.value(), all, {INT64_MIN, INT64_MAX}, nullptr, &st);
    if (!st.ok()) return st;
    BlockStreamReader bsr(r.value());
    DataBlock b;
    while (bsr.NextBlock()) {
      st = bsr.block().Decode();
      if (!st.ok()) return st;
    }
    return bsr.status();
  };
  REQUIRE_OK(check(good));

  const std::string cases[] = {
      corrupt("values.bin", [](std::string* d) { d->resize(d->size() / 2); }),
      corrupt("values.bin", [](std::string* d) { d->clear(); }),
      corrupt("timestamps.bin", [](std::string* d) { d->resize(d->size() - 1); }),
      corrupt("index.bin", [](std::string* d) { *d = std::string(d->size(), 'x'); }),
      corrupt("index.bin", [](std::string* d) { d->resize(d->size() - 3); }),
      corrupt("index.bin", [](std::string* d) { (*d)[d->size() / 2] ^= 0x55; }),
      corrupt("metaindex.bin", [](std::string* d) { *d = "garbage"; }),
      corrupt("metaindex.bin", [](std::string* d) { d->clear(); }),
      corrupt("metaindex.bin",
              [](std::string* d) {
                std::string raw;
                REQUIRE_OK(vme::enc::DecompressZstd(&raw, *d));
                raw[60] = 0x7f;  // huge IndexBlockSize
                d->clear();
                vme::enc::CompressZstd(d, raw, 1);
              }),
      corrupt("metaindex.bin",
              [](std::string* d) {
                std::string raw;
                REQUIRE_OK(vme::enc::DecompressZstd(&raw, *d));
                raw.resize(raw.size() - 5);
                d->clear();
                vme::enc::CompressZstd(d, raw, 1);
              }),
      corrupt("min_dedup_interval", [](std::string* d) { *d = "bogus"; }),
  };
  for (const std::string& dir : cases) {
    const vme::Status st = check(dir);
    if (st.ok()) FAIL("corruption not detected in %s", dir.c_str());
  }
  // Values payload garbage inside valid sizes: decoding may or may not detect it, but must not
  // crash.
  for (int k = 0; k < 20; k++) {
    const std::string dir = corrupt("values.bin", [k](std::string* d) {
      for (size_t i = static_cast<size_t>(k); i < d->size(); i += 7) (*d)[i] ^= 0xa5;
    });
    check(dir).IgnoreError();
    const std::string dir2 = corrupt("timestamps.bin", [k](std::string* d) {
      for (size_t i = static_cast<size_t>(k); i < d->size(); i += 5) (*d)[i] ^= 0x3c;
    });
    check(dir2).IgnoreError();
  }
  // Errors name the file.
  const vme::Status st = check(cases[0]);
  REQUIRE(st.message().find("values.bin") != std::string::npos);
  const vme::Status st2 = check(cases[6]);
  REQUIRE(st2.message().find("metaindex.bin") != std::string::npos);
  // Missing files, bad names.
  std::filesystem::remove(cases[1] + "/index.bin");
  REQUIRE(!Part::OpenFile(cases[1]).ok());
  std::filesystem::rename(cases[2], tmp.path() + "/v2/bad_name");
  REQUIRE(!Part::OpenFile(tmp.path() + "/v2/bad_name").ok());
}

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestInmemoryPartExample), VME_TEST(TestBlockCounts),
      VME_TEST(TestPartNames),           VME_TEST(TestGoDuration),
      VME_TEST(TestRoundTripSearch),     VME_TEST(TestSearchAcrossIndexBlocks),
      VME_TEST(TestTimestampsSharing),   VME_TEST(TestDedupOnCreate),
      VME_TEST(TestLossyPrecision),      VME_TEST(TestCorruptedParts),
  };
  return vme::test::RunTests(tests, argc, argv);
}
