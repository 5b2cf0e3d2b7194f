// Fuzz target `metaindex_row`: the decoded content of metaindex.bin, of a data part
// (src/storage/metaindex_row.h: 64-byte rows, uncompressed here) or of a mergeset part
// (src/mergeset/metaindex_row.h: variable-length rows in a zstd frame, as on disk).
//
// Input: u8 kind (even: data, odd: mergeset), then the rows.
// Properties: data rows that unmarshal marshal back to the same bytes; mergeset rows that
// unmarshal marshal and compress to a metaindex that unmarshals to the same rows.
#include <string>
#include <vector>

#include "encoding/zstd.h"
#include "fuzz_input.h"
#include "fuzz_target.h"
#include "mergeset_equal.h"
#include "storage/metaindex_row.h"

VME_FUZZ_TARGET(metaindex_row) {
  vme::fuzz::Input in(data, size);
  const bool mergeset = in.U8() % 2 == 1;
  const std::string_view src = in.Rest();
  if (!mergeset) {
    std::vector<vme::storage::MetaindexRow> rows;
    if (!vme::storage::UnmarshalMetaindexRows(src, &rows).ok()) return;
    std::string re;
    for (const auto& r : rows) {
      VME_FUZZ_CHECK(r.Validate().ok(), "unmarshaled row does not validate");
      r.Marshal(&re);
    }
    VME_FUZZ_CHECK(re == src, "marshal(unmarshal(x)) != x");
    return;
  }
  std::vector<vme::mergeset::MetaindexRow> rows;
  if (!vme::mergeset::UnmarshalMetaindexRows(src, &rows).ok()) return;
  std::string raw;
  for (const auto& r : rows) r.Marshal(&raw);
  std::string packed;
  vme::enc::CompressZstd(&packed, raw, 1);
  std::vector<vme::mergeset::MetaindexRow> back;
  VME_FUZZ_CHECK(vme::mergeset::UnmarshalMetaindexRows(packed, &back).ok(),
                 "re-marshaled metaindex does not parse");
  VME_FUZZ_CHECK(back.size() == rows.size(), "row count changed");
  for (size_t i = 0; i < rows.size(); i++) {
    VME_FUZZ_CHECK(vme::fuzz::SameRow(rows[i], back[i]), "unmarshal(marshal(row)) != row");
  }
}
