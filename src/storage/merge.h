// Merging parts (VictoriaMetrics mergeBlockStreams, lib/storage/merge.go, block_stream_merger.go).
//
// Blocks of all sources are visited in global (TSID, MinTimestamp) order (ties: earlier source
// first). Blocks of deleted MetricIDs and blocks ending before the retention deadline are
// dropped. One "pending" block is kept: a block of another series flushes it; a too-big pending
// block (>= 8192 rows or values payload >= 64 KiB) that does not overlap the next block is
// written as is (payloads copied byte for byte); otherwise both are decoded, their scales
// calibrated, samples before the deadline dropped, and the samples merged by timestamp (the
// pending block's samples first on ties, duplicates kept; precision bits = min). A result with
// more than 8192 rows writes its first 8192 rows and keeps the rest pending.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/block_stream_reader.h"
#include "storage/block_stream_writer.h"
#include "storage/part.h"
#include "storage/part_header.h"
#include "util/status.h"

namespace vme::storage {

struct MergeOptions {
  const std::unordered_set<uint64_t>* deleted_metric_ids = nullptr;  // blocks dropped
  int64_t retention_deadline = INT64_MIN;   // rows with timestamp < this are dropped
  int64_t dedup_interval_ms = 0;            // applied to written blocks; min_dedup_interval
  const std::atomic<bool>* stop = nullptr;  // if set and true: Status::Busy("merge stopped")
};

struct MergeStats {
  uint64_t rows_merged = 0;
  uint64_t rows_deleted = 0;
};

// mergeBlockStreams: merges the readers into the writer (which the caller closes).
Status MergeBlockStreams(const std::vector<BlockStreamReader*>& readers, BlockStreamWriter* w,
                         const MergeOptions& opts, MergeStats* stats = nullptr);

// Merges `parts` into a file part written into the NEW directory `dir` (index/metaindex zstd
// level from the average rows per block of the sources, files and directory fsynced,
// min_dedup_interval written atomically). Returns the header of the written part; when every
// row was dropped the directory still exists and rows_count == 0 (the caller deletes it). On
// failure (including a stop) the directory it created is removed.
Result<PartHeader> MergePartsToDir(const std::vector<PartPtr>& parts, const std::string& dir,
                                   const MergeOptions& opts);

// Same merge producing an in-memory part (zstd level -5); rows_count == 0 if everything was
// dropped.
Result<PartPtr> MergePartsInmemory(const std::vector<PartPtr>& parts, const MergeOptions& opts);

}  // namespace vme::storage
