// mergeset part header (docs/format.md, "mergeset tables"; lib/mergeset/part_header.go).
//
// Part directory name: <itemsCount>_<blocksCount>_<mergeIdx %016X>, e.g. 3_1_16B2F2E0A1B2C3D5.
// metadata.json, tab-indented, lowercase hex, no trailing newline:
//   {
//   	"ItemsCount": 3,
//   	"BlocksCount": 1,
//   	"FirstItem": "666f6f31",
//   	"LastItem": "666f6f33"
//   }
// On open, the name's itemsCount and blocksCount must equal the JSON ones; 0 < blocksCount <=
// itemsCount.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace vme::mergeset {

struct PartHeader {
  uint64_t items_count = 0;
  uint64_t blocks_count = 0;
  std::string first_item;
  std::string last_item;

  std::string ToJson() const;
  // Parses metadata.json contents; `path` names the file in error messages.
  static Result<PartHeader> FromJson(std::string_view json, const std::string& path);
};

std::string PartName(uint64_t items_count, uint64_t blocks_count, uint64_t merge_idx);

// Parses a part directory name; merge_idx may be null. Returns false if malformed.
bool ParsePartName(std::string_view name, uint64_t* items_count, uint64_t* blocks_count,
                   uint64_t* merge_idx);

}  // namespace vme::mergeset
