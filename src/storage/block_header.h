// blockHeader of a data part (docs/format.md, "blockHeader (89 bytes)";
// lib/storage/block_header.go).
//
// Marshaled form, 89 bytes:
//   off  size  field
//     0    32  TSID (u32 AccountID | u32 ProjectID | u64 MetricGroupID | u32 JobID |
//              u32 InstanceID | u64 MetricID, big-endian)
//    32     8  MinTimestamp           i64zz (zig-zag, then u64be)
//    40     8  MaxTimestamp           i64zz
//    48     8  FirstValue             i64zz
//    56     8  TimestampsBlockOffset  u64be
//    64     8  ValuesBlockOffset      u64be
//    72     4  TimestampsBlockSize    u32be
//    76     4  ValuesBlockSize        u32be
//    80     4  RowsCount              u32be
//    84     2  Scale                  i16zz
//    86     1  TimestampsMarshalType  u8
//    87     1  ValuesMarshalType      u8
//    88     1  PrecisionBits          u8
//
// Validation on read: 1 <= RowsCount <= 16384, marshal types in 0..6, PrecisionBits in
// 1..64, payload sizes <= 131072.
//
// An index block is the concatenation of block headers sorted by TSID (docs/format.md,
// "metaindexRow (64 bytes)").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/tsid.h"
#include "util/status.h"

namespace vme::storage {

struct BlockHeader {
  static constexpr size_t kMarshaledSize = 89;
  static constexpr uint32_t kMaxRowsCount = 16384;
  static constexpr uint32_t kMaxPayloadSize = 131072;

  TSID tsid;
  int64_t min_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t first_value = 0;
  uint64_t timestamps_block_offset = 0;
  uint64_t values_block_offset = 0;
  uint32_t timestamps_block_size = 0;
  uint32_t values_block_size = 0;
  uint32_t rows_count = 0;
  int16_t scale = 0;
  uint8_t timestamps_marshal_type = 0;
  uint8_t values_marshal_type = 0;
  uint8_t precision_bits = 0;

  // Not part of the 89 on-disk bytes: the block's checksum from its part's checksum sidecar
  // (util/part_checksums.h), set when the index block is read from a part that has one
  // (Part::ReadIndexBlock). Headers compare equal whatever it holds.
  struct SidecarChecksum {
    uint32_t value = 0;
    bool present = false;
    bool operator==(const SidecarChecksum&) const { return true; }
  };
  SidecarChecksum checksum;

  void Marshal(std::string* dst) const;
  // Decodes the first 89 bytes of src (fails if shorter) and validates the result.
  static Status Unmarshal(std::string_view src, BlockHeader* out);
  Status Validate() const;

  bool operator==(const BlockHeader&) const = default;
};

// blockHeader.Less: same MetricID -> smaller MinTimestamp first, else TSID order.
inline bool BlockHeaderLess(const BlockHeader& a, const BlockHeader& b) {
  if (a.tsid.metric_id == b.tsid.metric_id) return a.min_timestamp < b.min_timestamp;
  return a.tsid < b.tsid;
}

// Decodes exactly `count` headers from an uncompressed index block: the size must be
// count * 89, each header valid, TSIDs non-decreasing. Replaces *dst.
Status UnmarshalBlockHeaders(std::string_view src, uint32_t count, std::vector<BlockHeader>* dst);

}  // namespace vme::storage
