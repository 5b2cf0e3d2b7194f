#include "mergeset/block_stream_reader.h"

namespace vme::mergeset {

bool BlockStreamReader::Fail(Status st) {
  status_ = st.WithContext("part " + part_->path());
  done_ = true;
  block_.reset();
  return false;
}

bool BlockStreamReader::NextBlock() {
  if (done_) return false;
  const PartHeader& ph = part_->header();
  while (bhs_ == nullptr || bh_ >= bhs_->size()) {
    if (bhs_ != nullptr) row_++;
    if (row_ >= part_->metaindex().size()) {
      done_ = true;
      block_.reset();
      if (items_ != ph.items_count || blocks_ != ph.blocks_count) {
        return Fail(Status::Corruption("read " + std::to_string(items_) + " items in " +
                                       std::to_string(blocks_) + " blocks; metadata.json says " +
                                       std::to_string(ph.items_count) + " items in " +
                                       std::to_string(ph.blocks_count) + " blocks"));
      }
      if (blocks_ > 0 && prev_last_ != ph.last_item) {
        return Fail(Status::Corruption("the last item does not match LastItem of metadata.json"));
      }
      return false;
    }
    auto r = part_->ReadIndexBlock(row_, false);
    if (!r.ok()) return Fail(r.status());
    bhs_ = std::move(r).value();
    bh_ = 0;
  }
  const BlockHeader& bh = (*bhs_)[bh_++];
  auto b = part_->ReadBlock(bh, false);
  if (!b.ok()) return Fail(b.status());
  block_ = std::move(b).value();
  if (blocks_ == 0 && block_->first() != ph.first_item) {
    return Fail(Status::Corruption("the first item does not match FirstItem of metadata.json"));
  }
  if (blocks_ > 0 && block_->first() < prev_last_) {
    return Fail(Status::Corruption("block " + std::to_string(blocks_) +
                                   " starts before the end of the previous block"));
  }
  if (block_->last() > ph.last_item) {
    return Fail(Status::Corruption("block " + std::to_string(blocks_) +
                                   " has items after LastItem of metadata.json"));
  }
  blocks_++;
  items_ += block_->size();
  prev_last_.assign(block_->last());
  return true;
}

}  // namespace vme::mergeset
