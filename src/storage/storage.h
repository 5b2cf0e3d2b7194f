// Storage: the top object of a data directory (lib/storage/storage.go). Layout:
//   <path>/flock.lock        exclusive lock while open read-write (not taken read-only)
//   <path>/metadata/minTimestampForCompositeIndex   8 bytes, i64zz (docs/format.md)
//   <path>/indexdb/<16 hex>  two mergeset generations, prev and curr (index_db_generations.h)
//   <path>/data/             the partitions (storage/table.h)
//   <path>/snapshots/        (storage_snapshot.cc)
//   <path>/cache/            VictoriaMetrics' caches: ignored, never trusted
//
// Write path: series key -> TSID cache -> indexdb lookup or creation, exactly once per series
// (series_registry.h) -> per-day index entries -> table -> partition raw rows.
//
// Read-only open: the directory must exist (NotFound otherwise) and nothing is written, not
// even flock.lock, metadata, missing directories or indexdb generations, so read-only media
// work. VictoriaMetrics has no read-only open and no lock for readers: a writer opened on the
// same directory meanwhile may merge or remove parts under a read-only reader, whose searches
// then fail or miss data.
//
// Thread-safety: every public method may be called concurrently. Close() waits for calls in
// flight (they hold `close_mu_` shared); later calls return Status::Closed.
//
// Lock order (a lock may only be taken while holding locks listed before it):
//   0. BackgroundScheduler::tick_mu_ (one background round at a time, scheduler.h)
//   1. close_mu_ (shared by every call, exclusive in Close)
//   2. idb_rw_, the rotation lock (shared by users of the indexdb generations, exclusive in
//      RotateIndexDB)
//   3. snapshot_mu_ (this storage's snapshot creation and deletion)
//   4. SeriesRegistry::flush_mu_ (one indexdb flush at a time; held across the flush I/O)
//   5. SeriesRegistry::create_mu_ (in-memory maps of series being created; no I/O under it)
//   6. leaves, taken alone and never across I/O: IndexDBGenerations::deleted_mu_, the
//      series references' table lock (SeriesRefs), the registry's date_mu_, tsid_by_id_mu_ and
//      name_cache_mu_, TSID cache shards, the background bookkeeping (BackgroundScheduler::mu_,
//      BackgroundWorkers::mu_), and the locks inside Table, Partition and mergeset::Table.
// The write path (AddRows) holds only close_mu_ and idb_rw_ shared across its index and data
// I/O; it never does I/O under an exclusive lock that another writer needs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "storage/index_db_generations.h"
#include "storage/metric_name.h"
#include "storage/scheduler.h"
#include "storage/series_refs.h"
#include "storage/series_registry.h"
#include "storage/table.h"
#include "storage/tag_filters.h"
#include "storage/tsid.h"
#include "util/fs.h"
#include "util/status.h"

namespace vme::storage {

struct StorageOptions {
  int64_t retention_ms = 0;  // 0 = keep everything
  uint32_t account_id = 0;
  uint32_t project_id = 0;
  uint64_t cache_bytes = 256ull << 20;
  int64_t dedup_interval_ms = 0;
  bool background = true;      // run background flushes and merges
  bool read_only = false;      // the directory must exist; ingest gets Misuse; nothing is written
  int background_threads = 0;  // 0 = hardware threads
  int64_t raw_rows_flush_interval_ms = 1000;        // partition.flushRawRows
  int64_t inmemory_parts_flush_interval_ms = 5000;  // partition.flushInmemoryParts
  int small_merge_workers = 0;                      // 0 = (CPUs+1)/2 (partition.partsMerger)
  int big_merge_workers = 0;
  // Memory for raw rows (shard buffers and buffers being converted); 0 = cache_bytes / 8. It
  // sizes the shards: rows per shard = budget / 56 / (shards + threads + 1), clamped to
  // [10 000, 500 000] (VictoriaMetrics getMaxRawRowsPerShard sizes them from system memory).
  uint64_t raw_rows_memory_bytes = 0;
  size_t max_raw_rows_per_shard = 0;  // overrides the budget's figure when > 0
  size_t max_small_parts = 256;       // assisted merges above it (partition.addRowsPart)
  int64_t final_merge_delay_ms = 0;   // 0 = no final merges (partition.partsMerger)
  // The clock of background decisions (retention, indexdb rotation, final merges); empty =
  // NowMs() of storage/time.h. Lets tests jump time.
  std::function<int64_t()> now_ms;
  // Fault injection for tests: called at the start of every background task with its name
  // ("tick", "merge", "final merge", "indexdb merge"); an error it returns or throws is what
  // the task fails with.
  std::function<Status(std::string_view task)> background_fault_for_testing;
  // Move corrupt parts to <path>/quarantine/ (util/quarantine.h) instead of failing: a part
  // that fails verification at open, or whose block fails its checksum (or does not decode)
  // during a search or a merge. Each move counts in the "quarantined_parts" stat and is the
  // last background error. Off: the Corruption surfaces to the caller and nothing moves.
  // Ignored read-only.
  bool quarantine = false;
};

struct AddRowsResult {
  uint64_t rows_added = 0;
  uint64_t rejected_invalid_labels = 0;
  uint64_t rejected_nan = 0;
  uint64_t rejected_out_of_retention = 0;
  uint64_t rejected_too_far_future = 0;
  uint64_t rejected_invalid_timestamp = 0;
};

// The outcome of one row of AddRows (row_status); the values of VME_ROW_* in vmengine.h.
enum RowStatus : uint8_t {
  kRowStored = 0,
  kRowInvalidLabels = 1,
  kRowNaN = 2,
  kRowOutOfRetention = 3,
  kRowTooFarFuture = 4,
  kRowInvalidTimestamp = 5,
  kRowFailed = 255,  // not stored because the call failed
};

class SeriesIterator;

class Storage : public std::enable_shared_from_this<Storage> {
 public:
  static Result<std::shared_ptr<Storage>> Open(const std::string& path, const StorageOptions& opts);
  ~Storage();

  const StorageOptions& options() const { return opts_; }

  // Adds rows; row i has key keys[offsets[i]..offsets[i+1]) (offsets null: every row has the
  // whole of keys). Invalid rows are counted in *result and skipped; row_status (nullable, n
  // entries) gets each row's RowStatus. *result is exact even when the call fails: rows_added
  // counts the rows stored (they stay stored), and rows not stored because of the failure
  // are kRowFailed and counted nowhere.
  Status AddRows(const uint8_t* keys, size_t keys_len, const uint32_t* offsets, const int64_t* ts,
                 const double* values, size_t n, uint32_t account_id, uint32_t project_id,
                 AddRowsResult* result, uint8_t* row_status = nullptr);

  // Series references (series_refs.h; vme_series_refs_resolve): refs[i] receives the
  // reference of key i (keys and offsets as in AddRows, offsets required) for the tenant. The
  // labels are checked when rows are added, not here. Each reference must be released once.
  Status ResolveSeriesRefs(const uint8_t* keys, size_t keys_len, const uint32_t* offsets, size_t n,
                           uint32_t account_id, uint32_t project_id, uint64_t* refs);
  Status ReleaseSeriesRefs(const uint64_t* refs, size_t n);
  // AddRows with row i of the series refs[i] (vme_add_rows_ref): the same checks, counters
  // and row statuses. A reference that is not live in this storage fails the call with
  // InvalidArgument naming its index before any row is stored.
  Status AddRowsRef(const uint64_t* refs, const int64_t* ts, const double* values, size_t n,
                    AddRowsResult* result, uint8_t* row_status = nullptr);
  size_t LiveSeriesRefs() const { return refs_.live(); }

  Status Flush();
  // One round of background work in the calling thread, as if every interval had elapsed
  // (BackgroundScheduler::RunOnce): flushes, retention, indexdb rotation when due, then merges
  // until none is picked. Works with background work off; safe while it runs.
  Status RunBackgroundOnce();
  // The last error of background work, with its time and the count since open.
  BackgroundError LastBackgroundError() const;
  // For tests, waits on conditions, never on time: until `count` background errors were
  // recorded (returns the last), and until rows added before the call were flushed by two
  // more raw-rows rounds (BackgroundScheduler::WaitForRawRowsFlushes).
  BackgroundError WaitForBackgroundErrors(uint64_t count) const;
  void WaitForRawRowsFlushes() const;
  Status Close();
  bool closed() const { return closed_.load(); }

  Result<std::unique_ptr<SeriesIterator>> Search(const SearchQuery& q);
  Status LabelNames(const SearchQuery* q, std::vector<std::string>* out);
  Status LabelValues(std::string_view name, const SearchQuery* q, std::vector<std::string>* out);
  Status SeriesCount(const SearchQuery* q, uint64_t* out);
  // Merges every partition whose name starts with prefix ("" = all) into one part
  // (lib/storage/partition.go `ForceMergeAllParts`).
  Status ForceMerge(std::string_view partition_prefix);
  // Marks the series matching q (all time) deleted (lib/storage/index_db.go
  // `DeleteTSIDs`); *deleted gets their count.
  Status DeleteSeries(const SearchQuery& q, uint64_t* deleted);
  // Snapshots (lib/storage/storage.go `CreateSnapshot`), in storage_snapshot.cc.
  Status CreateSnapshot(std::string* name);
  Status ListSnapshots(std::vector<std::string>* names);
  Status DeleteSnapshot(const std::string& name);
  void Stats(std::vector<std::pair<std::string, double>>* out);

  // For SeriesIterator: canonical name of a MetricID (cache, then curr, then prev). Takes the
  // rotation lock itself.
  Status GetMetricName(uint32_t account_id, uint32_t project_id, uint64_t metric_id,
                       MetricName* out);
  // Shared lock that keeps Close() out while held; fails with Closed after Close().
  Result<std::shared_lock<std::shared_mutex>> Enter() const;
  // With StorageOptions::quarantine, after a read failed with `why` (a Corruption): moves the
  // parts that reads found corrupt to quarantine (Partition and mergeset::Table
  // QuarantineCorruptParts). Without it: nothing. Takes the locks it needs.
  void QuarantineCorruptParts(const Status& why);

 private:
  Storage(std::string path, const StorageOptions& opts) : path_(std::move(path)), opts_(opts) {}

  Status OpenDirectory(bool* had_indexdb);
  Status OpenMetadata(bool had_indexdb);
  Status Misuse(const char* what) const;
  // Hands rows to the table one partition at a time; *stored counts the rows stored, and
  // stored_mask[k] marks rows[k] stored.
  Status StoreRows(std::vector<RawRow>* rows, std::vector<bool>* stored_mask, uint64_t* stored);
  // The end of AddRows and AddRowsRef: stores the accepted rows (rows[k] came from input row
  // row_src[k]) unless st (the per-day entries) failed, sets their row statuses, adds r to the
  // counters and *result, then helps merge. Returns the first error of st, the store, and
  // failure (a series that could not be resolved).
  Status FinishAddRows(std::vector<RawRow>* rows, const std::vector<size_t>& row_src, Status st,
                       const Status& failure, AddRowsResult* r, AddRowsResult* result,
                       uint8_t* row_status);
  Status FlushIndexDB();
  Status FlushLocked();
  Status RotateIndexDB();
  std::unordered_set<uint64_t> DeletedCopy();
  // The quarantine function handed to partitions and indexdb tables (util/quarantine.h).
  Status QuarantinePart(const std::string& part_dir, const Status& why);
  // QuarantineCorruptParts with close_mu_ and idb_rw_ held shared.
  void QuarantineCorruptPartsLocked(const Status& why);

  const std::string path_;
  const StorageOptions opts_;
  std::unique_ptr<fs::FileLock> lock_;
  std::unique_ptr<IndexDBGenerations> index_;
  std::unique_ptr<SeriesRegistry> series_;
  std::unique_ptr<Table> table_;
  int64_t min_timestamp_for_composite_index_ = 0;

  // Series references, and the epoch of the TSIDs they cache: bumped when a cached TSID may
  // have become wrong (indexdb rotation, series deletion), so references resolve again.
  SeriesRefs refs_;
  std::atomic<uint64_t> series_epoch_{1};

  // The rotation lock: guards index_'s generations. Users hold it shared, RotateIndexDB
  // exclusively.
  mutable std::shared_mutex idb_rw_;

  mutable std::shared_mutex close_mu_;
  std::atomic<bool> closed_{false};

  std::mutex snapshot_mu_;  // serialises this storage's snapshot creation and deletion

  // Parts moved to quarantine, and the reports of moves made before the scheduler existed
  // (while the indexdb opens).
  std::atomic<uint64_t> quarantined_parts_{0};
  std::mutex quarantine_mu_;
  std::vector<Status> early_quarantine_reports_;

  // Counters.
  std::atomic<uint64_t> rows_added_{0}, rejected_invalid_labels_{0}, rejected_nan_{0},
      rejected_out_of_retention_{0}, rejected_too_far_future_{0}, rejected_invalid_timestamp_{0};

  // Background work (scheduler.h): flushes, merges, retention, indexdb rotation. It reaches
  // the storage through SchedulerLink (storage.cc). Declared last: it stops first.
  class SchedulerLink;
  std::unique_ptr<BackgroundScheduler> scheduler_;
};

}  // namespace vme::storage
