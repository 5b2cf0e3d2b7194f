#include "storage/block_stream_writer.h"

#include "encoding/zstd.h"
#include "storage/dedup.h"

namespace vme::storage {

int CompressLevelForRowsCount(uint64_t rows_count, uint64_t blocks_count) {
  if (blocks_count == 0) return -1;
  const uint64_t avg = rows_count / blocks_count;
  if (avg <= 200) return -1;
  if (avg <= 500) return 1;
  if (avg <= 1000) return 2;
  if (avg <= 2000) return 3;
  if (avg <= 4000) return 4;
  return 5;
}

// Either an in-memory buffer or a buffered file (whose xxh3-64 it computes on the way).
class BlockStreamWriter::Stream {
 public:
  explicit Stream(std::string* buf) : buf_(buf) {}
  explicit Stream(std::unique_ptr<fs::WritableFile> f)
      : file_(std::move(f)), hasher_(std::make_unique<FileHasher>()) {}
  Status Append(std::string_view data) {
    size_ += data.size();
    if (buf_ != nullptr) {
      buf_->append(data);
      return Status::OK();
    }
    hasher_->Update(data);
    return file_->Append(data);
  }
  Status Close() { return file_ ? file_->Close() : Status::OK(); }
  uint64_t size() const { return size_; }
  // The file's size and checksum as a sidecar entry (file streams only).
  PartFileChecksum Sum(const char* name) const {
    return PartFileChecksum{name, size_, hasher_->Digest()};
  }

 private:
  std::string* buf_ = nullptr;
  std::unique_ptr<fs::WritableFile> file_;
  std::unique_ptr<FileHasher> hasher_;
  uint64_t size_ = 0;
};

BlockStreamWriter::BlockStreamWriter(int compress_level) : compress_level_(compress_level) {}
BlockStreamWriter::~BlockStreamWriter() = default;

std::unique_ptr<BlockStreamWriter> BlockStreamWriter::ForInmemoryPart(InmemoryPart* dst,
                                                                      int compress_level) {
  std::unique_ptr<BlockStreamWriter> w(new BlockStreamWriter(compress_level));
  *dst = InmemoryPart();
  w->mem_ = dst;
  w->timestamps_ = std::make_unique<Stream>(&dst->timestamps);
  w->values_ = std::make_unique<Stream>(&dst->values);
  w->index_ = std::make_unique<Stream>(&dst->index);
  w->metaindex_ = std::make_unique<Stream>(&dst->metaindex);
  return w;
}

Result<std::unique_ptr<BlockStreamWriter>> BlockStreamWriter::ForDir(const std::string& dir,
                                                                     int compress_level) {
  if (fs::Exists(dir)) return Status::InvalidArgument("part directory already exists: " + dir);
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(dir));
  std::unique_ptr<BlockStreamWriter> w(new BlockStreamWriter(compress_level));
  w->dir_ = dir;
  w->sums_.kind = PartKind::kData;
  std::unique_ptr<Stream>* streams[] = {&w->timestamps_, &w->values_, &w->index_, &w->metaindex_};
  const char* names[] = {"timestamps.bin", "values.bin", "index.bin", "metaindex.bin"};
  for (int i = 0; i < 4; i++) {
    VME_ASSIGN_OR_RETURN(auto f, fs::WritableFile::Create(fs::Join(dir, names[i])));
    *streams[i] = std::make_unique<Stream>(std::move(f));
  }
  return w;
}

Status BlockStreamWriter::WriteBlock(DataBlock* b) {
  if (dedup_interval_ms_ > 0) {
    VME_RETURN_IF_ERROR(b->Decode());
    DeduplicateSamples(&b->timestamps, &b->values, dedup_interval_ms_);
  }
  b->Encode();
  BlockHeader& bh = b->header;
  if (bh.rows_count == 0) return Status::Internal("BlockStreamWriter: empty block");
  if (mem_ == nullptr) sums_.blocks.push_back(BlockChecksum(b->timestamps_data, b->values_data));
  const bool share = !prev_timestamps_data_.empty() && b->timestamps_data == prev_timestamps_data_;
  bh.timestamps_block_offset = share ? prev_timestamps_offset_ : timestamps_->size();
  bh.values_block_offset = values_->size();

  header_buf_.clear();
  bh.Marshal(&header_buf_);
  index_block_ += header_buf_;
  mr_.RegisterBlockHeader(bh);
  if (index_block_.size() >= kMaxBlockSize) VME_RETURN_IF_ERROR(FlushIndexBlock());

  if (!share) {
    prev_timestamps_data_ = b->timestamps_data;
    prev_timestamps_offset_ = timestamps_->size();
    VME_RETURN_IF_ERROR(timestamps_->Append(b->timestamps_data));
  }
  VME_RETURN_IF_ERROR(values_->Append(b->values_data));

  ph_.rows_count += bh.rows_count;
  ph_.blocks_count++;
  if (bh.min_timestamp < ph_.min_timestamp) ph_.min_timestamp = bh.min_timestamp;
  if (bh.max_timestamp > ph_.max_timestamp) ph_.max_timestamp = bh.max_timestamp;
  return Status::OK();
}

Status BlockStreamWriter::FlushIndexBlock() {
  if (index_block_.empty()) return Status::OK();
  compressed_.clear();
  enc::CompressZstd(&compressed_, index_block_, compress_level_);
  mr_.index_block_offset = index_->size();
  mr_.index_block_size = static_cast<uint32_t>(compressed_.size());
  if (mem_ == nullptr) sums_.index_blocks.push_back(IndexBlockChecksum(compressed_));
  VME_RETURN_IF_ERROR(index_->Append(compressed_));
  mr_.Marshal(&metaindex_data_);
  mr_ = MetaindexRow();
  index_block_.clear();
  return Status::OK();
}

Status BlockStreamWriter::Close() {
  if (closed_) return Status::OK();
  closed_ = true;
  VME_RETURN_IF_ERROR(FlushIndexBlock());
  compressed_.clear();
  enc::CompressZstd(&compressed_, metaindex_data_, compress_level_);
  VME_RETURN_IF_ERROR(metaindex_->Append(compressed_));
  for (auto* s : {&timestamps_, &values_, &index_, &metaindex_}) VME_RETURN_IF_ERROR((*s)->Close());
  ph_.min_dedup_interval_ms = dedup_interval_ms_;
  if (mem_ != nullptr) {
    mem_->ph = ph_;
  } else {
    sums_.files = {timestamps_->Sum("timestamps.bin"), values_->Sum("values.bin"),
                   index_->Sum("index.bin"), metaindex_->Sum("metaindex.bin")};
    VME_RETURN_IF_ERROR(fs::FsyncDir(dir_));
  }
  return Status::OK();
}

}  // namespace vme::storage
