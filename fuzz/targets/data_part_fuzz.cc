// Fuzz target `data_part`: a whole data part directory (src/storage/part.h) written from the
// input, opened, and read completely: every index block, every block's payloads, and a
// partSearch over all its TSIDs and all time.
//
// Input (fuzz/part_dir.h framing): the part directory name, then metaindex.bin, index.bin,
// timestamps.bin, values.bin, min_dedup_interval.
// Properties: no crash, leak or undefined behaviour; a block that decodes has RowsCount
// samples; partSearch returns blocks in TSID order. (Blocks of one series are not checked
// for MinTimestamp order across index blocks; a search sorts the samples of a series whose
// blocks overlap or come out of order, SeriesIterator::DecodeSeries.)
#include <algorithm>
#include <vector>

#include "fuzz_target.h"
#include "part_dir.h"
#include "storage/part.h"
#include "storage/part_search.h"

VME_FUZZ_TARGET(data_part) {
  using namespace vme::storage;
  const std::string dir = vme::fuzz::WritePartDir(
      data, size,
      {"metaindex.bin", "index.bin", "timestamps.bin", "values.bin", "min_dedup_interval"});
  if (dir.empty()) return;
  auto part = Part::OpenFile(dir);
  if (!part.ok()) return;
  const PartPtr p = *part;
  std::vector<TSID> tsids;
  std::vector<int64_t> ts, mantissas;
  for (size_t i = 0; i < p->metaindex().size(); i++) {
    tsids.push_back(p->metaindex()[i].tsid);
    auto bhs = p->IndexBlock(i);
    if (!bhs.ok()) continue;
    for (const BlockHeader& bh : **bhs) {
      tsids.push_back(bh.tsid);
      ts.clear();
      mantissas.clear();
      if (!p->ReadDecodedBlock(bh, &ts, &mantissas).ok()) continue;
      VME_FUZZ_CHECK(ts.size() == bh.rows_count && mantissas.size() == bh.rows_count,
                     "decoded block has RowsCount samples");
    }
  }
  std::sort(tsids.begin(), tsids.end());
  tsids.erase(std::unique(tsids.begin(), tsids.end()), tsids.end());
  PartSearch ps;
  ps.Init(p, &tsids, TimeRange{INT64_MIN, INT64_MAX});
  Block b;
  bool have_prev = false;
  BlockHeader prev;
  while (ps.NextBlock()) {
    const BlockHeader& bh = ps.block_header();
    if (have_prev) VME_FUZZ_CHECK(!(bh.tsid < prev.tsid), "partSearch TSID order");
    prev = bh;
    have_prev = true;
    if (!ps.ReadBlock(&b).ok()) continue;
    VME_FUZZ_CHECK(b.timestamps.size() == b.values.size(), "block timestamps and values");
  }
}
