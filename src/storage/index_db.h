// IndexDB: one generation of the series index, a mergeset table of namespaced items
// (docs/format.md, "indexdb items"; lib/storage/index_db.go).
//
// Item layouts (acc, proj = u32be AccountID, ProjectID; id = u64be MetricID; the escaping and
// trailing 0x01 of tag keys/values are those of MarshalTagValue, VictoriaMetrics MetricName.Marshal
// in lib/storage/metric_name.go):
//   0  MetricName -> TSID        00 | MetricName.Marshal() | 02 | TSID(32)
//   1  Tag -> MetricIDs          01 | acc | proj | keyPart | valuePart | id...
//   2  MetricID -> TSID          02 | acc | proj | id | TSID(32)
//   3  MetricID -> MetricName    03 | acc | proj | id | MetricName.Marshal() (tenant again)
//   4  deleted MetricID          04 | id
//   5  Date -> MetricID          05 | acc | proj | u64be date | id
//   6  (Date, Tag) -> MetricIDs  06 | acc | proj | u64be date | keyPart | valuePart | id...
// Tag parts of a series (docs/format.md, "indexdb items"): the metric name (keyPart 01), the
// reversed metric name for names with a dot (keyPart ff 01), each tag, and each tag again under the
// composite key fe | varuint(len(MetricGroup)) | MetricGroup | Key. Rows of ns 1 and 6 may carry
// any number (>= 1) of 8-byte ids after merges (VictoriaMetrics mergeTagToMetricIDsRows in
// lib/storage/index_db.go).
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "mergeset/table.h"
#include "mergeset/table_search.h"
#include "storage/metric_name.h"
#include "storage/tag_filters.h"
#include "storage/tsid.h"
#include "util/quarantine.h"
#include "util/status.h"

namespace vme::storage {

enum Namespace : uint8_t {
  kNsMetricNameToTSID = 0,
  kNsTagToMetricIDs = 1,
  kNsMetricIDToTSID = 2,
  kNsMetricIDToMetricName = 3,
  kNsDeletedMetricID = 4,
  kNsDateToMetricID = 5,
  kNsDateTagToMetricIDs = 6,
};

inline constexpr int64_t kMsecPerDay = 86'400'000;

// Index items built back to back in one buffer: no allocation per item once the buffer has
// grown (callers keep one per thread).
struct IndexItems {
  std::string data;
  std::vector<uint32_t> ends;  // end offset of each item in data

  void Clear() {
    data.clear();
    ends.clear();
  }
  size_t size() const { return ends.size(); }
  std::string_view item(size_t i) const {
    const uint32_t start = i == 0 ? 0 : ends[i - 1];
    return std::string_view(data).substr(start, ends[i] - start);
  }
  void EndItem() { ends.push_back(static_cast<uint32_t>(data.size())); }
};

// Appends the items of docs/format.md, "indexdb items" for a new series (ns 0, 3, 2, then the ns 1
// tag rows).
void AppendSeriesIndexItems(const TSID& tsid, const MetricName& mn, IndexItems* items);
// Appends the per-day items of docs/format.md, "indexdb items" (ns 5, then the ns 6 tag rows).
void AppendPerDayIndexItems(uint64_t date, const TSID& tsid, const MetricName& mn,
                            IndexItems* items);
// Whether every index item of a series fits in a mergeset item (mergeset::kMaxItemSize):
// the items of AppendSeriesIndexItems (items [from, size())) and, for any date, those of
// AppendPerDayIndexItems (each ns 6 row is an ns 1 row plus the date). A series key within the
// label limits may still be too long: such a series cannot be indexed.
bool IndexItemsFit(const IndexItems& series_items, size_t from = 0);
// The prepareBlock callback of indexdb merges (VictoriaMetrics lib/storage/index_db.go,
// mergeTagToMetricIDsRows): the compacted items of `in` go to *out, which stays empty when the
// block is to be written as it is.
void MergeTagToMetricIDsRows(const mergeset::InmemoryBlock& in, mergeset::InmemoryBlock* out);

class IndexDB {
 public:
  // Opens the generation's mergeset table; read_only: nothing is written (TableOptions).
  // quarantine: TableOptions::quarantine (empty = off).
  static Result<std::shared_ptr<IndexDB>> Open(const std::string& path, bool read_only = false,
                                               QuarantineFn quarantine = {});

  const std::string& name() const { return name_; }
  mergeset::Table& table() { return *table_; }

  Status AddItems(const std::vector<std::string>& items) { return table_->AddItems(items); }
  Status AddItems(const IndexItems& items);

  // ns 0 lookup by canonical MetricName.Marshal() bytes; NotFound when missing. TSIDs whose
  // MetricID is in `deleted` are skipped.
  Status GetTSIDByName(std::string_view marshaled_name, const std::unordered_set<uint64_t>& deleted,
                       TSID* out) const;
  // ns 3 lookup; NotFound when missing.
  Status GetMetricName(uint32_t account_id, uint32_t project_id, uint64_t metric_id,
                       MetricName* out) const;
  // ns 2 lookup; NotFound when missing.
  Status GetTSID(uint32_t account_id, uint32_t project_id, uint64_t metric_id, TSID* out) const;
  // ns 5 exact lookup.
  Result<bool> HasDateMetricID(uint64_t date, uint32_t account_id, uint32_t project_id,
                               uint64_t metric_id) const;
  // ns 4 ids.
  Status AppendDeletedMetricIDs(std::unordered_set<uint64_t>* out) const;

  // Sorted MetricIDs of the series of the tenant matching every filter (global ns 1 rows).
  // Answers come from the TagFiltersCache (search_caches.h) while the table's parts are those
  // the cached answer was computed from.
  Status SearchMetricIDs(uint32_t account_id, uint32_t project_id, const TagFilters& filters,
                         std::vector<uint64_t>* out) const;
  // Sorted MetricIDs with a per-day entry (ns 5) for a date in [min_date, max_date].
  Status SearchMetricIDsForDates(uint32_t account_id, uint32_t project_id, uint64_t min_date,
                                 uint64_t max_date, std::vector<uint64_t>* out) const;
  // Label names (global ns 1 rows; "" for the metric name; artificial keys hidden), unsorted.
  Status AppendLabelNames(uint32_t account_id, uint32_t project_id,
                          std::unordered_set<std::string>* out) const;
  // Label values of `key` ("" = metric name), without the empty value, unsorted.
  Status AppendLabelValues(uint32_t account_id, uint32_t project_id, std::string_view key,
                           std::unordered_set<std::string>* out) const;

 private:
  using PartList = std::vector<std::shared_ptr<const mergeset::Part>>;

  IndexDB(std::string name, std::shared_ptr<mergeset::Table> table);

  // SearchMetricIDs over exactly `parts`, without the cache.
  Status SearchMetricIDsIn(const PartList& parts, uint32_t account_id, uint32_t project_id,
                           const TagFilters& filters, std::vector<uint64_t>* out) const;

  // The current parts whose item filter may hold `key` (an ItemFilterKeys key of IndexDB items;
  // parts without a filter are kept).
  std::vector<std::shared_ptr<const mergeset::Part>> PartsMayContain(std::string_view key) const;
  // Sorted ids of rows with key `key` whose value passes `pred` (positive predicate).
  Status MetricIDsForKey(const PartList& parts, uint32_t account_id, uint32_t project_id,
                         const TagFilter& tf, bool all_values, std::vector<uint64_t>* matching,
                         std::vector<uint64_t>* present) const;

  const uint64_t id_;  // unique in the process: names this generation in the TagFiltersCache
  std::string name_;
  std::shared_ptr<mergeset::Table> table_;
};

}  // namespace vme::storage
