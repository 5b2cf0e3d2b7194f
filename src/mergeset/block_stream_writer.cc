#include "mergeset/block_stream_writer.h"

#include "encoding/zstd.h"
#include "mergeset/block_header.h"

namespace vme::mergeset {

Result<std::unique_ptr<BlockStreamWriter>> BlockStreamWriter::Create(const std::string& dir,
                                                                     int compress_level) {
  std::unique_ptr<BlockStreamWriter> w(new BlockStreamWriter());
  w->dir_ = dir;
  w->level_ = compress_level;
  VME_ASSIGN_OR_RETURN(w->items_, fs::WritableFile::Create(fs::Join(dir, "items.bin")));
  VME_ASSIGN_OR_RETURN(w->lens_, fs::WritableFile::Create(fs::Join(dir, "lens.bin")));
  VME_ASSIGN_OR_RETURN(w->index_, fs::WritableFile::Create(fs::Join(dir, "index.bin")));
  VME_ASSIGN_OR_RETURN(w->metaindex_, fs::WritableFile::Create(fs::Join(dir, "metaindex.bin")));
  return w;
}

Status BlockStreamWriter::WriteBlock(const InmemoryBlock& b) {
  if (b.empty()) return Status::Internal("cannot write an empty mergeset block");
  b.MarshalSortedData(level_, &bh_, &items_buf_, &lens_buf_);
  bh_.items_block_offset = items_->size();
  bh_.lens_block_offset = lens_->size();
  bh_.items_block_size = static_cast<uint32_t>(items_buf_.size());
  bh_.lens_block_size = static_cast<uint32_t>(lens_buf_.size());
  if (items_buf_.size() > kMaxItemsBlockSize || lens_buf_.size() > kMaxLensBlockSize) {
    return Status::Internal("mergeset block too large to write");
  }
  VME_RETURN_IF_ERROR(items_->Append(items_buf_));
  VME_RETURN_IF_ERROR(lens_->Append(lens_buf_));
  items_hash_.Update(items_buf_);
  lens_hash_.Update(lens_buf_);
  sums_.blocks.push_back(BlockChecksum(items_buf_, lens_buf_));
  if (row_.block_headers_count == 0) row_.first_item = bh_.first_item;
  bh_.Marshal(&index_block_);
  row_.block_headers_count++;
  if (ph_.blocks_count == 0) ph_.first_item.assign(b.first());
  ph_.last_item.assign(b.last());
  ph_.items_count += b.size();
  ph_.blocks_count++;
  if (filter_ != nullptr) filter_->AddBlock(b);
  if (index_block_.size() >= kMaxUncompressedIndexBlockSize) return FlushIndexBlock();
  return Status::OK();
}

Status BlockStreamWriter::FlushIndexBlock() {
  if (row_.block_headers_count == 0) return Status::OK();
  std::string packed;
  enc::CompressZstd(&packed, index_block_, level_);
  row_.index_block_offset = index_->size();
  row_.index_block_size = static_cast<uint32_t>(packed.size());
  VME_RETURN_IF_ERROR(index_->Append(packed));
  index_hash_.Update(packed);
  sums_.index_blocks.push_back(IndexBlockChecksum(packed));
  row_.Marshal(&metaindex_rows_);
  row_ = MetaindexRow();
  index_block_.clear();
  return Status::OK();
}

Status BlockStreamWriter::Close() {
  if (ph_.blocks_count == 0) return Status::Internal("mergeset part " + dir_ + " has no blocks");
  VME_RETURN_IF_ERROR(FlushIndexBlock());
  std::string packed;
  enc::CompressZstd(&packed, metaindex_rows_, level_);
  VME_RETURN_IF_ERROR(metaindex_->Append(packed));
  VME_RETURN_IF_ERROR(items_->Close());
  VME_RETURN_IF_ERROR(lens_->Close());
  VME_RETURN_IF_ERROR(index_->Close());
  VME_RETURN_IF_ERROR(metaindex_->Close());
  const std::string json = ph_.ToJson();
  VME_RETURN_IF_ERROR(fs::WriteFileAtomically(fs::Join(dir_, "metadata.json"), json));
  // The sidecar comes last: it covers every other file (docs/format.md, "Checksums").
  sums_.kind = PartKind::kMergeset;
  sums_.files = {{"items.bin", items_hash_.size(), items_hash_.Digest()},
                 {"lens.bin", lens_hash_.size(), lens_hash_.Digest()},
                 {"index.bin", index_hash_.size(), index_hash_.Digest()}};
  sums_.AddFile("metaindex.bin", packed);
  sums_.AddFile("metadata.json", json);
  VME_RETURN_IF_ERROR(WritePartChecksums(dir_, sums_));
  return fs::FsyncDir(dir_);
}

}  // namespace vme::mergeset
