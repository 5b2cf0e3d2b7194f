// Fuzz target `block_header`: one blockHeader, of a data part (src/storage/block_header.h, 89
// bytes) or of a mergeset part (src/mergeset/block_header.h, variable length).
//
// Input: u8 kind (even: data, odd: mergeset), then the marshaled header.
// Properties: a data header that unmarshals marshals back to the same 89 bytes; a mergeset
// header that unmarshals marshals to bytes that unmarshal to the same fields, no longer than
// what was consumed.
#include <string>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "mergeset_equal.h"
#include "storage/block_header.h"

VME_FUZZ_TARGET(block_header) {
  vme::fuzz::Input in(data, size);
  const bool mergeset = in.U8() % 2 == 1;
  const std::string_view src = in.Rest();
  if (!mergeset) {
    vme::storage::BlockHeader bh;
    if (!vme::storage::BlockHeader::Unmarshal(src, &bh).ok()) return;
    VME_FUZZ_CHECK(bh.Validate().ok(), "unmarshaled header does not validate");
    std::string re;
    bh.Marshal(&re);
    VME_FUZZ_CHECK(re == src.substr(0, vme::storage::BlockHeader::kMarshaledSize),
                   "marshal(unmarshal(x)) != x");
    return;
  }
  vme::mergeset::BlockHeader bh;
  std::string_view rest = src;
  if (!bh.Unmarshal(&rest).ok()) return;
  std::string re;
  bh.Marshal(&re);
  VME_FUZZ_CHECK(re.size() <= src.size() - rest.size(), "re-marshaled header is longer");
  vme::mergeset::BlockHeader back;
  std::string_view r(re);
  VME_FUZZ_CHECK(back.Unmarshal(&r).ok() && r.empty(), "re-marshaled header does not parse");
  VME_FUZZ_CHECK(vme::fuzz::SameHeader(bh, back), "unmarshal(marshal(h)) != h");
}
