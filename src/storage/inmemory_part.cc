#include "storage/inmemory_part.h"

#include <algorithm>

#include "encoding/decimal.h"
#include "storage/block.h"
#include "storage/block_stream_writer.h"
#include "util/fs.h"

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

Status InmemoryPart::StoreToDisk(const std::string& dir) const {
  if (fs::Exists(dir)) return Status::InvalidArgument("part directory already exists: " + dir);
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(dir));
  const std::pair<const char*, const std::string*> files[] = {{"timestamps.bin", &timestamps},
                                                              {"values.bin", &values},
                                                              {"index.bin", &index},
                                                              {"metaindex.bin", &metaindex}};
  for (const auto& [name, data] : files) {
    VME_ASSIGN_OR_RETURN(auto f, fs::WritableFile::Create(fs::Join(dir, name)));
    VME_RETURN_IF_ERROR(f->Append(*data));
    VME_RETURN_IF_ERROR(f->Close());
  }
  VME_RETURN_IF_ERROR(ph.WriteMinDedupInterval(dir));
  return fs::FsyncDir(dir);
}

}  // namespace vme::storage
