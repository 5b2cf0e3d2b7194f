// Field-by-field equality of the mergeset headers, for the round-trip checks of the fuzz
// targets (the library types define no operator==).
#pragma once

#include "mergeset/block_header.h"
#include "mergeset/metaindex_row.h"

namespace vme::fuzz {

inline bool SameHeader(const mergeset::BlockHeader& a, const mergeset::BlockHeader& b) {
  return a.common_prefix == b.common_prefix && a.first_item == b.first_item &&
         a.marshal_type == b.marshal_type && a.items_count == b.items_count &&
         a.items_block_offset == b.items_block_offset &&
         a.lens_block_offset == b.lens_block_offset && a.items_block_size == b.items_block_size &&
         a.lens_block_size == b.lens_block_size;
}

inline bool SameRow(const mergeset::MetaindexRow& a, const mergeset::MetaindexRow& b) {
  return a.first_item == b.first_item && a.block_headers_count == b.block_headers_count &&
         a.index_block_offset == b.index_block_offset && a.index_block_size == b.index_block_size;
}

}  // namespace vme::fuzz
