#include "mergeset/part_search.h"

#include <algorithm>

namespace vme::mergeset {
namespace {

// The first position >= from in block b whose item is >= key (b.size() if none).
size_t LowerBound(const InmemoryBlock& b, size_t from, std::string_view key) {
  size_t lo = from, hi = b.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (b.item(mid) < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace

bool PartSearch::Fail(Status st) {
  status_ = std::move(st);
  valid_ = false;
  block_.reset();
  bhs_.reset();
  return false;
}

bool PartSearch::LoadIndexBlock(size_t row) {
  auto r = part_->ReadIndexBlock(row, true);
  if (!r.ok()) return Fail(r.status());
  bhs_ = std::move(r).value();
  row_ = row;
  return true;
}

bool PartSearch::LoadBlock(size_t bh) {
  auto r = part_->ReadBlock((*bhs_)[bh], true);
  if (!r.ok()) return Fail(r.status());
  block_ = std::move(r).value();
  bh_ = bh;
  pos_ = 0;
  return true;
}

bool PartSearch::NextBlock() {
  if (bh_ + 1 < bhs_->size()) return LoadBlock(bh_ + 1);
  if (row_ + 1 >= part_->metaindex().size()) {
    valid_ = false;
    return false;
  }
  if (!LoadIndexBlock(row_ + 1)) return false;
  return LoadBlock(0);
}

bool PartSearch::Seek(std::string_view key) {
  if (!status_.ok()) return false;
  const PartHeader& ph = part_->header();
  if (key > std::string_view(ph.last_item)) {
    valid_ = false;
    return false;
  }
  // Fast path: the key falls into the loaded block at or after the current position.
  if (valid_ && block_ != nullptr && key > Item() && key <= block_->last()) {
    pos_ = LowerBound(*block_, pos_, key);
    return true;
  }
  valid_ = false;
  const auto& rows = part_->metaindex();
  size_t row = 0;
  if (key > std::string_view(ph.first_item)) {
    row = std::partition_point(rows.begin(), rows.end(),
                               [&](const MetaindexRow& r) { return r.first_item < key; }) -
          rows.begin();
    if (row > 0) row--;
  }
  if (!LoadIndexBlock(row)) return false;
  size_t bh = std::partition_point(bhs_->begin(), bhs_->end(),
                                   [&](const BlockHeader& h) { return h.first_item < key; }) -
              bhs_->begin();
  if (bh > 0) bh--;
  if (!LoadBlock(bh)) return false;
  const size_t lo = LowerBound(*block_, 0, key);
  valid_ = true;
  if (lo < block_->size()) {
    pos_ = lo;
    return true;
  }
  // Every item of this block is < key: the answer is the first item of a following block.
  while (NextBlock()) {
    if (block_->last() >= key) {
      pos_ = LowerBound(*block_, 0, key);
      valid_ = true;
      return true;
    }
  }
  return false;
}

bool PartSearch::Next() {
  if (!valid_) return false;
  if (pos_ + 1 < block_->size()) {
    pos_++;
    return true;
  }
  if (!NextBlock()) return false;
  valid_ = true;
  return true;
}

}  // namespace vme::mergeset
