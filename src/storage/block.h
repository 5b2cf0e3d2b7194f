// Data blocks (VictoriaMetrics blockStreamWriter.WriteExternalBlock in
// lib/storage/block_stream_writer.go, Block.UnmarshalData, lib/storage/block.go).
//
// A block holds up to 8192 samples of one series. On disk it is a block header (docs/format.md,
// "blockHeader (89 bytes)") plus two payloads: the timestamps payload in timestamps.bin and the
// values payload (int64 decimal mantissas sharing the header's Scale) in values.bin, both encoded
// by enc::MarshalTimestamps / enc::MarshalValues (docs/format.md, "Payloads: MarshalTypes"). The
// first element of each array is kept in the header (MinTimestamp, FirstValue), MaxTimestamp is the
// last timestamp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/block_header.h"
#include "storage/raw_row.h"
#include "util/status.h"

namespace vme::storage {

class Part;

inline constexpr size_t kMaxRowsPerBlock = 8192;
// Index block flush threshold and the "too big" values payload size (maxBlockSize).
inline constexpr size_t kMaxBlockSize = 65536;

// A decoded block as returned to searches: float values, rows within the search range.
struct Block {
  BlockHeader header;
  std::vector<int64_t> timestamps;
  std::vector<double> values;
};

// A block in storage form, as read, merged and written (VictoriaMetrics' storage.Block): either
// still encoded (payload strings valid, `decoded` false) or decoded into timestamps and
// mantissas at header.scale (`decoded` true; header min/max/rows kept up to date by
// FixupTimestamps, other encoding fields stale until Encode).
struct DataBlock {
  BlockHeader header;
  std::string timestamps_data;
  std::string values_data;
  std::vector<int64_t> timestamps;
  std::vector<int64_t> values;
  bool decoded = false;
  // The part an encoded block was read from (names files and offsets in decode errors).
  const Part* source = nullptr;

  void Reset();
  size_t rows() const { return decoded ? timestamps.size() : header.rows_count; }
  // Init from decoded samples (timestamps sorted, n >= 1).
  void InitDecoded(const TSID& tsid, const int64_t* ts, const int64_t* mantissas, size_t n,
                   int16_t scale, uint8_t precision_bits);
  // UnmarshalData: decodes the payloads (no-op if already decoded). Repairs timestamps when
  // precision_bits < 64, otherwise checks they are sorted and inside [min, max].
  Status Decode();
  // MarshalData: re-encodes decoded samples into the payloads and header fields (offsets are
  // left to the writer). No-op if not decoded.
  void Encode();
  // Sets header min/max timestamp and rows count from decoded timestamps.
  void FixupTimestamps();
  // Block.tooBig of the merge (VictoriaMetrics mergeBlockStreams in lib/storage/merge.go).
  bool TooBig() const;
};

// Decodes payloads of a header into timestamps and mantissas (appending to empty vectors).
Status DecodeBlockPayloads(const BlockHeader& bh, std::string_view timestamps_data,
                           std::string_view values_data, std::vector<int64_t>* timestamps,
                           std::vector<int64_t>* mantissas);

// The same, writing bh.rows_count elements to timestamps[] and mantissas[] (unspecified on
// error).
Status DecodeBlockPayloadsTo(const BlockHeader& bh, std::string_view timestamps_data,
                             std::string_view values_data, int64_t* timestamps, int64_t* mantissas);

// AppendRowsWithTimeRangeFilter: appends the samples of [timestamps, mantissas) (sorted
// timestamps) that lie inside tr, converting mantissas at `scale` to floats.
void AppendRowsWithTimeRangeFilter(const std::vector<int64_t>& timestamps,
                                   const std::vector<int64_t>& mantissas, int16_t scale,
                                   TimeRange tr, std::vector<int64_t>* dst_ts,
                                   std::vector<double>* dst_values);

}  // namespace vme::storage
