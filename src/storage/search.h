// SeriesIterator: the result of a search (VictoriaMetrics Search.NextMetricBlock,
// Block.UnmarshalData in lib/storage/block.go; lib/storage/search.go and vmselect's per-series
// merge). It walks the blocks of the matching TSIDs in every pinned part with a heap ordered by
// (TSID, MinTimestamp, part order), gathers all blocks of one series, decodes them within the time
// range and merges their samples by timestamp (stable: samples with equal timestamps keep block
// order, then in-block order; duplicates are kept). With a dedup interval the first sample of each
// interval is kept (VictoriaMetrics DeduplicateSamples in lib/storage/dedup.go).
//
// Thread-safety: not thread-safe; one user at a time (it may move between threads). It pins
// the parts it reads, so merges cannot remove them, and returns Closed after Storage::Close.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "storage/metric_name.h"
#include "storage/part.h"
#include "storage/part_search.h"
#include "storage/tsid.h"
#include "util/status.h"

namespace vme::storage {

class Storage;

class SeriesIterator {
 public:
  SeriesIterator(std::shared_ptr<Storage> storage, std::vector<TSID> tsids,
                 std::vector<PartPtr> parts, TimeRange tr, uint32_t account_id, uint32_t project_id,
                 int64_t dedup_interval_ms);

  // Advances to the next series with at least one sample. *done = true at the end.
  Status Next(bool* done);

  const MetricName& metric_name() const { return mn_; }
  const TSID& tsid() const { return cur_tsid_; }
  const std::vector<int64_t>& timestamps() const { return timestamps_; }
  const std::vector<double>& values() const { return values_; }
  // Series key (packed labels) and Prometheus text of the current series, built on demand.
  const std::string& key();
  const std::string& text();

 private:
  struct HeapEntry {
    size_t search;
  };
  bool HeapLess(size_t a, size_t b) const;
  void HeapPush(size_t s);
  size_t HeapPop();

  std::shared_ptr<Storage> storage_;
  std::vector<TSID> tsids_;
  std::vector<PartPtr> parts_;
  TimeRange tr_;
  uint32_t account_id_, project_id_;
  int64_t dedup_interval_ms_;
  bool started_ = false;

  std::vector<std::unique_ptr<PartSearch>> searches_;
  std::vector<size_t> heap_;

  TSID cur_tsid_;
  MetricName mn_;
  std::vector<int64_t> timestamps_;
  std::vector<double> values_;
  std::string key_, text_;
  bool key_valid_ = false, text_valid_ = false;
  Block block_;
  std::vector<std::pair<int64_t, double>> merge_buf_;
};

}  // namespace vme::storage
