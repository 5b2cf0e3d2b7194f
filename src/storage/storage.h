// Storage: the top object of a data directory (reference §2, §3, §11.4; lib/storage/
// storage.go). Layout:
//   <path>/flock.lock        exclusive lock while open (§11.3)
//   <path>/metadata/minTimestampForCompositeIndex   8 bytes, i64zz (§8.8)
//   <path>/indexdb/<16 hex>  two mergeset generations, prev and curr (§8.6)
//   <path>/data/             the partitions (storage/table.h)
//   <path>/snapshots/        (§10)
//   <path>/cache/            VictoriaMetrics' caches: ignored, never trusted
//
// Write path (§3): series key -> TSID cache -> indexdb lookup or creation (exactly once per
// series, even with concurrent writers: creation is serialized and new TSIDs stay visible
// in `created_` until the indexdb flush that makes them searchable) -> per-day index entries
// -> table -> partition raw rows.
//
// Thread-safety: every public method may be called concurrently. Close() waits for calls in
// flight (they hold `close_mu_` shared); later calls return Status::Closed.
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

#include "storage/index_db.h"
#include "storage/metric_name.h"
#include "storage/scheduler.h"
#include "storage/table.h"
#include "storage/tag_filters.h"
#include "storage/tsid.h"
#include "storage/tsid_cache.h"
#include "util/fs.h"
#include "util/status.h"

namespace vme::storage {

struct StorageOptions {
  int64_t retention_ms = 0;  // 0 = keep everything
  uint32_t account_id = 0;
  uint32_t project_id = 0;
  uint64_t cache_bytes = 256ull << 20;
  int64_t dedup_interval_ms = 0;
  bool background = true;                     // run background flushes and merges
  bool read_only = false;                     // reject ingest with Misuse; nothing new is written
  int background_threads = 0;                 // 0 = hardware threads
  int64_t raw_rows_flush_interval_ms = 1000;  // §6.2
  int64_t inmemory_parts_flush_interval_ms = 5000;  // §6.3
  int small_merge_workers = 0;                      // 0 = (CPUs+1)/2 (§6.4)
  int big_merge_workers = 0;
  size_t max_raw_rows_per_shard = 0;  // 0 = clamp(Allowed/256/56, 1e4, 5e5) (§3.6)
  size_t max_small_parts = 256;       // assisted merges above it (§3.6)
  int64_t final_merge_delay_ms = 0;   // 0 = no final merges (§6.4)
  // The clock of background decisions (retention, indexdb rotation, final merges); empty =
  // NowMs() of storage/time.h. Lets tests jump time.
  std::function<int64_t()> now_ms;
  // Fault injection for tests: called at the start of every background task with its name
  // ("tick", "merge", "final merge", "indexdb merge"); an error it returns or throws is what
  // the task fails with.
  std::function<Status(std::string_view task)> background_fault_for_testing;
};

struct AddRowsResult {
  uint64_t rows_added = 0;
  uint64_t rejected_invalid_labels = 0;
  uint64_t rejected_nan = 0;
  uint64_t rejected_out_of_retention = 0;
  uint64_t rejected_too_far_future = 0;
  uint64_t rejected_invalid_timestamp = 0;
};

struct SearchQuery {
  uint32_t account_id = 0;
  uint32_t project_id = 0;
  TagFilters filters;
  TimeRange tr{0, INT64_MAX};
  uint64_t max_series = 0;  // 0 = unlimited
};

class SeriesIterator;

class Storage : public std::enable_shared_from_this<Storage> {
 public:
  static Result<std::shared_ptr<Storage>> Open(const std::string& path, const StorageOptions& opts);
  ~Storage();

  const StorageOptions& options() const { return opts_; }

  // Adds rows; row i has key keys[offsets[i]..offsets[i+1]). Invalid rows are counted in
  // *result and skipped.
  Status AddRows(const uint8_t* keys, size_t keys_len, const uint32_t* offsets, const int64_t* ts,
                 const double* values, size_t n, uint32_t account_id, uint32_t project_id,
                 AddRowsResult* result);

  Status Flush();
  // One round of background work in the calling thread, as if every interval had elapsed
  // (BackgroundScheduler::RunOnce): flushes, retention, indexdb rotation when due, then merges
  // until none is picked. Works with background work off; safe while it runs.
  Status RunBackgroundOnce();
  // The last error of background work, with its time and the count since open.
  BackgroundError LastBackgroundError() const;
  Status Close();
  bool closed() const { return closed_.load(); }

  Result<std::unique_ptr<SeriesIterator>> Search(const SearchQuery& q);
  Status LabelNames(const SearchQuery* q, std::vector<std::string>* out);
  Status LabelValues(std::string_view name, const SearchQuery* q, std::vector<std::string>* out);
  Status SeriesCount(const SearchQuery* q, uint64_t* out);
  // Merges every partition whose name starts with prefix ("" = all) into one part (§6.10).
  Status ForceMerge(std::string_view partition_prefix);
  // Marks the series matching q (all time) deleted (§8.4); *deleted gets their count.
  Status DeleteSeries(const SearchQuery& q, uint64_t* deleted);
  // Snapshots (§10), in storage_snapshot.cc.
  Status CreateSnapshot(std::string* name);
  Status ListSnapshots(std::vector<std::string>* names);
  Status DeleteSnapshot(const std::string& name);
  void Stats(std::vector<std::pair<std::string, double>>* out);

  // For SeriesIterator: canonical name of a MetricID (cache, then curr, then prev). Takes the
  // indexdb lock itself.
  Status GetMetricName(uint32_t account_id, uint32_t project_id, uint64_t metric_id,
                       MetricName* out);
  // Shared lock that keeps Close() out while held; fails with Closed after Close().
  Result<std::shared_lock<std::shared_mutex>> Enter() const;

 private:
  Storage(std::string path, const StorageOptions& opts)
      : path_(std::move(path)), opts_(opts), tsid_cache_(opts.cache_bytes / 2) {}

  Status OpenIndexDB();
  Status GetOrCreateTSID(std::string_view cache_key, std::string_view series_key,
                         uint32_t account_id, uint32_t project_id, TSID* tsid, MetricName* mn_out,
                         bool* bad_labels);
  Status SearchMetricIDs(const SearchQuery& q, std::vector<uint64_t>* ids);
  Status SearchTSIDs(const SearchQuery& q, std::vector<TSID>* tsids);
  Status CollectLabels(const SearchQuery* q,
                       const std::function<Status(IndexDB&, uint32_t, uint32_t)>& scan,
                       const std::function<void(const MetricName&)>& collect);
  // Keeps the ids with a per-day entry in q.tr when it spans at most 40 days (§8.3).
  Status FilterByTimeRange(const SearchQuery& q, std::vector<uint64_t>* ids);
  Status FlushIndexDB();
  Status FlushLocked();
  Status RotateIndexDB();
  Status GetMetricNameLocked(uint32_t account_id, uint32_t project_id, uint64_t metric_id,
                             MetricName* out);
  std::unordered_set<uint64_t> DeletedCopy();

  const std::string path_;
  const StorageOptions opts_;
  std::unique_ptr<fs::FileLock> lock_;
  std::shared_ptr<IndexDB> idb_prev_;
  std::shared_ptr<IndexDB> idb_curr_;
  std::unique_ptr<Table> table_;
  int64_t min_timestamp_for_composite_index_ = 0;

  // Guards idb_curr_/idb_prev_ against rotation: users hold it shared, RotateIndexDB unique.
  mutable std::shared_mutex idb_rw_;

  mutable std::shared_mutex close_mu_;
  std::atomic<bool> closed_{false};

  // Series creation (exactly once).
  std::mutex create_mu_;
  std::unordered_map<std::string, TSID> created_;   // canonical name -> TSID, not yet flushed
  std::unordered_map<std::string, TSID> flushing_;  // being flushed
  std::atomic<uint64_t> next_metric_id_{0};

  std::mutex deleted_mu_;
  std::unordered_set<uint64_t> deleted_;

  // TSID cache: tenant + series key -> TSID (§8.7 tsidCache).
  TSIDCache tsid_cache_;

  // MetricID -> TSID (§8.7 metricIDCache).
  std::mutex tsid_by_id_mu_;
  std::unordered_map<uint64_t, TSID> tsid_by_id_;

  // MetricID -> canonical MetricName bytes (§8.7 metricNameCache).
  std::mutex name_cache_mu_;
  std::unordered_map<uint64_t, std::string> name_cache_;
  uint64_t name_cache_bytes_ = 0;

  // (date, MetricID) pairs known to have per-day entries (§3.4 dateMetricIDCache).
  struct PairHash {
    size_t operator()(const std::pair<uint64_t, uint64_t>& p) const {
      return std::hash<uint64_t>()(p.first * 0x9E3779B97F4A7C15ULL ^ p.second);
    }
  };
  std::mutex date_mu_;
  std::unordered_set<std::pair<uint64_t, uint64_t>, PairHash> date_metric_ids_;

  // Counters.
  std::atomic<uint64_t> rows_added_{0}, rejected_invalid_labels_{0}, rejected_nan_{0},
      rejected_out_of_retention_{0}, rejected_too_far_future_{0}, rejected_invalid_timestamp_{0},
      new_series_{0};

  // Background work (scheduler.h): flushes, merges, retention, indexdb rotation. It reaches
  // the storage through SchedulerLink (storage.cc). Declared last: it stops first.
  class SchedulerLink;
  std::unique_ptr<BackgroundScheduler> scheduler_;
};

}  // namespace vme::storage
