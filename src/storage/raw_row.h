// rawRow: one pending sample (lib/storage/raw_row.go) and the inclusive time
// range type (VictoriaMetrics TimeRange in lib/storage/time.go). Not an on-disk format: in-memory
// parts are built from sorted raw rows (VictoriaMetrics rawRowsMarshaler in lib/storage/raw_row.go,
// see inmemory_part.h).
#pragma once

#include <cstdint>
#include <vector>

#include "storage/tsid.h"

namespace vme::storage {

struct RawRow {
  TSID tsid;
  int64_t timestamp = 0;
  double value = 0;
  uint8_t precision_bits = 64;
};

// Inclusive on both ends.
struct TimeRange {
  int64_t min_timestamp = 0;
  int64_t max_timestamp = 0;

  bool Contains(int64_t ts) const { return ts >= min_timestamp && ts <= max_timestamp; }
  bool Intersects(int64_t min_ts, int64_t max_ts) const {
    return min_ts <= max_timestamp && max_ts >= min_timestamp;
  }
};

// Orders by TSID fields, then timestamp.
inline bool RawRowLess(const RawRow& a, const RawRow& b) {
  const TSID& x = a.tsid;
  const TSID& y = b.tsid;
  if (x.account_id != y.account_id) return x.account_id < y.account_id;
  if (x.project_id != y.project_id) return x.project_id < y.project_id;
  if (x.metric_group_id != y.metric_group_id) return x.metric_group_id < y.metric_group_id;
  if (x.job_id != y.job_id) return x.job_id < y.job_id;
  if (x.instance_id != y.instance_id) return x.instance_id < y.instance_id;
  if (x.metric_id != y.metric_id) return x.metric_id < y.metric_id;
  return a.timestamp < b.timestamp;
}

// The permutation that sorts rows stably by (TSID, timestamp): rows[order[k]] is the k-th row
// in that order. Costs 4 bytes per row instead of a sorted copy of the rows. Rows must number
// fewer than 2^32.
void SortedRawRowsOrder(const std::vector<RawRow>& rows, std::vector<uint32_t>* order);

// Stable sort by (TSID, timestamp); a no-op for already sorted input.
void SortRawRows(std::vector<RawRow>* rows);

}  // namespace vme::storage
