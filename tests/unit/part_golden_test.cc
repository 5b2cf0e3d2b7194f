// Parts written by real VictoriaMetrics 1.72 (tests/data/vm172): they must read back exactly
// the rows of the golden CSVs, our encoder must reproduce their payloads, and merging them must
// give VM's force-merge result (VictoriaMetrics mergeBlockStreams in lib/storage/merge.go, tests in
// lib/storage/*_test.go; docs/format.md, "Data parts").
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "encoding/decimal.h"
#include "encoding/zstd.h"
#include "storage/block_stream_reader.h"
#include "storage/merge.h"
#include "storage/part.h"
#include "storage/part_search.h"
#include "test_util.h"

using namespace vme::storage;  // NOLINT
using vme::test::TempDir;

namespace {

using Sample = std::pair<int64_t, uint64_t>;         // timestamp, value bits
using SeriesSet = std::vector<std::vector<Sample>>;  // sorted samples per series, sorted

const std::string kData = VME_TESTDATA_DIR "/vm172";

uint64_t Bits(double v) {
  uint64_t u;
  std::memcpy(&u, &v, 8);
  return u;
}

void Normalize(SeriesSet* s) {
  for (auto& v : *s) std::sort(v.begin(), v.end());
  std::sort(s->begin(), s->end());
}

// Splits a CSV line into fields (RFC 4180 quoting).
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); i++) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur.push_back('"');
        i++;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

// Reads a golden CSV (expected: metric,ts,value,bits; input: batch,metric,ts,value,bits) into
// per-series samples, optionally only one batch. NaNs other than the stale marker are dropped,
// as the storage does at ingestion.
SeriesSet ReadCsv(const std::string& path, int batch = -1) {
  std::ifstream f(path);
  if (!f) FAIL("cannot open %s", path.c_str());
  std::string line;
  std::getline(f, line);
  const bool is_input = line.rfind("batch,", 0) == 0;
  std::map<std::string, std::vector<Sample>> series;
  while (std::getline(f, line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields = SplitCsv(line);
    if (is_input) {
      if (batch >= 0 && std::stoi(fields[0]) != batch) continue;
      fields.erase(fields.begin());
    }
    const uint64_t bits = std::stoull(fields[3], nullptr, 16);
    const bool nan = (bits & 0x7ff0000000000000ULL) == 0x7ff0000000000000ULL &&
                     (bits & 0x000fffffffffffffULL) != 0;
    if (nan && bits != 0x7ff0000000000002ULL) continue;
    series[fields[0]].emplace_back(std::stoll(fields[1]), bits);
  }
  SeriesSet out;
  for (auto& [name, v] : series) out.push_back(std::move(v));
  Normalize(&out);
  return out;
}

size_t CountSamples(const SeriesSet& s) {
  size_t n = 0;
  for (const auto& v : s) n += v.size();
  return n;
}

std::vector<std::string> PartDirs(const std::string& partition) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(partition)) {
    if (e.is_directory()) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Copies a partition's parts into tmp and opens them, sorted by name.
std::vector<PartPtr> CopyAndOpen(const std::string& set, const std::string& tmp) {
  const std::string src = kData + "/" + set + "/storage/data/small/2026_01";
  std::vector<PartPtr> parts;
  for (const std::string& name : PartDirs(src)) {
    const std::string dst = tmp + "/" + set + "/" + name;
    std::filesystem::create_directories(dst);
    std::filesystem::copy(src + "/" + name, dst, std::filesystem::copy_options::recursive);
    auto r = Part::OpenFile(dst);
    REQUIRE_OK(r.status());
    parts.push_back(r.value());
  }
  return parts;
}

// Reads all blocks of a part with the sequential reader, grouped by MetricID.
void ReadAllBlocks(const PartPtr& p, std::map<uint64_t, std::vector<Sample>>* series,
                   std::vector<TSID>* tsids) {
  BlockStreamReader r(p);
  std::vector<double> floats;
  while (r.NextBlock()) {
    DataBlock& b = r.block();
    const TSID tsid = b.header.tsid;
    if (tsids->empty() || tsids->back() != tsid) tsids->push_back(tsid);
    REQUIRE_OK(b.Decode());
    std::vector<int64_t> ts;
    std::vector<double> vals;
    AppendRowsWithTimeRangeFilter(b.timestamps, b.values, b.header.scale,
                                  TimeRange{INT64_MIN, INT64_MAX}, &ts, &vals);
    for (size_t i = 0; i < ts.size(); i++)
      (*series)[tsid.metric_id].emplace_back(ts[i], Bits(vals[i]));
  }
  REQUIRE_OK(r.status());
}

SeriesSet ToSet(std::map<uint64_t, std::vector<Sample>> m) {
  SeriesSet out;
  for (auto& [id, v] : m) out.push_back(std::move(v));
  Normalize(&out);
  return out;
}

// Reads via PartSearch with every TSID of the part.
SeriesSet SearchAll(const PartPtr& p, std::vector<TSID> tsids) {
  std::sort(tsids.begin(), tsids.end());
  tsids.erase(std::unique(tsids.begin(), tsids.end()), tsids.end());
  PartSearch ps;
  ps.Init(p, &tsids, TimeRange{INT64_MIN, INT64_MAX});
  std::map<uint64_t, std::vector<Sample>> m;
  Block b;
  while (ps.NextBlock()) {
    REQUIRE_OK(ps.ReadBlock(&b));
    for (size_t i = 0; i < b.timestamps.size(); i++) {
      m[b.header.tsid.metric_id].emplace_back(b.timestamps[i], Bits(b.values[i]));
    }
  }
  REQUIRE_OK(ps.status());
  return ToSet(std::move(m));
}

// Re-encodes every decoded block of a VM part with our encoder: headers and payloads must be
// identical (zstd payloads only need to decode to the same samples).
void CheckReencode(const PartPtr& p) {
  BlockStreamReader r(p);
  size_t blocks = 0;
  while (r.NextBlock()) {
    const DataBlock orig = r.block();
    DataBlock b = orig;
    REQUIRE_OK(b.Decode());
    DataBlock re;
    re.InitDecoded(b.header.tsid, b.timestamps.data(), b.values.data(), b.timestamps.size(),
                   b.header.scale, b.header.precision_bits);
    re.Encode();
    BlockHeader want = orig.header;
    want.timestamps_block_offset = re.header.timestamps_block_offset;
    want.values_block_offset = re.header.values_block_offset;
    const bool zstd_ts = want.timestamps_marshal_type == 1 || want.timestamps_marshal_type == 4;
    const bool zstd_values = want.values_marshal_type == 1 || want.values_marshal_type == 4;
    if (!zstd_ts) REQUIRE(re.timestamps_data == orig.timestamps_data);
    if (!zstd_values) REQUIRE(re.values_data == orig.values_data);
    if (zstd_ts || zstd_values) {
      REQUIRE_OK(re.Decode());
      REQUIRE(re.timestamps == b.timestamps);
      REQUIRE(re.values == b.values);
    } else {
      if (!(re.header == want)) FAIL("re-encoded header differs in block %zu", blocks);
    }
    blocks++;
  }
  REQUIRE_OK(r.status());
  REQUIRE_EQ(blocks, p->header().blocks_count);
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string DecompressAll(const std::string& data) {
  std::string out;
  REQUIRE_OK(vme::enc::DecompressZstd(&out, data));
  return out;
}

}  // namespace

static void TestSmall() {
  TempDir tmp;
  std::vector<PartPtr> parts = CopyAndOpen("small", tmp.path());
  REQUIRE_EQ(parts.size(), 4);
  size_t total = 0;
  for (size_t b = 0; b < parts.size(); b++) {
    const PartPtr& p = parts[b];
    REQUIRE_EQ(p->header().rows_count, 500);
    REQUIRE_EQ(p->header().blocks_count, 20);
    REQUIRE_EQ(p->header().min_dedup_interval_ms, 0);
    std::map<uint64_t, std::vector<Sample>> m;
    std::vector<TSID> tsids;
    ReadAllBlocks(p, &m, &tsids);
    REQUIRE_EQ(tsids.size(), 20);
    const SeriesSet got = ToSet(m);
    const SeriesSet want = ReadCsv(kData + "/small/input.csv", static_cast<int>(b));
    REQUIRE_EQ(CountSamples(want), 500);
    REQUIRE(got == want);
    REQUIRE(SearchAll(p, tsids) == want);
    total += CountSamples(got);
    CheckReencode(p);

    // Building an in-memory part from the decoded rows reproduces VM's payload files exactly.
    std::vector<RawRow> rows;
    std::vector<int64_t> ts, man;
    REQUIRE_OK(p->ForEachBlockHeader([&](const BlockHeader& bh) {
      VME_RETURN_IF_ERROR(p->ReadDecodedBlock(bh, &ts, &man));
      std::vector<double> vals;
      vme::dec::AppendDecimalToFloat(&vals, man.data(), man.size(), bh.scale);
      for (size_t i = 0; i < ts.size(); i++) rows.push_back({bh.tsid, ts[i], vals[i], 64});
      return vme::Status::OK();
    }));
    auto mem = Part::CreateInmemory(&rows, 0);
    REQUIRE_OK(mem.status());
    const InmemoryPart* mp = mem.value()->inmemory();
    REQUIRE(mp->timestamps == ReadAll(p->path() + "/timestamps.bin"));
    REQUIRE(mp->values == ReadAll(p->path() + "/values.bin"));
    REQUIRE(DecompressAll(mp->index) == DecompressAll(ReadAll(p->path() + "/index.bin")));
    const std::string vm_name = std::filesystem::path(p->path()).filename().string();
    const std::string our_name = mem.value()->header().DirName(0);
    REQUIRE_EQ(our_name.substr(0, our_name.rfind('_')).c_str(),
               vm_name.substr(0, vm_name.rfind('_')).c_str());
  }
  REQUIRE_EQ(total, 2000);
  REQUIRE(ReadCsv(kData + "/small/input.csv").size() == 20);

  // Merging every part (as a force merge does) keeps all 2000 samples.
  const std::string dir = tmp.path() + "/merged";
  auto r = MergePartsToDir(parts, dir, MergeOptions{});
  REQUIRE_OK(r.status());
  REQUIRE_EQ(r.value().rows_count, 2000);
  REQUIRE_EQ(r.value().blocks_count, 20);
  const std::string final_dir = tmp.path() + "/" + r.value().DirName(0x18E9F66078B091E9ULL);
  std::filesystem::rename(dir, final_dir);
  auto merged = Part::OpenFile(final_dir);
  REQUIRE_OK(merged.status());
  std::map<uint64_t, std::vector<Sample>> m;
  std::vector<TSID> tsids;
  ReadAllBlocks(merged.value(), &m, &tsids);
  REQUIRE(ToSet(m) == ReadCsv(kData + "/small/input.csv"));
  CheckReencode(merged.value());
}

static void TestSpecial() {
  TempDir tmp;
  std::vector<PartPtr> parts = CopyAndOpen("special", tmp.path());
  REQUIRE_EQ(parts.size(), 3);
  std::map<uint64_t, std::vector<Sample>> m;
  std::vector<TSID> all_tsids;
  for (const PartPtr& p : parts) {
    std::vector<TSID> tsids;
    ReadAllBlocks(p, &m, &tsids);
    all_tsids.insert(all_tsids.end(), tsids.begin(), tsids.end());
    CheckReencode(p);
  }
  const SeriesSet want = ReadCsv(kData + "/special/expected.csv");
  REQUIRE_EQ(CountSamples(want), 136);
  REQUIRE_EQ(want.size(), 50);
  const SeriesSet got = ToSet(m);
  REQUIRE_EQ(CountSamples(got), 136);
  REQUIRE(got == want);

  // Force merge: one merged part gives VM's expected_after_force_merge.csv.
  const SeriesSet want_merged = ReadCsv(kData + "/special/expected_after_force_merge.csv");
  REQUIRE(!(want_merged == want));
  for (int variant = 0; variant < 2; variant++) {
    PartPtr merged;
    if (variant == 0) {
      const std::string dir = tmp.path() + "/merged";
      auto r = MergePartsToDir(parts, dir, MergeOptions{});
      REQUIRE_OK(r.status());
      REQUIRE_EQ(r.value().rows_count, 136);
      REQUIRE_EQ(r.value().blocks_count, 50);
      const std::string final_dir = tmp.path() + "/" + r.value().DirName(1);
      std::filesystem::rename(dir, final_dir);
      auto o = Part::OpenFile(final_dir);
      REQUIRE_OK(o.status());
      merged = o.value();
    } else {
      auto r = MergePartsInmemory(parts, MergeOptions{});
      REQUIRE_OK(r.status());
      merged = r.value();
    }
    std::map<uint64_t, std::vector<Sample>> mm;
    std::vector<TSID> tsids;
    ReadAllBlocks(merged, &mm, &tsids);
    REQUIRE(ToSet(mm) == want_merged);
    REQUIRE(SearchAll(merged, all_tsids) == want_merged);
  }
}

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestSmall),
      VME_TEST(TestSpecial),
  };
  return vme::test::RunTests(tests, argc, argv);
}
