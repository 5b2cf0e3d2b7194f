#include "storage/merge.h"

#include <algorithm>

#include "encoding/decimal.h"
#include "util/fs.h"

namespace vme::storage {
namespace {

// Heap of readers by current block header; ties broken by reader index.
class BlockStreamMerger {
 public:
  explicit BlockStreamMerger(const std::vector<BlockStreamReader*>& readers) : readers_(readers) {}

  Status Init() {
    for (size_t i = 0; i < readers_.size(); i++) {
      if (readers_[i]->NextBlock()) {
        heap_.push_back(i);
      } else {
        VME_RETURN_IF_ERROR(readers_[i]->status());
      }
    }
    std::make_heap(heap_.begin(), heap_.end(), Cmp{this});
    return Status::OK();
  }

  // Moves the next block into *dst; false at the end or on error (*st set).
  bool Next(DataBlock* dst, Status* st) {
    if (heap_.empty()) return false;
    std::pop_heap(heap_.begin(), heap_.end(), Cmp{this});
    const size_t i = heap_.back();
    BlockStreamReader* r = readers_[i];
    std::swap(*dst, r->block());
    if (r->NextBlock()) {
      std::push_heap(heap_.begin(), heap_.end(), Cmp{this});
    } else {
      heap_.pop_back();
      if (!r->status().ok()) {
        *st = r->status();
        return false;
      }
    }
    return true;
  }

 private:
  struct Cmp {
    const BlockStreamMerger* m;
    // std heap is a max-heap: "a < b" means a comes later.
    bool operator()(size_t a, size_t b) const {
      const BlockHeader& x = m->readers_[a]->block().header;
      const BlockHeader& y = m->readers_[b]->block().header;
      if (BlockHeaderLess(y, x)) return true;
      if (BlockHeaderLess(x, y)) return false;
      return a > b;
    }
  };

  const std::vector<BlockStreamReader*>& readers_;
  std::vector<size_t> heap_;
};

size_t SkipBeforeDeadline(const std::vector<int64_t>& ts, int64_t deadline) {
  size_t i = 0;
  while (i < ts.size() && ts[i] < deadline) i++;
  return i;
}

void AppendRows(DataBlock* dst, const DataBlock& src, size_t from) {
  dst->timestamps.insert(dst->timestamps.end(), src.timestamps.begin() + from,
                         src.timestamps.end());
  dst->values.insert(dst->values.end(), src.values.begin() + from, src.values.end());
}

// mergeBlocks: b1 is the pending block. Both decoded at the same scale.
void MergeBlocks(DataBlock* out, const DataBlock& b1, const DataBlock& b2, int64_t deadline,
                 MergeStats* stats) {
  size_t i1 = SkipBeforeDeadline(b1.timestamps, deadline);
  size_t i2 = SkipBeforeDeadline(b2.timestamps, deadline);
  stats->rows_deleted += i1 + i2;
  if (b1.header.max_timestamp < b2.header.min_timestamp) {
    AppendRows(out, b1, i1);
    AppendRows(out, b2, i2);
    return;
  }
  if (b2.header.max_timestamp < b1.header.min_timestamp) {
    AppendRows(out, b2, i2);
    AppendRows(out, b1, i1);
    return;
  }
  const DataBlock* a = &b1;
  const DataBlock* b = &b2;
  size_t* ia = &i1;
  size_t* ib = &i2;
  if (*ia >= a->timestamps.size()) {
    AppendRows(out, *b, *ib);
    return;
  }
  if (*ib >= b->timestamps.size()) {
    AppendRows(out, *a, *ia);
    return;
  }
  for (;;) {
    const int64_t t = b->timestamps[*ib];
    size_t i = *ia;
    while (i < a->timestamps.size() && a->timestamps[i] <= t) i++;
    out->timestamps.insert(out->timestamps.end(), a->timestamps.begin() + *ia,
                           a->timestamps.begin() + i);
    out->values.insert(out->values.end(), a->values.begin() + *ia, a->values.begin() + i);
    *ia = i;
    if (i >= a->timestamps.size()) {
      AppendRows(out, *b, *ib);
      return;
    }
    std::swap(a, b);
    std::swap(ia, ib);
  }
}

Status WriteCounted(BlockStreamWriter* w, DataBlock* b, MergeStats* stats) {
  stats->rows_merged += b->rows();
  return w->WriteBlock(b);
}

uint64_t SumRows(const std::vector<PartPtr>& parts) {
  uint64_t n = 0;
  for (const auto& p : parts) n += p->header().rows_count;
  return n;
}

uint64_t SumBlocks(const std::vector<PartPtr>& parts) {
  uint64_t n = 0;
  for (const auto& p : parts) n += p->header().blocks_count;
  return n;
}

Status MergeParts(const std::vector<PartPtr>& parts, BlockStreamWriter* w,
                  const MergeOptions& opts) {
  std::vector<std::unique_ptr<BlockStreamReader>> owned;
  std::vector<BlockStreamReader*> readers;
  for (const auto& p : parts) {
    if (p->header().blocks_count == 0) continue;
    owned.push_back(std::make_unique<BlockStreamReader>(p));
    readers.push_back(owned.back().get());
  }
  w->set_dedup_interval(opts.dedup_interval_ms);
  VME_RETURN_IF_ERROR(MergeBlockStreams(readers, w, opts));
  return w->Close();
}

}  // namespace

Status MergeBlockStreams(const std::vector<BlockStreamReader*>& readers, BlockStreamWriter* w,
                         const MergeOptions& opts, MergeStats* stats) {
  MergeStats local;
  if (stats == nullptr) stats = &local;
  BlockStreamMerger merger(readers);
  VME_RETURN_IF_ERROR(merger.Init());
  const int64_t deadline = opts.retention_deadline;
  DataBlock cur, pending, tmp;
  bool has_pending = false;
  Status st;
  while (merger.Next(&cur, &st)) {
    if (opts.stop != nullptr && opts.stop->load(std::memory_order_relaxed)) {
      return Status::Busy("merge stopped");
    }
    const BlockHeader& bh = cur.header;
    if ((opts.deleted_metric_ids != nullptr &&
         opts.deleted_metric_ids->count(bh.tsid.metric_id) != 0) ||
        bh.max_timestamp < deadline) {
      stats->rows_deleted += bh.rows_count;
      continue;
    }
    if (!has_pending) {
      std::swap(pending, cur);
      has_pending = true;
      continue;
    }
    if (pending.header.tsid.metric_id != bh.tsid.metric_id ||
        (pending.TooBig() && pending.header.max_timestamp <= bh.min_timestamp)) {
      VME_RETURN_IF_ERROR(WriteCounted(w, &pending, stats));
      std::swap(pending, cur);
      continue;
    }
    VME_RETURN_IF_ERROR(pending.Decode());
    VME_RETURN_IF_ERROR(cur.Decode());
    const int16_t scale =
        dec::CalibrateScale(&pending.values, pending.header.scale, &cur.values, cur.header.scale);
    pending.header.scale = scale;
    cur.header.scale = scale;
    tmp.Reset();
    tmp.header.tsid = bh.tsid;
    tmp.header.scale = scale;
    tmp.header.precision_bits = std::min(pending.header.precision_bits, bh.precision_bits);
    tmp.decoded = true;
    MergeBlocks(&tmp, pending, cur, deadline, stats);
    if (tmp.timestamps.size() <= kMaxRowsPerBlock) {
      if (tmp.timestamps.empty()) {
        pending.Reset();
        has_pending = false;
      } else {
        tmp.FixupTimestamps();
        std::swap(pending, tmp);
      }
      continue;
    }
    pending.Reset();
    pending.header = tmp.header;
    pending.decoded = true;
    pending.timestamps.assign(tmp.timestamps.begin() + kMaxRowsPerBlock, tmp.timestamps.end());
    pending.values.assign(tmp.values.begin() + kMaxRowsPerBlock, tmp.values.end());
    pending.FixupTimestamps();
    tmp.timestamps.resize(kMaxRowsPerBlock);
    tmp.values.resize(kMaxRowsPerBlock);
    tmp.FixupTimestamps();
    VME_RETURN_IF_ERROR(WriteCounted(w, &tmp, stats));
  }
  VME_RETURN_IF_ERROR(st);
  if (has_pending) VME_RETURN_IF_ERROR(WriteCounted(w, &pending, stats));
  return Status::OK();
}

Result<PartHeader> MergePartsToDir(const std::vector<PartPtr>& parts, const std::string& dir,
                                   const MergeOptions& opts) {
  const int level = CompressLevelForRowsCount(SumRows(parts), SumBlocks(parts));
  VME_ASSIGN_OR_RETURN(auto w, BlockStreamWriter::ForDir(dir, level));
  Status st = MergeParts(parts, w.get(), opts);
  PartHeader ph = w->header();
  PartChecksums sums = w->checksums();
  w.reset();
  ph.min_dedup_interval_ms = opts.dedup_interval_ms;
  if (st.ok()) st = ph.WriteMinDedupInterval(dir);
  // The checksum sidecar comes last: it covers every other file (docs/format.md, "Checksums").
  if (st.ok()) st = sums.AddFileFromDisk(dir, kMinDedupIntervalFileName);
  if (st.ok()) st = WritePartChecksums(dir, sums);
  if (st.ok()) st = fs::FsyncDir(dir);
  if (!st.ok()) {
    fs::RemoveAllSync(dir).IgnoreError();
    return st;
  }
  return ph;
}

Result<PartPtr> MergePartsInmemory(const std::vector<PartPtr>& parts, const MergeOptions& opts) {
  auto mp = std::make_shared<InmemoryPart>();
  auto w = BlockStreamWriter::ForInmemoryPart(mp.get());
  VME_RETURN_IF_ERROR(MergeParts(parts, w.get(), opts));
  mp->ph.min_dedup_interval_ms = opts.dedup_interval_ms;
  return Part::FromInmemory(std::move(mp));
}

}  // namespace vme::storage
