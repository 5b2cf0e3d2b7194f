// Test helper: rewrites the metaindex.bin of a data part after an edit of its decoded rows
// (recompressed, so it decodes fine but lies). For the structural checks of readers and of
// `vmengine check`; the part must have no checksum sidecar, or its open fails on the checksum.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "check.h"
#include "encoding/zstd.h"
#include "storage/metaindex_row.h"
#include "util/fs.h"

namespace vme::test {

inline void EditMetaindex(const std::string& dir,
                          const std::function<void(std::vector<storage::MetaindexRow>*)>& edit) {
  const std::string path = dir + "/metaindex.bin";
  auto compressed = fs::ReadFile(path);
  REQUIRE_OK(compressed);
  std::string raw;
  REQUIRE_OK(enc::DecompressZstd(&raw, *compressed));
  std::vector<storage::MetaindexRow> rows;
  REQUIRE_OK(storage::UnmarshalMetaindexRows(raw, &rows));
  REQUIRE(rows.size() >= 3, "want several metaindex rows, got %zu", rows.size());
  edit(&rows);
  raw.clear();
  for (const auto& r : rows) r.Marshal(&raw);
  std::string out;
  enc::CompressZstd(&out, raw, 1);
  REQUIRE_OK(fs::WriteFileAtomically(path, out, /*overwrite=*/true));
}

}  // namespace vme::test
