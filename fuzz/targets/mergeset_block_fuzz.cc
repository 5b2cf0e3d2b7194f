// Fuzz target `mergeset_block`: decoding one mergeset block, its items and lens streams, as
// InmemoryBlock::UnmarshalData does (src/mergeset/encoding.h), plain and zstd.
//
// Input: u32be length + marshaled block header (src/mergeset/block_header.h), u32be length +
// itemsData, then lensData (the rest).
// Properties: a block that decodes has itemsCount sorted items starting with firstItem, at most
// kMaxDecodedBlockSize bytes in all; they
// re-encode (MarshalSortedData, at a level from the input) to a block that decodes to the same
// items.
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "mergeset/block_header.h"
#include "mergeset/encoding.h"

VME_FUZZ_TARGET(mergeset_block) {
  using namespace vme::mergeset;
  vme::fuzz::Input in(data, size);
  std::string_view header = in.Chunk();
  const std::string_view items_data = in.Chunk();
  const std::string_view lens_data = in.Rest();
  BlockHeader bh;
  if (!bh.Unmarshal(&header).ok()) return;
  InmemoryBlock block;
  if (!block.UnmarshalData(bh, items_data, lens_data).ok()) return;
  VME_FUZZ_CHECK(block.size() == bh.items_count, "item count");
  VME_FUZZ_CHECK(block.first() == bh.first_item, "first item");
  VME_FUZZ_CHECK(block.IsSorted(), "items not sorted");
  VME_FUZZ_CHECK(block.data_size() <= kMaxDecodedBlockSize, "decoded block over the limit");
  BlockHeader bh2;
  std::string items2, lens2;
  block.MarshalSortedData(static_cast<int>(items_data.size() % 5), &bh2, &items2, &lens2);
  InmemoryBlock back;
  VME_FUZZ_CHECK(back.UnmarshalData(bh2, items2, lens2).ok(), "re-encoded block does not decode");
  VME_FUZZ_CHECK(back.ToStrings() == block.ToStrings(), "decode(encode(items)) != items");
}
