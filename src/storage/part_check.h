// Structural verification of one data part directory, for `vmengine check` (docs/format.md,
// "Data parts"; the invariants VictoriaMetrics' lib/storage blockStreamReader and part open rely
// on). A part without a checksum sidecar (written by VictoriaMetrics) can be verified only this
// way; one with a sidecar gets both (PartCheckOptions::verify_checksums).
//
// CheckDataPart tests, streaming one index block and one block's payloads at a time:
//   - the name <rows>_<blocks>_<minTs>_<maxTs>_<suffix> parses; min_dedup_interval, if present,
//     is a valid duration; the four files exist;
//   - metaindex.bin decodes (rows valid and sorted by TSID), its block counts add up to the name's
//     BlocksCount and its time ranges to the name's [MinTimestamp, MaxTimestamp]; every row
//     points inside index.bin, index blocks tile index.bin from offset 0 in row order;
//   - every index block decodes to exactly its row's header count, each header valid, and the
//     row's TSID and time range are those of its headers;
//   - block headers across the part are in (TSID, MinTimestamp) order (blockHeader.Less never
//     goes backwards) and inside the part's time range;
//   - values payloads tile values.bin from 0; timestamps payloads tile timestamps.bin from 0,
//     except that a header may reuse the previous distinct timestamps payload (same offset and
//     size: VictoriaMetrics shares equal timestamps blocks of consecutive series);
//   - every block decodes, its timestamps are sorted, the first is MinTimestamp and (for
//     PrecisionBits 64) the last is MaxTimestamp;
//   - rows and blocks read equal the name's RowsCount and BlocksCount; no file has trailing bytes.
// The walk of a part stops at its first problem in a stream. A flipped byte inside a payload that
// still decodes to plausible samples is not detectable structurally: checksums catch those.
//
// Thread-safety: reentrant; nothing is cached (the IndexBlockCache is bypassed) or written.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "mergeset/part_check.h"
#include "storage/tsid.h"

namespace vme::storage {

// Called for each block read: its TSID and time range (for the index <-> data consistency of
// storage_check.h).
using BlockVisitor = std::function<void(const TSID& tsid, int64_t min_ts, int64_t max_ts)>;

PartCheckResult CheckDataPart(const std::string& dir, const PartCheckOptions& opts,
                              const BlockVisitor& on_block = nullptr);

}  // namespace vme::storage
