// mergeset metaindexRow (docs/format.md, "mergeset tables"; lib/mergeset/metaindex_row.go):
//   bytes  firstItem            (first item of the index block's first block header)
//   u32be  blockHeadersCount    > 0
//   u64be  indexBlockOffset     (in index.bin)
//   u32be  indexBlockSize       <= 128 KiB
// metaindex.bin is one zstd frame of concatenated rows sorted by firstItem.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vme::mergeset {

constexpr uint32_t kMaxIndexBlockSize = 128 * 1024;

struct MetaindexRow {
  std::string first_item;
  uint32_t block_headers_count = 0;
  uint64_t index_block_offset = 0;
  uint32_t index_block_size = 0;

  void Marshal(std::string* dst) const;
  Status Unmarshal(std::string_view* src);
};

// Decompresses and parses metaindex.bin contents; checks the rows are sorted. Errors are
// Corruption without file context.
Status UnmarshalMetaindexRows(std::string_view data, std::vector<MetaindexRow>* rows);

}  // namespace vme::mergeset
