// Writes a mergeset file part (docs/format.md, "mergeset tables";
// lib/mergeset/block_stream_writer.go) into an existing empty directory: items.bin and lens.bin get
// each block's itemsData/lensData; block headers are collected into an index block that is
// zstd-compressed into index.bin once its uncompressed size reaches 64 KiB (and at the end); one
// metaindex row per index block; metaindex.bin = zstd of all rows; metadata.json is written
// atomically on Close, then the checksum sidecar vmengine_checksums.bin (util/part_checksums.h:
// the xxh3-64 of each file, one checksum per index block and per block). All files and the
// directory are fsynced on Close.
#pragma once

#include <memory>
#include <string>

#include "mergeset/block_header.h"
#include "mergeset/encoding.h"
#include "mergeset/item_filter.h"
#include "mergeset/metaindex_row.h"
#include "mergeset/part_header.h"
#include "util/fs.h"
#include "util/part_checksums.h"
#include "util/status.h"

namespace vme::mergeset {

constexpr size_t kMaxUncompressedIndexBlockSize = 64 * 1024;

class BlockStreamWriter {
 public:
  static Result<std::unique_ptr<BlockStreamWriter>> Create(const std::string& dir,
                                                           int compress_level);

  // Writes one sorted, non-empty block whose first item is >= the previous block's last item.
  Status WriteBlock(const InmemoryBlock& b);
  // Writes the pending index block, metaindex.bin and metadata.json and fsyncs everything.
  // Fails if no block was written.
  Status Close();

  // Every block written from now on also goes to b (not owned; may be nullptr).
  void set_item_filter_builder(ItemFilterBuilder* b) { filter_ = b; }

  const PartHeader& header() const { return ph_; }
  const std::string& dir() const { return dir_; }

 private:
  BlockStreamWriter() = default;
  Status FlushIndexBlock();

  std::string dir_;
  int level_ = 0;
  std::unique_ptr<fs::WritableFile> items_, lens_, index_, metaindex_;
  std::string index_block_;
  MetaindexRow row_;
  std::string metaindex_rows_;
  PartHeader ph_;
  std::string items_buf_, lens_buf_;
  BlockHeader bh_;
  ItemFilterBuilder* filter_ = nullptr;
  PartChecksums sums_;
  FileHasher items_hash_, lens_hash_, index_hash_;
};

}  // namespace vme::mergeset
