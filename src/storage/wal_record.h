// Write-ahead log records (docs/format.md, "Write-ahead log"). vmengine's own format:
// VictoriaMetrics 1.72 has no WAL and ignores the wal/ directory.
//
// A segment file wal/<16 hex digits> is a sequence of records, each:
//   [0, 4)    magic, the bytes "vMWA"
//   [4, 8)    L: body length, big-endian u32, 1 <= L <= kMaxWalRecordBody
//   [8, 16)   XXH3-64 of the body with seed L, big-endian u64
//   [16, 16+L) body:
//     u8       type: 1 = batch
//     uvarint  S, then S series definitions, each:
//                uvarint MetricID (as logged), big-endian u32 account_id, big-endian u32
//                project_id, uvarint key length, key bytes (the packed series key of the C API)
//     uvarint  N, then N rows, each:
//                varint (zigzag) MetricID minus the previous row's (the first: minus 0)
//                varint (zigzag) timestamp minus the previous row's (the first: minus 0), ms
//                big-endian u64: the IEEE 754 bits of the value
// A series is defined in a segment before (or in the same record as) its first row there, so
// every segment can be replayed alone. The magic lets a reader find the next record after a
// corrupt one.
//
// Reading (DecodeWalRecords): a record that fails (bad magic, length, checksum or body) is a
// torn tail when no valid record follows it in the segment: the segment is valid up to its
// offset. Otherwise it is corruption in the middle: Status::Corruption naming the segment and
// offset, unless WalRecovery::kSkipCorrupt, which skips to the next valid record and counts
// the skipped record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vme::storage {

inline constexpr char kWalMagic[4] = {'v', 'M', 'W', 'A'};
inline constexpr size_t kWalHeaderSize = 16;
inline constexpr uint32_t kMaxWalRecordBody = 64u << 20;
inline constexpr uint8_t kWalBatchRecord = 1;

enum class WalRecovery { kStrict, kSkipCorrupt };

struct WalSeriesDef {
  uint64_t metric_id = 0;
  uint32_t account_id = 0;
  uint32_t project_id = 0;
  std::string_view key;  // points into the decoded bytes
};

struct WalRow {
  uint64_t metric_id = 0;
  int64_t timestamp = 0;
  double value = 0;
};

struct WalBatch {
  std::vector<WalSeriesDef> series;
  std::vector<WalRow> rows;
};

// What DecodeWalRecords found besides the records.
struct WalDecodeResult {
  uint64_t valid_end = 0;        // end of the last valid record: the cut point of a torn tail
  bool torn_tail = false;        // bytes after valid_end were not a valid record
  std::string tail_reason;       // why the tail is invalid
  uint64_t skipped_records = 0;  // corrupt stretches skipped (kSkipCorrupt)
  uint64_t records = 0;          // valid records passed to the callback
};

// Called for each valid record: its offset in the segment, its end, the decoded batch (valid
// during the call). An error stops the decoding and is returned.
using WalRecordFn = std::function<Status(uint64_t offset, uint64_t end, const WalBatch& batch)>;

// Decodes the records of one segment (no I/O; `segment` names it in messages).
Status DecodeWalRecords(std::string_view bytes, std::string_view segment, WalRecovery recovery,
                        const WalRecordFn& fn, WalDecodeResult* result);

// Encoding, in two steps so that the rows can be encoded outside the log's lock.
// AppendWalRows: the N and rows part of a body.
void AppendWalRows(std::string* dst, const WalRow* rows, size_t n);
// AppendWalSeriesDef: one series definition (the caller writes S before them).
void AppendWalSeriesDef(std::string* dst, const WalSeriesDef& s);
// AppendWalRecord: header and body (type, S, the definitions, the rows part).
void AppendWalRecord(std::string* dst, size_t series_count, std::string_view series_defs,
                     std::string_view rows_part);

}  // namespace vme::storage
