// In-memory data part (VictoriaMetrics rawRowsMarshaler in lib/storage/raw_row.go,
// lib/storage/inmemory_part.go): the four byte streams of a part (timestamps.bin, values.bin,
// index.bin, metaindex.bin; formats in block_header.h, metaindex_row.h and part_header.h) held in
// RAM, plus the header.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/part_header.h"
#include "storage/raw_row.h"
#include "util/status.h"

namespace vme::storage {

// zstd level of index and metaindex blocks of in-memory parts.
inline constexpr int kInmemoryPartCompressLevel = -5;

struct InmemoryPart {
  PartHeader ph;
  std::string timestamps;
  std::string values;
  std::string index;
  std::string metaindex;

  // rawRowsMarshaler (VictoriaMetrics lib/storage/raw_row.go): orders *rows by (TSID, timestamp)
  // (stable, through a permutation: *rows is left as it is), cuts blocks of at most 8192 rows per
  // MetricID, converts values to decimals per block, uses the precision bits of each block's first
  // row and deduplicates blocks when dedup_interval_ms > 0. rows must be non-empty and every
  // precision_bits in 1..64.
  Status InitFromRows(std::vector<RawRow>* rows, int64_t dedup_interval_ms);

  uint64_t size_bytes() const {
    return timestamps.size() + values.size() + index.size() + metaindex.size();
  }

  // Writes the part as a file part into the new directory `dir` (files and dir fsynced,
  // min_dedup_interval written).
  Status StoreToDisk(const std::string& dir) const;
};

}  // namespace vme::storage
