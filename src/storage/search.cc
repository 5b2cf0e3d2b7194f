#include "storage/search.h"

#include <algorithm>
#include <cstring>

#include "encoding/decimal.h"

#include "storage/background_workers.h"
#include "storage/dedup.h"
#include "storage/parallel.h"
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

std::span<const int64_t> SeriesIterator::timestamps() const {
  if (cur_ == nullptr) return {};
  return {cur_->timestamps.data(), cur_->timestamps.size()};
}

std::span<const double> SeriesIterator::values() const {
  if (cur_ == nullptr) return {};
  return {cur_->values.data(), cur_->values.size()};
}

Status SeriesIterator::Start() {
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
  return Status::OK();
}

bool SeriesIterator::FillBatch() {
  batch_len_ = 0;
  batch_pos_ = 0;
  size_t samples = 0;
  while (!heap_.empty() && heap_status_.ok() && batch_len_ < kMaxBatchSeries &&
         samples < kMaxBatchSamples) {
    if (batch_.size() <= batch_len_) batch_.emplace_back();
    Series& s = batch_[batch_len_++];
    s.tsid = searches_[heap_.front()]->block_header().tsid;
    s.blocks.clear();
    s.status = Status::OK();
    while (!heap_.empty() && searches_[heap_.front()]->block_header().tsid == s.tsid) {
      const size_t i = HeapPop();
      const BlockHeader& bh = searches_[i]->block_header();
      PendingBlock pb;
      pb.part = searches_[i]->part().get();
      pb.header = bh;
      s.blocks.push_back(pb);
      samples += bh.rows_count;
      if (searches_[i]->NextBlock()) {
        HeapPush(i);
      } else if (!searches_[i]->status().ok()) {
        // As the one-series-at-a-time walk would: this series fails, the ones before it
        // are still handed out.
        heap_status_ = searches_[i]->status();
        s.status = heap_status_;
        break;
      }
    }
  }
  if (batch_len_ == 0) return false;
  ReadSpans();
  ParallelFor(batch_len_, [this](size_t i) { DecodeSeries(&batch_[i]); });
  return true;
}

void SeriesIterator::ReadSpans() {
  // A span is read only when at least half of it is payload, and at most 16 MiB.
  constexpr uint64_t kMaxSpan = uint64_t{16} << 20;
  size_t used = 0;
  for (const PartPtr& part : parts_) {
    if (part->is_inmemory()) continue;
    for (const Part::File f : {Part::File::kTimestamps, Part::File::kValues}) {
      const bool ts_file = f == Part::File::kTimestamps;
      uint64_t lo = UINT64_MAX, hi = 0, payload = 0;
      size_t blocks = 0;
      for (size_t i = 0; i < batch_len_; i++) {
        for (const PendingBlock& pb : batch_[i].blocks) {
          if (pb.part != part.get()) continue;
          const uint64_t off =
              ts_file ? pb.header.timestamps_block_offset : pb.header.values_block_offset;
          const uint64_t size =
              ts_file ? pb.header.timestamps_block_size : pb.header.values_block_size;
          lo = std::min(lo, off);
          hi = std::max(hi, off + size);
          payload += size;
          blocks++;
        }
      }
      if (blocks < 2 || hi - lo > kMaxSpan || payload * 2 < hi - lo) continue;
      if (span_bufs_.size() <= used) span_bufs_.push_back(std::make_unique<std::string>());
      std::string& buf = *span_bufs_[used];
      buf.clear();
      // A failed read leaves the blocks to their own reads, which report the error precisely.
      if (!part->ReadAt(f, lo, hi - lo, &buf).ok()) continue;
      used++;
      const std::string_view view(buf);
      for (size_t i = 0; i < batch_len_; i++) {
        for (PendingBlock& pb : batch_[i].blocks) {
          if (pb.part != part.get()) continue;
          if (ts_file) {
            pb.timestamps_data = view.substr(pb.header.timestamps_block_offset - lo,
                                             pb.header.timestamps_block_size);
          } else {
            pb.values_data =
                view.substr(pb.header.values_block_offset - lo, pb.header.values_block_size);
            pb.have_payloads = true;
          }
        }
      }
    }
  }
  // Only blocks with both payloads read keep them.
  for (size_t i = 0; i < batch_len_; i++) {
    for (PendingBlock& pb : batch_[i].blocks) {
      if (pb.have_payloads && pb.timestamps_data.data() == nullptr) pb.have_payloads = false;
    }
  }
}

void SeriesIterator::DecodeSeries(Series* s) const {
  s->timestamps.clear();
  s->values.clear();
  if (!s->status.ok()) return;
  s->status = CatchAll("decode series", [&]() -> Status {
    thread_local PodVector<int64_t> mantissas;
    thread_local enc::ScratchBuffer ts_payload, values_payload;
    bool sorted = true;
    for (const PendingBlock& pb : s->blocks) {
      const BlockHeader& bh = pb.header;
      const size_t n = bh.rows_count;
      const size_t base = s->timestamps.size();
      s->timestamps.Reserve(base + n);
      s->values.Reserve(base + n);
      mantissas.ResizeUninit(n);
      std::string_view ts_data = pb.timestamps_data, values_data = pb.values_data;
      if (!pb.have_payloads) {
        VME_RETURN_IF_ERROR(
            pb.part->BlockPayloads(bh, &ts_payload, &values_payload, &ts_data, &values_data));
      }
      VME_RETURN_IF_ERROR(pb.part->CheckBlockPayloads(bh, ts_data, values_data));
      int64_t* ts = s->timestamps.data() + base;
      const Status st = DecodeBlockPayloadsTo(bh, ts_data, values_data, ts, mantissas.data());
      if (!st.ok()) return pb.part->BlockDecodeError(bh, st);
      // Decoded timestamps are non-decreasing: keep those inside the time range.
      const size_t lo = static_cast<size_t>(std::lower_bound(ts, ts + n, tr_.min_timestamp) - ts);
      const size_t hi =
          static_cast<size_t>(std::upper_bound(ts + lo, ts + n, tr_.max_timestamp) - ts);
      if (lo == hi) continue;
      if (lo > 0) std::memmove(ts, ts + lo, (hi - lo) * sizeof(int64_t));
      // Blocks are sorted inside; only a block starting before the previous one's end makes
      // the series unsorted.
      if (base > 0 && ts[0] < s->timestamps.data()[base - 1]) sorted = false;
      dec::DecimalToFloat(s->values.data() + base, mantissas.data() + lo, hi - lo, bh.scale);
      s->timestamps.ResizeUninit(base + (hi - lo));
      s->values.ResizeUninit(base + (hi - lo));
    }
    const size_t n = s->timestamps.size();
    int64_t* ts = s->timestamps.data();
    double* vs = s->values.data();
    if (!sorted) {
      // Stable: samples with equal timestamps keep block order, then in-block order.
      std::vector<std::pair<int64_t, double>> merge(n);
      for (size_t i = 0; i < n; i++) merge[i] = {ts[i], vs[i]};
      std::stable_sort(merge.begin(), merge.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (size_t i = 0; i < n; i++) {
        ts[i] = merge[i].first;
        vs[i] = merge[i].second;
      }
    }
    if (dedup_interval_ms_ > 0 && NeedsDedup(ts, n, dedup_interval_ms_)) {
      std::vector<int64_t> dts(ts, ts + n);
      std::vector<double> dvs(vs, vs + n);
      DeduplicateSamples(&dts, &dvs, dedup_interval_ms_);
      std::copy(dts.begin(), dts.end(), ts);
      std::copy(dvs.begin(), dvs.end(), vs);
      s->timestamps.ResizeUninit(dts.size());
      s->values.ResizeUninit(dvs.size());
    }
    return Status::OK();
  });
}

Status SeriesIterator::Next(bool* done) {
  Status st = NextSeries(done);
  if (st.code() == Code::kCorruption) storage_->QuarantineCorruptParts(st);
  return st;
}

Status SeriesIterator::NextSeries(bool* done) {
  VME_ASSIGN_OR_RETURN(auto guard, storage_->Enter());
  *done = false;
  key_valid_ = text_valid_ = false;
  cur_ = nullptr;
  if (!started_) VME_RETURN_IF_ERROR(Start());
  for (;;) {
    if (batch_pos_ == batch_len_ && !FillBatch()) {
      *done = true;
      return heap_status_;
    }
    const Series& s = batch_[batch_pos_++];
    VME_RETURN_IF_ERROR(s.status);
    if (s.timestamps.size() == 0) continue;
    cur_tsid_ = s.tsid;
    Status st = storage_->GetMetricName(account_id_, project_id_, cur_tsid_.metric_id, &mn_);
    // No name anywhere: skip the series, as VictoriaMetrics Search.NextMetricBlock does.
    if (st.code() == Code::kNotFound) continue;
    VME_RETURN_IF_ERROR(st);
    cur_ = &s;
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
