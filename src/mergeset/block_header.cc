#include "mergeset/block_header.h"

#include "encoding/int.h"
#include "mergeset/encoding.h"

namespace vme::mergeset {

void BlockHeader::Marshal(std::string* dst) const {
  enc::AppendBytes(dst, common_prefix);
  enc::AppendBytes(dst, first_item);
  dst->push_back(static_cast<char>(marshal_type));
  enc::AppendU32(dst, items_count);
  enc::AppendU64(dst, items_block_offset);
  enc::AppendU64(dst, lens_block_offset);
  enc::AppendU32(dst, items_block_size);
  enc::AppendU32(dst, lens_block_size);
}

Status BlockHeader::Unmarshal(std::string_view* src) {
  std::string_view cp, first;
  if (!enc::ReadBytes(src, &cp))
    return Status::Corruption("cannot read commonPrefix of blockHeader");
  if (!enc::ReadBytes(src, &first))
    return Status::Corruption("cannot read firstItem of blockHeader");
  if (src->size() < 1 + 4 + 8 + 8 + 4 + 4) return Status::Corruption("truncated blockHeader");
  common_prefix.assign(cp);
  first_item.assign(first);
  marshal_type = static_cast<uint8_t>((*src)[0]);
  src->remove_prefix(1);
  (void)enc::ReadU32(src, &items_count);
  (void)enc::ReadU64(src, &items_block_offset);
  (void)enc::ReadU64(src, &lens_block_offset);
  (void)enc::ReadU32(src, &items_block_size);
  (void)enc::ReadU32(src, &lens_block_size);
  if (marshal_type > kMarshalTypeZstd) {
    return Status::Corruption("unknown marshalType " + std::to_string(marshal_type) +
                              " in blockHeader");
  }
  if (items_count == 0) return Status::Corruption("itemsCount is 0 in blockHeader");
  if (items_block_size > kMaxItemsBlockSize) {
    return Status::Corruption("itemsBlockSize " + std::to_string(items_block_size) + " exceeds " +
                              std::to_string(kMaxItemsBlockSize));
  }
  if (lens_block_size > kMaxLensBlockSize) {
    return Status::Corruption("lensBlockSize " + std::to_string(lens_block_size) + " exceeds " +
                              std::to_string(kMaxLensBlockSize));
  }
  if (first_item.compare(0, common_prefix.size(), common_prefix) != 0 ||
      first_item.size() < common_prefix.size()) {
    return Status::Corruption("commonPrefix is not a prefix of firstItem in blockHeader");
  }
  return Status::OK();
}

}  // namespace vme::mergeset
