#include "storage/block_header.h"

#include "encoding/int.h"
#include "encoding/int64_array.h"

namespace vme::storage {

void BlockHeader::Marshal(std::string* dst) const {
  tsid.Marshal(dst);
  enc::AppendI64zz(dst, min_timestamp);
  enc::AppendI64zz(dst, max_timestamp);
  enc::AppendI64zz(dst, first_value);
  enc::AppendU64(dst, timestamps_block_offset);
  enc::AppendU64(dst, values_block_offset);
  enc::AppendU32(dst, timestamps_block_size);
  enc::AppendU32(dst, values_block_size);
  enc::AppendU32(dst, rows_count);
  enc::AppendI16zz(dst, scale);
  dst->push_back(static_cast<char>(timestamps_marshal_type));
  dst->push_back(static_cast<char>(values_marshal_type));
  dst->push_back(static_cast<char>(precision_bits));
}

Status BlockHeader::Unmarshal(std::string_view src, BlockHeader* out) {
  if (src.size() < kMarshaledSize) {
    return Status::Corruption("block header too short: " + std::to_string(src.size()) +
                              " bytes, want 89");
  }
  const char* p = src.data();
  BlockHeader bh;
  bh.tsid = TSID::Load(p);
  bh.min_timestamp = enc::LoadI64zz(p + 32);
  bh.max_timestamp = enc::LoadI64zz(p + 40);
  bh.first_value = enc::LoadI64zz(p + 48);
  bh.timestamps_block_offset = enc::LoadU64(p + 56);
  bh.values_block_offset = enc::LoadU64(p + 64);
  bh.timestamps_block_size = enc::LoadU32(p + 72);
  bh.values_block_size = enc::LoadU32(p + 76);
  bh.rows_count = enc::LoadU32(p + 80);
  bh.scale = enc::LoadI16zz(p + 84);
  bh.timestamps_marshal_type = static_cast<uint8_t>(p[86]);
  bh.values_marshal_type = static_cast<uint8_t>(p[87]);
  bh.precision_bits = static_cast<uint8_t>(p[88]);
  VME_RETURN_IF_ERROR(bh.Validate());
  *out = bh;
  return Status::OK();
}

Status BlockHeader::Validate() const {
  if (rows_count == 0) return Status::Corruption("block header: RowsCount is zero");
  if (rows_count > kMaxRowsCount) {
    return Status::Corruption("block header: too big RowsCount " + std::to_string(rows_count) +
                              "; max 16384");
  }
  if (!enc::IsValidMarshalTypeByte(timestamps_marshal_type)) {
    return Status::Corruption("block header: invalid TimestampsMarshalType " +
                              std::to_string(timestamps_marshal_type));
  }
  if (!enc::IsValidMarshalTypeByte(values_marshal_type)) {
    return Status::Corruption("block header: invalid ValuesMarshalType " +
                              std::to_string(values_marshal_type));
  }
  if (precision_bits < 1 || precision_bits > 64) {
    return Status::Corruption("block header: invalid PrecisionBits " +
                              std::to_string(precision_bits));
  }
  if (timestamps_block_size > kMaxPayloadSize) {
    return Status::Corruption("block header: too big TimestampsBlockSize " +
                              std::to_string(timestamps_block_size));
  }
  if (values_block_size > kMaxPayloadSize) {
    return Status::Corruption("block header: too big ValuesBlockSize " +
                              std::to_string(values_block_size));
  }
  if (min_timestamp > max_timestamp) {
    return Status::Corruption("block header: MinTimestamp " + std::to_string(min_timestamp) +
                              " > MaxTimestamp " + std::to_string(max_timestamp));
  }
  return Status::OK();
}

Status UnmarshalBlockHeaders(std::string_view src, uint32_t count, std::vector<BlockHeader>* dst) {
  dst->clear();
  if (src.size() != uint64_t{count} * BlockHeader::kMarshaledSize) {
    return Status::Corruption("index block holds " + std::to_string(src.size()) + " bytes; want " +
                              std::to_string(count) + " block headers of 89 bytes");
  }
  dst->resize(count);
  for (uint32_t i = 0; i < count; i++) {
    const Status st =
        BlockHeader::Unmarshal(src.substr(size_t{i} * BlockHeader::kMarshaledSize), &(*dst)[i]);
    if (!st.ok()) {
      dst->clear();
      return st.WithContext("block header #" + std::to_string(i));
    }
    if (i > 0 && (*dst)[i].tsid < (*dst)[i - 1].tsid) {
      dst->clear();
      return Status::Corruption("block headers in an index block are not sorted by TSID at #" +
                                std::to_string(i));
    }
  }
  return Status::OK();
}

}  // namespace vme::storage
