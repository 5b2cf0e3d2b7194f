// Time helpers of lib/storage/time.go (VictoriaMetrics TimeRange): monthly partition names
// `YYYY_MM` (UTC) and their inclusive millisecond ranges, plus the wall clock.
#pragma once

#include <cstdint>
#include <string>

#include "storage/raw_row.h"

namespace vme::storage {

// Partition name `YYYY_MM` of the UTC month containing ts (ms since the epoch).
std::string PartitionName(int64_t ts);
// Inclusive range [first ms of the month, first ms of the next month - 1] of ts's month.
TimeRange PartitionRange(int64_t ts);
// Parses `YYYY_MM`; false if malformed.
bool ParsePartitionName(const std::string& name, TimeRange* range);

// Wall clock in ms, or the value set by SetNowMsForTesting.
int64_t NowMs();
// Makes NowMs() return ms process-wide (0 restores the wall clock). For tests of retention
// and indexdb rotation.
void SetNowMsForTesting(int64_t ms);
int64_t NowNs();

}  // namespace vme::storage
