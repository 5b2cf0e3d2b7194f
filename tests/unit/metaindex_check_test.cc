// metaindex.bin rows of data parts are checked against the index blocks they describe (as the
// mergeset side does): a metaindex row whose TSID or time range lies is VME_ERR_CORRUPTION
// naming the part, metaindex.bin and the row's offset, not a series that a search silently
// skips.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "check.h"
#include "encoding/zstd.h"
#include "metaindex_edit.h"
#include "open_test_util.h"
#include "storage/block.h"
#include "storage/metaindex_row.h"
#include "storage/part.h"
#include "storage/part_search.h"
#include "util/fs.h"

namespace {

using vme::Code;
using vme::test::ScratchDir;
using namespace vme::storage;  // NOLINT
using vme::test::EditMetaindex;

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr uint64_t kSeries = 2000;      // one block each: several index blocks

// A file part with kSeries series (MetricID 1..kSeries), rows at kT0 .. kT0 + 10 s.
std::string WritePart(const std::string& base) {
  std::vector<RawRow> rows;
  for (uint64_t id = 1; id <= kSeries; id++) {
    for (int64_t k = 0; k <= 10; k++) {
      RawRow r;
      r.tsid = TSID{0, 0, 7, 1, 2, id};
      r.timestamp = kT0 + k * 1000;
      r.value = static_cast<double>(id + static_cast<uint64_t>(k));
      rows.push_back(r);
    }
  }
  auto p = Part::CreateInmemory(&rows, 0);
  REQUIRE_OK(p);
  const std::string dir = base + "/" + (*p)->header().DirName(1);
  REQUIRE_OK((*p)->inmemory()->StoreToDisk(dir));
  // These are the structural checks of parts without a checksum sidecar (as VictoriaMetrics
  // writes them); with the sidecar an edited metaindex.bin fails its checksum at open.
  REQUIRE_OK(vme::fs::RemoveAllSync(dir + "/vmengine_checksums.bin"));
  return dir;
}

// Searches every series over the whole part; returns the search status and counts series.
vme::Status SearchAll(const PartPtr& p, size_t* series) {
  std::vector<TSID> tsids;
  for (uint64_t id = 1; id <= kSeries; id++) tsids.push_back(TSID{0, 0, 7, 1, 2, id});
  PartSearch ps;
  ps.Init(p, &tsids, TimeRange{kT0, kT0 + 10'000});
  *series = 0;
  Block b;
  while (ps.NextBlock()) {
    REQUIRE_OK(ps.ReadBlock(&b));
    (*series)++;
  }
  return ps.status();
}

void RequireCorruptionAtRow(const vme::Status& st, const std::string& dir, size_t row) {
  REQUIRE_EQ(static_cast<int>(st.code()), static_cast<int>(Code::kCorruption));
  const std::string& m = st.message();
  REQUIRE(m.find(dir + "/metaindex.bin") != std::string::npos, "%s", m.c_str());
  REQUIRE(m.find("row #" + std::to_string(row) + " at offset " + std::to_string(row * 64)) !=
              std::string::npos,
          "%s", m.c_str());
  REQUIRE(m.find(dir + "/index.bin") != std::string::npos, "%s", m.c_str());
}

void TestIntactPartFindsEverySeries() {
  ScratchDir d;
  const std::string dir = WritePart(d.path());
  auto p = Part::OpenFile(dir);
  REQUIRE_OK(p);
  size_t series = 0;
  REQUIRE_OK(SearchAll(*p, &series));
  REQUIRE_EQ(series, size_t{kSeries});
}

void TestTsidLoweredInRow() {
  ScratchDir d;
  const std::string dir = WritePart(d.path());
  EditMetaindex(dir, [](std::vector<MetaindexRow>* rows) { (*rows)[1].tsid.metric_id -= 1; });
  auto p = Part::OpenFile(dir);
  REQUIRE_OK(p);  // still sorted: only reading the index block can tell
  size_t series = 0;
  RequireCorruptionAtRow(SearchAll(*p, &series), dir, 1);
}

void TestTsidRaisedInRow() {
  ScratchDir d;
  const std::string dir = WritePart(d.path());
  // The series that starts index block 2 would be skipped: the row claims a later TSID.
  EditMetaindex(dir, [](std::vector<MetaindexRow>* rows) { (*rows)[2].tsid.metric_id += 1; });
  auto p = Part::OpenFile(dir);
  REQUIRE_OK(p);
  size_t series = 0;
  RequireCorruptionAtRow(SearchAll(*p, &series), dir, 2);
}

void TestOtherTsidFieldInRow() {
  ScratchDir d;
  const std::string dir = WritePart(d.path());
  // instance_id 2 -> 1 in row 0 keeps the rows sorted.
  EditMetaindex(dir, [](std::vector<MetaindexRow>* rows) { (*rows)[0].tsid.instance_id = 1; });
  auto p = Part::OpenFile(dir);
  REQUIRE_OK(p);
  size_t series = 0;
  RequireCorruptionAtRow(SearchAll(*p, &series), dir, 0);
}

void TestTimeRangeOfRow() {
  ScratchDir d;
  const std::string dir = WritePart(d.path());
  // Row 1 claims to end 5 s early; the part's overall range is unchanged (other rows).
  EditMetaindex(dir, [](std::vector<MetaindexRow>* rows) { (*rows)[1].max_timestamp -= 5000; });
  auto p = Part::OpenFile(dir);
  REQUIRE_OK(p);
  size_t series = 0;
  RequireCorruptionAtRow(SearchAll(*p, &series), dir, 1);
}

void TestRowsDisagreeWithPartHeader() {
  ScratchDir d;
  const std::string dir = WritePart(d.path());
  // Every row claims a later start: the rows no longer cover the part's MinTimestamp.
  EditMetaindex(dir, [](std::vector<MetaindexRow>* rows) {
    for (auto& r : *rows) r.min_timestamp += 1000;
  });
  auto p = Part::OpenFile(dir);
  REQUIRE_EQ(static_cast<int>(p.status().code()), static_cast<int>(Code::kCorruption));
  REQUIRE(p.status().message().find(dir + "/metaindex.bin") != std::string::npos, "%s",
          p.status().message().c_str());
  // A row that lost a block header no longer adds up to BlocksCount.
  const std::string dir2 = WritePart(d.path() + "/second");
  EditMetaindex(dir2, [](std::vector<MetaindexRow>* rows) { (*rows)[0].block_headers_count--; });
  p = Part::OpenFile(dir2);
  REQUIRE_EQ(static_cast<int>(p.status().code()), static_cast<int>(Code::kCorruption));
  REQUIRE(p.status().message().find(dir2 + "/metaindex.bin") != std::string::npos, "%s",
          p.status().message().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestIntactPartFindsEverySeries), VME_TEST(TestTsidLoweredInRow),
       VME_TEST(TestTsidRaisedInRow), VME_TEST(TestOtherTsidFieldInRow),
       VME_TEST(TestTimeRangeOfRow), VME_TEST(TestRowsDisagreeWithPartHeader)},
      argc, argv);
}
