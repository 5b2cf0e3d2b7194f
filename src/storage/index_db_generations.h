// IndexDBGenerations: the two indexdb generations of a storage, prev and curr (lib/storage/
// storage.go `openIndexDBTables`, `Storage.mustRotateIndexDB`), the set of deleted MetricIDs,
// the search planning over both generations and the label queries. Layout:
//   <path>/indexdb/<16 hex>/     one mergeset table per generation (index_db.h); the two
//                                greatest names are prev and curr, older ones are removed
//   <path>/indexdb/snapshots/    indexdb side of the snapshots (storage_snapshot.cc)
// A series is searched in both generations; series creation writes to curr only (reusing the
// TSID it had in prev, so MetricIDs survive a rotation).
//
// Thread-safety: the generation pointers are guarded by the storage's rotation lock
// (Storage::idb_rw_): Rotate and Close need it exclusively, Deleted and HasDeleted need no
// lock, every other method needs it held shared. The deleted set has its own short lock
// (deleted_mu_, a leaf: no I/O and no other lock is taken under it); readers get an immutable
// snapshot of it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "storage/index_db.h"
#include "storage/metric_name.h"
#include "storage/tag_filters.h"
#include "storage/time.h"
#include "storage/tsid.h"
#include "util/quarantine.h"
#include "util/status.h"

namespace vme::storage {

class SeriesRegistry;

struct SearchQuery {
  uint32_t account_id = 0;
  uint32_t project_id = 0;
  TagFilters filters;
  TimeRange tr{0, INT64_MAX};
  uint64_t max_series = 0;  // 0 = unlimited
};

using DeletedSet = std::unordered_set<uint64_t>;

class IndexDBGenerations {
 public:
  // Opens <dir> (= <path>/indexdb). Read-write: creates <dir>, <dir>/snapshots and missing
  // generations, and removes generations older than the two newest. Read-only: writes
  // nothing; <dir> must hold at least two generations (NotFound naming <dir> otherwise).
  // quarantine: the TableOptions::quarantine of every generation (empty = off).
  static Result<std::unique_ptr<IndexDBGenerations>> Open(const std::string& dir, bool read_only,
                                                          QuarantineFn quarantine = {});
  // Table::QuarantineCorruptParts of both generations.
  Status QuarantineCorruptParts(const Status& why);

  IndexDB& curr() { return *curr_; }
  IndexDB& prev() { return *prev_; }

  // Opens a new, empty curr; the old curr becomes prev and the old prev is closed and removed.
  Status Rotate();
  // Closes both generations (flushing what they buffer).
  Status Close();

  // The deleted MetricIDs: an immutable snapshot (cheap: one shared_ptr copy).
  std::shared_ptr<const DeletedSet> Deleted() const;
  bool HasDeleted() const;
  // Writes ns 4 entries for ids to both generations and adds them to the deleted set.
  Status MarkDeleted(const std::vector<uint64_t>& ids);

  // ns 0 lookup in curr, then prev, skipping deleted series. NotFound when missing;
  // *in_prev tells that the TSID was found only in prev.
  Status GetTSIDByName(std::string_view canonical_name, TSID* tsid, bool* in_prev);
  // ns 3 lookup in curr, then prev.
  Status GetMetricName(uint32_t account_id, uint32_t project_id, uint64_t metric_id,
                       MetricName* out);
  // ns 2 lookup in curr, then prev.
  Status GetTSID(uint32_t account_id, uint32_t project_id, uint64_t metric_id, TSID* out);

  // Search planning: sorted MetricIDs matching q.filters in either generation, minus the
  // deleted ones (the time range is not applied).
  Status SearchMetricIDs(const SearchQuery& q, std::vector<uint64_t>* ids);
  // Keeps the ids with a per-day entry in q.tr when it spans at most 40 days (lib/storage/
  // index_db.go `searchMetricIDsInternal`: the per-day index is used for short ranges only).
  Status FilterByTimeRange(const SearchQuery& q, std::vector<uint64_t>* ids);
  // The sorted TSIDs of SearchMetricIDs(q); Limit when there are more than q.max_series.
  // Uses and fills the MetricID -> TSID cache of `series`.
  Status SearchTSIDs(const SearchQuery& q, SeriesRegistry& series, std::vector<TSID>* tsids);
  Status SeriesCount(const SearchQuery& q, uint64_t* out);
  // Sorted label names / values of the series matching q (null q = all series of the tenant
  // account_id/project_id). Names of matching series come through `series` (its cache).
  Status LabelNames(const SearchQuery* q, uint32_t account_id, uint32_t project_id,
                    SeriesRegistry& series, std::vector<std::string>* out);
  Status LabelValues(std::string_view name, const SearchQuery* q, uint32_t account_id,
                     uint32_t project_id, SeriesRegistry& series, std::vector<std::string>* out);

 private:
  IndexDBGenerations(std::string dir, bool read_only)
      : dir_(std::move(dir)), read_only_(read_only) {}

  // Label names or values from the tag rows of both generations when nothing narrows them,
  // else from the names of the matching series.
  Status CollectLabels(const SearchQuery* q, uint32_t account_id, uint32_t project_id,
                       SeriesRegistry& series,
                       const std::function<Status(IndexDB&, uint32_t, uint32_t)>& scan,
                       const std::function<void(const MetricName&)>& collect);

  const std::string dir_;
  const bool read_only_;
  QuarantineFn quarantine_;
  std::shared_ptr<IndexDB> prev_;
  std::shared_ptr<IndexDB> curr_;

  mutable std::mutex deleted_mu_;
  std::shared_ptr<const DeletedSet> deleted_ = std::make_shared<const DeletedSet>();
};

}  // namespace vme::storage
