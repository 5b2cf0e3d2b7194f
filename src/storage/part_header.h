// Header of a data part (docs/format.md, "Data parts"; lib/storage/part_header.go). 1.72 data parts
// have no metadata file: the header is the directory name
//
//   <RowsCount>_<BlocksCount>_<MinTimestamp>_<MaxTimestamp>_<suffix>
//
// with timestamps formatted in UTC as YYYYMMDDhhmmss.mmm (Go layout 20060102150405.000) and
// the suffix the per-partition merge index as 16 upper-case hex digits (%016X). Parsing needs
// exactly 5 '_'-separated fields, RowsCount > 0, BlocksCount > 0, BlocksCount <= RowsCount and
// Min <= Max; the suffix is not interpreted.
//
// The optional text file `min_dedup_interval` holds the dedup interval in force when the part
// was written, as a Go duration string ("0s", "30s", "1m0s", "1.5s", "500ms"); missing = 0.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/duration.h"
#include "util/status.h"

namespace vme::storage {

inline constexpr char kMinDedupIntervalFileName[] = "min_dedup_interval";

struct PartHeader {
  uint64_t rows_count = 0;
  uint64_t blocks_count = 0;
  int64_t min_timestamp = INT64_MAX;
  int64_t max_timestamp = INT64_MIN;
  int64_t min_dedup_interval_ms = 0;

  std::string DirName(uint64_t merge_idx) const;
  // Accepts a bare name or a path (trailing slashes allowed; the last component is parsed).
  // Leaves min_dedup_interval_ms at 0.
  static Status ParseFromDirName(std::string_view name, PartHeader* out);

  // Reads <dir>/min_dedup_interval into min_dedup_interval_ms (missing file = 0).
  Status ReadMinDedupInterval(const std::string& dir);
  // Writes <dir>/min_dedup_interval atomically.
  Status WriteMinDedupInterval(const std::string& dir) const;

  bool operator==(const PartHeader&) const = default;
};

// UTC YYYYMMDDhhmmss.mmm of a millisecond timestamp, and its strict inverse.
std::string FormatPartTimestamp(int64_t ms);
bool ParsePartTimestamp(std::string_view s, int64_t* ms);

}  // namespace vme::storage
