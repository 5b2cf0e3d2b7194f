#include "mergeset/metaindex_row.h"

#include "encoding/int.h"
#include "encoding/zstd.h"

namespace vme::mergeset {

void MetaindexRow::Marshal(std::string* dst) const {
  enc::AppendBytes(dst, first_item);
  enc::AppendU32(dst, block_headers_count);
  enc::AppendU64(dst, index_block_offset);
  enc::AppendU32(dst, index_block_size);
}

Status MetaindexRow::Unmarshal(std::string_view* src) {
  std::string_view first;
  if (!enc::ReadBytes(src, &first))
    return Status::Corruption("cannot read firstItem of metaindexRow");
  if (!enc::ReadU32(src, &block_headers_count) || !enc::ReadU64(src, &index_block_offset) ||
      !enc::ReadU32(src, &index_block_size)) {
    return Status::Corruption("truncated metaindexRow");
  }
  first_item.assign(first);
  if (block_headers_count == 0) return Status::Corruption("blockHeadersCount is 0 in metaindexRow");
  if (index_block_size > kMaxIndexBlockSize) {
    return Status::Corruption("indexBlockSize " + std::to_string(index_block_size) + " exceeds " +
                              std::to_string(kMaxIndexBlockSize));
  }
  return Status::OK();
}

Status UnmarshalMetaindexRows(std::string_view data, std::vector<MetaindexRow>* rows) {
  rows->clear();
  std::string raw;
  Status st = enc::DecompressZstd(&raw, data, 256u << 20);
  if (!st.ok()) return st.WithContext("cannot decompress metaindex");
  std::string_view src(raw);
  while (!src.empty()) {
    const size_t off = raw.size() - src.size();
    MetaindexRow r;
    st = r.Unmarshal(&src);
    if (!st.ok()) {
      return st.WithContext("metaindex row " + std::to_string(rows->size()) +
                            " at decompressed offset " + std::to_string(off));
    }
    if (!rows->empty() && r.first_item < rows->back().first_item) {
      return Status::Corruption("metaindex rows are not sorted at row " +
                                std::to_string(rows->size()));
    }
    rows->push_back(std::move(r));
  }
  if (rows->empty()) return Status::Corruption("metaindex has no rows");
  return Status::OK();
}

}  // namespace vme::mergeset
