#include "storage/search.h"

#include <algorithm>

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
    merge_buf_.clear();
    size_t blocks = 0;
    bool sorted = true;
    while (!heap_.empty() && searches_[heap_.front()]->block_header().tsid == cur_tsid_) {
      const size_t s = HeapPop();
      VME_RETURN_IF_ERROR(searches_[s]->ReadBlock(&block_));
      blocks++;
      // Blocks are sorted inside; only a block starting before the previous one's end makes
      // the series unsorted.
      if (!block_.timestamps.empty() && !timestamps_.empty() &&
          block_.timestamps.front() < timestamps_.back()) {
        sorted = false;
      }
      if (timestamps_.empty()) {
        timestamps_.swap(block_.timestamps);
        values_.swap(block_.values);
      } else {
        timestamps_.insert(timestamps_.end(), block_.timestamps.begin(), block_.timestamps.end());
        values_.insert(values_.end(), block_.values.begin(), block_.values.end());
      }
      if (searches_[s]->NextBlock()) {
        HeapPush(s);
      } else {
        VME_RETURN_IF_ERROR(searches_[s]->status());
      }
    }
    if (timestamps_.empty()) continue;
    if (!sorted) {
      merge_buf_.resize(timestamps_.size());
      for (size_t i = 0; i < timestamps_.size(); i++) merge_buf_[i] = {timestamps_[i], values_[i]};
      std::stable_sort(merge_buf_.begin(), merge_buf_.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (size_t i = 0; i < merge_buf_.size(); i++) {
        timestamps_[i] = merge_buf_[i].first;
        values_[i] = merge_buf_[i].second;
      }
    }
    if (dedup_interval_ms_ > 0) DeduplicateSamples(&timestamps_, &values_, dedup_interval_ms_);
    Status st = storage_->GetMetricName(account_id_, project_id_, cur_tsid_.metric_id, &mn_);
    // No name anywhere: skip the series, as VictoriaMetrics Search.NextMetricBlock does.
    if (st.code() == Code::kNotFound) continue;
    VME_RETURN_IF_ERROR(st);
    return Status::OK();
  }
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
