#include "storage/inmemory_part.h"

#include <algorithm>

#include "encoding/decimal.h"
#include "encoding/zstd.h"
#include "storage/block.h"
#include "storage/block_header.h"
#include "storage/block_stream_writer.h"
#include "storage/metaindex_row.h"
#include "util/fs.h"
#include "util/part_checksums.h"

namespace vme::storage {

Status InmemoryPart::InitFromRows(std::vector<RawRow>* rows, int64_t dedup_interval_ms) {
  if (rows->empty()) return Status::InvalidArgument("cannot create a part from zero rows");
  for (const RawRow& r : *rows) {
    if (r.precision_bits < 1 || r.precision_bits > 64) {
      return Status::InvalidArgument("invalid precision bits " + std::to_string(r.precision_bits));
    }
  }
  if (rows->size() > UINT32_MAX) {
    return Status::InvalidArgument("cannot create a part from " + std::to_string(rows->size()) +
                                   " rows (at most 2^32 - 1)");
  }
  std::vector<uint32_t> order;
  SortedRawRowsOrder(*rows, &order);
  auto w = BlockStreamWriter::ForInmemoryPart(this);
  w->set_dedup_interval(dedup_interval_ms);
  DataBlock b;
  std::vector<double> values;
  values.reserve(std::min(rows->size(), kMaxRowsPerBlock));
  const RawRow* r = rows->data();
  const uint32_t* o = order.data();
  const size_t n = rows->size();
  size_t start = 0;
  while (start < n) {
    size_t end = start + 1;
    const RawRow& first = r[o[start]];
    const uint64_t metric_id = first.tsid.metric_id;
    while (end < n && end - start < kMaxRowsPerBlock && r[o[end]].tsid.metric_id == metric_id)
      end++;
    b.Reset();
    b.header.tsid = first.tsid;
    b.header.precision_bits = first.precision_bits;
    values.clear();
    for (size_t i = start; i < end; i++) {
      b.timestamps.push_back(r[o[i]].timestamp);
      values.push_back(r[o[i]].value);
    }
    b.header.scale = dec::AppendFloatToDecimal(&b.values, values.data(), values.size());
    b.decoded = true;
    b.FixupTimestamps();
    VME_RETURN_IF_ERROR(w->WriteBlock(&b));
    start = end;
  }
  return w->Close();
}

namespace {

// The index block and block checksums of the sidecar of an in-memory part, walking its
// metaindex and index blocks in part order.
Status CollectBlockChecksums(const InmemoryPart& mp, PartChecksums* sums) {
  if (mp.ph.blocks_count == 0) return Status::OK();
  std::string data;
  VME_RETURN_IF_ERROR(enc::DecompressZstd(&data, mp.metaindex));
  std::vector<MetaindexRow> rows;
  VME_RETURN_IF_ERROR(UnmarshalMetaindexRows(data, &rows));
  std::vector<BlockHeader> bhs;
  for (const MetaindexRow& mr : rows) {
    if (mr.index_block_offset > mp.index.size() ||
        mr.index_block_size > mp.index.size() - mr.index_block_offset) {
      return Status::Internal("in-memory part: metaindex row points past index.bin");
    }
    const std::string_view packed =
        std::string_view(mp.index).substr(mr.index_block_offset, mr.index_block_size);
    sums->index_blocks.push_back(IndexBlockChecksum(packed));
    data.clear();
    VME_RETURN_IF_ERROR(enc::DecompressZstd(&data, packed));
    VME_RETURN_IF_ERROR(UnmarshalBlockHeaders(data, mr.block_headers_count, &bhs));
    for (const BlockHeader& bh : bhs) {
      if (bh.timestamps_block_offset > mp.timestamps.size() ||
          bh.timestamps_block_size > mp.timestamps.size() - bh.timestamps_block_offset ||
          bh.values_block_offset > mp.values.size() ||
          bh.values_block_size > mp.values.size() - bh.values_block_offset) {
        return Status::Internal("in-memory part: block header points past its payloads");
      }
      sums->blocks.push_back(BlockChecksum(
          std::string_view(mp.timestamps)
              .substr(bh.timestamps_block_offset, bh.timestamps_block_size),
          std::string_view(mp.values).substr(bh.values_block_offset, bh.values_block_size)));
    }
  }
  return Status::OK();
}

}  // namespace

Status InmemoryPart::StoreToDisk(const std::string& dir) const {
  if (fs::Exists(dir)) return Status::InvalidArgument("part directory already exists: " + dir);
  PartChecksums sums;
  sums.kind = PartKind::kData;
  VME_RETURN_IF_ERROR(CollectBlockChecksums(*this, &sums));
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(dir));
  const std::pair<const char*, const std::string*> files[] = {{"timestamps.bin", &timestamps},
                                                              {"values.bin", &values},
                                                              {"index.bin", &index},
                                                              {"metaindex.bin", &metaindex}};
  for (const auto& [name, data] : files) {
    VME_ASSIGN_OR_RETURN(auto f, fs::WritableFile::Create(fs::Join(dir, name)));
    VME_RETURN_IF_ERROR(f->Append(*data));
    VME_RETURN_IF_ERROR(f->Close());
    sums.AddFile(name, *data);
  }
  VME_RETURN_IF_ERROR(ph.WriteMinDedupInterval(dir));
  VME_RETURN_IF_ERROR(sums.AddFileFromDisk(dir, kMinDedupIntervalFileName));
  VME_RETURN_IF_ERROR(WritePartChecksums(dir, sums));
  return fs::FsyncDir(dir);
}

}  // namespace vme::storage
