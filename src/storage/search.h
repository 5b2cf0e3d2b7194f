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

#include <algorithm>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "encoding/zstd.h"

#include "storage/metric_name.h"
#include "storage/part.h"
#include "storage/part_search.h"
#include "storage/tsid.h"
#include "util/status.h"

namespace vme::storage {

class Storage;

// A growable array of int64_t or double whose new elements are not initialised (they are
// always written before being read).
template <typename T>
class PodVector {
 public:
  T* data() { return buf_.get(); }
  const T* data() const { return buf_.get(); }
  size_t size() const { return size_; }
  void clear() { size_ = 0; }
  // Capacity for at least n elements, keeping the first size().
  void Reserve(size_t n) {
    if (n <= cap_) return;
    const size_t cap = std::max(n, cap_ * 2);
    std::unique_ptr<T[]> next(new T[cap]);
    if (size_ > 0) std::copy(buf_.get(), buf_.get() + size_, next.get());
    buf_ = std::move(next);
    cap_ = cap;
  }
  void ResizeUninit(size_t n) {
    Reserve(n);
    size_ = n;
  }

 private:
  std::unique_ptr<T[]> buf_;
  size_t size_ = 0;
  size_t cap_ = 0;
};

class SeriesIterator {
 public:
  SeriesIterator(std::shared_ptr<Storage> storage, std::vector<TSID> tsids,
                 std::vector<PartPtr> parts, TimeRange tr, uint32_t account_id, uint32_t project_id,
                 int64_t dedup_interval_ms);

  // Advances to the next series with at least one sample. *done = true at the end. A
  // Corruption (a part failed its checksum or did not decode) is returned as is, after the
  // storage moved the corrupt parts to quarantine when StorageOptions::quarantine is on.
  Status Next(bool* done);

  const MetricName& metric_name() const { return mn_; }
  const TSID& tsid() const { return cur_tsid_; }
  // Views valid until the next call of Next() or the iterator's destruction.
  std::span<const int64_t> timestamps() const;
  std::span<const double> values() const;
  // Series key (packed labels) and Prometheus text of the current series, built on demand.
  const std::string& key();
  const std::string& text();

 private:
  Status NextSeries(bool* done);
  // The series are gathered in batches: the blocks of up to kMaxBatchSeries consecutive series
  // (at most kMaxBatchSamples rows) are collected in (TSID, MinTimestamp, part) order, decoded
  // in parallel (ParallelFor), then handed out one by one.
  static constexpr size_t kMaxBatchSeries = 256;
  static constexpr size_t kMaxBatchSamples = 1u << 18;
  struct PendingBlock {
    const Part* part;
    BlockHeader header;
    // The payloads when the batch read them already (ReadSpans), else empty and unset.
    bool have_payloads = false;
    std::string_view timestamps_data, values_data;
  };
  struct Series {
    TSID tsid;
    std::vector<PendingBlock> blocks;
    Status status;  // the first error met while gathering or decoding this series
    PodVector<int64_t> timestamps;
    PodVector<double> values;
  };

  bool HeapLess(size_t a, size_t b) const;
  void HeapPush(size_t s);
  size_t HeapPop();
  Status Start();
  // Gathers and decodes the next batch; false when no series is left.
  bool FillBatch();
  // Reads the payloads of the batch's blocks with one pread per part and file when they lie
  // close together (a part's blocks are written in TSID order), instead of two per block.
  void ReadSpans();
  // Decodes the blocks of *s (time range, merge of unsorted blocks, deduplication).
  void DecodeSeries(Series* s) const;

  std::shared_ptr<Storage> storage_;
  std::vector<TSID> tsids_;
  std::vector<PartPtr> parts_;
  TimeRange tr_;
  uint32_t account_id_, project_id_;
  int64_t dedup_interval_ms_;
  bool started_ = false;

  std::vector<std::unique_ptr<PartSearch>> searches_;
  std::vector<size_t> heap_;
  Status heap_status_;  // an index read failed: the heap is incomplete

  std::vector<Series> batch_;
  // What ReadSpans read; views point into them (owned through pointers, so that growing the
  // vector moves no bytes, not even those of short strings).
  std::vector<std::unique_ptr<std::string>> span_bufs_;
  size_t batch_len_ = 0;
  size_t batch_pos_ = 0;
  const Series* cur_ = nullptr;

  TSID cur_tsid_;
  MetricName mn_;
  std::string key_, text_;
  bool key_valid_ = false, text_valid_ = false;
};

}  // namespace vme::storage
