// WalWriter: appends batches of rows to the write-ahead log's segments and makes them durable
// (docs/durability.md). One segment is open for appending at a time; a segment larger than
// the segment size is closed (fdatasync'ed) and the next one opened. Each record is one
// write(2); a failed write is cut off again (ftruncate) so that no garbage precedes later
// records.
//
// Durability:
//   - Sync(lsn) returns once every byte up to lsn is fdatasync'ed. Concurrent callers share
//     one fdatasync (group commit): the first waiter becomes the leader and syncs everything
//     appended so far; the others wait for it.
//   - With a sync interval (wal_mode=async), a syncer thread syncs everything appended at
//     least every interval.
//   - A failed fdatasync poisons the segment: every Sync of a byte in it fails, and the next
//     append opens a new segment.
//
// Series definitions: a record defines (MetricID -> tenant and series key) the series of its
// rows that the segment has not defined yet; the set is per segment, so a new segment
// defines its series again.
//
// Thread-safety: every method may be called concurrently. Lock order: mu_, then sync_mu_.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "storage/raw_row.h"
#include "storage/wal_record.h"
#include "storage/wal_state.h"
#include "util/fs.h"
#include "util/status.h"

namespace vme::storage {

struct WalWriterOptions {
  uint64_t segment_bytes = 16u << 20;  // a segment is closed once it is this large
  int64_t sync_interval_ms = 0;        // > 0: the syncer thread's period
  // For tests: called before each write(2) and fdatasync(2) with "write" or "sync"; an
  // error is what the operation fails with.
  std::function<Status(std::string_view op)> fault_for_testing;
};

struct WalWriterStats {
  uint64_t bytes = 0;     // in live segments
  uint64_t segments = 0;  // live segments, including the open one
  uint64_t syncs = 0;     // fdatasync calls
  uint64_t appends = 0;   // records written
};

class WalWriter {
 public:
  // Opens a new segment numbered first_seq in dir (created); dir must hold no other segment.
  static Result<std::unique_ptr<WalWriter>> Open(const std::string& dir, uint64_t first_seq,
                                                 const WalWriterOptions& opts);
  ~WalWriter();

  // The series of a row for its definition: tenant and key (valid until the next call).
  using SeriesOf = std::function<void(size_t k, WalSeriesDef* def)>;
  // Appends rows[0..n) (one or more records); *lsn receives the log sequence number (bytes
  // appended since open) after them, for Sync.
  Status Append(const RawRow* rows, size_t n, const SeriesOf& series_of, uint64_t* lsn);
  // Returns once everything up to lsn is durable (group commit).
  Status Sync(uint64_t lsn);
  // Closes the open segment if it has records and opens the next one; returns the position
  // where the next record will be written.
  Result<WalPosition> Rotate();
  // The position after the last record written.
  WalPosition Position() const;
  // Deletes the closed segments numbered below seq.
  Status RemoveSegmentsBefore(uint64_t seq);
  uint64_t TotalBytes() const;
  WalWriterStats Stats() const;
  // Stops the syncer, syncs and closes the open segment; an open segment without records is
  // deleted.
  Status Close();
  // For crash tests: stops the syncer and closes without syncing.
  void Abandon();

 private:
  WalWriter(std::string dir, const WalWriterOptions& opts) : dir_(std::move(dir)), opts_(opts) {}
  // Under mu_: opens segment seq.
  Status OpenSegmentLocked(uint64_t seq);
  // Under mu_: fdatasyncs and closes the open segment and opens the next.
  Status RotateLocked();
  void SyncerLoop();
  Status Fault(std::string_view op) const {
    return opts_.fault_for_testing ? opts_.fault_for_testing(op) : Status::OK();
  }

  const std::string dir_;
  const WalWriterOptions opts_;

  mutable std::mutex mu_;
  std::shared_ptr<fs::AppendOnlyFile> file_;  // the open segment
  uint64_t seq_ = 0;                          // its number
  uint64_t seg_start_lsn_ = 0;                // the lsn of its first byte
  uint64_t written_lsn_ = 0;
  bool rotate_next_ = false;  // the next append opens a new segment (a failed write or sync)
  bool sync_failed_ = false;  // the open segment's sync failed: it is poisoned
  std::unordered_set<uint64_t> defined_;               // MetricIDs defined in the open segment
  std::vector<std::pair<uint64_t, uint64_t>> closed_;  // (seq, bytes) of older live segments
  std::string buf_;

  mutable std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  bool syncing_ = false;
  uint64_t synced_lsn_ = 0;
  uint64_t poison_lo_ = 0, poison_hi_ = 0;  // lsns in (lo, hi] fail Sync
  Status poison_;

  std::atomic<uint64_t> syncs_{0}, appends_{0};

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread syncer_;
};

}  // namespace vme::storage
