// metaindexRow of a data part (docs/format.md, "metaindexRow (64 bytes)";
// lib/storage/metaindex_row.go).
//
// Marshaled form, 64 bytes (field order differs from the struct in VictoriaMetrics):
//   off  size  field
//     0    32  TSID of the first block header in the index block (docs/format.md,
//              "TSID (32 bytes)")
//    32     4  BlockHeadersCount  u32be
//    36     8  MinTimestamp       i64zz (over the index block)
//    44     8  MaxTimestamp       i64zz
//    52     8  IndexBlockOffset   u64be (in index.bin)
//    60     4  IndexBlockSize     u32be (compressed size)
//
// metaindex.bin = one zstd frame of the concatenated rows, one row per index block, sorted by
// TSID. Validation: BlockHeadersCount > 0, IndexBlockSize <= 131072, at least one row.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/block_header.h"
#include "storage/tsid.h"
#include "util/status.h"

namespace vme::storage {

struct MetaindexRow {
  static constexpr size_t kMarshaledSize = 64;
  static constexpr uint32_t kMaxIndexBlockSize = 131072;

  TSID tsid;
  uint32_t block_headers_count = 0;
  int64_t min_timestamp = 0;
  int64_t max_timestamp = 0;
  uint64_t index_block_offset = 0;
  uint32_t index_block_size = 0;

  void Marshal(std::string* dst) const;
  static Status Unmarshal(std::string_view src, MetaindexRow* out);
  Status Validate() const;
  // metaindexRow.RegisterBlockHeader.
  void RegisterBlockHeader(const BlockHeader& bh);

  bool operator==(const MetaindexRow&) const = default;
};

// Decodes the decompressed content of metaindex.bin: a non-empty multiple of 64 bytes, each row
// valid, rows sorted by TSID. Replaces *dst.
Status UnmarshalMetaindexRows(std::string_view src, std::vector<MetaindexRow>* dst);

}  // namespace vme::storage
