// mergeset blockHeader (docs/format.md, "mergeset tables"; lib/mergeset/block_header.go). Variable
// length:
//   bytes  commonPrefix        (varuint len + data)
//   bytes  firstItem
//   u8     marshalType         (0 plain, 1 zstd)
//   u32be  itemsCount          (including the first item), > 0
//   u64be  itemsBlockOffset    (in items.bin)
//   u64be  lensBlockOffset     (in lens.bin)
//   u32be  itemsBlockSize      <= 128 KiB
//   u32be  lensBlockSize       <= 1 MiB
// An index block (index.bin) is one zstd frame of concatenated block headers sorted by
// firstItem.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace vme::mergeset {

constexpr uint32_t kMaxItemsBlockSize = 128 * 1024;
constexpr uint32_t kMaxLensBlockSize = 1024 * 1024;

struct BlockHeader {
  std::string common_prefix;
  std::string first_item;
  uint8_t marshal_type = 0;
  uint32_t items_count = 0;
  uint64_t items_block_offset = 0;
  uint64_t lens_block_offset = 0;
  uint32_t items_block_size = 0;
  uint32_t lens_block_size = 0;
  // Not on disk: the block's checksum from its part's checksum sidecar
  // (util/part_checksums.h), set by Part::ReadIndexBlock for parts that have one.
  uint32_t checksum = 0;
  bool has_checksum = false;

  void Marshal(std::string* dst) const;
  // Consumes one header from the front of src and validates it. Errors are Corruption
  // without file context.
  Status Unmarshal(std::string_view* src);
};

}  // namespace vme::mergeset
