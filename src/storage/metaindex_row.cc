#include "storage/metaindex_row.h"

#include "encoding/int.h"

namespace vme::storage {

void MetaindexRow::Marshal(std::string* dst) const {
  tsid.Marshal(dst);
  enc::AppendU32(dst, block_headers_count);
  enc::AppendI64zz(dst, min_timestamp);
  enc::AppendI64zz(dst, max_timestamp);
  enc::AppendU64(dst, index_block_offset);
  enc::AppendU32(dst, index_block_size);
}

Status MetaindexRow::Unmarshal(std::string_view src, MetaindexRow* out) {
  if (src.size() < kMarshaledSize) {
    return Status::Corruption("metaindex row too short: " + std::to_string(src.size()) +
                              " bytes, want 64");
  }
  const char* p = src.data();
  MetaindexRow mr;
  mr.tsid = TSID::Load(p);
  mr.block_headers_count = enc::LoadU32(p + 32);
  mr.min_timestamp = enc::LoadI64zz(p + 36);
  mr.max_timestamp = enc::LoadI64zz(p + 44);
  mr.index_block_offset = enc::LoadU64(p + 52);
  mr.index_block_size = enc::LoadU32(p + 60);
  VME_RETURN_IF_ERROR(mr.Validate());
  *out = mr;
  return Status::OK();
}

Status MetaindexRow::Validate() const {
  if (block_headers_count == 0) return Status::Corruption("metaindex row: BlockHeadersCount is 0");
  if (index_block_size > kMaxIndexBlockSize) {
    return Status::Corruption("metaindex row: too big IndexBlockSize " +
                              std::to_string(index_block_size));
  }
  if (index_block_size == 0) return Status::Corruption("metaindex row: IndexBlockSize is 0");
  if (min_timestamp > max_timestamp) {
    return Status::Corruption("metaindex row: MinTimestamp > MaxTimestamp");
  }
  return Status::OK();
}

void MetaindexRow::RegisterBlockHeader(const BlockHeader& bh) {
  block_headers_count++;
  if (block_headers_count == 1) {
    tsid = bh.tsid;
    min_timestamp = bh.min_timestamp;
    max_timestamp = bh.max_timestamp;
    return;
  }
  if (bh.min_timestamp < min_timestamp) min_timestamp = bh.min_timestamp;
  if (bh.max_timestamp > max_timestamp) max_timestamp = bh.max_timestamp;
}

Status UnmarshalMetaindexRows(std::string_view src, std::vector<MetaindexRow>* dst) {
  dst->clear();
  if (src.empty()) return Status::Corruption("metaindex holds no rows");
  if (src.size() % MetaindexRow::kMarshaledSize != 0) {
    return Status::Corruption("metaindex size " + std::to_string(src.size()) +
                              " is not a multiple of 64");
  }
  const size_t n = src.size() / MetaindexRow::kMarshaledSize;
  dst->resize(n);
  for (size_t i = 0; i < n; i++) {
    const Status st =
        MetaindexRow::Unmarshal(src.substr(i * MetaindexRow::kMarshaledSize), &(*dst)[i]);
    if (!st.ok()) {
      dst->clear();
      return st.WithContext("metaindex row #" + std::to_string(i) + " at offset " +
                            std::to_string(i * MetaindexRow::kMarshaledSize));
    }
    if (i > 0 && (*dst)[i].tsid < (*dst)[i - 1].tsid) {
      dst->clear();
      return Status::Corruption("metaindex rows are not sorted by TSID at row #" +
                                std::to_string(i));
    }
  }
  return Status::OK();
}

}  // namespace vme::storage
