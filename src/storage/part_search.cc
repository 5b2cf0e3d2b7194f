#include "storage/part_search.h"

#include <algorithm>

namespace vme::storage {

void PartSearch::Init(PartPtr part, const std::vector<TSID>* tsids, TimeRange tr) {
  part_ = std::move(part);
  tsids_ = tsids;
  tr_ = tr;
  tsid_idx_ = 0;
  mr_idx_ = 0;
  bhs_.reset();
  bh_idx_ = 0;
  status_ = Status::OK();
  const PartHeader& ph = part_->header();
  if (ph.blocks_count == 0 || !tr.Intersects(ph.min_timestamp, ph.max_timestamp)) {
    tsid_idx_ = tsids_->size();
  }
}

bool PartSearch::NextIndexBlock() {
  const std::vector<MetaindexRow>& mrs = part_->metaindex();
  const std::vector<TSID>& tsids = *tsids_;
  while (mr_idx_ < mrs.size()) {
    while (tsid_idx_ < tsids.size() && tsids[tsid_idx_] < mrs[mr_idx_].tsid) tsid_idx_++;
    if (tsid_idx_ >= tsids.size()) return false;
    const TSID& cur = tsids[tsid_idx_];
    // The first row whose first TSID is >= cur; blocks of cur may start in the row before it.
    auto it = std::lower_bound(mrs.begin() + static_cast<ptrdiff_t>(mr_idx_), mrs.end(), cur,
                               [](const MetaindexRow& mr, const TSID& t) { return mr.tsid < t; });
    size_t n = static_cast<size_t>(it - mrs.begin());
    if (n > mr_idx_) n--;
    mr_idx_ = n + 1;
    const MetaindexRow& mr = mrs[n];
    if (!tr_.Intersects(mr.min_timestamp, mr.max_timestamp)) continue;
    auto bhs = part_->IndexBlock(n);
    bh_idx_ = 0;
    if (!bhs.ok()) {
      status_ = bhs.status();
      bhs_.reset();
      return false;
    }
    bhs_ = std::move(bhs).value();
    return true;
  }
  return false;
}

bool PartSearch::NextBlock() {
  if (!status_.ok()) return false;
  const std::vector<TSID>& tsids = *tsids_;
  for (;;) {
    const size_t n = bhs_ ? bhs_->size() : 0;
    while (bh_idx_ < n) {
      if (tsid_idx_ >= tsids.size()) return false;
      const BlockHeader& bh = (*bhs_)[bh_idx_];
      const TSID& cur = tsids[tsid_idx_];
      if (bh.tsid < cur) {
        bh_idx_++;
        continue;
      }
      if (cur < bh.tsid) {
        tsid_idx_++;
        continue;
      }
      if (bh.max_timestamp < tr_.min_timestamp) {
        bh_idx_++;
        continue;
      }
      if (bh.min_timestamp > tr_.max_timestamp) {
        tsid_idx_++;
        continue;
      }
      bh_idx_++;
      return true;
    }
    if (tsid_idx_ >= tsids.size() || !NextIndexBlock()) return false;
  }
}

Status PartSearch::ReadBlock(Block* dst) const {
  const BlockHeader& bh = block_header();
  dst->header = bh;
  dst->timestamps.clear();
  dst->values.clear();
  VME_RETURN_IF_ERROR(part_->ReadDecodedBlock(bh, &tmp_ts_, &tmp_values_));
  AppendRowsWithTimeRangeFilter(tmp_ts_, tmp_values_, bh.scale, tr_, &dst->timestamps,
                                &dst->values);
  return Status::OK();
}

}  // namespace vme::storage
