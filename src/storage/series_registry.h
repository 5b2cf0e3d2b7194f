// SeriesRegistry: series key -> TSID, creating each series exactly once (lib/storage/
// storage.go `Storage.add`, lib/storage/index_db.go `GetOrCreateTSIDByName`), the per-day
// index entries of new (date, MetricID) pairs, the indexdb flush, and the caches of the
// write and read paths:
//   tsid_cache_      tenant + series key -> TSID (VictoriaMetrics' tsidCache)
//   tsid_by_id_      MetricID -> TSID (metricIDCache)
//   name_cache_      MetricID -> canonical MetricName bytes (metricNameCache)
//   date_metric_ids_ (date, MetricID) pairs known to have per-day entries (dateMetricIDCache)
//
// Exactly once: a series whose index items are not searchable yet is always in the in-memory
// map `pending_` (canonical name -> state), under create_mu_, in one of three states:
// kCreating (its creator is reading the index and writing the items), kCreated (items
// written, not flushed) and kFlushing (an indexdb flush is making them searchable). A second
// writer of the same series finds it there or waits for its creator; the creator does its
// index reads and writes with no lock held.
//
// Thread-safety: every method may be called concurrently, with the storage's rotation lock
// (Storage::idb_rw_) held shared; Reset needs it exclusively. Locks, in the order they may be
// taken: flush_mu_ (held across an indexdb flush, only by Flush), create_mu_, then the leaf
// locks date_mu_, tsid_by_id_mu_, name_cache_mu_ and the TSID cache shards. No I/O is done
// under create_mu_ or a leaf lock.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "storage/index_db_generations.h"
#include "storage/metric_name.h"
#include "storage/raw_row.h"
#include "storage/tsid.h"
#include "storage/tsid_cache.h"
#include "util/status.h"

namespace vme::storage {

class SeriesRegistry {
 public:
  SeriesRegistry(IndexDBGenerations* index, uint64_t cache_bytes, uint64_t first_metric_id)
      : index_(index),
        cache_bytes_(cache_bytes),
        next_metric_id_(first_metric_id),
        tsid_cache_(cache_bytes / 2) {}

  // TSID cache lookup (tenant-prefixed series key).
  bool GetCached(std::string_view cache_key, TSID* tsid) {
    return tsid_cache_.Get(cache_key, tsid);
  }

  // Resolves the series key to a TSID, creating the series (its index items in curr) when it
  // is new. *bad_labels (and OK) when the key is malformed, breaks the label limits, has no
  // metric name, or would need an index item longer than the mergeset item limit. *mn gets
  // the parsed name.
  Status GetOrCreateTSID(std::string_view cache_key, std::string_view series_key,
                         uint32_t account_id, uint32_t project_id, TSID* tsid, MetricName* mn,
                         bool* bad_labels);

  // Writes the per-day index entries (ns 5 and 6) of the rows' (date, MetricID) pairs that do
  // not have them yet. key_of(k) is the series key of rows[k].
  Status AddPerDayEntries(const std::vector<RawRow>& rows, uint32_t account_id, uint32_t project_id,
                          const std::function<std::string_view(size_t)>& key_of);

  // Makes every series created so far searchable: flushes curr's buffered items.
  Status Flush();
  // Forgets the given series (deleted): new samples of their labels create fresh series.
  void Forget(const std::vector<uint64_t>& metric_ids);
  // After an indexdb rotation: forgets every cached mapping (they name the old generations).
  void Reset();

  // Read path caches.
  // The cached TSIDs of ids (of the tenant) go to *tsids, the other ids to *missing.
  void CachedTSIDs(const std::vector<uint64_t>& ids, uint32_t account_id, uint32_t project_id,
                   std::vector<TSID>* tsids, std::vector<uint64_t>* missing);
  void CacheTSIDs(const std::vector<TSID>& tsids);
  // Canonical name of a MetricID: cache, then curr, then prev.
  Status GetMetricName(uint32_t account_id, uint32_t project_id, uint64_t metric_id,
                       MetricName* out);

  uint64_t new_series() const { return new_series_.load(); }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  enum class PendingState : uint8_t { kCreating, kCreated, kFlushing };
  struct Pending {
    PendingState state = PendingState::kCreating;
    TSID tsid;
  };
  struct PairHash {
    size_t operator()(const std::pair<uint64_t, uint64_t>& p) const {
      return std::hash<uint64_t>()(p.first * 0x9E3779B97F4A7C15ULL ^ p.second);
    }
  };
  // Index reads and writes that create or revive one series; no lock held.
  // *wrote_items tells whether items were added to curr (a new series, or one of prev).
  Status CreateSeries(const std::string& canonical, const MetricName& mn, TSID* tsid,
                      bool* bad_labels, bool* wrote_items);

  IndexDBGenerations* const index_;
  const uint64_t cache_bytes_;

  std::mutex flush_mu_;  // one indexdb flush of this storage at a time

  std::mutex create_mu_;
  std::condition_variable create_cv_;  // a creation (kCreating) ended
  std::unordered_map<std::string, Pending, StringHash, std::equal_to<>> pending_;
  std::atomic<uint64_t> next_metric_id_;
  std::atomic<uint64_t> new_series_{0};

  TSIDCache tsid_cache_;

  std::mutex tsid_by_id_mu_;
  std::unordered_map<uint64_t, TSID> tsid_by_id_;

  std::mutex name_cache_mu_;
  std::unordered_map<uint64_t, std::string> name_cache_;
  uint64_t name_cache_bytes_ = 0;

  std::mutex date_mu_;
  std::unordered_set<std::pair<uint64_t, uint64_t>, PairHash> date_metric_ids_;
};

}  // namespace vme::storage
