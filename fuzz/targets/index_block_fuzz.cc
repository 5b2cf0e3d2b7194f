// Fuzz target `index_block`: a decompressed index block, the block headers of one metaindex
// row: for a data part UnmarshalBlockHeaders (src/storage/block_header.h, count x 89 bytes,
// sorted by TSID); for a mergeset part the sequence of variable-length headers that
// mergeset::Part::ReadIndexBlock reads (src/mergeset/block_header.h), sorted by firstItem.
//
// Input: u8 kind (even: data, odd: mergeset), u32be header count (data: as the metaindex row
// states it; mergeset: an upper bound on headers read), then the block.
// Properties: data headers re-marshal to the same bytes and stay sorted; mergeset headers
// re-marshal to bytes that parse to the same headers.
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "mergeset_equal.h"
#include "storage/block_header.h"

VME_FUZZ_TARGET(index_block) {
  vme::fuzz::Input in(data, size);
  const bool mergeset = in.U8() % 2 == 1;
  const uint32_t count = in.U32();
  const std::string_view src = in.Rest();
  if (!mergeset) {
    std::vector<vme::storage::BlockHeader> bhs;
    if (!vme::storage::UnmarshalBlockHeaders(src, count, &bhs).ok()) return;
    VME_FUZZ_CHECK(bhs.size() == count, "header count");
    std::string re;
    for (size_t i = 0; i < bhs.size(); i++) {
      if (i > 0) VME_FUZZ_CHECK(!(bhs[i].tsid < bhs[i - 1].tsid), "headers not sorted by TSID");
      bhs[i].Marshal(&re);
    }
    VME_FUZZ_CHECK(re == src, "marshal(unmarshal(x)) != x");
    return;
  }
  std::vector<vme::mergeset::BlockHeader> bhs;
  std::string_view rest = src;
  while (!rest.empty() && bhs.size() < count) {
    vme::mergeset::BlockHeader bh;
    if (!bh.Unmarshal(&rest).ok()) return;
    bhs.push_back(std::move(bh));
  }
  std::string re;
  for (const auto& bh : bhs) bh.Marshal(&re);
  std::string_view r(re);
  for (const auto& bh : bhs) {
    vme::mergeset::BlockHeader back;
    VME_FUZZ_CHECK(back.Unmarshal(&r).ok(), "re-marshaled header does not parse");
    VME_FUZZ_CHECK(vme::fuzz::SameHeader(bh, back), "unmarshal(marshal(h)) != h");
  }
  VME_FUZZ_CHECK(r.empty(), "trailing bytes after re-marshaled headers");
}
