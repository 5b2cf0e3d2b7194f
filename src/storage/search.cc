#include "storage/search.h"

#include <algorithm>
#include <cstring>

#include "encoding/decimal.h"

#include "storage/dedup.h"
#include "storage/search_caches.h"
#include "storage/storage.h"

namespace vme::storage {

SeriesIterator::SeriesIterator(std::shared_ptr<Storage> storage, std::vector<TSID> tsids,
                               std::vector<PartPtr> parts, TimeRange tr, uint32_t account_id,
                               uint32_t project_id, int64_t dedup_interval_ms)
    : storage_(std::move(storage)),
      tsids_(std::move(tsids)),
      parts_(std::move(parts)),
      tr_(tr),
      account_id_(account_id),
      project_id_(project_id),
      dedup_interval_ms_(dedup_interval_ms) {
  ConfigureSearchCaches(storage_->options().cache_bytes);
}

bool SeriesIterator::HeapLess(size_t a, size_t b) const {
  const BlockHeader& ha = searches_[a]->block_header();
  const BlockHeader& hb = searches_[b]->block_header();
  if (ha.tsid != hb.tsid) return ha.tsid < hb.tsid;
  if (ha.min_timestamp != hb.min_timestamp) return ha.min_timestamp < hb.min_timestamp;
  return a < b;
}

void SeriesIterator::HeapPush(size_t s) {
  heap_.push_back(s);
  std::push_heap(heap_.begin(), heap_.end(), [this](size_t a, size_t b) { return HeapLess(b, a); });
}

size_t SeriesIterator::HeapPop() {
  std::pop_heap(heap_.begin(), heap_.end(), [this](size_t a, size_t b) { return HeapLess(b, a); });
  const size_t s = heap_.back();
  heap_.pop_back();
  return s;
}

Status SeriesIterator::Next(bool* done) {
  VME_ASSIGN_OR_RETURN(auto guard, storage_->Enter());
  *done = false;
  key_valid_ = text_valid_ = false;
  if (!started_) {
    started_ = true;
    for (const PartPtr& p : parts_) {
      auto ps = std::make_unique<PartSearch>();
      ps->Init(p, &tsids_, tr_);
      searches_.push_back(std::move(ps));
      const size_t idx = searches_.size() - 1;
      if (searches_[idx]->NextBlock()) {
        HeapPush(idx);
      } else {
        VME_RETURN_IF_ERROR(searches_[idx]->status());
      }
    }
  }
  for (;;) {
    if (heap_.empty()) {
      *done = true;
      timestamps_.clear();
      values_.clear();
      return Status::OK();
    }
    cur_tsid_ = searches_[heap_.front()]->block_header().tsid;
    timestamps_.clear();
    values_.clear();
    bool sorted = true;
    while (!heap_.empty() && searches_[heap_.front()]->block_header().tsid == cur_tsid_) {
      const size_t s = HeapPop();
      VME_RETURN_IF_ERROR(AppendBlock(s, &sorted));
      if (searches_[s]->NextBlock()) {
        HeapPush(s);
      } else {
        VME_RETURN_IF_ERROR(searches_[s]->status());
      }
    }
    if (timestamps_.size() == 0) continue;
    if (!sorted) {
      const size_t n = timestamps_.size();
      int64_t* ts = timestamps_.data();
      double* vs = values_.data();
      merge_buf_.resize(n);
      for (size_t i = 0; i < n; i++) merge_buf_[i] = {ts[i], vs[i]};
      std::stable_sort(merge_buf_.begin(), merge_buf_.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (size_t i = 0; i < n; i++) {
        ts[i] = merge_buf_[i].first;
        vs[i] = merge_buf_[i].second;
      }
    }
    if (dedup_interval_ms_ > 0) Deduplicate();
    Status st = storage_->GetMetricName(account_id_, project_id_, cur_tsid_.metric_id, &mn_);
    // No name anywhere: skip the series, as VictoriaMetrics Search.NextMetricBlock does.
    if (st.code() == Code::kNotFound) continue;
    VME_RETURN_IF_ERROR(st);
    return Status::OK();
  }
}

Status SeriesIterator::AppendBlock(size_t s, bool* sorted) {
  const PartSearch& ps = *searches_[s];
  const BlockHeader& bh = ps.block_header();
  const Part& part = *ps.part();
  const size_t n = bh.rows_count;
  const size_t base = timestamps_.size();
  timestamps_.Reserve(base + n);
  values_.Reserve(base + n);
  mantissas_.ResizeUninit(n);
  std::string_view ts_data, values_data;
  VME_RETURN_IF_ERROR(
      part.BlockPayloads(bh, &ts_payload_, &values_payload_, &ts_data, &values_data));
  int64_t* ts = timestamps_.data() + base;
  const Status st = DecodeBlockPayloadsTo(bh, ts_data, values_data, ts, mantissas_.data());
  if (!st.ok()) return part.BlockDecodeError(bh, st);
  // Decoded timestamps are non-decreasing: keep those inside the time range.
  const size_t lo = static_cast<size_t>(std::lower_bound(ts, ts + n, tr_.min_timestamp) - ts);
  const size_t hi = static_cast<size_t>(std::upper_bound(ts + lo, ts + n, tr_.max_timestamp) - ts);
  if (lo == hi) return Status::OK();
  if (lo > 0) std::memmove(ts, ts + lo, (hi - lo) * sizeof(int64_t));
  if (base > 0 && ts[0] < timestamps_.data()[base - 1]) *sorted = false;
  dec::DecimalToFloat(values_.data() + base, mantissas_.data() + lo, hi - lo, bh.scale);
  timestamps_.ResizeUninit(base + (hi - lo));
  values_.ResizeUninit(base + (hi - lo));
  return Status::OK();
}

void SeriesIterator::Deduplicate() {
  if (!NeedsDedup(timestamps_.data(), timestamps_.size(), dedup_interval_ms_)) return;
  std::vector<int64_t> ts(timestamps_.data(), timestamps_.data() + timestamps_.size());
  std::vector<double> vs(values_.data(), values_.data() + values_.size());
  DeduplicateSamples(&ts, &vs, dedup_interval_ms_);
  std::copy(ts.begin(), ts.end(), timestamps_.data());
  std::copy(vs.begin(), vs.end(), values_.data());
  timestamps_.ResizeUninit(ts.size());
  values_.ResizeUninit(vs.size());
}

const std::string& SeriesIterator::key() {
  if (!key_valid_) {
    key_.clear();
    mn_.ToSeriesKey(&key_);
    key_valid_ = true;
  }
  return key_;
}

const std::string& SeriesIterator::text() {
  if (!text_valid_) {
    text_ = mn_.ToPrometheusText();
    text_valid_ = true;
  }
  return text_;
}

}  // namespace vme::storage
