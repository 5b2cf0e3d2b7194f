#include "storage/block_stream_reader.h"

#include <algorithm>

namespace vme::storage {
namespace {

constexpr size_t kChunkSize = 256 * 1024;

}  // namespace

Status BlockStreamReader::ChunkReader::Read(uint64_t offset, size_t n, std::string* dst) {
  dst->clear();
  if (part_->is_inmemory() || n >= kChunkSize) return part_->ReadAt(file_, offset, n, dst);
  if (offset >= buf_offset_ && offset - buf_offset_ <= buf_.size() &&
      n <= buf_.size() - (offset - buf_offset_)) {
    dst->assign(buf_, offset - buf_offset_, n);
    return Status::OK();
  }
  const uint64_t size = part_->FileSize(file_);
  if (offset > size || n > size - offset) return part_->ReadAt(file_, offset, n, dst);
  const size_t want = static_cast<size_t>(std::min<uint64_t>(kChunkSize, size - offset));
  buf_.clear();
  buf_offset_ = offset;
  Status st = part_->ReadAt(file_, offset, want, &buf_);
  if (!st.ok()) {
    buf_.clear();
    return st;
  }
  dst->assign(buf_, 0, n);
  return Status::OK();
}

BlockStreamReader::BlockStreamReader(PartPtr part)
    : part_(std::move(part)),
      timestamps_reader_(part_.get(), Part::File::kTimestamps),
      values_reader_(part_.get(), Part::File::kValues) {}

bool BlockStreamReader::Fail(Status st) {
  status_ = std::move(st);
  done_ = true;
  return false;
}

bool BlockStreamReader::NextBlock() {
  if (done_) return false;
  const Status st = ReadNext();
  if (!st.ok()) return Fail(st);
  return !done_;
}

Status BlockStreamReader::ReadNext() {
  const PartHeader& ph = part_->header();
  const std::vector<MetaindexRow>& mrs = part_->metaindex();
  const std::string index_name = part_->FileName(Part::File::kIndex);
  while (bh_idx_ >= bhs_.size()) {
    if (mr_idx_ >= mrs.size()) {
      done_ = true;
      if (rows_read_ != ph.rows_count || blocks_read_ != ph.blocks_count) {
        return Status::Corruption("part " + index_name + ": read " + std::to_string(rows_read_) +
                                  " rows in " + std::to_string(blocks_read_) +
                                  " blocks; the part header says " + std::to_string(ph.rows_count) +
                                  " rows in " + std::to_string(ph.blocks_count) + " blocks");
      }
      return Status::OK();
    }
    const MetaindexRow& mr = mrs[mr_idx_];
    if (mr.index_block_offset != index_offset_) {
      return Status::Corruption("metaindex row #" + std::to_string(mr_idx_) +
                                " has IndexBlockOffset " + std::to_string(mr.index_block_offset) +
                                "; want " + std::to_string(index_offset_) + " in " + index_name);
    }
    if (mr.min_timestamp < ph.min_timestamp || mr.max_timestamp > ph.max_timestamp) {
      return Status::Corruption("metaindex row #" + std::to_string(mr_idx_) + " time range [" +
                                std::to_string(mr.min_timestamp) + ", " +
                                std::to_string(mr.max_timestamp) +
                                "] is outside the part time range for " + index_name);
    }
    VME_RETURN_IF_ERROR(part_->ReadIndexBlock(mr_idx_, &bhs_));
    index_offset_ += mr.index_block_size;
    bh_idx_ = 0;
    mr_idx_++;
  }
  const BlockHeader& bh = bhs_[bh_idx_++];
  const std::string at = " (block #" + std::to_string(blocks_read_) + " of " + index_name + ")";
  if (bh.min_timestamp < ph.min_timestamp || bh.max_timestamp > ph.max_timestamp) {
    return Status::Corruption("block time range [" + std::to_string(bh.min_timestamp) + ", " +
                              std::to_string(bh.max_timestamp) +
                              "] is outside the part time range" + at);
  }
  blocks_read_++;
  rows_read_ += bh.rows_count;
  if (blocks_read_ > ph.blocks_count || rows_read_ > ph.rows_count) {
    return Status::Corruption("more blocks or rows than the part header says" + at);
  }
  block_.Reset();
  block_.header = bh;
  block_.source = part_.get();
  if (bh.values_block_offset != values_offset_) {
    return Status::Corruption("ValuesBlockOffset " + std::to_string(bh.values_block_offset) +
                              "; want " + std::to_string(values_offset_) + " in " +
                              part_->FileName(Part::File::kValues) + at);
  }
  VME_RETURN_IF_ERROR(
      values_reader_.Read(bh.values_block_offset, bh.values_block_size, &block_.values_data));
  values_offset_ += bh.values_block_size;
  if (!prev_timestamps_data_.empty() && bh.timestamps_block_offset == prev_timestamps_offset_) {
    if (bh.timestamps_block_size != prev_timestamps_data_.size()) {
      return Status::Corruption("shared timestamps block at offset " +
                                std::to_string(bh.timestamps_block_offset) + " of " +
                                part_->FileName(Part::File::kTimestamps) + " has size " +
                                std::to_string(bh.timestamps_block_size) + "; want " +
                                std::to_string(prev_timestamps_data_.size()) + at);
    }
    block_.timestamps_data = prev_timestamps_data_;
    return part_->CheckBlockPayloads(bh, block_.timestamps_data, block_.values_data);
  }
  if (bh.timestamps_block_offset != timestamps_offset_) {
    return Status::Corruption("TimestampsBlockOffset " +
                              std::to_string(bh.timestamps_block_offset) + "; want " +
                              std::to_string(timestamps_offset_) + " in " +
                              part_->FileName(Part::File::kTimestamps) + at);
  }
  VME_RETURN_IF_ERROR(timestamps_reader_.Read(bh.timestamps_block_offset, bh.timestamps_block_size,
                                              &block_.timestamps_data));
  prev_timestamps_offset_ = timestamps_offset_;
  prev_timestamps_data_ = block_.timestamps_data;
  timestamps_offset_ += bh.timestamps_block_size;
  return part_->CheckBlockPayloads(bh, block_.timestamps_data, block_.values_data);
}

}  // namespace vme::storage
