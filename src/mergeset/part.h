// An opened mergeset file part (docs/format.md, "mergeset tables"; lib/mergeset/part.go): a
// directory <itemsCount>_<blocksCount>_<mergeIdx %016X> holding items.bin, lens.bin, index.bin,
// metaindex.bin and metadata.json (formats in encoding.h, block_header.h, metaindex_row.h,
// part_header.h).
//
// Open validates the name against metadata.json and loads the metaindex; index blocks and
// item blocks are read lazily with pread and validated on every read. A part with a checksum
// sidecar (util/part_checksums.h; docs/format.md, "Checksums") is also verified: file sizes,
// metaindex.bin and metadata.json at open, an index block when read from index.bin (before the
// cache), a block when read from items.bin and lens.bin (before the cache). A mismatch is
// Corruption naming the part, the file and the offset, and marks the part corrupt(). A Part is
// immutable and thread-safe; its files stay readable after its directory is removed (open
// descriptors). The in-memory ItemFilter of its item keys (item_filter.h) is set once, when the
// part is written, or built on first use by BuildItemFilter.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mergeset/block_header.h"
#include "mergeset/encoding.h"
#include "mergeset/item_filter.h"
#include "mergeset/metaindex_row.h"
#include "mergeset/part_header.h"
#include "util/fs.h"
#include "util/part_checksums.h"
#include "util/status.h"

namespace vme::mergeset {

using IndexBlock = std::vector<BlockHeader>;

class Part {
 public:
  static Result<std::shared_ptr<Part>> Open(const std::string& path);

  const PartHeader& header() const { return header_; }
  const std::string& path() const { return path_; }
  const std::string& name() const { return name_; }
  uint64_t merge_idx() const { return merge_idx_; }
  uint64_t size_bytes() const { return size_bytes_; }
  const std::vector<MetaindexRow>& metaindex() const { return metaindex_; }

  // Reads and validates the block headers of metaindex row i.
  Result<std::shared_ptr<const IndexBlock>> ReadIndexBlock(size_t i, bool use_cache) const;
  // Reads and decodes the items of a block.
  Result<std::shared_ptr<const InmemoryBlock>> ReadBlock(const BlockHeader& bh,
                                                         bool use_cache) const;

  // Whether the part has a checksum sidecar.
  bool has_checksums() const { return has_sums_; }
  // Set once a read of this part found corrupt bytes. Thread-safe.
  bool corrupt() const { return corrupt_.load(std::memory_order_relaxed); }

  // The membership filter of the part's item keys; nullptr until set or built.
  const ItemFilter* item_filter() const { return item_filter_.load(std::memory_order_acquire); }
  // Sets the filter unless one is set already. Call before the part is published (the filter
  // must hold every key of the part's items, ItemFilterKeys `keys` of its table).
  void SetItemFilter(std::unique_ptr<const ItemFilter> f) const;
  // Returns the filter, building it first from the part's items with `keys` when missing
  // (reads the blocks that may hold keys, bypassing the block caches). Returns nullptr without
  // waiting when another thread is building it. Read errors are returned (file and offset).
  Result<const ItemFilter*> BuildItemFilter(const ItemFilterKeys& keys) const;

 private:
  Part() = default;
  Status LoadChecksums(const std::string& meta, const std::string& metaindex);
  Status MarkCorrupt(Status st) const;

  uint64_t id_ = 0;
  std::string path_;
  std::string name_;
  uint64_t merge_idx_ = 0;
  uint64_t size_bytes_ = 0;
  PartHeader header_;
  std::vector<MetaindexRow> metaindex_;
  std::unique_ptr<fs::RandomAccessFile> items_file_;
  std::unique_ptr<fs::RandomAccessFile> lens_file_;
  std::unique_ptr<fs::RandomAccessFile> index_file_;
  bool has_sums_ = false;
  PartChecksums sums_;
  std::vector<uint64_t> block_base_;  // index in sums_.blocks of each row's first block
  mutable std::atomic<bool> corrupt_{false};

  mutable std::mutex item_filter_mu_;  // held while the filter is set or built
  mutable std::unique_ptr<const ItemFilter> item_filter_owner_;
  mutable std::atomic<const ItemFilter*> item_filter_{nullptr};
};

}  // namespace vme::mergeset
