// The write-ahead log's directory and checkpoint file (docs/format.md, "Write-ahead log").
//
//   <datadir>/wal/<16 hex digits>   segments (storage/wal_record.h), numbered upwards
//   <datadir>/wal/checkpoint         the last checkpoint, 48 bytes, replaced atomically
//                                    (fs::WriteFileAtomically):
//     [0, 8)    magic "vMWAckp1"
//     [8, 24)   durable: segment number, offset (big-endian u64 each): every record before
//               this position has all its rows in durable parts
//     [24, 40)  check_until: segment number, offset: records in [durable, check_until) may
//               have some rows in durable parts already, so replay adds only the rows it does
//               not find there; records at or after it are in no durable part.
//               (UINT64_MAX, UINT64_MAX) while a flush runs: everything after durable.
//     [40, 48)  XXH3-64 of bytes [0, 40)
// A missing checkpoint file means durable = check_until = (0, 0): nothing was flushed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace vme::storage {

struct WalPosition {
  uint64_t segment = 0;
  uint64_t offset = 0;
  friend bool operator<(const WalPosition& a, const WalPosition& b) {
    return a.segment != b.segment ? a.segment < b.segment : a.offset < b.offset;
  }
  friend bool operator==(const WalPosition& a, const WalPosition& b) {
    return a.segment == b.segment && a.offset == b.offset;
  }
  static WalPosition Max() { return {UINT64_MAX, UINT64_MAX}; }
};

struct WalState {
  WalPosition durable;
  WalPosition check_until;
};

// "0000000000000007" for 7; ParseWalSegmentName is its inverse (false for other names).
std::string WalSegmentName(uint64_t seq);
bool ParseWalSegmentName(const std::string& name, uint64_t* seq);

// The segment numbers in dir (missing dir: none), ascending.
Result<std::vector<uint64_t>> ListWalSegments(const std::string& dir);

// Reads dir/checkpoint (missing: the zero state). A bad file is Corruption naming it.
Status ReadWalState(const std::string& dir, WalState* state);
// Replaces dir/checkpoint atomically and durably.
Status WriteWalState(const std::string& dir, const WalState& state);

}  // namespace vme::storage
